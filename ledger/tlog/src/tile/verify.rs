//! Checking tiles read from anywhere (a node, a mirror, a CDN) against a
//! signed tree root: what a client does before it trusts them.

use super::{TILE_WIDTH, TileId, TileSource, decode_bundle, subtree_hash};
use crate::hash::{Hash, leaf_hash};
use crate::merkle::{TreeSize, tree_hash};
use crate::tile::TileHashes;

/// Why a set of tiles is not the tree of a root.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TileVerifyError<E> {
    /// The source failed, or lacks a tile.
    #[error("reading tiles: {0}")]
    Source(E),
    /// A tile is not as wide as the tree size makes it.
    #[error("tile {}/{} has {found} hashes, the tree size gives {expected}", .tile.level, .tile.index)]
    Width {
        /// The tile.
        tile: TileId,
        /// Its width at the tree size.
        expected: u16,
        /// Hashes it has.
        found: usize,
    },
    /// A full tile does not hash to its hash in the tile above.
    #[error("tile {}/{} does not hash to its hash in tile {}/{}", .tile.level, .tile.index, .tile.level + 1, .tile.index / 256)]
    Parent {
        /// The tile.
        tile: TileId,
    },
    /// The tiles' tree does not have the root.
    #[error("the tiles' tree of size {0} does not have the checkpoint's root")]
    Root(u64),
    /// An entry does not hash to its leaf hash in the level-0 tile.
    #[error("entry {0} does not hash to its leaf hash")]
    Entry(u64),
    /// An entry bundle is malformed or not as wide as its tile.
    #[error("entry bundle {index}: {reason}")]
    Bundle {
        /// The bundle's index.
        index: u64,
        /// What is wrong.
        reason: String,
    },
}

/// Checks that the tiles `source` holds for a tree of `size` leaves are
/// exactly that tree's, whose root is `root`: each is as wide as the size
/// makes it, every full tile hashes to its hash in the tile above, and the
/// root of them all is `root`. Then every hash they hold is proved.
///
/// # Errors
/// The first [`TileVerifyError`] found.
pub fn verify_tiles<S: TileSource>(
    size: TreeSize,
    root: &Hash,
    source: &S,
) -> Result<(), TileVerifyError<S::Error>> {
    let all = TileId::all(size);
    let tiles = source.read_tiles(&all).map_err(TileVerifyError::Source)?;
    let mut by_id = std::collections::BTreeMap::new();
    for ((tile, width), hashes) in all.iter().zip(&tiles) {
        if hashes.len() != usize::from(*width) {
            return Err(TileVerifyError::Width {
                tile: *tile,
                expected: *width,
                found: hashes.len(),
            });
        }
        by_id.insert(*tile, hashes);
    }
    for ((tile, width), hashes) in all.iter().zip(&tiles) {
        if u64::from(*width) != TILE_WIDTH {
            continue;
        }
        let parent = TileId {
            level: tile.level + 1,
            index: tile.index / TILE_WIDTH,
        };
        let pos = usize::try_from(tile.index % TILE_WIDTH).unwrap_or(usize::MAX);
        let above = by_id.get(&parent).and_then(|p| p.get(pos));
        if above != Some(&subtree_hash(hashes)) {
            return Err(TileVerifyError::Parent { tile: *tile });
        }
    }
    let computed =
        tree_hash(size, &TileHashes(source)).map_err(|_| TileVerifyError::Root(size.0))?;
    if computed != *root {
        return Err(TileVerifyError::Root(size.0));
    }
    Ok(())
}

/// Checks that entry bundle `index`'s bytes hold exactly the entries whose
/// leaf hashes are `leaves` (its level-0 tile, checked before).
///
/// # Errors
/// [`TileVerifyError::Bundle`] or [`TileVerifyError::Entry`].
pub fn verify_bundle<E>(
    index: u64,
    bundle: &[u8],
    leaves: &[Hash],
) -> Result<(), TileVerifyError<E>> {
    let entries = decode_bundle(bundle).map_err(|e| TileVerifyError::Bundle {
        index,
        reason: e.to_string(),
    })?;
    if entries.len() != leaves.len() {
        return Err(TileVerifyError::Bundle {
            index,
            reason: format!("{} entries, its tile has {}", entries.len(), leaves.len()),
        });
    }
    for (i, (entry, leaf)) in entries.iter().zip(leaves).enumerate() {
        if leaf_hash(entry) != *leaf {
            return Err(TileVerifyError::Entry(index * TILE_WIDTH + i as u64));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::merkle::MemoryHashes;

    /// The tiles of an in-memory tree, one hash of one tile flipped.
    struct Tiles(MemoryHashes, Option<(TileId, usize)>);

    impl TileSource for Tiles {
        type Error = std::convert::Infallible;
        fn read_tiles(&self, tiles: &[(TileId, u16)]) -> Result<Vec<Arc<[Hash]>>, Self::Error> {
            let mut out = self.0.read_tiles(tiles)?;
            for ((t, _), hashes) in tiles.iter().zip(&mut out) {
                if let Some((bad, pos)) = self.1
                    && bad == *t
                {
                    let mut changed = hashes.to_vec();
                    changed[pos].0[0] ^= 1;
                    *hashes = Arc::from(changed);
                }
            }
            Ok(out)
        }
    }

    #[test]
    fn honest_tiles_verify_and_any_changed_hash_is_found() {
        let size = 70_000u64;
        let tree = MemoryHashes::from_leaf_hashes((0..size).map(|i| leaf_hash(&i.to_be_bytes())));
        let root = tree.root();
        verify_tiles(TreeSize(size), &root, &Tiles(tree.clone(), None)).unwrap();
        // A hash in a full tile, in a partial one, at every level.
        for (tile, pos) in [
            (TileId { level: 0, index: 3 }, 7),
            (
                TileId {
                    level: 0,
                    index: 273,
                },
                100,
            ),
            (TileId { level: 1, index: 0 }, 255),
            (TileId { level: 1, index: 1 }, 16),
            (TileId { level: 2, index: 0 }, 0),
        ] {
            let r = verify_tiles(
                TreeSize(size),
                &root,
                &Tiles(tree.clone(), Some((tile, pos))),
            );
            assert!(r.is_err(), "{tile:?} {pos}");
        }
        let mut wrong = root;
        wrong.0[0] ^= 1;
        assert!(matches!(
            verify_tiles(TreeSize(size), &wrong, &Tiles(tree, None)),
            Err(TileVerifyError::Root(70_000))
        ));
    }

    #[test]
    fn bundles_match_their_tiles() {
        let entries: Vec<Vec<u8>> = (0u8..5).map(|i| vec![i; 3]).collect();
        let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
        let mut bundle = Vec::new();
        for e in &entries {
            crate::tile::push_bundle_entry(&mut bundle, e).unwrap();
        }
        verify_bundle::<()>(0, &bundle, &leaves).unwrap();
        assert!(matches!(
            verify_bundle::<()>(0, &bundle, &leaves[..4]),
            Err(TileVerifyError::Bundle { .. })
        ));
        let mut other = leaves.clone();
        other[2] = leaf_hash(b"x");
        assert!(matches!(
            verify_bundle::<()>(1, &bundle, &other),
            Err(TileVerifyError::Entry(258))
        ));
    }
}
