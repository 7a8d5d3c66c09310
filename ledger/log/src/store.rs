//! Storage: the typed [`LogStore`] over a key-value [`Backend`].
//!
//! The store holds the log as C2SP tlog-tiles (entry bundles and hash
//! tiles, the rightmost of each partial), every signed checkpoint,
//! the head of every VIN's chain, the deduplication index and the state of
//! every submitter key. All of a batch's writes go to the backend in one
//! atomic, durable [`Backend::apply`]; the key layout is in [`layout`] and
//! `docs/store.md`.
//!
//! The sled backend is behind the `sled` feature (on by default) and the
//! PostgreSQL backend behind `postgres`, so that the offline verifier
//! builds without either.

mod archive;
mod backend;
mod dedup;
mod facts;
#[cfg(feature = "test-backends")]
mod faulty;
#[cfg(feature = "sled")]
mod journal;
pub mod layout;
#[cfg(feature = "test-backends")]
mod memory;
#[cfg(feature = "postgres")]
mod postgres_backend;
mod runs;
#[cfg(feature = "sled")]
mod sled_backend;

use ed25519_dalek::VerifyingKey;

pub use archive::{Archived, MAX_WAITING, TileArchive, TileDirectory};
pub use backend::{Backend, Pair, Pairs, Writes, check_fence, scan_pages, stored_tree_size};
pub use dedup::{RUN_ENTRIES, move_dedup_keys};
pub use facts::{CHUNK_CHANGES, StoredFacts, WITHDRAWN};
pub(crate) use facts::{Change as FactChunkChange, series_writes};
#[cfg(feature = "test-backends")]
pub use faulty::FaultyBackend;
#[cfg(feature = "test-backends")]
pub use memory::MemoryBackend;
#[cfg(feature = "postgres")]
pub use postgres_backend::{LeaderLock, PostgresBackend, PostgresError, SCHEMA_VERSION};
#[cfg(feature = "sled")]
pub use sled_backend::{
    DEFAULT_JOURNAL_BYTES, DEFAULT_SLED_CACHE_BYTES, JOURNAL_FILE, SledBackend,
};

use std::borrow::Cow;
use std::collections::{BTreeMap, btree_map};
use std::sync::Arc;
use vledger_records::vindex::VinHead;
use vledger_records::{Entry, Flag, KeyState, ProtocolId, Vin};
use vledger_rules::codec::{
    CodecError, decode_key_state, decode_protocol, decode_vehicle, decode_vin_head,
    encode_key_state, encode_protocol, encode_vehicle, encode_vin_head,
};
use vledger_rules::{DeclaredProtocol, FactChange, LoggedRecord, VehicleState};
use vledger_tlog::hash::Hash;
use vledger_tlog::merkle::{HashReader, NodeId};
use vledger_tlog::tile::{
    TILE_HEIGHT, TILE_WIDTH, TileHashes, TileId, TileReadError, TileSource, decode_bundle,
    decode_tile, push_bundle_entry,
};

use layout::{
    BUNDLE, CHECKPOINT, DEDUP, FORMAT_VERSION, KEY, META_FORMAT, META_INDEX_ROOT, META_ORIGIN,
    META_TREE_SIZE, META_VIN_COUNT, VIN_HEAD, bytes_key, hash_tile_key, index_tile_key, piece_key,
    pieces_range, read_u64, u64_key,
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
    /// An entry too long for an entry bundle (a `u16` length).
    #[error("entry {index} is {size} bytes, more than an entry bundle holds")]
    EntryTooLarge {
        /// Its leaf index.
        index: u64,
        /// Its length.
        size: usize,
    },
    /// Another writer changed the store since this one's last batch: the
    /// stored tree size is not the one it last committed, so its batch was
    /// refused whole.
    #[error(
        "another sequencer wrote to this store: its tree size is {found}, not {expected} as this writer last committed; nothing was written"
    )]
    Fenced {
        /// The tree size this writer last committed.
        expected: u64,
        /// The tree size the store holds.
        found: u64,
    },
    /// A vehicle fact too long for a chunk of facts (a `u8` length, 255
    /// marking a withdrawal).
    #[error(
        "the vehicle fact of entry {index} is {size} bytes, more than a fact chunk holds (254)"
    )]
    FactTooLarge {
        /// The entry stating it.
        index: u64,
        /// Its length.
        size: usize,
    },
    /// The store was written by another format version.
    #[error(
        "store format version {found} is not the supported version {FORMAT_VERSION}{}",
        if *found < FORMAT_VERSION { "; run `vledger migrate` on it" } else { "" }
    )]
    Format {
        /// The version found.
        found: u32,
    },
    /// The backend still holds the deduplication keys that a store beside
    /// a tile archive keeps in run files.
    #[error(
        "the store keeps its deduplication keys in the key-value store, not in run files beside it; run `vledger migrate` on it"
    )]
    DedupKeysInBackend,
    /// Another process holds the store (sled's directory lock): a node
    /// serving it, or another command.
    #[error(
        "the store is in use by another process (is `vledger serve` running on it?): stop the node first, or work on a copy made while it was stopped"
    )]
    InUse,
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
    /// Changes to vehicle facts, in the order made.
    pub facts: Vec<(Vin, FactChange)>,
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
    /// The tree size the writer last committed, before this batch (0 for
    /// the first): the batch applies only if the store still holds it.
    pub previous_tree_size: u64,
    /// The origin, written once at initialisation.
    pub origin: Option<String>,
}

/// What [`LogStore::prefetch`] read, by what was asked: `None` for what
/// the store does not hold.
#[derive(Debug, Default)]
pub struct Prefetched {
    /// Deduplication keys and the entries they name.
    pub dedup: std::collections::HashMap<Hash, Option<u64>>,
    /// Key states, by public key.
    pub keys: std::collections::HashMap<[u8; 32], Option<KeyState>>,
    /// Chain heads and vehicle states, by VIN.
    pub vins: std::collections::HashMap<Vin, (Option<VinHead>, Option<VehicleState>)>,
}

/// The typed view of a vledger store.
#[derive(Debug, Clone)]
pub struct LogStore<B> {
    backend: B,
    /// Where full tiles and bundles go, when not in the backend.
    archive: Option<Arc<dyn TileArchive>>,
    /// Held for writing while a batch is applied, and for reading by
    /// [`LogStore::consistent`], shared by every clone.
    commits: Arc<std::sync::RwLock<()>>,
    /// The deduplication index, when it is kept in files beside the
    /// archive rather than as keys in the backend.
    dedup_index: Option<Arc<std::sync::Mutex<dedup::DedupIndex>>>,
    /// Items waiting to be archived, when archiving is deferred.
    deferred: Option<Arc<std::sync::Mutex<archive::Deferred>>>,
    /// The right edge the last batch committed through this store (or a
    /// clone) left.
    edge: Arc<std::sync::Mutex<CommittedEdge>>,
}

/// The partial bundle and partial hash tiles a batch left, as stored (the
/// keys each is stored under, and its bytes), by item key: what the next
/// batch extends, held so that it is not read back from the backend.
/// Valid at its tree size only; a batch that finds the store at another
/// size (another writer, or none before) reads the backend.
#[derive(Debug, Default)]
struct CommittedEdge {
    tree_size: u64,
    items: std::collections::HashMap<Vec<u8>, StoredItem>,
}

/// Entries read per backend scan.
const SCAN_PAGE: usize = 1024;

impl<B: Backend> LogStore<B> {
    /// Wraps a backend.
    ///
    /// # Errors
    /// [`StoreError::Format`] when the store was written in another format.
    pub fn new(backend: B) -> Result<Self, StoreError> {
        let store = Self {
            backend,
            archive: None,
            commits: Arc::default(),
            dedup_index: None,
            deferred: None,
            edge: Arc::default(),
        };
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

    /// Keeps full tiles and bundles in `archive` from now on (see
    /// [`TileArchive`]); those already in the backend stay readable there.
    #[must_use]
    pub fn with_archive(mut self, archive: Arc<dyn TileArchive>) -> Self {
        self.archive = Some(archive);
        self
    }

    /// Moves full tiles and bundles to the archive off the commit path: a
    /// batch writes each one it completes whole to the backend, durably
    /// with the batch, and [`LogStore::archive_committed`], called on a
    /// thread of the caller's, puts them in the archive; a later batch
    /// removes them from the backend. Until then they are read from the
    /// backend. When [`MAX_WAITING`] wait, a commit archives them itself
    /// first. Items that a crash leaves waiting stay whole in the backend,
    /// where they are read. Does nothing without an archive; call it before
    /// cloning the store.
    #[must_use]
    pub fn defer_archiving(mut self) -> Self {
        if self.archive.is_some() {
            self.deferred = Some(Arc::default());
        }
        self
    }

    fn deferred(&self) -> Option<std::sync::MutexGuard<'_, archive::Deferred>> {
        self.deferred
            .as_ref()
            .map(|d| d.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Whether archiving is deferred ([`LogStore::defer_archiving`]).
    #[must_use]
    pub fn defers_archiving(&self) -> bool {
        self.deferred.is_some()
    }

    /// Whether full tiles or bundles wait to be archived
    /// ([`LogStore::archive_committed`]).
    #[must_use]
    pub fn archive_waiting(&self) -> bool {
        self.deferred().is_some_and(|d| !d.waiting.is_empty())
    }

    /// Puts the full tiles and bundles that committed batches left waiting
    /// into the archive, durably, and returns how many; the next batch
    /// removes them from the backend. Returns 0 when archiving is not
    /// deferred.
    ///
    /// # Errors
    /// When the archive fails; the items stay waiting (and readable in the
    /// backend).
    pub fn archive_committed(&self) -> Result<usize, StoreError> {
        let Some(archive) = &self.archive else {
            return Ok(0);
        };
        let Some(waiting) = self.deferred().map(|mut d| std::mem::take(&mut d.waiting)) else {
            return Ok(0);
        };
        if waiting.is_empty() {
            return Ok(0);
        }
        let result = archive.put(&waiting);
        let Some(mut deferred) = self.deferred() else {
            return Ok(0);
        };
        match result {
            Ok(()) => {
                deferred
                    .archived
                    .extend(waiting.iter().map(|(item, _)| *item));
                Ok(waiting.len())
            }
            Err(e) => {
                let newer = std::mem::replace(&mut deferred.waiting, waiting);
                deferred.waiting.extend(newer);
                Err(e)
            }
        }
    }

    /// Removes from the backend the items archived since the last batch,
    /// which the next batch would have removed: for when no batch follows
    /// (the node stopping).
    ///
    /// # Errors
    /// When the backend fails; the items stay in it.
    pub fn remove_archived(&self) -> Result<(), StoreError> {
        let Some(archived) = self.deferred().map(|mut d| std::mem::take(&mut d.archived)) else {
            return Ok(());
        };
        if archived.is_empty() {
            return Ok(());
        }
        let writes = archived
            .iter()
            .map(|&item| (archived_key(item), None))
            .collect();
        let _held = self
            .commits
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.backend.apply(writes, None)
    }

    /// Keeps the deduplication index in sorted run files in `dir` (see
    /// `docs/store.md`) rather than as keys in the backend, and indexes
    /// the entries the runs do not cover yet. The backend must hold no
    /// deduplication keys: `vledger migrate` moves a store's into runs.
    ///
    /// # Errors
    /// [`StoreError::DedupKeysInBackend`] when the backend still holds
    /// deduplication keys; when the runs or the entries cannot be read.
    pub fn with_dedup_runs(self, dir: &std::path::Path) -> Result<Self, StoreError> {
        self.with_dedup_runs_every(dir, RUN_ENTRIES)
    }

    /// [`LogStore::with_dedup_runs`] with a run every `run_entries`
    /// entries rather than every [`RUN_ENTRIES`]: for tests, which cannot
    /// wait for 65,536 entries.
    ///
    /// # Errors
    /// As [`LogStore::with_dedup_runs`].
    pub fn with_dedup_runs_every(
        mut self,
        dir: &std::path::Path,
        run_entries: u64,
    ) -> Result<Self, StoreError> {
        if !self.backend.scan(&[DEDUP], &[DEDUP + 1], 1)?.is_empty() {
            return Err(StoreError::DedupKeysInBackend);
        }
        let tree_size = self.tree_size()?;
        let index = dedup::DedupIndex::open(dir, run_entries, tree_size, |start, end| {
            self.entries(start, end)
        })?;
        self.dedup_index = Some(Arc::new(std::sync::Mutex::new(index)));
        Ok(self)
    }

    fn dedup_index(&self) -> Option<std::sync::MutexGuard<'_, dedup::DedupIndex>> {
        self.dedup_index
            .as_ref()
            .map(|i| i.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// The number of deduplication keys the store holds.
    ///
    /// # Errors
    /// When the backend fails.
    pub fn dedup_count(&self) -> Result<u64, StoreError> {
        if let Some(index) = self.dedup_index() {
            return Ok(index.count());
        }
        let mut count = 0;
        scan_pages(
            &self.backend,
            vec![DEDUP],
            &[DEDUP + 1],
            SCAN_PAGE,
            |page| {
                count += page.len() as u64;
                Ok(())
            },
        )?;
        Ok(count)
    }

    /// The item from the backend at `key`, or else from the archive.
    fn immutable(&self, key: &[u8], item: Archived) -> Result<Option<Vec<u8>>, StoreError> {
        match self.stored_item(key)? {
            Some((_, bytes)) => Ok(Some(bytes)),
            None => match &self.archive {
                Some(archive) => archive.get(item),
                None => Ok(None),
            },
        }
    }

    /// The bundle or tile stored at `key` in the key-value store
    /// ([`stored_item`]).
    fn stored_item(&self, key: &[u8]) -> Result<Option<StoredItem>, StoreError> {
        stored_item(&self.backend, key)
    }

    /// Runs `read` with no batch committed meanwhile (by this store or
    /// its clones): what it reads of the mutable parts (tree size, VIN
    /// heads, VIN index, key states) is of one tree size. Everything below
    /// that size (entries, full and partial tiles up to its width,
    /// checkpoints) never changes, so it can be read afterwards.
    pub fn consistent<T>(&self, read: impl FnOnce(&Self) -> T) -> T {
        let _held = self
            .commits
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        read(self)
    }

    /// Puts away what the backend holds in memory, before the process
    /// exits ([`Backend::close`]).
    ///
    /// # Errors
    /// When the backend fails.
    pub fn close(&self) -> Result<(), StoreError> {
        self.backend.close()
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
    /// When the backend fails or its bundle is malformed.
    pub fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(bundle) = self.bundle(index / TILE_WIDTH)? else {
            return Ok(None);
        };
        let entries = decode_bundle(&bundle).map_err(|_| StoreError::Corrupt("entry bundle"))?;
        Ok(usize::try_from(index % TILE_WIDTH)
            .ok()
            .and_then(|i| entries.get(i))
            .map(|e| e.to_vec()))
    }

    /// Entries in `[start, end)`, at most `SCAN_PAGE` (1024) of them; fewer
    /// only when `end` is reached.
    ///
    /// # Errors
    /// [`StoreError::Missing`] when an entry in the range is absent.
    pub fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        let end = end.min(start.saturating_add(SCAN_PAGE as u64));
        let mut out = Vec::with_capacity(usize::try_from(end.saturating_sub(start)).unwrap_or(0));
        let mut next = start;
        while next < end {
            let b = next / TILE_WIDTH;
            let missing = StoreError::Missing {
                what: "entry",
                index: next,
            };
            let bytes = self.bundle(b)?.ok_or(missing)?;
            let entries = decode_bundle(&bytes).map_err(|_| StoreError::Corrupt("entry bundle"))?;
            let base = b * TILE_WIDTH;
            let stop = (end - base).min(TILE_WIDTH);
            for i in next - base..stop {
                let e = usize::try_from(i).ok().and_then(|i| entries.get(i)).ok_or(
                    StoreError::Missing {
                        what: "entry",
                        index: base + i,
                    },
                )?;
                out.push(e.to_vec());
            }
            next = base + stop;
        }
        Ok(out)
    }

    /// The bytes of entry bundle `index` as stored: up to 256 entries, each
    /// a `u16` length and its bytes (c2sp.org/tlog-tiles); the last bundle
    /// is partial.
    ///
    /// # Errors
    /// When the backend fails.
    pub fn bundle(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.immutable(&u64_key(BUNDLE, index), Archived::Bundle(index))
    }

    /// The hashes of hash tile `tile` as stored; the last tile of a level is
    /// partial.
    ///
    /// # Errors
    /// When the backend fails or the tile is not whole hashes.
    pub fn tile(&self, tile: TileId) -> Result<Option<Vec<Hash>>, StoreError> {
        self.immutable(&hash_tile_key(tile), Archived::Tile(tile))?
            .map(|v| decode_tile(&v).ok_or(StoreError::Corrupt("hash tile")))
            .transpose()
    }

    /// Hash tile `tile` with at least `width` hashes, as a
    /// [`TileSource`] reads it.
    ///
    /// # Errors
    /// [`StoreError::MissingHash`] naming the first hash the store lacks;
    /// when the backend fails.
    pub fn tile_of_width(&self, tile: TileId, width: u16) -> Result<Arc<[Hash]>, StoreError> {
        let hashes = self.tile(tile)?.unwrap_or_default();
        if hashes.len() < usize::from(width) {
            return Err(StoreError::MissingHash(NodeId {
                level: tile.level * TILE_HEIGHT,
                index: tile.index * TILE_WIDTH + hashes.len() as u64,
            }));
        }
        Ok(Arc::from(hashes))
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
    /// rules; `None` when that entry is not a record about a vehicle. The
    /// record's signature is not checked again: the sequencer checked it
    /// when it logged the entry ([`Entry::decode_logged_record`]).
    ///
    /// # Errors
    /// When the backend fails or the entry does not decode.
    pub fn logged_record(&self, index: u64) -> Result<Option<LoggedRecord>, StoreError> {
        let Some(bytes) = self.entry(index)? else {
            return Ok(None);
        };
        let logged =
            Entry::decode_logged_record(&bytes).map_err(|_| StoreError::Corrupt("entry"))?;
        Ok(logged
            .filter(|(record, _, _)| record.vin.is_some())
            .map(|(record, key, _)| LoggedRecord::of(&record, &key)))
    }

    /// The flags of the record entry at leaf `index` (none for other
    /// entries), read without checking the record's signature again.
    ///
    /// # Errors
    /// When the backend fails or the entry is missing or does not decode.
    pub fn logged_flags(&self, index: u64) -> Result<Vec<Flag>, StoreError> {
        let bytes = self.entry(index)?.ok_or(StoreError::Missing {
            what: "entry",
            index,
        })?;
        let logged =
            Entry::decode_logged_record(&bytes).map_err(|_| StoreError::Corrupt("entry"))?;
        Ok(logged.map(|(_, _, flags)| flags).unwrap_or_default())
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
        if let Some(index) = self.dedup_index() {
            if let Some(i) = index.recent(key) {
                return Ok(Some(i));
            }
            for candidate in index.candidates(key)? {
                let entry = self.entry(candidate)?.ok_or(StoreError::Missing {
                    what: "entry",
                    index: candidate,
                })?;
                if vledger_records::Entry::logged_dedup_key(&entry).as_ref() == Some(key) {
                    return Ok(Some(candidate));
                }
            }
            return Ok(None);
        }
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

    /// Reads together what a batch of records is about to look up: the
    /// entries with deduplication keys `dedup` (when the index is kept as
    /// keys in the backend; the run files answer from memory and disk
    /// otherwise, and are not read here), the states of `keys`, and the
    /// chain heads and vehicle states of `vins`: one
    /// [`Backend::get_many`], one round trip to a database.
    ///
    /// # Errors
    /// When the backend fails or a value is malformed.
    pub fn prefetch(
        &self,
        dedup: &[Hash],
        keys: &[VerifyingKey],
        vins: &[Vin],
    ) -> Result<Prefetched, StoreError> {
        let dedup = if self.dedup_index.is_some() {
            &[]
        } else {
            dedup
        };
        let mut wanted = Vec::with_capacity(dedup.len() + keys.len() + 2 * vins.len());
        wanted.extend(dedup.iter().map(|k| bytes_key(DEDUP, k.as_bytes())));
        wanted.extend(keys.iter().map(|k| bytes_key(KEY, k.as_bytes())));
        for vin in vins {
            wanted.push(bytes_key(VIN_HEAD, vin.as_str().as_bytes()));
            wanted.push(layout::vehicle_key(vin));
        }
        let mut values = self.backend.get_many(&wanted)?.into_iter();
        let mut out = Prefetched::default();
        for (k, v) in dedup.iter().zip(values.by_ref()) {
            let index = v.map(|v| read_u64(&v, "dedup index")).transpose()?;
            out.dedup.insert(*k, index);
        }
        for (k, v) in keys.iter().zip(values.by_ref()) {
            let state = v.map(|v| decode_key_state(&v)).transpose()?;
            out.keys.insert(k.to_bytes(), state);
        }
        for vin in vins {
            let (head, vehicle) = (values.next().flatten(), values.next().flatten());
            let head = head.map(|v| decode_vin_head(&v)).transpose()?;
            let vehicle = vehicle.map(|v| decode_vehicle(&v)).transpose()?;
            out.vins.insert(vin.clone(), (head, vehicle));
        }
        Ok(out)
    }

    /// Writes a batch atomically and durably, if the stored tree size is
    /// still `batch.previous_tree_size`.
    ///
    /// # Errors
    /// [`StoreError::Fenced`] when another writer changed the tree size;
    /// when the backend fails; see [`Backend::apply`].
    pub fn commit(&self, batch: WriteBatch) -> Result<(), StoreError> {
        let mut w: Writes = Vec::with_capacity(
            batch.entries.len() * 3 + batch.hashes.len() + batch.index.tiles.len() + 7,
        );
        let previous = batch.previous_tree_size;
        // The bundles and tiles a batch extends are read first: if another
        // writer extended them, that is what to report, not their shape.
        let fenced = |e: StoreError| match self.tree_size() {
            Ok(found) if found != previous => StoreError::Fenced {
                expected: previous,
                found,
            },
            _ => e,
        };
        // Full tiles and bundles go to the archive, when there is one,
        // before the batch: the batch then drops their partial versions.
        // When archiving is deferred, the batch writes them whole, and
        // removes those archived since the last batch.
        let deferring = self.deferred.is_some();
        if self
            .deferred()
            .is_some_and(|d| d.waiting.len() >= MAX_WAITING)
        {
            self.archive_committed()?;
        }
        let removed = self
            .deferred()
            .map(|mut d| std::mem::take(&mut d.archived))
            .unwrap_or_default();
        w.extend(removed.iter().map(|&item| (archived_key(item), None)));
        let mut archived = Vec::new();
        let mut completed = Vec::new();
        let archiving = self.archive.is_some() && !deferring;
        // What the last batch left of the right edge, if it is where this
        // one starts; and what this one leaves.
        let mut edge = {
            let mut held = self
                .edge
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let last = std::mem::take(&mut *held);
            if last.tree_size == previous {
                last.items
            } else {
                std::collections::HashMap::new()
            }
        };
        let mut left = std::collections::HashMap::new();
        for (index, bundle) in self
            .fill_bundles(batch.entries, &mut edge)
            .map_err(fenced)?
        {
            if deferring && bundle.full {
                completed.push((Archived::Bundle(index), bundle.bytes.clone()));
            }
            if let Some(bytes) = bundle.writes(&mut w, archiving, &mut left) {
                archived.push((Archived::Bundle(index), bytes));
            }
        }
        for (tile, extended) in self.fill_tiles(batch.hashes, &mut edge).map_err(fenced)? {
            if deferring && extended.full {
                completed.push((Archived::Tile(tile), extended.bytes.clone()));
            }
            if let Some(bytes) = extended.writes(&mut w, archiving, &mut left) {
                archived.push((Archived::Tile(tile), bytes));
            }
        }
        // The partial tiles of upper levels this batch did not reach stay
        // as they were.
        left.extend(edge);
        if let (Some(archive), false) = (&self.archive, archived.is_empty()) {
            // Never overwrite the tiles of a batch another writer committed.
            let found = self.tree_size()?;
            if found != previous {
                return Err(StoreError::Fenced {
                    expected: previous,
                    found,
                });
            }
            archive.put(&archived)?;
        }
        for (vin, head) in &batch.vin_heads {
            w.push((
                bytes_key(VIN_HEAD, vin.as_str().as_bytes()),
                Some(encode_vin_head(head)),
            ));
        }
        for (k, i) in batch.dedup.iter().filter(|_| self.dedup_index.is_none()) {
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
        self.push_fact_writes(&batch.facts, &mut w)?;
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
        let _held = self
            .commits
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Err(e) = self.backend.apply(w, Some(previous)) {
            if let Some(mut d) = self.deferred() {
                d.archived.extend(removed);
            }
            return Err(e);
        }
        if let Some(mut d) = self.deferred() {
            d.waiting.extend(completed);
        }
        *self
            .edge
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = CommittedEdge {
            tree_size: batch.tree_size,
            items: left,
        };
        if let Some(mut index) = self.dedup_index() {
            index.add(&batch.dedup, batch.tree_size)?;
        }
        Ok(())
    }

    /// The partial bundle or tile at `key` as the last batch left it, or
    /// else as the backend holds it.
    fn edge_item(
        &self,
        edge: &mut std::collections::HashMap<Vec<u8>, StoredItem>,
        key: &[u8],
    ) -> Result<Option<StoredItem>, StoreError> {
        match edge.remove(key) {
            Some(item) => Ok(Some(item)),
            None => self.stored_item(key),
        }
    }

    /// The bundles `entries` (consecutive, by leaf index) complete or
    /// extend, each read once and appended to.
    fn fill_bundles(
        &self,
        entries: Vec<(u64, Vec<u8>)>,
        edge: &mut std::collections::HashMap<Vec<u8>, StoredItem>,
    ) -> Result<Vec<(u64, Extended)>, StoreError> {
        let mut out: Vec<(u64, Extended, u64)> = Vec::new();
        for (index, entry) in entries {
            let b = index / TILE_WIDTH;
            if out.last().is_none_or(|(last, _, _)| *last != b) {
                let pos = index % TILE_WIDTH;
                let key = u64_key(BUNDLE, b);
                let (stored, bytes) = if pos == 0 {
                    (Vec::new(), Vec::new())
                } else {
                    let (stored, bytes) =
                        self.edge_item(edge, &key)?.ok_or(StoreError::Missing {
                            what: "entry",
                            index: index - 1,
                        })?;
                    let held = decode_bundle(&bytes)
                        .map_err(|_| StoreError::Corrupt("entry bundle"))?
                        .len();
                    if held as u64 != pos {
                        return Err(StoreError::Corrupt("entry bundle"));
                    }
                    (stored, bytes)
                };
                let added_at = bytes.len();
                let extended = Extended {
                    key,
                    stored,
                    bytes,
                    added_at,
                    first: pos,
                    full: false,
                };
                out.push((b, extended, index));
            }
            let Some((_, extended, next)) = out.last_mut() else {
                continue;
            };
            if *next != index {
                return Err(StoreError::Corrupt("entries of a batch out of order"));
            }
            push_bundle_entry(&mut extended.bytes, &entry).map_err(|_| {
                StoreError::EntryTooLarge {
                    index,
                    size: entry.len(),
                }
            })?;
            *next += 1;
        }
        Ok(out
            .into_iter()
            .map(|(b, mut extended, next)| {
                extended.full = next == (b + 1) * TILE_WIDTH;
                (b, extended)
            })
            .collect())
    }

    /// The tiles the stored hashes of `hashes` (those at levels 0, 8, 16, …)
    /// complete or extend, each read once and appended to.
    fn fill_tiles(
        &self,
        hashes: Vec<(NodeId, Hash)>,
        edge: &mut std::collections::HashMap<Vec<u8>, StoredItem>,
    ) -> Result<BTreeMap<TileId, Extended>, StoreError> {
        let mut out: BTreeMap<TileId, Extended> = BTreeMap::new();
        for (id, hash) in hashes {
            if id.level % TILE_HEIGHT != 0 {
                continue;
            }
            let (tile, pos, _) = TileId::of_node(id);
            let held = match out.entry(tile) {
                btree_map::Entry::Occupied(o) => o.into_mut(),
                btree_map::Entry::Vacant(v) => {
                    let key = hash_tile_key(tile);
                    let (stored, bytes) = if pos == 0 {
                        (Vec::new(), Vec::new())
                    } else {
                        self.edge_item(edge, &key)?
                            .ok_or(StoreError::MissingHash(NodeId {
                                level: id.level,
                                index: id.index - 1,
                            }))?
                    };
                    let added_at = bytes.len();
                    v.insert(Extended {
                        key,
                        stored,
                        bytes,
                        added_at,
                        first: pos as u64,
                        full: false,
                    })
                }
            };
            if held.bytes.len() != pos * 32 {
                return Err(StoreError::Corrupt("hash tile"));
            }
            held.bytes.extend_from_slice(hash.as_bytes());
            held.full = held.bytes.len() == TILE_WIDTH as usize * 32;
        }
        Ok(out)
    }
}

/// The key an archived item was stored under whole in the backend.
fn archived_key(item: Archived) -> Vec<u8> {
    match item {
        Archived::Bundle(index) => u64_key(BUNDLE, index),
        Archived::Tile(tile) => hash_tile_key(tile),
    }
}

/// The keys a bundle or tile is stored under, and its bytes.
pub(crate) type StoredItem = (Vec<Vec<u8>>, Vec<u8>);

/// The bundle or tile stored at `key` in `backend`, and the keys it is
/// stored under: its own, whole, and the pieces the batches since added to
/// it ([`layout::piece_key`]), joined in key order.
///
/// # Errors
/// The backend's.
pub(crate) fn stored_item<B: Backend + ?Sized>(
    backend: &B,
    key: &[u8],
) -> Result<Option<StoredItem>, StoreError> {
    let (start, end) = pieces_range(key);
    let found = backend.scan(&start, &end, MAX_PIECES)?;
    if found.is_empty() {
        return Ok(None);
    }
    let mut keys = Vec::with_capacity(found.len());
    let mut bytes = Vec::with_capacity(found.iter().map(|(_, v)| v.len()).sum());
    for (k, v) in found {
        keys.push(k);
        bytes.extend_from_slice(&v);
    }
    Ok(Some((keys, bytes)))
}

/// Keys a bundle or tile can be stored under: its own and a piece per
/// position.
const MAX_PIECES: usize = TILE_WIDTH as usize + 1;

/// A bundle or tile a batch extends: what is stored of it, and what it is
/// after the batch.
struct Extended {
    /// Its key (`'b' ‖ index` or `'t' ‖ level ‖ index`).
    key: Vec<u8>,
    /// The keys it is stored under now.
    stored: Vec<Vec<u8>>,
    /// Its bytes after the batch.
    bytes: Vec<u8>,
    /// Where in `bytes` the batch's own begin.
    added_at: usize,
    /// The position (entry or hash, 0–255) of the batch's first.
    first: u64,
    /// Whether the batch fills it.
    full: bool,
}

impl Extended {
    /// What a batch writes for it without an archive, or (`archived`) with
    /// one, in `w`: a full one whole (or nothing, when it goes to the
    /// archive) in place of every key it was stored under; a partial one
    /// as one more piece.
    /// A partial one is also added to `left`, as it is stored after the
    /// batch.
    fn writes(
        self,
        w: &mut Writes,
        archived: bool,
        left: &mut std::collections::HashMap<Vec<u8>, StoredItem>,
    ) -> Option<Vec<u8>> {
        if !self.full {
            let piece = piece_key(&self.key, self.first);
            w.push((piece.clone(), Some(self.bytes[self.added_at..].to_vec())));
            let mut stored = self.stored;
            stored.push(piece);
            left.insert(self.key, (stored, self.bytes));
            return None;
        }
        for k in self.stored {
            if k != self.key {
                w.push((k, None));
            }
        }
        if archived {
            // Its own key goes too, whether or not it was stored under it.
            w.push((self.key, None));
            Some(self.bytes)
        } else {
            w.push((self.key, Some(self.bytes)));
            None
        }
    }
}

/// The store's hash tiles, for [`TileHashes`].
struct StoredTiles<'a, B>(&'a LogStore<B>);

impl<B: Backend> TileSource for StoredTiles<'_, B> {
    type Error = StoreError;

    fn read_tiles(&self, tiles: &[(TileId, u16)]) -> Result<Vec<Arc<[Hash]>>, StoreError> {
        tiles
            .iter()
            .map(|&(tile, width)| self.0.tile_of_width(tile, width))
            .collect()
    }
}

/// Stored hashes come out of the hash tiles: a hash at a level between
/// tile levels is computed from the tile below it.
impl<B: Backend> HashReader for LogStore<B> {
    type Error = StoreError;

    fn read_hashes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, StoreError> {
        TileHashes(StoredTiles(self))
            .read_hashes(ids)
            .map_err(|e| match e {
                TileReadError::Source(e) => e,
                TileReadError::Short { tile, found, .. } => StoreError::MissingHash(NodeId {
                    level: tile.level * TILE_HEIGHT,
                    index: tile.index * TILE_WIDTH + found as u64,
                }),
                _ => StoreError::Corrupt("hash tile"),
            })
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
