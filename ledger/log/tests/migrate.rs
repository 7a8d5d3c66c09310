//! `vledger migrate`: a store written in format 2 (one key per entry and
//! per stored hash) or 3 (vehicle facts inside the vehicle state) becomes,
//! byte for byte, the store the writer writes in format 4, and passes the
//! full check; an interrupted migration is run again; the current format is
//! left as it is.

use ed25519_dalek::SigningKey;
use vledger_log::check::check_store;
use vledger_log::migrate::{format_2_entry_key, format_2_hash_key, migrate};
use vledger_log::store::layout::{
    BUNDLE, HASH_TILE, META_FORMAT, VEHICLE_FACT, u64_key, vehicle_key,
};
use vledger_log::store::{Backend, LogStore, MemoryBackend, StoreError};
use vledger_log::writer::LogWriter;
use vledger_records::{
    DistanceUnit, KeyEnrollment, OdometerReading, OdometerSource, Record, RecordBody, Role,
    SignedRecord, Vin,
};
use vledger_rules::codec::encode_reading;
use vledger_tlog::merkle::{MemoryHashes, NodeId};
use vledger_tlog::note::Signer;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// "Now" for the writer, after every record's date.
const NOW_MS: i64 = 1_800_000_000_000;

fn log_signer() -> Signer {
    Signer::new("migrate.example/log", key(200)).unwrap()
}

/// A log of `records` odometer readings in batches of 50, over 256 entries
/// so that it has full and partial tiles.
fn written(records: u64) -> MemoryBackend {
    let backend = MemoryBackend::new();
    let admin = key(201);
    let mut writer = LogWriter::init(
        LogStore::new(backend.clone()).unwrap(),
        log_signer(),
        admin.verifying_key(),
        NOW_MS,
    )
    .unwrap();
    let workshop = key(1);
    let enroll = Record::new(
        None,
        1_700_000_000,
        RecordBody::KeyEnrollment(KeyEnrollment {
            public_key: workshop.verifying_key(),
            role: Role::Workshop,
            name: "Workshop".into(),
        }),
    );
    writer
        .append_batch(&[SignedRecord::sign(&enroll, &admin)], NOW_MS + 1)
        .unwrap();
    let vin = Vin::parse("LGXCE4CB8S0123456").unwrap();
    let records: Vec<SignedRecord> = (0..records)
        .map(|i| {
            let r = Record::new(
                Some(vin.clone()),
                1_700_000_000,
                RecordBody::OdometerReading(OdometerReading {
                    value: 1000 + i,
                    unit: DistanceUnit::Km,
                    source: OdometerSource::Service,
                }),
            );
            SignedRecord::sign(&r, &workshop)
        })
        .collect();
    for (n, batch) in records.chunks(50).enumerate() {
        let before = writer.tree_size();
        writer.append_batch(batch, NOW_MS + 2 + n as i64).unwrap();
        assert_eq!(
            writer.tree_size(),
            before + batch.len() as u64 + 1,
            "every record logged"
        );
    }
    backend
}

/// Every key and value, with a partial bundle's or tile's pieces joined
/// under its own key: where a batch's pieces begin depends on how the
/// records were batched, what they hold does not.
fn all(backend: &MemoryBackend) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for (k, v) in backend.scan(&[0], &[0xff], usize::MAX).unwrap() {
        let item = match k.first() {
            Some(&BUNDLE) => k.len().min(9),
            Some(&HASH_TILE) => k.len().min(10),
            _ => k.len(),
        };
        match out.last_mut() {
            Some((last, joined)) if item < k.len() && last[..] == k[..item] => {
                joined.extend_from_slice(&v);
            }
            _ => out.push((k[..item].to_vec(), v)),
        }
    }
    out
}

/// Rewrites a format-3 store the way format 2 kept it: every entry and
/// every stored hash under its own key.
fn to_format_2(backend: &MemoryBackend) {
    let store = LogStore::new(backend.clone()).unwrap();
    let size = store.tree_size().unwrap();
    let entries = store.entries(0, size).unwrap();
    assert_eq!(entries.len() as u64, size);
    let tree = MemoryHashes::from_leaf_hashes(entries.iter().map(|e| vledger_tlog::leaf_hash(e)));
    let mut writes = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        writes.push((format_2_entry_key(i as u64), Some(e.clone())));
    }
    for level in 0..64u8 {
        for index in 0.. {
            let id = NodeId { level, index };
            let Some(h) = tree.get(id) else { break };
            writes.push((format_2_hash_key(id), Some(h.0.to_vec())));
        }
    }
    for (k, _) in backend.scan(&[BUNDLE], &[BUNDLE + 1], usize::MAX).unwrap() {
        writes.push((k, None));
    }
    for (k, _) in backend
        .scan(&[HASH_TILE], &[HASH_TILE + 1], usize::MAX)
        .unwrap()
    {
        writes.push((k, None));
    }
    writes.push((META_FORMAT.to_vec(), Some(2u32.to_be_bytes().to_vec())));
    backend.apply(writes, None).unwrap();
}

#[test]
fn a_format_2_store_becomes_the_store_the_writer_writes() {
    let original = written(700);
    let native = all(&original);
    to_format_2(&original);
    // Refused at open, naming the command.
    let err = LogStore::new(original.clone()).unwrap_err();
    assert!(matches!(err, StoreError::Format { found: 2 }));
    assert!(err.to_string().contains("vledger migrate"), "{err}");

    assert!(
        LogStore::new(written(700)).unwrap().tree_size().unwrap() > 512,
        "full and partial tiles"
    );
    let mut calls = Vec::new();
    let report = migrate(&original, |done, total| calls.push((done, total))).unwrap();
    assert_eq!(report.from, 2);
    assert_eq!(report.entries, calls.last().unwrap().1);
    assert!(
        report.deleted > report.entries,
        "entries and hashes deleted"
    );
    assert_eq!(calls.last().unwrap().0, calls.last().unwrap().1);
    assert_eq!(all(&original), native, "byte for byte the native store");
    let store = LogStore::new(original).unwrap();
    check_store(&store, &log_signer().verifier_key(), |_| ()).unwrap();
}

#[test]
fn an_interrupted_migration_runs_again_and_the_current_format_stays() {
    let original = written(300);
    let native = all(&original);
    to_format_2(&original);
    // Interrupted after writing some bundles but before the switch: the
    // store is still format 2 with some new keys; the next run redoes it.
    let partial = LogStore::new(written(300)).unwrap();
    let bundle0 = partial.bundle(0).unwrap().unwrap();
    original
        .apply(vec![(u64_key(BUNDLE, 0), Some(bundle0))], None)
        .unwrap();
    migrate(&original, |_, _| ()).unwrap();
    assert_eq!(all(&original), native);
    // Interrupted after the switch, before the old keys went: a second run
    // deletes them.
    original
        .apply(vec![(format_2_entry_key(5), Some(b"stale".to_vec()))], None)
        .unwrap();
    let again = migrate(&original, |_, _| ()).unwrap();
    assert_eq!((again.from, again.entries, again.deleted), (4, 0, 1));
    assert_eq!(all(&original), native);
}

/// Turns the writer's store back into format 3: the VIN's vehicle state
/// (no factory record, so no engines) carries its odometer readings inline
/// (state version 1) and there are no fact keys.
fn to_format_3(backend: &MemoryBackend) -> usize {
    let store = LogStore::new(backend.clone()).unwrap();
    let vin = Vin::parse("LGXCE4CB8S0123456").unwrap();
    let facts = store.vehicle_facts(&vin).unwrap();
    let state = backend.get(&vehicle_key(&vin)).unwrap().unwrap();
    // Version 2: 2 ‖ no factory ‖ no engine ‖ top (1 ‖ index ‖ reading) ‖ tail.
    assert_eq!(state[..3], [2, 0, 0]);
    let tail = &state[3 + 18..];
    let mut v1 = vec![1, 0, 0, 0];
    v1.extend_from_slice(&u32::try_from(facts.odometer.len()).unwrap().to_be_bytes());
    for p in &facts.odometer {
        v1.extend_from_slice(&p.index.to_be_bytes());
        v1.extend_from_slice(&encode_reading(p.reading));
    }
    v1.extend_from_slice(tail);
    let mut writes: Vec<_> = backend
        .scan(&[VEHICLE_FACT], &[VEHICLE_FACT + 1], usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(k, _)| (k, None))
        .collect();
    writes.push((vehicle_key(&vin), Some(v1)));
    writes.push((META_FORMAT.to_vec(), Some(3u32.to_be_bytes().to_vec())));
    backend.apply(writes, None).unwrap();
    facts.odometer.len()
}

#[test]
fn a_format_3_store_gets_its_vehicle_facts_split_out() {
    let original = written(300);
    let native = all(&original);
    assert_eq!(to_format_3(&original), 300);
    assert!(matches!(
        LogStore::new(original.clone()).unwrap_err(),
        StoreError::Format { found: 3 }
    ));
    let report = migrate(&original, |_, _| ()).unwrap();
    assert_eq!((report.from, report.entries, report.vehicles), (3, 0, 1));
    assert_eq!(all(&original), native, "byte for byte the native store");
    let store = LogStore::new(original).unwrap();
    check_store(&store, &log_signer().verifier_key(), |_| ()).unwrap();
}
