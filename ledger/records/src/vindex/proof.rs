//! Membership and non-membership proofs of the VIN index, and their compact
//! encoding.

use super::hash::{EMPTY, index_leaf_hash, index_node_hash};
use super::{IndexKey, IndexValue, KEY_BITS};
use vledger_tlog::hash::{HASH_SIZE, Hash};

/// Where a key's path ends.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Terminal {
    /// In an empty subtree: the key has no value.
    Empty,
    /// At a leaf: the key's own (membership), or another key's that shares
    /// the path so far (non-membership).
    Leaf {
        /// The leaf's key.
        key: IndexKey,
        /// The leaf's value.
        value: IndexValue,
    },
}

/// A proof of a key's value, or of its absence: the sibling hashes along
/// the key's path from the root (top first), and where the path ends.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct IndexProof {
    /// Sibling hash at each depth, root's children first.
    pub siblings: Vec<Hash>,
    /// What ends the path.
    pub terminal: Terminal,
}

/// Why an index proof does not verify.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexProofError {
    /// The path is longer than keys have bits.
    #[error("index proof is {0} levels deep; keys have 256 bits")]
    TooDeep(usize),
    /// The terminal leaf is another key's, but not on this key's path.
    #[error("index proof ends at a leaf that is not on the key's path")]
    LeafOffPath,
    /// The proof leads to another root.
    #[error("index proof does not lead to the index root")]
    RootMismatch,
}

/// Why bytes are not an encoded index proof.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProofDecodeError {
    /// The bytes end early.
    #[error("index proof is truncated")]
    Truncated,
    /// Bytes follow the proof.
    #[error("index proof has trailing bytes")]
    TrailingBytes,
    /// The depth is over 256.
    #[error("index proof depth {0} is over 256")]
    TooDeep(u16),
    /// A bitmap bit past the depth is set.
    #[error("index proof bitmap has bits set past its depth")]
    BitmapPadding,
    /// A sibling marked present is the empty hash (it must be elided).
    #[error("index proof lists an empty sibling that must be elided")]
    ExplicitEmpty,
    /// Unknown terminal tag.
    #[error("index proof terminal tag {0} is neither 0 (empty) nor 1 (leaf)")]
    Terminal(u8),
}

impl IndexProof {
    /// Checks the proof for `key` against `root`; returns the key's value,
    /// or `None` for a proof of absence.
    ///
    /// # Errors
    /// An [`IndexProofError`] when the proof does not show anything about
    /// `key` under `root`.
    pub fn verify(
        &self,
        key: &IndexKey,
        root: &Hash,
    ) -> Result<Option<IndexValue>, IndexProofError> {
        let depth = self.siblings.len();
        if depth > usize::from(KEY_BITS) {
            return Err(IndexProofError::TooDeep(depth));
        }
        let (mut hash, value) = match &self.terminal {
            Terminal::Empty => (EMPTY, None),
            Terminal::Leaf { key: k, value } => {
                // Depth fits u16 (checked above).
                if k != key && (0..depth as u16).any(|i| k.bit(i) != key.bit(i)) {
                    return Err(IndexProofError::LeafOffPath);
                }
                (index_leaf_hash(k, value), (k == key).then_some(*value))
            }
        };
        for (d, sibling) in self.siblings.iter().enumerate().rev() {
            hash = if key.bit(d as u16) {
                index_node_hash(sibling, &hash)
            } else {
                index_node_hash(&hash, sibling)
            };
        }
        if hash != *root {
            return Err(IndexProofError::RootMismatch);
        }
        Ok(value)
    }

    /// The compact encoding: `depth:u16`, a bitmap of `depth` bits (one per
    /// sibling, most significant first, set for a non-empty sibling), the
    /// non-empty siblings, then `0x00` for an empty terminal or `0x01 ||
    /// key || index:u64 || leaf_hash || count:u64` for a leaf. Integers are
    /// big-endian.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let depth = self.siblings.len();
        let mut out = Vec::with_capacity(2 + depth.div_ceil(8) + depth * HASH_SIZE + 81);
        // At most 256 siblings in any proof this crate makes or accepts.
        out.extend_from_slice(&(depth as u16).to_be_bytes());
        let mut bitmap = vec![0u8; depth.div_ceil(8)];
        for (i, s) in self.siblings.iter().enumerate() {
            if *s != EMPTY {
                bitmap[i / 8] |= 0x80 >> (i % 8);
            }
        }
        out.extend_from_slice(&bitmap);
        for s in self.siblings.iter().filter(|s| **s != EMPTY) {
            out.extend_from_slice(s.as_bytes());
        }
        match &self.terminal {
            Terminal::Empty => out.push(0),
            Terminal::Leaf { key, value } => {
                out.push(1);
                out.extend_from_slice(&key.0);
                out.extend_from_slice(&value.to_bytes());
            }
        }
        out
    }

    /// Decodes [`encode`](Self::encode)'s output, strictly: one byte string
    /// per proof.
    ///
    /// # Errors
    /// A [`ProofDecodeError`] naming the problem.
    pub fn decode(bytes: &[u8]) -> Result<Self, ProofDecodeError> {
        let mut r = Reader(bytes);
        let depth = u16::from_be_bytes(r.array()?);
        if depth > KEY_BITS {
            return Err(ProofDecodeError::TooDeep(depth));
        }
        let depth = usize::from(depth);
        let bitmap = r.take(depth.div_ceil(8))?;
        if depth % 8 != 0 && bitmap[depth / 8] & (0xff >> (depth % 8)) != 0 {
            return Err(ProofDecodeError::BitmapPadding);
        }
        let mut siblings = Vec::with_capacity(depth);
        for i in 0..depth {
            if bitmap[i / 8] & (0x80 >> (i % 8)) != 0 {
                let h = Hash(r.array()?);
                if h == EMPTY {
                    return Err(ProofDecodeError::ExplicitEmpty);
                }
                siblings.push(h);
            } else {
                siblings.push(EMPTY);
            }
        }
        let terminal = match r.array::<1>()?[0] {
            0 => Terminal::Empty,
            1 => {
                let key = IndexKey(r.array()?);
                let value = IndexValue::from_bytes(&r.array()?);
                Terminal::Leaf { key, value }
            }
            t => return Err(ProofDecodeError::Terminal(t)),
        };
        if !r.0.is_empty() {
            return Err(ProofDecodeError::TrailingBytes);
        }
        Ok(Self { siblings, terminal })
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ProofDecodeError> {
        if self.0.len() < n {
            return Err(ProofDecodeError::Truncated);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ProofDecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
}
