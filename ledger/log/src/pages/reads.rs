//! The reads of one page: entries and inclusion proofs through a small
//! cache of entry bundles, hash tiles and proof hashes, since a page's
//! records mostly sit in a few bundles and their proofs share most tiles
//! and hashes. Reading an entry or a proof straight from the store decodes
//! a whole bundle or several whole tiles each time, and hashes up to 127
//! nodes of a tile for each proof hash between stored levels.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use vledger_records::Entry;
use vledger_tlog::Hash;
use vledger_tlog::merkle::{HashReader, LeafIndex, NodeId, TreeSize, inclusion_proof};
use vledger_tlog::tile::{
    TILE_HEIGHT, TILE_WIDTH, TileHashes, TileId, TileReadError, TileSource, decode_bundle,
};
use vledger_verification::history::ProvenEntry;

use crate::bundle::BuildError;
use crate::store::{Backend, LogStore, StoreError};

/// Bundles, and tiles, kept at most; each cache is emptied when full, so
/// a page of scattered records costs no more memory than this many.
const KEPT: usize = 64;

/// Proof hashes kept at most (32 bytes and a node id each).
const KEPT_HASHES: usize = 1 << 16;

/// A page's reads of a store.
pub(super) struct PageReads<'a, B> {
    /// The store read.
    store: &'a LogStore<B>,
    /// Decoded entry bundles, by bundle index.
    bundles: RefCell<HashMap<u64, Arc<Vec<Vec<u8>>>>>,
    /// Hash tiles as read, by tile.
    tiles: RefCell<HashMap<TileId, Arc<[Hash]>>>,
    /// Proof hashes as computed from the tiles.
    hashes: RefCell<HashMap<NodeId, Hash>>,
}

impl<'a, B: Backend> PageReads<'a, B> {
    /// Reads of `store`, nothing cached yet.
    pub(super) fn new(store: &'a LogStore<B>) -> Self {
        Self {
            store,
            bundles: RefCell::default(),
            tiles: RefCell::default(),
            hashes: RefCell::default(),
        }
    }

    /// The bytes of entry `index`.
    fn entry(&self, index: u64) -> Result<Vec<u8>, StoreError> {
        let missing = StoreError::Missing {
            what: "entry",
            index,
        };
        let b = index / TILE_WIDTH;
        let cached = self.bundles.borrow().get(&b).cloned();
        let entries = match cached {
            Some(e) => e,
            None => {
                let bytes = self.store.bundle(b)?.ok_or(missing)?;
                let entries: Vec<Vec<u8>> = decode_bundle(&bytes)
                    .map_err(|_| StoreError::Corrupt("entry bundle"))?
                    .into_iter()
                    .map(<[u8]>::to_vec)
                    .collect();
                let entries = Arc::new(entries);
                let mut bundles = self.bundles.borrow_mut();
                if bundles.len() >= KEPT {
                    bundles.clear();
                }
                bundles.insert(b, Arc::clone(&entries));
                entries
            }
        };
        usize::try_from(index % TILE_WIDTH)
            .ok()
            .and_then(|i| entries.get(i))
            .cloned()
            .ok_or(StoreError::Missing {
                what: "entry",
                index,
            })
    }

    /// Entry `index` with its inclusion proof at `size`, and its decoded
    /// form when it decodes.
    pub(super) fn prove(
        &self,
        index: u64,
        size: u64,
    ) -> Result<(ProvenEntry, Option<Entry>), BuildError> {
        let bytes = self.entry(index)?;
        let proof = inclusion_proof(LeafIndex(index), TreeSize(size), self)?;
        let decoded = Entry::decode(&bytes).ok();
        Ok((
            ProvenEntry {
                index,
                entry: STANDARD.encode(&bytes),
                proof: proof.iter().map(Hash::to_base64).collect(),
            },
            decoded,
        ))
    }
}

impl<B: Backend> TileSource for PageReads<'_, B> {
    type Error = StoreError;

    fn read_tiles(&self, tiles: &[(TileId, u16)]) -> Result<Vec<Arc<[Hash]>>, StoreError> {
        tiles
            .iter()
            .map(|&(tile, width)| {
                let cached = self.tiles.borrow().get(&tile).cloned();
                if let Some(hashes) = cached.filter(|h| h.len() >= usize::from(width)) {
                    return Ok(hashes);
                }
                let hashes = self.store.tile_of_width(tile, width)?;
                let mut kept = self.tiles.borrow_mut();
                if kept.len() >= KEPT {
                    kept.clear();
                }
                kept.insert(tile, Arc::clone(&hashes));
                Ok(hashes)
            })
            .collect()
    }
}

impl<B: Backend> HashReader for PageReads<'_, B> {
    type Error = StoreError;

    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, StoreError> {
        let missing: Vec<NodeId> = {
            let known = self.hashes.borrow();
            ids.iter()
                .filter(|id| !known.contains_key(id))
                .copied()
                .collect()
        };
        if !missing.is_empty() {
            let read = TileHashes(self)
                .read_hashes(&missing)
                .map_err(|e| match e {
                    TileReadError::Source(e) => e,
                    TileReadError::Short { tile, found, .. } => StoreError::MissingHash(NodeId {
                        level: tile.level * TILE_HEIGHT,
                        index: tile.index * TILE_WIDTH + found as u64,
                    }),
                    _ => StoreError::Corrupt("hash tile"),
                })?;
            let mut known = self.hashes.borrow_mut();
            if known.len() + missing.len() > KEPT_HASHES {
                known.clear();
            }
            known.extend(missing.into_iter().zip(read));
        }
        let known = self.hashes.borrow();
        ids.iter()
            .map(|id| known.get(id).copied().ok_or(StoreError::MissingHash(*id)))
            .collect()
    }
}
