//! The deduplication index in run files beside a tile archive: a record
//! submitted again is answered with its first entry whether that entry's
//! key is in a run or still in memory, before and after a reopen, and a
//! store that kept its keys in the backend moves them into runs.

use std::path::Path;
use std::sync::Arc;

use ed25519_dalek::SigningKey;
use vledger_log::check::check_store;
use vledger_log::store::layout::DEDUP;
use vledger_log::store::{
    Backend, LogStore, MemoryBackend, StoreError, TileDirectory, move_dedup_keys,
};
use vledger_log::writer::LogWriter;
use vledger_records::{
    DistanceUnit, KeyEnrollment, OdometerReading, OdometerSource, Record, RecordBody, Role,
    SignedRecord, Vin,
};
use vledger_tlog::note::Signer;

const T: i64 = 1_770_000_000_000;
/// A run every 64 entries: many runs, and merges, in a small log.
const RUN: u64 = 64;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn log_signer() -> Signer {
    Signer::new("dedup.example/log", key(200)).unwrap()
}

fn record(vin: Option<&str>, body: RecordBody, n: u64) -> Record {
    Record {
        vin: vin.map(|v| Vin::parse(v).unwrap()),
        event_time: 1_760_000_000,
        nonce: n.to_be_bytes().to_vec(),
        attachments: Vec::new(),
        body,
    }
}

/// Readings `from..from + n`, over three VINs.
fn readings(ws: &SigningKey, from: u64, n: u64) -> Vec<SignedRecord> {
    let vins = [
        "LVSHFFAL5DF123456",
        "LGXCE4CB8S0123456",
        "WVWZZZ1JZXW000001",
    ];
    (from..from + n)
        .map(|i| {
            let body = RecordBody::OdometerReading(OdometerReading {
                value: 1000 + i,
                unit: DistanceUnit::Km,
                source: OdometerSource::Service,
            });
            SignedRecord::sign_for(
                "dedup.example/log",
                &record(Some(vins[(i % 3) as usize]), body, i),
                ws,
            )
            .unwrap()
        })
        .collect()
}

fn open(backend: &MemoryBackend, dir: &Path) -> Result<LogStore<MemoryBackend>, StoreError> {
    LogStore::new(backend.clone())?
        .with_archive(Arc::new(TileDirectory::new(dir.join("tiles"))))
        .with_dedup_runs_every(&dir.join("dedup"), RUN)
}

fn runs_in(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("dedup"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// A log of `batches` batches of 50 readings after a key enrollment;
/// returns the writer and every reading with the index it was logged at.
fn grown(
    store: LogStore<MemoryBackend>,
    batches: u64,
) -> (LogWriter<MemoryBackend>, Vec<(SignedRecord, u64)>) {
    let mut log = LogWriter::init(store, log_signer(), key(201).verifying_key(), T).unwrap();
    let ws = key(1);
    let body = RecordBody::KeyEnrollment(KeyEnrollment {
        public_key: ws.verifying_key(),
        role: Role::Workshop,
        name: "Workshop".into(),
    });
    log.append_batch(
        &[SignedRecord::sign_for("dedup.example/log", &record(None, body, 0), &key(201)).unwrap()],
        T,
    )
    .unwrap();
    let mut logged = Vec::new();
    for b in 0..batches {
        let batch = readings(&ws, b * 50, 50);
        let result = log.append_batch(&batch, T).unwrap();
        for (signed, outcome) in batch.into_iter().zip(result.outcomes) {
            let appended = outcome.unwrap();
            assert!(!appended.duplicate);
            logged.push((signed, appended.index));
        }
    }
    (log, logged)
}

/// Submits every `step`-th logged record again, in one batch: each must
/// come back as a duplicate of its first entry, and nothing is appended.
fn assert_duplicates(
    log: &mut LogWriter<MemoryBackend>,
    logged: &[(SignedRecord, u64)],
    step: usize,
) {
    let size = log.tree_size();
    let again: Vec<_> = logged.iter().step_by(step).collect();
    let records: Vec<_> = again.iter().map(|(s, _)| s.clone()).collect();
    let result = log.append_batch(&records, T).unwrap();
    for ((_, first), outcome) in again.iter().zip(result.outcomes) {
        let appended = outcome.unwrap();
        assert!(appended.duplicate, "entry {first}");
        assert_eq!(appended.index, *first);
    }
    assert_eq!(log.tree_size(), size, "a duplicate appends nothing");
}

#[test]
fn duplicates_are_found_in_runs_and_in_memory_across_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let backend = MemoryBackend::new();
    let (mut log, logged) = grown(open(&backend, dir.path()).unwrap(), 12);
    let size = log.tree_size();
    assert!(size > 600 && size % RUN != 0, "{size}");
    // The backend holds no deduplication key; run files do.
    assert!(backend.scan(&[DEDUP], &[DEDUP + 1], 1).unwrap().is_empty());
    assert!(runs_in(dir.path()) >= 1);
    // Old records (in runs) and the latest (in memory).
    assert_duplicates(&mut log, &logged, 7);
    assert_duplicates(&mut log, &logged[logged.len() - 20..], 1);
    // A new record is not mistaken for one of them.
    let fresh = readings(&key(1), 10_000, 1);
    let result = log.append_batch(&fresh, T).unwrap();
    assert!(!result.outcomes[0].as_ref().unwrap().duplicate);
    drop(log);

    // Reopened: the keys after the last run are read again from entries.
    let store = open(&backend, dir.path()).unwrap();
    // The readings, the enrollment and the fresh reading.
    assert_eq!(store.dedup_count().unwrap(), logged.len() as u64 + 2);
    check_store(&store, &log_signer().verifier_key(), |_| ()).unwrap();
    let mut log = LogWriter::open(store, log_signer()).unwrap();
    assert_duplicates(&mut log, &logged, 5);
    assert_duplicates(&mut log, &logged[logged.len() - 30..], 1);
}

#[test]
fn a_lost_run_is_written_again_from_the_entries() {
    let dir = tempfile::tempdir().unwrap();
    let backend = MemoryBackend::new();
    let (log, logged) = grown(open(&backend, dir.path()).unwrap(), 6);
    drop(log);
    // Every run gone (a directory lost, or never written before a crash):
    // the open indexes the whole log again, in memory, and the next
    // batches write runs.
    std::fs::remove_dir_all(dir.path().join("dedup")).unwrap();
    let store = open(&backend, dir.path()).unwrap();
    assert_eq!(store.dedup_count().unwrap(), logged.len() as u64 + 1);
    let mut log = LogWriter::open(store, log_signer()).unwrap();
    assert_duplicates(&mut log, &logged, 3);
    log.append_batch(&readings(&key(1), 20_000, 10), T).unwrap();
    assert!(runs_in(dir.path()) >= 1);
    assert_duplicates(&mut log, &logged, 4);
}

#[test]
fn a_store_with_keys_in_the_backend_moves_them_into_runs() {
    let dir = tempfile::tempdir().unwrap();
    let backend = MemoryBackend::new();
    // Written with the keys in the backend, as PostgreSQL keeps them and
    // format 4 on sled kept them.
    let plain = LogStore::new(backend.clone())
        .unwrap()
        .with_archive(Arc::new(TileDirectory::new(dir.path().join("tiles"))));
    let (log, logged) = grown(plain, 5);
    drop(log);
    let keys = backend
        .scan(&[DEDUP], &[DEDUP + 1], usize::MAX)
        .unwrap()
        .len();
    assert_eq!(keys, logged.len() + 1);
    // Refused beside runs until they are moved.
    let e = open(&backend, dir.path()).unwrap_err();
    assert!(e.to_string().contains("vledger migrate"), "{e}");

    assert_eq!(
        move_dedup_keys(&backend, &dir.path().join("dedup")).unwrap(),
        keys as u64
    );
    assert!(backend.scan(&[DEDUP], &[DEDUP + 1], 1).unwrap().is_empty());
    // Again: nothing left to move.
    assert_eq!(
        move_dedup_keys(&backend, &dir.path().join("dedup")).unwrap(),
        0
    );
    let store = open(&backend, dir.path()).unwrap();
    check_store(&store, &log_signer().verifier_key(), |_| ()).unwrap();
    let mut log = LogWriter::open(store, log_signer()).unwrap();
    assert_duplicates(&mut log, &logged, 3);
}
