//! A whole Merkle tree in memory, for tests, benches and tools.

use super::error::MissingHash;
use super::frontier::Frontier;
use super::index::{NodeId, TreeSize};
use super::reader::HashReader;
use crate::hash::Hash;

/// A whole Merkle tree in memory: every stored hash of every complete
/// subtree, one dense vector per level, plus the [`Frontier`] that appends to
/// it.
///
/// For tests, benches and tools that build a tree from a list of entries. It
/// holds about two hashes per leaf; a log that outgrows memory keeps its
/// hashes in the store instead.
#[derive(Clone, Debug, Default)]
pub struct MemoryHashes {
    /// `levels[l][i]` is the hash of `NodeId { level: l, index: i }`.
    levels: Vec<Vec<Hash>>,
    /// The right edge of the tree, which computes the hashes to store.
    frontier: Frontier,
    /// Reused output buffer of `Frontier::append_into`.
    scratch: Vec<(NodeId, Hash)>,
}

impl MemoryHashes {
    /// An empty tree.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree of the given leaf hashes, in order.
    #[must_use]
    pub fn from_leaf_hashes<I: IntoIterator<Item = Hash>>(leaves: I) -> Self {
        let mut tree = Self::new();
        for leaf in leaves {
            tree.append(leaf);
        }
        tree
    }

    /// Appends a leaf hash and stores the hashes the append completes.
    pub fn append(&mut self, leaf: Hash) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        self.frontier.append_into(leaf, &mut scratch);
        for &(id, hash) in &scratch {
            let level = usize::from(id.level);
            if self.levels.len() <= level {
                self.levels.resize_with(level + 1, Vec::new);
            }
            // The frontier completes the nodes of each level left to right,
            // so `id.index` is always the next free slot.
            debug_assert_eq!(self.levels[level].len() as u64, id.index);
            self.levels[level].push(hash);
        }
        self.scratch = scratch;
    }

    /// Number of leaves.
    #[must_use]
    pub fn size(&self) -> TreeSize {
        self.frontier.size()
    }

    /// The tree's root hash (RFC 6962 MTH).
    #[must_use]
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// The tree's frontier.
    #[must_use]
    pub fn frontier(&self) -> &Frontier {
        &self.frontier
    }

    /// The stored hash of `id`, if the tree has that complete subtree.
    #[must_use]
    pub fn get(&self, id: NodeId) -> Option<Hash> {
        let level = self.levels.get(usize::from(id.level))?;
        level.get(usize::try_from(id.index).ok()?).copied()
    }
}

impl HashReader for MemoryHashes {
    type Error = MissingHash;

    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, MissingHash> {
        ids.iter()
            .map(|&id| self.get(id).ok_or(MissingHash { id }))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{leaf_hash, node_hash};

    #[test]
    fn stores_every_complete_subtree() {
        let leaves: Vec<Hash> = (0u8..6).map(|i| leaf_hash(&[i])).collect();
        let tree = MemoryHashes::from_leaf_hashes(leaves.iter().copied());
        assert_eq!(tree.size(), TreeSize(6));
        for (i, leaf) in leaves.iter().enumerate() {
            assert_eq!(
                tree.get(NodeId {
                    level: 0,
                    index: i as u64
                }),
                Some(*leaf)
            );
        }
        let n01 = node_hash(&leaves[0], &leaves[1]);
        let n23 = node_hash(&leaves[2], &leaves[3]);
        let n45 = node_hash(&leaves[4], &leaves[5]);
        assert_eq!(tree.get(NodeId { level: 1, index: 0 }), Some(n01));
        assert_eq!(tree.get(NodeId { level: 1, index: 2 }), Some(n45));
        assert_eq!(
            tree.get(NodeId { level: 2, index: 0 }),
            Some(node_hash(&n01, &n23))
        );
        // Incomplete subtrees are never stored.
        assert_eq!(tree.get(NodeId { level: 2, index: 1 }), None);
        assert_eq!(tree.get(NodeId { level: 3, index: 0 }), None);
        assert_eq!(tree.get(NodeId { level: 0, index: 6 }), None);
        assert_eq!(
            tree.get(NodeId {
                level: 200,
                index: 0
            }),
            None
        );
        assert_eq!(tree.root(), node_hash(&node_hash(&n01, &n23), &n45));
    }

    #[test]
    fn read_hashes_in_order_or_fails() {
        let tree = MemoryHashes::from_leaf_hashes((0u8..4).map(|i| leaf_hash(&[i])));
        let ids = [NodeId { level: 1, index: 1 }, NodeId { level: 0, index: 0 }];
        let got = tree.read_hashes(&ids).unwrap();
        assert_eq!(got, [tree.get(ids[0]).unwrap(), tree.get(ids[1]).unwrap()]);
        let missing = NodeId { level: 0, index: 4 };
        assert_eq!(
            tree.read_hashes(&[ids[0], missing]),
            Err(MissingHash { id: missing })
        );
        // Through a reference too.
        fn read_by_value<R: HashReader>(reader: R, ids: &[NodeId]) -> Vec<Hash> {
            reader.read_hashes(ids).unwrap()
        }
        assert_eq!(read_by_value(&tree, &ids), got);
    }
}
