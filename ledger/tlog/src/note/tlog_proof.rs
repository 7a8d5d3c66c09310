//! C2SP `tlog-proof@v1`: a self-contained, offline-verifiable receipt.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64 of the entry bytes>      (optional)
//! index <leaf index, decimal>
//! <base64 inclusion proof hash>          (zero or more, leaf's sibling first)
//!
//! <signed checkpoint note, verbatim>
//! ```
//!
//! (c2sp.org/tlog-proof, "Format".) vledger puts the exact bytes of the
//! logged entry in the `extra` line, so the leaf hash is the RFC 6962 leaf
//! hash of the extra data, and one `.tlog-proof` file verifies on its own
//! against the log's verifier key. A proof without `extra` parses, but
//! [`TlogProof::verify`] refuses it.
//!
//! Limits: [`MAX_TLOG_PROOF_SIZE`] bytes in all, [`MAX_PROOF_HASHES`] hashes.

use std::fmt;

use super::checkpoint::{Checkpoint, open_checkpoint, open_checkpoint_for_origin};
use super::error::{CheckpointError, ProofLineError, TlogProofError};
use super::key::VerifierKey;
use super::signed_note::Note;
use super::text::{b64_decode, b64_encode, parse_decimal, parse_hash};
use crate::hash::{Hash, leaf_hash};
use crate::merkle::{LeafIndex, verify_inclusion};

/// The first line of every proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// Largest proof accepted, in bytes: 1 MiB, room for an entry of about
/// 700 KiB next to a checkpoint note of the largest size.
pub const MAX_TLOG_PROOF_SIZE: usize = 1024 * 1024;

/// Most inclusion proof hashes accepted: a tree of at most 2^64 leaves has
/// no deeper proof.
pub const MAX_PROOF_HASHES: usize = 64;

/// A parsed `tlog-proof@v1`, not yet verified.
///
/// `Display` prints it back; for a parsed proof it gives back exactly the
/// parsed bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TlogProof {
    /// The opaque extra data; in vledger, the exact bytes of the entry.
    pub extra: Option<Vec<u8>>,
    /// The entry's leaf index.
    pub index: LeafIndex,
    /// The inclusion proof, from the leaf's sibling up to a child of the root.
    pub hashes: Vec<Hash>,
    /// The signed checkpoint note, verbatim.
    pub checkpoint: String,
}

/// What a verified proof shows: the entry with leaf hash `leaf_hash` is leaf
/// `index` of the tree in `checkpoint`, which the log signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The checkpoint, opened with the log key.
    pub checkpoint: Checkpoint,
    /// The entry's leaf index.
    pub index: LeafIndex,
    /// The RFC 6962 leaf hash of the entry bytes.
    pub leaf_hash: Hash,
}

/// The newline-terminated lines of a text, numbered from 1.
struct Lines<'a> {
    rest: &'a str,
    number: usize,
}

impl<'a> Lines<'a> {
    /// The next complete line, or `None` if no newline is left.
    fn next_line(&mut self) -> Option<&'a str> {
        let (line, rest) = self.rest.split_once('\n')?;
        self.rest = rest;
        self.number += 1;
        Some(line)
    }
}

impl TlogProof {
    /// Parses a proof. The checkpoint must be a well-formed signed note; its
    /// signature and text are checked by [`TlogProof::verify`].
    ///
    /// # Errors
    ///
    /// A [`TlogProofError`] naming the line and the reason.
    pub fn parse(text: &str) -> Result<Self, TlogProofError> {
        if text.len() > MAX_TLOG_PROOF_SIZE {
            return Err(TlogProofError::TooLarge {
                size: text.len(),
                max: MAX_TLOG_PROOF_SIZE,
            });
        }
        let mut lines = Lines {
            rest: text,
            number: 0,
        };
        if lines.next_line() != Some(TLOG_PROOF_HEADER) {
            return Err(TlogProofError::BadHeader);
        }
        let line_error = |line, reason| TlogProofError::Line { line, reason };

        let mut line = lines.next_line().ok_or(TlogProofError::MissingBlankLine)?;
        let mut extra = None;
        if let Some(data) = line.strip_prefix("extra ") {
            let data = b64_decode(data).ok_or(line_error(2, ProofLineError::ExtraNotBase64))?;
            extra = Some(data);
            line = lines.next_line().ok_or(TlogProofError::MissingBlankLine)?;
        }
        let index = line
            .strip_prefix("index ")
            .ok_or(line_error(lines.number, ProofLineError::ExpectedIndex))?;
        let index =
            parse_decimal(index).map_err(|e| line_error(lines.number, ProofLineError::Index(e)))?;

        let mut hashes = Vec::new();
        loop {
            let line = lines.next_line().ok_or(TlogProofError::MissingBlankLine)?;
            if line.is_empty() {
                break;
            }
            if hashes.len() == MAX_PROOF_HASHES {
                return Err(TlogProofError::TooManyHashes {
                    max: MAX_PROOF_HASHES,
                });
            }
            let hash =
                parse_hash(line).map_err(|e| line_error(lines.number, ProofLineError::Hash(e)))?;
            hashes.push(hash);
        }

        Note::parse(lines.rest).map_err(CheckpointError::Note)?;
        Ok(Self {
            extra,
            index: LeafIndex(index),
            hashes,
            checkpoint: lines.rest.to_owned(),
        })
    }

    /// Parses a proof from bytes, which must be UTF-8.
    ///
    /// # Errors
    ///
    /// [`TlogProofError::NotUtf8`], or any error of [`TlogProof::parse`].
    pub fn parse_bytes(text: &[u8]) -> Result<Self, TlogProofError> {
        if text.len() > MAX_TLOG_PROOF_SIZE {
            return Err(TlogProofError::TooLarge {
                size: text.len(),
                max: MAX_TLOG_PROOF_SIZE,
            });
        }
        let text = std::str::from_utf8(text).map_err(|e| TlogProofError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        Self::parse(text)
    }

    /// The proof text, as `Display`.
    #[must_use]
    pub fn to_text(&self) -> String {
        self.to_string()
    }

    /// Verifies the proof against the log key: opens the checkpoint, hashes
    /// the entry bytes of the `extra` line into a leaf hash, and checks the
    /// inclusion proof against the checkpoint's root hash.
    ///
    /// The checkpoint's origin is not checked against anything; see
    /// [`TlogProof::verify_for_origin`].
    ///
    /// # Errors
    ///
    /// [`TlogProofError::NoExtra`] for a proof without entry bytes,
    /// [`TlogProofError::Checkpoint`] if the checkpoint does not open with
    /// `log_key`, [`TlogProofError::Inclusion`] if the entry is not shown to
    /// be at `index` in the checkpoint's tree.
    pub fn verify(&self, log_key: &VerifierKey) -> Result<VerifiedProof, TlogProofError> {
        let entry = self.extra.as_deref().ok_or(TlogProofError::NoExtra)?;
        let checkpoint = open_checkpoint(&self.checkpoint, log_key)?;
        self.check_inclusion(entry, checkpoint)
    }

    /// [`TlogProof::verify`], and requires the checkpoint's origin to be
    /// `origin` (step 2 of c2sp.org/tlog-proof, "Verifying a tlog proof").
    ///
    /// # Errors
    ///
    /// As [`TlogProof::verify`], with [`CheckpointError::WrongOrigin`] inside
    /// [`TlogProofError::Checkpoint`] for another origin.
    pub fn verify_for_origin(
        &self,
        origin: &str,
        log_key: &VerifierKey,
    ) -> Result<VerifiedProof, TlogProofError> {
        let entry = self.extra.as_deref().ok_or(TlogProofError::NoExtra)?;
        let checkpoint = open_checkpoint_for_origin(&self.checkpoint, origin, log_key)?;
        self.check_inclusion(entry, checkpoint)
    }

    fn check_inclusion(
        &self,
        entry: &[u8],
        checkpoint: Checkpoint,
    ) -> Result<VerifiedProof, TlogProofError> {
        let leaf = leaf_hash(entry);
        verify_inclusion(
            &leaf,
            self.index,
            checkpoint.size(),
            &self.hashes,
            checkpoint.root(),
        )
        .map_err(TlogProofError::Inclusion)?;
        Ok(VerifiedProof {
            checkpoint,
            index: self.index,
            leaf_hash: leaf,
        })
    }
}

impl fmt::Display for TlogProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{TLOG_PROOF_HEADER}")?;
        if let Some(extra) = &self.extra {
            writeln!(f, "extra {}", b64_encode(extra))?;
        }
        writeln!(f, "index {}", self.index)?;
        for hash in &self.hashes {
            writeln!(f, "{}", hash.to_base64())?;
        }
        writeln!(f)?;
        f.write_str(&self.checkpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{MemoryHashes, TreeSize, VerifyError, inclusion_proof};
    use crate::note::checkpoint::sign_checkpoint;
    use crate::note::error::{HashError, NumberError};
    use crate::note::signer::Signer;

    const SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

    fn proof_for(index: u64, size: u64) -> (TlogProof, VerifierKey) {
        let entries: Vec<Vec<u8>> = (0..size)
            .map(|i| format!("entry {i}").into_bytes())
            .collect();
        let tree = MemoryHashes::from_leaf_hashes(entries.iter().map(|e| leaf_hash(e)));
        let signer = Signer::from_private_key(SKEY).unwrap();
        let cp = Checkpoint::new("PeterNeumann", tree.size(), tree.root()).unwrap();
        let hashes = inclusion_proof(LeafIndex(index), TreeSize(size), &tree).unwrap();
        let proof = TlogProof {
            extra: Some(entries[usize::try_from(index).unwrap()].clone()),
            index: LeafIndex(index),
            hashes,
            checkpoint: sign_checkpoint(&cp, &signer),
        };
        (proof, signer.verifier_key())
    }

    #[test]
    fn round_trip_and_verify() {
        for size in 1..=9 {
            for index in 0..size {
                let (proof, key) = proof_for(index, size);
                let text = proof.to_text();
                let parsed = TlogProof::parse(&text).unwrap();
                assert_eq!(parsed, proof);
                assert_eq!(parsed.to_string(), text);
                let verified = parsed.verify(&key).unwrap();
                assert_eq!(verified.index, LeafIndex(index));
                assert_eq!(verified.checkpoint.size(), TreeSize(size));
                parsed.verify_for_origin("PeterNeumann", &key).unwrap();
                assert!(matches!(
                    parsed.verify_for_origin("other", &key),
                    Err(TlogProofError::Checkpoint(
                        CheckpointError::WrongOrigin { .. }
                    ))
                ));
            }
        }
    }

    #[test]
    fn wrong_index_or_entry_fails() {
        let (mut proof, key) = proof_for(2, 5);
        proof.index = LeafIndex(3);
        assert!(matches!(
            proof.verify(&key),
            Err(TlogProofError::Inclusion(_))
        ));
        proof.index = LeafIndex(5);
        assert_eq!(
            proof.verify(&key),
            Err(TlogProofError::Inclusion(VerifyError::IndexOutOfRange {
                index: LeafIndex(5),
                size: TreeSize(5)
            }))
        );
        let (mut proof, key) = proof_for(2, 5);
        proof.extra = Some(b"other".to_vec());
        assert!(matches!(
            proof.verify(&key),
            Err(TlogProofError::Inclusion(_))
        ));
        proof.extra = None;
        assert_eq!(proof.verify(&key), Err(TlogProofError::NoExtra));
    }

    #[test]
    fn line_errors() {
        let (proof, _) = proof_for(1, 3);
        let good = proof.to_text();
        let cp = &proof.checkpoint;
        let h = proof.hashes[0].to_base64();
        let line = |line, reason| Err(TlogProofError::Line { line, reason });
        let cases = [
            (
                format!("c2sp.org/tlog-proof@v2\nindex 1\n\n{cp}"),
                Err(TlogProofError::BadHeader),
            ),
            (format!("index 1\n\n{cp}"), Err(TlogProofError::BadHeader)),
            (
                format!("{TLOG_PROOF_HEADER}\nextra !\nindex 1\n\n{cp}"),
                line(2, ProofLineError::ExtraNotBase64),
            ),
            (
                format!("{TLOG_PROOF_HEADER}\nindex 01\n\n{cp}"),
                line(2, ProofLineError::Index(NumberError::LeadingZero)),
            ),
            (
                format!("{TLOG_PROOF_HEADER}\nextra AA==\nindex x\n\n{cp}"),
                line(3, ProofLineError::Index(NumberError::NotDecimal)),
            ),
            (
                format!("{TLOG_PROOF_HEADER}\nextra AA==\n\n{cp}"),
                line(3, ProofLineError::ExpectedIndex),
            ),
            (
                format!("{TLOG_PROOF_HEADER}\nindex 1\n{h}\nAAAA\n\n{cp}"),
                line(4, ProofLineError::Hash(HashError::WrongLength(3))),
            ),
            (
                format!("{TLOG_PROOF_HEADER}\nindex 1\n{h}"),
                Err(TlogProofError::MissingBlankLine),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(TlogProof::parse(&text), want, "{text}");
        }
        assert!(TlogProof::parse(&good).is_ok());
        let many = format!(
            "{TLOG_PROOF_HEADER}\nindex 1\n{}\n{cp}",
            format!("{h}\n").repeat(65)
        );
        assert_eq!(
            TlogProof::parse(&many),
            Err(TlogProofError::TooManyHashes {
                max: MAX_PROOF_HASHES
            })
        );
    }
}
