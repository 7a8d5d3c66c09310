//! Following a log through its log key successions.
//!
//! A verifier pins one log key. When the log retires that key, its last
//! checkpoint under it covers a succession entry naming the successor, and
//! the operator publishes that entry's `tlog-proof` (a *succession proof*).
//! [`LogKeys::follow`] checks such a proof under the key it already trusts
//! and from then on also trusts the successor, for checkpoints from the
//! succession's tree size on. The retired key is trusted only up to that
//! size: a checkpoint it signs for a larger tree is refused, so whoever
//! holds a leaked key cannot extend the log with it (docs/formats.md, "Log
//! key succession").

use vledger_records::{Entry, EntryBody, FieldError};
use vledger_tlog::note::{
    Checkpoint, CheckpointError, KeyError, KeyType, Note, TlogProof, TlogProofError, VerifierKey,
    open_checkpoint_for_origin,
};

/// Why a succession proof is not followed, or a checkpoint is not the
/// log's under the keys followed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SuccessionError {
    /// The proof does not verify under the key trusted before it.
    #[error("succession proof: {0}")]
    Proof(#[from] TlogProofError),
    /// The proof's entry does not decode.
    #[error("succession proof: entry: {0}")]
    Entry(FieldError),
    /// The proof's entry is not a succession.
    #[error("succession proof: entry {0} is not a log key succession")]
    NotSuccession(u64),
    /// The checkpoint is not the one ending the succession's batch.
    #[error(
        "succession proof: the checkpoint is of tree size {size}; the retiring key's last one ends the succession's batch, at tree size {expected}"
    )]
    NotFinal {
        /// The checkpoint's tree size.
        size: u64,
        /// The size that ends the batch.
        expected: u64,
    },
    /// The successor key is not a usable verifier key.
    #[error("succession proof: the successor key: {0}")]
    Key(KeyError),
    /// Succession proofs were given out of order.
    #[error(
        "succession proof at tree size {found} does not follow the previous one, at tree size {previous}; give them oldest first"
    )]
    OutOfOrder {
        /// The previous succession's tree size.
        previous: u64,
        /// This one's.
        found: u64,
    },
    /// The checkpoint is signed by none of the keys followed.
    #[error("{0}")]
    Checkpoint(CheckpointError),
    /// A retired key signed a checkpoint beyond its last one.
    #[error(
        "the checkpoint of tree size {size} is signed by a log key retired at tree size {retired}; checkpoints it signs for larger trees are not the log's"
    )]
    Retired {
        /// The checkpoint's tree size.
        size: u64,
        /// The retired key's last tree size.
        retired: u64,
    },
    /// A successor signed a checkpoint older than its succession.
    #[error(
        "the checkpoint of tree size {size} is signed by the log key that took over at tree size {from}"
    )]
    BeforeSuccession {
        /// The checkpoint's tree size.
        size: u64,
        /// The successor's first tree size.
        from: u64,
    },
}

/// One key of a log and the tree sizes it signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogKey {
    /// The key.
    pub key: VerifierKey,
    /// The first tree size it signs: 0 for the pinned key, else its
    /// succession's.
    pub from: u64,
    /// The succession entry's leaf index (`None` for the pinned key).
    pub succession_index: Option<u64>,
}

/// A log's keys as a verifier knows them: the one it pinned and the
/// successors it followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogKeys {
    keys: Vec<LogKey>,
}

impl LogKeys {
    /// The keys of a log whose key `pinned` the verifier trusts.
    #[must_use]
    pub fn new(pinned: VerifierKey) -> Self {
        Self {
            keys: vec![LogKey {
                key: pinned,
                from: 0,
                succession_index: None,
            }],
        }
    }

    /// Follows the succession proof `text`: checks it under the current
    /// key (its checkpoint ends the succession's batch: the succession
    /// entry and its index entry are the last two entries), and returns
    /// the successor, now the current key.
    ///
    /// # Errors
    /// A [`SuccessionError`] naming what is wrong; the keys are then
    /// unchanged.
    pub fn follow(&mut self, text: &[u8]) -> Result<&LogKey, SuccessionError> {
        let current = self.current();
        let proof = TlogProof::parse_bytes(text)?;
        let verified = proof.verify_for_origin(current.name(), current)?;
        let index = verified.index.0;
        let size = verified.checkpoint.size().0;
        let entry = Entry::decode(proof.extra.as_deref().unwrap_or_default())
            .map_err(SuccessionError::Entry)?;
        let EntryBody::Succession(succession) = entry.body else {
            return Err(SuccessionError::NotSuccession(index));
        };
        if index + 2 != size {
            return Err(SuccessionError::NotFinal {
                size,
                expected: index + 2,
            });
        }
        let previous = self.keys.last().map_or(0, |k| k.from);
        if size <= previous {
            return Err(SuccessionError::OutOfOrder {
                previous,
                found: size,
            });
        }
        let key = VerifierKey::new(current.name(), KeyType::Ed25519, succession.log_key)
            .map_err(SuccessionError::Key)?;
        self.keys.push(LogKey {
            key,
            from: size,
            succession_index: Some(index),
        });
        Ok(&self.keys[self.keys.len() - 1])
    }

    /// The key that signs the log's checkpoints now, as far as this
    /// verifier knows.
    #[must_use]
    pub fn current(&self) -> &VerifierKey {
        &self.keys[self.keys.len() - 1].key
    }

    /// Every key followed, the pinned one first.
    #[must_use]
    pub fn keys(&self) -> &[LogKey] {
        &self.keys
    }

    /// The key that signed the checkpoint `note`, checked to be one that
    /// signs checkpoints of its tree size: keys other than the newest sign
    /// only up to their successor's first size, successors only from it on.
    ///
    /// # Errors
    /// [`SuccessionError::Checkpoint`] when no key followed signed it (or
    /// the note is malformed), [`SuccessionError::Retired`] and
    /// [`SuccessionError::BeforeSuccession`] for a key outside its sizes.
    pub fn key_for(&self, note: &str) -> Result<&VerifierKey, SuccessionError> {
        Ok(&self.open(note)?.0.key)
    }

    /// [`key_for`](Self::key_for), with the checkpoint opened.
    ///
    /// # Errors
    /// As [`key_for`](Self::key_for).
    pub fn open(&self, note: &str) -> Result<(&LogKey, Checkpoint), SuccessionError> {
        let parsed = Note::parse(note).map_err(|e| SuccessionError::Checkpoint(e.into()))?;
        let position = self.keys.iter().rposition(|k| {
            parsed
                .signatures
                .iter()
                .any(|s| s.key_id == k.key.key_id() && s.name == k.key.name())
        });
        // None of ours signed it: report as the current key would.
        let position = position.unwrap_or(self.keys.len() - 1);
        let key = &self.keys[position];
        let checkpoint = open_checkpoint_for_origin(note, key.key.name(), &key.key)
            .map_err(SuccessionError::Checkpoint)?;
        let size = checkpoint.size().0;
        if size < key.from {
            return Err(SuccessionError::BeforeSuccession {
                size,
                from: key.from,
            });
        }
        if let Some(next) = self.keys.get(position + 1)
            && size > next.from
        {
            return Err(SuccessionError::Retired {
                size,
                retired: next.from,
            });
        }
        Ok((key, checkpoint))
    }
}

#[cfg(test)]
mod tests;
