//! Building VIN history bundles from the store, for `vledger-verification`
//! to check: the checkpoint, the index entry, the VIN index proof, every
//! record of the VIN's chain and the enrollments of their signers, each
//! with its inclusion proof. See `docs/history.md`.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::VerifyingKey;
use vledger_records::Entry;
use vledger_records::Vin;
use vledger_records::vindex::IndexKey;
use vledger_rules::index_tree::VinIndex;
use vledger_tlog::Hash;
use vledger_tlog::merkle::{LeafIndex, ProofError, TreeSize, consistency_proof, inclusion_proof};
use vledger_tlog::note::{Checkpoint, Note};
use vledger_verification::history::{BUNDLE_FORMAT, HistoryBundle, ProvenEntry, Witnessed};

use crate::store::{Backend, LogStore, StoreError};

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
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
    /// The store is not as the writer leaves it.
    #[error("store: {0}")]
    Inconsistent(String),
    /// The note given for the witnessed part is not a checkpoint of at
    /// least the bundle's tree size.
    #[error("witnessed checkpoint: {0}")]
    Witnessed(String),
}

/// Entry `index` with its inclusion proof at `size`, and its decoded form
/// (for walking chains and enrollments) when it decodes.
pub(crate) fn prove_entry<B: Backend>(
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

/// Builds the bundle of `vin` against the store's latest checkpoint, the
/// whole history in one go: its work and size grow with the history, so
/// it is for tests, benches and tools; the node serves histories in pages
/// of bounded size ([`crate::pages`]).
///
/// The tree size, the VIN's head and its VIN index proof are read together
/// with no batch committed meanwhile ([`LogStore::consistent`]); the rest
/// (entries, inclusion proofs, enrollments) is immutable at that size, so
/// a log growing meanwhile never spoils the bundle.
///
/// # Errors
/// A store error, or [`BuildError::Inconsistent`] when the store is not as
/// the writer leaves it.
pub fn build_history<B: Backend>(
    store: &LogStore<B>,
    vin: &Vin,
) -> Result<HistoryBundle, BuildError> {
    let (size, index_proof, head) = vin_at_head(store, vin)?;
    let checkpoint = store
        .checkpoint(size)?
        .ok_or_else(|| BuildError::Inconsistent(format!("no checkpoint at tree size {size}")))?;
    let (index_entry, _) = prove_entry(store, size - 1, size)?;
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
    Ok(HistoryBundle {
        format: BUNDLE_FORMAT.to_owned(),
        vin: vin.to_string(),
        checkpoint,
        index_entry,
        index_proof: b64(&index_proof.encode()),
        records,
        signers,
        witnessed: None,
    })
}

/// The tree size of a checkpoint note, read without checking signatures.
/// The tree size, the VIN index proof of `vin` and its chain's head, read
/// together at one tree size: what a history (or its first page) proves
/// complete.
///
/// # Errors
/// When the store fails.
pub(crate) fn vin_at_head<B: Backend>(
    store: &LogStore<B>,
    vin: &Vin,
) -> Result<
    (
        u64,
        vledger_records::vindex::IndexProof,
        Option<vledger_records::vindex::VinHead>,
    ),
    BuildError,
> {
    let key = IndexKey::for_vin(vin);
    store.consistent(|store| {
        let size = store.tree_size()?;
        let index_proof = VinIndex::new(store).prove(&key)?;
        let head = store.vin_head(vin)?;
        Ok::<_, BuildError>((size, index_proof, head))
    })
}

fn note_size(note: &str) -> Result<u64, String> {
    let note = Note::parse(note).map_err(|e| e.to_string())?;
    Checkpoint::parse_text(&note.text)
        .map(|c| c.size().0)
        .map_err(|e| e.to_string())
}

/// Adds the witnessed part to a bundle built by [`build_history`]: see
/// [`witnessed_part`].
///
/// # Errors
/// As [`witnessed_part`].
pub fn attach_witnessed<B: Backend>(
    store: &LogStore<B>,
    bundle: &mut HistoryBundle,
    note: &str,
) -> Result<(), BuildError> {
    bundle.witnessed = Some(witnessed_part(store, &bundle.checkpoint, note)?);
    Ok(())
}

/// The witnessed part for a bundle or first page against the checkpoint
/// note `checkpoint`: `note` is a checkpoint note of the same log
/// (normally carrying witness cosignatures) of tree size `M` at least the
/// bundle's `N`, and the consistency proof from `N` to `M` is read from
/// `store`. Signatures are not checked here: verify the result.
///
/// # Errors
/// [`BuildError::Witnessed`] when `note` is not a checkpoint note or is of
/// a smaller tree; a proof error when the store cannot prove `N` to `M`.
pub fn witnessed_part<B: Backend>(
    store: &LogStore<B>,
    checkpoint: &str,
    note: &str,
) -> Result<Witnessed, BuildError> {
    let size = note_size(checkpoint)
        .map_err(|e| BuildError::Inconsistent(format!("the bundle's checkpoint: {e}")))?;
    let witnessed = note_size(note).map_err(BuildError::Witnessed)?;
    if witnessed < size {
        return Err(BuildError::Witnessed(format!(
            "tree size {witnessed} is smaller than the bundle's tree size {size}"
        )));
    }
    let proof = consistency_proof(TreeSize(size), TreeSize(witnessed), store)?;
    Ok(Witnessed {
        checkpoint: note.to_owned(),
        consistency: proof.iter().map(Hash::to_base64).collect(),
    })
}
