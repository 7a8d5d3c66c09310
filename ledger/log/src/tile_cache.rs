//! The log's tiles in memory, for the read path: proofs, receipts and the
//! tile API read hash tiles and entry bundles through a [`TileCache`].
//!
//! Two parts, as the tiles themselves are of two kinds:
//!
//! - **full** hash tiles and entry bundles never change: they are kept by
//!   id in a map bounded by their total size in bytes (the bound given to
//!   [`TileCache::new`]; a hash tile is counted with the 255 subtree hashes
//!   kept with it, 16 KiB in all), evicting with the CLOCK algorithm: what was used
//!   since the clock hand last passed stays, so the few upper-level tiles
//!   that every proof reads are not evicted by a scan of level-0 tiles;
//! - the **right edge**, the partial tile of each level and the partial
//!   bundle, changes with every batch: [`TileCache::advance`] reads it for
//!   a new tree size, cut to exactly that size, and replaces the old one,
//!   keeping the subtree hashes of each tile it widens (only those the new
//!   hashes complete are computed).
//!   It holds at most one partial tile per level (under 8 KiB each) and one
//!   partial bundle, outside the bound.
//!
//! Reads go through: a tile or bundle not held is read from the store, and
//! kept if it is full. [`TileCache::cached`] is the same reader without the
//! store: it answers from memory only, so that a caller on an async
//! runtime can serve a hit at once and take a miss to a blocking thread.
//!
//! Whatever it answers is the stored content: a partial tile of width `W`
//! is served only from a version of that tile that holds at least `W`
//! hashes, and every wider version begins with the same `W` (c2sp.org/
//! tlog-tiles), so a read never gives a width the store does not have.

mod clock;
mod nodes;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use vledger_tlog::hash::Hash;
use vledger_tlog::merkle::{HashReader, NodeId, TreeSize};
use vledger_tlog::tile::{
    TILE_HEIGHT, TILE_WIDTH, TileId, TileSource, bundle_prefix_len, decode_bundle,
};

use crate::store::{Backend, LogStore, StoreError};
use clock::Clock;
use nodes::{Short, TileNodes};

/// What a cached value is kept under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    /// A full hash tile.
    Tile(TileId),
    /// A full entry bundle, by index.
    Bundle(u64),
}

/// A cached value.
#[derive(Debug, Clone)]
enum Value {
    Tile(Arc<TileNodes>),
    Bundle(Arc<[u8]>),
}

/// Bytes a cached value is counted for beyond its content: the key, the
/// slot and the allocation's header.
const OVERHEAD: usize = 96;

/// The right edge at one tree size.
#[derive(Debug, Default)]
struct Edge {
    /// The tree size it is cut to.
    tree_size: u64,
    /// The partial tile of each level that has one, exactly as wide as the
    /// tree makes it.
    tiles: Vec<(TileId, Arc<TileNodes>)>,
    /// The partial bundle, its index and its entry count, if the tree
    /// size is not a multiple of 256.
    bundle: Option<(u64, u16, Arc<[u8]>)>,
}

/// An entry bundle as read: its bytes and how many entries they hold.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The bytes, as stored: a `u16` length and the entry, for each entry.
    pub bytes: Arc<[u8]>,
    /// How many entries they hold.
    pub width: u16,
}

impl Bundle {
    /// The bytes of the first `width` entries (at most [`Bundle::width`]).
    #[must_use]
    pub fn prefix(&self, width: u16) -> Option<&[u8]> {
        if width > self.width {
            return None;
        }
        bundle_prefix_len(&self.bytes, width).map(|n| &self.bytes[..n])
    }

    /// The bytes of the entry at `position` in the bundle.
    #[must_use]
    pub fn entry(&self, position: u16) -> Option<&[u8]> {
        let start = bundle_prefix_len(&self.bytes, position)?;
        let len = self.bytes.get(start..start + 2)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        self.bytes.get(start + 2..start + 2 + len)
    }
}

/// Counters of a [`TileCache`], for metrics and tests.
#[derive(Debug, Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
}

/// A snapshot of a cache's use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Reads answered from memory.
    pub hits: u64,
    /// Reads that went to the store (a miss of a memory-only read is not
    /// counted: the caller reads through next).
    pub misses: u64,
    /// Bytes of full tiles and bundles held (counted with their overhead).
    pub bytes: usize,
    /// Full tiles and bundles held.
    pub items: usize,
    /// The tree size of the right edge held.
    pub tree_size: u64,
}

/// The log's tiles and bundles in memory, over a store (see the module
/// documentation).
#[derive(Debug)]
pub struct TileCache<B> {
    /// Where misses are read.
    store: LogStore<B>,
    /// Full tiles and bundles, bounded in bytes.
    full: Clock<Key, Value>,
    /// The right edge of the latest tree size given to `advance`.
    edge: RwLock<Arc<Edge>>,
    /// Held while the edge is read from the store, so that callers who
    /// ask for the same tree size at once read it once.
    advancing: Mutex<()>,
    /// Hits and misses.
    counters: Counters,
}

/// Why [`TileCache::cached`] could not answer: something it needs is not in
/// memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("tile {}/{} is not cached at width {width}", .tile.level, .tile.index)]
pub struct NotCached {
    /// The tile.
    pub tile: TileId,
    /// The width asked for.
    pub width: u16,
}

impl<B: Backend> TileCache<B> {
    /// A cache over `store` holding at most `bound` bytes of full tiles and
    /// bundles; the right edge is empty until [`TileCache::advance`].
    #[must_use]
    pub fn new(store: LogStore<B>, bound: usize) -> Self {
        Self {
            store,
            full: Clock::new(bound),
            edge: RwLock::new(Arc::default()),
            advancing: Mutex::new(()),
            counters: Counters::default(),
        }
    }

    /// The store it reads.
    #[must_use]
    pub const fn store(&self) -> &LogStore<B> {
        &self.store
    }

    /// How it has been used, and what it holds.
    #[must_use]
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.counters.hits.load(Ordering::Relaxed),
            misses: self.counters.misses.load(Ordering::Relaxed),
            bytes: self.full.weight(),
            items: self.full.len(),
            tree_size: self.tree_size(),
        }
    }

    /// The tree size of the right edge held (0 before the first
    /// [`TileCache::advance`]).
    #[must_use]
    pub fn tree_size(&self) -> u64 {
        self.edge().tree_size
    }

    fn edge(&self) -> Arc<Edge> {
        Arc::clone(&self.edge.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Reads the right edge of a tree of `tree_size` leaves from the store
    /// and holds it instead of the old one; does nothing when the edge held
    /// is of that size or larger. The store must hold at least that tree.
    ///
    /// # Errors
    /// When the store fails or holds fewer hashes or entries than the
    /// tree needs.
    pub fn advance(&self, tree_size: u64) -> Result<(), StoreError> {
        if self.tree_size() >= tree_size {
            return Ok(());
        }
        let _one_reader = self
            .advancing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.tree_size() >= tree_size {
            return Ok(());
        }
        let size = TreeSize(tree_size);
        let old = self.edge();
        let mut tiles = Vec::new();
        for level in 0u8.. {
            let hashes = tree_size
                .checked_shr(u32::from(level) * u32::from(TILE_HEIGHT))
                .unwrap_or(0);
            if hashes == 0 {
                break;
            }
            let tile = TileId {
                level,
                index: hashes / TILE_WIDTH,
            };
            let width = usize::from(tile.width_at(size));
            if width == 0 {
                continue;
            }
            let stored = self.store.tile(tile)?.unwrap_or_default();
            let held = stored.get(..width).ok_or(StoreError::MissingHash(NodeId {
                level: level * TILE_HEIGHT,
                index: tile.index * TILE_WIDTH + stored.len() as u64,
            }))?;
            // The tile the old edge held at this level, if it is the same
            // one, keeps its subtree hashes: a batch adds a few hashes to
            // a tile of up to 256.
            let nodes = match old.tiles.iter().find(|(t, _)| *t == tile) {
                Some((_, was)) => was.widened(Arc::from(held)),
                None => TileNodes::new(Arc::from(held)),
            };
            tiles.push((tile, Arc::new(nodes)));
        }
        let bundle = match u16::try_from(tree_size % TILE_WIDTH) {
            Ok(0) | Err(_) => None,
            Ok(width) => {
                let index = tree_size / TILE_WIDTH;
                let missing = StoreError::Missing {
                    what: "entry",
                    index: tree_size - 1,
                };
                let stored = self.store.bundle(index)?.ok_or(missing)?;
                let len = bundle_prefix_len(&stored, width).ok_or(StoreError::Missing {
                    what: "entry",
                    index: tree_size - 1,
                })?;
                Some((index, width, Arc::from(&stored[..len])))
            }
        };
        let edge = Arc::new(Edge {
            tree_size,
            tiles,
            bundle,
        });
        *self.edge.write().unwrap_or_else(PoisonError::into_inner) = edge;
        Ok(())
    }

    /// Hash tile `tile` from memory, if held with at least `width` hashes.
    fn held_tile(&self, tile: TileId, width: u16) -> Option<Arc<TileNodes>> {
        let edge = self.edge();
        if let Some((_, nodes)) = edge.tiles.iter().find(|(t, _)| *t == tile)
            && nodes.hashes.len() >= usize::from(width)
        {
            return Some(Arc::clone(nodes));
        }
        drop(edge);
        match self.full.get(&Key::Tile(tile)) {
            Some(Value::Tile(nodes)) => Some(nodes),
            _ => None,
        }
    }

    fn cached_nodes(&self, tile: TileId, width: u16) -> Option<Arc<TileNodes>> {
        let held = self.held_tile(tile, width);
        if held.is_some() {
            self.count(true);
        }
        held
    }

    fn nodes(&self, tile: TileId, width: u16) -> Result<Option<Arc<TileNodes>>, StoreError> {
        if let Some(nodes) = self.held_tile(tile, width) {
            self.count(true);
            return Ok(Some(nodes));
        }
        self.count(false);
        let Some(stored) = self.store.tile(tile)? else {
            return Ok(None);
        };
        let nodes = Arc::new(TileNodes::new(Arc::from(stored)));
        if nodes.hashes.len() as u64 == TILE_WIDTH {
            let weight = nodes.weight() + OVERHEAD;
            self.full
                .insert(Key::Tile(tile), Value::Tile(Arc::clone(&nodes)), weight);
        }
        Ok((nodes.hashes.len() >= usize::from(width)).then_some(nodes))
    }

    /// Hash tile `tile`, with at least `width` hashes (it may hold more),
    /// from memory only.
    #[must_use]
    pub fn cached_tile(&self, tile: TileId, width: u16) -> Option<Arc<[Hash]>> {
        self.cached_nodes(tile, width)
            .map(|n| Arc::clone(&n.hashes))
    }

    /// Hash tile `tile`, with at least `width` hashes (it may hold more);
    /// `None` when the store holds fewer.
    ///
    /// # Errors
    /// When the store fails.
    pub fn tile(&self, tile: TileId, width: u16) -> Result<Option<Arc<[Hash]>>, StoreError> {
        Ok(self.nodes(tile, width)?.map(|n| Arc::clone(&n.hashes)))
    }

    /// Entry bundle `index` from memory, if held with at least `width`
    /// entries.
    fn held_bundle(&self, index: u64, width: u16) -> Option<Bundle> {
        let edge = self.edge();
        if let Some((i, w, bytes)) = &edge.bundle
            && *i == index
            && *w >= width
        {
            return Some(Bundle {
                bytes: Arc::clone(bytes),
                width: *w,
            });
        }
        drop(edge);
        match self.full.get(&Key::Bundle(index)) {
            Some(Value::Bundle(bytes)) => Some(Bundle {
                bytes,
                width: full_width(),
            }),
            _ => None,
        }
    }

    /// Entry bundle `index`, with at least `width` entries (it may hold
    /// more), from memory only.
    #[must_use]
    pub fn cached_bundle(&self, index: u64, width: u16) -> Option<Bundle> {
        let held = self.held_bundle(index, width);
        if held.is_some() {
            self.count(true);
        }
        held
    }

    /// Entry bundle `index`, with at least `width` entries (it may hold
    /// more); `None` when the store holds fewer.
    ///
    /// # Errors
    /// When the store fails or the bundle is malformed.
    pub fn bundle(&self, index: u64, width: u16) -> Result<Option<Bundle>, StoreError> {
        if let Some(bundle) = self.held_bundle(index, width) {
            self.count(true);
            return Ok(Some(bundle));
        }
        self.count(false);
        let Some(stored) = self.store.bundle(index)? else {
            return Ok(None);
        };
        let held = decode_bundle(&stored)
            .map_err(|_| StoreError::Corrupt("entry bundle"))?
            .len();
        let held = u16::try_from(held).map_err(|_| StoreError::Corrupt("entry bundle"))?;
        let bytes: Arc<[u8]> = Arc::from(stored);
        if held == full_width() {
            let weight = bytes.len() + OVERHEAD;
            self.full.insert(
                Key::Bundle(index),
                Value::Bundle(Arc::clone(&bytes)),
                weight,
            );
        }
        Ok((held >= width).then_some(Bundle { bytes, width: held }))
    }

    /// The entry at leaf `index`, if stored.
    ///
    /// # Errors
    /// When the store fails or its bundle is malformed.
    pub fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let (bundle, position) = bundle_of(index);
        Ok(self
            .bundle(bundle, position + 1)?
            .and_then(|b| b.entry(position).map(<[u8]>::to_vec)))
    }

    /// The entry at leaf `index`, from memory only.
    #[must_use]
    pub fn cached_entry(&self, index: u64) -> Option<Vec<u8>> {
        let (bundle, position) = bundle_of(index);
        self.cached_bundle(bundle, position + 1)
            .and_then(|b| b.entry(position).map(<[u8]>::to_vec))
    }

    /// A [`HashReader`] and [`TileSource`] that answers from memory only
    /// and fails with [`NotCached`] on a miss.
    #[must_use]
    pub const fn cached(&self) -> Cached<'_, B> {
        Cached(self)
    }

    fn count(&self, hit: bool) {
        let counter = if hit {
            &self.counters.hits
        } else {
            &self.counters.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// 256, the entries of a full bundle.
const fn full_width() -> u16 {
    // TILE_WIDTH is 256.
    TILE_WIDTH as u16
}

/// The bundle holding leaf `index`, and the leaf's position in it.
fn bundle_of(index: u64) -> (u64, u16) {
    // Below 256.
    let position = (index % TILE_WIDTH) as u16;
    (index / TILE_WIDTH, position)
}

/// Reads tiles through the cache, from the store on a miss.
impl<B: Backend> TileSource for TileCache<B> {
    type Error = StoreError;

    fn read_tiles(&self, tiles: &[(TileId, u16)]) -> Result<Vec<Arc<[Hash]>>, StoreError> {
        tiles
            .iter()
            .map(|&(tile, width)| {
                self.tile(tile, width)?
                    .ok_or(StoreError::MissingHash(NodeId {
                        level: tile.level * TILE_HEIGHT,
                        index: tile.index * TILE_WIDTH + u64::from(width).saturating_sub(1),
                    }))
            })
            .collect()
    }
}

/// Stored hashes out of the cached tiles, as [`LogStore`] reads them out
/// of the stored ones; a hash between tile levels is read from the subtree
/// hashes kept with its tile, not computed again.
impl<B: Backend> HashReader for TileCache<B> {
    type Error = StoreError;

    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, StoreError> {
        let missing = |tile: TileId, found: usize| {
            StoreError::MissingHash(NodeId {
                level: tile.level * TILE_HEIGHT,
                index: tile.index * TILE_WIDTH + found as u64,
            })
        };
        nodes::read_hashes(ids, |tile, width| {
            self.nodes(tile, width)?.ok_or_else(|| missing(tile, 0))
        })
        .map_err(|e| match e {
            Short::Read(e) => e,
            Short::Width { tile, found } => missing(tile, found),
        })
    }
}

/// A [`TileCache`] read from memory only (see [`TileCache::cached`]).
#[derive(Debug)]
pub struct Cached<'a, B>(&'a TileCache<B>);

impl<B: Backend> TileSource for Cached<'_, B> {
    type Error = NotCached;

    fn read_tiles(&self, tiles: &[(TileId, u16)]) -> Result<Vec<Arc<[Hash]>>, NotCached> {
        tiles
            .iter()
            .map(|&(tile, width)| {
                self.0
                    .cached_tile(tile, width)
                    .ok_or(NotCached { tile, width })
            })
            .collect()
    }
}

impl<B: Backend> HashReader for Cached<'_, B> {
    type Error = NotCached;

    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, NotCached> {
        nodes::read_hashes(ids, |tile, width| {
            self.0
                .cached_nodes(tile, width)
                .ok_or(NotCached { tile, width })
        })
        .map_err(|e| match e {
            Short::Read(e) => e,
            Short::Width { tile, found } => NotCached {
                tile,
                width: u16::try_from(found + 1).unwrap_or(u16::MAX),
            },
        })
    }
}
