//! Errors of the Merkle operations: one small enum per kind of operation.

use super::index::{LeafIndex, NodeId, TreeSize};

/// Why a proof, a tree hash or a frontier could not be built from stored hashes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError<E> {
    /// The leaf is not in the tree (`index >= size`).
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange {
        /// The requested leaf.
        index: LeafIndex,
        /// The size of the tree the proof was asked for.
        size: TreeSize,
    },
    /// No consistency proof exists between these sizes: it needs
    /// `0 < old <= new`.
    #[error("no consistency proof from tree size {old} to tree size {new}")]
    SizeOutOfRange {
        /// The older (smaller) tree size.
        old: TreeSize,
        /// The newer (larger) tree size.
        new: TreeSize,
    },
    /// The hash reader failed, for example because a hash is not stored.
    #[error("reading stored hashes")]
    Read(#[source] E),
    /// The hash reader broke its contract and returned a different number of
    /// hashes than it was asked for.
    #[error("hash reader returned {got} hashes for {expected} requested")]
    WrongHashCount {
        /// How many hashes were requested.
        expected: usize,
        /// How many the reader returned.
        got: usize,
    },
}

impl ProofError<std::convert::Infallible> {
    /// Converts an error of a computation that reads nothing into the error of
    /// one that reads with any reader.
    #[must_use]
    pub fn widen<E>(self) -> ProofError<E> {
        match self {
            Self::IndexOutOfRange { index, size } => ProofError::IndexOutOfRange { index, size },
            Self::SizeOutOfRange { old, new } => ProofError::SizeOutOfRange { old, new },
            Self::WrongHashCount { expected, got } => ProofError::WrongHashCount { expected, got },
            Self::Read(never) => match never {},
        }
    }
}

/// Why an inclusion or consistency proof does not verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The leaf index is not below the tree size, so no proof can show it.
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange {
        /// The claimed leaf index.
        index: LeafIndex,
        /// The claimed tree size.
        size: TreeSize,
    },
    /// The old tree is larger than the new one.
    #[error("old tree size {old} is larger than new tree size {new}")]
    SizeOutOfRange {
        /// The claimed old tree size.
        old: TreeSize,
        /// The claimed new tree size.
        new: TreeSize,
    },
    /// A consistency proof from the empty tree was presented. RFC 9162 defines
    /// none (every tree extends the empty tree; there is nothing to prove), so
    /// a caller with no earlier tree must decide by policy, not by proof.
    #[error("no consistency proof exists from the empty tree")]
    OldSizeZero,
    /// The proof has the wrong number of hashes for the claimed sizes.
    #[error("proof has {got} hashes, expected {expected}")]
    WrongProofLength {
        /// The number of hashes a proof for these sizes has.
        expected: usize,
        /// The number of hashes presented.
        got: usize,
    },
    /// The proof leads to a different root of the (new) tree than the one
    /// claimed.
    #[error("proof does not lead to the claimed root")]
    RootMismatch,
    /// A consistency proof leads to a different root of the old tree than the
    /// one claimed.
    #[error("consistency proof does not lead to the claimed old root")]
    OldRootMismatch,
}

/// Why a list of subtree hashes is not a frontier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrontierError {
    /// A tree of `size` has one maximal complete subtree per bit set in its
    /// size; the list has a different number of hashes.
    #[error("a tree of size {size} has {expected} subtrees, got {got}")]
    WrongSubtreeCount {
        /// The claimed tree size.
        size: TreeSize,
        /// The number of subtrees a tree of that size has.
        expected: usize,
        /// The number of hashes given.
        got: usize,
    },
}

/// The hash reader of [`MemoryHashes`](super::MemoryHashes) was asked for a
/// hash it does not hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no stored hash for node {id}")]
pub struct MissingHash {
    /// The node that is not stored.
    pub id: NodeId,
}
