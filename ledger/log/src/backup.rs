//! Copies a log into another store by sequencing its entries again: the
//! backup of a running node (`vledger backup`).
//!
//! A store cannot be copied file by file while its node writes to it, but
//! the log itself can: its entries never change once written, and every
//! piece of state in a store (key states, VIN heads, the VIN index, the
//! deduplication keys, the stored hashes and checkpoints) follows from them
//! by the sequencing rules. [`copy_log`] reads the entries up to a signed
//! checkpoint and feeds them, batch by batch (each batch ends with its index
//! entry), to a [`LogWriter`] over the target store, at each batch's own
//! `logged_at_ms` and with the log's own key. The rules are deterministic,
//! so the writer makes the very same entries, and the copy is checked as it
//! goes: every record must be logged again at its index with its leaf hash,
//! each batch must end where the source's does, and the copy's checkpoint
//! must be the source's. A target that already holds a prefix of the log
//! (an earlier backup) is continued from its size, so later backups cost
//! only what was appended since. A log that handed its key on is copied
//! with each of its keys in turn: the succession batches are made again
//! by [`LogWriter::succeed`], which needs the retired keys too.

use vledger_records::{Entry, EntryBody, SignedRecord};
use vledger_tlog::hash::leaf_hash;
use vledger_tlog::note::{Checkpoint, CheckpointError, Note, Signer, VerifierKey, open_checkpoint};

use crate::store::{Backend, LogStore, StoreError};
use crate::writer::{LogWriter, WriterError};

/// Entries read per call.
const PAGE: u64 = 1024;

/// Where [`copy_log`] reads a log: its latest checkpoint and its entries.
pub trait EntrySource {
    /// Why reading failed.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The latest signed checkpoint note.
    ///
    /// # Errors
    /// When it cannot be read.
    fn checkpoint(&mut self) -> Result<String, Self::Error>;

    /// The exact leaf bytes of entries from `start`, in order, at least one
    /// and at most up to `end` (exclusive).
    ///
    /// # Errors
    /// When they cannot be read.
    fn entries(&mut self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, Self::Error>;
}

impl<B: Backend> EntrySource for &LogStore<B> {
    type Error = StoreError;

    fn checkpoint(&mut self) -> Result<String, StoreError> {
        let size = self.tree_size()?;
        LogStore::checkpoint(self, size)?.ok_or(StoreError::Corrupt("latest checkpoint"))
    }

    fn entries(&mut self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        LogStore::entries(self, start, end.min(start.saturating_add(PAGE)))
    }
}

/// Why a log could not be copied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// Reading the source failed.
    #[error("reading the log: {0}")]
    Source(Box<dyn std::error::Error + Send + Sync>),
    /// The source's checkpoint does not verify with the log key.
    #[error("the log's checkpoint: {0}")]
    Checkpoint(CheckpointError),
    /// The target store failed.
    #[error("the backup's store: {0}")]
    Target(#[from] WriterError),
    /// The target holds more of a log than the source.
    #[error(
        "the backup holds {have} entries, the log only {log}: it is a backup of another log, or of a later state"
    )]
    Ahead {
        /// The backup's tree size.
        have: u64,
        /// The source's tree size.
        log: u64,
    },
    /// The log's entries are not what its sequencing makes of them.
    #[error("entry {index}: {what}")]
    Differs {
        /// The first entry that differs.
        index: u64,
        /// How.
        what: String,
    },
}

/// What [`copy_log`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// The backup's tree size before.
    pub from: u64,
    /// Its tree size now: the source checkpoint's.
    pub to: u64,
    /// The signed checkpoint the backup ends at, the source's own.
    pub checkpoint: String,
}

fn source<E: std::error::Error + Send + Sync + 'static>(e: E) -> BackupError {
    BackupError::Source(Box::new(e))
}

fn differs(index: u64, what: impl Into<String>) -> BackupError {
    BackupError::Differs {
        index,
        what: what.into(),
    }
}

/// Copies the log that `source` serves, up to its latest checkpoint, into
/// `target` (empty, or holding an earlier copy of the same log), signing
/// with the log's keys: `signers[0]` is the current one, the others the
/// keys it succeeded, if any. `progress` hears the tree size copied so far
/// and the size being copied to.
///
/// # Errors
/// A [`BackupError`]; the target then holds a prefix of the log, whole
/// batches only, which a later call continues.
pub fn copy_log<S: EntrySource, B: Backend>(
    source_log: &mut S,
    target: LogStore<B>,
    signers: &[Signer],
    mut progress: impl FnMut(u64, u64),
) -> Result<Copied, BackupError> {
    let current = signers
        .first()
        .ok_or_else(|| differs(0, "no log key to copy the log with"))?;
    let key: VerifierKey = current.verifier_key();
    let note = source_log.checkpoint().map_err(source)?;
    let checkpoint = open_checkpoint(&note, &key).map_err(BackupError::Checkpoint)?;
    let size = checkpoint.size().0;
    let have = target.tree_size().map_err(WriterError::from)?;
    if have > size {
        return Err(BackupError::Ahead { have, log: size });
    }
    let mut writer = if have == 0 {
        start(source_log, target, signers)?
    } else {
        // With the key that signed the copy's latest checkpoint.
        let latest = target
            .checkpoint(have)
            .map_err(WriterError::from)?
            .ok_or(WriterError::MissingCheckpoint(have))?;
        let signed_by = Note::parse(&latest)
            .map(|n| n.signatures)
            .unwrap_or_default();
        let signer = signers
            .iter()
            .find(|s| {
                let k = s.verifier_key();
                signed_by
                    .iter()
                    .any(|sig| sig.key_id == k.key_id() && sig.name == k.name())
            })
            .unwrap_or(current);
        LogWriter::open(target, signer.clone())?
    };
    let from = have;
    let mut next = writer.tree_size();
    let mut batch: Vec<(u64, Vec<u8>)> = Vec::new();
    while next < size {
        let page = source_log.entries(next, size).map_err(source)?;
        if page.is_empty() {
            return Err(differs(next, "the log served no entry"));
        }
        for bytes in page {
            let index = next;
            next += 1;
            if is_index(index, &bytes)? {
                match succession(&batch)? {
                    Some(next_key) => hand_over(&mut writer, signers, &batch, next_key, &bytes)?,
                    None => sequence_batch(&mut writer, &batch, index, &bytes)?,
                }
                batch.clear();
                progress(writer.tree_size(), size);
            } else {
                batch.push((index, bytes));
            }
        }
    }
    if !batch.is_empty() {
        return Err(differs(
            next - 1,
            "the log's last entry is not an index entry",
        ));
    }
    finish(&writer, &key, &checkpoint)?;
    Ok(Copied {
        from,
        to: size,
        checkpoint: note,
    })
}

/// A new log in `target` from the source's genesis entry and its index
/// entry.
fn start<S: EntrySource, B: Backend>(
    source_log: &mut S,
    target: LogStore<B>,
    signers: &[Signer],
) -> Result<LogWriter<B>, BackupError> {
    let first = source_log.entries(0, 2).map_err(source)?;
    let genesis = first.first().ok_or_else(|| differs(0, "missing"))?;
    let entry = Entry::decode(genesis).map_err(|e| differs(0, e.to_string()))?;
    let EntryBody::Genesis(g) = &entry.body else {
        return Err(differs(0, "not a genesis entry"));
    };
    let signer = signer_for(signers, &g.log_key)
        .filter(|s| s.name() == g.origin)
        .ok_or_else(|| differs(0, "the genesis entry names another log or log key"))?
        .clone();
    let writer = LogWriter::init_with_recovery(
        target,
        signer,
        g.admin_key,
        g.recovery_key,
        entry.logged_at_ms,
    )?;
    let made = writer.store().entries(0, 2).map_err(WriterError::from)?;
    for (index, (made, logged)) in (0u64..).zip(made.iter().zip(&first)) {
        if made != logged {
            return Err(differs(
                index,
                "the log's genesis batch is not what init makes",
            ));
        }
    }
    Ok(writer)
}

/// The signer among `signers` whose public key is `key`.
fn signer_for<'s>(signers: &'s [Signer], key: &ed25519_dalek::VerifyingKey) -> Option<&'s Signer> {
    signers
        .iter()
        .find(|s| s.verifier_key().public_key() == key)
}

/// The successor key and reason, when `batch` (a batch without its index
/// entry) is a log key succession.
fn succession(
    batch: &[(u64, Vec<u8>)],
) -> Result<Option<(ed25519_dalek::VerifyingKey, String)>, BackupError> {
    let [(index, bytes)] = batch else {
        return Ok(None);
    };
    let entry = Entry::decode(bytes).map_err(|e| differs(*index, e.to_string()))?;
    Ok(match entry.body {
        EntryBody::Succession(s) => Some((s.log_key, s.reason)),
        _ => None,
    })
}

/// Makes the succession batch again, with the successor's key, and checks
/// that it is the log's.
fn hand_over<B: Backend>(
    writer: &mut LogWriter<B>,
    signers: &[Signer],
    batch: &[(u64, Vec<u8>)],
    (successor, reason): (ed25519_dalek::VerifyingKey, String),
    index_bytes: &[u8],
) -> Result<(), BackupError> {
    let (index, bytes) = &batch[0];
    let successor = signer_for(signers, &successor).ok_or_else(|| {
        differs(
            *index,
            "the log hands its key on here to a key whose private key was not given",
        )
    })?;
    let logged_at = Entry::decode(bytes)
        .map_err(|e| differs(*index, e.to_string()))?
        .logged_at_ms;
    writer.succeed(successor.clone(), &reason, logged_at)?;
    let made = writer
        .store()
        .entries(*index, index + 2)
        .map_err(WriterError::from)?;
    if made.first() != Some(bytes) || made.get(1).map(Vec::as_slice) != Some(index_bytes) {
        return Err(differs(
            *index,
            "the log key succession is not what handing over makes",
        ));
    }
    Ok(())
}

/// Whether the entry at `index` is an index entry (it closes a batch).
fn is_index(index: u64, bytes: &[u8]) -> Result<bool, BackupError> {
    let entry = Entry::decode(bytes).map_err(|e| differs(index, e.to_string()))?;
    Ok(matches!(entry.body, EntryBody::Index(_)))
}

/// Sequences the records of one batch again, at the time the log logged
/// them, and checks that they land where and as the log has them.
fn sequence_batch<B: Backend>(
    writer: &mut LogWriter<B>,
    batch: &[(u64, Vec<u8>)],
    index_at: u64,
    index_bytes: &[u8],
) -> Result<(), BackupError> {
    let logged_at = Entry::decode(index_bytes)
        .map_err(|e| differs(index_at, e.to_string()))?
        .logged_at_ms;
    let mut records = Vec::with_capacity(batch.len());
    for (index, bytes) in batch {
        let entry = Entry::decode(bytes).map_err(|e| differs(*index, e.to_string()))?;
        if entry.logged_at_ms != logged_at {
            return Err(differs(
                *index,
                "logged at another time than its batch's index entry",
            ));
        }
        let record = entry
            .record()
            .ok_or_else(|| differs(*index, "neither a record nor an index entry"))?;
        let signed: SignedRecord = record.signed.clone();
        records.push(signed);
    }
    let result = writer.append_batch(&records, logged_at)?;
    for ((index, bytes), outcome) in batch.iter().zip(&result.outcomes) {
        match outcome {
            Ok(a) if a.index == *index && !a.duplicate && a.leaf_hash == leaf_hash(bytes) => {}
            Ok(a) => {
                return Err(differs(
                    *index,
                    format!(
                        "sequenced again, it is entry {} with another leaf hash",
                        a.index
                    ),
                ));
            }
            Err(refusal) => {
                return Err(differs(
                    *index,
                    format!("the rules refuse it now: {refusal}"),
                ));
            }
        }
    }
    if result.tree_size != index_at + 1 {
        return Err(differs(
            index_at,
            "the batch ends elsewhere when sequenced again",
        ));
    }
    Ok(())
}

/// The copy ends at the source's checkpoint: same size, same root.
fn finish<B: Backend>(
    writer: &LogWriter<B>,
    key: &VerifierKey,
    checkpoint: &Checkpoint,
) -> Result<(), BackupError> {
    let ours = open_checkpoint(&writer.checkpoint(), key).map_err(BackupError::Checkpoint)?;
    if ours.size() != checkpoint.size() || ours.root() != checkpoint.root() {
        return Err(differs(
            checkpoint.size().0.saturating_sub(1),
            "the copy's root is not the log's checkpoint root",
        ));
    }
    Ok(())
}
