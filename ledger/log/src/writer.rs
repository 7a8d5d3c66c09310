//! The log writer: turns batches of signed records into durable entries,
//! stored hashes and one signed checkpoint per batch.
//!
//! It is synchronous and single-threaded on purpose: exactly one writer owns
//! a log. The node runs it on its sequencer thread; tests and benches drive
//! it directly.

mod cache;
mod overlay;
mod receipts;
mod succession;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use cache::{CACHED_KEYS, CACHED_TILES, CACHED_VINS};
pub use receipts::BatchReceipts;
pub use succession::SuccessionProof;

use ed25519_dalek::VerifyingKey;

use crate::store::{Backend, LogStore, StoreError, WriteBatch};
use cache::StateCache;
use overlay::{Overlay, Pending, PendingBatches};
use vledger_records::{
    Entry, EntryBody, FieldError, Flag, Genesis, MAX_RECORD_SIZE, Reason, RecordEntry, SignedRecord,
};
use vledger_rules::Refusal;
use vledger_rules::transition::{self, Decision};
use vledger_tlog::hash::{Hash, leaf_hash};
use vledger_tlog::merkle::{
    Frontier, HashReader, LeafIndex, NodeId, ProofError, TreeSize, tree_hash,
};
use vledger_tlog::note::{Checkpoint, CheckpointError, Signer, open_checkpoint, sign_checkpoint};
use vledger_tlog::tile::MAX_ENTRY_SIZE;

/// Why the writer cannot open, initialise or write the log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriterError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// `init` on a store that already holds a log.
    #[error("the store already holds a log of {0} entries")]
    AlreadyInitialised(u64),
    /// `init` with a recovery key that is also the admin key.
    #[error("the recovery key must not be the admin key: a key holds one role")]
    RecoveryIsAdmin,
    /// `open` on an empty store.
    #[error("the store holds no log; run `vledger init` first")]
    NotInitialised,
    /// The origin is not a valid checkpoint origin.
    #[error("origin: {0}")]
    Origin(CheckpointError),
    /// The stored checkpoint does not open with the log key.
    #[error("latest stored checkpoint (tree size {size}): {error}")]
    Checkpoint {
        /// The tree size it was stored under.
        size: u64,
        /// Why it does not open.
        error: CheckpointError,
    },
    /// There is no checkpoint for the stored tree size.
    #[error("no signed checkpoint is stored for the tree size {0}")]
    MissingCheckpoint(u64),
    /// The latest checkpoint is not for the stored tree size.
    #[error(
        "the latest checkpoint is for tree size {checkpoint}, but the store holds {stored} entries"
    )]
    SizeMismatch {
        /// Its tree size.
        checkpoint: u64,
        /// The stored tree size.
        stored: u64,
    },
    /// The stored tree disagrees with the latest signed checkpoint.
    #[error("stored tree disagrees with the signed checkpoint: {0}")]
    Mismatch(&'static str),
    /// The stored hashes cannot produce the tree head.
    #[error("stored hashes: {0}")]
    Hashes(ProofError<StoreError>),
    /// A previous write failed; the writer refuses to go on until the node
    /// restarts and re-checks the store.
    #[error("an earlier write to the store failed; restart the node to re-check the store")]
    Poisoned,
    /// A log key succession that may not be made.
    #[error("log key succession: {0}")]
    Succession(String),
}

/// Reading a stored hash failed: a store error, named as such.
fn from_proof(e: ProofError<StoreError>) -> WriterError {
    match e {
        ProofError::Read(s) => WriterError::Store(s),
        other => WriterError::Hashes(other),
    }
}

/// A record that was logged (now, or before for a duplicate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Its leaf index.
    pub index: u64,
    /// Its leaf hash.
    pub leaf_hash: Hash,
    /// Whether the record had been logged before this batch asked.
    pub duplicate: bool,
    /// The entry's flags: what the rules found suspicious.
    pub flags: Vec<Flag>,
}

/// The outcome of one batch.
#[derive(Debug, Clone)]
pub struct BatchResult {
    /// One outcome per submitted record, in order.
    pub outcomes: Vec<Result<Appended, Refusal>>,
    /// The tree size after the batch.
    pub tree_size: u64,
    /// The signed checkpoint at that size.
    pub checkpoint: Arc<str>,
    /// The receipts of the entries the batch logged, from memory.
    pub receipts: Arc<BatchReceipts>,
}

/// The single writer of a log.
#[derive(Debug)]
pub struct LogWriter<B> {
    /// The store the log lives in.
    store: LogStore<B>,
    /// Signs checkpoints; its name is the origin.
    signer: Signer,
    /// The right edge of the tree at `frontier.size()` leaves.
    frontier: Frontier,
    /// `logged_at_ms` of the last entry; timestamps never go back.
    last_logged_at: i64,
    /// The latest signed checkpoint.
    checkpoint: Arc<str>,
    /// Set when a commit failed: the store may hold part of a batch.
    poisoned: bool,
    /// The batches sequenced whose commit is not known to have returned.
    pending: PendingBatches,
    /// What the writer holds of the committed state.
    cache: StateCache,
}

impl<B: Backend> LogWriter<B> {
    /// Creates a new log in an empty store: leaf 0 is the genesis entry
    /// naming the origin (the signer's name), the log key and the admin key,
    /// and a checkpoint of size 1 is signed.
    ///
    /// # Errors
    /// [`WriterError::AlreadyInitialised`] if the store is not empty, or a
    /// store error.
    pub fn init(
        store: LogStore<B>,
        signer: Signer,
        admin_key: VerifyingKey,
        now_ms: i64,
    ) -> Result<Self, WriterError> {
        Self::init_with_recovery(store, signer, admin_key, None, now_ms)
    }

    /// [`init`](Self::init), with a recovery key in the genesis entry when
    /// `recovery_key` is given: kept offline, it alone enrolls a new admin
    /// key once every admin key is lost.
    ///
    /// # Errors
    /// As [`init`](Self::init); [`WriterError::RecoveryIsAdmin`] when the
    /// recovery key is the admin key.
    pub fn init_with_recovery(
        store: LogStore<B>,
        signer: Signer,
        admin_key: VerifyingKey,
        recovery_key: Option<VerifyingKey>,
        now_ms: i64,
    ) -> Result<Self, WriterError> {
        if recovery_key == Some(admin_key) {
            return Err(WriterError::RecoveryIsAdmin);
        }
        let size = store.tree_size()?;
        if size != 0 {
            return Err(WriterError::AlreadyInitialised(size));
        }
        let origin = signer.name().to_owned();
        let genesis = Genesis {
            origin: origin.clone(),
            log_key: *signer.verifier_key().public_key(),
            admin_key,
            recovery_key,
        };
        let (pending, cache, dedup) = Default::default();
        let mut overlay = Overlay::new(&store, &pending, &cache, &dedup);
        transition::genesis(&mut overlay, &genesis);
        let bytes = Entry {
            logged_at_ms: now_ms,
            body: EntryBody::Genesis(Box::new(genesis)),
        }
        .encode();
        let mut frontier = Frontier::new();
        let mut hashes = frontier.append(leaf_hash(&bytes));
        // Every batch ends with an index entry; the first covers the genesis
        // entry alone, under an empty index.
        let (commitment, changes) = transition::close_batch(&overlay, &store, 1)?;
        let keys = overlay.layer.keys.into_values().collect();
        let index = Entry {
            logged_at_ms: now_ms,
            body: EntryBody::Index(commitment),
        }
        .encode();
        frontier.append_into(leaf_hash(&index), &mut hashes);
        let checkpoint = Checkpoint::new(origin.clone(), TreeSize(2), frontier.root())
            .map_err(WriterError::Origin)?;
        let note = sign_checkpoint(&checkpoint, &signer);
        store.commit(WriteBatch {
            entries: vec![(0, bytes), (1, index)],
            hashes,
            keys,
            index: changes,
            checkpoint: Some((2, note.clone())),
            tree_size: 2,
            origin: Some(origin),
            ..WriteBatch::default()
        })?;
        Ok(Self {
            store,
            signer,
            frontier,
            last_logged_at: now_ms,
            checkpoint: note.into(),
            poisoned: false,
            pending: PendingBatches::new(),
            cache: StateCache::default(),
        })
    }

    /// Opens an existing log, checking that the stored tree matches the
    /// latest signed checkpoint: the checkpoint verifies under the log key,
    /// its size is the stored size, its root is the root of the stored
    /// hashes, and the last entry hashes to the last stored leaf hash.
    ///
    /// This is the quick start-up check; `crate::check::check_store`
    /// re-verifies every entry and hash.
    ///
    /// # Errors
    /// A [`WriterError`] naming what disagrees.
    pub fn open(store: LogStore<B>, signer: Signer) -> Result<Self, WriterError> {
        let size = store.tree_size()?;
        if size == 0 {
            return Err(WriterError::NotInitialised);
        }
        let note = store
            .checkpoint(size)?
            .ok_or(WriterError::MissingCheckpoint(size))?;
        let checkpoint = open_checkpoint(&note, &signer.verifier_key())
            .map_err(|error| WriterError::Checkpoint { size, error })?;
        if checkpoint.size().0 != size {
            return Err(WriterError::Mismatch(
                "checkpoint tree size is not the stored tree size",
            ));
        }
        if store.origin()?.as_deref() != Some(checkpoint.origin()) {
            return Err(WriterError::Mismatch(
                "checkpoint origin is not the stored origin",
            ));
        }
        if tree_hash(TreeSize(size), &store).map_err(from_proof)? != *checkpoint.root() {
            return Err(WriterError::Mismatch(
                "root of the stored hashes is not the checkpoint root",
            ));
        }
        let last = store.entry(size - 1)?.ok_or(StoreError::Missing {
            what: "entry",
            index: size - 1,
        })?;
        let stored_leaf = store.read_hashes(&[NodeId::leaf(LeafIndex(size - 1))])?;
        if stored_leaf.first() != Some(&leaf_hash(&last)) {
            return Err(WriterError::Mismatch(
                "last entry does not hash to its stored leaf hash",
            ));
        }
        let last = Entry::decode(&last)
            .map_err(|_| WriterError::Mismatch("last entry does not decode"))?;
        if !matches!(last.body, EntryBody::Index(_)) {
            return Err(WriterError::Mismatch(
                "the last entry under the checkpoint is not an index entry",
            ));
        }
        let last_logged_at = last.logged_at_ms;
        let frontier = Frontier::load(TreeSize(size), &store).map_err(from_proof)?;
        Ok(Self {
            store,
            signer,
            frontier,
            last_logged_at,
            checkpoint: note.into(),
            poisoned: false,
            pending: PendingBatches::new(),
            cache: StateCache::default(),
        })
    }

    /// The store.
    #[must_use]
    pub const fn store(&self) -> &LogStore<B> {
        &self.store
    }

    /// Gives the store back, ending the writer.
    #[must_use]
    pub fn into_store(self) -> LogStore<B> {
        self.store
    }

    /// Number of entries.
    #[must_use]
    pub fn tree_size(&self) -> u64 {
        self.frontier.size().0
    }

    /// The latest signed checkpoint.
    #[must_use]
    pub fn checkpoint(&self) -> Arc<str> {
        Arc::clone(&self.checkpoint)
    }

    /// Sequences a batch and commits it: see [`sequence`](Self::sequence)
    /// and [`commit`](Self::commit). Only after the commit returns does the
    /// caller learn the outcomes.
    ///
    /// # Errors
    /// A store error; the writer is then poisoned and refuses every later
    /// batch with [`WriterError::Poisoned`].
    pub fn append_batch(
        &mut self,
        records: &[SignedRecord],
        now_ms: i64,
    ) -> Result<BatchResult, WriterError> {
        let submissions = records.iter().cloned().map(Submission::new).collect();
        let staged = self.sequence(submissions, now_ms)?;
        self.commit(staged)
    }

    /// Decides each record against the log's state and the records before
    /// it (in this batch and in the batches sequenced but not yet
    /// committed), assigns the accepted ones their indices, and prepares
    /// their entries, stored hashes, VIN heads and deduplication keys, the
    /// index entry that closes the batch and its signed checkpoint: the
    /// [`Staged`] batch, to be committed in the order sequenced.
    ///
    /// A record logged before (in an earlier batch or earlier in this one)
    /// is not logged again; its outcome names the first entry.
    ///
    /// The writer moves on at once: the next batch is decided against this
    /// one's changes, held in memory until [`committed`](Self::committed)
    /// says the store has them. Nobody may learn an outcome or see the
    /// checkpoint before the batch, and every batch before it, is
    /// committed.
    ///
    /// # Errors
    /// [`WriterError::Poisoned`] after a failed commit; a store error when
    /// the state cannot be read.
    pub fn sequence(
        &mut self,
        records: Vec<Submission>,
        now_ms: i64,
    ) -> Result<Staged, WriterError> {
        if self.poisoned {
            return Err(WriterError::Poisoned);
        }
        let logged_at_ms = now_ms.max(self.last_logged_at);
        let dedup = self.prefetch(&records)?;
        let mut overlay = Overlay::new(&self.store, &self.pending, &self.cache, &dedup);
        let mut frontier = self.frontier.clone();
        let mut batch = WriteBatch {
            previous_tree_size: self.tree_size(),
            ..WriteBatch::default()
        };
        // What this batch logged, by leaf index, to answer duplicates of it.
        let mut logged: HashMap<u64, Appended> = HashMap::new();
        let mut outcomes = Vec::with_capacity(records.len());

        for Submission { signed, dedup_key } in records {
            let index = frontier.size().0;
            let effects =
                match transition::decide(&overlay, index, logged_at_ms, &signed, &dedup_key)? {
                    Decision::Log(effects) => effects,
                    Decision::Refuse(refusal) => {
                        outcomes.push(Err(refusal));
                        continue;
                    }
                    Decision::Duplicate { first } => {
                        let appended = match logged.get(&first) {
                            Some(a) => a.clone(),
                            None => self.logged(first)?,
                        };
                        outcomes.push(Ok(Appended {
                            duplicate: true,
                            ..appended
                        }));
                        continue;
                    }
                };
            let entry = Entry {
                logged_at_ms,
                body: EntryBody::Record(Box::new(RecordEntry {
                    signed: signed.clone(),
                    chain: effects.chain,
                    flags: effects.flags.clone(),
                })),
            };
            let bytes = entry.encode();
            if bytes.len() > MAX_ENTRY_SIZE {
                // Unreachable with records of at most MAX_RECORD_SIZE, but
                // an entry that no bundle holds must not reach the store.
                outcomes.push(Err(Refusal::Invalid(FieldError::new(
                    "signed.record",
                    Reason::TooLong {
                        max: MAX_RECORD_SIZE,
                    },
                ))));
                continue;
            }
            let leaf = leaf_hash(&bytes);
            frontier.append_into(leaf, &mut batch.hashes);
            batch.entries.push((index, bytes));
            let flags = transition::apply(&mut overlay, index, leaf, &signed, dedup_key, effects);
            let appended = Appended {
                index,
                leaf_hash: leaf,
                duplicate: false,
                flags,
            };
            logged.insert(index, appended.clone());
            outcomes.push(Ok(appended));
        }

        if batch.entries.is_empty() {
            let checkpoint = self.checkpoint();
            return Ok(Staged {
                result: BatchResult {
                    outcomes,
                    tree_size: self.tree_size(),
                    receipts: Arc::new(BatchReceipts::empty(
                        self.tree_size(),
                        Arc::clone(&checkpoint),
                    )),
                    checkpoint,
                },
                write: None,
            });
        }
        // The batch ends with the VIN index root over every entry before it.
        let index_at = frontier.size().0;
        let (commitment, changes) = transition::close_batch(&overlay, &overlay.index(), index_at)?;
        let index_entry = Entry {
            logged_at_ms,
            body: EntryBody::Index(commitment),
        }
        .encode();
        frontier.append_into(leaf_hash(&index_entry), &mut batch.hashes);
        batch.entries.push((index_at, index_entry));

        let size = frontier.size().0;
        let checkpoint = Checkpoint::new(self.signer.name(), TreeSize(size), frontier.root())
            .map_err(WriterError::Origin)?;
        let note: Arc<str> = sign_checkpoint(&checkpoint, &self.signer).into();
        let layer = overlay.layer;
        batch.vin_count = commitment.vin_count;
        batch.vin_heads = layer.vins.iter().map(|(v, h)| (v.clone(), *h)).collect();
        batch.keys = layer.keys.values().cloned().collect();
        batch.vehicles = layer
            .vehicles
            .iter()
            .map(|(v, s)| (v.clone(), s.clone()))
            .collect();
        batch.facts = layer.facts.clone();
        batch.protocols = layer
            .protocols
            .iter()
            .map(|(id, p)| (id.clone(), p.clone()))
            .collect();
        batch.dedup = layer.dedup.iter().map(|(k, i)| (*k, *i)).collect();
        batch.checkpoint = Some((size, note.to_string()));
        batch.tree_size = size;
        let receipts = BatchReceipts::new(
            &self.frontier,
            &batch.hashes,
            batch.entries.iter().map(|(_, e)| e.clone()).collect(),
            size,
            Arc::clone(&note),
        );
        self.pending.push_back(Pending::new(
            size,
            commitment.vin_count,
            layer,
            &changes,
            logged,
        ));
        batch.index = changes;
        self.frontier = frontier;
        self.last_logged_at = logged_at_ms;
        self.checkpoint = Arc::clone(&note);
        Ok(Staged {
            result: BatchResult {
                outcomes,
                tree_size: size,
                checkpoint: note,
                receipts: Arc::new(receipts),
            },
            write: Some(batch),
        })
    }

    /// Commits `staged`, the oldest batch sequenced and not yet committed,
    /// here and now, and gives its outcomes.
    ///
    /// # Errors
    /// A store error; the writer is then poisoned, and refuses to commit
    /// any batch with [`WriterError::Poisoned`].
    pub fn commit(&mut self, staged: Staged) -> Result<BatchResult, WriterError> {
        if self.poisoned {
            return Err(WriterError::Poisoned);
        }
        match staged.commit(&self.store) {
            Ok(result) => {
                self.committed(result.tree_size);
                Ok(result)
            }
            Err(e) => {
                self.poison();
                Err(e.into())
            }
        }
    }

    /// Says that the store holds every batch up to tree size `tree_size`:
    /// the writer stops holding their changes in memory.
    pub fn committed(&mut self, tree_size: u64) {
        while self
            .pending
            .front()
            .is_some_and(|p| p.tree_size <= tree_size)
        {
            if let Some(batch) = self.pending.pop_front() {
                let layer = batch.layer;
                self.cache.take(
                    layer.keys,
                    layer.vins,
                    layer.vehicles,
                    batch.root,
                    batch.tiles,
                );
            }
        }
    }

    /// Reads together the states `records` are about to look up and the
    /// writer does not hold: it then holds them. Returns what was read of
    /// the deduplication index, which only this batch uses.
    fn prefetch(
        &mut self,
        records: &[Submission],
    ) -> Result<HashMap<Hash, Option<u64>>, StoreError> {
        let mut keys = Vec::new();
        let mut vins = Vec::new();
        let (mut seen_keys, mut seen_vins) = (HashSet::new(), HashSet::new());
        for Submission { signed, .. } in records {
            let key = signed.public_key();
            if !self.cache.keys.contains_key(key.as_bytes()) && seen_keys.insert(key.to_bytes()) {
                keys.push(*key);
            }
            if let Some(vin) = &signed.record().vin
                && !self.cache.vins.contains_key(vin)
                && seen_vins.insert(vin)
            {
                vins.push(vin.clone());
            }
        }
        let dedup: Vec<Hash> = records.iter().map(|s| s.dedup_key).collect();
        let mut read = self.store.prefetch(&dedup, &keys, &vins)?;
        let dedup = std::mem::take(&mut read.dedup);
        self.cache.fill(read);
        Ok(dedup)
    }

    /// Says that a commit failed: the store may hold part of a batch, and
    /// the writer refuses every later batch.
    pub fn poison(&mut self) {
        self.poisoned = true;
    }

    /// The receipt data of the record logged at leaf `index` before this
    /// batch.
    fn logged(&self, index: u64) -> Result<Appended, StoreError> {
        if let Some(a) = self.pending.iter().find_map(|p| p.appended.get(&index)) {
            return Ok(a.clone());
        }
        let leaf = self
            .store
            .read_hashes(&[NodeId::leaf(LeafIndex(index))])?
            .into_iter()
            .next()
            .ok_or(StoreError::MissingHash(NodeId::leaf(LeafIndex(index))))?;
        Ok(Appended {
            index,
            leaf_hash: leaf,
            duplicate: true,
            flags: self.store.logged_flags(index)?,
        })
    }
}

/// A record to sequence, with its deduplication key (computed where the
/// record arrived, off the writer's thread).
#[derive(Debug, Clone)]
pub struct Submission {
    /// The record, checked for syntax and signature.
    pub signed: SignedRecord,
    /// `signed.dedup_key()`.
    pub dedup_key: Hash,
}

impl Submission {
    /// `signed` with its deduplication key.
    #[must_use]
    pub fn new(signed: SignedRecord) -> Self {
        let dedup_key = signed.dedup_key();
        Self { signed, dedup_key }
    }
}

/// A batch sequenced and not yet committed: its outcomes, and what the
/// store must take in before anyone learns them.
#[derive(Debug)]
#[must_use = "a staged batch must be committed before its outcomes are told"]
pub struct Staged {
    result: BatchResult,
    /// `None` when the batch logged nothing.
    write: Option<WriteBatch>,
}

impl Staged {
    /// The tree size after the batch.
    #[must_use]
    pub const fn tree_size(&self) -> u64 {
        self.result.tree_size
    }

    /// Writes the batch atomically and durably to `store` (the writer's
    /// store, or a clone of it) and gives its outcomes. Batches are
    /// committed in the order they were sequenced; after a failure, none
    /// that was sequenced after it may be.
    ///
    /// # Errors
    /// The store's.
    pub fn commit<B: Backend>(self, store: &LogStore<B>) -> Result<BatchResult, StoreError> {
        if let Some(batch) = self.write {
            store.commit(batch)?;
        }
        Ok(self.result)
    }
}
