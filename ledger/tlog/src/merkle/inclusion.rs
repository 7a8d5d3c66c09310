//! Inclusion proofs: RFC 9162 §2.1.3.
//!
//! The proof for leaf `m` of `D[n]` is the RFC's `PATH(m, D[n])`: the hashes
//! of the siblings on the way from the leaf to the root, lowest first.

use std::convert::Infallible;

use super::error::{ProofError, VerifyError};
use super::index::{LeafIndex, NodeId, TreeSize, split_point};
use super::range::RangePlan;
use super::reader::HashReader;
use crate::hash::{Hash, node_hash};

/// The ranges of `PATH(index, D[size])`, lowest first.
fn plan(index: LeafIndex, size: TreeSize) -> Result<RangePlan, ProofError<Infallible>> {
    if !size.contains(index) {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let m = index.0;
    let mut plan = RangePlan::with_capacity(64);
    // RFC 9162 §2.1.3.1, walked from the root down: for D[lo:hi] with
    // k = split_point(hi - lo),
    //   PATH(m, D[lo:hi]) = PATH(m, D[lo:lo+k]) : MTH(D[lo+k:hi])  if m < lo + k,
    //                       PATH(m, D[lo+k:hi]) : MTH(D[lo:lo+k])  otherwise,
    // and PATH of a single leaf is empty. The outermost sibling comes last,
    // so the ranges are collected top-down and reversed.
    let (mut lo, mut hi) = (0, size.0);
    while hi - lo > 1 {
        let mid = lo + split_point(hi - lo);
        if m < mid {
            plan.push(mid, hi);
            hi = mid;
        } else {
            plan.push(lo, mid);
            lo = mid;
        }
    }
    plan.reverse();
    Ok(plan)
}

/// The stored nodes [`inclusion_proof`] reads (in one call), so a caller can
/// prefetch or batch them. At most two per level of the tree.
///
/// # Errors
/// [`ProofError::IndexOutOfRange`] if `index >= size`.
pub fn inclusion_proof_nodes(
    index: LeafIndex,
    size: TreeSize,
) -> Result<Vec<NodeId>, ProofError<Infallible>> {
    Ok(plan(index, size)?.nodes())
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves whose
/// hashes `reader` stores (RFC 9162 §2.1.3.1 `PATH`), lowest sibling first.
/// The store may hold a larger tree.
///
/// # Errors
/// [`ProofError::IndexOutOfRange`] if `index >= size`; [`ProofError::Read`]
/// if a hash cannot be read, for example because the store holds fewer than
/// `size` leaves.
pub fn inclusion_proof<R: HashReader + ?Sized>(
    index: LeafIndex,
    size: TreeSize,
    reader: &R,
) -> Result<Vec<Hash>, ProofError<R::Error>> {
    plan(index, size).map_err(ProofError::widen)?.read(reader)
}

/// The number of hashes in the inclusion proof of `index` in a tree of
/// `size`; `index < size`. It runs the control flow of the verification
/// algorithm below without hashing.
fn proof_len(index: u64, size: u64) -> usize {
    let (mut fnode, mut snode) = (index, size - 1);
    let mut len = 0;
    while snode != 0 {
        if fnode & 1 == 0 && fnode == snode {
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        }
        fnode >>= 1;
        snode >>= 1;
        len += 1;
    }
    len
}

/// The root that an inclusion proof leads to: runs the verification
/// algorithm of RFC 9162 §2.1.3.2 up to, not including, the final comparison.
/// Useful when one root is checked against several proofs; otherwise use
/// [`verify_inclusion`].
///
/// # Errors
/// [`VerifyError::IndexOutOfRange`] if `index >= size`,
/// [`VerifyError::WrongProofLength`] if the proof has the wrong number of
/// hashes for `index` and `size`.
pub fn root_from_inclusion_proof(
    leaf: &Hash,
    index: LeafIndex,
    size: TreeSize,
    proof: &[Hash],
) -> Result<Hash, VerifyError> {
    // Step 1.
    if !size.contains(index) {
        return Err(VerifyError::IndexOutOfRange { index, size });
    }
    let expected = proof_len(index.0, size.0);
    if proof.len() != expected {
        return Err(VerifyError::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    // Steps 2 and 3.
    let (mut fnode, mut snode) = (index.0, size.0 - 1);
    let mut r = *leaf;
    // Step 4.
    for p in proof {
        if snode == 0 {
            return Err(VerifyError::WrongProofLength {
                expected,
                got: proof.len(),
            });
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    // Step 5, first half (the length check makes it hold).
    if snode != 0 {
        return Err(VerifyError::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    Ok(r)
}

/// Verifies that `leaf` (a leaf hash) is leaf `index` of the tree of `size`
/// leaves whose root is `root` (RFC 9162 §2.1.3.2). The root is compared in
/// constant time.
///
/// # Errors
/// [`VerifyError::IndexOutOfRange`] if `index >= size` (so never for an empty
/// tree), [`VerifyError::WrongProofLength`] if the proof has the wrong number
/// of hashes, [`VerifyError::RootMismatch`] if it leads to another root.
pub fn verify_inclusion(
    leaf: &Hash,
    index: LeafIndex,
    size: TreeSize,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    if root_from_inclusion_proof(leaf, index, size, proof)? == *root {
        Ok(())
    } else {
        Err(VerifyError::RootMismatch)
    }
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
    fn proof_len_matches_the_plan() {
        for size in 1..=130u64 {
            for index in 0..size {
                let plan = plan(LeafIndex(index), TreeSize(size)).unwrap();
                assert_eq!(proof_len(index, size), plan.len(), "{index} in {size}");
            }
        }
        // The deepest proof in the largest tree.
        assert_eq!(proof_len(0, u64::MAX), 64);
        assert_eq!(proof_len(u64::MAX - 1, u64::MAX), 63);
    }

    #[test]
    fn nodes_of_a_proof_in_an_unbalanced_tree() {
        // Leaf 1 of 7: sibling 0/0, then 1/1, then MTH(D[4:7]) = 1/2 and 0/6.
        let nodes = inclusion_proof_nodes(LeafIndex(1), TreeSize(7)).unwrap();
        assert_eq!(
            nodes,
            [
                NodeId { level: 0, index: 0 },
                NodeId { level: 1, index: 1 },
                NodeId { level: 1, index: 2 },
                NodeId { level: 0, index: 6 },
            ]
        );
        assert!(matches!(
            inclusion_proof_nodes(LeafIndex(7), TreeSize(7)),
            Err(ProofError::IndexOutOfRange {
                index: LeafIndex(7),
                size: TreeSize(7)
            })
        ));
    }

    #[test]
    fn proof_round_trip_and_errors() {
        let tree = MemoryHashes::from_leaf_hashes((0..13).map(leaf));
        let root = tree.root();
        let size = TreeSize(13);
        let proof = inclusion_proof(LeafIndex(5), size, &tree).unwrap();
        assert_eq!(
            verify_inclusion(&leaf(5), LeafIndex(5), size, &proof, &root),
            Ok(())
        );
        assert_eq!(
            verify_inclusion(&leaf(6), LeafIndex(5), size, &proof, &root),
            Err(VerifyError::RootMismatch)
        );
        assert_eq!(
            verify_inclusion(&leaf(5), LeafIndex(5), size, &proof[1..], &root),
            Err(VerifyError::WrongProofLength {
                expected: 4,
                got: 3
            })
        );
        assert_eq!(
            verify_inclusion(&leaf(5), LeafIndex(0), TreeSize(0), &[], &root),
            Err(VerifyError::IndexOutOfRange {
                index: LeafIndex(0),
                size: TreeSize(0)
            })
        );
        // A store that is too small cannot produce the proof.
        assert!(matches!(
            inclusion_proof(LeafIndex(5), TreeSize(14), &tree),
            Err(ProofError::Read(_))
        ));
        // A single leaf is its own root.
        let one = MemoryHashes::from_leaf_hashes([leaf(0)]);
        assert_eq!(
            inclusion_proof(LeafIndex(0), TreeSize(1), &one).unwrap(),
            []
        );
        assert_eq!(
            verify_inclusion(&leaf(0), LeafIndex(0), TreeSize(1), &[], &leaf(0)),
            Ok(())
        );
    }
}
