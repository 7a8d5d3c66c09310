//! The state the writer decides a batch against: the store (and what the
//! writer holds of it, [`StateCache`]), with the batches sequenced but not
//! yet committed laid over it, and the batch being sequenced over those.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};

use ed25519_dalek::VerifyingKey;

use crate::store::{Backend, LogStore, StoreError};
use vledger_records::vindex::{IndexKey, VinHead};
use vledger_records::{KeyState, ProtocolId, Vin};
use vledger_rules::index_tree::{IndexChanges, Node, Tile, TileAddr, TileReader};
use vledger_rules::transition::LogState;
use vledger_rules::{
    DeclaredProtocol, FactChange, LoggedRecord, StateView, VehicleFacts, VehicleState,
};
use vledger_tlog::hash::Hash;

use super::Appended;
use super::cache::StateCache;

/// What one batch changed in the log's state, by key.
#[derive(Debug, Default)]
pub(super) struct Layer {
    pub(super) keys: HashMap<[u8; 32], (VerifyingKey, KeyState)>,
    pub(super) vins: HashMap<Vin, VinHead>,
    /// VINs whose first record is in this batch.
    pub(super) new_vins: u64,
    pub(super) vehicles: HashMap<Vin, VehicleState>,
    /// Changes to vehicle facts, in the order made.
    pub(super) facts: Vec<(Vin, FactChange)>,
    pub(super) protocols: HashMap<ProtocolId, DeclaredProtocol>,
    /// Vehicle records sequenced in this batch, by leaf index.
    pub(super) records: HashMap<u64, LoggedRecord>,
    /// Deduplication keys of the records sequenced in this batch.
    pub(super) dedup: HashMap<Hash, u64>,
}

/// A batch sequenced and handed over to be committed, whose changes the
/// store may not hold yet.
#[derive(Debug)]
pub(super) struct Pending {
    /// The tree size after the batch.
    pub(super) tree_size: u64,
    /// The number of distinct VINs after the batch.
    pub(super) vin_count: u64,
    /// What it changed.
    pub(super) layer: Layer,
    /// What it changed in the VIN index.
    pub(super) root: Option<Node>,
    pub(super) tiles: HashMap<TileAddr, Tile>,
    /// The receipt data of its records, by leaf index.
    pub(super) appended: HashMap<u64, Appended>,
}

/// The batches sequenced but not yet known to be committed, oldest first.
pub(super) type PendingBatches = VecDeque<Pending>;

/// The [`LogState`] the writer runs the transition on: this batch's
/// changes, over the pending batches' (newest first), over the store.
///
/// Reads by key take the newest value; a value the store holds and a
/// pending batch holds too is the same, so it does not matter whether that
/// batch's commit has finished. The VIN count, a sum, is the newest
/// pending batch's when there is one, so no batch counts twice; a
/// vehicle's facts are set entry by entry, so a batch's changes applied
/// twice in order change nothing.
pub(super) struct Overlay<'a, B> {
    store: &'a LogStore<B>,
    pending: &'a PendingBatches,
    /// The committed state the writer holds.
    cache: &'a StateCache,
    /// The deduplication keys read for this batch, by key.
    dedup: &'a HashMap<Hash, Option<u64>>,
    pub(super) layer: Layer,
}

impl<'a, B: Backend> Overlay<'a, B> {
    pub(super) fn new(
        store: &'a LogStore<B>,
        pending: &'a PendingBatches,
        cache: &'a StateCache,
        dedup: &'a HashMap<Hash, Option<u64>>,
    ) -> Self {
        Self {
            store,
            pending,
            cache,
            dedup,
            layer: Layer::default(),
        }
    }

    /// The newest value `get` finds in this batch, the pending batches or
    /// else the store (`stored`).
    fn newest<T>(
        &self,
        get: impl Fn(&Layer) -> Option<T>,
        stored: impl FnOnce() -> Result<Option<T>, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        if let Some(v) = get(&self.layer) {
            return Ok(Some(v));
        }
        match self.pending.iter().rev().find_map(|p| get(&p.layer)) {
            Some(v) => Ok(Some(v)),
            None => stored(),
        }
    }

    /// The index tiles and root of the store with the pending batches'
    /// changes over them.
    pub(super) fn index(&self) -> PendingIndex<'_, B> {
        PendingIndex {
            store: self.store,
            pending: self.pending,
            cache: self.cache,
        }
    }
}

impl<B: Backend> LogState for Overlay<'_, B> {
    fn dedup(&self, key: &Hash) -> Result<Option<u64>, StoreError> {
        self.newest(
            |l| l.dedup.get(key).copied(),
            || match self.dedup.get(key) {
                Some(read) => Ok(*read),
                None => self.store.dedup(key),
            },
        )
    }

    fn vin_count(&self) -> Result<u64, StoreError> {
        // A pending batch is dropped only once its commit returned: while
        // one is pending, the newest says the count.
        let before = match self.pending.back() {
            Some(p) => p.vin_count,
            None => self.store.vin_count()?,
        };
        Ok(before + self.layer.new_vins)
    }

    fn changed_heads(&self) -> Vec<(IndexKey, VinHead)> {
        self.layer
            .vins
            .iter()
            .map(|(vin, head)| (IndexKey::for_vin(vin), *head))
            .collect()
    }

    fn set_key_state(&mut self, key: VerifyingKey, state: KeyState) {
        self.layer.keys.insert(key.to_bytes(), (key, state));
    }

    fn set_vin_head(&mut self, vin: &Vin, head: VinHead, new_vin: bool) {
        self.layer.vins.insert(vin.clone(), head);
        self.layer.new_vins += u64::from(new_vin);
    }

    fn set_vehicle(
        &mut self,
        vin: &Vin,
        state: VehicleState,
        facts: Vec<FactChange>,
        index: u64,
        record: LoggedRecord,
    ) {
        self.layer.vehicles.insert(vin.clone(), state);
        self.layer
            .facts
            .extend(facts.into_iter().map(|change| (vin.clone(), change)));
        self.layer.records.insert(index, record);
    }

    fn set_protocol(&mut self, id: ProtocolId, protocol: DeclaredProtocol) {
        self.layer.protocols.insert(id, protocol);
    }

    fn set_dedup(&mut self, key: Hash, index: u64) {
        self.layer.dedup.insert(key, index);
    }
}

impl<B: Backend> StateView for Overlay<'_, B> {
    type Error = StoreError;

    fn key_state(&self, key: &VerifyingKey) -> Result<Option<KeyState>, StoreError> {
        self.newest(
            |l| l.keys.get(key.as_bytes()).map(|(_, s)| s.clone()),
            || match self.cache.keys.get(key.as_bytes()) {
                Some(held) => Ok(held.clone()),
                None => self.store.key_state(key),
            },
        )
    }

    fn vin_head(&self, vin: &Vin) -> Result<Option<VinHead>, StoreError> {
        self.newest(
            |l| l.vins.get(vin).copied(),
            || match self.cache.vins.get(vin) {
                Some((head, _)) => Ok(*head),
                None => self.store.vin_head(vin),
            },
        )
    }

    fn vehicle(&self, vin: &Vin) -> Result<Option<VehicleState>, StoreError> {
        self.newest(
            |l| l.vehicles.get(vin).cloned(),
            || match self.cache.vins.get(vin) {
                Some((_, vehicle)) => Ok(vehicle.clone()),
                None => self.store.vehicle(vin),
            },
        )
    }

    fn vehicle_facts(&self, vin: &Vin) -> Result<VehicleFacts, StoreError> {
        // The facts are the store's with the pending batches' changes and
        // this batch's applied in order. A change sets one entry's fact, so
        // applying again those of a batch whose commit has just returned
        // leaves the facts as they are.
        let mut facts = self.store.vehicle_facts(vin)?;
        let layers = self.pending.iter().map(|p| &p.layer);
        for layer in layers.chain(std::iter::once(&self.layer)) {
            for (_, change) in layer.facts.iter().filter(|(v, _)| v == vin) {
                facts.apply(change);
            }
        }
        Ok(facts)
    }

    fn protocol(&self, id: &ProtocolId) -> Result<Option<DeclaredProtocol>, StoreError> {
        self.newest(|l| l.protocols.get(id).cloned(), || self.store.protocol(id))
    }

    fn logged_record(&self, index: u64) -> Result<Option<LoggedRecord>, StoreError> {
        self.newest(
            |l| l.records.get(&index).cloned(),
            || self.store.logged_record(index),
        )
    }
}

/// The VIN index as the store holds it with the pending batches' changes
/// laid over it: what the next batch's index entry is computed from.
pub(super) struct PendingIndex<'a, B> {
    store: &'a LogStore<B>,
    pending: &'a PendingBatches,
    cache: &'a StateCache,
}

impl<B: Backend> TileReader for PendingIndex<'_, B> {
    type Error = StoreError;

    fn read_root(&self) -> Result<Option<Node>, StoreError> {
        match self.pending.iter().rev().find_map(|p| p.root.as_ref()) {
            Some(root) => Ok(Some(*root)),
            None => match self.cache.root {
                Some(root) => Ok(root),
                None => self.store.read_root(),
            },
        }
    }

    fn read_tile(&self, addr: &TileAddr) -> Result<Option<Cow<'_, Tile>>, StoreError> {
        match self.pending.iter().rev().find_map(|p| p.tiles.get(addr)) {
            Some(tile) => Ok(Some(Cow::Borrowed(tile))),
            None => match self.cache.tiles.get(addr) {
                Some(tile) => Ok(Some(Cow::Borrowed(tile))),
                None => self.store.read_tile(addr),
            },
        }
    }
}

impl Pending {
    /// The pending batch made of a batch's `layer` and index `changes`.
    pub(super) fn new(
        tree_size: u64,
        vin_count: u64,
        layer: Layer,
        changes: &IndexChanges,
        appended: HashMap<u64, Appended>,
    ) -> Self {
        Self {
            tree_size,
            vin_count,
            layer,
            root: changes.root,
            tiles: changes.tiles.iter().cloned().collect(),
            appended,
        }
    }
}
