//! Consistency proofs: RFC 9162 §2.1.4.
//!
//! The proof that `D[old]` is a prefix of `D[new]` is the RFC's
//! `PROOF(old, D[new]) = SUBPROOF(old, D[new], true)`.
//!
//! # Edge cases
//! - `old == new`: the proof is empty (`SUBPROOF(m, D[m], true)`), and it
//!   verifies iff the two roots are equal. RFC 9162's verifier starts by
//!   failing any empty proof because it only considers `old < new`; like Go's
//!   `sumdb/tlog` and transparency-dev's `merkle/proof`, this module accepts
//!   the equal-size case instead of making every caller special-case it.
//! - `old == 0`: there is no proof. RFC 9162 defines `PROOF(m, D[n])` for
//!   `0 < m` only; Go's `tlog.CheckTree` and transparency-dev both reject it
//!   too. Every tree extends the empty tree, so a party with no earlier tree
//!   (a witness seeing a log for the first time, C2SP `tlog-witness` old size
//!   0) decides by its own policy and asks for no proof. Generation returns
//!   [`ProofError::SizeOutOfRange`], verification [`VerifyError::OldSizeZero`].

use std::convert::Infallible;

use super::error::{ProofError, VerifyError};
use super::index::{NodeId, TreeSize, split_point};
use super::range::RangePlan;
use super::reader::HashReader;
use crate::hash::{Hash, node_hash};

/// The ranges of `PROOF(old, D[new])`, in proof order.
fn plan(old: TreeSize, new: TreeSize) -> Result<RangePlan, ProofError<Infallible>> {
    if old.is_empty() || old > new {
        return Err(ProofError::SizeOutOfRange { old, new });
    }
    let m = old.0;
    // RFC 9162 §2.1.4.1, walked from the root down, with m absolute: for
    // D[lo:hi] with k = split_point(hi - lo),
    //   SUBPROOF(m, D[lo:hi], b) = {} if m == hi and b,
    //                              {MTH(D[lo:hi])} if m == hi and not b,
    //   else SUBPROOF(m, D[lo:lo+k], b) : MTH(D[lo+k:hi])     if m <= lo + k,
    //        SUBPROOF(m, D[lo+k:hi], false) : MTH(D[lo:lo+k]) otherwise.
    // The recursion's innermost hash comes first, then the appended hashes
    // from the innermost out.
    let mut trail = Vec::with_capacity(64);
    let (mut lo, mut hi, mut b) = (0, new.0, true);
    while m != hi {
        let mid = lo + split_point(hi - lo);
        if m <= mid {
            trail.push((mid, hi));
            hi = mid;
        } else {
            trail.push((lo, mid));
            lo = mid;
            b = false;
        }
    }
    let mut plan = RangePlan::with_capacity(trail.len() + 1);
    if !b {
        plan.push(lo, hi);
    }
    for &(lo, hi) in trail.iter().rev() {
        plan.push(lo, hi);
    }
    Ok(plan)
}

/// The stored nodes [`consistency_proof`] reads (in one call), so a caller
/// can prefetch or batch them.
///
/// # Errors
/// [`ProofError::SizeOutOfRange`] unless `0 < old <= new`.
pub fn consistency_proof_nodes(
    old: TreeSize,
    new: TreeSize,
) -> Result<Vec<NodeId>, ProofError<Infallible>> {
    Ok(plan(old, new)?.nodes())
}

/// The proof that the tree of `old` leaves is a prefix of the tree of `new`
/// leaves whose hashes `reader` stores (RFC 9162 §2.1.4.1 `PROOF`). Empty if
/// `old == new`. The store may hold a larger tree.
///
/// # Errors
/// [`ProofError::SizeOutOfRange`] unless `0 < old <= new` (see the module
/// docs for `old == 0`); [`ProofError::Read`] if a hash cannot be read, for
/// example because the store holds fewer than `new` leaves.
pub fn consistency_proof<R: HashReader + ?Sized>(
    old: TreeSize,
    new: TreeSize,
    reader: &R,
) -> Result<Vec<Hash>, ProofError<R::Error>> {
    plan(old, new).map_err(ProofError::widen)?.read(reader)
}

/// Step 4 of the verification: right-shift `fnode` and `snode` until the
/// lowest bit of `fnode` is clear.
fn skip_ones(fnode: &mut u64, snode: &mut u64) {
    while *fnode & 1 == 1 {
        *fnode >>= 1;
        *snode >>= 1;
    }
}

/// Step 6 b. ii: right-shift both until the lowest bit of `fnode` is set or
/// `fnode` is 0.
fn skip_zeros(fnode: &mut u64, snode: &mut u64) {
    while *fnode & 1 == 0 && *fnode != 0 {
        *fnode >>= 1;
        *snode >>= 1;
    }
}

/// The number of hashes in the proof for `0 < old < new`: the control flow
/// of the verification algorithm below, without hashing.
fn proof_len(old: u64, new: u64) -> usize {
    let (mut fnode, mut snode) = (old - 1, new - 1);
    skip_ones(&mut fnode, &mut snode);
    // The first hash is the old root's subtree, given only if `old` is not a
    // power of two; the verifier knows it otherwise.
    let mut len = usize::from(!old.is_power_of_two());
    while snode != 0 {
        if fnode & 1 == 1 || fnode == snode {
            skip_zeros(&mut fnode, &mut snode);
        }
        fnode >>= 1;
        snode >>= 1;
        len += 1;
    }
    len
}

/// Verifies that the tree of `old` leaves with root `old_root` is a prefix of
/// the tree of `new` leaves with root `new_root` (RFC 9162 §2.1.4.2). Roots
/// are compared in constant time.
///
/// For `old == new` the proof must be empty and the roots equal; `old == 0`
/// is refused (see the module docs).
///
/// # Errors
/// [`VerifyError::SizeOutOfRange`] if `old > new`, [`VerifyError::OldSizeZero`]
/// if `old == 0`, [`VerifyError::WrongProofLength`] if the proof has the wrong
/// number of hashes, [`VerifyError::OldRootMismatch`] or
/// [`VerifyError::RootMismatch`] if it leads to other roots.
pub fn verify_consistency(
    old: TreeSize,
    new: TreeSize,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), VerifyError> {
    if old > new {
        return Err(VerifyError::SizeOutOfRange { old, new });
    }
    if old.is_empty() {
        return Err(VerifyError::OldSizeZero);
    }
    if old == new {
        if !proof.is_empty() {
            return Err(VerifyError::WrongProofLength {
                expected: 0,
                got: proof.len(),
            });
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(VerifyError::RootMismatch)
        };
    }
    let expected = proof_len(old.0, new.0);
    let wrong_length = VerifyError::WrongProofLength {
        expected,
        got: proof.len(),
    };
    // Step 1 is covered: `expected` is at least 1 when old < new.
    if proof.len() != expected {
        return Err(wrong_length);
    }
    // Step 2: for a power of two, the old root is the proof's first hash.
    let (first, rest) = if old.0.is_power_of_two() {
        (old_root, proof)
    } else {
        match proof.split_first() {
            Some(split) => split,
            None => return Err(wrong_length),
        }
    };
    // Steps 3 to 5.
    let (mut fnode, mut snode) = (old.0 - 1, new.0 - 1);
    skip_ones(&mut fnode, &mut snode);
    let (mut fr, mut sr) = (*first, *first);
    // Step 6.
    for c in rest {
        if snode == 0 {
            return Err(wrong_length);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            skip_zeros(&mut fnode, &mut snode);
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    // Step 7.
    if snode != 0 {
        return Err(wrong_length);
    }
    if fr != *old_root {
        return Err(VerifyError::OldRootMismatch);
    }
    if sr != *new_root {
        return Err(VerifyError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;
    use crate::merkle::{MemoryHashes, tree_hash};

    fn leaf(i: u64) -> Hash {
        leaf_hash(&i.to_be_bytes())
    }

    #[test]
    fn proof_len_matches_the_plan() {
        for new in 2..=130u64 {
            for old in 1..new {
                let plan = plan(TreeSize(old), TreeSize(new)).unwrap();
                assert_eq!(proof_len(old, new), plan.len(), "{old} -> {new}");
            }
        }
    }

    #[test]
    fn nodes_of_a_proof() {
        // 6 -> 8: MTH(D[4:6]) = 1/2, then D[6:8] = 1/3, then D[0:4] = 2/0.
        assert_eq!(
            consistency_proof_nodes(TreeSize(6), TreeSize(8)).unwrap(),
            [
                NodeId { level: 1, index: 2 },
                NodeId { level: 1, index: 3 },
                NodeId { level: 2, index: 0 },
            ]
        );
        assert_eq!(
            consistency_proof_nodes(TreeSize(5), TreeSize(5)).unwrap(),
            []
        );
        for (old, new) in [(0, 0), (0, 5), (6, 5)] {
            assert!(matches!(
                consistency_proof_nodes(TreeSize(old), TreeSize(new)),
                Err(ProofError::SizeOutOfRange { .. })
            ));
        }
    }

    #[test]
    fn proof_round_trip_and_errors() {
        let tree = MemoryHashes::from_leaf_hashes((0..13).map(leaf));
        let (old, new) = (TreeSize(5), TreeSize(13));
        let old_root = tree_hash(old, &tree).unwrap();
        let new_root = tree.root();
        let proof = consistency_proof(old, new, &tree).unwrap();
        assert_eq!(
            verify_consistency(old, new, &old_root, &new_root, &proof),
            Ok(())
        );
        assert_eq!(
            verify_consistency(old, new, &new_root, &new_root, &proof),
            Err(VerifyError::OldRootMismatch)
        );
        assert_eq!(
            verify_consistency(old, new, &old_root, &old_root, &proof),
            Err(VerifyError::RootMismatch)
        );
        assert_eq!(
            verify_consistency(new, old, &old_root, &new_root, &proof),
            Err(VerifyError::SizeOutOfRange { old: new, new: old })
        );
        assert_eq!(
            verify_consistency(TreeSize(0), new, &old_root, &new_root, &[]),
            Err(VerifyError::OldSizeZero)
        );
        assert_eq!(
            verify_consistency(new, new, &new_root, &new_root, &[]),
            Ok(())
        );
        assert_eq!(
            verify_consistency(new, new, &old_root, &new_root, &[]),
            Err(VerifyError::RootMismatch)
        );
        assert_eq!(
            verify_consistency(new, new, &new_root, &new_root, &proof[..1]),
            Err(VerifyError::WrongProofLength {
                expected: 0,
                got: 1
            })
        );
        assert!(matches!(
            consistency_proof(old, TreeSize(14), &tree),
            Err(ProofError::Read(_))
        ));
    }
}
