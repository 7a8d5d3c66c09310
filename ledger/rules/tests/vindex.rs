//! The VIN index (sparse Merkle tree): roots match an independent recursive
//! definition whatever the order and batching of updates; membership and
//! non-membership proofs verify, and changed proofs do not.

use std::collections::BTreeMap;

use proptest::prelude::*;
use vledger_records::vindex::{
    EMPTY, IndexKey, IndexProof, IndexProofError, IndexValue, ProofDecodeError, Terminal,
    index_leaf_hash, index_node_hash,
};
use vledger_rules::index_tree::{MemoryTiles, VinIndex};
use vledger_tlog::{Hash, sha256};

fn key(n: u64) -> IndexKey {
    IndexKey(sha256(&n.to_be_bytes()).0)
}

fn value(n: u64) -> IndexValue {
    IndexValue {
        index: n * 3,
        leaf_hash: sha256(&n.to_le_bytes()),
        count: n % 7 + 1,
    }
}

/// The root straight from the definition: empty subtrees hash to EMPTY, a
/// subtree with one key to its leaf hash, any other to the interior hash of
/// its two halves.
fn reference_root(entries: &[(IndexKey, IndexValue)], depth: u16) -> Hash {
    match entries {
        [] => EMPTY,
        [(k, v)] => index_leaf_hash(k, v),
        _ => {
            let split = entries.partition_point(|(k, _)| !k.bit(depth));
            index_node_hash(
                &reference_root(&entries[..split], depth + 1),
                &reference_root(&entries[split..], depth + 1),
            )
        }
    }
}

fn reference(map: &BTreeMap<IndexKey, IndexValue>) -> Hash {
    let entries: Vec<_> = map.iter().map(|(k, v)| (*k, *v)).collect();
    reference_root(&entries, 0)
}

/// Applies `updates` in batches of `batch` and returns the stored nodes and root.
fn build(updates: &[(IndexKey, IndexValue)], batch: usize) -> (MemoryTiles, Hash) {
    let mut nodes = MemoryTiles::new();
    let mut root = EMPTY;
    for chunk in updates.chunks(batch.max(1)) {
        let mut index = VinIndex::new(&nodes);
        for (k, v) in chunk {
            index.set(*k, *v).unwrap();
        }
        root = index.root().unwrap();
        let changes = index.into_changes();
        nodes.apply(changes);
    }
    (nodes, root)
}

#[test]
fn empty_and_single_key_roots() {
    assert_eq!(build(&[], 1).1, EMPTY);
    let (_, root) = build(&[(key(1), value(1))], 1);
    assert_eq!(root, index_leaf_hash(&key(1), &value(1)));
}

#[test]
fn roots_match_the_definition_for_every_batching_and_update() {
    let mut map = BTreeMap::new();
    let mut updates = Vec::new();
    for n in 0..300u64 {
        // Some keys are updated again with a new value.
        let k = key(n % 230);
        let v = value(n);
        map.insert(k, v);
        updates.push((k, v));
    }
    let expected = reference(&map);
    for batch in [1, 2, 7, 64, 300] {
        assert_eq!(build(&updates, batch).1, expected, "batch size {batch}");
    }
    let mut reversed = updates.clone();
    reversed.reverse();
    // Reversed order ends with older values; rebuild the map it implies.
    let mut rmap = BTreeMap::new();
    for (k, v) in &reversed {
        rmap.insert(*k, *v);
    }
    assert_eq!(build(&reversed, 13).1, reference(&rmap));
}

#[test]
fn keys_sharing_long_prefixes_split_where_they_part() {
    // Keys that differ only in their last bit, and in one middle bit.
    let mut a = [0x5au8; 32];
    let mut b = a;
    b[31] ^= 1;
    let mut c = a;
    c[16] ^= 0x10;
    a[0] = 0x5a;
    let updates: Vec<_> = [a, b, c]
        .iter()
        .enumerate()
        .map(|(i, k)| (IndexKey(*k), value(i as u64)))
        .collect();
    let map: BTreeMap<_, _> = updates.iter().copied().collect();
    let (nodes, root) = build(&updates, 1);
    assert_eq!(root, reference(&map));
    let index = VinIndex::new(&nodes);
    let proof = index.prove(&IndexKey(b)).unwrap();
    assert_eq!(proof.siblings.len(), 256);
    assert_eq!(proof.verify(&IndexKey(b), &root), Ok(Some(value(1))));
    assert_eq!(IndexProof::decode(&proof.encode()), Ok(proof));
}

#[test]
fn proofs_of_membership_and_absence_verify_and_resist_changes() {
    let updates: Vec<_> = (0..500).map(|n| (key(n), value(n))).collect();
    let (nodes, root) = build(&updates, 50);
    let index = VinIndex::new(&nodes);
    let (mut ended_empty, mut ended_other_leaf) = (0, 0);
    for n in 0..1000 {
        let k = key(n);
        let proof = index.prove(&k).unwrap();
        let expected = (n < 500).then(|| value(n));
        assert_eq!(proof.verify(&k, &root), Ok(expected), "key {n}");
        assert_eq!(IndexProof::decode(&proof.encode()).unwrap(), proof);
        assert!(proof.siblings.len() < 40, "compressed paths stay short");
        match proof.terminal {
            Terminal::Empty => ended_empty += 1,
            Terminal::Leaf { key: other, .. } if other != k => ended_other_leaf += 1,
            Terminal::Leaf { .. } => {}
        }
        // A changed sibling, a changed value, or a claim of absence for a
        // present key all fail.
        if let Some(i) = proof.siblings.iter().position(|s| *s != EMPTY) {
            let mut bad = proof.clone();
            bad.siblings[i].0[5] ^= 1;
            assert_eq!(bad.verify(&k, &root), Err(IndexProofError::RootMismatch));
        }
        if let Terminal::Leaf { key: lk, value: lv } = proof.terminal {
            let mut bad = proof.clone();
            bad.terminal = Terminal::Leaf {
                key: lk,
                value: IndexValue {
                    count: lv.count + 1,
                    ..lv
                },
            };
            assert_eq!(bad.verify(&k, &root), Err(IndexProofError::RootMismatch));
            let mut absent = proof.clone();
            absent.terminal = Terminal::Empty;
            assert_eq!(absent.verify(&k, &root), Err(IndexProofError::RootMismatch));
        }
        // A proof about a key says nothing about another key that is present.
        if n + 1 < 500 {
            assert!(
                proof.verify(&key(n + 1), &root).is_err(),
                "key {n} as {}",
                n + 1
            );
        }
    }
    assert!(
        ended_empty > 0 && ended_other_leaf > 0,
        "both kinds of absence proof occur"
    );
}

#[test]
fn a_leaf_off_the_path_proves_nothing() {
    let updates: Vec<_> = (0..64).map(|n| (key(n), value(n))).collect();
    let (nodes, root) = build(&updates, 64);
    let index = VinIndex::new(&nodes);
    // Take a real proof of key 1 and present it as a proof about key 2.
    let proof = index.prove(&key(1)).unwrap();
    let claimed = key(2);
    let result = proof.verify(&claimed, &root);
    assert!(
        matches!(
            result,
            Err(IndexProofError::LeafOffPath | IndexProofError::RootMismatch)
        ),
        "{result:?}"
    );
}

#[test]
fn decoding_is_strict() {
    let (nodes, _) = build(&[(key(1), value(1)), (key(2), value(2))], 2);
    let proof = VinIndex::new(&nodes).prove(&key(1)).unwrap();
    let bytes = proof.encode();
    assert_eq!(
        IndexProof::decode(&bytes[..bytes.len() - 1]),
        Err(ProofDecodeError::Truncated)
    );
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        IndexProof::decode(&long),
        Err(ProofDecodeError::TrailingBytes)
    );
    assert_eq!(
        IndexProof::decode(&[0x01, 0x01]),
        Err(ProofDecodeError::TooDeep(257))
    );
    // depth 1, bitmap with a padding bit set.
    assert_eq!(
        IndexProof::decode(&[0, 1, 0x40, 0]),
        Err(ProofDecodeError::BitmapPadding)
    );
    // depth 1, a present sibling that is the empty hash.
    let mut explicit = vec![0, 1, 0x80];
    explicit.extend_from_slice(&[0; 32]);
    explicit.push(0);
    assert_eq!(
        IndexProof::decode(&explicit),
        Err(ProofDecodeError::ExplicitEmpty)
    );
    assert_eq!(
        IndexProof::decode(&[0, 0, 7]),
        Err(ProofDecodeError::Terminal(7))
    );
}

proptest! {
    #[test]
    fn any_update_sequence_gives_the_defined_root(
        ops in proptest::collection::vec((0u64..80, 0u64..1000), 0..150),
        batch in 1usize..20,
    ) {
        let mut map = BTreeMap::new();
        let updates: Vec<_> = ops.iter().map(|(k, v)| (key(*k), value(*v))).collect();
        for (k, v) in &updates {
            map.insert(*k, *v);
        }
        let (nodes, root) = build(&updates, batch);
        prop_assert_eq!(root, reference(&map));
        let index = VinIndex::new(&nodes);
        for n in 0..80u64 {
            let proof = index.prove(&key(n)).unwrap();
            prop_assert_eq!(proof.verify(&key(n), &root).unwrap(), map.get(&key(n)).copied());
        }
    }
}

proptest! {
    // Paths here are up to 256 levels deep: fewer cases keep the test quick.
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Keys that share long prefixes and part at and around tile
    /// boundaries (depths 3 to 5, 12 to 16, 253 to 255): leaves pushed down
    /// across tiles, tiles created under former leaves, updates in place.
    #[test]
    fn keys_parting_across_tile_boundaries_give_the_defined_root(
        ops in proptest::collection::vec((0usize..4, 0usize..3, 0u8..8, 0u64..1000), 1..60),
        batch in 1usize..10,
    ) {
        const FIRST: [u8; 4] = [0x00, 0x08, 0x10, 0x18];
        const SECOND: [u8; 3] = [0x00, 0x08, 0x0f];
        let updates: Vec<_> = ops
            .iter()
            .map(|(a, b, last, v)| {
                let mut k = [0u8; 32];
                k[0] = FIRST[*a];
                k[1] = SECOND[*b];
                k[31] = *last;
                (IndexKey(k), value(*v))
            })
            .collect();
        let map: BTreeMap<_, _> = updates.iter().copied().collect();
        let (nodes, root) = build(&updates, batch);
        prop_assert_eq!(root, reference(&map));
        let index = VinIndex::new(&nodes);
        for (k, v) in &map {
            prop_assert_eq!(index.get_value(k).unwrap(), Some(*v));
            prop_assert_eq!(index.prove(k).unwrap().verify(k, &root).unwrap(), Some(*v));
        }
        let absent = IndexKey([0x18; 32]);
        prop_assert_eq!(index.prove(&absent).unwrap().verify(&absent, &root).unwrap(), None);
    }
}
