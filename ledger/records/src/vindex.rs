//! The VIN index: a sparse Merkle tree keyed by `SHA-256(VIN)` whose leaf for
//! a VIN commits to that VIN's latest entry (leaf index, leaf hash, number of
//! records).
//!
//! The tree is *compressed*: a subtree holding one key is a leaf placed at
//! the shallowest depth where its key is alone, and a subtree holding none
//! is the constant [`EMPTY`]. So a tree of `n` keys is about `log2 n` deep,
//! its root is a function of the key-value map alone (the same map always
//! gives the same root, whatever the order of updates), and proofs list only
//! the non-empty siblings on a key's path ([`IndexProof`]).
//!
//! This module holds what a verifier needs: keys, values, node hashes and the
//! checking of proofs. Building and storing the tree is the sequencer's job
//! (`vledger-rules`' index tree).

mod hash;
mod proof;

pub use hash::{EMPTY, index_leaf_hash, index_node_hash};
pub use proof::{IndexProof, IndexProofError, ProofDecodeError, Terminal};
use vledger_tlog::{Hash, sha256};

use crate::Vin;

/// A key of the index: `SHA-256(VIN)`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct IndexKey(pub [u8; 32]);

impl IndexKey {
    /// The key of `vin`: SHA-256 of its 17 ASCII characters.
    #[must_use]
    pub fn for_vin(vin: &Vin) -> Self {
        Self(sha256(vin.as_str().as_bytes()).0)
    }

    /// Bit `i` of the key (0 = most significant bit of the first byte): the
    /// direction taken at depth `i`, 0 left and 1 right.
    #[must_use]
    pub fn bit(&self, i: u16) -> bool {
        let byte = self.0[usize::from(i / 8)];
        (byte >> (7 - (i % 8))) & 1 == 1
    }
}

/// The head of a VIN's chain: its latest entry and how many records it has,
/// which is exactly what the VIN index holds for the VIN.
pub type VinHead = IndexValue;

/// What the index holds for a VIN: its latest entry and how many it has.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct IndexValue {
    /// Leaf index of the VIN's latest entry.
    pub index: u64,
    /// That entry's RFC 6962 leaf hash.
    pub leaf_hash: Hash,
    /// Number of records about the VIN.
    pub count: u64,
}

impl IndexValue {
    /// Bytes of [`to_bytes`](Self::to_bytes).
    pub const LEN: usize = 8 + 32 + 8;

    /// `index:u64 ‖ leaf_hash ‖ count:u64`, integers big-endian: the form
    /// the value takes in leaf hashes, proofs, tiles and the store.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut b = [0u8; Self::LEN];
        b[..8].copy_from_slice(&self.index.to_be_bytes());
        b[8..40].copy_from_slice(self.leaf_hash.as_bytes());
        b[40..].copy_from_slice(&self.count.to_be_bytes());
        b
    }

    /// The value of [`to_bytes`](Self::to_bytes)'s output.
    #[must_use]
    pub fn from_bytes(b: &[u8; Self::LEN]) -> Self {
        let mut index = [0u8; 8];
        let mut leaf_hash = [0u8; 32];
        let mut count = [0u8; 8];
        index.copy_from_slice(&b[..8]);
        leaf_hash.copy_from_slice(&b[8..40]);
        count.copy_from_slice(&b[40..]);
        Self {
            index: u64::from_be_bytes(index),
            leaf_hash: Hash(leaf_hash),
            count: u64::from_be_bytes(count),
        }
    }
}

/// Depth of the full tree: one level per key bit.
pub const KEY_BITS: u16 = 256;
