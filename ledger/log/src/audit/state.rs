//! The auditor's state between audits, as one file.
//!
//! ```text
//! "vledger/audit-state/v1\n"
//! checkpoint length u32 || the audited signed checkpoint note
//! the replayer's state (crate::replay, "vledger/replayer-state/v2")
//! SHA-256 of everything above (32 bytes)
//! ```
//!
//! The checksum catches a damaged file (the state is the auditor's own, so
//! it is not a defence against someone who can write it). The replayer's
//! state grows with the log: see [`crate::replay`] for its size.

use sha2::{Digest, Sha256};

use crate::replay::{Replayer, StateError};
use vledger_tlog::note::{Checkpoint, Note};

/// The first bytes of an audit state file.
const MAGIC: &[u8] = b"vledger/audit-state/v1\n";

/// What an audit leaves for the next one: the checkpoint it audited and the
/// replayer's state at that tree size.
#[derive(Debug)]
pub struct AuditState {
    /// The audited signed checkpoint note.
    checkpoint: String,
    /// Its tree size.
    size: u64,
    /// The replayer after the checkpoint's last entry.
    replayer: Replayer,
}

/// Why an audit state file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuditStateError {
    /// Not an audit state file of version 1.
    #[error("not a vledger audit state file (version 1)")]
    Magic,
    /// The checksum does not match: the file is damaged.
    #[error("the audit state file is damaged (checksum mismatch)")]
    Checksum,
    /// The checkpoint is malformed.
    #[error("the audit state's checkpoint is malformed")]
    Checkpoint,
    /// The checkpoint's size is not the replayer's.
    #[error(
        "the audit state's checkpoint is for tree size {checkpoint}, its replay for {replayed}"
    )]
    SizeMismatch {
        /// The checkpoint's tree size.
        checkpoint: u64,
        /// Entries replayed.
        replayed: u64,
    },
    /// The replayed tree's root is not the checkpoint's.
    #[error("the audit state's replay does not give its checkpoint's root")]
    RootMismatch,
    /// The replayer's state is malformed.
    #[error("{0}")]
    Replayer(StateError),
}

impl AuditState {
    /// The state after auditing `checkpoint` (a signed note) with `replayer`.
    pub(crate) fn new(checkpoint: String, replayer: Replayer) -> Self {
        Self {
            size: replayer.size(),
            checkpoint,
            replayer,
        }
    }

    /// The audited signed checkpoint note.
    #[must_use]
    pub fn checkpoint(&self) -> &str {
        &self.checkpoint
    }

    /// The audited tree size.
    #[must_use]
    pub const fn tree_size(&self) -> u64 {
        self.size
    }

    /// The replayer, to go on replaying.
    #[must_use]
    pub fn into_replayer(self) -> Replayer {
        self.replayer
    }

    /// The file's bytes.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let replayer = self.replayer.encode_state();
        let mut out =
            Vec::with_capacity(MAGIC.len() + 4 + self.checkpoint.len() + replayer.len() + 32);
        out.extend_from_slice(MAGIC);
        // A note is at most 128 KiB.
        out.extend_from_slice(
            &u32::try_from(self.checkpoint.len())
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
        out.extend_from_slice(self.checkpoint.as_bytes());
        out.extend_from_slice(&replayer);
        let sum = Sha256::digest(&out);
        out.extend_from_slice(&sum);
        out
    }

    /// Reads a state file's bytes. The checkpoint's signature is not checked
    /// here; [`audit`](super::audit) opens it with the log key.
    ///
    /// # Errors
    /// An [`AuditStateError`].
    pub fn decode(bytes: &[u8]) -> Result<Self, AuditStateError> {
        if !bytes.starts_with(MAGIC) {
            return Err(AuditStateError::Magic);
        }
        let (body, sum) = bytes
            .split_at_checked(bytes.len().saturating_sub(32))
            .ok_or(AuditStateError::Checksum)?;
        if body.len() < MAGIC.len() + 4 || Sha256::digest(body).as_slice() != sum {
            return Err(AuditStateError::Checksum);
        }
        let rest = &body[MAGIC.len()..];
        let (len, rest) = rest.split_at(4);
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let (note, rest) = rest
            .split_at_checked(len)
            .ok_or(AuditStateError::Checkpoint)?;
        let note = std::str::from_utf8(note).map_err(|_| AuditStateError::Checkpoint)?;
        let parsed = Note::parse(note).map_err(|_| AuditStateError::Checkpoint)?;
        let checkpoint =
            Checkpoint::parse_text(&parsed.text).map_err(|_| AuditStateError::Checkpoint)?;
        let replayer = Replayer::decode_state(rest).map_err(AuditStateError::Replayer)?;
        if replayer.size() != checkpoint.size().0 {
            return Err(AuditStateError::SizeMismatch {
                checkpoint: checkpoint.size().0,
                replayed: replayer.size(),
            });
        }
        if replayer.frontier().root() != *checkpoint.root() {
            return Err(AuditStateError::RootMismatch);
        }
        Ok(Self::new(note.to_owned(), replayer))
    }
}
