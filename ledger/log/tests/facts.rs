//! Vehicle facts in chunks, through the real writer: a chunk holds 32
//! changes and the next one starts; a correction of a fact in an older
//! chunk is appended to the newest; a new instrument cluster deletes every
//! odometer chunk, and withdrawing the factory record every engine chunk;
//! the facts read back are the replay's, and the whole-store check
//! compares every VIN's and names what the chunks get wrong.

use ed25519_dalek::SigningKey;
use serde_json::{Value, json};
use vledger_log::check::{CheckError, check_store};
use vledger_log::replay::Replayer;
use vledger_log::store::layout::{VEHICLE_FACT, fact_chunk_key, fact_prefix};
use vledger_log::store::{Backend, CHUNK_CHANGES, LogStore, MemoryBackend};
use vledger_log::writer::LogWriter;
use vledger_records::{KeyEnrollment, Record, RecordBody, Role, SignedRecord, Vin};
use vledger_rules::{ENGINE_FACT, ODOMETER_FACT, StateView};
use vledger_tlog::note::Signer;

const NOW_MS: i64 = 1_800_000_000_000;
const VIN: &str = "LGXCE4CB8S0123456";
const OTHER_VIN: &str = "1M8GDM9AXKP042788";
const WORKSHOP: u8 = 1;
const MANUFACTURER: u8 = 2;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn log_signer() -> Signer {
    Signer::new("facts.example/log", key(200)).unwrap()
}

/// A writer over a memory store, with a workshop and a manufacturer
/// enrolled.
struct Log {
    writer: LogWriter<MemoryBackend>,
    backend: MemoryBackend,
    batches: i64,
}

impl Log {
    fn new() -> Self {
        let backend = MemoryBackend::new();
        let admin = key(201);
        let writer = LogWriter::init(
            LogStore::new(backend.clone()).unwrap(),
            log_signer(),
            admin.verifying_key(),
            NOW_MS,
        )
        .unwrap();
        let mut log = Self {
            writer,
            backend,
            batches: 0,
        };
        let enroll = |seed, role| {
            let body = RecordBody::KeyEnrollment(KeyEnrollment {
                public_key: key(seed).verifying_key(),
                role,
                name: format!("key {seed}"),
            });
            SignedRecord::sign_for(
                "facts.example/log",
                &Record::new(None, 1_700_000_000, body),
                &admin,
            )
            .unwrap()
        };
        log.batch(vec![
            enroll(WORKSHOP, Role::Workshop),
            enroll(MANUFACTURER, Role::Manufacturer),
        ]);
        log
    }

    /// Logs one batch; every record must be logged. Returns their indexes.
    fn batch(&mut self, records: Vec<SignedRecord>) -> Vec<u64> {
        self.batches += 1;
        let result = self
            .writer
            .append_batch(&records, NOW_MS + self.batches)
            .unwrap();
        result
            .outcomes
            .into_iter()
            .map(|o| {
                let appended = o.expect("logged");
                assert!(!appended.duplicate);
                appended.index
            })
            .collect()
    }

    /// Logs `records` (signer seed, JSON) in batches of `per_batch`.
    fn append(&mut self, records: &[(u8, Value)], per_batch: usize) -> Vec<u64> {
        records
            .chunks(per_batch)
            .flat_map(|batch| {
                let signed = batch.iter().map(|(k, j)| sign(j.clone(), *k)).collect();
                self.batch(signed)
            })
            .collect()
    }

    fn store(&self) -> LogStore<MemoryBackend> {
        LogStore::new(self.backend.clone()).unwrap()
    }

    /// The key indexes of `vin`'s chunks of `kind`, oldest first, and the
    /// changes each holds.
    fn chunks(&self, vin: &str, kind: u8) -> Vec<(u64, usize)> {
        let vin = Vin::parse(vin).unwrap();
        let mut chunks: Vec<_> = self
            .backend
            .scan(
                &fact_prefix(&vin, kind),
                &fact_prefix(&vin, kind + 1),
                usize::MAX,
            )
            .unwrap()
            .into_iter()
            .map(|(k, v)| {
                let first = !u64::from_be_bytes(k[19..].try_into().unwrap());
                (first, changes_in(&v))
            })
            .collect();
        chunks.reverse();
        chunks
    }

    /// The store's facts are the replay's, and the store passes the check.
    fn verify(&self) {
        let store = self.store();
        let size = store.tree_size().unwrap();
        let mut replayer = Replayer::new();
        for bytes in store.entries(0, size).unwrap() {
            replayer.apply(&bytes).unwrap();
        }
        for vin in [VIN, OTHER_VIN] {
            let vin = Vin::parse(vin).unwrap();
            assert_eq!(
                store.vehicle_facts(&vin).unwrap(),
                replayer.vehicle_facts(&vin).unwrap()
            );
        }
        check_store(&store, &log_signer().verifier_key(), |_| ()).unwrap();
    }
}

/// The number of changes in a chunk's value.
fn changes_in(mut v: &[u8]) -> usize {
    let mut n = 0;
    while !v.is_empty() {
        let len = v[8];
        v = &v[9 + if len == 0xFF { 0 } else { usize::from(len) }..];
        n += 1;
    }
    n
}

fn sign(json: Value, seed: u8) -> SignedRecord {
    let record = Record::from_json_value(json).unwrap();
    SignedRecord::from_proto(
        SignedRecord::sign_for("facts.example/log", &record, &key(seed))
            .unwrap()
            .to_proto(),
    )
    .unwrap()
}

fn reading(vin: &str, km: u64) -> (u8, Value) {
    (
        WORKSHOP,
        json!({"vin": vin, "event_time": "2026-03-01",
               "odometer_reading": {"value": km, "unit": "km", "source": "service"}}),
    )
}

fn factory(vin: &str, engine: &str) -> (u8, Value) {
    (
        MANUFACTURER,
        json!({"vin": vin, "event_time": "2026-01-01", "factory": {
            "make": "Example Auto", "model": "E7", "model_year": 2025,
            "manufacture_date": "2025-03-01", "engine_number": engine,
            "powertrain": "petrol", "emission_standard": "China 6b",
            "coc_sha256": "ab".repeat(32)}}),
    )
}

fn component_change(vin: &str, component: &str, old: &str, new: &str, km: u64) -> (u8, Value) {
    (
        WORKSHOP,
        json!({"vin": vin, "event_time": "2026-03-02", "component_change": {
            "component": component, "old_number": old, "new_number": new,
            "odometer": {"value": km, "unit": "km"}}}),
    )
}

fn correction(vin: &str, signer: u8, target: u64, replacement: Option<Value>) -> (u8, Value) {
    let mut c = json!({"target_index": target, "reason": "typo"});
    if let Some(r) = replacement {
        c["replacement"] = r;
    }
    (
        signer,
        json!({"vin": vin, "event_time": "2026-04-01", "correction": c}),
    )
}

/// `n` readings from `from` km on, 10 km apart (records differ by value:
/// the same record twice is logged once).
fn readings(vin: &str, from: u64, n: u64) -> Vec<(u8, Value)> {
    (0..n).map(|i| reading(vin, from + 10 * i)).collect()
}

#[test]
fn a_chunk_holds_32_changes_then_the_next_starts() {
    let mut log = Log::new();
    // Batches of 7 do not line up with chunks: the chunks split at every
    // 32nd change all the same.
    let at = log.append(&readings(VIN, 1_000, 100), 7);
    let chunks = log.chunks(VIN, ODOMETER_FACT);
    assert_eq!(
        chunks,
        [(at[0], 32), (at[32], 32), (at[64], 32), (at[96], 4)],
        "keyed by their first change's entry"
    );
    assert_eq!(CHUNK_CHANGES, 32);
    assert!(log.chunks(VIN, ENGINE_FACT).is_empty());
    let facts = log
        .store()
        .vehicle_facts(&Vin::parse(VIN).unwrap())
        .unwrap();
    let indexes: Vec<_> = facts.odometer.iter().map(|p| p.index).collect();
    assert_eq!(indexes, at);
    // 100 readings take 4 keys.
    let keys = log
        .backend
        .scan(&[VEHICLE_FACT], &[VEHICLE_FACT + 1], usize::MAX)
        .unwrap();
    assert_eq!(keys.len(), 4);
    log.verify();
}

#[test]
fn corrections_of_a_reading_in_an_older_chunk_go_to_the_newest() {
    let mut log = Log::new();
    let at = log.append(&readings(VIN, 1_000, 40), 50);
    assert_eq!(log.chunks(VIN, ODOMETER_FACT), [(at[0], 32), (at[32], 8)]);
    // Restate the third reading, withdraw the fifth: both in the first
    // chunk, both appended to the second.
    let replacement = reading(VIN, 5).1;
    log.append(
        &[
            correction(VIN, WORKSHOP, at[2], Some(replacement)),
            correction(VIN, WORKSHOP, at[4], None),
        ],
        50,
    );
    assert_eq!(log.chunks(VIN, ODOMETER_FACT), [(at[0], 32), (at[32], 10)]);
    let facts = log
        .store()
        .vehicle_facts(&Vin::parse(VIN).unwrap())
        .unwrap();
    assert_eq!(facts.odometer.len(), 39);
    assert_eq!(facts.odometer[2].index, at[2]);
    assert_eq!(facts.odometer[2].reading.value, 5);
    assert!(facts.odometer.iter().all(|p| p.index != at[4]));
    // A correction that opens a chunk is keyed after the chunk before it,
    // whatever the entry it corrects.
    log.append(&readings(VIN, 5_000, 22), 50);
    let [.., (last, 32)] = log.chunks(VIN, ODOMETER_FACT)[..] else {
        panic!("the second chunk is full");
    };
    log.append(&[correction(VIN, WORKSHOP, at[0], None)], 50);
    assert_eq!(
        log.chunks(VIN, ODOMETER_FACT),
        [(at[0], 32), (last, 32), (last + 1, 1)]
    );
    log.verify();
}

#[test]
fn a_new_instrument_cluster_deletes_every_odometer_chunk() {
    let mut log = Log::new();
    let mut records = vec![factory(VIN, "ENG-1")];
    records.extend(readings(VIN, 1_000, 70));
    records.extend(readings(OTHER_VIN, 1_000, 3));
    log.append(&records, 50);
    assert_eq!(log.chunks(VIN, ODOMETER_FACT).len(), 3);
    let engines = log.chunks(VIN, ENGINE_FACT);
    assert_eq!(engines.len(), 1);
    let other = log.chunks(OTHER_VIN, ODOMETER_FACT);

    // In one batch with more readings: those before the change go with
    // the old series, the new one starts with the cluster's reading.
    let mut batch = readings(VIN, 5_000, 2);
    batch.push(component_change(
        VIN,
        "instrument_cluster",
        "IC-1",
        "IC-2",
        7,
    ));
    batch.push(reading(VIN, 9));
    let at = log.append(&batch, 50);
    assert_eq!(log.chunks(VIN, ODOMETER_FACT), [(at[2], 2)]);
    assert_eq!(log.chunks(VIN, ENGINE_FACT), engines, "engine chunks stay");
    assert_eq!(log.chunks(OTHER_VIN, ODOMETER_FACT), other);
    let facts = log
        .store()
        .vehicle_facts(&Vin::parse(VIN).unwrap())
        .unwrap();
    let km: Vec<_> = facts.odometer.iter().map(|p| p.reading.value).collect();
    assert_eq!(km, [7, 9]);
    log.verify();
}

#[test]
fn engine_numbers_are_kept_in_chunks_and_dropped_with_their_factory_record() {
    let mut log = Log::new();
    let at = log.append(&[factory(VIN, "ENG-1")], 50);
    let mut numbers = vec!["ENG-1".to_owned()];
    let mut changes = Vec::new();
    for n in 2..=40 {
        let (old, new) = (format!("ENG-{}", n - 1), format!("ENG-{n}"));
        changes.push(component_change(VIN, "engine", &old, &new, 1_000 + n));
        numbers.push(new);
    }
    let changed = log.append(&changes, 16);
    assert_eq!(
        log.chunks(VIN, ENGINE_FACT),
        [(at[0], 32), (changed[31], 8)]
    );
    let facts = log
        .store()
        .vehicle_facts(&Vin::parse(VIN).unwrap())
        .unwrap();
    let stored: Vec<_> = facts.engines.iter().map(|e| e.number.clone()).collect();
    assert_eq!(stored, numbers);
    log.verify();

    // Without its factory record the vehicle has no engine numbers: every
    // engine chunk goes; the readings stay.
    log.append(&[correction(VIN, MANUFACTURER, at[0], None)], 50);
    assert!(log.chunks(VIN, ENGINE_FACT).is_empty());
    assert_eq!(log.chunks(VIN, ODOMETER_FACT).len(), 2);
    log.verify();
}

#[test]
fn the_check_names_what_the_chunks_get_wrong() {
    let mut log = Log::new();
    let at = log.append(&readings(VIN, 1_000, 40), 50);
    log.verify();
    let vin = Vin::parse(VIN).unwrap();
    let newest = fact_chunk_key(&vin, ODOMETER_FACT, at[32]);
    let original = log.backend.get(&newest).unwrap().unwrap();
    let check = |log: &Log| match check_store(&log.store(), &log_signer().verifier_key(), |_| ())
        .unwrap_err()
    {
        CheckError::Index { what, name } => {
            assert_eq!(what, "vehicle fact");
            name
        }
        e => panic!("{e}"),
    };

    // A reading changed: named by its entry.
    let mut changed = original.clone();
    let last = changed.len() - 2;
    changed[last] ^= 1;
    log.backend
        .apply(vec![(newest.clone(), Some(changed))], None)
        .unwrap();
    assert_eq!(check(&log), format!("{VIN} entry {}", at[39]));

    // A chunk missing: its first entry.
    log.backend
        .apply(vec![(newest.clone(), None)], None)
        .unwrap();
    assert_eq!(check(&log), format!("{VIN} entry {}", at[32]));

    // Every chunk missing.
    let first = fact_chunk_key(&vin, ODOMETER_FACT, at[0]);
    let first_value = log.backend.get(&first).unwrap().unwrap();
    log.backend
        .apply(vec![(first.clone(), None)], None)
        .unwrap();
    assert_eq!(check(&log), format!("{VIN} (no chunks stored)"));

    // Chunks of a VIN without facts.
    log.backend
        .apply(
            vec![
                (first, Some(first_value)),
                (newest, Some(original)),
                (
                    fact_chunk_key(&Vin::parse(OTHER_VIN).unwrap(), ODOMETER_FACT, 3),
                    Some([3u64.to_be_bytes().as_slice(), &[0xFF]].concat()),
                ),
            ],
            None,
        )
        .unwrap();
    assert_eq!(
        check(&log),
        format!("{OTHER_VIN} (chunks that state no fact)")
    );
}
