//! What the writer holds of the committed state so that sequencing reads
//! no store on its hot path: key states, VIN chain heads, vehicle states
//! and the VIN index's tiles and root, each as the store holds it.
//!
//! Values come in two ways: a batch's states are read together before it
//! is sequenced ([`LogStore::prefetch`], one round trip), and a batch's
//! changes are taken in once its commit has returned
//! ([`StateCache::take`]). A value is never newer than the store's, and a
//! batch not yet committed is read from its pending layer first, so the
//! cache is never the only place that is right.
//!
//! The cache is bounded by counts ([`CACHED_VINS`], [`CACHED_TILES`],
//! [`CACHED_KEYS`]); a map that outgrows its bound is emptied and fills
//! again from the batches that follow.

use std::collections::HashMap;

use ed25519_dalek::VerifyingKey;
use vledger_records::vindex::VinHead;
use vledger_records::{KeyState, Vin};
use vledger_rules::VehicleState;
use vledger_rules::index_tree::{Node, Tile, TileAddr};

use crate::store::Prefetched;

/// Most VINs whose chain head and vehicle state the writer holds: about
/// 40 MiB at the size of a typical vehicle state.
pub const CACHED_VINS: usize = 131_072;
/// Most VIN index tiles the writer holds: about 40 MiB when full.
pub const CACHED_TILES: usize = 32_768;
/// Most key states the writer holds (enrolled keys, and keys that signed
/// without being enrolled): about 8 MiB.
pub const CACHED_KEYS: usize = 65_536;

/// The committed state the writer holds; see the module's documentation.
#[derive(Debug, Default)]
pub(super) struct StateCache {
    pub(super) keys: HashMap<[u8; 32], Option<KeyState>>,
    pub(super) vins: HashMap<Vin, (Option<VinHead>, Option<VehicleState>)>,
    pub(super) tiles: HashMap<TileAddr, Tile>,
    /// The index root, once known: `Some(None)` for an empty index.
    pub(super) root: Option<Option<Node>>,
}

impl StateCache {
    /// Takes in what was read from the store.
    pub(super) fn fill(&mut self, read: Prefetched) {
        make_room(&mut self.keys, read.keys.len(), CACHED_KEYS);
        self.keys.extend(read.keys);
        make_room(&mut self.vins, read.vins.len(), CACHED_VINS);
        self.vins.extend(read.vins);
    }

    /// Takes in the changes of a batch whose commit has returned: its key
    /// states, VIN heads and vehicle states, and its VIN index root (when
    /// it changed) and tiles.
    pub(super) fn take(
        &mut self,
        keys: HashMap<[u8; 32], (VerifyingKey, KeyState)>,
        heads: HashMap<Vin, VinHead>,
        mut vehicles: HashMap<Vin, VehicleState>,
        root: Option<Node>,
        tiles: HashMap<TileAddr, Tile>,
    ) {
        make_room(&mut self.keys, keys.len(), CACHED_KEYS);
        for (key, (_, state)) in keys {
            self.keys.insert(key, Some(state));
        }
        make_room(&mut self.vins, heads.len(), CACHED_VINS);
        for (vin, head) in heads {
            let vehicle = vehicles.remove(&vin);
            match self.vins.get_mut(&vin) {
                Some(cached) => {
                    cached.0 = Some(head);
                    if vehicle.is_some() {
                        cached.1 = vehicle;
                    }
                }
                // The vehicle state of a VIN not held is read again when
                // needed: a record that changes the head without the
                // state leaves it unknown here.
                None if vehicle.is_some() => {
                    self.vins.insert(vin, (Some(head), vehicle));
                }
                None => {}
            }
        }
        // Vehicle states changed without the head (none today) are
        // dropped, to be read again.
        for vin in vehicles.into_keys() {
            self.vins.remove(&vin);
        }
        if root.is_some() {
            self.root = Some(root);
        }
        make_room(&mut self.tiles, tiles.len(), CACHED_TILES);
        self.tiles.extend(tiles);
    }
}

/// Empties `map` when `more` entries would take it past `bound`.
fn make_room<K, V>(map: &mut HashMap<K, V>, more: usize, bound: usize) {
    if map.len() + more > bound {
        map.clear();
    }
}
