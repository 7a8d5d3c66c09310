//! The writer's pipeline: batches sequenced before the ones ahead of them
//! are committed log exactly what the same batches appended one at a time
//! log (the same entries, checkpoints and outcomes), on the memory store
//! and on sled; receipts from memory are the store's proofs; and a failed
//! commit lets no later batch through.
//!
//! The batches lean on each other: a key enrolled in one signs the next;
//! a record is sent again while its first copy is not committed yet; a
//! correction and an instrument-cluster change read the facts of a batch
//! whose commit has returned but that the writer still holds; a key
//! revoked in one batch is refused in the next.

use ed25519_dalek::SigningKey;
use serde_json::{Value, json};
use vledger_log::check::check_store;
use vledger_log::store::{Backend, FaultyBackend, LogStore, MemoryBackend, SledBackend};
use vledger_log::writer::{BatchResult, LogWriter, Submission, WriterError};
use vledger_records::{KeyEnrollment, KeyRevocation, Record, RecordBody, Role, SignedRecord};
use vledger_tlog::hash::leaf_hash;
use vledger_tlog::merkle::{LeafIndex, TreeSize, inclusion_proof, verify_inclusion};
use vledger_tlog::note::{Signer, open_checkpoint};

const NOW_MS: i64 = 1_800_000_000_000;
const VIN: &str = "LGXCE4CB8S0123456";
const OTHER_VIN: &str = "1M8GDM9AXKP042788";
const ADMIN: u8 = 201;
const WORKSHOP: u8 = 1;
const MANUFACTURER: u8 = 2;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn log_signer() -> Signer {
    Signer::new("pipeline.example/log", key(200)).unwrap()
}

fn new_log<B: Backend>(backend: B) -> LogWriter<B> {
    LogWriter::init(
        LogStore::new(backend).unwrap(),
        log_signer(),
        key(ADMIN).verifying_key(),
        NOW_MS,
    )
    .unwrap()
}

fn sign(json: Value, seed: u8) -> SignedRecord {
    let record = Record::from_json_value(json).unwrap();
    SignedRecord::from_proto(
        SignedRecord::sign_for("pipeline.example/log", &record, &key(seed))
            .unwrap()
            .to_proto(),
    )
    .unwrap()
}

fn by_admin(body: RecordBody) -> SignedRecord {
    SignedRecord::sign_for(
        "pipeline.example/log",
        &Record::new(None, 1_700_000_000, body),
        &key(ADMIN),
    )
    .unwrap()
}

fn enroll(seed: u8, role: Role) -> SignedRecord {
    by_admin(RecordBody::KeyEnrollment(KeyEnrollment {
        public_key: key(seed).verifying_key(),
        role,
        name: format!("key {seed}"),
    }))
}

fn reading(vin: &str, km: u64) -> SignedRecord {
    sign(
        json!({"vin": vin, "event_time": "2026-03-01",
               "odometer_reading": {"value": km, "unit": "km", "source": "service"}}),
        WORKSHOP,
    )
}

/// The batches: each depends on the ones before it.
fn batches() -> Vec<Vec<SignedRecord>> {
    let factory = sign(
        json!({"vin": VIN, "event_time": "2026-01-01", "factory": {
            "make": "Example Auto", "model": "E7", "model_year": 2025,
            "manufacture_date": "2025-03-01", "engine_number": "E-1",
            "powertrain": "petrol", "emission_standard": "China 6b",
            "coc_sha256": "ab".repeat(32)}}),
        MANUFACTURER,
    );
    // Leaves: 0 genesis, 1 index, then batch 1 at 2..=3 (+ index at 4),
    // batch 2 from 5: the factory record at 5, readings at 6, 7, 8.
    let correction = sign(
        json!({"vin": VIN, "event_time": "2026-04-01", "correction": {
            "target_index": 7, "reason": "typo",
            "replacement": {"vin": VIN, "event_time": "2026-03-01",
                "odometer_reading": {"value": 1_250, "unit": "km", "source": "service"}}}}),
        WORKSHOP,
    );
    let cluster = sign(
        json!({"vin": VIN, "event_time": "2026-03-02", "component_change": {
            "component": "instrument_cluster", "old_number": "C-1", "new_number": "C-2",
            "odometer": {"value": 10, "unit": "km"}}}),
        WORKSHOP,
    );
    vec![
        vec![
            enroll(WORKSHOP, Role::Workshop),
            enroll(MANUFACTURER, Role::Manufacturer),
        ],
        vec![
            factory,
            reading(VIN, 1_000),
            reading(VIN, 1_200),
            reading(OTHER_VIN, 500),
        ],
        vec![
            // The same record again, while its first copy is pending.
            reading(VIN, 1_200),
            correction,
            // A lower reading: flagged against the pending batches' state.
            reading(VIN, 900),
        ],
        vec![
            cluster,
            reading(VIN, 40),
            by_admin(RecordBody::KeyRevocation(KeyRevocation {
                public_key: key(MANUFACTURER).verifying_key(),
                reason: "lost".into(),
            })),
        ],
        vec![
            // Signed by the key revoked in the batch before.
            sign(
                json!({"vin": OTHER_VIN, "event_time": "2026-05-01", "factory": {
                    "make": "Example Auto", "model": "E7", "model_year": 2019,
                    "manufacture_date": "2019-03-01", "engine_number": "E-2",
                    "powertrain": "petrol", "emission_standard": "China 6b",
                    "coc_sha256": "cd".repeat(32)}}),
                MANUFACTURER,
            ),
            reading(OTHER_VIN, 700),
        ],
    ]
}

/// What a batch result says, comparable across runs.
fn outcomes(r: &BatchResult) -> String {
    format!("{:?} {} {}", r.outcomes, r.tree_size, r.checkpoint)
}

/// Every entry and checkpoint of a store.
fn contents<B: Backend>(store: &LogStore<B>) -> (Vec<Vec<u8>>, Vec<Option<String>>) {
    let size = store.tree_size().unwrap();
    let checkpoints = (1..=size).map(|s| store.checkpoint(s).unwrap()).collect();
    (store.entries(0, size).unwrap(), checkpoints)
}

/// Each receipt from memory verifies against its batch's checkpoint and is
/// the proof the store gives.
fn check_receipts<B: Backend>(r: &BatchResult, store: &LogStore<B>) {
    let checkpoint = open_checkpoint(&r.checkpoint, &log_signer().verifier_key()).unwrap();
    let size = TreeSize(r.tree_size);
    let logged: Vec<u64> = r
        .outcomes
        .iter()
        .filter_map(|o| o.as_ref().ok())
        .filter(|a| !a.duplicate)
        .map(|a| a.index)
        .collect();
    assert!(!logged.is_empty());
    for index in logged.iter().copied().chain([r.tree_size - 1]) {
        let (entry, proof) = r.receipts.receipt(index).expect("in the batch");
        verify_inclusion(
            &leaf_hash(entry),
            LeafIndex(index),
            size,
            &proof,
            checkpoint.root(),
        )
        .unwrap();
        assert_eq!(
            proof,
            inclusion_proof(LeafIndex(index), size, store).unwrap()
        );
        assert_eq!(Some(entry.to_vec()), store.entry(index).unwrap());
    }
    // Entries of earlier batches are not the batch's to prove.
    assert!(r.receipts.receipt(logged[0] - 1).is_none() || logged[0] == 2);
    assert!(r.receipts.receipt(r.tree_size).is_none());
}

fn submissions(records: &[SignedRecord]) -> Vec<Submission> {
    records.iter().cloned().map(Submission::new).collect()
}

fn pipelined_equals_serial<B: Backend + Clone>(serial: B, pipelined: B) {
    let batches = batches();
    let mut one_by_one = new_log(serial);
    let expected: Vec<String> = batches
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let r = one_by_one.append_batch(b, NOW_MS + i as i64).unwrap();
            outcomes(&r)
        })
        .collect();

    let mut log = new_log(pipelined);
    let store = log.store().clone();
    let mut staged = Vec::new();
    for (i, b) in batches.iter().enumerate().take(3) {
        staged.push(log.sequence(submissions(b), NOW_MS + i as i64).unwrap());
    }
    // The first two commits return, but the writer is not told yet: the
    // third batch's facts must not count them twice.
    let mut results = Vec::new();
    for s in staged.drain(..2) {
        results.push(s.commit(&store).unwrap());
    }
    staged.push(log.sequence(submissions(&batches[3]), NOW_MS + 3).unwrap());
    log.committed(results[1].tree_size);
    staged.push(log.sequence(submissions(&batches[4]), NOW_MS + 4).unwrap());
    for s in staged {
        let size = s.tree_size();
        results.push(s.commit(&store).unwrap());
        log.committed(size);
    }
    let got: Vec<String> = results.iter().map(outcomes).collect();
    assert_eq!(got, expected);
    assert_eq!(contents(&store), contents(one_by_one.store()));
    // The batches did what they were written to do.
    assert!(results[2].outcomes[0].as_ref().unwrap().duplicate);
    assert!(!results[2].outcomes[2].as_ref().unwrap().flags.is_empty());
    assert!(results[4].outcomes[0].is_err());
    for r in &results {
        check_receipts(r, &store);
    }
    check_store(&store, &log_signer().verifier_key(), |_| ()).unwrap();
}

#[test]
fn pipelined_batches_log_what_serial_ones_do_in_memory() {
    pipelined_equals_serial(MemoryBackend::new(), MemoryBackend::new());
}

#[test]
fn pipelined_batches_log_what_serial_ones_do_on_sled() {
    let dir = tempfile::tempdir().unwrap();
    pipelined_equals_serial(
        SledBackend::open(&dir.path().join("serial")).unwrap(),
        SledBackend::open(&dir.path().join("pipelined")).unwrap(),
    );
}

#[test]
fn after_a_failed_commit_no_later_batch_is_committed() {
    let backend = FaultyBackend::new(MemoryBackend::new(), u64::MAX);
    let mut log = new_log(backend.clone());
    let store = log.store().clone();
    let batches = batches();
    let first = log.sequence(submissions(&batches[0]), NOW_MS).unwrap();
    let second = log.sequence(submissions(&batches[1]), NOW_MS).unwrap();
    let before = contents(&store);
    backend.set_applies_left(0);
    assert!(matches!(log.commit(first), Err(WriterError::Store(_))));
    backend.set_applies_left(u64::MAX);
    // The batch sequenced after it is not written, though the store
    // would take it now, and no new batch is sequenced.
    assert!(matches!(log.commit(second), Err(WriterError::Poisoned)));
    assert!(matches!(
        log.sequence(submissions(&batches[2]), NOW_MS),
        Err(WriterError::Poisoned)
    ));
    assert_eq!(contents(&store), before);
}
