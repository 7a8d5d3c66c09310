//! A hash tile with the hashes of the complete subtrees inside it, so that
//! a proof reads a node between tile levels instead of hashing up to 128
//! hashes to get it (a proof in a tree of 2^17 leaves would otherwise
//! compute about 500 node hashes, most of its cost).

use std::sync::Arc;

use vledger_tlog::hash::{HASH_SIZE, Hash, node_hash};
use vledger_tlog::merkle::NodeId;
use vledger_tlog::tile::{TILE_HEIGHT, TileId};

/// A tile's hashes (level 0) and, at level `k` from 1 to 7, the hashes of
/// its complete subtrees of `2^k` of them, left to right.
#[derive(Debug)]
pub(super) struct TileNodes {
    /// The tile's own hashes.
    pub(super) hashes: Arc<[Hash]>,
    /// `upper[k - 1]` holds level `k`.
    upper: Vec<Vec<Hash>>,
}

impl TileNodes {
    /// Computes the subtree hashes of `hashes` (255 node hashes for a full
    /// tile).
    pub(super) fn new(hashes: Arc<[Hash]>) -> Self {
        let mut upper: Vec<Vec<Hash>> = Vec::with_capacity(usize::from(TILE_HEIGHT) - 1);
        for _ in 1..TILE_HEIGHT {
            let below = upper.last().map_or(&hashes[..], |l| &l[..]);
            if below.len() < 2 {
                break;
            }
            let level = below
                .chunks_exact(2)
                .map(|pair| node_hash(&pair[0], &pair[1]))
                .collect();
            upper.push(level);
        }
        Self { hashes, upper }
    }

    /// The nodes of `hashes`, a wider version of the same tile, reusing
    /// the subtree hashes of `self` that `hashes` still holds: a tile's
    /// complete subtrees never change as it widens (c2sp.org/tlog-tiles),
    /// so only the subtrees the new hashes complete are hashed, about one
    /// node hash per new hash. Falls back to [`TileNodes::new`] when
    /// `hashes` does not begin with `self`'s hashes.
    pub(super) fn widened(&self, hashes: Arc<[Hash]>) -> Self {
        if !hashes.starts_with(&self.hashes) {
            return Self::new(hashes);
        }
        let mut upper: Vec<Vec<Hash>> = Vec::with_capacity(usize::from(TILE_HEIGHT) - 1);
        for k in 1..usize::from(TILE_HEIGHT) {
            let below = upper.last().map_or(&hashes[..], |l| &l[..]);
            if below.len() < 2 {
                break;
            }
            let kept = self.upper.get(k - 1).map_or(&[][..], |l| &l[..]);
            let mut level = Vec::with_capacity(below.len() / 2);
            level.extend_from_slice(kept);
            level.extend(
                below[2 * kept.len()..]
                    .chunks_exact(2)
                    .map(|pair| node_hash(&pair[0], &pair[1])),
            );
            upper.push(level);
        }
        Self { hashes, upper }
    }

    /// Bytes held, for the cache's bound.
    pub(super) fn weight(&self) -> usize {
        (self.hashes.len() + self.upper.iter().map(Vec::len).sum::<usize>()) * HASH_SIZE
    }

    /// The hash of the `n` (a power of two up to 128) hashes from `pos`,
    /// if the tile holds them.
    fn subtree(&self, pos: usize, n: usize) -> Option<Hash> {
        let k = n.trailing_zeros() as usize;
        if k == 0 {
            return self.hashes.get(pos).copied();
        }
        self.upper.get(k - 1)?.get(pos >> k).copied()
    }
}

/// The stored hashes `ids`, out of the tiles `read` gives (each asked once,
/// as wide as its widest use), or the first tile `read` cannot give that
/// wide.
pub(super) fn read_hashes<E>(
    ids: &[NodeId],
    mut read: impl FnMut(TileId, u16) -> Result<Arc<TileNodes>, E>,
) -> Result<Vec<Hash>, Short<E>> {
    let placed: Vec<(TileId, usize, usize)> = ids.iter().map(|&id| TileId::of_node(id)).collect();
    // A proof touches a few tiles: a list beats a map.
    let mut widths: Vec<(TileId, usize)> = Vec::with_capacity(4);
    for &(tile, pos, n) in &placed {
        match widths.iter_mut().find(|(t, _)| *t == tile) {
            Some((_, w)) => *w = (*w).max(pos + n),
            None => widths.push((tile, pos + n)),
        }
    }
    let mut tiles = Vec::with_capacity(widths.len());
    for &(tile, width) in &widths {
        let width = u16::try_from(width).unwrap_or(u16::MAX);
        tiles.push((tile, read(tile, width).map_err(Short::Read)?));
    }
    placed
        .iter()
        .map(|&(tile, pos, n)| {
            let nodes = tiles
                .iter()
                .find(|(t, _)| *t == tile)
                .map(|(_, nodes)| nodes)
                .ok_or(Short::Width { tile, found: 0 })?;
            nodes.subtree(pos, n).ok_or(Short::Width {
                tile,
                found: nodes.hashes.len(),
            })
        })
        .collect()
}

/// Why [`read_hashes`] failed.
#[derive(Debug)]
pub(super) enum Short<E> {
    /// The tile could not be read.
    Read(E),
    /// The tile read is narrower than the node needs.
    Width { tile: TileId, found: usize },
}

#[cfg(test)]
mod tests {
    use super::*;
    use vledger_tlog::leaf_hash;
    use vledger_tlog::tile::subtree_hash;

    #[test]
    fn a_widened_tile_has_the_nodes_of_a_new_one() {
        let hashes: Vec<Hash> = (0..256u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        for from in [0usize, 1, 2, 3, 7, 8, 100, 128, 255] {
            for to in [from, from + 1, from + 2, 129, 200, 255, 256] {
                if to < from || to > 256 {
                    continue;
                }
                let old = TileNodes::new(Arc::from(&hashes[..from]));
                let widened = old.widened(Arc::from(&hashes[..to]));
                let fresh = TileNodes::new(Arc::from(&hashes[..to]));
                assert_eq!(widened.upper, fresh.upper, "from {from} to {to}");
                assert_eq!(widened.hashes, fresh.hashes);
            }
        }
        // A tile that is not a wider version of the old one is hashed anew.
        let other: Vec<Hash> = (0..50u32)
            .map(|i| leaf_hash(&(i + 1000).to_be_bytes()))
            .collect();
        let old = TileNodes::new(Arc::from(&hashes[..20]));
        let widened = old.widened(Arc::from(&other[..]));
        assert_eq!(widened.upper, TileNodes::new(Arc::from(&other[..])).upper);
    }

    #[test]
    fn subtrees_are_those_hashed_from_the_tile() {
        for width in [1usize, 2, 3, 100, 255, 256] {
            let hashes: Vec<Hash> = (0..width as u32)
                .map(|i| leaf_hash(&i.to_be_bytes()))
                .collect();
            let nodes = TileNodes::new(Arc::from(hashes.clone()));
            for k in 0..8 {
                let n = 1usize << k;
                for pos in (0..256).step_by(n) {
                    let want = hashes.get(pos..pos + n).map(subtree_hash);
                    assert_eq!(nodes.subtree(pos, n), want, "width {width} pos {pos} n {n}");
                }
            }
        }
    }
}
