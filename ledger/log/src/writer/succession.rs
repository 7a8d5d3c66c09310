//! Log key succession: the retiring log key signs the last checkpoint it
//! will ever sign, over a batch that names its successor; the successor
//! signs every checkpoint from that one on (docs/formats.md, "Log key
//! succession").

use std::collections::HashMap;

use super::{LogWriter, Overlay, WriterError, from_proof};
use crate::store::{Backend, StoreError, WriteBatch};
use vledger_records::{Entry, EntryBody, LogKeySuccession, MAX_SUCCESSION_REASON};
use vledger_rules::transition;
use vledger_tlog::hash::leaf_hash;
use vledger_tlog::merkle::{LeafIndex, TreeSize, inclusion_proof, tree_hash};
use vledger_tlog::note::{Checkpoint, Signer, TlogProof, sign_checkpoint};

/// The evidence of a succession that verifiers pinned to the retiring key
/// follow: the succession entry's `tlog-proof`, under the last checkpoint
/// the retiring key signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessionProof {
    /// The succession entry's leaf index.
    pub index: u64,
    /// The tree size of the retiring key's last checkpoint: the end of the
    /// succession's batch, and the first size the successor signs.
    pub tree_size: u64,
    /// The `tlog-proof` of the succession entry, signed by the retiring key.
    pub proof: String,
}

impl<B: Backend> LogWriter<B> {
    /// Hands the log over to `successor`: logs a batch of a succession
    /// entry naming it and the batch's index entry, stores the batch's
    /// checkpoint signed by the successor, and returns the succession
    /// entry's proof under the same checkpoint signed by the key this
    /// writer signed with until now, which it never uses again.
    ///
    /// # Errors
    /// [`WriterError::Succession`] for a successor of another name or the
    /// current key, a reason too long, or batches still being committed; a
    /// store error (the writer is then poisoned).
    pub fn succeed(
        &mut self,
        successor: Signer,
        reason: &str,
        now_ms: i64,
    ) -> Result<SuccessionProof, WriterError> {
        if self.poisoned {
            return Err(WriterError::Poisoned);
        }
        if self.pending.front().is_some() {
            return Err(WriterError::Succession(
                "batches are still being committed".to_owned(),
            ));
        }
        if successor.name() != self.signer.name() {
            return Err(WriterError::Succession(format!(
                "the successor key is named {:?}; it must be named after the log's origin {:?}",
                successor.name(),
                self.signer.name()
            )));
        }
        if successor.verifier_key() == self.signer.verifier_key() {
            return Err(WriterError::Succession(
                "the successor is the current log key".to_owned(),
            ));
        }
        if reason.len() > MAX_SUCCESSION_REASON {
            return Err(WriterError::Succession(format!(
                "the reason is longer than {MAX_SUCCESSION_REASON} bytes"
            )));
        }
        let logged_at_ms = now_ms.max(self.last_logged_at);
        let dedup = HashMap::new();
        let overlay = Overlay::new(&self.store, &self.pending, &self.cache, &dedup);
        let mut frontier = self.frontier.clone();
        let index = frontier.size().0;
        let mut batch = WriteBatch {
            previous_tree_size: index,
            ..WriteBatch::default()
        };
        let entry = Entry {
            logged_at_ms,
            body: EntryBody::Succession(LogKeySuccession {
                log_key: *successor.verifier_key().public_key(),
                reason: reason.to_owned(),
            }),
        }
        .encode();
        frontier.append_into(leaf_hash(&entry), &mut batch.hashes);
        batch.entries.push((index, entry));
        let (commitment, changes) = transition::close_batch(&overlay, &overlay.index(), index + 1)?;
        let index_entry = Entry {
            logged_at_ms,
            body: EntryBody::Index(commitment),
        }
        .encode();
        frontier.append_into(leaf_hash(&index_entry), &mut batch.hashes);
        batch.entries.push((index + 1, index_entry));
        let size = frontier.size().0;
        let checkpoint = Checkpoint::new(self.signer.name(), TreeSize(size), frontier.root())
            .map_err(WriterError::Origin)?;
        let note = sign_checkpoint(&checkpoint, &successor);
        batch.vin_count = commitment.vin_count;
        batch.index = changes;
        batch.checkpoint = Some((size, note.clone()));
        batch.tree_size = size;
        if let Err(e) = self.store.commit(batch) {
            self.poisoned = true;
            return Err(e.into());
        }
        let retiring = std::mem::replace(&mut self.signer, successor);
        self.frontier = frontier;
        self.last_logged_at = logged_at_ms;
        self.checkpoint = note.into();
        self.succession_proof(&retiring)
    }

    /// The proof of the succession that handed the log to this writer's
    /// key, signed by `retiring`, the key it succeeded: for a succession
    /// whose batch is the last in the log (an operator finishing a
    /// succession that stopped after its batch was committed).
    ///
    /// # Errors
    /// [`WriterError::Succession`] when the log's last batch is not a
    /// succession to this writer's key; a store error.
    pub fn succession_proof(&self, retiring: &Signer) -> Result<SuccessionProof, WriterError> {
        let size = self.tree_size();
        let not_last = || {
            WriterError::Succession(
                "the log's last batch is not a succession to this key".to_owned(),
            )
        };
        let index = size.checked_sub(2).ok_or_else(not_last)?;
        let bytes = self.store.entry(index)?.ok_or(StoreError::Missing {
            what: "entry",
            index,
        })?;
        let entry = Entry::decode(&bytes)
            .map_err(|_| WriterError::Mismatch("the succession entry does not decode"))?;
        match entry.body {
            EntryBody::Succession(s) if s.log_key == *self.signer.verifier_key().public_key() => {}
            _ => return Err(not_last()),
        }
        if retiring.name() != self.signer.name() {
            return Err(WriterError::Succession(format!(
                "the retiring key is named {:?}, not after the log's origin {:?}",
                retiring.name(),
                self.signer.name()
            )));
        }
        let root = tree_hash(TreeSize(size), &self.store).map_err(from_proof)?;
        let checkpoint = Checkpoint::new(self.signer.name(), TreeSize(size), root)
            .map_err(WriterError::Origin)?;
        let hashes =
            inclusion_proof(LeafIndex(index), TreeSize(size), &self.store).map_err(from_proof)?;
        let proof = TlogProof {
            extra: Some(bytes),
            index: LeafIndex(index),
            hashes,
            checkpoint: sign_checkpoint(&checkpoint, retiring),
        };
        Ok(SuccessionProof {
            index,
            tree_size: size,
            proof: proof.to_string(),
        })
    }
}
