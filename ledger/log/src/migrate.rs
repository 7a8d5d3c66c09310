//! `vledger migrate`: brings a store of an older format to the current one,
//! one step at a time.
//!
//! - **2 → 3** rewrites one key per entry and per stored hash as C2SP tiles
//!   (entry bundles and hash tiles).
//! - **3 → 4** splits each vehicle state: format 3 kept every engine number
//!   and every odometer reading of the current series inside the state,
//!   rewritten whole with every record; format 4 keeps them one key per
//!   entry (`'g'` keys) beside a state of constant size.
//!
//! Step 2 → 3:
//! The new keys never collide with the old ones, so the migration writes
//! every bundle and tile first, then switches the format version in one
//! atomic apply, and only then deletes the old keys. A crash before the
//! switch leaves a format-2 store that migrates again from the start; a
//! crash after it leaves a format-3 store with stale old keys, which a
//! second run deletes. The entries are copied verbatim and their hashes
//! recomputed; the node's start-up check (or `vledger check`) then
//! compares the new tiles with the signed checkpoint.

use vledger_tlog::leaf_hash;
use vledger_tlog::merkle::{Frontier, NodeId};
use vledger_tlog::tile::{TILE_HEIGHT, TILE_WIDTH, TileId, encode_tile, push_bundle_entry};

use vledger_records::Vin;
use vledger_rules::codec::{decode_vehicle_v1, encode_reading, encode_vehicle};
use vledger_rules::{ENGINE_FACT, ODOMETER_FACT};

use crate::store::layout::{
    BUNDLE, FORMAT_VERSION, META_FORMAT, META_TREE_SIZE, VEHICLE, fact_key, hash_tile_key,
    read_u64, u64_key,
};
use crate::store::{Backend, StoreError, Writes};

/// Entry keys of format 2: `'e' ‖ index:u64`.
const OLD_ENTRY: u8 = b'e';
/// Stored-hash keys of format 2: `'h' ‖ level:u8 ‖ index:u64`.
const OLD_HASH: u8 = b'h';
/// Bundles written per apply.
const BUNDLES_PER_APPLY: u64 = 64;
/// Old keys deleted per apply.
const DELETES_PER_APPLY: usize = 16 * 1024;
/// Vehicle states split per apply.
const STATES_PER_APPLY: usize = 1024;

/// What a migration did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrateReport {
    /// The format the store had.
    pub from: u32,
    /// Entries rewritten into bundles (0 when the store already had the
    /// current format).
    pub entries: u64,
    /// Old keys deleted.
    pub deleted: u64,
    /// Vehicle states split into a state and its facts.
    pub vehicles: u64,
}

fn format_of<B: Backend>(backend: &B) -> Result<Option<u32>, StoreError> {
    backend
        .get(META_FORMAT)?
        .map(|v| {
            <[u8; 4]>::try_from(v.as_slice())
                .map(u32::from_be_bytes)
                .map_err(|_| StoreError::Corrupt("format version"))
        })
        .transpose()
}

/// Migrates the store in `backend` to the current format. `progress` is
/// called with the entries rewritten so far and the tree size.
///
/// # Errors
/// [`StoreError::Format`] for a format this version cannot migrate from;
/// [`StoreError::Missing`] when an entry is absent; backend errors.
pub fn migrate<B: Backend>(
    backend: &B,
    mut progress: impl FnMut(u64, u64),
) -> Result<MigrateReport, StoreError> {
    let from = format_of(backend)?.ok_or(StoreError::Corrupt("format version"))?;
    let entries = match from {
        2 => rewrite(backend, &mut progress)?,
        3 | FORMAT_VERSION => 0,
        found => return Err(StoreError::Format { found }),
    };
    let vehicles = if format_of(backend)? == Some(3) {
        split_vehicles(backend)?
    } else {
        0
    };
    let deleted = delete_old_keys(backend)?;
    Ok(MigrateReport {
        from,
        entries,
        deleted,
        vehicles,
    })
}

/// Splits every format-3 vehicle state into a state and its facts, then
/// switches the format to 4; returns the states split. States already
/// split (by an interrupted run) are left as they are.
fn split_vehicles<B: Backend>(backend: &B) -> Result<u64, StoreError> {
    let mut split = 0;
    let mut start = vec![VEHICLE];
    loop {
        let page = backend.scan(&start, &[VEHICLE + 1], STATES_PER_APPLY)?;
        let mut writes: Writes = Vec::new();
        for (k, v) in &page {
            if v.first() != Some(&1) {
                continue;
            }
            let vin = std::str::from_utf8(&k[1..])
                .ok()
                .and_then(|s| Vin::parse(s).ok())
                .ok_or(StoreError::Corrupt("vehicle state key"))?;
            let (state, facts) = decode_vehicle_v1(v)?;
            writes.push((k.clone(), Some(encode_vehicle(&state))));
            for e in facts.engines {
                writes.push((
                    fact_key(&vin, ENGINE_FACT, e.index),
                    Some(e.number.into_bytes()),
                ));
            }
            for p in facts.odometer {
                writes.push((
                    fact_key(&vin, ODOMETER_FACT, p.index),
                    Some(encode_reading(p.reading).to_vec()),
                ));
            }
            split += 1;
        }
        if !writes.is_empty() {
            backend.apply(writes, None)?;
        }
        match page.last() {
            Some((k, _)) if page.len() == STATES_PER_APPLY => {
                start.clone_from(k);
                start.push(0);
            }
            _ => break,
        }
    }
    backend.apply(
        vec![(
            META_FORMAT.to_vec(),
            Some(FORMAT_VERSION.to_be_bytes().to_vec()),
        )],
        None,
    )?;
    Ok(split)
}

/// Writes every entry of a format-2 store into bundles and its hashes into
/// tiles, then switches the format; returns the entries rewritten.
fn rewrite<B: Backend>(
    backend: &B,
    progress: &mut impl FnMut(u64, u64),
) -> Result<u64, StoreError> {
    let size = match backend.get(META_TREE_SIZE)? {
        None => 0,
        Some(v) => read_u64(&v, "tree size")?,
    };
    let mut frontier = Frontier::new();
    // The tiles being filled, one per tile level at the right edge.
    let mut open: Vec<Vec<vledger_tlog::Hash>> = Vec::new();
    let mut writes: Writes = Vec::new();
    let mut hashes = Vec::new();
    let mut next = 0u64;
    while next < size {
        let bundle_index = next / TILE_WIDTH;
        let end = ((bundle_index + 1) * TILE_WIDTH).min(size);
        let pairs = backend.scan(
            &u64_key(OLD_ENTRY, next),
            &u64_key(OLD_ENTRY, end),
            usize::try_from(TILE_WIDTH).unwrap_or(256),
        )?;
        if pairs.len() as u64 != end - next {
            return Err(StoreError::Missing {
                what: "entry",
                index: next + pairs.len() as u64,
            });
        }
        let mut bundle = Vec::new();
        for (i, (_, entry)) in pairs.iter().enumerate() {
            let index = next + i as u64;
            push_bundle_entry(&mut bundle, entry).map_err(|_| StoreError::EntryTooLarge {
                index,
                size: entry.len(),
            })?;
            hashes.clear();
            frontier.append_into(leaf_hash(entry), &mut hashes);
            for &(id, hash) in &hashes {
                if id.level % TILE_HEIGHT != 0 {
                    continue;
                }
                let level = usize::from(id.level / TILE_HEIGHT);
                if open.len() <= level {
                    open.resize_with(level + 1, Vec::new);
                }
                open[level].push(hash);
                if open[level].len() as u64 == TILE_WIDTH {
                    let tile = TileId {
                        level: id.level / TILE_HEIGHT,
                        index: id.index / TILE_WIDTH,
                    };
                    writes.push((hash_tile_key(tile), Some(encode_tile(&open[level]))));
                    open[level].clear();
                }
            }
        }
        writes.push((u64_key(BUNDLE, bundle_index), Some(bundle)));
        next = end;
        if bundle_index % BUNDLES_PER_APPLY == BUNDLES_PER_APPLY - 1 {
            backend.apply(std::mem::take(&mut writes), None)?;
        }
        progress(next, size);
    }
    // The partial tiles at the right edge, and the switch, together.
    for (level, hashes) in open.iter().enumerate() {
        if hashes.is_empty() {
            continue;
        }
        let level = u8::try_from(level).map_err(|_| StoreError::Corrupt("tree size"))?;
        let count = size >> (u32::from(level) * u32::from(TILE_HEIGHT));
        let tile = TileId {
            level,
            index: count / TILE_WIDTH,
        };
        writes.push((hash_tile_key(tile), Some(encode_tile(hashes))));
    }
    writes.push((META_FORMAT.to_vec(), Some(3u32.to_be_bytes().to_vec())));
    backend.apply(writes, None)?;
    Ok(size)
}

/// Deletes every format-2 entry and hash key left; returns how many.
fn delete_old_keys<B: Backend>(backend: &B) -> Result<u64, StoreError> {
    let mut deleted = 0u64;
    for prefix in [OLD_ENTRY, OLD_HASH] {
        loop {
            let keys = backend.scan(&[prefix], &[prefix + 1], DELETES_PER_APPLY)?;
            if keys.is_empty() {
                break;
            }
            deleted += keys.len() as u64;
            backend.apply(keys.into_iter().map(|(k, _)| (k, None)).collect(), None)?;
        }
    }
    Ok(deleted)
}

/// The key of a format-2 stored hash, for tests that build old stores.
#[must_use]
pub fn format_2_hash_key(id: NodeId) -> Vec<u8> {
    let mut k = Vec::with_capacity(10);
    k.push(OLD_HASH);
    k.push(id.level);
    k.extend_from_slice(&id.index.to_be_bytes());
    k
}

/// The key of a format-2 entry, for tests that build old stores.
#[must_use]
pub fn format_2_entry_key(index: u64) -> Vec<u8> {
    u64_key(OLD_ENTRY, index)
}
