//! The tile cache answers exactly what the store holds: the same bytes on
//! a hit as on a miss, partial tiles cut to the tree size it was advanced
//! to and refreshed as the log grows, and never more bytes than its bound.

use vledger_log::store::{LogStore, MemoryBackend, WriteBatch};
use vledger_log::tile_cache::TileCache;
use vledger_tlog::leaf_hash;
use vledger_tlog::merkle::{
    Frontier, HashReader, LeafIndex, NodeId, TreeSize, consistency_proof, inclusion_proof,
};
use vledger_tlog::tile::{TILE_WIDTH, TileId, decode_bundle};

fn entry(i: u64) -> Vec<u8> {
    format!("entry {i} {}", "x".repeat((i % 50) as usize)).into_bytes()
}

/// A store and the frontier of its tree, grown batch by batch.
struct Log {
    store: LogStore<MemoryBackend>,
    frontier: Frontier,
}

impl Log {
    fn new() -> Self {
        Self {
            store: LogStore::new(MemoryBackend::new()).unwrap(),
            frontier: Frontier::default(),
        }
    }

    fn size(&self) -> u64 {
        self.frontier.size().0
    }

    /// Appends entries up to `to`, in batches of `batch`.
    fn grow(&mut self, to: u64, batch: u64) {
        while self.size() < to {
            let start = self.size();
            let end = to.min(start + batch);
            let mut b = WriteBatch::default();
            for i in start..end {
                let e = entry(i);
                b.hashes.extend(self.frontier.append(leaf_hash(&e)));
                b.entries.push((i, e));
            }
            b.tree_size = end;
            b.previous_tree_size = start;
            self.store.commit(b).unwrap();
        }
    }
}

#[test]
fn hits_and_misses_give_the_stored_tiles_and_the_same_proofs() {
    let mut log = Log::new();
    log.grow(70_000, 997);
    let size = TreeSize(log.size());
    let cache = TileCache::new(log.store.clone(), 64 << 20);
    cache.advance(size.0).unwrap();
    for pass in ["miss", "hit"] {
        for (tile, width) in TileId::all(size) {
            let stored = log.store.tile(tile).unwrap().unwrap();
            let got = cache.tile(tile, width).unwrap().unwrap();
            assert_eq!(
                got[..usize::from(width)],
                stored[..usize::from(width)],
                "{pass} {tile:?}"
            );
            if tile.level == 0 {
                let stored = log.store.bundle(tile.index).unwrap().unwrap();
                let got = cache.bundle(tile.index, width).unwrap().unwrap();
                assert_eq!(got.prefix(width).unwrap(), &stored[..], "{pass} {tile:?}");
                assert_eq!(
                    decode_bundle(got.prefix(width).unwrap()).unwrap().len(),
                    usize::from(width)
                );
            }
        }
    }
    let stats = cache.stats();
    assert!(stats.hits > 0 && stats.misses > 0, "{stats:?}");
    // Warm: proofs from memory only equal those from the store.
    for index in [0, 1, 255, 256, 4_097, 65_535, 65_536, 69_999] {
        let i = LeafIndex(index);
        let want = inclusion_proof(i, size, &log.store).unwrap();
        assert_eq!(inclusion_proof(i, size, &cache).unwrap(), want);
        assert_eq!(inclusion_proof(i, size, &cache.cached()).unwrap(), want);
        assert_eq!(cache.cached_entry(index), Some(entry(index)));
        assert_eq!(cache.entry(index).unwrap(), Some(entry(index)));
    }
    for old in [1, 256, 1_000, 65_536, 69_999] {
        let o = TreeSize(old);
        let want = consistency_proof(o, size, &log.store).unwrap();
        assert_eq!(consistency_proof(o, size, &cache.cached()).unwrap(), want);
    }
    assert_eq!(cache.entry(size.0).unwrap(), None);
}

#[test]
fn the_right_edge_follows_the_tree_and_never_runs_ahead_of_it() {
    let mut log = Log::new();
    log.grow(600, 100);
    let cache = TileCache::new(log.store.clone(), 64 << 20);
    cache.advance(600).unwrap();
    // 600 leaves: tiles 0/0 and 0/1 full, 0/2 of width 88, 1/0 of width 2.
    let edge = TileId { level: 0, index: 2 };
    let upper = TileId { level: 1, index: 0 };
    assert_eq!(cache.cached_tile(edge, 88).unwrap().len(), 88);
    assert_eq!(cache.cached_tile(upper, 2).unwrap().len(), 2);
    assert!(cache.cached_tile(edge, 89).is_none());
    assert!(cache.cached_bundle(2, 89).is_none());
    assert_eq!(cache.cached_bundle(2, 88).unwrap().width, 88);

    // The store grows; until the cache advances, memory holds the old
    // widths only, and reads of the new ones go to the store.
    log.grow(1_000, 100);
    assert!(cache.cached_tile(edge, 200).is_none());
    let stored = log.store.tile(edge).unwrap().unwrap();
    assert_eq!(cache.tile(edge, 200).unwrap().unwrap()[..], stored[..]);
    cache.advance(1_000).unwrap();
    // 1,000 leaves: 0/2 is full now, 0/3 is 232 wide, 1/0 is 3 wide.
    assert_eq!(cache.stats().tree_size, 1_000);
    assert!(
        cache
            .cached_tile(TileId { level: 0, index: 3 }, 232)
            .is_some()
    );
    assert!(
        cache
            .cached_tile(TileId { level: 0, index: 3 }, 233)
            .is_none()
    );
    assert_eq!(cache.cached_tile(upper, 3).unwrap().len(), 3);
    // An older width is a prefix of the newer tile.
    let narrow = cache.tile(edge, 88).unwrap().unwrap();
    assert_eq!(narrow[..88], stored[..88]);
    // Advancing backwards keeps the newer edge.
    cache.advance(600).unwrap();
    assert_eq!(cache.stats().tree_size, 1_000);
    // Beyond the store: nothing.
    assert!(
        cache
            .tile(TileId { level: 0, index: 4 }, 1)
            .unwrap()
            .is_none()
    );
    assert!(cache.bundle(3, 233).unwrap().is_none());
    // Proofs for the older size still come out right.
    let proof = inclusion_proof(LeafIndex(599), TreeSize(600), &cache).unwrap();
    assert_eq!(
        proof,
        inclusion_proof(LeafIndex(599), TreeSize(600), &log.store).unwrap()
    );
    // A tree size the store does not hold cannot be advanced to.
    assert!(cache.advance(1_001).is_err());
}

#[test]
fn an_edge_advanced_batch_by_batch_gives_the_proofs_of_the_store() {
    // Each advance widens the edge's tiles from the previous ones (their
    // subtree hashes kept): after many small steps, every proof read
    // through the cache, from the edge's nodes where it can, is the
    // store's.
    let mut log = Log::new();
    let cache = TileCache::new(log.store.clone(), 64 << 20);
    for step in [1, 2, 3, 5, 7, 1, 64, 129, 3, 255, 1, 2] {
        for _ in 0..9 {
            log.grow(log.size() + step, step);
            let size = log.size();
            cache.advance(size).unwrap();
            for index in [0, size / 2, size.saturating_sub(2), size - 1] {
                let cached = inclusion_proof(LeafIndex(index), TreeSize(size), &cache).unwrap();
                let stored = inclusion_proof(LeafIndex(index), TreeSize(size), &log.store).unwrap();
                assert_eq!(cached, stored, "leaf {index} of {size}");
            }
            let old = TreeSize(size / 3 + 1);
            assert_eq!(
                consistency_proof(old, TreeSize(size), &cache).unwrap(),
                consistency_proof(old, TreeSize(size), &log.store).unwrap(),
                "from {} to {size}",
                old.0
            );
        }
    }
}

#[test]
fn full_tiles_and_bundles_stay_within_the_bound() {
    let mut log = Log::new();
    log.grow(40 * TILE_WIDTH, 512);
    // Room for about three full hash tiles (each with its 255 subtree
    // hashes).
    let bound = 3 * (511 * 32 + 96);
    let cache = TileCache::new(log.store.clone(), bound);
    for index in 0..40 {
        let tile = TileId { level: 0, index };
        assert!(cache.tile(tile, 256).unwrap().is_some());
        assert!(cache.bundle(index, 256).unwrap().is_some());
        let stats = cache.stats();
        assert!(stats.bytes <= bound, "{stats:?}");
        assert!(stats.items <= 3, "{stats:?}");
    }
    // What was evicted reads again from the store, unchanged.
    let first = TileId { level: 0, index: 0 };
    assert_eq!(
        cache.tile(first, 256).unwrap().unwrap()[..],
        log.store.tile(first).unwrap().unwrap()[..]
    );
    // The leaf hashes read through the cache are those of the entries.
    let ids: Vec<NodeId> = (0..40 * TILE_WIDTH)
        .map(|index| NodeId { level: 0, index })
        .collect();
    for (i, h) in cache.read_hashes(&ids).unwrap().iter().enumerate() {
        assert_eq!(*h, leaf_hash(&entry(i as u64)));
    }
    // With no room at all, nothing is kept and everything still reads.
    let none = TileCache::new(log.store.clone(), 0);
    assert!(none.tile(first, 256).unwrap().is_some());
    assert!(none.cached_tile(first, 256).is_none());
    assert_eq!(none.stats().items, 0);
}
