//! Changing a store behind the writer's back, through its key layout
//! (docs/store.md): entries inside their bundles, hashes inside their tiles.
//! A partial bundle or tile is stored as pieces; what is read here is the
//! whole, and what is written back replaces the pieces with one value.

use crate::store::layout::{BUNDLE, hash_tile_key, u64_key};
use crate::store::{Backend, stored_item};
use vledger_tlog::tile::{TileId, decode_bundle, push_bundle_entry};

/// The stored bytes of the item at `key` (its pieces joined), if any.
fn item<B: Backend>(b: &B, key: &[u8]) -> Option<Vec<u8>> {
    stored_item(b, key).unwrap().map(|(_, bytes)| bytes)
}

/// Replaces (or with `None` removes) the item at `key` and its pieces.
fn set_item<B: Backend>(b: &B, key: &[u8], bytes: Option<Vec<u8>>) {
    let stored = stored_item(b, key).unwrap().map(|(keys, _)| keys);
    let mut writes: Vec<_> = stored.into_iter().flatten().map(|k| (k, None)).collect();
    writes.push((key.to_vec(), bytes));
    b.apply(writes, None).unwrap();
}

/// The stored bytes of entry `index`.
pub fn entry<B: Backend>(b: &B, index: u64) -> Vec<u8> {
    let bundle = item(b, &u64_key(BUNDLE, index / 256)).unwrap();
    decode_bundle(&bundle).unwrap()[(index % 256) as usize].to_vec()
}

/// Replaces the stored bytes of entry `index` inside its bundle.
pub fn set_entry<B: Backend>(b: &B, index: u64, bytes: &[u8]) {
    let key = u64_key(BUNDLE, index / 256);
    let bundle = item(b, &key).unwrap();
    let mut out = Vec::new();
    for (i, e) in decode_bundle(&bundle).unwrap().into_iter().enumerate() {
        let e = if i as u64 == index % 256 { bytes } else { e };
        push_bundle_entry(&mut out, e).unwrap();
    }
    set_item(b, &key, Some(out));
}

/// The stored bytes of hash tile `tile`.
pub fn tile<B: Backend>(b: &B, tile: TileId) -> Option<Vec<u8>> {
    item(b, &hash_tile_key(tile))
}

/// Replaces (or with `None` removes) hash tile `tile`.
pub fn set_tile<B: Backend>(b: &B, tile: TileId, bytes: Option<Vec<u8>>) {
    set_item(b, &hash_tile_key(tile), bytes);
}
