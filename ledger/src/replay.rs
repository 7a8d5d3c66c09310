//! Replays a log entry by entry and re-derives everything the sequencer
//! decided: leaf and stored hashes, record signatures, authorisation of every
//! signer, every VIN chain link, and monotonic timestamps.
//!
//! `vledger check` runs it over a store; the auditor runs it over entries
//! fetched from a node. Both trust nothing but the entries' bytes.

use std::collections::HashMap;

use ed25519_dalek::VerifyingKey;

use crate::hash::{Hash, leaf_hash};
use crate::merkle::{Frontier, NodeId};
use crate::record::{Entry, EntryBody, FieldError, Genesis, KeyState, Role, Vin, VinChain};
use crate::rules::{Refusal, StateView, sequence_record};
use crate::store::VinHead;

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
    /// The same signed record was logged twice.
    #[error("the same signed record was already logged as entry {first}")]
    Duplicate {
        /// The first entry with it.
        first: u64,
    },
    /// The entry's timestamp is earlier than the previous entry's.
    #[error("logged at {found} ms, before the previous entry ({previous} ms)")]
    TimeWentBack {
        /// The previous entry's timestamp.
        previous: i64,
        /// This entry's timestamp.
        found: i64,
    },
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

struct View<'a>(&'a Replayer);

impl StateView for View<'_> {
    type Error = std::convert::Infallible;
    fn key_state(&self, key: &VerifyingKey) -> Result<Option<KeyState>, Self::Error> {
        Ok(self.0.keys.get(key.as_bytes()).cloned())
    }
    fn vin_head(&self, vin: &Vin) -> Result<Option<VinHead>, Self::Error> {
        Ok(self.0.vins.get(vin).copied())
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

    /// The head of `vin`'s chain so far.
    #[must_use]
    pub fn vin_head(&self, vin: &Vin) -> Option<VinHead> {
        self.vins.get(vin).copied()
    }

    /// Every VIN seen, with its head.
    pub fn vin_heads(&self) -> impl Iterator<Item = (&Vin, &VinHead)> {
        self.vins.iter()
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
        let index = self.size();
        let fail = |fault| ReplayError { index, fault };
        let entry = Entry::decode(bytes).map_err(|e| fail(EntryFault::Decode(e)))?;
        if entry.logged_at_ms < self.last_logged_at {
            return Err(fail(EntryFault::TimeWentBack {
                previous: self.last_logged_at,
                found: entry.logged_at_ms,
            }));
        }
        let leaf = leaf_hash(bytes);
        match &entry.body {
            EntryBody::Genesis(g) => {
                if index != 0 {
                    return Err(fail(EntryFault::GenesisNotFirst));
                }
                self.keys.insert(
                    g.admin_key.to_bytes(),
                    KeyState {
                        role: Role::Admin,
                        enrolled_at: 0,
                        revoked_at: None,
                    },
                );
                self.genesis = Some(g.as_ref().clone());
            }
            EntryBody::Record(r) => {
                if index == 0 {
                    return Err(fail(EntryFault::FirstNotGenesis));
                }
                let key = r.signed.dedup_key();
                if let Some(&first) = self.dedup.get(&key) {
                    return Err(fail(EntryFault::Duplicate { first }));
                }
                let effects =
                    match sequence_record(&View(self), index, entry.logged_at_ms, &r.signed) {
                        Ok(Ok(effects)) => effects,
                        Ok(Err(e)) => return Err(fail(EntryFault::Refused(e))),
                        Err(never) => match never {},
                    };
                if effects.chain != r.chain {
                    return Err(fail(EntryFault::Chain {
                        expected: effects.chain,
                        found: r.chain,
                    }));
                }
                if let (Some(vin), Some(chain)) = (&r.signed.record().vin, r.chain) {
                    self.vins.insert(
                        vin.clone(),
                        VinHead {
                            index,
                            leaf_hash: leaf,
                            count: chain.sequence + 1,
                        },
                    );
                }
                if let Some((k, state)) = effects.key_update {
                    self.keys.insert(k.to_bytes(), state);
                }
                self.dedup.insert(key, index);
            }
        }
        self.last_logged_at = entry.logged_at_ms;
        let hashes = self.frontier.append(leaf);
        Ok(Replayed {
            entry,
            leaf_hash: leaf,
            hashes,
        })
    }
}
