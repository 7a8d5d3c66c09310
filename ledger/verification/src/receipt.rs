//! Receipts: a `.tlog-proof` file (c2sp.org/tlog-proof@v1) whose `extra`
//! line carries the exact bytes of the logged entry, verified offline.

use vledger_records::{Entry, FieldError};
use vledger_tlog::note::{Checkpoint, TlogProof, TlogProofError, VerifierKey};

/// A receipt whose checkpoint, inclusion proof and entry all verified.
#[derive(Debug, Clone)]
pub struct VerifiedReceipt {
    /// The entry's leaf index.
    pub index: u64,
    /// The checkpoint the entry is included under.
    pub checkpoint: Checkpoint,
    /// The entry, decoded from the verified bytes (record signatures
    /// checked).
    pub entry: Entry,
    /// The parsed receipt, for its checkpoint note (cosignatures).
    pub proof: TlogProof,
}

/// Why a receipt does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    /// The text is not a tlog-proof, its checkpoint is not signed by the
    /// log key for the key's origin, or the inclusion proof fails.
    #[error(transparent)]
    Proof(#[from] TlogProofError),
    /// The receipt has no `extra` line, so the entry cannot be shown.
    #[error("no entry bytes in the extra line")]
    NoEntry,
    /// The included bytes are not a well-formed entry with a valid
    /// record signature, or its record was signed for another log.
    #[error("entry: {0}")]
    Entry(FieldError),
}

/// Verifies a receipt against the log's verifier key. vledger names the log
/// key after its origin, so the checkpoint must be that log's, and so must
/// the log a (version 2) record was signed for.
///
/// # Errors
/// A [`ReceiptError`] naming the first check that failed.
pub fn verify_receipt(text: &[u8], log_key: &VerifierKey) -> Result<VerifiedReceipt, ReceiptError> {
    let proof = TlogProof::parse_bytes(text)?;
    let verified = proof.verify_for_origin(log_key.name(), log_key)?;
    let bytes = proof.extra.as_deref().ok_or(ReceiptError::NoEntry)?;
    let entry = Entry::decode(bytes).map_err(ReceiptError::Entry)?;
    entry
        .check_logged_in(verified.checkpoint.origin())
        .map_err(ReceiptError::Entry)?;
    Ok(VerifiedReceipt {
        index: verified.index.0,
        checkpoint: verified.checkpoint,
        entry,
        proof,
    })
}
