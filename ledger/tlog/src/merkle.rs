//! RFC 6962 / RFC 9162 Merkle tree math.
//!
//! The log is a Merkle tree over its entries exactly as in RFC 9162 §2.1:
//! leaf hash `SHA-256(0x00 || entry)`, node hash `SHA-256(0x01 || left ||
//! right)`, and for `n > 1` leaves the root `MTH(D[n])` splits the leaves at
//! the largest power of two below `n`. The empty tree's root is `SHA-256("")`.
//!
//! This module is pure: it does no I/O, keeps no per-leaf state and never
//! panics on input (the only panic is appending past `u64::MAX` leaves).
//!
//! - A log stores one hash per **complete subtree**, addressed by
//!   [`NodeId`]. Stored hashes never change as the log grows.
//! - [`Frontier`] is the right edge of a tree (at most 64 hashes): appending a
//!   leaf to it yields the [`NodeId`]s and hashes to store, and its
//!   [`root`](Frontier::root) is the tree hash.
//! - Proofs ([`inclusion_proof`], [`consistency_proof`]) and
//!   [`tree_hash`] work out which stored hashes they need and read them, in
//!   one call, through the [`HashReader`] trait; the store implements it.
//!   [`inclusion_proof_nodes`] and [`consistency_proof_nodes`] name those
//!   hashes in advance. [`MemoryHashes`] is a whole tree in memory.
//! - [`verify_inclusion`] and [`verify_consistency`] are the verification
//!   algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2; they need no store.
//!
//! It does not hash entries (see [`crate::hash`]), sign anything, or know the
//! size of the log: callers pass the tree size a proof is for, and a store
//! holding fewer leaves fails to read.
//!
//! ```
//! use vledger_tlog::leaf_hash;
//! use vledger_tlog::merkle::{
//!     LeafIndex, MemoryHashes, TreeSize, consistency_proof, inclusion_proof, tree_hash,
//!     verify_consistency, verify_inclusion,
//! };
//!
//! let tree = MemoryHashes::from_leaf_hashes((0u8..10).map(|i| leaf_hash(&[i])));
//! let (size, root) = (tree.size(), tree.root());
//!
//! let proof = inclusion_proof(LeafIndex(3), size, &tree)?;
//! verify_inclusion(&leaf_hash(&[3]), LeafIndex(3), size, &proof, &root)?;
//!
//! let old = TreeSize(7);
//! let old_root = tree_hash(old, &tree)?;
//! let proof = consistency_proof(old, size, &tree)?;
//! verify_consistency(old, size, &old_root, &root, &proof)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod consistency;
mod error;
mod frontier;
mod inclusion;
mod index;
mod memory;
mod range;
mod reader;

pub use consistency::{consistency_proof, consistency_proof_nodes, verify_consistency};
pub use error::{FrontierError, MissingHash, ProofError, VerifyError};
pub use frontier::{Frontier, tree_hash, tree_hash_nodes};
pub use inclusion::{
    inclusion_proof, inclusion_proof_nodes, root_from_inclusion_proof, verify_inclusion,
};
pub use index::{LeafIndex, NodeId, TreeSize};
pub use memory::MemoryHashes;
pub use reader::HashReader;
