//! VIN history bundles: everything a buyer needs to check, offline, that a
//! history of a VIN is **complete** as of a signed checkpoint.
//!
//! A bundle holds the signed checkpoint of tree size `N`; the index entry at
//! leaf `N - 1` (the last leaf under every checkpoint) with its inclusion
//! proof; the VIN index proof for the VIN against that entry's root
//! (membership, naming the VIN's latest entry and record count, or
//! non-membership); every record entry of the VIN's chain with its inclusion
//! proof; and the enrollment entries of the keys that signed them, so that
//! their roles are shown from the log too. See `docs/history.md`.
//!
//! A bundle may also carry a [`Witnessed`] part: a checkpoint of tree size
//! `M >= N` that witnesses cosigned, with the consistency proof from `N` to
//! `M`. It shows that the tree the bundle is complete for is a prefix of a
//! tree a quorum of witnesses saw; `vledger-log` adds it when it builds a bundle,
//! [`verify_witnessed`] checks it, and [`verify_history_cosigned`] applies a
//! witness policy to whichever note carries the cosignatures.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use vledger_records::vindex::{
    IndexKey, IndexProof, IndexProofError, IndexValue, ProofDecodeError,
};
use vledger_records::{Entry, EntryBody, FieldError, RecordBody, Role, Vin, VinError};
use vledger_tlog::merkle::{
    LeafIndex, TreeSize, VerifyError, verify_consistency, verify_inclusion,
};
use vledger_tlog::note::{
    Checkpoint, CheckpointError, Note, QuorumError, QuorumReport, VerifierKey, WitnessPolicy,
    open_checkpoint_for_origin,
};
use vledger_tlog::{Hash, leaf_hash};

/// The format line of version 1 bundles.
pub const BUNDLE_FORMAT: &str = "vledger-history/v1";

/// A VIN history bundle, as stored in a `.vhist.json` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryBundle {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// The VIN.
    pub vin: String,
    /// The signed checkpoint note the proofs are against.
    pub checkpoint: String,
    /// The index entry at leaf `tree size - 1`.
    pub index_entry: ProvenEntry,
    /// The VIN index proof for the VIN, base64 of its compact encoding.
    pub index_proof: String,
    /// The VIN's record entries, oldest first.
    pub records: Vec<ProvenEntry>,
    /// The genesis entry and the enrollments of the keys that signed the
    /// records (and of the admins that enrolled them), by leaf index.
    pub signers: Vec<ProvenEntry>,
    /// A checkpoint witnesses cosigned that extends [`checkpoint`](Self::checkpoint),
    /// with the consistency proof; absent from bundles fetched without
    /// asking for one (and then not written at all, so such bundles are
    /// byte for byte as before the field existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witnessed: Option<Witnessed>,
}

impl HistoryBundle {
    /// The note a witness policy applies to: the witnessed checkpoint when
    /// the bundle has one, else the bundle's own checkpoint.
    #[must_use]
    pub fn cosigned_note(&self) -> &str {
        self.witnessed
            .as_ref()
            .map_or(&self.checkpoint, |w| &w.checkpoint)
    }
}

/// The witnessed part of a bundle: a checkpoint of the same log at tree size
/// `M`, carrying the witnesses' cosignatures, and the proof that the
/// bundle's tree of size `N <= M` is a prefix of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Witnessed {
    /// The checkpoint note of tree size `M`: the log's signature and the
    /// witnesses' cosignature lines.
    pub checkpoint: String,
    /// The RFC 9162 consistency proof from the bundle's tree size `N` to
    /// `M`, base64 hashes; empty when `M == N`.
    pub consistency: Vec<String>,
}

/// An entry with its inclusion proof against the bundle's checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenEntry {
    /// Leaf index.
    pub index: u64,
    /// The entry's exact leaf bytes, base64.
    pub entry: String,
    /// Inclusion proof hashes, base64, RFC 9162 order.
    pub proof: Vec<String>,
}

/// One record of a verified history.
#[derive(Debug, Clone)]
pub struct HistoryRecord {
    /// Its leaf index.
    pub index: u64,
    /// The entry.
    pub entry: Entry,
    /// The signer's role, from its enrollment in the log.
    pub role: Role,
    /// The organisation the signer's key was enrolled under (the
    /// enrollment's `name`); `None` for the genesis admin key, which has no
    /// enrollment.
    pub signer_name: Option<String>,
}

/// A verified, complete history.
#[derive(Debug, Clone)]
pub struct VerifiedHistory {
    /// The VIN.
    pub vin: Vin,
    /// The checkpoint it is complete as of.
    pub checkpoint: Checkpoint,
    /// When the index entry at the checkpoint's last leaf was logged, in
    /// milliseconds since the Unix epoch: the time the history is complete
    /// as of.
    pub index_logged_at_ms: i64,
    /// The bundle's witnessed checkpoint, verified to extend
    /// [`checkpoint`](Self::checkpoint); `None` when the bundle has none.
    pub witnessed: Option<Checkpoint>,
    /// Every record of the VIN, oldest first; empty when it has none.
    pub records: Vec<HistoryRecord>,
}

/// Why a bundle does not prove a complete history.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// Not a version 1 bundle.
    #[error("not a {BUNDLE_FORMAT} bundle (format {0:?})")]
    Format(String),
    /// The VIN is malformed.
    #[error("vin: {0}")]
    Vin(#[from] VinError),
    /// The checkpoint does not open with the log key.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// Base64 or a hash is malformed.
    #[error("{what}: malformed base64 or hash")]
    Encoding {
        /// Which field.
        what: String,
    },
    /// An entry is not in the log at the checkpoint.
    #[error("entry {index}: not included in the log at tree size {size}: {reason}")]
    Inclusion {
        /// Leaf index.
        index: u64,
        /// Tree size.
        size: u64,
        /// Why.
        reason: VerifyError,
    },
    /// An entry does not decode.
    #[error("entry {index}: {error}")]
    Entry {
        /// Leaf index.
        index: u64,
        /// Why.
        error: FieldError,
    },
    /// The index entry is not the last leaf under the checkpoint, or is not
    /// an index entry.
    #[error("index entry: {0}")]
    IndexEntry(&'static str),
    /// The index proof does not verify against the index entry's root.
    #[error("VIN index proof: {0}")]
    IndexProof(String),
    /// The records are not exactly the VIN's chain the index names.
    #[error("records: {0}")]
    Chain(String),
    /// A record's signer is not shown enrolled with a role that may sign it.
    #[error("signers: {0}")]
    Signer(String),
    /// The witnessed part is malformed, not the log's, or does not extend
    /// the checkpoint.
    #[error(transparent)]
    Witnessed(#[from] WitnessedError),
    /// Too few of the policy's witnesses cosigned the note the policy
    /// applies to (see [`HistoryBundle::cosigned_note`]).
    #[error("{}: {error}", if *.witnessed { "witnessed checkpoint" } else { "checkpoint" })]
    Quorum {
        /// Whether the policy was applied to the witnessed checkpoint.
        witnessed: bool,
        /// Every witness's status.
        error: QuorumError,
    },
}

/// Why the witnessed part of a bundle does not show that the bundle's
/// checkpoint is a prefix of a witnessed one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WitnessedError {
    /// The witnessed note is malformed, not signed by the log key, or of
    /// another origin.
    #[error("witnessed {0}")]
    Checkpoint(CheckpointError),
    /// The witnessed tree is smaller than the bundle's.
    #[error(
        "witnessed checkpoint: its tree size {witnessed} is smaller than the bundle's tree size {size}"
    )]
    Smaller {
        /// The bundle's tree size `N`.
        size: u64,
        /// The witnessed tree size `M`.
        witnessed: u64,
    },
    /// A consistency proof hash is not base64 of 32 bytes.
    #[error("witnessed checkpoint: consistency proof hash {position}: malformed base64 or hash")]
    Encoding {
        /// Its position in the proof, from 0.
        position: usize,
    },
    /// The consistency proof does not lead from the bundle's root to the
    /// witnessed root.
    #[error(
        "witnessed checkpoint: consistency proof from tree size {old} to {new} does not verify: {reason}"
    )]
    Consistency {
        /// The bundle's tree size `N`.
        old: u64,
        /// The witnessed tree size `M`.
        new: u64,
        /// Why.
        reason: VerifyError,
    },
}

impl From<ProofDecodeError> for BundleError {
    fn from(e: ProofDecodeError) -> Self {
        Self::IndexProof(e.to_string())
    }
}

impl From<IndexProofError> for BundleError {
    fn from(e: IndexProofError) -> Self {
        Self::IndexProof(e.to_string())
    }
}

pub(crate) fn unb64(s: &str, what: impl Into<String>) -> Result<Vec<u8>, BundleError> {
    STANDARD
        .decode(s)
        .map_err(|_| BundleError::Encoding { what: what.into() })
}

/// Verifies a bundle's witnessed part against its checkpoint `checkpoint`
/// (already opened with the log key): the witnessed note is signed by the
/// same log key for the same origin, its tree size `M` is at least the
/// checkpoint's `N`, and the consistency proof leads from the checkpoint's
/// root at `N` to the witnessed root at `M` (for `M == N`: no proof, and
/// the same root). Returns the witnessed checkpoint. Cosignatures are not
/// checked here; see [`verify_history_cosigned`].
///
/// # Errors
/// A [`WitnessedError`] naming what is wrong.
pub fn verify_witnessed(
    checkpoint: &Checkpoint,
    witnessed: &Witnessed,
    log_key: &VerifierKey,
) -> Result<Checkpoint, WitnessedError> {
    let cp = open_checkpoint_for_origin(&witnessed.checkpoint, checkpoint.origin(), log_key)
        .map_err(WitnessedError::Checkpoint)?;
    let (old, new) = (checkpoint.size(), cp.size());
    if new < old {
        return Err(WitnessedError::Smaller {
            size: old.0,
            witnessed: new.0,
        });
    }
    let proof = witnessed
        .consistency
        .iter()
        .enumerate()
        .map(|(position, h)| {
            STANDARD
                .decode(h)
                .ok()
                .and_then(|b| Hash::from_slice(&b))
                .ok_or(WitnessedError::Encoding { position })
        })
        .collect::<Result<Vec<_>, _>>()?;
    verify_consistency(old, new, checkpoint.root(), cp.root(), &proof).map_err(|reason| {
        WitnessedError::Consistency {
            old: old.0,
            new: new.0,
            reason,
        }
    })?;
    Ok(cp)
}

/// Decodes and checks one proven entry against the checkpoint.
pub(crate) fn open_entry(p: &ProvenEntry, cp: &Checkpoint) -> Result<Entry, BundleError> {
    let size = cp.size().0;
    let bytes = unb64(&p.entry, format!("entry {}", p.index))?;
    let proof = p
        .proof
        .iter()
        .map(|h| {
            unb64(h, format!("entry {} proof", p.index))
                .ok()
                .and_then(|b| Hash::from_slice(&b))
                .ok_or_else(|| BundleError::Encoding {
                    what: format!("entry {} proof", p.index),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    verify_inclusion(
        &leaf_hash(&bytes),
        LeafIndex(p.index),
        TreeSize(size),
        &proof,
        cp.root(),
    )
    .map_err(|reason| BundleError::Inclusion {
        index: p.index,
        size,
        reason,
    })?;
    let entry = Entry::decode(&bytes).map_err(|error| BundleError::Entry {
        index: p.index,
        error,
    })?;
    entry
        .check_logged_in(cp.origin())
        .map_err(|error| BundleError::Entry {
            index: p.index,
            error,
        })?;
    Ok(entry)
}

/// The checkpoint's last leaf, `index_entry`, checked to be an index entry
/// covering every leaf before it, and the VIN index proof `index_proof`
/// checked against its root: when the index entry was logged, and the
/// VIN's head (its latest entry and record count), `None` when the VIN has
/// no records.
pub(crate) fn open_index(
    cp: &Checkpoint,
    vin: &Vin,
    index_entry: &ProvenEntry,
    index_proof: &str,
) -> Result<(i64, Option<IndexValue>), BundleError> {
    let size = cp.size().0;
    if size == 0 || index_entry.index != size - 1 {
        return Err(BundleError::IndexEntry(
            "is not the last leaf under the checkpoint",
        ));
    }
    let entry = open_entry(index_entry, cp)?;
    let logged_at_ms = entry.logged_at_ms;
    let EntryBody::Index(commitment) = entry.body else {
        return Err(BundleError::IndexEntry(
            "the last leaf is not an index entry",
        ));
    };
    if commitment.tree_size != size - 1 {
        return Err(BundleError::IndexEntry("covers another tree size"));
    }
    let proof = IndexProof::decode(&unb64(index_proof, "index_proof")?)?;
    let head = proof.verify(&IndexKey::for_vin(vin), &commitment.root)?;
    Ok((logged_at_ms, head))
}

/// A chain link: a record's leaf index and leaf hash.
pub(crate) type Link = (u64, Hash);

/// A checked run of a chain: its entries by leaf index, and the link to
/// its last record.
pub(crate) type Run = (Vec<(u64, Entry)>, Option<Link>);

/// A run of a VIN's chain, checked: each entry included at the
/// checkpoint, a record about `vin`, of sequence number `first + i`, and
/// linking to the one before it (the first one to `previous`). Returns the
/// decoded entries by leaf index, and the last one's index and leaf hash
/// (`previous` when `records` is empty).
pub(crate) fn open_chain(
    cp: &Checkpoint,
    vin: &Vin,
    records: &[ProvenEntry],
    first: u64,
    mut previous: Option<Link>,
) -> Result<Run, BundleError> {
    let mut opened = Vec::with_capacity(records.len());
    for (sequence, p) in (first..).zip(records) {
        let entry = open_entry(p, cp)?;
        let leaf = leaf_hash(&unb64(&p.entry, "entry")?);
        let r = entry
            .record()
            .ok_or_else(|| BundleError::Chain(format!("entry {} is not a record", p.index)))?;
        if r.signed.record().vin.as_ref() != Some(vin) {
            return Err(BundleError::Chain(format!(
                "entry {} is about another vehicle",
                p.index
            )));
        }
        let chain = r.chain.ok_or_else(|| {
            BundleError::Chain(format!("entry {} has no VIN chain link", p.index))
        })?;
        if chain.sequence != sequence {
            return Err(BundleError::Chain(format!(
                "entry {} is record #{} of the VIN, but stands at position {sequence}",
                p.index, chain.sequence
            )));
        }
        let link = chain.previous.map(|l| (l.index, l.leaf_hash));
        if link != previous {
            return Err(BundleError::Chain(format!(
                "entry {} does not link to the record before it in the bundle",
                p.index
            )));
        }
        previous = Some((p.index, leaf));
        opened.push((p.index, entry));
    }
    Ok((opened, previous))
}

/// A signer's role, the leaf index of its enrollment (0 for the genesis
/// admin) and the name it was enrolled under.
type Enrolled = (Role, u64, Option<String>);

/// The roles of the keys `signers` (the genesis entry and enrollments,
/// each included at the checkpoint) show, each enrollment signed by an
/// admin enrolled before it.
fn signer_roles(
    cp: &Checkpoint,
    signers: &[ProvenEntry],
) -> Result<HashMap<[u8; 32], Enrolled>, BundleError> {
    let mut roles: HashMap<[u8; 32], Enrolled> = HashMap::new();
    for p in signers {
        let entry = open_entry(p, cp)?;
        match &entry.body {
            EntryBody::Genesis(g) if p.index == 0 => {
                roles.insert(g.admin_key.to_bytes(), (Role::Admin, 0, None));
                if let Some(recovery) = &g.recovery_key {
                    roles.insert(recovery.to_bytes(), (Role::Recovery, 0, None));
                }
            }
            _ => {
                let Some(r) = entry.record() else {
                    return Err(BundleError::Signer(format!(
                        "entry {} is not an enrollment",
                        p.index
                    )));
                };
                let RecordBody::KeyEnrollment(k) = &r.signed.record().body else {
                    return Err(BundleError::Signer(format!(
                        "entry {} is not an enrollment",
                        p.index
                    )));
                };
                match roles.get(r.signed.public_key().as_bytes()) {
                    Some((role, at, _)) if *at < p.index && role.may_manage(k.role) => {}
                    _ => {
                        return Err(BundleError::Signer(format!(
                            "entry {} is not signed by an admin (or, for an admin key, a recovery key) enrolled before it",
                            p.index
                        )));
                    }
                }
                roles.insert(
                    k.public_key.to_bytes(),
                    (k.role, p.index, Some(k.name.clone())),
                );
            }
        }
    }
    Ok(roles)
}

/// `records` with their signers' roles from `signers`: each signer shown
/// enrolled before its record, with a role that may sign it.
pub(crate) fn with_roles(
    cp: &Checkpoint,
    records: Vec<(u64, Entry)>,
    signers: &[ProvenEntry],
) -> Result<Vec<HistoryRecord>, BundleError> {
    let roles = signer_roles(cp, signers)?;
    records
        .into_iter()
        .map(|(index, entry)| {
            let Some(r) = entry.record() else {
                return Err(BundleError::Chain(format!("entry {index} is not a record")));
            };
            match roles.get(r.signed.public_key().as_bytes()) {
                Some((role, at, name))
                    if *at < index && role.may_sign(r.signed.record().kind()) =>
                {
                    let (role, signer_name) = (*role, name.clone());
                    Ok(HistoryRecord {
                        index,
                        entry,
                        role,
                        signer_name,
                    })
                }
                _ => Err(BundleError::Signer(format!(
                    "entry {index}: its signer is not shown enrolled, before it, with a role that may sign it"
                ))),
            }
        })
        .collect()
}

/// Verifies a bundle against the log key: the checkpoint signature, the
/// witnessed part when there is one (see [`verify_witnessed`]), every
/// inclusion proof, the index proof against the root in the last leaf, the
/// unbroken chain from the head the index names back to the VIN's first
/// record, and each signer's enrollment. Witness cosignatures are not
/// checked; see [`verify_history_cosigned`].
///
/// # Errors
/// The first [`BundleError`] found, naming what is wrong.
pub fn verify_history(
    bundle: &HistoryBundle,
    log_key: &VerifierKey,
) -> Result<VerifiedHistory, BundleError> {
    if bundle.format != BUNDLE_FORMAT {
        return Err(BundleError::Format(bundle.format.clone()));
    }
    let vin = Vin::parse(&bundle.vin)?;
    let cp = open_checkpoint_for_origin(&bundle.checkpoint, log_key.name(), log_key)?;
    let witnessed = bundle
        .witnessed
        .as_ref()
        .map(|w| verify_witnessed(&cp, w, log_key))
        .transpose()?;

    // The index entry is the last leaf under the checkpoint.
    let (index_logged_at_ms, head) =
        open_index(&cp, &vin, &bundle.index_entry, &bundle.index_proof)?;

    // The records are exactly the chain the index names.
    let expected = head.map_or(0, |h| h.count);
    if bundle.records.len() as u64 != expected {
        return Err(BundleError::Chain(format!(
            "the index counts {expected} records for {vin}, the bundle holds {}",
            bundle.records.len()
        )));
    }
    let (records, last) = open_chain(&cp, &vin, &bundle.records, 0, None)?;
    if let Some(h) = head
        && last != Some((h.index, h.leaf_hash))
    {
        return Err(BundleError::Chain(format!(
            "the index names entry {} as the VIN's latest, the bundle ends elsewhere",
            h.index
        )));
    }

    // Roles of the signers, from the genesis entry and enrollments.
    let records = with_roles(&cp, records, &bundle.signers)?;
    Ok(VerifiedHistory {
        vin,
        checkpoint: cp,
        index_logged_at_ms,
        witnessed,
        records,
    })
}

/// [`verify_history`], and requires `policy`'s quorum of witness
/// cosignatures on the bundle's [cosigned note](HistoryBundle::cosigned_note):
/// the witnessed checkpoint when there is one (cosignatures on the bundle's
/// own checkpoint then do not count), else the bundle's checkpoint.
///
/// # Errors
/// As [`verify_history`], then [`BundleError::Quorum`] naming every
/// witness that is missing or bad when too few cosigned.
pub fn verify_history_cosigned(
    bundle: &HistoryBundle,
    log_key: &VerifierKey,
    policy: &WitnessPolicy,
) -> Result<(VerifiedHistory, QuorumReport), BundleError> {
    let history = verify_history(bundle, log_key)?;
    let witnessed = bundle.witnessed.is_some();
    let note = Note::parse(bundle.cosigned_note()).map_err(|e| {
        let e = CheckpointError::Note(e);
        if witnessed {
            BundleError::Witnessed(WitnessedError::Checkpoint(e))
        } else {
            BundleError::Checkpoint(e)
        }
    })?;
    let report = policy
        .verify(&note)
        .map_err(|error| BundleError::Quorum { witnessed, error })?;
    Ok((history, report))
}
