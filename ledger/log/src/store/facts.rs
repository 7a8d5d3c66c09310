//! Vehicle facts in chunks: every engine number and every odometer
//! reading since the last instrument-cluster change, kept as the changes
//! that made them, up to [`CHUNK_CHANGES`] per key.
//!
//! A VIN's facts of one kind are a series of chunks under
//! `'g' ‖ VIN ‖ kind ‖ !first` ([`fact_chunk_key`]). A chunk's value is a
//! sequence of changes in the order they were committed, each
//! `index:u64 ‖ len:u8 ‖ value`: entry `index` states `value` (an engine
//! number's UTF-8 bytes, or an odometer reading as
//! [`encode_reading`](vledger_rules::codec::encode_reading) gives it), or,
//! with `len` = [`WITHDRAWN`] and no value, no longer states a fact. Folding
//! every change of every chunk, oldest chunk first, through
//! [`VehicleFacts::apply`] gives the facts.
//!
//! A batch appends to the newest chunk until it holds [`CHUNK_CHANGES`]
//! changes, then starts a new one, keyed by the entry index of its first
//! change, or by the key of the chunk before it plus one when that index is
//! not above it (a correction of an older entry opening a chunk), so that
//! keys grow with every chunk. A change that leaves the VIN without facts
//! of its kind deletes all of that kind's chunks instead of being written.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use vledger_records::Vin;
use vledger_rules::codec::{decode_engine_number, decode_reading, encode_reading};
use vledger_rules::{ENGINE_FACT, FactChange, ODOMETER_FACT, VehicleFacts};

use super::layout::{FACT_CHUNK_KEY_LEN, VEHICLE_FACT, fact_chunk_key, fact_prefix};
use super::{Backend, LogStore, Pairs, SCAN_PAGE, StoreError, Writes};

/// Changes a chunk holds before the next chunk starts.
pub const CHUNK_CHANGES: usize = 32;

/// The length byte of a withdrawal: the entry no longer states a fact.
pub const WITHDRAWN: u8 = 0xFF;

/// One change as a chunk holds it: the entry, and the value it states
/// (`None`: it no longer states one).
pub(crate) type Change = (u64, Option<Vec<u8>>);

/// One change as a stored chunk holds it, borrowed from the chunk.
type StoredChange<'a> = (u64, Option<&'a [u8]>);

const CHUNK: &str = "vehicle fact chunk";
const CHUNK_KEY: &str = "vehicle fact chunk key";

/// Whether `changes` remove a fact: the whole series is then rewritten.
fn removes(changes: &[Change]) -> bool {
    changes.iter().any(|(_, value)| value.is_none())
}

/// The kind, the entry and the stored value of a change.
fn split(change: &FactChange) -> (u8, Change) {
    match change {
        FactChange::Engine { index, number } => (
            ENGINE_FACT,
            (*index, number.as_ref().map(|n| n.as_bytes().to_vec())),
        ),
        FactChange::Odometer { index, reading } => (
            ODOMETER_FACT,
            (*index, reading.map(|r| encode_reading(r).to_vec())),
        ),
    }
}

/// The change of `kind` a chunk states for entry `index`.
fn fact_change(kind: u8, index: u64, value: Option<&[u8]>) -> Result<FactChange, StoreError> {
    Ok(match kind {
        ENGINE_FACT => FactChange::Engine {
            index,
            number: value.map(decode_engine_number).transpose()?,
        },
        ODOMETER_FACT => FactChange::Odometer {
            index,
            reading: value.map(decode_reading).transpose()?,
        },
        _ => return Err(StoreError::Corrupt(CHUNK_KEY)),
    })
}

/// Appends one change to a chunk's value.
///
/// # Errors
/// [`StoreError::FactTooLarge`] for a value of more than 254 bytes.
fn push_change(chunk: &mut Vec<u8>, index: u64, value: Option<&[u8]>) -> Result<(), StoreError> {
    chunk.extend_from_slice(&index.to_be_bytes());
    match value {
        None => chunk.push(WITHDRAWN),
        Some(v) => {
            let len = u8::try_from(v.len())
                .ok()
                .filter(|&len| len != WITHDRAWN)
                .ok_or(StoreError::FactTooLarge {
                    index,
                    size: v.len(),
                })?;
            chunk.push(len);
            chunk.extend_from_slice(v);
        }
    }
    Ok(())
}

/// The changes of a chunk's value, in the order made: between 1 and
/// [`CHUNK_CHANGES`] of them.
fn decode_chunk(mut v: &[u8]) -> Result<Vec<StoredChange<'_>>, StoreError> {
    let mut out = Vec::new();
    while !v.is_empty() {
        let (head, rest) = v.split_at_checked(9).ok_or(StoreError::Corrupt(CHUNK))?;
        let index = super::layout::read_u64(head, CHUNK)?;
        let value = match head[8] {
            WITHDRAWN => {
                v = rest;
                None
            }
            len => {
                let (value, rest) = rest
                    .split_at_checked(usize::from(len))
                    .ok_or(StoreError::Corrupt(CHUNK))?;
                v = rest;
                Some(value)
            }
        };
        out.push((index, value));
    }
    if out.is_empty() || out.len() > CHUNK_CHANGES {
        return Err(StoreError::Corrupt(CHUNK));
    }
    Ok(out)
}

/// The key index of the chunk stored under `key` (the NOT of its last
/// eight bytes), checking the key's shape.
fn chunk_first(key: &[u8]) -> Result<u64, StoreError> {
    let tail = key
        .get(FACT_CHUNK_KEY_LEN - 8..)
        .filter(|_| key.len() == FACT_CHUNK_KEY_LEN)
        .and_then(|t| <[u8; 8]>::try_from(t).ok())
        .ok_or(StoreError::Corrupt(CHUNK_KEY))?;
    let first = !u64::from_be_bytes(tail);
    // Entry indexes stay below 2^63.
    if first >> 63 != 0 {
        return Err(StoreError::Corrupt(CHUNK_KEY));
    }
    Ok(first)
}

/// Folds chunks of `kind`, given newest first as stored, into `facts`,
/// oldest change first.
fn fold<'p>(
    facts: &mut VehicleFacts,
    kind: u8,
    chunks: impl DoubleEndedIterator<Item = &'p (Vec<u8>, Vec<u8>)>,
) -> Result<(), StoreError> {
    for (k, v) in chunks.rev() {
        chunk_first(k)?;
        for (index, value) in decode_chunk(v)? {
            facts.apply(&fact_change(kind, index, value)?);
        }
    }
    Ok(())
}

/// A chunk a batch writes or appends to.
struct Chunk {
    /// Its key index.
    first: u64,
    /// Its value.
    value: Vec<u8>,
    /// The changes it holds.
    held: usize,
    /// Whether the batch changed it.
    changed: bool,
}

/// Pushes to `w` the writes that take `changes` (of `kind`, in the order
/// made) into `vin`'s chunks of that kind. `stored` are the stored chunks
/// (key index and value), oldest first: all of them when `complete`, else
/// at least the newest. Changes that withdraw a fact need them all (to
/// know whether the series is left empty), so a caller passes them all
/// whenever `changes` holds a withdrawal.
///
/// # Errors
/// [`StoreError::FactTooLarge`] for a value of more than 254 bytes;
/// [`StoreError::Corrupt`] for a malformed stored chunk.
pub(crate) fn series_writes(
    vin: &Vin,
    kind: u8,
    stored: &[(u64, Vec<u8>)],
    complete: bool,
    changes: &[Change],
    w: &mut Writes,
) -> Result<(), StoreError> {
    // The entries the series states a fact of, when every chunk is known.
    let mut present = if complete {
        let mut set = BTreeSet::new();
        for (_, v) in stored {
            for (index, value) in decode_chunk(v)? {
                if value.is_some() {
                    set.insert(index);
                } else {
                    set.remove(&index);
                }
            }
        }
        Some(set)
    } else {
        None
    };
    let mut chunks = Vec::new();
    if let Some((first, value)) = stored.last() {
        chunks.push(Chunk {
            first: *first,
            value: value.clone(),
            held: decode_chunk(value)?.len(),
            changed: false,
        });
    }
    let mut dropped = false;
    for (index, value) in changes {
        if let Some(set) = &mut present {
            if value.is_some() {
                set.insert(*index);
            } else if !set.remove(index) {
                // Withdraws nothing.
                continue;
            } else if set.is_empty() {
                // The series ends: every chunk goes, this one unwritten.
                dropped = true;
                chunks.clear();
                continue;
            }
        }
        match chunks.last_mut() {
            Some(c) if c.held < CHUNK_CHANGES => {
                push_change(&mut c.value, *index, value.as_deref())?;
                c.held += 1;
                c.changed = true;
            }
            last => {
                let first = last.map_or(*index, |c| (*index).max(c.first.saturating_add(1)));
                let mut chunk = Vec::new();
                push_change(&mut chunk, *index, value.as_deref())?;
                chunks.push(Chunk {
                    first,
                    value: chunk,
                    held: 1,
                    changed: true,
                });
            }
        }
    }
    // Deletes before puts: a new chunk may reuse a dropped chunk's key.
    if dropped {
        for (first, _) in stored {
            w.push((fact_chunk_key(vin, kind, *first), None));
        }
    }
    for c in chunks.into_iter().filter(|c| c.changed) {
        w.push((fact_chunk_key(vin, kind, c.first), Some(c.value)));
    }
    Ok(())
}

impl<B: Backend> LogStore<B> {
    /// `vin`'s facts: every engine number, and every odometer reading
    /// since the last cluster change, each in entry order. Reads every
    /// chunk of the VIN's facts: the rules ask for them only to correct a
    /// fact or at a cluster change.
    ///
    /// # Errors
    /// When the backend fails or a chunk is malformed.
    pub fn vehicle_facts(&self, vin: &Vin) -> Result<VehicleFacts, StoreError> {
        let mut facts = VehicleFacts::default();
        for kind in [ENGINE_FACT, ODOMETER_FACT] {
            let chunks = self.scan_all(fact_prefix(vin, kind), &fact_prefix(vin, kind + 1))?;
            fold(&mut facts, kind, chunks.iter())?;
        }
        Ok(facts)
    }

    /// Every VIN's stored facts, VIN by VIN in byte order: each VIN with at
    /// least one chunk, and what its chunks fold to.
    #[must_use]
    pub fn stored_facts(&self) -> StoredFacts<'_, B> {
        StoredFacts {
            store: self,
            next: Some(vec![VEHICLE_FACT]),
            pending: VecDeque::new(),
        }
    }

    /// Every pair with `start <= key < end`, read a page at a time.
    fn scan_all(&self, start: Vec<u8>, end: &[u8]) -> Result<Pairs, StoreError> {
        let mut out = Vec::new();
        super::scan_pages(&self.backend, start, end, SCAN_PAGE, |page| {
            out.extend(page);
            Ok(())
        })?;
        Ok(out)
    }

    /// Pushes to `w` the writes that take a batch's fact changes into the
    /// chunks: per VIN and kind, the newest chunk is read once and
    /// appended to (every chunk is read when the batch withdraws a fact of
    /// that VIN and kind).
    ///
    /// # Errors
    /// When the backend fails, a chunk is malformed or a fact is too long
    /// for a chunk.
    pub(super) fn push_fact_writes(
        &self,
        facts: &[(Vin, FactChange)],
        w: &mut Writes,
    ) -> Result<(), StoreError> {
        let mut series: BTreeMap<(&Vin, u8), Vec<Change>> = BTreeMap::new();
        for (vin, change) in facts {
            let (kind, change) = split(change);
            series.entry((vin, kind)).or_default().push(change);
        }
        // A series that only grows needs its newest chunk: those of every
        // such series are read together.
        let newest: Vec<(Vec<u8>, Vec<u8>)> = series
            .iter()
            .filter(|(_, changes)| !removes(changes))
            .map(|((vin, kind), _)| (fact_prefix(vin, *kind), fact_prefix(vin, *kind + 1)))
            .collect();
        let mut newest = self.backend.first_in_ranges(&newest)?.into_iter();
        for ((vin, kind), changes) in series {
            let complete = removes(&changes);
            let pairs = if complete {
                self.scan_all(fact_prefix(vin, kind), &fact_prefix(vin, kind + 1))?
            } else {
                newest.next().flatten().into_iter().collect()
            };
            let stored = pairs
                .into_iter()
                .rev()
                .map(|(k, v)| Ok((chunk_first(&k)?, v)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            series_writes(vin, kind, &stored, complete, &changes, w)?;
        }
        Ok(())
    }
}

/// Every VIN's stored facts (see [`LogStore::stored_facts`]): `(VIN,
/// facts)` for each VIN with chunks, in byte order of VINs.
#[derive(Debug)]
pub struct StoredFacts<'a, B> {
    store: &'a LogStore<B>,
    /// Where the next page starts; `None` once the last one was read.
    next: Option<Vec<u8>>,
    /// Pairs read and not yet folded.
    pending: VecDeque<(Vec<u8>, Vec<u8>)>,
}

/// The length of a chunk key's `'g' ‖ VIN` prefix.
const VIN_PREFIX: usize = 18;

impl<B: Backend> StoredFacts<'_, B> {
    fn step(&mut self) -> Result<Option<(Vin, VehicleFacts)>, StoreError> {
        // Read on until the pending pairs hold one VIN whole: another VIN
        // follows it, or there is nothing more.
        loop {
            let whole = match (self.pending.front(), self.pending.back()) {
                (Some((a, _)), Some((b, _))) => a.get(..VIN_PREFIX) != b.get(..VIN_PREFIX),
                _ => false,
            };
            if whole {
                break;
            }
            let Some(start) = self.next.take() else {
                break;
            };
            let page = self
                .store
                .backend
                .scan(&start, &[VEHICLE_FACT + 1], SCAN_PAGE)?;
            if let (Some((k, _)), true) = (page.last(), page.len() == SCAN_PAGE) {
                let mut next = k.clone();
                next.push(0);
                self.next = Some(next);
            }
            self.pending.extend(page);
        }
        let Some((key, _)) = self.pending.front() else {
            return Ok(None);
        };
        let prefix = key
            .get(..VIN_PREFIX)
            .ok_or(StoreError::Corrupt(CHUNK_KEY))?
            .to_vec();
        let vin = std::str::from_utf8(&prefix[1..])
            .ok()
            .and_then(|s| Vin::parse(s).ok())
            .ok_or(StoreError::Corrupt(CHUNK_KEY))?;
        let n = self
            .pending
            .iter()
            .take_while(|(k, _)| k.starts_with(&prefix))
            .count();
        let pairs: Vec<_> = self.pending.drain(..n).collect();
        let mut facts = VehicleFacts::default();
        let mut folded = 0;
        for kind in [ENGINE_FACT, ODOMETER_FACT] {
            let of_kind = pairs
                .iter()
                .filter(|(k, _)| k.get(VIN_PREFIX) == Some(&kind));
            folded += of_kind.clone().count();
            fold(&mut facts, kind, of_kind)?;
        }
        if folded != pairs.len() {
            return Err(StoreError::Corrupt(CHUNK_KEY));
        }
        Ok(Some((vin, facts)))
    }
}

impl<B: Backend> Iterator for StoredFacts<'_, B> {
    type Item = Result<(Vin, VehicleFacts), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(found) => found.map(Ok),
            Err(e) => {
                // Stop after an error.
                self.next = None;
                self.pending.clear();
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vin() -> Vin {
        Vin::parse("LGXCE4CB8S0123456").unwrap()
    }

    fn reading(km: u64) -> Option<Vec<u8>> {
        Some(
            encode_reading(vledger_records::Odometer {
                value: km,
                unit: vledger_records::DistanceUnit::Km,
            })
            .to_vec(),
        )
    }

    /// Applies `writes` to a map of chunks by key index.
    fn apply(chunks: &mut BTreeMap<u64, Vec<u8>>, writes: Writes) {
        for (k, v) in writes {
            let first = chunk_first(&k).unwrap();
            match v {
                Some(v) => chunks.insert(first, v),
                None => chunks.remove(&first),
            };
        }
    }

    fn write(chunks: &mut BTreeMap<u64, Vec<u8>>, changes: &[Change]) {
        let complete = changes.iter().any(|(_, v)| v.is_none());
        let stored: Vec<_> = chunks.iter().map(|(f, v)| (*f, v.clone())).collect();
        let stored = if complete {
            &stored[..]
        } else {
            &stored[stored.len().saturating_sub(1)..]
        };
        let mut w = Vec::new();
        series_writes(&vin(), ODOMETER_FACT, stored, complete, changes, &mut w).unwrap();
        apply(chunks, w);
    }

    fn folded(chunks: &BTreeMap<u64, Vec<u8>>) -> Vec<(u64, u64)> {
        let pairs: Vec<_> = chunks
            .iter()
            .rev()
            .map(|(f, v)| (fact_chunk_key(&vin(), ODOMETER_FACT, *f), v.clone()))
            .collect();
        let mut facts = VehicleFacts::default();
        fold(&mut facts, ODOMETER_FACT, pairs.iter()).unwrap();
        facts
            .odometer
            .iter()
            .map(|p| (p.index, p.reading.value))
            .collect()
    }

    #[test]
    fn chunks_encode_changes_exactly() {
        let mut w = Vec::new();
        let changes = [(7, reading(1_000)), (3, None)];
        series_writes(&vin(), ODOMETER_FACT, &[], false, &changes, &mut w).unwrap();
        let mut expected = fact_prefix(&vin(), ODOMETER_FACT);
        expected.extend_from_slice(&(!7u64).to_be_bytes());
        let mut value = 7u64.to_be_bytes().to_vec();
        value.push(9);
        value.extend_from_slice(&1_000u64.to_be_bytes());
        value.push(1); // km
        value.extend_from_slice(&3u64.to_be_bytes());
        value.push(WITHDRAWN);
        assert_eq!(w, vec![(expected, Some(value))]);
    }

    #[test]
    fn a_chunk_takes_32_changes_then_the_next_starts() {
        let mut chunks = BTreeMap::new();
        // Batches of 5: the chunks split at every 32nd change, whatever
        // the batches.
        for batch in 0..20u64 {
            let changes: Vec<_> = (0..5).map(|i| (100 + batch * 5 + i, reading(i))).collect();
            write(&mut chunks, &changes);
        }
        let firsts: Vec<_> = chunks.keys().copied().collect();
        assert_eq!(firsts, [100, 132, 164, 196]);
        let held: Vec<_> = chunks
            .values()
            .map(|v| decode_chunk(v).unwrap().len())
            .collect();
        assert_eq!(held, [32, 32, 32, 4]);
        assert_eq!(folded(&chunks).len(), 100);
    }

    #[test]
    fn a_correction_opening_a_chunk_keys_it_after_the_one_before() {
        let mut chunks = BTreeMap::new();
        let changes: Vec<_> = (0..32).map(|i| (10 + i, reading(i))).collect();
        write(&mut chunks, &changes);
        // The chunk is full: a correction of entry 10 opens the next one,
        // keyed 11, not 10.
        write(&mut chunks, &[(10, reading(5))]);
        assert_eq!(chunks.keys().copied().collect::<Vec<_>>(), [10, 11]);
        assert_eq!(folded(&chunks)[0], (10, 5));
        let changes: Vec<_> = (0..31).map(|i| (60 + i, reading(i))).collect();
        write(&mut chunks, &changes);
        // Its withdrawal opens the one after, keyed 12.
        write(&mut chunks, &[(10, None)]);
        assert_eq!(chunks.keys().copied().collect::<Vec<_>>(), [10, 11, 12]);
        let facts = folded(&chunks);
        assert_eq!(facts.len(), 31 + 31);
        assert!(!facts.iter().any(|(i, _)| *i == 10));
        // A chunk opened by a new entry takes that entry's index.
        let changes: Vec<_> = (0..31).map(|i| (100 + i, reading(i))).collect();
        write(&mut chunks, &changes);
        write(&mut chunks, &[(200, reading(1))]);
        assert_eq!(
            chunks.keys().copied().collect::<Vec<_>>(),
            [10, 11, 12, 200]
        );
    }

    #[test]
    fn emptying_a_series_deletes_its_chunks() {
        let mut chunks = BTreeMap::new();
        let changes: Vec<_> = (0..40).map(|i| (i, reading(i))).collect();
        write(&mut chunks, &changes);
        assert_eq!(chunks.len(), 2);
        // A cluster change: every reading withdrawn, then the new one.
        let mut changes: Vec<_> = (0..40).map(|i| (i, None)).collect();
        changes.push((40, reading(3)));
        write(&mut chunks, &changes);
        assert_eq!(chunks.keys().copied().collect::<Vec<_>>(), [40]);
        assert_eq!(folded(&chunks), [(40, 3)]);
        // Withdrawing the last one leaves nothing.
        write(&mut chunks, &[(40, None)]);
        assert!(chunks.is_empty());
    }

    #[test]
    fn malformed_chunks_and_long_facts_are_refused() {
        for bad in [&[][..], &[0; 8][..], &[0, 0, 0, 0, 0, 0, 0, 1, 3, b'A'][..]] {
            assert!(decode_chunk(bad).is_err(), "{bad:?}");
        }
        let mut many = Vec::new();
        for i in 0..=CHUNK_CHANGES as u64 {
            push_change(&mut many, i, None).unwrap();
        }
        assert!(decode_chunk(&many).is_err());
        let long = vec![b'A'; 255];
        assert!(matches!(
            push_change(&mut Vec::new(), 4, Some(&long)),
            Err(StoreError::FactTooLarge {
                index: 4,
                size: 255
            })
        ));
        push_change(&mut Vec::new(), 4, Some(&long[..254])).unwrap();
        // A key index of 2^63 or more is no chunk's.
        let mut key = fact_prefix(&vin(), ENGINE_FACT);
        key.extend_from_slice(&5u64.to_be_bytes());
        assert!(chunk_first(&key).is_err());
    }
}
