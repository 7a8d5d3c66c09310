//! Replays a log entry by entry and re-derives everything the sequencer
//! decided: leaf and stored hashes, record signatures, authorisation of every
//! signer, every VIN chain link, and monotonic timestamps. The state moves
//! forward through the same transition the sequencer runs
//! (`vledger_rules::transition`), on the replayer's maps.
//!
//! `vledger check` runs it over a store; the auditor runs it over entries
//! fetched from a node. Both trust nothing but the entries' bytes.

/// The replayer's maps: std's, with a fast hasher seeded per process.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use ed25519_dalek::VerifyingKey;

use vledger_records::vindex::VinHead;
use vledger_records::vindex::{IndexKey, IndexValue};
use vledger_records::{
    Entry, EntryBody, FieldError, Flag, Genesis, KeyState, ProtocolId, Vin, VinChain,
};
use vledger_rules::index_tree::{MemoryTiles, VinIndex};
use vledger_rules::transition::{self, Decision, LogState};
use vledger_rules::{
    DeclaredProtocol, FactChange, LoggedRecord, Refusal, RulesMemory, StateView, VehicleFacts,
    VehicleState,
};
use vledger_tlog::hash::{Hash, leaf_hash};
use vledger_tlog::merkle::{Frontier, NodeId};

mod state;

pub use state::StateError;

/// An entry's bytes decoded (record signature included) and hashed, ready
/// for [`Replayer::apply_decoded`]: the part of a replay that needs no
/// earlier entry, so that callers can spread it over threads.
#[derive(Debug)]
pub struct DecodedEntry {
    /// The decoded entry, or why its bytes do not decode.
    entry: Result<Entry, FieldError>,
    /// The RFC 6962 leaf hash of the bytes.
    leaf: Hash,
}

impl DecodedEntry {
    /// Decodes and hashes `bytes`.
    #[must_use]
    pub fn decode(bytes: &[u8]) -> Self {
        Self {
            entry: Entry::decode(bytes),
            leaf: leaf_hash(bytes),
        }
    }

    /// Decodes and hashes each of `leaves`, as [`DecodedEntry::decode`]
    /// does, with the record signatures checked together
    /// ([`Entry::decode_many`]).
    #[must_use]
    pub fn decode_many<B: AsRef<[u8]>>(leaves: &[B]) -> Vec<Self> {
        Entry::decode_many(leaves)
            .into_iter()
            .zip(leaves)
            .map(|(entry, bytes)| Self {
                entry,
                leaf: leaf_hash(bytes.as_ref()),
            })
            .collect()
    }
}

/// What is wrong with one entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntryFault {
    /// The bytes do not decode, or the record signature does not verify.
    #[error("{0}")]
    Decode(FieldError),
    /// Leaf 0 is not a genesis entry.
    #[error("entry 0 is not the genesis entry")]
    FirstNotGenesis,
    /// A genesis entry after leaf 0.
    #[error("a genesis entry may only be entry 0")]
    GenesisNotFirst,
    /// The genesis entry names another log.
    #[error("genesis names origin {found:?}, not {expected:?}")]
    WrongOrigin {
        /// The origin the checker expected.
        expected: String,
        /// The origin in the genesis entry.
        found: String,
    },
    /// The signer was not allowed to log this record.
    #[error("record should have been refused: {0}")]
    Refused(Refusal),
    /// The VIN chain link is not the one the log's history gives.
    #[error("VIN chain link is {}, but the log's history gives {}", chain_text(found.as_ref()), chain_text(expected.as_ref()))]
    Chain {
        /// The link recomputed from earlier entries.
        expected: Option<VinChain>,
        /// The link in the entry.
        found: Option<VinChain>,
    },
    /// The entry's flags are not the ones the rules give.
    #[error(
        "flags are [{}], but the rules give [{}]",
        flags_text(found),
        flags_text(expected)
    )]
    Flags {
        /// The flags recomputed from earlier entries.
        expected: Vec<Flag>,
        /// The flags in the entry.
        found: Vec<Flag>,
    },
    /// An index entry does not hold what the entries before it give.
    #[error("index entry: {0}")]
    Index(IndexFault),
    /// The same signed record was logged twice.
    #[error("the same signed record was already logged as entry {first}")]
    Duplicate {
        /// The first entry with it.
        first: u64,
    },
    /// The entry is of a kind this replay does not know.
    #[error("an entry of a kind this replay does not know")]
    UnknownKind,
    /// A succession entry that may not be where it is, or names a key it
    /// may not.
    #[error("log key succession {0}")]
    Succession(&'static str),
    /// The entry after a succession entry is not its batch's index entry.
    #[error("the entry after a log key succession must be its batch's index entry")]
    SuccessionNotClosed,
    /// The entry's timestamp is earlier than the previous entry's.
    #[error("logged at {found} ms, before the previous entry ({previous} ms)")]
    TimeWentBack {
        /// The previous entry's timestamp.
        previous: i64,
        /// This entry's timestamp.
        found: i64,
    },
}

/// What is wrong with an index entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IndexFault {
    /// Its tree size is not its own leaf index.
    #[error("covers {found} entries but sits at leaf index {expected}")]
    TreeSize {
        /// Its leaf index.
        expected: u64,
        /// The tree size it states.
        found: u64,
    },
    /// Its root is not the root of the VIN index recomputed from the entries.
    #[error("root {found} is not the recomputed VIN index root {expected}")]
    Root {
        /// The recomputed root.
        expected: Hash,
        /// The root it states.
        found: Hash,
    },
    /// Its VIN count is not the number of VINs in the entries before it.
    #[error("counts {found} VINs, the entries before it name {expected}")]
    VinCount {
        /// The recomputed count.
        expected: u64,
        /// The count it states.
        found: u64,
    },
}

/// Flags as one phrase.
fn flags_text(flags: &[Flag]) -> String {
    flags
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A VIN chain link as one phrase.
fn chain_text(chain: Option<&VinChain>) -> String {
    match chain {
        None => "absent".to_owned(),
        Some(VinChain {
            sequence,
            previous: None,
        }) => format!("record #{sequence} with no predecessor"),
        Some(VinChain {
            sequence,
            previous: Some(p),
        }) => format!(
            "record #{sequence} after entry {} (leaf hash {})",
            p.index, p.leaf_hash
        ),
    }
}

/// An [`EntryFault`] at a leaf index.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("entry {index}: {fault}")]
pub struct ReplayError {
    /// The leaf index.
    pub index: u64,
    /// What is wrong.
    pub fault: EntryFault,
}

/// The state re-derived from the entries replayed so far.
#[derive(Debug, Default)]
pub struct Replayer {
    /// The tree over the replayed entries.
    frontier: Frontier,
    /// The genesis entry, once replayed.
    genesis: Option<Genesis>,
    /// Every key ever enrolled.
    keys: HashMap<[u8; 32], KeyState>,
    /// Every VIN's chain head.
    vins: HashMap<Vin, VinHead>,
    /// The previous entry's timestamp.
    last_logged_at: i64,
    /// Deduplication key of every record logged, with its leaf index.
    dedup: HashMap<Hash, u64>,
    /// The VIN index as of the last index entry.
    vindex: MemoryTiles,
    /// VIN heads changed since the last index entry.
    pending: HashMap<IndexKey, IndexValue>,
    /// Whether the last entry replayed is an index entry.
    last_is_index: bool,
    /// Vehicle states, declared protocols and vehicle records, for the
    /// per-VIN rules.
    rules: RulesMemory,
    /// The log key successions replayed, in order: the succession entry's
    /// leaf index and the successor key.
    successions: Vec<(u64, VerifyingKey)>,
}

/// What replaying one entry produced.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The entry, decoded.
    pub entry: Entry,
    /// Its leaf hash.
    pub leaf_hash: Hash,
    /// The stored hashes it completes, leaf first.
    pub hashes: Vec<(NodeId, Hash)>,
}

/// The replayer's maps are the state the transition runs on.
impl StateView for Replayer {
    type Error = std::convert::Infallible;
    fn key_state(&self, key: &VerifyingKey) -> Result<Option<KeyState>, Self::Error> {
        Ok(self.keys.get(key.as_bytes()).cloned())
    }
    fn vin_head(&self, vin: &Vin) -> Result<Option<VinHead>, Self::Error> {
        Ok(self.vins.get(vin).copied())
    }
    fn vehicle(&self, vin: &Vin) -> Result<Option<VehicleState>, Self::Error> {
        Ok(self.rules.vehicle(vin).cloned())
    }
    fn vehicle_facts(&self, vin: &Vin) -> Result<VehicleFacts, Self::Error> {
        Ok(self.rules.vehicle_facts(vin))
    }
    fn protocol(&self, id: &ProtocolId) -> Result<Option<DeclaredProtocol>, Self::Error> {
        Ok(self.rules.protocol(id).cloned())
    }
    fn logged_record(&self, index: u64) -> Result<Option<LoggedRecord>, Self::Error> {
        Ok(self.rules.logged_record(index).cloned())
    }
}

impl LogState for Replayer {
    fn dedup(&self, key: &Hash) -> Result<Option<u64>, Self::Error> {
        Ok(self.dedup.get(key).copied())
    }
    fn vin_count(&self) -> Result<u64, Self::Error> {
        Ok(self.vins.len() as u64)
    }
    fn changed_heads(&self) -> Vec<(IndexKey, VinHead)> {
        self.pending.iter().map(|(k, v)| (*k, *v)).collect()
    }
    fn set_key_state(&mut self, key: VerifyingKey, state: KeyState) {
        self.keys.insert(key.to_bytes(), state);
    }
    fn set_vin_head(&mut self, vin: &Vin, head: VinHead, _new_vin: bool) {
        self.vins.insert(vin.clone(), head);
        self.pending.insert(IndexKey::for_vin(vin), head);
    }
    fn set_vehicle(
        &mut self,
        vin: &Vin,
        state: VehicleState,
        facts: Vec<FactChange>,
        index: u64,
        record: LoggedRecord,
    ) {
        self.rules.set_vehicle(vin, state, &facts, index, record);
    }
    fn set_protocol(&mut self, id: ProtocolId, protocol: DeclaredProtocol) {
        self.rules.set_protocol(id, protocol);
    }
    fn set_dedup(&mut self, key: Hash, index: u64) {
        self.dedup.insert(key, index);
    }
}

impl Replayer {
    /// A replayer at the start of a log.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries replayed.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.frontier.size().0
    }

    /// The tree over the replayed entries.
    #[must_use]
    pub const fn frontier(&self) -> &Frontier {
        &self.frontier
    }

    /// The genesis entry, once replayed.
    #[must_use]
    pub const fn genesis(&self) -> Option<&Genesis> {
        self.genesis.as_ref()
    }

    /// The key that signs checkpoints of the log as replayed so far: the
    /// last succession's key, or the genesis entry's before any succession
    /// (and once the succession's batch is closed: checkpoints within a
    /// batch are never signed).
    #[must_use]
    pub fn log_key(&self) -> Option<&VerifyingKey> {
        self.successions
            .last()
            .map(|(_, key)| key)
            .or_else(|| self.genesis.as_ref().map(|g| &g.log_key))
    }

    /// The log key successions replayed: each succession entry's leaf
    /// index with its successor key, in log order.
    #[must_use]
    pub fn successions(&self) -> &[(u64, VerifyingKey)] {
        &self.successions
    }

    /// The head of `vin`'s chain so far.
    #[must_use]
    pub fn vin_head(&self, vin: &Vin) -> Option<VinHead> {
        self.vins.get(vin).copied()
    }

    /// Root of the VIN index as of the last index entry replayed.
    #[must_use]
    pub fn index_root(&self) -> Hash {
        let Ok(root) = VinIndex::new(&self.vindex).root();
        root
    }

    /// Whether the last entry replayed is an index entry (as the last entry
    /// under every checkpoint must be).
    #[must_use]
    pub const fn last_is_index(&self) -> bool {
        self.last_is_index
    }

    /// Every VIN seen, with its head.
    pub fn vin_heads(&self) -> impl Iterator<Item = (&Vin, &VinHead)> {
        self.vins.iter()
    }

    /// Vehicle states, declared protocols and vehicle records re-derived
    /// so far.
    #[must_use]
    pub const fn rules_state(&self) -> &RulesMemory {
        &self.rules
    }

    /// Every key ever enrolled, with its state.
    pub fn key_states(&self) -> impl Iterator<Item = (&[u8; 32], &KeyState)> {
        self.keys.iter()
    }

    /// Every record's deduplication key with its leaf index.
    pub fn dedup_keys(&self) -> impl Iterator<Item = (&Hash, &u64)> {
        self.dedup.iter()
    }

    /// What the replayed log says about `key`.
    #[must_use]
    pub fn key_state(&self, key: &VerifyingKey) -> Option<&KeyState> {
        self.keys.get(key.as_bytes())
    }

    /// Replays the next entry (leaf index [`Replayer::size`]).
    ///
    /// # Errors
    /// A [`ReplayError`] naming the entry and what is wrong; the replayer is
    /// then unchanged.
    pub fn apply(&mut self, bytes: &[u8]) -> Result<Replayed, ReplayError> {
        self.apply_decoded(DecodedEntry::decode(bytes))
    }

    /// [`apply`](Self::apply) for an entry decoded beforehand, perhaps on
    /// another thread (decoding checks the record signature, the costly
    /// part of a replay).
    ///
    /// # Errors
    /// As [`apply`](Self::apply), including the entry's decoding error.
    pub fn apply_decoded(&mut self, decoded: DecodedEntry) -> Result<Replayed, ReplayError> {
        let index = self.size();
        let fail = |fault| ReplayError { index, fault };
        let DecodedEntry { entry, leaf } = decoded;
        let entry = entry.map_err(|e| fail(EntryFault::Decode(e)))?;
        if entry.logged_at_ms < self.last_logged_at {
            return Err(fail(EntryFault::TimeWentBack {
                previous: self.last_logged_at,
                found: entry.logged_at_ms,
            }));
        }
        if self.successions.last().is_some_and(|(i, _)| i + 1 == index)
            && !matches!(entry.body, EntryBody::Index(_))
        {
            return Err(fail(EntryFault::SuccessionNotClosed));
        }
        match &entry.body {
            EntryBody::Genesis(g) => {
                if index != 0 {
                    return Err(fail(EntryFault::GenesisNotFirst));
                }
                transition::genesis(self, g);
                self.genesis = Some(g.as_ref().clone());
            }
            EntryBody::Record(r) => {
                if index == 0 {
                    return Err(fail(EntryFault::FirstNotGenesis));
                }
                // A record signed for another log may not be in this one.
                if let Some(g) = &self.genesis
                    && let Err(e) = r.signed.check_logged_in(&g.origin)
                {
                    return Err(fail(EntryFault::Refused(Refusal::Invalid(e))));
                }
                let key = r.signed.dedup_key();
                let Ok(decision) =
                    transition::decide(&*self, index, entry.logged_at_ms, &r.signed, &key);
                let effects = match decision {
                    Decision::Log(effects) => effects,
                    Decision::Duplicate { first } => {
                        return Err(fail(EntryFault::Duplicate { first }));
                    }
                    Decision::Refuse(e) => return Err(fail(EntryFault::Refused(e))),
                };
                if effects.chain != r.chain {
                    return Err(fail(EntryFault::Chain {
                        expected: effects.chain,
                        found: r.chain,
                    }));
                }
                if effects.flags != r.flags {
                    return Err(fail(EntryFault::Flags {
                        expected: effects.flags,
                        found: r.flags.clone(),
                    }));
                }
                transition::apply(self, index, leaf, &r.signed, key, effects);
            }
            EntryBody::Index(commitment) => {
                if index == 0 {
                    return Err(fail(EntryFault::FirstNotGenesis));
                }
                let fault = |f| fail(EntryFault::Index(f));
                if commitment.tree_size != index {
                    return Err(fault(IndexFault::TreeSize {
                        expected: index,
                        found: commitment.tree_size,
                    }));
                }
                let Ok((expected, changes)) = transition::close_batch(&*self, &self.vindex, index);
                if commitment.vin_count != expected.vin_count {
                    return Err(fault(IndexFault::VinCount {
                        expected: expected.vin_count,
                        found: commitment.vin_count,
                    }));
                }
                if expected.root != commitment.root {
                    return Err(fault(IndexFault::Root {
                        expected: expected.root,
                        found: commitment.root,
                    }));
                }
                self.vindex.apply(changes);
                self.pending.clear();
            }
            EntryBody::Succession(succession) => {
                let Some(genesis) = &self.genesis else {
                    return Err(fail(EntryFault::FirstNotGenesis));
                };
                if !self.last_is_index {
                    return Err(fail(EntryFault::Succession(
                        "must be the first entry of its batch",
                    )));
                }
                let key = succession.log_key;
                if key == genesis.log_key || self.successions.iter().any(|(_, k)| *k == key) {
                    return Err(fail(EntryFault::Succession(
                        "names a key that already signed this log's checkpoints",
                    )));
                }
                if self.keys.contains_key(key.as_bytes()) {
                    return Err(fail(EntryFault::Succession(
                        "names a key enrolled to sign records: a key holds one role",
                    )));
                }
                self.successions.push((index, key));
            }
            _ => return Err(fail(EntryFault::UnknownKind)),
        }
        self.last_is_index = matches!(entry.body, EntryBody::Index(_));
        self.last_logged_at = entry.logged_at_ms;
        let hashes = self.frontier.append(leaf);
        Ok(Replayed {
            entry,
            leaf_hash: leaf,
            hashes,
        })
    }
}
