//! Cross-checks against two independent Merkle tree implementations:
//!
//! - `ct-merkle` (rozbb), an RFC 6962 tree with inclusion and consistency
//!   proofs. It hashes leaf *values* itself (`SHA-256(0x00 || bytes)` through
//!   its `HashableLeaf` trait), so it is given the entries' bytes while this
//!   crate is given `leaf_hash(bytes)`: roots and proofs are compared hash for
//!   hash, and each side verifies the other's proofs.
//! - `rs_merkle`, a generic Merkle tree over caller-supplied leaf hashes, with
//!   a `Hasher` written here for RFC 6962 node hashing (`0x01` prefix).
//!
//! Neither oracle shares tree code with this crate. They share SHA-256 itself:
//! ct-merkle 0.3 is generic over `digest` 0.11 while this crate uses `sha2`
//! 0.10, so `Sha256` below adapts `sha2` 0.10 to the `digest` 0.11 traits.
//! SHA-256 is pinned independently by the known-answer vectors in
//! `merkle_vectors.rs`.

use ct_merkle::digest::consts::U32;
use ct_merkle::digest::{FixedOutput, HashMarker, Output, OutputSizeUser, Update};
use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use vledger_tlog::merkle::{
    LeafIndex, MemoryHashes, TreeSize, consistency_proof, inclusion_proof, tree_hash,
    verify_consistency, verify_inclusion,
};
use vledger_tlog::{Hash, empty_root, leaf_hash, node_hash};

/// SHA-256 from `sha2` 0.10 behind the `digest` 0.11 traits ct-merkle needs.
#[derive(Clone, Default)]
struct Sha256(sha2::Sha256);

impl HashMarker for Sha256 {}

impl OutputSizeUser for Sha256 {
    type OutputSize = U32;
}

impl Update for Sha256 {
    fn update(&mut self, data: &[u8]) {
        sha2::Digest::update(&mut self.0, data);
    }
}

impl FixedOutput for Sha256 {
    fn finalize_into(self, out: &mut Output<Self>) {
        out.copy_from_slice(&sha2::Digest::finalize(self.0));
    }
}

fn entry(i: u64) -> Vec<u8> {
    format!("vehicle record {i}").into_bytes()
}

fn to_ct(h: &Hash) -> Output<Sha256> {
    Output::<Sha256>::from(h.0)
}

fn from_ct_bytes(bytes: &[u8]) -> Vec<Hash> {
    assert_eq!(bytes.len() % 32, 0);
    bytes
        .chunks(32)
        .map(|c| Hash::from_slice(c).unwrap())
        .collect()
}

/// Sizes for ct-merkle: every tree up to this size, every index and every
/// pair of sizes.
const CT_MAX: u64 = 64;

#[test]
fn ct_merkle_agrees_on_roots_and_proofs() {
    let leaves: Vec<Hash> = (0..CT_MAX).map(|i| leaf_hash(&entry(i))).collect();
    let ours = MemoryHashes::from_leaf_hashes(leaves.iter().copied());
    let mut ct = MemoryBackedTree::<Sha256, Vec<u8>>::new();
    assert_eq!(ct.root().as_bytes().as_slice(), empty_root().as_bytes());
    for n in 1..=CT_MAX {
        ct.push(entry(n - 1));
        let size = TreeSize(n);
        let root = tree_hash(size, &ours).unwrap();
        let ct_root = ct.root();
        assert_eq!(
            ct_root.as_bytes().as_slice(),
            root.as_bytes(),
            "root of {n}"
        );

        for i in 0..n {
            let ct_proof = ct.prove_inclusion(i as usize);
            let proof = inclusion_proof(LeafIndex(i), size, &ours).unwrap();
            assert_eq!(from_ct_bytes(ct_proof.as_bytes()), proof, "{i} in {n}");
            // Each verifies the other's proof.
            let l = &leaves[i as usize];
            assert_eq!(
                verify_inclusion(l, LeafIndex(i), size, &proof, &root),
                Ok(())
            );
            let ours_as_ct = InclusionProof::<Sha256>::from_digests(
                proof.iter().map(to_ct).collect::<Vec<_>>().iter(),
            );
            assert!(ct_root.verify_inclusion(&entry(i), i, &ours_as_ct).is_ok());
        }

        for old in 1..=n {
            let ct_proof = ct.prove_consistency((n - old) as usize);
            let proof = consistency_proof(TreeSize(old), size, &ours).unwrap();
            assert_eq!(from_ct_bytes(ct_proof.as_bytes()), proof, "{old} -> {n}");
            let old_root = tree_hash(TreeSize(old), &ours).unwrap();
            assert_eq!(
                verify_consistency(TreeSize(old), size, &old_root, &root, &proof),
                Ok(())
            );
            let ct_old_root = RootHash::<Sha256>::new(to_ct(&old_root), old);
            let ours_as_ct = ConsistencyProof::<Sha256>::from_digests(
                proof.iter().map(to_ct).collect::<Vec<_>>().iter(),
            );
            assert!(
                ct_root
                    .verify_consistency(&ct_old_root, &ours_as_ct)
                    .is_ok()
            );
        }
    }
}

/// RFC 6962 hashing for rs_merkle. rs_merkle is handed leaf hashes, so
/// `hash` only serves as its generic byte hash; `concat_and_hash` is the node
/// hash, and, as rs_merkle's default does, passes a node without a right
/// sibling up unchanged.
#[derive(Clone)]
struct Rfc6962;

impl rs_merkle::Hasher for Rfc6962 {
    type Hash = [u8; 32];

    fn hash(data: &[u8]) -> [u8; 32] {
        leaf_hash(data).0
    }

    fn concat_and_hash(left: &[u8; 32], right: Option<&[u8; 32]>) -> [u8; 32] {
        match right {
            Some(right) => node_hash(&Hash(*left), &Hash(*right)).0,
            None => *left,
        }
    }
}

/// Why rs_merkle's tree is the RFC 6962 tree for every size, balanced or not:
/// rs_merkle builds level by level, hashing nodes in pairs from the left and
/// promoting an unpaired last node unchanged. By induction, level `l` then
/// holds the complete subtrees `(l, j)` for `j < n >> l`, followed, if `2^l`
/// does not divide `n`, by one node for the leftover range
/// `[(n >> l) << l, n)` holding its RFC 6962 MTH. Pairing that leftover with
/// the complete subtree to its left gives `MTH` of a range of `2^l + r` leaves
/// with `r < 2^l`, which RFC 6962 splits at `2^l` into exactly those two
/// parts; promoting it keeps the range as it is. So roots and single-leaf
/// proofs agree for every size, and the test compares them all (a proof
/// skips a level where the node was promoted, as `PATH` has no hash there).
/// The two differ only for the empty tree: rs_merkle has no root (`None`),
/// RFC 6962 has `SHA-256("")`. rs_merkle has no consistency proofs, so only
/// its roots of the old and new trees are checked against ours.
#[test]
fn rs_merkle_agrees_on_roots_and_inclusion_proofs() {
    const MAX: u64 = 100;
    let leaves: Vec<[u8; 32]> = (0..MAX + 1).map(|i| leaf_hash(&entry(i)).0).collect();
    let ours = MemoryHashes::from_leaf_hashes(leaves.iter().map(|&h| Hash(h)));
    assert_eq!(
        rs_merkle::MerkleTree::<Rfc6962>::from_leaves(&[]).root(),
        None
    );
    let mut roots = vec![empty_root()];
    for n in 1..=MAX {
        let rs = rs_merkle::MerkleTree::<Rfc6962>::from_leaves(&leaves[..n as usize]);
        let size = TreeSize(n);
        let root = tree_hash(size, &ours).unwrap();
        assert_eq!(rs.root(), Some(root.0), "root of {n}");
        roots.push(root);
        for i in 0..n {
            let proof = inclusion_proof(LeafIndex(i), size, &ours).unwrap();
            let rs_proof = rs.proof(&[i as usize]);
            let rs_hashes: Vec<Hash> = rs_proof.proof_hashes().iter().map(|&h| Hash(h)).collect();
            assert_eq!(rs_hashes, proof, "{i} in {n}");
            let l = leaves[i as usize];
            assert!(rs_proof.verify(root.0, &[i as usize], &[l], n as usize));
            assert_eq!(
                verify_inclusion(&Hash(l), LeafIndex(i), size, &proof, &root),
                Ok(())
            );
        }
    }
    // rs_merkle's roots of both trees, against our consistency proofs (all
    // pairs are checked against the RFC definition in merkle_exhaustive.rs).
    for new in 1..=MAX {
        for old in [1, new.div_ceil(2), new.saturating_sub(1).max(1), new] {
            let proof = consistency_proof(TreeSize(old), TreeSize(new), &ours).unwrap();
            let (old_root, new_root) = (&roots[old as usize], &roots[new as usize]);
            assert_eq!(
                verify_consistency(TreeSize(old), TreeSize(new), old_root, new_root, &proof),
                Ok(())
            );
        }
    }
}

/// A few larger, unbalanced sizes, roots only.
#[test]
fn rs_merkle_agrees_on_larger_roots() {
    let leaves: Vec<[u8; 32]> = (0..1025u64).map(|i| leaf_hash(&entry(i)).0).collect();
    let ours = MemoryHashes::from_leaf_hashes(leaves.iter().map(|&h| Hash(h)));
    for n in [127usize, 255, 256, 257, 600, 1000, 1023, 1024, 1025] {
        let rs = rs_merkle::MerkleTree::<Rfc6962>::from_leaves(&leaves[..n]);
        assert_eq!(
            rs.root(),
            Some(tree_hash(TreeSize(n as u64), &ours).unwrap().0),
            "{n}"
        );
    }
}
