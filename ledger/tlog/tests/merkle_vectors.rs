//! Known-answer tests for the Merkle tree, from public sources.
//!
//! The tree is the RFC 6962 test tree used by certificate-transparency-go and
//! its successor transparency-dev/merkle: eight leaves with the data below.
//! Values are copied from
//! - <https://github.com/transparency-dev/merkle/blob/582a6ad190b6848f1d26f8bf08ddef29955d9db1/testonly/constants.go>
//!   (`LeafInputs`, `NodeHashes`, `RootHashes`, `CompactTrees`);
//! - <https://github.com/transparency-dev/merkle/blob/141d627eab770a7e9a2514f46a8b6338e6d90874/testonly/reference_test.go>
//!   (`TestRefInclusionProof`, `TestRefConsistencyProof`);
//! - <https://github.com/transparency-dev/merkle/blob/02194e9afb6c1d95b5381350007963aa70fff472/proof/verify_test.go>
//!   (`inclusionProofs`, whose leaf numbers are 1-based, and
//!   `consistencyProofs`, which adds the 6 -> 7 proof).

use vledger_tlog::merkle::{
    Frontier, LeafIndex, MemoryHashes, NodeId, TreeSize, VerifyError, consistency_proof,
    inclusion_proof, tree_hash, verify_consistency, verify_inclusion,
};
use vledger_tlog::{Hash, empty_root, leaf_hash};

/// `LeafInputs()`, hex.
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// `NodeHashes()`: the hashes of all complete subtrees, by level then index.
const NODE_HASHES: [&[&str]; 4] = [
    &[
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    &[
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    &[
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

/// `RootHashes()`: the root of the tree of each size 0..=8.
const ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// `CompactTrees()`: the frontier of each size 0..=8, as (level, index) into
/// `NODE_HASHES`.
const COMPACT_TREES: [&[(usize, usize)]; 9] = [
    &[],
    &[(0, 0)],
    &[(1, 0)],
    &[(1, 0), (0, 2)],
    &[(2, 0)],
    &[(2, 0), (0, 4)],
    &[(2, 0), (1, 2)],
    &[(2, 0), (1, 2), (0, 6)],
    &[(3, 0)],
];

/// (index, size, proof): `TestRefInclusionProof`, plus `inclusionProofs` of
/// verify_test.go with its 1-based leaf numbers made 0-based.
const INCLUSION: &[(u64, u64, &[&str])] = &[
    (0, 1, &[]),
    (
        0,
        2,
        &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"],
    ),
    (
        1,
        2,
        &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

/// (old, new, proof): `TestRefConsistencyProof`, plus 6 -> 7 from
/// `consistencyProofs` of verify_test.go.
const CONSISTENCY: &[(u64, u64, &[&str])] = &[
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn h(hex_str: &str) -> Hash {
    Hash::from_slice(&hex::decode(hex_str).unwrap()).unwrap()
}

fn hashes(hex_strs: &[&str]) -> Vec<Hash> {
    hex_strs.iter().map(|s| h(s)).collect()
}

fn leaf_hashes() -> Vec<Hash> {
    LEAVES
        .iter()
        .map(|d| leaf_hash(&hex::decode(d).unwrap()))
        .collect()
}

fn tree() -> MemoryHashes {
    MemoryHashes::from_leaf_hashes(leaf_hashes())
}

#[test]
fn leaf_and_node_hashes() {
    let tree = tree();
    assert_eq!(leaf_hashes(), hashes(NODE_HASHES[0]));
    for (level, want) in NODE_HASHES.iter().enumerate() {
        for (index, want) in want.iter().enumerate() {
            let id = NodeId {
                level: level as u8,
                index: index as u64,
            };
            assert_eq!(tree.get(id), Some(h(want)), "node {id}");
        }
    }
    assert_eq!(tree.get(NodeId { level: 3, index: 1 }), None);
}

#[test]
fn roots_of_every_size() {
    assert_eq!(empty_root(), h(ROOTS[0]));
    let tree = tree();
    let mut frontier = Frontier::new();
    for (size, want) in ROOTS.iter().enumerate() {
        assert_eq!(frontier.root(), h(want), "frontier root of size {size}");
        assert_eq!(
            tree_hash(TreeSize(size as u64), &tree).unwrap(),
            h(want),
            "size {size}"
        );
        if let Some(&leaf) = leaf_hashes().get(size) {
            frontier.append(leaf);
        }
    }
}

#[test]
fn frontiers_of_every_size() {
    let tree = tree();
    for (size, want) in COMPACT_TREES.iter().enumerate() {
        let want: Vec<(NodeId, Hash)> = want
            .iter()
            .map(|&(level, index)| {
                let id = NodeId {
                    level: level as u8,
                    index: index as u64,
                };
                (id, h(NODE_HASHES[level][index]))
            })
            .collect();
        let frontier = Frontier::load(TreeSize(size as u64), &tree).unwrap();
        assert_eq!(frontier.subtrees(), want, "size {size}");
    }
}

#[test]
fn inclusion_proofs() {
    let tree = tree();
    let leaves = leaf_hashes();
    for &(index, size, want) in INCLUSION {
        let (index, size) = (LeafIndex(index), TreeSize(size));
        let want = hashes(want);
        let got = inclusion_proof(index, size, &tree).unwrap();
        assert_eq!(got, want, "proof of {index} in {size}");
        let root = h(ROOTS[size.0 as usize]);
        let leaf = &leaves[index.0 as usize];
        assert_eq!(verify_inclusion(leaf, index, size, &want, &root), Ok(()));
        assert_eq!(
            verify_inclusion(&leaves[7], index, size, &want, &root),
            Err(VerifyError::RootMismatch),
            "leaf 7 is not at {index} of {size}"
        );
    }
}

#[test]
fn consistency_proofs() {
    let tree = tree();
    for &(old, new, want) in CONSISTENCY {
        let (old, new) = (TreeSize(old), TreeSize(new));
        let want = hashes(want);
        assert_eq!(
            consistency_proof(old, new, &tree).unwrap(),
            want,
            "{old} -> {new}"
        );
        let (old_root, new_root) = (h(ROOTS[old.0 as usize]), h(ROOTS[new.0 as usize]));
        assert_eq!(
            verify_consistency(old, new, &old_root, &new_root, &want),
            Ok(())
        );
        if old != new {
            assert!(verify_consistency(old, new, &new_root, &old_root, &want).is_err());
        }
    }
}

/// The cases of `TestVerifyConsistency` in verify_test.go where this crate
/// deliberately differs: transparency-dev accepts `0 -> 0` with equal roots and
/// `0 -> 1` with any roots and an empty proof; RFC 9162 defines no proof from
/// the empty tree, so these are refused here (see `merkle::consistency`).
#[test]
fn no_consistency_from_the_empty_tree() {
    let (a, b) = (h(ROOTS[0]), h(ROOTS[1]));
    for (old, new, r1, r2) in [(0, 0, a, a), (0, 1, a, b), (0, 1, b, b)] {
        assert_eq!(
            verify_consistency(TreeSize(old), TreeSize(new), &r1, &r2, &[]),
            Err(VerifyError::OldSizeZero)
        );
    }
    // "Time travel to the past" and "empty proof" fail as they do there.
    assert!(verify_consistency(TreeSize(2), TreeSize(1), &a, &b, &[]).is_err());
    assert!(verify_consistency(TreeSize(1), TreeSize(2), &a, &b, &[]).is_err());
    // "Roots match but the proof is not empty."
    assert!(verify_consistency(TreeSize(1), TreeSize(1), &a, &a, &[a]).is_err());
}
