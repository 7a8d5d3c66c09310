//! vledger's text form of a consistency proof between two tree sizes, as
//! `vledger consistency --out` writes it and `vledger-verify consistency`
//! reads it (the two checkpoints travel in their own files):
//!
//! ```text
//! old <tree size, decimal>
//! new <tree size, decimal>
//! <base64 hash>            (zero or more, RFC 9162 §2.1.4 order)
//! ```
//!
//! Every line ends in a newline. The `old` line is that of the C2SP
//! `tlog-witness` request body; the hashes are those the verifier passes to
//! [`crate::merkle::verify_consistency`].

use super::text::{parse_decimal, parse_hash};
use crate::hash::Hash;
use crate::merkle::{TreeSize, VerifyError, verify_consistency};

/// Most hashes accepted: no proof in a tree of at most 2^64 leaves is longer.
pub const MAX_CONSISTENCY_HASHES: usize = 128;

/// A consistency proof from tree size `old` to `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProofText {
    /// The older tree size.
    pub old: u64,
    /// The newer tree size.
    pub new: u64,
    /// The proof hashes.
    pub hashes: Vec<Hash>,
}

/// Why a consistency proof text is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConsistencyTextError {
    /// A line is not what it should be.
    #[error("consistency proof line {line}: expected {expected}")]
    Line {
        /// The line, from 1.
        line: usize,
        /// What belongs there.
        expected: &'static str,
    },
    /// More hashes than any proof has.
    #[error("consistency proof has more than {MAX_CONSISTENCY_HASHES} hashes")]
    TooManyHashes,
    /// The text does not end with a newline.
    #[error("consistency proof does not end with a newline")]
    MissingFinalNewline,
}

impl ConsistencyProofText {
    /// Parses the text.
    ///
    /// # Errors
    /// A [`ConsistencyTextError`] naming the line.
    pub fn parse(text: &str) -> Result<Self, ConsistencyTextError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(ConsistencyTextError::MissingFinalNewline)?;
        let mut lines = body.split('\n');
        let mut size = |line, prefix: &str, expected| {
            lines
                .next()
                .and_then(|l| l.strip_prefix(prefix))
                .and_then(|n| parse_decimal(n).ok())
                .ok_or(ConsistencyTextError::Line { line, expected })
        };
        let old = size(1, "old ", "\"old <tree size>\"")?;
        let new = size(2, "new ", "\"new <tree size>\"")?;
        let mut hashes = Vec::new();
        for (i, line) in lines.enumerate() {
            if hashes.len() == MAX_CONSISTENCY_HASHES {
                return Err(ConsistencyTextError::TooManyHashes);
            }
            hashes.push(parse_hash(line).map_err(|_| ConsistencyTextError::Line {
                line: i + 3,
                expected: "a base64 SHA-256 hash",
            })?);
        }
        Ok(Self { old, new, hashes })
    }

    /// The text.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = format!("old {}\nnew {}\n", self.old, self.new);
        for h in &self.hashes {
            out.push_str(&h.to_base64());
            out.push('\n');
        }
        out
    }

    /// Verifies the proof between two roots of the sizes it names.
    ///
    /// # Errors
    /// As [`verify_consistency`].
    pub fn verify(&self, old_root: &Hash, new_root: &Hash) -> Result<(), VerifyError> {
        verify_consistency(
            TreeSize(self.old),
            TreeSize(self.new),
            old_root,
            new_root,
            &self.hashes,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let p = ConsistencyProofText {
            old: 3,
            new: 7,
            hashes: vec![Hash([1; 32]), Hash([2; 32])],
        };
        let text = p.to_text();
        assert_eq!(ConsistencyProofText::parse(&text), Ok(p));
        assert!(matches!(
            ConsistencyProofText::parse("old 3\nnew 03\n"),
            Err(ConsistencyTextError::Line { line: 2, .. })
        ));
        assert!(matches!(
            ConsistencyProofText::parse("old 3\nnew 4\nxx\n"),
            Err(ConsistencyTextError::Line { line: 3, .. })
        ));
        assert_eq!(
            ConsistencyProofText::parse("old 3\nnew 4"),
            Err(ConsistencyTextError::MissingFinalNewline)
        );
        assert_eq!(
            ConsistencyProofText::parse("old 3\nnew 3\n").map(|p| p.hashes.len()),
            Ok(0)
        );
    }
}
