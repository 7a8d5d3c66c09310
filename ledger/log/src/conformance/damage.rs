//! Changing a store behind the writer's back, through its key layout
//! (docs/store.md): entries inside their bundles, hashes inside their tiles.

use crate::store::Backend;
use crate::store::layout::{BUNDLE, hash_tile_key, u64_key};
use vledger_tlog::tile::{TileId, decode_bundle, push_bundle_entry};

/// The stored bytes of entry `index`.
pub fn entry<B: Backend>(b: &B, index: u64) -> Vec<u8> {
    let bundle = b.get(&u64_key(BUNDLE, index / 256)).unwrap().unwrap();
    decode_bundle(&bundle).unwrap()[(index % 256) as usize].to_vec()
}

/// Replaces the stored bytes of entry `index` inside its bundle.
pub fn set_entry<B: Backend>(b: &B, index: u64, bytes: &[u8]) {
    let key = u64_key(BUNDLE, index / 256);
    let bundle = b.get(&key).unwrap().unwrap();
    let mut out = Vec::new();
    for (i, e) in decode_bundle(&bundle).unwrap().into_iter().enumerate() {
        let e = if i as u64 == index % 256 { bytes } else { e };
        push_bundle_entry(&mut out, e).unwrap();
    }
    b.apply(vec![(key, Some(out))], None).unwrap();
}

/// The stored bytes of hash tile `tile`.
pub fn tile<B: Backend>(b: &B, tile: TileId) -> Option<Vec<u8>> {
    b.get(&hash_tile_key(tile)).unwrap()
}

/// Replaces (or with `None` removes) hash tile `tile`.
pub fn set_tile<B: Backend>(b: &B, tile: TileId, bytes: Option<Vec<u8>>) {
    b.apply(vec![(hash_tile_key(tile), bytes)], None).unwrap();
}
