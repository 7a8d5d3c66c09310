//! Property tests: random trees up to `MAX` leaves, random indices and sizes;
//! proofs verify and random corruption fails. Verification never panics, at
//! any size up to `u64::MAX`.

use std::sync::OnceLock;

use proptest::prelude::*;
use vledger_tlog::merkle::{
    Frontier, LeafIndex, MemoryHashes, TreeSize, VerifyError, consistency_proof, inclusion_proof,
    tree_hash, verify_consistency, verify_inclusion,
};
use vledger_tlog::{Hash, empty_root, leaf_hash, node_hash};

const MAX: u64 = 5000;

fn leaf(i: u64) -> Hash {
    leaf_hash(&i.to_be_bytes())
}

/// One tree of `MAX` leaves, shared by all cases: the hashes it stores serve
/// every smaller size too.
fn tree() -> &'static MemoryHashes {
    static TREE: OnceLock<MemoryHashes> = OnceLock::new();
    TREE.get_or_init(|| MemoryHashes::from_leaf_hashes((0..MAX).map(leaf)))
}

fn flip(proof: &[Hash], j: usize, bit: usize) -> Vec<Hash> {
    let mut p = proof.to_vec();
    p[j].0[bit / 8] ^= 1 << (bit % 8);
    p
}

/// RFC 6962 MTH, straight from the definition.
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = 1 << (usize::BITS - 1 - (n - 1).leading_zeros());
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

fn any_hash() -> impl Strategy<Value = Hash> {
    any::<[u8; 32]>().prop_map(Hash)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn inclusion_proofs_verify_and_corruption_fails(
        size in 1..=MAX,
        index in any::<u64>(),
        other in any::<u64>(),
        j in any::<usize>(),
        bit in 0..256usize,
    ) {
        let (index, size) = (LeafIndex(index % size), TreeSize(size));
        let root = tree_hash(size, tree()).unwrap();
        let proof = inclusion_proof(index, size, tree()).unwrap();
        let l = leaf(index.0);
        prop_assert_eq!(verify_inclusion(&l, index, size, &proof, &root), Ok(()));
        if !proof.is_empty() {
            let bad = flip(&proof, j % proof.len(), bit);
            prop_assert_eq!(
                verify_inclusion(&l, index, size, &bad, &root),
                Err(VerifyError::RootMismatch)
            );
        }
        if size.0 > 1 {
            let wrong = LeafIndex((index.0 + 1 + other % (size.0 - 1)) % size.0);
            prop_assert!(verify_inclusion(&l, wrong, size, &proof, &root).is_err());
        }
    }

    #[test]
    fn consistency_proofs_verify_and_corruption_fails(
        new in 1..=MAX,
        old in any::<u64>(),
        j in any::<usize>(),
        bit in 0..256usize,
    ) {
        let (old, new) = (TreeSize(1 + old % new), TreeSize(new));
        let old_root = tree_hash(old, tree()).unwrap();
        let new_root = tree_hash(new, tree()).unwrap();
        let proof = consistency_proof(old, new, tree()).unwrap();
        prop_assert_eq!(verify_consistency(old, new, &old_root, &new_root, &proof), Ok(()));
        if !proof.is_empty() {
            let bad = flip(&proof, j % proof.len(), bit);
            prop_assert!(verify_consistency(old, new, &old_root, &new_root, &bad).is_err());
            prop_assert!(verify_consistency(old, new, &new_root, &old_root, &proof).is_err());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn append_then_verify(
        entries in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..120),
        pick in any::<u64>(),
    ) {
        let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
        let mut frontier = Frontier::new();
        let mut store = MemoryHashes::new();
        for &l in &leaves {
            frontier.append(l);
            store.append(l);
        }
        let size = TreeSize(leaves.len() as u64);
        prop_assert_eq!(frontier.root(), mth(&leaves));
        prop_assert_eq!(store.root(), frontier.root());
        prop_assert_eq!(&Frontier::load(size, &store).unwrap(), &frontier);

        let index = LeafIndex(pick % size.0);
        let proof = inclusion_proof(index, size, &store).unwrap();
        let l = &leaves[index.0 as usize];
        prop_assert_eq!(verify_inclusion(l, index, size, &proof, &frontier.root()), Ok(()));

        let old = TreeSize(1 + pick % size.0);
        let old_root = mth(&leaves[..old.0 as usize]);
        let proof = consistency_proof(old, size, &store).unwrap();
        prop_assert_eq!(
            verify_consistency(old, size, &old_root, &frontier.root(), &proof),
            Ok(())
        );
    }

    /// Any index and size up to `u64::MAX`, and a random proof of exactly the
    /// length the verifier expects (so that it runs to the end): no panic, no
    /// overflow, and no acceptance.
    #[test]
    fn random_inclusion_proofs_are_refused(
        index in any::<u64>(),
        size in any::<u64>(),
        leaf in any_hash(),
        root in any_hash(),
        hashes in prop::collection::vec(any_hash(), 64),
    ) {
        let (index, size) = (LeafIndex(index.min(size.saturating_sub(1))), TreeSize(size));
        match verify_inclusion(&leaf, index, size, &[], &root) {
            Err(VerifyError::WrongProofLength { expected, got: 0 }) => {
                prop_assert!(expected <= 64);
                prop_assert_eq!(
                    verify_inclusion(&leaf, index, size, &hashes[..expected], &root),
                    Err(VerifyError::RootMismatch)
                );
            }
            Err(VerifyError::IndexOutOfRange { .. }) => prop_assert_eq!(size.0, 0),
            other => prop_assert!(size.0 == 1 && other == Err(VerifyError::RootMismatch)),
        }
    }

    #[test]
    fn random_consistency_proofs_are_refused(
        old in any::<u64>(),
        new in any::<u64>(),
        old_root in any_hash(),
        new_root in any_hash(),
        hashes in prop::collection::vec(any_hash(), 130),
    ) {
        let (old, new) = (TreeSize(old.min(new)), TreeSize(new));
        match verify_consistency(old, new, &old_root, &new_root, &[]) {
            Err(VerifyError::WrongProofLength { expected, got: 0 }) => {
                prop_assert!(expected <= 128);
                let result =
                    verify_consistency(old, new, &old_root, &new_root, &hashes[..expected]);
                prop_assert!(matches!(
                    result,
                    Err(VerifyError::RootMismatch | VerifyError::OldRootMismatch)
                ));
            }
            Err(VerifyError::OldSizeZero) => prop_assert_eq!(old.0, 0),
            other => {
                prop_assert_eq!(old, new);
                prop_assert_eq!(other, Err(VerifyError::RootMismatch));
            }
        }
    }
}
