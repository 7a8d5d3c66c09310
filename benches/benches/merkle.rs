//! Benches of the Merkle tree core (`vledger_tlog::merkle`) at one million leaves.
//!
//! The tree (leaf data: the leaf index as 8 big-endian bytes) is built once
//! into `MemoryHashes`, outside any measurement. Proof benches cycle through
//! pseudo-random indices and sizes, fixed by a seed, so that runs compare.
//!
//! Run with `cargo bench -p vledger-benches --bench merkle`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use vledger_tlog::merkle::{
    Frontier, LeafIndex, MemoryHashes, TreeSize, consistency_proof, inclusion_proof, tree_hash,
    verify_consistency, verify_inclusion,
};
use vledger_tlog::{Hash, leaf_hash, node_hash};

/// Leaves in the benched tree: 2^20.
const LEAVES: u64 = 1 << 20;

/// How many distinct random inputs each proof bench cycles through.
const INPUTS: usize = 1024;

/// splitmix64: a fixed, dependency-free stream of pseudo-random numbers.
fn random_below(state: &mut u64, bound: u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) % bound
}

fn leaf(i: u64) -> Hash {
    leaf_hash(&i.to_be_bytes())
}

fn build_tree() -> MemoryHashes {
    MemoryHashes::from_leaf_hashes((0..LEAVES).map(leaf))
}

fn merkle(c: &mut Criterion) {
    let tree = build_tree();
    let size = TreeSize(LEAVES);
    let root = tree.root();
    let mut seed = 0x0076_6c65_6467_6572_u64;
    let indices: Vec<LeafIndex> = (0..INPUTS)
        .map(|_| LeafIndex(random_below(&mut seed, LEAVES)))
        .collect();
    let olds: Vec<TreeSize> = (0..INPUTS)
        .map(|_| TreeSize(1 + random_below(&mut seed, LEAVES - 1)))
        .collect();

    c.bench_function("node_hash", |b| {
        let (l, r) = (leaf(1), leaf(2));
        b.iter(|| node_hash(black_box(&l), black_box(&r)));
    });

    c.bench_function("append", |b| {
        let mut frontier: Frontier = tree.frontier().clone();
        let mut out = Vec::with_capacity(64);
        let next = leaf(LEAVES);
        b.iter(|| {
            out.clear();
            frontier.append_into(black_box(next), &mut out);
            black_box(&out);
        });
    });

    c.bench_function("tree_hash", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % INPUTS;
            tree_hash(black_box(olds[i]), &tree)
        });
    });

    c.bench_function("inclusion_proof", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % INPUTS;
            inclusion_proof(black_box(indices[i]), size, &tree)
        });
    });

    let inclusion: Vec<(LeafIndex, Hash, Vec<Hash>)> = indices
        .iter()
        .map(|&index| {
            let proof = inclusion_proof(index, size, &tree).unwrap_or_default();
            (index, leaf(index.0), proof)
        })
        .collect();
    c.bench_function("verify_inclusion", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % INPUTS;
            let (index, leaf, proof) = &inclusion[i];
            verify_inclusion(leaf, *index, size, black_box(proof), &root)
        });
    });

    c.bench_function("consistency_proof", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % INPUTS;
            consistency_proof(black_box(olds[i]), size, &tree)
        });
    });

    let consistency: Vec<(TreeSize, Hash, Vec<Hash>)> = olds
        .iter()
        .map(|&old| {
            let old_root = tree_hash(old, &tree).unwrap_or_default();
            let proof = consistency_proof(old, size, &tree).unwrap_or_default();
            (old, old_root, proof)
        })
        .collect();
    c.bench_function("verify_consistency", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % INPUTS;
            let (old, old_root, proof) = &consistency[i];
            verify_consistency(*old, size, old_root, &root, black_box(proof))
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = merkle
}
criterion_main!(benches);
