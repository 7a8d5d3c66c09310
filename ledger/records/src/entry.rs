//! Entries: the leaves of the log.

use ed25519_dalek::VerifyingKey;
use prost::Message as _;
use vledger_proto::v1 as pb;

use super::body::Record;
use super::error::{FieldError, Reason};
use super::flag::{Flag, flags_from_proto};
use super::keys::public_key_from_bytes;
use super::signed::{SignedRecord, Unchecked, bad_signature, verify_together};
use crate::signature::Pending;
use vledger_tlog::hash::Hash;

/// A leaf of the log, as written by the sequencer.
///
/// The leaf hash is the RFC 6962 hash of the encoded entry; entries are
/// encoded once, by the sequencer, and stored verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// When the sequencer logged the entry, in milliseconds since the Unix
    /// epoch. Never decreases along the log.
    pub logged_at_ms: i64,
    /// What the entry holds.
    pub body: EntryBody,
}

/// What an entry holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryBody {
    /// Leaf 0: the log's identity and first admin key.
    Genesis(Box<Genesis>),
    /// A signed record.
    Record(Box<RecordEntry>),
    /// The VIN index root over every entry before it; the last leaf of
    /// every sequenced batch.
    Index(IndexCommitment),
    /// The log key's successor, from the batch this entry starts.
    Succession(LogKeySuccession),
}

/// A succession entry's contents: the key that signs the log's
/// checkpoints from the end of this entry's batch on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogKeySuccession {
    /// The successor log key.
    pub log_key: VerifyingKey,
    /// Why the previous key was retired.
    pub reason: String,
}

/// The longest reason a succession entry may give, in bytes.
pub const MAX_SUCCESSION_REASON: usize = 256;

/// An index entry's contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexCommitment {
    /// Root of the VIN index over entries `[0, tree_size)`.
    pub root: Hash,
    /// Number of entries the root covers: the index entry's own leaf index.
    pub tree_size: u64,
    /// Number of distinct VINs in the index.
    pub vin_count: u64,
}

/// Leaf 0 of every log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Genesis {
    /// The log's origin line.
    pub origin: String,
    /// The key that signs the log's checkpoints.
    pub log_key: VerifyingKey,
    /// The first admin key, fixed at `vledger init`.
    pub admin_key: VerifyingKey,
    /// The recovery key made at `vledger init`, kept offline; `None` in
    /// logs made without one.
    pub recovery_key: Option<VerifyingKey>,
}

/// A signed record as sequenced, with its place in its VIN's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    /// The record as its submitter signed it.
    pub signed: SignedRecord,
    /// Present exactly when the record names a VIN.
    pub chain: Option<VinChain>,
    /// What the sequencer found suspicious about the record, in the order
    /// the rules find it; empty for most records.
    pub flags: Vec<Flag>,
}

/// The link from a record to the previous record about the same VIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VinChain {
    /// Position of this record in its VIN's history: 0 for the first.
    pub sequence: u64,
    /// The VIN's previous entry; `None` exactly when `sequence` is 0.
    pub previous: Option<ChainLink>,
}

/// Points at an earlier entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainLink {
    /// Its leaf index.
    pub index: u64,
    /// Its leaf hash.
    pub leaf_hash: Hash,
}

impl Entry {
    /// The entry's leaf bytes.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        pb::Entry::from(self).encode_to_vec()
    }

    /// Decodes and validates leaf bytes, including the record signature.
    ///
    /// # Errors
    /// A [`FieldError`] naming the first field that is wrong, including
    /// [`Reason::NonCanonical`] for bytes that are not the encoding the
    /// sequencer would have written.
    pub fn decode(bytes: &[u8]) -> Result<Self, FieldError> {
        let (entry, pending) = Self::parse_leaf(bytes)?;
        match pending {
            Some(p) if !p.verify() => Err(bad_signature()),
            _ => Ok(entry),
        }
    }

    /// The record, its signer's key and its flags in logged entry
    /// `bytes`, decoded without checking the record's signature: for the
    /// sequencer, which checked it when it logged the entry and reads it
    /// back to answer a duplicate or to check a correction. Audits and
    /// `vledger check` use [`Entry::decode`], which checks everything
    /// again. `Ok(None)` for an entry that holds no record.
    ///
    /// # Errors
    /// A [`FieldError`] when the entry, the record, the key or the flags
    /// do not decode.
    pub fn decode_logged_record(
        bytes: &[u8],
    ) -> Result<Option<(Record, VerifyingKey, Vec<Flag>)>, FieldError> {
        let msg =
            pb::Entry::decode(bytes).map_err(|_| FieldError::new("entry", Reason::Encoding))?;
        let Some(pb::entry::Body::Record(r)) = msg.body else {
            return Ok(None);
        };
        let signed = r
            .signed
            .ok_or_else(|| FieldError::new("entry.record.signed", Reason::Missing))?;
        let key = public_key_from_bytes("signed.public_key", &signed.public_key)?;
        let record = Record::decode(&signed.record)?;
        Ok(Some((record, key, flags_from_proto(r.flags)?)))
    }

    /// The deduplication key of the record in logged entry `bytes`
    /// ([`SignedRecord::dedup_key`](crate::SignedRecord::dedup_key)), read
    /// without validating the entry or its signature: for indexing entries
    /// the sequencer already checked. `None` for an entry that holds no
    /// record or does not decode.
    #[must_use]
    pub fn logged_dedup_key(bytes: &[u8]) -> Option<Hash> {
        let msg = pb::Entry::decode(bytes).ok()?;
        match msg.body? {
            pb::entry::Body::Record(r) => {
                let signed = r.signed?;
                Some(crate::signed::dedup_key(&signed.public_key, &signed.record))
            }
            _ => None,
        }
    }

    /// Whether this entry may be in the log whose origin is `origin`: a
    /// record entry whose record was signed for another log may not
    /// ([`SignedRecord::check_logged_in`]); a version 1 record, which names
    /// no log, may.
    ///
    /// # Errors
    /// [`Reason::WrongLog`] on `signed.origin`.
    pub fn check_logged_in(&self, origin: &str) -> Result<(), FieldError> {
        match &self.body {
            EntryBody::Record(r) => r.signed.check_logged_in(origin),
            EntryBody::Genesis(_) | EntryBody::Index(_) | EntryBody::Succession(_) => Ok(()),
        }
    }

    /// The signed record, for record entries.
    #[must_use]
    pub fn record(&self) -> Option<&RecordEntry> {
        match &self.body {
            EntryBody::Record(r) => Some(r.as_ref()),
            EntryBody::Genesis(_) | EntryBody::Index(_) | EntryBody::Succession(_) => None,
        }
    }
}

impl TryFrom<pb::Entry> for Entry {
    type Error = FieldError;
    fn try_from(msg: pb::Entry) -> Result<Self, FieldError> {
        let (entry, pending) = Self::parse(msg)?;
        match pending {
            Some(p) if !p.verify() => Err(bad_signature()),
            _ => Ok(entry),
        }
    }
}

impl Entry {
    /// Decodes and validates many leaves, as [`Entry::decode`] does each,
    /// with the record signatures checked together
    /// ([`crate::signature::Batch`]): the same verdicts and errors, for
    /// about half the cost of the signatures when most are valid.
    #[must_use]
    pub fn decode_many<B: AsRef<[u8]>>(leaves: &[B]) -> Vec<Result<Self, FieldError>> {
        verify_together(leaves.iter().map(|bytes| Self::parse_leaf(bytes.as_ref())))
    }

    /// Everything [`Entry::decode`] checks of leaf `bytes` but the record
    /// signature's equation, which it leaves pending.
    fn parse_leaf(bytes: &[u8]) -> Result<(Self, Option<Pending>), FieldError> {
        let msg =
            pb::Entry::decode(bytes).map_err(|_| FieldError::new("entry", Reason::Encoding))?;
        let (entry, pending) = Self::parse(msg)?;
        if entry.encode() != bytes {
            return Err(signature_first(
                pending.as_ref(),
                FieldError::new("entry", Reason::NonCanonical),
            ));
        }
        Ok((entry, pending))
    }

    /// Everything [`Entry::try_from`] checks but the record signature's
    /// equation, which it leaves pending.
    fn parse(msg: pb::Entry) -> Result<(Self, Option<Pending>), FieldError> {
        let mut pending = None;
        let body = match msg
            .body
            .ok_or_else(|| FieldError::new("entry.body", Reason::Missing))?
        {
            pb::entry::Body::Genesis(g) => {
                let admin_key =
                    public_key_from_bytes("entry.genesis.admin_public_key", &g.admin_public_key)?;
                let recovery_key = if g.recovery_public_key.is_empty() {
                    None
                } else {
                    let key = public_key_from_bytes(
                        "entry.genesis.recovery_public_key",
                        &g.recovery_public_key,
                    )?;
                    // One key holds one role.
                    if key == admin_key {
                        return Err(FieldError::new(
                            "entry.genesis.recovery_public_key",
                            Reason::Inconsistent("the admin key: a key holds one role"),
                        ));
                    }
                    Some(key)
                };
                EntryBody::Genesis(Box::new(Genesis {
                    origin: g.origin,
                    log_key: public_key_from_bytes(
                        "entry.genesis.log_public_key",
                        &g.log_public_key,
                    )?,
                    admin_key,
                    recovery_key,
                }))
            }
            pb::entry::Body::Record(r) => {
                let (signed, signature) = Unchecked::parse(
                    r.signed
                        .ok_or_else(|| FieldError::new("entry.record.signed", Reason::Missing))?,
                )?
                .into_pending();
                let rest = || {
                    let chain = r.chain.map(VinChain::try_from).transpose()?;
                    if chain.is_some() != signed.record().vin.is_some() {
                        return Err(FieldError::new(
                            "entry.record.chain",
                            Reason::Inconsistent("record.vin"),
                        ));
                    }
                    Ok((chain, flags_from_proto(r.flags)?))
                };
                let (chain, flags) = rest().map_err(|e| signature_first(Some(&signature), e))?;
                pending = Some(signature);
                EntryBody::Record(Box::new(RecordEntry {
                    signed,
                    chain,
                    flags,
                }))
            }
            pb::entry::Body::Index(i) => EntryBody::Index(IndexCommitment {
                root: Hash::from_slice(&i.root)
                    .ok_or_else(|| FieldError::new("entry.index.root", Reason::HashLength))?,
                tree_size: i.tree_size,
                vin_count: i.vin_count,
            }),
            pb::entry::Body::Succession(s) => {
                if s.reason.len() > MAX_SUCCESSION_REASON {
                    return Err(FieldError::new(
                        "entry.succession.reason",
                        Reason::TooLong {
                            max: MAX_SUCCESSION_REASON,
                        },
                    ));
                }
                EntryBody::Succession(LogKeySuccession {
                    log_key: public_key_from_bytes(
                        "entry.succession.log_public_key",
                        &s.log_public_key,
                    )?,
                    reason: s.reason,
                })
            }
        };
        Ok((
            Self {
                logged_at_ms: msg.logged_at_ms,
                body,
            },
            pending,
        ))
    }
}

/// The error a decode of one entry names when a check after the record
/// signature found `e`: the signature's, if it is bad, since that decode
/// checks the signature first.
fn signature_first(pending: Option<&Pending>, e: FieldError) -> FieldError {
    if pending.is_some_and(|p| !p.verify()) {
        bad_signature()
    } else {
        e
    }
}

impl TryFrom<pb::VinChain> for VinChain {
    type Error = FieldError;
    fn try_from(c: pb::VinChain) -> Result<Self, FieldError> {
        let previous = match (c.previous_index, c.previous_leaf_hash.is_empty()) {
            (None, true) => None,
            (Some(index), false) => Some(ChainLink {
                index,
                leaf_hash: Hash::from_slice(&c.previous_leaf_hash).ok_or_else(|| {
                    FieldError::new("entry.record.chain.previous_leaf_hash", Reason::HashLength)
                })?,
            }),
            (None, false) => {
                return Err(FieldError::new(
                    "entry.record.chain.previous_leaf_hash",
                    Reason::Inconsistent("previous_index"),
                ));
            }
            (Some(_), true) => {
                return Err(FieldError::new(
                    "entry.record.chain.previous_leaf_hash",
                    Reason::Missing,
                ));
            }
        };
        if (c.sequence == 0) != previous.is_none() {
            return Err(FieldError::new(
                "entry.record.chain.sequence",
                Reason::Inconsistent("previous_index"),
            ));
        }
        Ok(Self {
            sequence: c.sequence,
            previous,
        })
    }
}

impl From<&Entry> for pb::Entry {
    fn from(e: &Entry) -> Self {
        let body = match &e.body {
            EntryBody::Genesis(g) => pb::entry::Body::Genesis(pb::Genesis {
                origin: g.origin.clone(),
                log_public_key: g.log_key.to_bytes().to_vec(),
                admin_public_key: g.admin_key.to_bytes().to_vec(),
                recovery_public_key: g
                    .recovery_key
                    .map_or_else(Vec::new, |k| k.to_bytes().to_vec()),
            }),
            EntryBody::Index(i) => pb::entry::Body::Index(pb::IndexEntry {
                root: i.root.0.to_vec(),
                tree_size: i.tree_size,
                vin_count: i.vin_count,
            }),
            EntryBody::Succession(s) => pb::entry::Body::Succession(pb::LogKeySuccession {
                log_public_key: s.log_key.to_bytes().to_vec(),
                reason: s.reason.clone(),
            }),
            EntryBody::Record(r) => pb::entry::Body::Record(pb::RecordEntry {
                signed: Some(r.signed.to_proto()),
                chain: r.chain.map(|c| pb::VinChain {
                    sequence: c.sequence,
                    previous_index: c.previous.map(|p| p.index),
                    previous_leaf_hash: c
                        .previous
                        .map(|p| p.leaf_hash.0.to_vec())
                        .unwrap_or_default(),
                }),
                flags: r.flags.iter().map(Into::into).collect(),
            }),
        };
        Self {
            logged_at_ms: e.logged_at_ms,
            body: Some(body),
        }
    }
}
