//! Storage: the typed [`LogStore`] over a key-value [`Backend`].
//!
//! The store holds entries, stored Merkle hashes, every signed checkpoint,
//! the head of every VIN's chain, the deduplication index and the state of
//! every submitter key. All of a batch's writes go to the backend in one
//! atomic, durable [`Backend::apply`]; the key layout is in [`layout`] and
//! `docs/store.md`.
//!
//! The sled backend is behind the `sled` feature (on by default), so that
//! the offline verifier builds without it.

mod backend;
#[cfg(feature = "test-backends")]
mod faulty;
pub mod layout;
#[cfg(feature = "test-backends")]
mod memory;
#[cfg(feature = "sled")]
mod sled_backend;

use ed25519_dalek::VerifyingKey;

pub use backend::{Backend, Pairs, Writes};
#[cfg(feature = "test-backends")]
pub use faulty::FaultyBackend;
#[cfg(feature = "test-backends")]
pub use memory::MemoryBackend;
#[cfg(feature = "sled")]
pub use sled_backend::SledBackend;

use std::borrow::Cow;
use vledger_records::vindex::VinHead;
use vledger_records::{Entry, Flag, KeyState, ProtocolId, Vin};
use vledger_rules::codec::{
    CodecError, decode_key_state, decode_protocol, decode_vehicle, decode_vin_head,
    encode_key_state, encode_protocol, encode_vehicle, encode_vin_head,
};
use vledger_rules::{DeclaredProtocol, LoggedRecord, VehicleState};
use vledger_tlog::hash::Hash;
use vledger_tlog::merkle::{HashReader, NodeId};

use layout::{
    CHECKPOINT, DEDUP, ENTRY, FORMAT_VERSION, KEY, META_FORMAT, META_INDEX_ROOT, META_ORIGIN,
    META_TREE_SIZE, META_VIN_COUNT, VIN_HEAD, bytes_key, hash_key, index_tile_key, read_u64,
    u64_key,
};
use vledger_rules::index_tree::{IndexChanges, Node, Tile, TileAddr, TileReader};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend failed (I/O error, lock held by another process, ...).
    #[error("storage backend: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
    /// A value in the store is malformed.
    #[error("store is corrupt: malformed {0}")]
    Corrupt(&'static str),
    /// An item the tree size says must exist is absent.
    #[error("store is corrupt: {what} {index} is missing")]
    Missing {
        /// What kind of item.
        what: &'static str,
        /// Its index.
        index: u64,
    },
    /// A stored hash is absent.
    #[error("store is corrupt: stored hash at level {} index {} is missing", .0.level, .0.index)]
    MissingHash(NodeId),
    /// The store was written by another format version.
    #[error("store format version {found} is not the supported version {FORMAT_VERSION}")]
    Format {
        /// The version found.
        found: u32,
    },
}

impl From<CodecError> for StoreError {
    fn from(e: CodecError) -> Self {
        Self::Corrupt(e.what)
    }
}

/// Everything one sequenced batch writes, applied atomically.
#[derive(Debug, Default)]
pub struct WriteBatch {
    /// New entries, by leaf index.
    pub entries: Vec<(u64, Vec<u8>)>,
    /// New stored hashes.
    pub hashes: Vec<(NodeId, Hash)>,
    /// New heads of VIN chains.
    pub vin_heads: Vec<(Vin, VinHead)>,
    /// New deduplication keys, with the index of the entry they name.
    pub dedup: Vec<(Hash, u64)>,
    /// New or changed key states.
    pub keys: Vec<(VerifyingKey, KeyState)>,
    /// New or changed vehicle states.
    pub vehicles: Vec<(Vin, VehicleState)>,
    /// Newly declared inspection protocols.
    pub protocols: Vec<(ProtocolId, DeclaredProtocol)>,
    /// The signed checkpoint of the new tree size.
    pub checkpoint: Option<(u64, String)>,
    /// What the batch changed in the VIN index.
    pub index: IndexChanges,
    /// The number of distinct VINs after the batch.
    pub vin_count: u64,
    /// The new tree size.
    pub tree_size: u64,
    /// The origin, written once at initialisation.
    pub origin: Option<String>,
}

/// The typed view of a vledger store.
#[derive(Debug, Clone)]
pub struct LogStore<B> {
    backend: B,
}

/// Entries read per backend scan.
const SCAN_PAGE: usize = 1024;

impl<B: Backend> LogStore<B> {
    /// Wraps a backend.
    ///
    /// # Errors
    /// [`StoreError::Format`] when the store was written in another format.
    pub fn new(backend: B) -> Result<Self, StoreError> {
        let store = Self { backend };
        if let Some(v) = store.backend.get(META_FORMAT)? {
            let found = <[u8; 4]>::try_from(v.as_slice())
                .map(u32::from_be_bytes)
                .map_err(|_| StoreError::Corrupt("format version"))?;
            if found != FORMAT_VERSION {
                return Err(StoreError::Format { found });
            }
        }
        Ok(store)
    }

    /// The backend, for tools that inspect or (in tests) damage the store.
    #[must_use]
    pub const fn backend(&self) -> &B {
        &self.backend
    }

    /// Number of entries in the store (0 for a new store).
    ///
    /// # Errors
    /// When the backend fails or the value is malformed.
    pub fn tree_size(&self) -> Result<u64, StoreError> {
        match self.backend.get(META_TREE_SIZE)? {
            None => Ok(0),
            Some(v) => read_u64(&v, "tree size"),
        }
    }

    /// Number of distinct VINs with records.
    ///
    /// # Errors
    /// When the backend fails or the value is malformed.
    pub fn vin_count(&self) -> Result<u64, StoreError> {
        match self.backend.get(META_VIN_COUNT)? {
            None => Ok(0),
            Some(v) => read_u64(&v, "VIN count"),
        }
    }

    /// The log's origin, once initialised.
    ///
    /// # Errors
    /// When the backend fails or the value is malformed.
    pub fn origin(&self) -> Result<Option<String>, StoreError> {
        self.backend
            .get(META_ORIGIN)?
            .map(|v| String::from_utf8(v).map_err(|_| StoreError::Corrupt("origin")))
            .transpose()
    }

    /// The entry at `index`, if stored.
    ///
    /// # Errors
    /// When the backend fails.
    pub fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.backend.get(&u64_key(ENTRY, index))
    }

    /// Entries in `[start, end)`, at most `SCAN_PAGE` (1024) of them; fewer
    /// only when `end` is reached.
    ///
    /// # Errors
    /// [`StoreError::Missing`] when an entry in the range is absent.
    pub fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        let pairs = self
            .backend
            .scan(&u64_key(ENTRY, start), &u64_key(ENTRY, end), SCAN_PAGE)?;
        let mut out = Vec::with_capacity(pairs.len());
        for (i, (k, v)) in pairs.into_iter().enumerate() {
            let expected = start + i as u64;
            if read_u64(&k[1..], "entry key")? != expected {
                return Err(StoreError::Missing {
                    what: "entry",
                    index: expected,
                });
            }
            out.push(v);
        }
        let wanted = (end.saturating_sub(start)).min(SCAN_PAGE as u64);
        if (out.len() as u64) < wanted {
            return Err(StoreError::Missing {
                what: "entry",
                index: start + out.len() as u64,
            });
        }
        Ok(out)
    }

    /// The signed checkpoint at `tree_size`, if one was signed there.
    ///
    /// # Errors
    /// When the backend fails or the value is malformed.
    pub fn checkpoint(&self, tree_size: u64) -> Result<Option<String>, StoreError> {
        self.backend
            .get(&u64_key(CHECKPOINT, tree_size))?
            .map(|v| String::from_utf8(v).map_err(|_| StoreError::Corrupt("checkpoint")))
            .transpose()
    }

    /// Tree sizes at which checkpoints were signed, in `[from, to)`, at most
    /// `SCAN_PAGE` of them.
    ///
    /// # Errors
    /// When the backend fails.
    pub fn checkpoint_sizes(&self, from: u64, to: u64) -> Result<Vec<u64>, StoreError> {
        self.backend
            .scan(
                &u64_key(CHECKPOINT, from),
                &u64_key(CHECKPOINT, to),
                SCAN_PAGE,
            )?
            .into_iter()
            .map(|(k, _)| read_u64(&k[1..], "checkpoint key"))
            .collect()
    }

    /// The head of `vin`'s chain, if it has records.
    ///
    /// # Errors
    /// When the backend fails or the value is malformed.
    pub fn vin_head(&self, vin: &Vin) -> Result<Option<VinHead>, StoreError> {
        self.backend
            .get(&bytes_key(VIN_HEAD, vin.as_str().as_bytes()))?
            .map(|v| Ok(decode_vin_head(&v)?))
            .transpose()
    }

    /// The vehicle record logged at leaf `index`, summarised for the
    /// rules; `None` when that entry is not a record about a vehicle.
    ///
    /// # Errors
    /// When the backend fails or the entry does not decode.
    pub fn logged_record(&self, index: u64) -> Result<Option<LoggedRecord>, StoreError> {
        let Some(bytes) = self.entry(index)? else {
            return Ok(None);
        };
        let entry = Entry::decode(&bytes).map_err(|_| StoreError::Corrupt("entry"))?;
        Ok(entry
            .record()
            .filter(|r| r.signed.record().vin.is_some())
            .map(|r| LoggedRecord::of(r.signed.record(), r.signed.public_key())))
    }

    /// The flags of the record entry at leaf `index` (none for other entries).
    ///
    /// # Errors
    /// When the backend fails or the entry is missing or does not decode.
    pub fn logged_flags(&self, index: u64) -> Result<Vec<Flag>, StoreError> {
        let bytes = self.entry(index)?.ok_or(StoreError::Missing {
            what: "entry",
            index,
        })?;
        let entry = Entry::decode(&bytes).map_err(|_| StoreError::Corrupt("entry"))?;
        Ok(entry.record().map(|r| r.flags.clone()).unwrap_or_default())
    }

    /// What the rules know about `vin`'s vehicle, if it has records.
    ///
    /// # Errors
    /// When the backend fails or the value is malformed.
    pub fn vehicle(&self, vin: &Vin) -> Result<Option<VehicleState>, StoreError> {
        self.backend
            .get(&layout::vehicle_key(vin))?
            .map(|v| Ok(decode_vehicle(&v)?))
            .transpose()
    }

    /// The inspection protocol `id`, if declared.
    ///
    /// # Errors
    /// When the backend fails or the value is malformed.
    pub fn protocol(&self, id: &ProtocolId) -> Result<Option<DeclaredProtocol>, StoreError> {
        self.backend
            .get(&layout::protocol_key(id))?
            .map(|v| Ok(decode_protocol(&v)?))
            .transpose()
    }

    /// The index of the entry with deduplication key `key`, if logged.
    ///
    /// # Errors
    /// When the backend fails or the value is malformed.
    pub fn dedup(&self, key: &Hash) -> Result<Option<u64>, StoreError> {
        self.backend
            .get(&bytes_key(DEDUP, key.as_bytes()))?
            .map(|v| read_u64(&v, "dedup index"))
            .transpose()
    }

    /// What the log says about `key`, if it was ever enrolled.
    ///
    /// # Errors
    /// When the backend fails or the value is malformed.
    pub fn key_state(&self, key: &VerifyingKey) -> Result<Option<KeyState>, StoreError> {
        self.backend
            .get(&bytes_key(KEY, key.as_bytes()))?
            .map(|v| Ok(decode_key_state(&v)?))
            .transpose()
    }

    /// Writes a batch atomically and durably.
    ///
    /// # Errors
    /// When the backend fails; see [`Backend::apply`].
    pub fn commit(&self, batch: WriteBatch) -> Result<(), StoreError> {
        let mut w: Writes = Vec::with_capacity(
            batch.entries.len() * 3 + batch.hashes.len() + batch.index.tiles.len() + 7,
        );
        for (i, e) in batch.entries {
            w.push((u64_key(ENTRY, i), Some(e)));
        }
        for (id, h) in batch.hashes {
            w.push((hash_key(id), Some(h.0.to_vec())));
        }
        for (vin, head) in &batch.vin_heads {
            w.push((
                bytes_key(VIN_HEAD, vin.as_str().as_bytes()),
                Some(encode_vin_head(head)),
            ));
        }
        for (k, i) in batch.dedup {
            w.push((
                bytes_key(DEDUP, k.as_bytes()),
                Some(i.to_be_bytes().to_vec()),
            ));
        }
        for (k, s) in &batch.keys {
            w.push((bytes_key(KEY, k.as_bytes()), Some(encode_key_state(s))));
        }
        for (addr, tile) in &batch.index.tiles {
            w.push((index_tile_key(addr), Some(tile.encode())));
        }
        if let Some(root) = &batch.index.root {
            w.push((
                META_INDEX_ROOT.to_vec(),
                Some(layout::encode_index_node(root)),
            ));
        }
        for (vin, state) in &batch.vehicles {
            w.push((layout::vehicle_key(vin), Some(encode_vehicle(state))));
        }
        for (id, p) in &batch.protocols {
            w.push((layout::protocol_key(id), Some(encode_protocol(p))));
        }
        if let Some((size, note)) = batch.checkpoint {
            w.push((u64_key(CHECKPOINT, size), Some(note.into_bytes())));
        }
        if let Some(origin) = batch.origin {
            w.push((META_ORIGIN.to_vec(), Some(origin.into_bytes())));
            w.push((
                META_FORMAT.to_vec(),
                Some(FORMAT_VERSION.to_be_bytes().to_vec()),
            ));
        }
        w.push((
            META_VIN_COUNT.to_vec(),
            Some(batch.vin_count.to_be_bytes().to_vec()),
        ));
        w.push((
            META_TREE_SIZE.to_vec(),
            Some(batch.tree_size.to_be_bytes().to_vec()),
        ));
        self.backend.apply(w)
    }
}

impl<B: Backend> HashReader for LogStore<B> {
    type Error = StoreError;

    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, StoreError> {
        ids.iter()
            .map(|&id| {
                let v = self
                    .backend
                    .get(&hash_key(id))?
                    .ok_or(StoreError::MissingHash(id))?;
                Hash::from_slice(&v).ok_or(StoreError::Corrupt("stored hash"))
            })
            .collect()
    }
}

impl<B: Backend> TileReader for LogStore<B> {
    type Error = StoreError;

    fn read_root(&self) -> Result<Option<Node>, StoreError> {
        self.backend
            .get(META_INDEX_ROOT)?
            .map(|v| layout::decode_index_node(&v))
            .transpose()
    }

    fn read_tile(&self, addr: &TileAddr) -> Result<Option<Cow<'_, Tile>>, StoreError> {
        self.backend
            .get(&index_tile_key(addr))?
            .map(|v| layout::decode_index_tile(&v).map(Cow::Owned))
            .transpose()
    }
}
