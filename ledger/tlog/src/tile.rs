//! C2SP `tlog-tiles` (c2sp.org/tlog-tiles): the log as immutable tiles.
//!
//! A hash tile at level `L`, index `N` lists up to 256 consecutive hashes of
//! the Merkle tree at RFC 6962 level `8L`: those of the complete subtrees
//! covering leaves `[(256N + i) · 256^L, (256N + i + 1) · 256^L)`. A full
//! tile is 256 hashes (8,192 bytes); the rightmost tile of a level is
//! *partial*, `W < 256` hashes wide, and is served as `.p/W`. Since a
//! complete subtree's hash never changes, a partial tile of width `W` is the
//! first `W` hashes of every wider version of the same tile.
//!
//! An entry bundle lists the entries behind a level-0 tile, each as a
//! big-endian `u16` length and the entry's bytes: an entry is at most
//! [`MAX_ENTRY_SIZE`] bytes.
//!
//! [`TileHashes`] reads the hashes a proof needs out of tiles, so that every
//! proof of [`crate::merkle`] works over a tiled store. Like the rest of
//! this crate, the module does no I/O: tiles come through [`TileSource`].

mod path;
mod reader;
mod verify;

pub use path::{TilePath, TilePathError, entries_path, hash_tile_path};
pub use reader::{TileHashes, TileReadError, TileSource};
pub use verify::{TileVerifyError, verify_bundle, verify_tiles};

use crate::hash::{HASH_SIZE, Hash, node_hash};
use crate::merkle::{NodeId, TreeSize};

/// Levels of the Merkle tree per tile level.
pub const TILE_HEIGHT: u8 = 8;
/// Hashes in a full tile, and entries in a full bundle.
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;
/// The largest entry a bundle can hold: its length is a `u16`.
pub const MAX_ENTRY_SIZE: usize = u16::MAX as usize;

/// A hash tile: its level (a tile level, `L`) and its index at that level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TileId {
    /// The tile level `L`: its hashes are at Merkle level `8L`.
    pub level: u8,
    /// The index `N` of the tile within its level.
    pub index: u64,
}

impl TileId {
    /// The width of this tile in a tree of `size` leaves: 256 when full,
    /// `1..=255` when it is the partial tile at the right edge, 0 when the
    /// tree does not reach it.
    #[must_use]
    pub fn width_at(self, size: TreeSize) -> u16 {
        let shift = u32::from(self.level) * u32::from(TILE_HEIGHT);
        // Hashes at Merkle level 8L in the tree.
        let hashes = size.0.checked_shr(shift).unwrap_or(0);
        let start = self.index.saturating_mul(TILE_WIDTH);
        let width = hashes.saturating_sub(start).min(TILE_WIDTH);
        // At most 256.
        u16::try_from(width).unwrap_or(u16::MAX)
    }

    /// The tile holding node `id`'s hash or, for a node between tile
    /// levels, the hashes it is computed from; with the position of the
    /// first of them and their count (`2^(level mod 8)`).
    #[must_use]
    pub fn of_node(id: NodeId) -> (Self, usize, usize) {
        let level = id.level / TILE_HEIGHT;
        let sub = u32::from(id.level % TILE_HEIGHT);
        // The node covers 2^sub hashes at level 8L, starting here.
        let first = id.index << sub;
        let tile = Self {
            level,
            index: first / TILE_WIDTH,
        };
        // Both below 256: the subtree is aligned and at most 128 wide.
        let pos = usize::try_from(first % TILE_WIDTH).unwrap_or(0);
        (tile, pos, 1 << sub)
    }

    /// Every tile of a tree of `size` leaves with its width, level by level
    /// from level 0, left to right.
    #[must_use]
    pub fn all(size: TreeSize) -> Vec<(Self, u16)> {
        let mut out = Vec::new();
        let mut level = 0u8;
        loop {
            let shift = u32::from(level) * u32::from(TILE_HEIGHT);
            let hashes = size.0.checked_shr(shift).unwrap_or(0);
            if hashes == 0 {
                return out;
            }
            for index in 0..hashes.div_ceil(TILE_WIDTH) {
                let id = Self { level, index };
                out.push((id, id.width_at(size)));
            }
            level += 1;
        }
    }
}

/// The hash of the perfect subtree over `hashes` (a power of two of them).
#[must_use]
pub fn subtree_hash(hashes: &[Hash]) -> Hash {
    match hashes {
        [] => Hash::default(),
        [one] => *one,
        _ => {
            let (left, right) = hashes.split_at(hashes.len() / 2);
            node_hash(&subtree_hash(left), &subtree_hash(right))
        }
    }
}

/// A tile's bytes: its hashes, concatenated.
#[must_use]
pub fn encode_tile(hashes: &[Hash]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hashes.len() * HASH_SIZE);
    for h in hashes {
        out.extend_from_slice(h.as_bytes());
    }
    out
}

/// The hashes of a tile's bytes; `None` unless they are whole hashes, at
/// most 256 of them.
#[must_use]
pub fn decode_tile(bytes: &[u8]) -> Option<Vec<Hash>> {
    if !bytes.len().is_multiple_of(HASH_SIZE) || bytes.len() > HASH_SIZE * 256 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(HASH_SIZE)
            .filter_map(Hash::from_slice)
            .collect(),
    )
}

/// Why bytes are not an entry bundle, or an entry does not fit in one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// An entry longer than [`MAX_ENTRY_SIZE`].
    #[error("an entry of {0} bytes does not fit a bundle (at most {MAX_ENTRY_SIZE})")]
    EntryTooLarge(usize),
    /// The bytes end inside an entry or its length.
    #[error("entry bundle truncated in entry {0}")]
    Truncated(usize),
    /// More than 256 entries.
    #[error("entry bundle holds more than 256 entries")]
    TooMany,
}

/// Appends `entry` to a bundle's bytes.
///
/// # Errors
/// [`BundleError::EntryTooLarge`].
pub fn push_bundle_entry(bundle: &mut Vec<u8>, entry: &[u8]) -> Result<(), BundleError> {
    let len = u16::try_from(entry.len()).map_err(|_| BundleError::EntryTooLarge(entry.len()))?;
    bundle.extend_from_slice(&len.to_be_bytes());
    bundle.extend_from_slice(entry);
    Ok(())
}

/// The entries of a bundle's bytes, in order.
///
/// # Errors
/// [`BundleError::Truncated`] or [`BundleError::TooMany`].
pub fn decode_bundle(mut bytes: &[u8]) -> Result<Vec<&[u8]>, BundleError> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        if out.len() == 256 {
            return Err(BundleError::TooMany);
        }
        let (len, rest) = bytes
            .split_first_chunk::<2>()
            .ok_or(BundleError::Truncated(out.len()))?;
        let len = usize::from(u16::from_be_bytes(*len));
        if rest.len() < len {
            return Err(BundleError::Truncated(out.len()));
        }
        let (entry, rest) = rest.split_at(len);
        out.push(entry);
        bytes = rest;
    }
    Ok(out)
}

/// The length in bytes of the first `width` entries of a bundle's bytes,
/// walking their lengths only; `None` when the bytes end before them.
#[must_use]
pub fn bundle_prefix_len(bytes: &[u8], width: u16) -> Option<usize> {
    let mut at = 0usize;
    for _ in 0..width {
        let len = bytes.get(at..at + 2)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        at = at.checked_add(2 + len)?;
        if at > bytes.len() {
            return None;
        }
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;
    use crate::merkle::{MemoryHashes, tree_hash};

    #[test]
    fn widths_follow_the_spec_example() {
        // "a tree of size 70,000 will be represented by 273 full level 0
        // tiles, one partial level 0 tile of width 112, one full level 1
        // tile, one partial level 1 tile of width 17, and one partial level
        // 2 tile of width 1."
        let tiles = TileId::all(TreeSize(70_000));
        let at = |level: u8| -> Vec<u16> {
            tiles
                .iter()
                .filter(|(t, _)| t.level == level)
                .map(|(_, w)| *w)
                .collect()
        };
        let l0 = at(0);
        assert_eq!(l0.len(), 274);
        assert!(l0[..273].iter().all(|w| *w == 256));
        assert_eq!(l0[273], 112);
        assert_eq!(at(1), vec![256, 17]);
        assert_eq!(at(2), vec![1]);
        assert!(at(3).is_empty());
        // "a tree of size 256 will be represented by a full level 0 tile
        // and a partial level 1 tile of width 1."
        assert_eq!(
            TileId::all(TreeSize(256)),
            vec![
                (TileId { level: 0, index: 0 }, 256),
                (TileId { level: 1, index: 0 }, 1)
            ]
        );
        assert!(TileId::all(TreeSize(0)).is_empty());
    }

    #[test]
    fn nodes_are_computed_from_their_tile() {
        let leaves: Vec<Hash> = (0u32..600).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let tree = MemoryHashes::from_leaf_hashes(leaves.iter().copied());
        for level in 0..8u8 {
            for index in 0..(600u64 >> level) {
                let id = NodeId { level, index };
                let (tile, pos, n) = TileId::of_node(id);
                assert_eq!(tile.level, 0);
                let start = usize::try_from(tile.index * TILE_WIDTH).unwrap() + pos;
                assert_eq!(
                    Some(subtree_hash(&leaves[start..start + n])),
                    tree.get(id),
                    "{id}"
                );
            }
        }
        let first = NodeId { level: 8, index: 0 };
        assert_eq!(
            TileId::of_node(first),
            (TileId { level: 1, index: 0 }, 0, 1)
        );
        assert_eq!(
            tree.get(first),
            Some(tree_hash(TreeSize(256), &tree).unwrap())
        );
    }

    #[test]
    fn bundles_round_trip_and_refuse_what_does_not_fit() {
        let mut bundle = Vec::new();
        push_bundle_entry(&mut bundle, b"one").unwrap();
        push_bundle_entry(&mut bundle, b"").unwrap();
        push_bundle_entry(&mut bundle, &[7; MAX_ENTRY_SIZE]).unwrap();
        let entries = decode_bundle(&bundle).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0], b"one");
        assert!(entries[1].is_empty());
        assert_eq!(entries[2].len(), MAX_ENTRY_SIZE);
        assert_eq!(
            push_bundle_entry(&mut bundle, &[0; MAX_ENTRY_SIZE + 1]),
            Err(BundleError::EntryTooLarge(MAX_ENTRY_SIZE + 1))
        );
        assert_eq!(
            decode_bundle(&bundle[..bundle.len() - 1]),
            Err(BundleError::Truncated(2))
        );
        assert_eq!(decode_bundle(&[0]), Err(BundleError::Truncated(0)));
        let many: Vec<u8> = [0u8, 0].repeat(257);
        assert_eq!(decode_bundle(&many), Err(BundleError::TooMany));
        // Prefixes end where decode_bundle's entries do.
        assert_eq!(bundle_prefix_len(&bundle, 0), Some(0));
        assert_eq!(bundle_prefix_len(&bundle, 1), Some(5));
        assert_eq!(bundle_prefix_len(&bundle, 2), Some(7));
        assert_eq!(bundle_prefix_len(&bundle, 3), Some(bundle.len()));
        assert_eq!(bundle_prefix_len(&bundle, 4), None);
        assert_eq!(bundle_prefix_len(&bundle[..bundle.len() - 1], 3), None);
    }

    #[test]
    fn tiles_decode_whole_hashes_only() {
        let h = [leaf_hash(b"a"), leaf_hash(b"b")];
        assert_eq!(decode_tile(&encode_tile(&h)).unwrap(), h);
        assert!(decode_tile(&[0; 33]).is_none());
        assert!(decode_tile(&vec![0; 32 * 257]).is_none());
        assert_eq!(decode_tile(&[]).unwrap(), Vec::<Hash>::new());
    }
}
