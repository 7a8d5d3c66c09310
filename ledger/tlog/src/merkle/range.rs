//! Proofs as lists of leaf ranges, and the hashes of those ranges from stored
//! complete subtrees.
//!
//! Every hash in an RFC 9162 proof is `MTH(D[lo:hi])` for some range of leaves
//! that the RFC's recursion visits. Such a range starts at a multiple of the
//! largest power of two not above its length, so it splits into its maximal
//! complete subtrees by the bits of `hi - lo`, largest first, and its MTH is
//! the right fold of their hashes with `node_hash` (RFC 6962 §2.1 applied
//! to the range). At most one range of a proof is not itself complete.
//!
//! A [`RangePlan`] first lists the ranges, then all their nodes, reads those
//! with a single [`HashReader::read_hashes`] call, and folds them back.

use super::error::ProofError;
use super::index::{NodeId, push_range_nodes};
use super::reader::HashReader;
use crate::hash::{Hash, node_hash};

/// The leaf ranges whose MTHs make up a proof, in proof order.
#[derive(Debug, Default)]
pub(crate) struct RangePlan {
    /// `[lo, hi)` of each proof hash.
    ranges: Vec<(u64, u64)>,
}

impl RangePlan {
    /// An empty plan with room for `n` ranges.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            ranges: Vec::with_capacity(n),
        }
    }

    /// Adds the hash `MTH(D[lo:hi])` to the proof.
    pub(crate) fn push(&mut self, lo: u64, hi: u64) {
        debug_assert!(lo < hi);
        self.ranges.push((lo, hi));
    }

    /// Reverses the order of the proof hashes.
    pub(crate) fn reverse(&mut self) {
        self.ranges.reverse();
    }

    /// Number of hashes in the proof.
    pub(crate) fn len(&self) -> usize {
        self.ranges.len()
    }

    /// The stored nodes the proof is computed from, range after range.
    pub(crate) fn nodes(&self) -> Vec<NodeId> {
        let count = self
            .ranges
            .iter()
            .map(|&(lo, hi)| (hi - lo).count_ones() as usize)
            .sum();
        let mut out = Vec::with_capacity(count);
        for &(lo, hi) in &self.ranges {
            push_range_nodes(lo, hi, &mut out);
        }
        out
    }

    /// Reads the nodes of the plan in one call and computes each proof hash.
    pub(crate) fn read<R: HashReader + ?Sized>(
        &self,
        reader: &R,
    ) -> Result<Vec<Hash>, ProofError<R::Error>> {
        let ids = self.nodes();
        let hashes = read_exact(reader, &ids)?;
        let mut out = Vec::with_capacity(self.len());
        let mut rest = hashes.as_slice();
        for &(lo, hi) in &self.ranges {
            let (parts, tail) = rest.split_at((hi - lo).count_ones() as usize);
            rest = tail;
            if let Some(h) = fold_right(parts) {
                out.push(h);
            }
        }
        Ok(out)
    }
}

/// Reads `ids` and checks that the reader kept its contract.
///
/// # Errors
/// [`ProofError::Read`] if the reader fails, [`ProofError::WrongHashCount`] if
/// it returns the wrong number of hashes.
pub(crate) fn read_exact<R: HashReader + ?Sized>(
    reader: &R,
    ids: &[NodeId],
) -> Result<Vec<Hash>, ProofError<R::Error>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = reader.read_hashes(ids).map_err(ProofError::Read)?;
    if hashes.len() != ids.len() {
        return Err(ProofError::WrongHashCount {
            expected: ids.len(),
            got: hashes.len(),
        });
    }
    Ok(hashes)
}

/// The hash of a range from the hashes of its maximal complete subtrees,
/// largest (leftmost) first: `node_hash(h0, node_hash(h1, ... hk))`.
/// `None` for no hashes.
#[must_use]
pub(crate) fn fold_right(hashes: &[Hash]) -> Option<Hash> {
    let (last, init) = hashes.split_last()?;
    Some(init.iter().rev().fold(*last, |acc, h| node_hash(h, &acc)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;
    use crate::merkle::MemoryHashes;

    #[test]
    fn fold_right_nests_to_the_right() {
        let [a, b, c] = [b"a", b"b", b"c"].map(|d| leaf_hash(d));
        assert_eq!(fold_right(&[]), None);
        assert_eq!(fold_right(&[a]), Some(a));
        assert_eq!(
            fold_right(&[a, b, c]),
            Some(node_hash(&a, &node_hash(&b, &c)))
        );
    }

    #[test]
    fn plan_reads_each_range_hash() {
        let leaves: Vec<Hash> = (0u8..7).map(|i| leaf_hash(&[i])).collect();
        let store = MemoryHashes::from_leaf_hashes(leaves.iter().copied());
        let mut plan = RangePlan::with_capacity(2);
        plan.push(4, 7);
        plan.push(0, 1);
        assert_eq!(plan.len(), 2);
        let got = plan.read(&store).unwrap();
        let right = node_hash(&node_hash(&leaves[4], &leaves[5]), &leaves[6]);
        assert_eq!(got, [right, leaves[0]]);
    }
}
