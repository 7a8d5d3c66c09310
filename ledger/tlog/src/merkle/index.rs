//! Leaf indices, tree sizes and the addresses of stored hashes.
//!
//! A log stores one hash for every *complete* subtree it has: the leaf hashes
//! at level 0, the hash of every aligned pair of leaves at level 1, and so on.
//! A [`NodeId`] names one of them. Complete subtrees never change once the
//! tree has grown past them, so a hash stored for a tree of size `n` is still
//! right for every larger tree.

use std::fmt;

/// Index of a leaf (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LeafIndex(pub u64);

/// Number of leaves in a tree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TreeSize(pub u64);

/// Address of a stored hash: the complete subtree at `level` (0 = leaves)
/// covering leaves `[index << level, (index + 1) << level)`.
///
/// Only complete subtrees are ever stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId {
    /// Height of the subtree: 0 for a leaf, 1 for a pair of leaves, ...
    pub level: u8,
    /// Position of the subtree among the subtrees of its level, from the left.
    pub index: u64,
}

impl fmt::Display for LeafIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Display for TreeSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.level, self.index)
    }
}

impl TreeSize {
    /// The size of the empty tree.
    pub const EMPTY: Self = Self(0);

    /// Whether the tree has no leaves.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `index` names a leaf of a tree of this size.
    #[must_use]
    pub const fn contains(self, index: LeafIndex) -> bool {
        index.0 < self.0
    }

    /// The roots of the maximal complete subtrees of a tree of this size,
    /// largest (leftmost) first: one for each bit set in the size.
    ///
    /// These are the hashes [`tree_hash`](super::tree_hash) and
    /// [`Frontier::load`](super::Frontier::load) read.
    #[must_use]
    pub fn subtrees(self) -> Vec<NodeId> {
        let mut out = Vec::with_capacity(self.0.count_ones() as usize);
        push_range_nodes(0, self.0, &mut out);
        out
    }
}

impl NodeId {
    /// The stored hash of leaf `index`.
    #[must_use]
    pub const fn leaf(index: LeafIndex) -> Self {
        Self {
            level: 0,
            index: index.0,
        }
    }

    /// The number of leaves under this node, `2^level`.
    ///
    /// Saturates at `u64::MAX` for levels of 64 and above, which no tree has.
    #[must_use]
    pub const fn width(self) -> u64 {
        match 1u64.checked_shl(self.level as u32) {
            Some(w) => w,
            None => u64::MAX,
        }
    }

    /// The first leaf under this node.
    ///
    /// Saturates at `u64::MAX` for nodes beyond any possible tree.
    #[must_use]
    pub const fn first_leaf(self) -> LeafIndex {
        LeafIndex(self.index.saturating_mul(self.width()))
    }
}

/// The largest power of two strictly smaller than `n`; `n` must be at least 2.
///
/// This is the `k` of RFC 9162 §2.1.1 that splits `D[n]` into `D[0:k]` and
/// `D[k:n]`.
pub(crate) const fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// Appends the stored nodes whose hashes make up `MTH(D[lo:hi])` for a range
/// that the RFC 6962 recursion produces: `lo` is a multiple of the largest
/// power of two not above `hi - lo`. The nodes are the maximal complete
/// subtrees of the range, largest (leftmost) first; `MTH` is their right fold.
pub(crate) fn push_range_nodes(lo: u64, hi: u64, out: &mut Vec<NodeId>) {
    debug_assert!(lo <= hi);
    let mut start = lo;
    let mut rest = hi - lo;
    while rest != 0 {
        let level = 63 - rest.leading_zeros();
        let width = 1u64 << level;
        debug_assert!(
            start.is_multiple_of(width),
            "range [{lo}, {hi}) is not aligned"
        );
        out.push(NodeId {
            level: level as u8,
            index: start >> level,
        });
        start += width;
        rest -= width;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        for (n, k) in [(2, 1), (3, 2), (4, 2), (5, 4), (7, 4), (8, 4), (9, 8)] {
            assert_eq!(split_point(n), k, "n = {n}");
        }
        assert_eq!(split_point(u64::MAX), 1 << 63);
        assert_eq!(split_point((1 << 63) + 1), 1 << 63);
    }

    #[test]
    fn subtrees_follow_the_bits_of_the_size() {
        assert!(TreeSize(0).subtrees().is_empty());
        assert_eq!(TreeSize(1).subtrees(), [NodeId { level: 0, index: 0 }]);
        assert_eq!(
            TreeSize(7).subtrees(),
            [
                NodeId { level: 2, index: 0 },
                NodeId { level: 1, index: 2 },
                NodeId { level: 0, index: 6 },
            ]
        );
        assert_eq!(
            TreeSize(12).subtrees(),
            [NodeId { level: 3, index: 0 }, NodeId { level: 2, index: 2 }]
        );
        assert_eq!(TreeSize(u64::MAX).subtrees().len(), 64);
    }

    #[test]
    fn range_nodes_of_an_aligned_right_range() {
        let mut out = Vec::new();
        push_range_nodes(8, 13, &mut out);
        assert_eq!(
            out,
            [
                NodeId { level: 2, index: 2 },
                NodeId {
                    level: 0,
                    index: 12
                }
            ]
        );
    }

    #[test]
    fn node_geometry() {
        let n = NodeId { level: 3, index: 5 };
        assert_eq!(n.width(), 8);
        assert_eq!(n.first_leaf(), LeafIndex(40));
        assert_eq!(NodeId::leaf(LeafIndex(9)), NodeId { level: 0, index: 9 });
        assert_eq!(n.to_string(), "3/5");
        assert_eq!(
            NodeId {
                level: 64,
                index: 2
            }
            .first_leaf(),
            LeafIndex(u64::MAX)
        );
        assert!(TreeSize(3).contains(LeafIndex(2)));
        assert!(!TreeSize(3).contains(LeafIndex(3)));
    }
}
