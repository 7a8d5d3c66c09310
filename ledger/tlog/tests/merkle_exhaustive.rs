//! Exhaustive checks on every small tree: every size up to `MAX`, every leaf
//! index, every pair of sizes, against a direct transcription of the RFC 9162
//! recursive definitions (`MTH`, `PATH`, `SUBPROOF`) over the leaf hashes, and
//! with every kind of corrupted proof.

use std::cell::RefCell;
use std::collections::HashMap;

use vledger_tlog::merkle::{
    Frontier, HashReader, LeafIndex, MemoryHashes, NodeId, ProofError, TreeSize, VerifyError,
    consistency_proof, consistency_proof_nodes, inclusion_proof, inclusion_proof_nodes, tree_hash,
    verify_consistency, verify_inclusion,
};
use vledger_tlog::{Hash, empty_root, leaf_hash, node_hash};

const MAX: u64 = 100;

fn leaf(i: u64) -> Hash {
    leaf_hash(&i.to_be_bytes())
}

/// RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, as written, with `MTH` memoized.
struct Reference {
    leaves: Vec<Hash>,
    memo: RefCell<HashMap<(usize, usize), Hash>>,
}

impl Reference {
    fn new(n: u64) -> Self {
        Self {
            leaves: (0..n).map(leaf).collect(),
            memo: RefCell::default(),
        }
    }

    /// The largest power of two smaller than `n`.
    fn k(n: usize) -> usize {
        let mut k = 1;
        while k << 1 < n {
            k <<= 1;
        }
        k
    }

    /// `MTH(D[lo:hi])`.
    fn mth(&self, lo: usize, hi: usize) -> Hash {
        if let Some(h) = self.memo.borrow().get(&(lo, hi)) {
            return *h;
        }
        let h = match hi - lo {
            0 => empty_root(),
            1 => self.leaves[lo],
            n => {
                let k = Self::k(n);
                node_hash(&self.mth(lo, lo + k), &self.mth(lo + k, hi))
            }
        };
        self.memo.borrow_mut().insert((lo, hi), h);
        h
    }

    /// `PATH(m, D[lo:hi])`, `m` relative to `lo`.
    fn path(&self, m: usize, lo: usize, hi: usize) -> Vec<Hash> {
        let n = hi - lo;
        if n == 1 {
            return Vec::new();
        }
        let k = Self::k(n);
        if m < k {
            let mut p = self.path(m, lo, lo + k);
            p.push(self.mth(lo + k, hi));
            p
        } else {
            let mut p = self.path(m - k, lo + k, hi);
            p.push(self.mth(lo, lo + k));
            p
        }
    }

    /// `SUBPROOF(m, D[lo:hi], b)`, `m` relative to `lo`.
    fn subproof(&self, m: usize, lo: usize, hi: usize, b: bool) -> Vec<Hash> {
        let n = hi - lo;
        if m == n {
            return if b {
                Vec::new()
            } else {
                vec![self.mth(lo, hi)]
            };
        }
        let k = Self::k(n);
        if m <= k {
            let mut p = self.subproof(m, lo, lo + k, b);
            p.push(self.mth(lo + k, hi));
            p
        } else {
            let mut p = self.subproof(m - k, lo + k, hi, false);
            p.push(self.mth(lo, lo + k));
            p
        }
    }

    fn root(&self, n: u64) -> Hash {
        self.mth(0, n as usize)
    }
}

fn flip(proof: &[Hash], j: usize, bit: usize) -> Vec<Hash> {
    let mut p = proof.to_vec();
    p[j].0[bit / 8] ^= 1 << (bit % 8);
    p
}

#[test]
fn tree_hash_and_frontier_match_the_definition() {
    let r = Reference::new(MAX + 30);
    let tree = MemoryHashes::from_leaf_hashes(r.leaves.iter().copied());
    let mut frontier = Frontier::new();
    for n in 0..=MAX + 30 {
        let size = TreeSize(n);
        assert_eq!(frontier.root(), r.root(n), "frontier root {n}");
        assert_eq!(tree_hash(size, &tree).unwrap(), r.root(n), "tree_hash {n}");
        let loaded = Frontier::load(size, &tree).unwrap();
        assert_eq!(loaded, frontier, "load {n}");
        let hashes: Vec<Hash> = loaded.subtrees().into_iter().map(|(_, h)| h).collect();
        assert_eq!(Frontier::from_subtrees(size, &hashes), Ok(frontier.clone()));
        // Each subtree hash is the MTH of the range its NodeId names.
        for (id, h) in loaded.subtrees() {
            let lo = id.first_leaf().0 as usize;
            assert_eq!(
                h,
                r.mth(lo, lo + id.width() as usize),
                "subtree {id} of {n}"
            );
        }
        if n < MAX + 30 {
            frontier.append(leaf(n));
        }
    }
}

#[test]
fn every_inclusion_proof() {
    let r = Reference::new(MAX);
    let tree = MemoryHashes::from_leaf_hashes(r.leaves.iter().copied());
    for n in 1..=MAX {
        let size = TreeSize(n);
        let root = r.root(n);
        for i in 0..n {
            let index = LeafIndex(i);
            let l = leaf(i);
            let proof = inclusion_proof(index, size, &tree).unwrap();
            assert_eq!(
                proof,
                r.path(i as usize, 0, n as usize),
                "PATH({i}, D[{n}])"
            );
            let nodes = inclusion_proof_nodes(index, size).unwrap();
            assert!(nodes.len() >= proof.len() && nodes.len() <= 2 * proof.len() + 1);
            assert_eq!(verify_inclusion(&l, index, size, &proof, &root), Ok(()));

            // A flipped bit, in a proof hash and bit that vary from case to
            // case (`every_bit_of_small_proofs` and
            // `wrong_sizes_indices_and_roots` try them all on smaller trees).
            if !proof.is_empty() {
                let j = (i + n) as usize % proof.len();
                let bit = (i * 31 + n * 7) as usize % 256;
                assert_eq!(
                    verify_inclusion(&l, index, size, &flip(&proof, j, bit), &root),
                    Err(VerifyError::RootMismatch),
                    "{i} in {n}: bit {bit} of hash {j}"
                );
            }
            assert_eq!(
                verify_inclusion(&leaf(i + 1), index, size, &proof, &root),
                Err(VerifyError::RootMismatch)
            );
            assert!(matches!(
                verify_inclusion(&l, LeafIndex(n), size, &proof, &root),
                Err(VerifyError::IndexOutOfRange { .. })
            ));
            // Truncated, extended, prefixed.
            let len = proof.len();
            let wrong_len = |got| Err(VerifyError::WrongProofLength { expected: len, got });
            if len > 0 {
                let short = &proof[..len - 1];
                assert_eq!(
                    verify_inclusion(&l, index, size, short, &root),
                    wrong_len(len - 1)
                );
            }
            let mut long = proof.clone();
            long.push(root);
            assert_eq!(
                verify_inclusion(&l, index, size, &long, &root),
                wrong_len(len + 1)
            );
            let mut long = vec![l];
            long.extend_from_slice(&proof);
            assert_eq!(
                verify_inclusion(&l, index, size, &long, &root),
                wrong_len(len + 1)
            );
        }
        assert!(matches!(
            inclusion_proof(LeafIndex(n), size, &tree),
            Err(ProofError::IndexOutOfRange { .. })
        ));
    }
}

#[test]
fn every_consistency_proof() {
    let r = Reference::new(MAX);
    let tree = MemoryHashes::from_leaf_hashes(r.leaves.iter().copied());
    for new in 1..=MAX {
        let new_root = r.root(new);
        for old in 1..=new {
            let (o, n) = (TreeSize(old), TreeSize(new));
            let old_root = r.root(old);
            let proof = consistency_proof(o, n, &tree).unwrap();
            let want = r.subproof(old as usize, 0, new as usize, true);
            assert_eq!(proof, want, "PROOF({old}, D[{new}])");
            assert_eq!(
                consistency_proof_nodes(o, n).unwrap().is_empty(),
                old == new
            );
            assert_eq!(
                verify_consistency(o, n, &old_root, &new_root, &proof),
                Ok(())
            );
            if old == new {
                continue;
            }
            // One flipped bit, in a proof hash and bit that vary from case
            // to case (`every_bit_of_small_proofs` and
            // `wrong_sizes_indices_and_roots` try them all on smaller trees).
            let len = proof.len();
            let (j, bit) = (
                (old + new) as usize % len,
                (old * 37 + new * 11) as usize % 256,
            );
            assert!(
                verify_consistency(o, n, &old_root, &new_root, &flip(&proof, j, bit)).is_err(),
                "{old} -> {new}: bit {bit} of hash {j}"
            );
            assert_eq!(
                verify_consistency(o, n, &old_root, &old_root, &proof),
                Err(VerifyError::RootMismatch)
            );
            // Truncated, extended, prefixed, empty.
            let wrong_len = |got| Err(VerifyError::WrongProofLength { expected: len, got });
            let verify = |p: &[Hash]| verify_consistency(o, n, &old_root, &new_root, p);
            assert_eq!(verify(&proof[..len - 1]), wrong_len(len - 1));
            assert_eq!(verify(&[]), wrong_len(0));
            let mut long = proof.clone();
            long.push(new_root);
            assert_eq!(verify(&long), wrong_len(len + 1));
            let mut long = vec![old_root];
            long.extend_from_slice(&proof);
            assert_eq!(verify(&long), wrong_len(len + 1));
        }
        assert!(matches!(
            consistency_proof(TreeSize(new + 1), TreeSize(new), &tree),
            Err(ProofError::SizeOutOfRange { .. })
        ));
        assert!(matches!(
            consistency_proof(TreeSize(0), TreeSize(new), &tree),
            Err(ProofError::SizeOutOfRange { .. })
        ));
    }
}

/// Every proof of the trees up to `MID` leaves fails when claimed for any
/// other index or size (with the root of that size), with any one of its
/// hashes corrupted, or against a wrong root.
#[test]
fn wrong_sizes_indices_and_roots() {
    const MID: u64 = 24;
    let r = Reference::new(MID);
    let tree = MemoryHashes::from_leaf_hashes(r.leaves.iter().copied());
    for n in 1..=MID {
        let (size, root) = (TreeSize(n), r.root(n));
        for i in 0..n {
            let l = leaf(i);
            let proof = inclusion_proof(LeafIndex(i), size, &tree).unwrap();
            for j in 0..proof.len() {
                let bad = flip(&proof, j, (i as usize * 13 + j * 29) % 256);
                assert!(verify_inclusion(&l, LeafIndex(i), size, &bad, &root).is_err());
            }
            for j in (0..n).filter(|&j| j != i) {
                assert!(
                    verify_inclusion(&l, LeafIndex(j), size, &proof, &root).is_err(),
                    "{i} in {n} claimed as {j}"
                );
            }
            for m in (i + 1..=MID).filter(|&m| m != n) {
                assert!(
                    verify_inclusion(&l, LeafIndex(i), TreeSize(m), &proof, &r.root(m)).is_err(),
                    "{i} in {n} claimed in {m}"
                );
            }
            assert_eq!(
                verify_inclusion(&l, LeafIndex(i), size, &proof, &empty_root()),
                Err(VerifyError::RootMismatch)
            );
        }
        for old in 1..n {
            let (o, old_root) = (TreeSize(old), r.root(old));
            let proof = consistency_proof(o, size, &tree).unwrap();
            for j in 0..proof.len() {
                let bad = flip(&proof, j, (old as usize * 13 + j * 29) % 256);
                assert!(verify_consistency(o, size, &old_root, &root, &bad).is_err());
            }
            for m in (1..=n).filter(|&m| m != old) {
                assert!(
                    verify_consistency(TreeSize(m), size, &r.root(m), &root, &proof).is_err(),
                    "{old} -> {n} claimed from {m}"
                );
            }
            for m in (old..=MID).filter(|&m| m != n) {
                assert!(
                    verify_consistency(o, TreeSize(m), &old_root, &r.root(m), &proof).is_err(),
                    "{old} -> {n} claimed to {m}"
                );
            }
            // A wrong old root: when `old` is a power of two the verifier
            // starts from the claimed old root itself (RFC 9162 §2.1.4.2
            // step 2), so the mismatch shows in the new root instead.
            let wrong_old = verify_consistency(o, size, &root, &root, &proof);
            if old.is_power_of_two() {
                assert_eq!(wrong_old, Err(VerifyError::RootMismatch));
            } else {
                assert_eq!(wrong_old, Err(VerifyError::OldRootMismatch));
            }
            assert!(verify_consistency(o, size, &root, &old_root, &proof).is_err());
        }
    }
}

/// Every single-bit change of every proof hash, for the smallest trees.
#[test]
fn every_bit_of_small_proofs() {
    const SMALL: u64 = 8;
    let r = Reference::new(SMALL);
    let tree = MemoryHashes::from_leaf_hashes(r.leaves.iter().copied());
    for n in 1..=SMALL {
        let (size, root) = (TreeSize(n), r.root(n));
        for i in 0..n {
            let proof = inclusion_proof(LeafIndex(i), size, &tree).unwrap();
            for j in 0..proof.len() {
                for bit in 0..256 {
                    let bad = flip(&proof, j, bit);
                    assert!(verify_inclusion(&leaf(i), LeafIndex(i), size, &bad, &root).is_err());
                }
            }
        }
        for old in 1..n {
            let (o, old_root) = (TreeSize(old), r.root(old));
            let proof = consistency_proof(o, size, &tree).unwrap();
            for j in 0..proof.len() {
                for bit in 0..256 {
                    let bad = flip(&proof, j, bit);
                    assert!(verify_consistency(o, size, &old_root, &root, &bad).is_err());
                }
            }
        }
    }
}

/// An inclusion proof does not by itself fix the tree size: the proof of leaf
/// 0 in the tree of 3 leaves also verifies as a proof in a tree of 4 leaves
/// *with the root of the 3-leaf tree*, because both sizes put leaf 0 at the
/// same place relative to the siblings (RFC 9162 §2.1.3.2 reads only the
/// shape of the path). A root is only meaningful together with its size, as
/// a signed checkpoint carries both.
#[test]
fn the_size_is_bound_by_the_root_not_by_the_proof() {
    let r = Reference::new(4);
    let tree = MemoryHashes::from_leaf_hashes(r.leaves.iter().copied());
    let proof = inclusion_proof(LeafIndex(0), TreeSize(3), &tree).unwrap();
    let root3 = r.root(3);
    assert_eq!(
        verify_inclusion(&leaf(0), LeafIndex(0), TreeSize(4), &proof, &root3),
        Ok(())
    );
    assert!(verify_inclusion(&leaf(0), LeafIndex(0), TreeSize(4), &proof, &r.root(4)).is_err());
}

/// A reader that breaks its contract.
#[derive(Debug)]
struct ShortReader(MemoryHashes);

impl HashReader for ShortReader {
    type Error = std::io::Error;

    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, Self::Error> {
        if ids.len() > 3 {
            return Err(std::io::Error::other("too many"));
        }
        let mut out = self.0.read_hashes(ids).map_err(std::io::Error::other)?;
        out.pop();
        Ok(out)
    }
}

#[test]
fn reader_errors_are_reported() {
    let reader = ShortReader(MemoryHashes::from_leaf_hashes((0..20).map(leaf)));
    assert!(matches!(
        inclusion_proof(LeafIndex(3), TreeSize(8), &reader),
        Err(ProofError::WrongHashCount {
            expected: 3,
            got: 2
        })
    ));
    assert!(matches!(
        inclusion_proof(LeafIndex(3), TreeSize(20), &reader),
        Err(ProofError::Read(_))
    ));
    assert!(matches!(
        tree_hash(TreeSize(20), &reader),
        Err(ProofError::WrongHashCount {
            expected: 2,
            got: 1
        })
    ));
    // Nothing to read, nothing to fail.
    assert_eq!(tree_hash(TreeSize(0), &reader).unwrap(), empty_root());
    assert_eq!(
        consistency_proof(TreeSize(9), TreeSize(9), &reader).unwrap(),
        []
    );
    let err = inclusion_proof(LeafIndex(3), TreeSize(20), &reader).unwrap_err();
    assert_eq!(err.to_string(), "reading stored hashes");
    assert!(std::error::Error::source(&err).is_some());
}
