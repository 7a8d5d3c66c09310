//! Re-verifies a whole store offline: the `vledger check` command and the
//! node's start-up check.
//!
//! It trusts nothing in the store but reads everything: it replays every
//! entry (see [`crate::replay`]), recomputes every stored hash and compares
//! it with the stored one (the hash tiles' hashes; the tiles' and bundles'
//! widths against the tree size), opens every stored checkpoint with the log key
//! and compares its root with the recomputed tree at that size, and checks
//! the VIN heads and key states the sequencer keeps against the replay.

use std::collections::HashSet;

use crate::replay::{ReplayError, Replayer};
use crate::store::{Backend, LogStore, StoreError};
use vledger_records::{EntryBody, Vin};
use vledger_rules::VehicleFacts;
use vledger_tlog::merkle::{HashReader, TreeSize};
use vledger_tlog::note::{CheckpointError, KeyType, VerifierKey, open_checkpoint};
use vledger_tlog::tile::{TILE_HEIGHT, TileId, decode_bundle};

/// What `check_store` found wrong, naming the item.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// Reading the store failed, or an item is missing or malformed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store holds no log.
    #[error("the store holds no log")]
    Empty,
    /// An entry is wrong.
    #[error(transparent)]
    Entry(#[from] ReplayError),
    /// The genesis entry does not name this log.
    #[error("entry 0: genesis names {what} that is not this log's")]
    Genesis {
        /// Which field disagrees.
        what: &'static str,
    },
    /// The log key given is not the one that signs the log's checkpoints
    /// now (the genesis entry's, or its last succession's).
    #[error(
        "the log key given is not the log's current key: the log's checkpoints are signed by {current}{}",
        if *succeeded { ", named by its last log key succession" } else { ", named by its genesis entry" }
    )]
    NotCurrentKey {
        /// The current key, base64.
        current: String,
        /// Whether a succession named it.
        succeeded: bool,
    },
    /// A stored hash differs from the one recomputed from the entries.
    #[error(
        "stored hash at level {level} index {index} differs from the hash recomputed from the entries"
    )]
    HashMismatch {
        /// Its level.
        level: u8,
        /// Its index within the level.
        index: u64,
    },
    /// A checkpoint does not open with the log key.
    #[error("checkpoint at tree size {size}: {error}")]
    Checkpoint {
        /// The tree size it is stored under.
        size: u64,
        /// Why it does not open.
        error: CheckpointError,
    },
    /// A checkpoint disagrees with the tree recomputed from the entries.
    #[error("checkpoint at tree size {size}: {what}")]
    CheckpointMismatch {
        /// The tree size it is stored under.
        size: u64,
        /// What disagrees.
        what: &'static str,
    },
    /// A hash tile or entry bundle is not as wide as the tree size makes it.
    #[error("{what} {level}/{index} holds {found} items, the tree size gives {expected}")]
    TileWidth {
        /// "hash tile" or "entry bundle".
        what: &'static str,
        /// The tile level (0 for bundles).
        level: u8,
        /// The tile's index.
        index: u64,
        /// The width the tree size gives.
        expected: u16,
        /// The items stored.
        found: usize,
    },
    /// There is no checkpoint at the stored tree size.
    #[error("no checkpoint is stored at the tree size {0}")]
    MissingCheckpoint(u64),
    /// A VIN head or key state kept by the sequencer disagrees with the replay.
    #[error("{what} for {name} disagrees with the entries")]
    Index {
        /// Which index.
        what: &'static str,
        /// Which item.
        name: String,
    },
}

/// What a successful check covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The log's origin.
    pub origin: String,
    /// Entries replayed.
    pub entries: u64,
    /// Checkpoints verified.
    pub checkpoints: u64,
    /// VIN chains verified.
    pub vins: u64,
    /// Root hash at the tree size, in base64.
    pub root: String,
}

/// Entries per read.
const PAGE: u64 = 1024;

/// Re-verifies every entry, stored hash and checkpoint of a store whose
/// current log key is `log_key`: each checkpoint under the key that signed
/// the log's checkpoints at its size (the genesis entry's, then each
/// succession's in turn). `progress` is called with the number of entries
/// checked so far.
///
/// # Errors
/// The first [`CheckError`] found.
pub fn check_store<B: Backend>(
    store: &LogStore<B>,
    log_key: &VerifierKey,
    mut progress: impl FnMut(u64),
) -> Result<CheckReport, CheckError> {
    let size = store.tree_size()?;
    if size == 0 {
        return Err(CheckError::Empty);
    }
    let origin = store.origin()?.ok_or(StoreError::Corrupt("origin"))?;
    store
        .checkpoint(size)?
        .ok_or(CheckError::MissingCheckpoint(size))?;

    let mut replayer = Replayer::new();
    // The key that signs checkpoints at the size replayed, once known.
    let mut signing: Option<VerifierKey> = None;
    let mut checkpoints = 0u64;
    let mut next_checkpoints = store.checkpoint_sizes(1, size + 1)?;
    next_checkpoints.reverse();
    let mut start = 0;
    while start < size {
        let end = (start + PAGE).min(size);
        let entries = store.entries(start, end)?;
        for bytes in &entries {
            let replayed = replayer.apply(bytes)?;
            if let EntryBody::Genesis(g) = &replayed.entry.body
                && g.origin != origin
            {
                return Err(CheckError::Genesis { what: "an origin" });
            }
            if let Some(key) = replayer.log_key()
                && signing.as_ref().is_none_or(|s| s.public_key() != key)
            {
                signing = Some(
                    VerifierKey::new(origin.clone(), KeyType::Ed25519, *key)
                        .map_err(|_| CheckError::Genesis { what: "a log key" })?,
                );
            }
            // The hashes the tiles hold (levels 0, 8, 16, …); the others are
            // computed from them.
            let kept: Vec<_> = replayed
                .hashes
                .iter()
                .filter(|(id, _)| id.level % TILE_HEIGHT == 0)
                .collect();
            let ids: Vec<_> = kept.iter().map(|(id, _)| *id).collect();
            let stored = store.read_hashes(&ids)?;
            for ((id, expected), found) in kept.into_iter().zip(stored) {
                if *expected != found {
                    return Err(CheckError::HashMismatch {
                        level: id.level,
                        index: id.index,
                    });
                }
            }
            // Checkpoints signed at this size.
            let here = replayer.size();
            while next_checkpoints.last() == Some(&here) {
                next_checkpoints.pop();
                let key = signing
                    .as_ref()
                    .ok_or(CheckError::Genesis { what: "no log key" })?;
                check_checkpoint(store, key, &origin, here, &replayer)?;
                checkpoints += 1;
                if next_checkpoints.is_empty() && here < size {
                    next_checkpoints = store.checkpoint_sizes(here + 1, size + 1)?;
                    next_checkpoints.reverse();
                }
            }
        }
        start = end;
        progress(start);
    }
    // Every tile and bundle exactly as wide as the tree size makes it.
    for (tile, width) in TileId::all(TreeSize(size)) {
        let found = store.tile(tile)?.map_or(0, |t| t.len());
        if found != usize::from(width) {
            return Err(CheckError::TileWidth {
                what: "hash tile",
                level: tile.level,
                index: tile.index,
                expected: width,
                found,
            });
        }
        if tile.level == 0 {
            let found = match store.bundle(tile.index)? {
                None => 0,
                Some(b) => decode_bundle(&b)
                    .map_err(|_| StoreError::Corrupt("entry bundle"))?
                    .len(),
            };
            if found != usize::from(width) {
                return Err(CheckError::TileWidth {
                    what: "entry bundle",
                    level: 0,
                    index: tile.index,
                    expected: width,
                    found,
                });
            }
        }
    }
    if replayer.log_key() != Some(log_key.public_key()) {
        return Err(CheckError::NotCurrentKey {
            current: replayer
                .log_key()
                .map_or_else(String::new, |k| base64_key(k.as_bytes())),
            succeeded: !replayer.successions().is_empty(),
        });
    }
    if let Some(&stray) = next_checkpoints.last() {
        return Err(CheckError::CheckpointMismatch {
            size: stray,
            what: "no entry ends there",
        });
    }
    for (vin, head) in replayer.vin_heads() {
        if store.vin_head(vin)?.as_ref() != Some(head) {
            return Err(CheckError::Index {
                what: "VIN head",
                name: vin.to_string(),
            });
        }
    }
    // Every stored node of the index, recomputed from the nodes below it.
    let stored_root = vledger_rules::index_tree::recompute_root(store).map_err(|e| match e {
        vledger_rules::index_tree::StoredIndexError::Read(e) => CheckError::from(e),
        e => CheckError::Index {
            what: "stored VIN index",
            name: e.to_string(),
        },
    })?;
    if stored_root != replayer.index_root() {
        return Err(CheckError::Index {
            what: "stored VIN index",
            name: "its root".to_owned(),
        });
    }
    for (key, state) in replayer.key_states() {
        let stored = match ed25519_dalek::VerifyingKey::from_bytes(key) {
            Ok(k) => store.key_state(&k)?,
            Err(_) => None,
        };
        if stored.as_ref() != Some(state) {
            return Err(CheckError::Index {
                what: "key state",
                name: hex::encode(key),
            });
        }
    }
    for (key, index) in replayer.dedup_keys() {
        if store.dedup(key)? != Some(*index) {
            return Err(CheckError::Index {
                what: "deduplication key",
                name: format!("entry {index}"),
            });
        }
    }
    let (stored, derived) = (store.dedup_count()?, replayer.dedup_keys().count() as u64);
    if stored != derived {
        return Err(CheckError::Index {
            what: "deduplication key",
            name: format!("{stored} stored, {derived} derived"),
        });
    }
    let rules = replayer.rules_state();
    for (vin, state) in rules.vehicles() {
        if store.vehicle(vin)?.as_ref() != Some(state) {
            return Err(CheckError::Index {
                what: "vehicle state",
                name: vin.to_string(),
            });
        }
    }
    // Every VIN's facts: those its chunks fold to, and no chunks for a VIN
    // without facts.
    let mut with_facts: HashSet<&Vin> = rules.facts().map(|(vin, ..)| vin).collect();
    for stored in store.stored_facts() {
        let (vin, facts) = stored?;
        let derived = rules.vehicle_facts(&vin);
        if facts != derived || facts == VehicleFacts::default() {
            let name = match first_difference(&facts, &derived) {
                Some(index) => format!("{vin} entry {index}"),
                None => format!("{vin} (chunks that state no fact)"),
            };
            return Err(CheckError::Index {
                what: "vehicle fact",
                name,
            });
        }
        with_facts.remove(&vin);
    }
    if let Some(vin) = with_facts.into_iter().min() {
        return Err(CheckError::Index {
            what: "vehicle fact",
            name: format!("{vin} (no chunks stored)"),
        });
    }
    for (id, protocol) in rules.protocols() {
        if store.protocol(id)?.as_ref() != Some(protocol) {
            return Err(CheckError::Index {
                what: "inspection protocol",
                name: id.to_string(),
            });
        }
    }
    Ok(CheckReport {
        origin,
        entries: size,
        checkpoints,
        vins: replayer.vin_heads().count() as u64,
        root: replayer.frontier().root().to_base64(),
    })
}

/// The first entry whose fact differs between two sets of a VIN's facts.
fn first_difference(a: &VehicleFacts, b: &VehicleFacts) -> Option<u64> {
    fn first<T: PartialEq>(a: &[T], b: &[T], index: impl Fn(&T) -> u64) -> Option<u64> {
        let pos = a.iter().zip(b).position(|(x, y)| x != y);
        let pos = pos.unwrap_or_else(|| a.len().min(b.len()));
        let (x, y) = (a.get(pos).map(&index), b.get(pos).map(&index));
        match (x, y) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        }
    }
    let engines = first(&a.engines, &b.engines, |e| e.index);
    let readings = first(&a.odometer, &b.odometer, |p| p.index);
    engines.into_iter().chain(readings).min()
}

fn check_checkpoint<B: Backend>(
    store: &LogStore<B>,
    log_key: &VerifierKey,
    origin: &str,
    size: u64,
    replayer: &Replayer,
) -> Result<(), CheckError> {
    let note = store
        .checkpoint(size)?
        .ok_or(CheckError::MissingCheckpoint(size))?;
    let cp =
        open_checkpoint(&note, log_key).map_err(|error| CheckError::Checkpoint { size, error })?;
    let mismatch = |what| CheckError::CheckpointMismatch { size, what };
    if cp.origin() != origin {
        return Err(mismatch("origin is not the log's origin"));
    }
    if cp.size().0 != size {
        return Err(mismatch("tree size is not the size it is stored under"));
    }
    debug_assert_eq!(replayer.frontier().size(), TreeSize(size));
    if !replayer.last_is_index() {
        return Err(mismatch("the last entry under it is not an index entry"));
    }
    if *cp.root() != replayer.frontier().root() {
        return Err(mismatch("root is not the root of the entries"));
    }
    Ok(())
}

/// A public key in base64, as in verifier keys.
fn base64_key(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
