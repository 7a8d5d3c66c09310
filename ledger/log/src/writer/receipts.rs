//! Receipts from memory: every inclusion proof of a batch's entries, at the
//! batch's tree size, from the tree's right edge before the batch and the
//! hashes the batch completed.
//!
//! An inclusion proof of leaf `m` at size `n` reads complete subtrees only.
//! Those to the left of `m` that end before the batch's first leaf `s` are
//! roots of the tree of size `s` (the old frontier): a left sibling
//! `[a, a + 2^h)` of `m`'s path with `a + 2^h <= s <= m < a + 2^(h+1)`
//! is the subtree of bit `h` of `s`. Every other complete subtree the proof
//! reads holds a leaf of the batch, so the batch completed it.

use std::collections::HashMap;
use std::sync::Arc;

use vledger_tlog::hash::Hash;
use vledger_tlog::merkle::inclusion_proof;
use vledger_tlog::merkle::{Frontier, HashReader, LeafIndex, MissingHash, NodeId, TreeSize};

/// What the receipts of one batch's entries are made from.
#[derive(Debug)]
pub struct BatchReceipts {
    /// The first leaf of the batch.
    start: u64,
    /// The tree size after it.
    tree_size: u64,
    /// The batch's entries, from `start`.
    entries: Vec<Vec<u8>>,
    /// The old frontier's subtrees and every hash the batch completed.
    nodes: HashMap<NodeId, Hash>,
    /// The batch's signed checkpoint.
    checkpoint: Arc<str>,
}

impl BatchReceipts {
    /// The receipts of a batch that logged nothing.
    #[must_use]
    pub fn empty(tree_size: u64, checkpoint: Arc<str>) -> Self {
        Self {
            start: tree_size,
            tree_size,
            entries: Vec::new(),
            nodes: HashMap::new(),
            checkpoint,
        }
    }

    /// The receipts of the batch that took the tree from `before` to
    /// `tree_size` leaves, appending `entries` and completing `hashes`.
    pub(super) fn new(
        before: &Frontier,
        hashes: &[(NodeId, Hash)],
        entries: Vec<Vec<u8>>,
        tree_size: u64,
        checkpoint: Arc<str>,
    ) -> Self {
        let mut nodes: HashMap<NodeId, Hash> = before.subtrees().into_iter().collect();
        nodes.extend(hashes.iter().copied());
        Self {
            start: before.size().0,
            tree_size,
            entries,
            nodes,
            checkpoint,
        }
    }

    /// The tree size of the batch's checkpoint.
    #[must_use]
    pub const fn tree_size(&self) -> u64 {
        self.tree_size
    }

    /// The batch's signed checkpoint.
    #[must_use]
    pub fn checkpoint(&self) -> &Arc<str> {
        &self.checkpoint
    }

    /// Entry `index` and its inclusion proof at the batch's tree size, when
    /// the batch logged it.
    #[must_use]
    pub fn receipt(&self, index: u64) -> Option<(&[u8], Vec<Hash>)> {
        let entry = self
            .entries
            .get(usize::try_from(index.checked_sub(self.start)?).ok()?)?;
        let proof = inclusion_proof(LeafIndex(index), TreeSize(self.tree_size), self).ok()?;
        Some((entry, proof))
    }
}

impl HashReader for BatchReceipts {
    type Error = MissingHash;

    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, MissingHash> {
        ids.iter()
            .map(|id| self.nodes.get(id).copied().ok_or(MissingHash { id: *id }))
            .collect()
    }
}
