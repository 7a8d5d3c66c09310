//! Stored hashes read out of tiles: a [`HashReader`] over a [`TileSource`].

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{TILE_HEIGHT, TILE_WIDTH, TileId, subtree_hash};
use crate::hash::Hash;
use crate::merkle::{HashReader, MemoryHashes, NodeId};

/// Where tiles are read from: a store, a mirror directory, a web server.
pub trait TileSource {
    /// Why reading failed.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The hashes of each tile of `tiles`, in the same order: for
    /// `(tile, width)`, at least the first `width` hashes of the tile (a
    /// wider version of the same tile will do: it begins with them).
    ///
    /// # Errors
    /// When a tile cannot be read or is narrower than asked.
    fn read_tiles(&self, tiles: &[(TileId, u16)]) -> Result<Vec<Arc<[Hash]>>, Self::Error>;
}

impl<S: TileSource + ?Sized> TileSource for &S {
    type Error = S::Error;
    fn read_tiles(&self, tiles: &[(TileId, u16)]) -> Result<Vec<Arc<[Hash]>>, Self::Error> {
        (**self).read_tiles(tiles)
    }
}

/// Why [`TileHashes`] could not give a hash.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TileReadError<E> {
    /// The source failed.
    #[error(transparent)]
    Source(E),
    /// The source gave a tile narrower than asked, or the wrong number of
    /// tiles.
    #[error("tile {}/{} has {found} hashes, {needed} needed", .tile.level, .tile.index)]
    Short {
        /// The tile.
        tile: TileId,
        /// Hashes needed.
        needed: usize,
        /// Hashes given.
        found: usize,
    },
}

/// The stored hashes of a tiled log: a hash at a level that is a multiple
/// of 8 is read from its tile; one between is the root of the 2 to 128
/// hashes below it in the same tile (Go's `tlog.TileHashReader` does the
/// same). Each call reads each tile it needs once.
#[derive(Debug, Clone)]
pub struct TileHashes<S>(pub S);

impl<S: TileSource> HashReader for TileHashes<S> {
    type Error = TileReadError<S::Error>;

    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, Self::Error> {
        let placed: Vec<(TileId, usize, usize)> =
            ids.iter().map(|&id| TileId::of_node(id)).collect();
        // Each tile once, as wide as the widest use of it.
        let mut widths: BTreeMap<TileId, usize> = BTreeMap::new();
        for &(tile, pos, n) in &placed {
            let w = widths.entry(tile).or_default();
            *w = (*w).max(pos + n);
        }
        let wanted: Vec<(TileId, u16)> = widths
            .iter()
            .map(|(t, w)| (*t, u16::try_from(*w).unwrap_or(u16::MAX)))
            .collect();
        let tiles = self.0.read_tiles(&wanted).map_err(TileReadError::Source)?;
        if tiles.len() != wanted.len() {
            return Err(TileReadError::Short {
                tile: wanted
                    .first()
                    .map_or(TileId { level: 0, index: 0 }, |w| w.0),
                needed: wanted.len(),
                found: tiles.len(),
            });
        }
        let by_tile: BTreeMap<TileId, &Arc<[Hash]>> =
            wanted.iter().map(|(t, _)| *t).zip(tiles.iter()).collect();
        placed
            .iter()
            .map(|&(tile, pos, n)| {
                let hashes = by_tile[&tile];
                hashes
                    .get(pos..pos + n)
                    .map(subtree_hash)
                    .ok_or(TileReadError::Short {
                        tile,
                        needed: pos + n,
                        found: hashes.len(),
                    })
            })
            .collect()
    }
}

/// The tiles of a whole tree in memory, each as wide as the tree makes it:
/// for tests and tools that build a tree from a list of entries.
impl TileSource for MemoryHashes {
    type Error = std::convert::Infallible;

    fn read_tiles(&self, tiles: &[(TileId, u16)]) -> Result<Vec<Arc<[Hash]>>, Self::Error> {
        Ok(tiles
            .iter()
            .map(|(t, _)| {
                let first = t.index * TILE_WIDTH;
                (0..u64::from(t.width_at(self.size())))
                    .filter_map(|i| {
                        self.get(NodeId {
                            level: t.level * TILE_HEIGHT,
                            index: first + i,
                        })
                    })
                    .collect()
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;
    use crate::merkle::{
        LeafIndex, MemoryHashes, TreeSize, consistency_proof, inclusion_proof, tree_hash,
    };

    #[test]
    fn proofs_from_tiles_equal_proofs_from_every_stored_hash() {
        for size in [1u64, 2, 255, 256, 257, 511, 70_000] {
            let tree =
                MemoryHashes::from_leaf_hashes((0..size).map(|i| leaf_hash(&i.to_be_bytes())));
            let tiles = TileHashes(&tree);
            let n = TreeSize(size);
            assert_eq!(tree_hash(n, &tiles).unwrap(), tree_hash(n, &tree).unwrap());
            for index in [0, size / 3, size - 1] {
                let i = LeafIndex(index);
                assert_eq!(
                    inclusion_proof(i, n, &tiles).unwrap(),
                    inclusion_proof(i, n, &tree).unwrap()
                );
            }
            for old in [1, size / 2, size] {
                if old == 0 {
                    continue;
                }
                let o = TreeSize(old);
                assert_eq!(
                    consistency_proof(o, n, &tiles).unwrap(),
                    consistency_proof(o, n, &tree).unwrap()
                );
            }
        }
    }

    #[test]
    fn a_short_tile_is_an_error_not_a_made_up_hash() {
        struct Short;
        impl TileSource for Short {
            type Error = std::convert::Infallible;
            fn read_tiles(&self, tiles: &[(TileId, u16)]) -> Result<Vec<Arc<[Hash]>>, Self::Error> {
                Ok(tiles
                    .iter()
                    .map(|_| Arc::from(vec![Hash::default()]))
                    .collect())
            }
        }
        let r = TileHashes(Short).read_hashes(&[NodeId { level: 0, index: 5 }]);
        assert!(matches!(
            r,
            Err(TileReadError::Short {
                needed: 6,
                found: 1,
                ..
            })
        ));
    }
}
