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

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

use crate::hash::{Hash, leaf_hash};
use crate::merkle::{LeafIndex, ProofError, TreeSize, inclusion_proof, verify_inclusion};
use crate::note::{Checkpoint, CheckpointError, VerifierKey, open_checkpoint_for_origin};
use crate::record::{Entry, EntryBody, FieldError, RecordBody, Role, Vin, VinError};
use crate::store::{Backend, LogStore, StoreError};
use crate::vindex::{IndexKey, IndexProof, IndexProofError, ProofDecodeError, VinIndex};

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
}

/// A verified, complete history.
#[derive(Debug, Clone)]
pub struct VerifiedHistory {
    /// The VIN.
    pub vin: Vin,
    /// The checkpoint it is complete as of.
    pub checkpoint: Checkpoint,
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
        reason: crate::merkle::VerifyError,
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

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

fn unb64(s: &str, what: impl Into<String>) -> Result<Vec<u8>, BundleError> {
    STANDARD
        .decode(s)
        .map_err(|_| BundleError::Encoding { what: what.into() })
}

/// Why a bundle could not be built from a store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A proof could not be built.
    #[error(transparent)]
    Proof(#[from] ProofError<StoreError>),
    /// The store changed while the bundle was built; try again.
    #[error("the log grew while the bundle was built")]
    Raced,
    /// The store is not as the writer leaves it.
    #[error("store: {0}")]
    Inconsistent(String),
}

/// Entry `index` with its inclusion proof at `size`, and its decoded form
/// (for walking chains and enrollments) when it decodes.
fn prove_entry<B: Backend>(
    store: &LogStore<B>,
    index: u64,
    size: u64,
) -> Result<(ProvenEntry, Option<Entry>), BuildError> {
    let bytes = store.entry(index)?.ok_or(StoreError::Missing {
        what: "entry",
        index,
    })?;
    let proof = inclusion_proof(LeafIndex(index), TreeSize(size), store)?;
    let decoded = Entry::decode(&bytes).ok();
    Ok((
        ProvenEntry {
            index,
            entry: b64(&bytes),
            proof: proof.iter().map(Hash::to_base64).collect(),
        },
        decoded,
    ))
}

/// Builds the bundle of `vin` against the store's latest checkpoint.
///
/// # Errors
/// [`BuildError::Raced`] when the log grew meanwhile (call again), or a
/// store error.
pub fn build_history<B: Backend>(
    store: &LogStore<B>,
    vin: &Vin,
) -> Result<HistoryBundle, BuildError> {
    let size = store.tree_size()?;
    let checkpoint = store
        .checkpoint(size)?
        .ok_or_else(|| BuildError::Inconsistent(format!("no checkpoint at tree size {size}")))?;
    let (index_entry, _) = prove_entry(store, size - 1, size)?;
    let index = VinIndex::new(store);
    let key = IndexKey::for_vin(vin);
    let index_proof = index.prove(&key)?;
    let head = store.vin_head(vin)?;
    // Walk the chain back from the head.
    let mut records = Vec::new();
    let mut signer_keys: Vec<VerifyingKey> = Vec::new();
    let mut next = head.map(|h| h.index);
    while let Some(i) = next {
        let (proven, entry) = prove_entry(store, i, size)?;
        let entry =
            entry.ok_or_else(|| BuildError::Inconsistent(format!("entry {i} does not decode")))?;
        let r = entry
            .record()
            .ok_or_else(|| BuildError::Inconsistent(format!("entry {i} is not a record")))?;
        signer_keys.push(*r.signed.public_key());
        next = r.chain.and_then(|c| c.previous).map(|p| p.index);
        records.push(proven);
    }
    records.reverse();
    // Enrollments of the signers and, transitively, of the admins who
    // enrolled them; the genesis entry names the first admin.
    let mut signers: HashMap<u64, ProvenEntry> = HashMap::new();
    signers.insert(0, prove_entry(store, 0, size)?.0);
    while let Some(k) = signer_keys.pop() {
        let Some(state) = store.key_state(&k)? else {
            return Err(BuildError::Inconsistent(format!(
                "signer {} has no key state",
                hex::encode(k.as_bytes())
            )));
        };
        if signers.contains_key(&state.enrolled_at) {
            continue;
        }
        let (proven, entry) = prove_entry(store, state.enrolled_at, size)?;
        if let Some(r) = entry.as_ref().and_then(Entry::record) {
            signer_keys.push(*r.signed.public_key());
        }
        signers.insert(state.enrolled_at, proven);
    }
    let mut signers: Vec<ProvenEntry> = signers.into_values().collect();
    signers.sort_by_key(|p| p.index);
    if store.tree_size()? != size {
        return Err(BuildError::Raced);
    }
    Ok(HistoryBundle {
        format: BUNDLE_FORMAT.to_owned(),
        vin: vin.to_string(),
        checkpoint,
        index_entry,
        index_proof: b64(&index_proof.encode()),
        records,
        signers,
    })
}

/// Decodes and checks one proven entry against the checkpoint.
fn open_entry(p: &ProvenEntry, cp: &Checkpoint) -> Result<Entry, BundleError> {
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
    Entry::decode(&bytes).map_err(|error| BundleError::Entry {
        index: p.index,
        error,
    })
}

/// Verifies a bundle against the log key: the checkpoint signature, every
/// inclusion proof, the index proof against the root in the last leaf, the
/// unbroken chain from the head the index names back to the VIN's first
/// record, and each signer's enrollment.
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
    let size = cp.size().0;

    // The index entry is the last leaf under the checkpoint.
    if size == 0 || bundle.index_entry.index != size - 1 {
        return Err(BundleError::IndexEntry(
            "is not the last leaf under the checkpoint",
        ));
    }
    let index_entry = open_entry(&bundle.index_entry, &cp)?;
    let EntryBody::Index(commitment) = index_entry.body else {
        return Err(BundleError::IndexEntry(
            "the last leaf is not an index entry",
        ));
    };
    if commitment.tree_size != size - 1 {
        return Err(BundleError::IndexEntry("covers another tree size"));
    }
    let proof = IndexProof::decode(&unb64(&bundle.index_proof, "index_proof")?)?;
    let head = proof.verify(&IndexKey::for_vin(&vin), &commitment.root)?;

    // The records are exactly the chain the index names.
    let expected = head.map_or(0, |h| h.count);
    if bundle.records.len() as u64 != expected {
        return Err(BundleError::Chain(format!(
            "the index counts {expected} records for {vin}, the bundle holds {}",
            bundle.records.len()
        )));
    }
    let mut records = Vec::with_capacity(bundle.records.len());
    let mut previous: Option<(u64, Hash)> = None;
    for (position, p) in bundle.records.iter().enumerate() {
        let entry = open_entry(p, &cp)?;
        let leaf = leaf_hash(&unb64(&p.entry, "entry")?);
        let r = entry
            .record()
            .ok_or_else(|| BundleError::Chain(format!("entry {} is not a record", p.index)))?;
        if r.signed.record().vin.as_ref() != Some(&vin) {
            return Err(BundleError::Chain(format!(
                "entry {} is about another vehicle",
                p.index
            )));
        }
        let chain = r.chain.ok_or_else(|| {
            BundleError::Chain(format!("entry {} has no VIN chain link", p.index))
        })?;
        if chain.sequence != position as u64 {
            return Err(BundleError::Chain(format!(
                "entry {} is record #{} of the VIN, but stands at position {position}",
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
        records.push((p.index, entry));
    }
    if let Some(h) = head
        && previous != Some((h.index, h.leaf_hash))
    {
        return Err(BundleError::Chain(format!(
            "the index names entry {} as the VIN's latest, the bundle ends elsewhere",
            h.index
        )));
    }

    // Roles of the signers, from the genesis entry and enrollments.
    let mut roles: HashMap<[u8; 32], (Role, u64)> = HashMap::new();
    for p in &bundle.signers {
        let entry = open_entry(p, &cp)?;
        match &entry.body {
            EntryBody::Genesis(g) if p.index == 0 => {
                roles.insert(g.admin_key.to_bytes(), (Role::Admin, 0));
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
                    Some((Role::Admin, at)) if *at < p.index => {}
                    _ => {
                        return Err(BundleError::Signer(format!(
                            "entry {} is not signed by an admin enrolled before it",
                            p.index
                        )));
                    }
                }
                roles.insert(k.public_key.to_bytes(), (k.role, p.index));
            }
        }
    }
    let records = records
        .into_iter()
        .map(|(index, entry)| {
            let Some(r) = entry.record() else {
                return Err(BundleError::Chain(format!("entry {index} is not a record")));
            };
            match roles.get(r.signed.public_key().as_bytes()) {
                Some((role, at)) if *at < index && role.may_sign(r.signed.record().kind()) => {
                    let role = *role;
                    Ok(HistoryRecord { index, entry, role })
                }
                _ => Err(BundleError::Signer(format!(
                    "entry {index}: its signer is not shown enrolled, before it, with a role that may sign it"
                ))),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(VerifiedHistory {
        vin,
        checkpoint: cp,
        records,
    })
}
