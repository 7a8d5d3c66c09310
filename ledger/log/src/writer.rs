//! The log writer: turns batches of signed records into durable entries,
//! stored hashes and one signed checkpoint per batch.
//!
//! It is synchronous and single-threaded on purpose: exactly one writer owns
//! a log. The node runs it on its sequencer thread; tests and benches drive
//! it directly.

use std::collections::HashMap;
use std::sync::Arc;

use ed25519_dalek::VerifyingKey;

use crate::store::{Backend, LogStore, StoreError, WriteBatch};
use vledger_records::vindex::{IndexKey, VinHead};
use vledger_records::{
    Entry, EntryBody, FieldError, Flag, Genesis, KeyState, MAX_RECORD_SIZE, ProtocolId, Reason,
    RecordEntry, SignedRecord, Vin,
};
use vledger_rules::transition::{self, Decision, LogState};
use vledger_rules::{
    DeclaredProtocol, FactChange, LoggedRecord, Refusal, StateView, VehicleFacts, VehicleState,
};
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
        let size = store.tree_size()?;
        if size != 0 {
            return Err(WriterError::AlreadyInitialised(size));
        }
        let origin = signer.name().to_owned();
        let genesis = Genesis {
            origin: origin.clone(),
            log_key: *signer.verifier_key().public_key(),
            admin_key,
        };
        let mut overlay = Overlay::new(&store);
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
        let index = Entry {
            logged_at_ms: now_ms,
            body: EntryBody::Index(commitment),
        }
        .encode();
        frontier.append_into(leaf_hash(&index), &mut hashes);
        let checkpoint = Checkpoint::new(origin.clone(), TreeSize(2), frontier.root())
            .map_err(WriterError::Origin)?;
        let note = sign_checkpoint(&checkpoint, &signer);
        let keys = overlay.keys.into_values().collect();
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

    /// Sequences a batch: decides each record against the log's state and
    /// the records before it in the batch, writes the accepted ones with
    /// their stored hashes, VIN heads and deduplication keys, signs one
    /// checkpoint, and makes it all durable in one commit. Only after that
    /// commit returns does the caller learn the outcomes.
    ///
    /// A record logged before (in an earlier batch or earlier in this one)
    /// is not logged again; its outcome names the first entry.
    ///
    /// # Errors
    /// A store error; the writer is then poisoned and refuses every later
    /// batch with [`WriterError::Poisoned`].
    pub fn append_batch(
        &mut self,
        records: &[SignedRecord],
        now_ms: i64,
    ) -> Result<BatchResult, WriterError> {
        if self.poisoned {
            return Err(WriterError::Poisoned);
        }
        let logged_at_ms = now_ms.max(self.last_logged_at);
        let mut overlay = Overlay::new(&self.store);
        let mut frontier = self.frontier.clone();
        let mut batch = WriteBatch {
            previous_tree_size: self.tree_size(),
            ..WriteBatch::default()
        };
        // What this batch logged, by leaf index, to answer duplicates of it.
        let mut logged: HashMap<u64, Appended> = HashMap::new();
        let mut outcomes = Vec::with_capacity(records.len());

        for signed in records {
            let index = frontier.size().0;
            let key = signed.dedup_key();
            let effects = match transition::decide(&overlay, index, logged_at_ms, signed, &key)? {
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
            let flags = transition::apply(&mut overlay, index, leaf, signed, key, effects);
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
            return Ok(BatchResult {
                outcomes,
                tree_size: self.tree_size(),
                checkpoint: self.checkpoint(),
            });
        }
        // The batch ends with the VIN index root over every entry before it.
        let index_at = frontier.size().0;
        let (commitment, changes) = transition::close_batch(&overlay, &self.store, index_at)?;
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
        let note = sign_checkpoint(&checkpoint, &self.signer);
        batch.index = changes;
        batch.vin_count = commitment.vin_count;
        batch.vin_heads = overlay.vins.into_iter().collect();
        batch.keys = overlay.keys.into_values().collect();
        batch.vehicles = overlay.vehicles.into_iter().collect();
        batch.facts = overlay.facts;
        batch.protocols = overlay.protocols.into_iter().collect();
        batch.dedup = overlay.dedup.into_iter().collect();
        batch.checkpoint = Some((size, note.clone()));
        batch.tree_size = size;
        if let Err(e) = self.store.commit(batch) {
            self.poisoned = true;
            return Err(e.into());
        }
        self.frontier = frontier;
        self.last_logged_at = logged_at_ms;
        self.checkpoint = note.into();
        Ok(BatchResult {
            outcomes,
            tree_size: size,
            checkpoint: self.checkpoint(),
        })
    }

    /// The receipt data of the record logged at leaf `index` before this
    /// batch.
    fn logged(&self, index: u64) -> Result<Appended, StoreError> {
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

/// The store's state with the batch's changes laid over it: the
/// [`LogState`] the writer runs the transition on.
struct Overlay<'a, B> {
    store: &'a LogStore<B>,
    keys: HashMap<[u8; 32], (VerifyingKey, KeyState)>,
    vins: HashMap<Vin, VinHead>,
    /// VINs whose first record is in this batch.
    new_vins: u64,
    vehicles: HashMap<Vin, VehicleState>,
    /// Changes to vehicle facts, in the order made.
    facts: Vec<(Vin, FactChange)>,
    protocols: HashMap<ProtocolId, DeclaredProtocol>,
    /// Vehicle records sequenced in this batch, by leaf index.
    records: HashMap<u64, LoggedRecord>,
    /// Deduplication keys of the records sequenced in this batch.
    dedup: HashMap<Hash, u64>,
}

impl<'a, B: Backend> Overlay<'a, B> {
    fn new(store: &'a LogStore<B>) -> Self {
        Self {
            store,
            keys: HashMap::new(),
            vins: HashMap::new(),
            new_vins: 0,
            vehicles: HashMap::new(),
            facts: Vec::new(),
            protocols: HashMap::new(),
            records: HashMap::new(),
            dedup: HashMap::new(),
        }
    }
}

impl<B: Backend> LogState for Overlay<'_, B> {
    fn dedup(&self, key: &Hash) -> Result<Option<u64>, StoreError> {
        match self.dedup.get(key) {
            Some(&i) => Ok(Some(i)),
            None => self.store.dedup(key),
        }
    }

    fn vin_count(&self) -> Result<u64, StoreError> {
        Ok(self.store.vin_count()? + self.new_vins)
    }

    fn changed_heads(&self) -> Vec<(IndexKey, VinHead)> {
        self.vins
            .iter()
            .map(|(vin, head)| (IndexKey::for_vin(vin), *head))
            .collect()
    }

    fn set_key_state(&mut self, key: VerifyingKey, state: KeyState) {
        self.keys.insert(key.to_bytes(), (key, state));
    }

    fn set_vin_head(&mut self, vin: &Vin, head: VinHead, new_vin: bool) {
        self.vins.insert(vin.clone(), head);
        self.new_vins += u64::from(new_vin);
    }

    fn set_vehicle(
        &mut self,
        vin: &Vin,
        state: VehicleState,
        facts: Vec<FactChange>,
        index: u64,
        record: LoggedRecord,
    ) {
        self.vehicles.insert(vin.clone(), state);
        self.facts
            .extend(facts.into_iter().map(|change| (vin.clone(), change)));
        self.records.insert(index, record);
    }

    fn set_protocol(&mut self, id: ProtocolId, protocol: DeclaredProtocol) {
        self.protocols.insert(id, protocol);
    }

    fn set_dedup(&mut self, key: Hash, index: u64) {
        self.dedup.insert(key, index);
    }
}

impl<B: Backend> StateView for Overlay<'_, B> {
    type Error = StoreError;

    fn key_state(&self, key: &VerifyingKey) -> Result<Option<KeyState>, StoreError> {
        match self.keys.get(key.as_bytes()) {
            Some((_, s)) => Ok(Some(s.clone())),
            None => self.store.key_state(key),
        }
    }

    fn vin_head(&self, vin: &Vin) -> Result<Option<VinHead>, StoreError> {
        match self.vins.get(vin) {
            Some(h) => Ok(Some(*h)),
            None => self.store.vin_head(vin),
        }
    }

    fn vehicle(&self, vin: &Vin) -> Result<Option<VehicleState>, StoreError> {
        match self.vehicles.get(vin) {
            Some(v) => Ok(Some(v.clone())),
            None => self.store.vehicle(vin),
        }
    }

    fn vehicle_facts(&self, vin: &Vin) -> Result<VehicleFacts, StoreError> {
        let mut facts = self.store.vehicle_facts(vin)?;
        for (_, change) in self.facts.iter().filter(|(v, _)| v == vin) {
            facts.apply(change);
        }
        Ok(facts)
    }

    fn protocol(&self, id: &ProtocolId) -> Result<Option<DeclaredProtocol>, StoreError> {
        match self.protocols.get(id) {
            Some(p) => Ok(Some(p.clone())),
            None => self.store.protocol(id),
        }
    }

    fn logged_record(&self, index: u64) -> Result<Option<LoggedRecord>, StoreError> {
        if let Some(r) = self.records.get(&index) {
            return Ok(Some(r.clone()));
        }
        self.store.logged_record(index)
    }
}
