//! `vledger migrate`: brings a store of an older format to the current one,
//! one step at a time.
//!
//! - **2 → 3** rewrites one key per entry and per stored hash as C2SP tiles
//!   (entry bundles and hash tiles).
//! - **3 → 4** splits each vehicle state: format 3 kept every engine number
//!   and every odometer reading of the current series inside the state,
//!   rewritten whole with every record; format 4 keeps them one key per
//!   entry (`'g' ‖ VIN ‖ kind ‖ index`) beside a state of constant size.
//! - **4 → 5** groups those facts in chunks (`'g' ‖ VIN ‖ kind ‖ !first`,
//!   see `docs/store.md`): each VIN's facts of a kind, in entry order, as
//!   the writer chunks facts that only ever grew.
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
//!
//! Step 4 → 5:
//! Entry indexes stay below 2^63, so the last eight bytes of a format-4
//! fact key (the plain index) start with a clear bit and those of a chunk
//! key (its NOT) with a set one: the two kinds of key never collide and
//! tell themselves apart. Each VIN is converted whole in one atomic apply
//! (its chunks written, its old keys deleted; an apply takes several
//! VINs), and the format switches with the last one. A crash leaves a format-4 store in which every VIN has either
//! old keys only or chunks only; a second run converts the VINs that still
//! have old keys.

use vledger_tlog::leaf_hash;
use vledger_tlog::merkle::{Frontier, NodeId};
use vledger_tlog::tile::{TILE_HEIGHT, TILE_WIDTH, TileId, encode_tile, push_bundle_entry};

use vledger_records::Vin;
use vledger_rules::codec::{
    decode_engine_number, decode_reading, decode_vehicle_v1, encode_reading, encode_vehicle,
};
use vledger_rules::{ENGINE_FACT, ODOMETER_FACT};

use crate::store::layout::{
    BUNDLE, FACT_CHUNK_KEY_LEN, FORMAT_VERSION, META_FORMAT, META_TREE_SIZE, VEHICLE, VEHICLE_FACT,
    hash_tile_key, read_u64, u64_key,
};
use crate::store::{Backend, FactChunkChange, StoreError, Writes, series_writes};

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
/// Format-4 fact keys read per scan, and (in whole VINs) converted per
/// apply.
const FACTS_PER_APPLY: usize = 16 * 1024;

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
    /// Format-4 vehicle facts (one key each) grouped into chunks.
    pub facts: u64,
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
        3 | 4 | FORMAT_VERSION => 0,
        found => return Err(StoreError::Format { found }),
    };
    let vehicles = if format_of(backend)? == Some(3) {
        split_vehicles(backend)?
    } else {
        0
    };
    let facts = if format_of(backend)? == Some(4) {
        chunk_facts(backend)?
    } else {
        0
    };
    let deleted = delete_old_keys(backend)?;
    Ok(MigrateReport {
        from,
        entries,
        deleted,
        vehicles,
        facts,
    })
}

/// The key of a format-4 vehicle fact: `'g' ‖ VIN ‖ kind ‖ index`.
#[must_use]
pub fn format_4_fact_key(vin: &Vin, kind: u8, index: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(FACT_CHUNK_KEY_LEN);
    k.push(VEHICLE_FACT);
    k.extend_from_slice(vin.as_str().as_bytes());
    k.push(kind);
    k.extend_from_slice(&index.to_be_bytes());
    k
}

/// Whether a `'g'` key is a format-4 fact's (its index's top bit clear)
/// rather than a chunk's (the NOT of an index: top bit set).
fn is_format_4_fact(key: &[u8]) -> bool {
    key.len() == FACT_CHUNK_KEY_LEN && key[FACT_CHUNK_KEY_LEN - 8] & 0x80 == 0
}

/// Groups every format-4 vehicle fact into chunks, VIN by VIN, each VIN in
/// one apply, then switches the format to 5; returns the facts grouped.
/// VINs already converted (by an interrupted run) have only chunks, which
/// are left as they are.
fn chunk_facts<B: Backend>(backend: &B) -> Result<u64, StoreError> {
    const VIN_PREFIX: usize = 18;
    let mut grouped = 0;
    let mut writes: Writes = Vec::new();
    // The format-4 facts of the VIN being read.
    let mut current: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut start = vec![VEHICLE_FACT];
    loop {
        let page = backend.scan(&start, &[VEHICLE_FACT + 1], FACTS_PER_APPLY)?;
        let last_page = page.len() < FACTS_PER_APPLY;
        if let Some((k, _)) = page.last() {
            start.clone_from(k);
            start.push(0);
        }
        for (k, v) in page {
            let vin = k
                .get(..VIN_PREFIX)
                .ok_or(StoreError::Corrupt("vehicle fact key"))?;
            if current
                .first()
                .is_some_and(|(c, _)| c[..VIN_PREFIX] != *vin)
            {
                grouped += convert_vin(&std::mem::take(&mut current), &mut writes)?;
                if writes.len() >= FACTS_PER_APPLY {
                    backend.apply(std::mem::take(&mut writes), None)?;
                }
            }
            if is_format_4_fact(&k) {
                current.push((k, v));
            } else if current.last().is_some_and(|(c, _)| c[..19] == k[..19]) {
                // A VIN is converted whole: its facts of a kind are old
                // keys or chunks, never both.
                return Err(StoreError::Corrupt("vehicle facts of formats 4 and 5"));
            }
        }
        if last_page {
            break;
        }
    }
    grouped += convert_vin(&current, &mut writes)?;
    writes.push((
        META_FORMAT.to_vec(),
        Some(FORMAT_VERSION.to_be_bytes().to_vec()),
    ));
    backend.apply(writes, None)?;
    Ok(grouped)
}

/// Pushes the writes that turn one VIN's format-4 facts (in key order:
/// by kind, then entry) into chunks and delete them; returns how many.
fn convert_vin(facts: &[(Vec<u8>, Vec<u8>)], writes: &mut Writes) -> Result<u64, StoreError> {
    const WHAT: &str = "vehicle fact key";
    let Some((key, _)) = facts.first() else {
        return Ok(0);
    };
    let vin = std::str::from_utf8(&key[1..18])
        .ok()
        .and_then(|s| Vin::parse(s).ok())
        .ok_or(StoreError::Corrupt(WHAT))?;
    for kind in [ENGINE_FACT, ODOMETER_FACT] {
        let mut changes: Vec<FactChunkChange> = Vec::new();
        for (k, v) in facts.iter().filter(|(k, _)| k[18] == kind) {
            let index = read_u64(&k[19..], WHAT)?;
            if kind == ENGINE_FACT {
                decode_engine_number(v)?;
            } else {
                decode_reading(v)?;
            }
            changes.push((index, Some(v.clone())));
        }
        series_writes(&vin, kind, &[], false, &changes, writes)?;
    }
    if facts
        .iter()
        .any(|(k, _)| k[18] != ENGINE_FACT && k[18] != ODOMETER_FACT)
    {
        return Err(StoreError::Corrupt(WHAT));
    }
    writes.extend(facts.iter().map(|(k, _)| (k.clone(), None)));
    Ok(facts.len() as u64)
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
                    format_4_fact_key(&vin, ENGINE_FACT, e.index),
                    Some(e.number.into_bytes()),
                ));
            }
            for p in facts.odometer {
                writes.push((
                    format_4_fact_key(&vin, ODOMETER_FACT, p.index),
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
        vec![(META_FORMAT.to_vec(), Some(4u32.to_be_bytes().to_vec()))],
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
