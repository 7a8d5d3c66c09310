//! Where proofs read stored hashes from.

use super::index::NodeId;
use crate::hash::Hash;

/// Where proofs read stored hashes from. Implemented by the node's store,
/// and by [`MemoryHashes`](super::MemoryHashes).
///
/// Every proof, tree hash or frontier load makes exactly one call, with all
/// the nodes it needs, so an implementation can batch its reads. The nodes it
/// asks for are complete subtrees of the tree the caller named; a store that
/// holds a tree at least that large has them all.
pub trait HashReader {
    /// Why reading failed.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Returns the hashes of `ids`, in the same order.
    ///
    /// # Errors
    /// Any hash that is not stored (or cannot be read) is an error; an
    /// implementation must never make one up.
    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, Self::Error>;
}

impl<R: HashReader + ?Sized> HashReader for &R {
    type Error = R::Error;

    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, Self::Error> {
        (**self).read_hashes(ids)
    }
}
