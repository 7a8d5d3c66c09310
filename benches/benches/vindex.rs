//! Cost of the VIN index per append: setting keys in a batch over an index
//! of 1M VINs and hashing the changed nodes once, against a node-hash
//! baseline measured in the same run.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use vledger_records::vindex::{IndexKey, IndexValue, index_node_hash};
use vledger_rules::index_tree::{MemoryTiles, VinIndex};
use vledger_tlog::hash::{Hash, sha256};

const VINS: u64 = 1 << 20;

fn key(n: u64) -> IndexKey {
    IndexKey(sha256(&n.to_be_bytes()).0)
}

fn value(n: u64) -> IndexValue {
    IndexValue {
        index: n,
        leaf_hash: Hash([7; 32]),
        count: 1,
    }
}

fn index_of(n: u64) -> MemoryTiles {
    let mut nodes = MemoryTiles::new();
    let mut next = 0;
    while next < n {
        let end = (next + 4096).min(n);
        let mut index = VinIndex::new(&nodes);
        for i in next..end {
            index
                .set(key(i), value(i))
                .unwrap_or_else(|never| match never {});
        }
        let Ok(_) = index.root();
        let changes = index.into_changes();
        nodes.apply(changes);
        next = end;
    }
    nodes
}

fn bench(c: &mut Criterion) {
    let nodes = index_of(VINS);
    let mut g = c.benchmark_group("vindex");
    g.sample_size(20);
    g.bench_function("node_hash_baseline", |b| {
        let (l, r) = (Hash([1; 32]), Hash([2; 32]));
        b.iter(|| index_node_hash(black_box(&l), black_box(&r)));
    });
    for batch in [1u64, 64, 1024] {
        g.throughput(Throughput::Elements(batch));
        // Updates of existing VINs and first records of new ones, half each.
        g.bench_function(format!("update_batch_{batch}_of_1M"), |b| {
            let mut round = 0u64;
            b.iter_batched(
                || {
                    round += 1;
                    (0..batch)
                        .map(|i| {
                            let n = if i % 2 == 0 {
                                (round * 7919 + i) % VINS
                            } else {
                                VINS + round * batch + i
                            };
                            (key(n), value(n + 1))
                        })
                        .collect::<Vec<_>>()
                },
                |updates| {
                    let mut index = VinIndex::new(&nodes);
                    for (k, v) in updates {
                        let Ok(()) = index.set(k, v);
                    }
                    let Ok(root) = index.root();
                    black_box(root)
                },
                BatchSize::SmallInput,
            );
        });
    }
    g.throughput(Throughput::Elements(1));
    g.bench_function("prove_of_1M", |b| {
        let index = VinIndex::new(&nodes);
        let mut n = 0u64;
        b.iter(|| {
            n = (n + 104_729) % (2 * VINS);
            let Ok(p) = index.prove(&key(n));
            black_box(p)
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
