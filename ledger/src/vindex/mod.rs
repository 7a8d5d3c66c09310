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
//! Nodes are stored in tiles of four levels ([`Tile`], addressed by
//! [`TileAddr`]) and read through [`TileReader`], so the index lives in the
//! store, not in memory; [`VinIndex`] applies a batch of updates in one
//! sorted descent, reading each tile and hashing each changed node once.
//!
//! Like the rest of the ledger crate, this module does no I/O of its own.

mod hash;
mod proof;
mod tree;

pub use hash::{EMPTY, interior_hash, leaf_hash};
pub use proof::{IndexProof, IndexProofError, ProofDecodeError, Terminal};
pub use tree::{
    IndexChanges, MemoryTiles, Node, StoredIndexError, TILE_HEIGHT, Tile, TileAddr,
    TileDecodeError, TileReader, VinIndex, recompute_root,
};

use crate::hash::{Hash, sha256};
use crate::record::Vin;

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

/// Depth of the full tree: one level per key bit.
pub const KEY_BITS: u16 = 256;
