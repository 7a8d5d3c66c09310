//! Appending to a tree: its right edge, and the tree hash from stored hashes.
//!
//! A tree of `n` leaves is the sequence of its maximal complete subtrees, one
//! for each bit set in `n`, largest first. Their roots (the *frontier*, at
//! most 64 hashes) are all that appending needs: a new leaf merges with the
//! subtrees it completes, exactly as a carry ripples through a binary counter,
//! and the tree's RFC 6962 root is the right fold of the frontier.

use super::error::{FrontierError, ProofError};
use super::index::{NodeId, TreeSize};
use super::range::{fold_right, read_exact};
use super::reader::HashReader;
use crate::hash::{Hash, empty_root, node_hash};

/// The right edge of a tree: the roots of its maximal complete subtrees
/// (at most 64 hashes). It is all the state appending needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    /// Number of leaves.
    size: TreeSize,
    /// Roots of the maximal complete subtrees, largest (leftmost) first; one
    /// per bit set in `size`, the subtree of bit `l` having `2^l` leaves.
    hashes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves.
    #[must_use]
    pub fn size(&self) -> TreeSize {
        self.size
    }

    /// Appends a leaf hash; returns the stored hashes the append completes:
    /// `(level 0, n)` first, then each newly completed parent up the tree, in
    /// increasing level. O(log n).
    ///
    /// # Panics
    /// If the tree already has `u64::MAX` leaves.
    pub fn append(&mut self, leaf: Hash) -> Vec<(NodeId, Hash)> {
        let mut out = Vec::with_capacity(self.size.0.trailing_ones() as usize + 1);
        self.append_into(leaf, &mut out);
        out
    }

    /// Like [`append`](Self::append), but pushes the completed hashes onto
    /// `out` (which it does not clear), so a caller appending many leaves can
    /// reuse one buffer.
    ///
    /// # Panics
    /// If the tree already has `u64::MAX` leaves.
    pub fn append_into(&mut self, leaf: Hash, out: &mut Vec<(NodeId, Hash)>) {
        let n = self.size.0;
        assert!(n < u64::MAX, "a Merkle tree holds at most u64::MAX leaves");
        out.push((NodeId { level: 0, index: n }, leaf));
        // Leaf n completes one subtree per trailing one bit of n: those are
        // the smallest subtrees of the frontier, each the left sibling of the
        // subtree built so far.
        let mut hash = leaf;
        let mut level = 0u8;
        for _ in 0..n.trailing_ones() {
            let Some(left) = self.hashes.pop() else { break };
            hash = node_hash(&left, &hash);
            level += 1;
            out.push((
                NodeId {
                    level,
                    index: n >> level,
                },
                hash,
            ));
        }
        self.hashes.push(hash);
        self.size = TreeSize(n + 1);
    }

    /// The tree's root: RFC 6962 `MTH(D[n])`; [`empty_root`] for size 0.
    #[must_use]
    pub fn root(&self) -> Hash {
        fold_right(&self.hashes).unwrap_or_else(empty_root)
    }

    /// The subtree roots, largest first.
    #[must_use]
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The subtree roots, largest first, with their [`NodeId`]s (for
    /// persisting audit state compactly).
    #[must_use]
    pub fn subtrees(&self) -> Vec<(NodeId, Hash)> {
        self.size
            .subtrees()
            .into_iter()
            .zip(self.hashes.iter().copied())
            .collect()
    }

    /// Rebuilds a frontier from [`hashes`](Self::hashes) (or the hashes of
    /// [`subtrees`](Self::subtrees)), checking it is a valid frontier for
    /// `size`.
    ///
    /// The hashes themselves cannot be checked here; compare
    /// [`root`](Self::root) with a signed root to trust them.
    ///
    /// # Errors
    /// [`FrontierError::WrongSubtreeCount`] unless there is exactly one hash
    /// per bit set in `size`.
    pub fn from_subtrees(size: TreeSize, subtrees: &[Hash]) -> Result<Self, FrontierError> {
        let expected = size.0.count_ones() as usize;
        if subtrees.len() != expected {
            return Err(FrontierError::WrongSubtreeCount {
                size,
                expected,
                got: subtrees.len(),
            });
        }
        Ok(Self {
            size,
            hashes: subtrees.to_vec(),
        })
    }

    /// Rebuilds the frontier of a tree of `size` from stored hashes (reads
    /// O(log n) hashes, in one call).
    ///
    /// # Errors
    /// [`ProofError::Read`] if a hash cannot be read, for example because the
    /// store holds a smaller tree.
    pub fn load<R: HashReader + ?Sized>(
        size: TreeSize,
        reader: &R,
    ) -> Result<Self, ProofError<R::Error>> {
        let hashes = read_exact(reader, &size.subtrees())?;
        Ok(Self { size, hashes })
    }
}

/// The stored nodes [`tree_hash`] reads for a tree of `size`: the roots of
/// its maximal complete subtrees, largest first.
#[must_use]
pub fn tree_hash_nodes(size: TreeSize) -> Vec<NodeId> {
    size.subtrees()
}

/// The root hash, RFC 6962 `MTH(D[size])`, of the tree of `size` leaves whose
/// hashes `reader` stores. The store may hold a larger tree. Reads at most 64
/// hashes, in one call; [`empty_root`] for size 0.
///
/// # Errors
/// [`ProofError::Read`] if a hash cannot be read.
pub fn tree_hash<R: HashReader + ?Sized>(
    size: TreeSize,
    reader: &R,
) -> Result<Hash, ProofError<R::Error>> {
    Ok(Frontier::load(size, reader)?.root())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;
    use crate::merkle::MemoryHashes;

    fn leaf(i: u64) -> Hash {
        leaf_hash(&i.to_be_bytes())
    }

    #[test]
    fn append_reports_completed_nodes() {
        let mut f = Frontier::new();
        assert_eq!(f.root(), empty_root());
        let l: Vec<Hash> = (0..4).map(leaf).collect();
        assert_eq!(f.append(l[0]), [(NodeId { level: 0, index: 0 }, l[0])]);
        let n01 = node_hash(&l[0], &l[1]);
        assert_eq!(
            f.append(l[1]),
            [
                (NodeId { level: 0, index: 1 }, l[1]),
                (NodeId { level: 1, index: 0 }, n01)
            ]
        );
        assert_eq!(f.append(l[2]), [(NodeId { level: 0, index: 2 }, l[2])]);
        assert_eq!(f.root(), node_hash(&n01, &l[2]));
        let n23 = node_hash(&l[2], &l[3]);
        let mut out = vec![(NodeId { level: 9, index: 9 }, l[0])];
        f.append_into(l[3], &mut out);
        assert_eq!(
            out[1..],
            [
                (NodeId { level: 0, index: 3 }, l[3]),
                (NodeId { level: 1, index: 1 }, n23),
                (NodeId { level: 2, index: 0 }, node_hash(&n01, &n23)),
            ]
        );
        assert_eq!(out.len(), 4, "append_into keeps what was in `out`");
        assert_eq!(f.size(), TreeSize(4));
        assert_eq!(f.hashes(), [node_hash(&n01, &n23)]);
    }

    #[test]
    fn completed_nodes_follow_the_addressing_rule() {
        // Appending leaf n stores (0, n) and, for each level l >= 1 where
        // (n + 1) is a multiple of 2^l, the node (l, (n + 1) / 2^l - 1).
        let mut f = Frontier::new();
        for n in 0..300u64 {
            let got: Vec<NodeId> = f.append(leaf(n)).into_iter().map(|(id, _)| id).collect();
            let mut want = vec![NodeId { level: 0, index: n }];
            let mut l = 1u8;
            while (n + 1) % (1u64 << l) == 0 {
                want.push(NodeId {
                    level: l,
                    index: (n + 1) / (1u64 << l) - 1,
                });
                l += 1;
            }
            assert_eq!(got, want, "n = {n}");
        }
    }

    #[test]
    fn load_matches_append_and_subtrees_round_trip() {
        let tree = MemoryHashes::from_leaf_hashes((0..70).map(leaf));
        let mut f = Frontier::new();
        for n in 0..=70u64 {
            let loaded = Frontier::load(TreeSize(n), &tree).unwrap();
            assert_eq!(loaded, f);
            assert_eq!(tree_hash(TreeSize(n), &tree).unwrap(), f.root());
            let subtrees = f.subtrees();
            let ids: Vec<NodeId> = subtrees.iter().map(|&(id, _)| id).collect();
            assert_eq!(ids, tree_hash_nodes(TreeSize(n)));
            let hashes: Vec<Hash> = subtrees.iter().map(|&(_, h)| h).collect();
            assert_eq!(Frontier::from_subtrees(TreeSize(n), &hashes), Ok(f.clone()));
            if n < 70 {
                f.append(leaf(n));
            }
        }
        assert!(matches!(
            Frontier::load(TreeSize(71), &tree),
            Err(ProofError::Read(_))
        ));
    }

    #[test]
    fn from_subtrees_checks_the_count() {
        let h = leaf(0);
        assert_eq!(
            Frontier::from_subtrees(TreeSize(5), &[h]),
            Err(FrontierError::WrongSubtreeCount {
                size: TreeSize(5),
                expected: 2,
                got: 1
            })
        );
        assert_eq!(
            Frontier::from_subtrees(TreeSize(0), &[h]),
            Err(FrontierError::WrongSubtreeCount {
                size: TreeSize(0),
                expected: 0,
                got: 1
            })
        );
        assert_eq!(
            Frontier::from_subtrees(TreeSize(0), &[]),
            Ok(Frontier::new())
        );
    }
}
