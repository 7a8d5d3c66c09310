//! Full tiles and bundles kept in a [`TileDirectory`] beside the key-value
//! store: written once, read back, and never the reason an acknowledged
//! batch is lost.

use std::sync::Arc;

use ed25519_dalek::SigningKey;
use vledger_log::check::check_store;
use vledger_log::store::layout::{BUNDLE, HASH_TILE};
use vledger_log::store::{Backend, FaultyBackend, LogStore, MemoryBackend, TileDirectory};
use vledger_log::writer::LogWriter;
use vledger_records::{
    DistanceUnit, KeyEnrollment, OdometerReading, OdometerSource, Record, RecordBody, Role,
    SignedRecord, Vin,
};
use vledger_tlog::merkle::{LeafIndex, TreeSize, inclusion_proof, verify_inclusion};
use vledger_tlog::note::{Signer, open_checkpoint};
use vledger_tlog::tile::{TILE_WIDTH, TileId, decode_bundle};

const T: i64 = 1_770_000_000_000;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn log_signer() -> Signer {
    Signer::new("archive.example/log", key(200)).unwrap()
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

fn odometers(ws: &SigningKey, from: u64, n: u64) -> Vec<SignedRecord> {
    (from..from + n)
        .map(|i| {
            let body = RecordBody::OdometerReading(OdometerReading {
                value: 1000 + i,
                unit: DistanceUnit::Km,
                source: OdometerSource::Service,
            });
            SignedRecord::sign_for(
                "archive.example/log",
                &record(Some("LVSHFFAL5DF123456"), body, i),
                ws,
            )
            .unwrap()
        })
        .collect()
}

fn tile_key(level: u8, index: u64) -> Vec<u8> {
    vledger_log::store::layout::hash_tile_key(TileId { level, index })
}

fn store<B: Backend>(backend: B, dir: &std::path::Path) -> LogStore<B> {
    LogStore::new(backend)
        .unwrap()
        .with_archive(Arc::new(TileDirectory::new(dir)))
}

/// A new log on `store` with a workshop key enrolled, and that key.
fn enrolled_log<B: Backend>(store: LogStore<B>) -> (LogWriter<B>, SigningKey) {
    let mut log = LogWriter::init(store, log_signer(), key(201).verifying_key(), T).unwrap();
    let ws = key(1);
    let body = RecordBody::KeyEnrollment(KeyEnrollment {
        public_key: ws.verifying_key(),
        role: Role::Workshop,
        name: "Workshop".into(),
    });
    let enrollment =
        SignedRecord::sign_for("archive.example/log", &record(None, body, 0), &key(201)).unwrap();
    log.append_batch(&[enrollment], T).unwrap();
    (log, ws)
}

/// A log of a little over three bundles, appended in batches of 100.
fn grown_log<B: Backend>(backend: B, dir: &std::path::Path) -> (LogWriter<B>, SigningKey) {
    let (mut log, ws) = enrolled_log(store(backend, dir));
    for b in 0..8 {
        log.append_batch(&odometers(&ws, b * 100, 100), T).unwrap();
    }
    (log, ws)
}

#[test]
fn full_tiles_and_bundles_leave_the_key_value_store() {
    let dir = tempfile::tempdir().unwrap();
    let backend = MemoryBackend::new();
    let (log, _) = grown_log(backend.clone(), dir.path());
    let size = log.tree_size();
    assert!(size > 3 * TILE_WIDTH && size < 4 * TILE_WIDTH, "{size}");

    // Only the partial bundle and the partial tiles of levels 0 and 1 stay
    // in the key-value store; the full ones are files on their C2SP paths.
    // (A partial one is stored as pieces, one per batch that extended it.)
    let bundles = backend.scan(&[BUNDLE], &[BUNDLE + 1], 100).unwrap();
    assert!(!bundles.is_empty());
    assert!(bundles.iter().all(|(k, _)| k[1..9] == 3u64.to_be_bytes()));
    let mut tiles: Vec<_> = backend
        .scan(&[HASH_TILE], &[HASH_TILE + 1], 100)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k[..10].to_vec())
        .collect();
    tiles.dedup();
    assert_eq!(tiles, [tile_key(0, 3), tile_key(1, 0)]);
    for n in ["000", "001", "002"] {
        let bundle = std::fs::read(dir.path().join("tile/entries").join(n)).unwrap();
        assert_eq!(decode_bundle(&bundle).unwrap().len(), 256);
        let tile = std::fs::read(dir.path().join("tile/0").join(n)).unwrap();
        assert_eq!(tile.len(), 256 * 32);
    }
    assert!(!dir.path().join("tile/entries/003").exists());

    // Everything reads through: entries, proofs, the whole-store check.
    let cp = open_checkpoint(&log.checkpoint(), &log_signer().verifier_key()).unwrap();
    for i in [0, 255, 256, 700, size - 1] {
        let entry = log.store().entry(i).unwrap().unwrap();
        let leaf = vledger_tlog::hash::leaf_hash(&entry);
        let proof = inclusion_proof(LeafIndex(i), TreeSize(size), log.store()).unwrap();
        verify_inclusion(&leaf, LeafIndex(i), TreeSize(size), &proof, cp.root()).unwrap();
    }
    let store = log.into_store();
    check_store(&store, &log_signer().verifier_key(), |_| ()).unwrap();

    // Without its archive the store is missing what the tree size says
    // it holds, and the check says so.
    let bare = LogStore::new(backend).unwrap();
    assert!(bare.entry(0).unwrap().is_none());
    assert!(bare.tile(TileId { level: 0, index: 0 }).unwrap().is_none());
    let err = check_store(&bare, &log_signer().verifier_key(), |_| ()).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn a_batch_lost_after_its_tiles_were_archived_is_sequenced_again() {
    let dir = tempfile::tempdir().unwrap();
    let backend = MemoryBackend::new();
    let faulty = FaultyBackend::new(backend.clone(), u64::MAX);
    let (mut log, ws) = grown_log(faulty.clone(), dir.path());
    let acknowledged = log.tree_size();
    let acknowledged_cp = log.checkpoint();

    // The next batch completes bundle 3: its file is written, then the
    // key-value batch fails, as in a crash between the two.
    faulty.set_applies_left(0);
    log.append_batch(&odometers(&ws, 10_000, 250), T)
        .unwrap_err();
    let orphan = std::fs::read(dir.path().join("tile/entries/003")).unwrap();

    // A restarted writer is at the acknowledged batch, logs other records
    // in those places, and the archive ends up holding those.
    let mut log = LogWriter::open(store(backend.clone(), dir.path()), log_signer()).unwrap();
    assert_eq!(log.tree_size(), acknowledged);
    assert_eq!(log.checkpoint(), acknowledged_cp);
    log.append_batch(&odometers(&ws, 20_000, 250), T).unwrap();
    let bundle = std::fs::read(dir.path().join("tile/entries/003")).unwrap();
    assert_ne!(bundle, orphan);
    assert_eq!(
        log.store().bundle(3).unwrap().unwrap(),
        bundle,
        "the archived bundle is the one the log now holds"
    );
    check_store(log.store(), &log_signer().verifier_key(), |_| ()).unwrap();
}

/// The whole keys (no pieces) of the bundles the backend holds.
fn whole_bundles<B: Backend>(backend: &B) -> Vec<u64> {
    backend
        .scan(&[BUNDLE], &[BUNDLE + 1], 10_000)
        .unwrap()
        .into_iter()
        .filter(|(k, _)| k.len() == 9)
        .map(|(k, _)| u64::from_be_bytes(k[1..9].try_into().unwrap()))
        .collect()
}

#[test]
fn deferred_archiving_moves_full_items_after_their_batch() {
    let dir = tempfile::tempdir().unwrap();
    let backend = MemoryBackend::new();
    let deferred = |b: MemoryBackend| store(b, dir.path()).defer_archiving();
    let (mut log, ws) = enrolled_log(deferred(backend.clone()));
    for b in 0..8 {
        log.append_batch(&odometers(&ws, b * 100, 100), T).unwrap();
    }
    let size = log.tree_size();
    assert!(size > 3 * TILE_WIDTH && size < 4 * TILE_WIDTH, "{size}");

    // The batches wrote the full bundles and tiles whole, durably with
    // them; nothing is in the archive yet, and everything reads.
    assert!(log.store().archive_waiting());
    assert_eq!(whole_bundles(&backend), [0, 1, 2]);
    assert!(!dir.path().join("tile/entries/000").exists());
    let before: Vec<_> = (0..size)
        .map(|i| log.store().entry(i).unwrap().unwrap())
        .collect();
    check_store(log.store(), &log_signer().verifier_key(), |_| ()).unwrap();

    // Archived: three bundles and three level-0 tiles, on their paths,
    // still in the key-value store until the next batch removes them.
    assert_eq!(log.store().archive_committed().unwrap(), 6);
    assert!(!log.store().archive_waiting());
    assert_eq!(log.store().archive_committed().unwrap(), 0);
    for n in ["000", "001", "002"] {
        let bundle = std::fs::read(dir.path().join("tile/entries").join(n)).unwrap();
        assert_eq!(decode_bundle(&bundle).unwrap().len(), 256);
        assert!(dir.path().join("tile/0").join(n).is_file());
    }
    assert_eq!(whole_bundles(&backend), [0, 1, 2]);
    log.append_batch(&odometers(&ws, 1_000, 10), T).unwrap();
    assert_eq!(whole_bundles(&backend), Vec::<u64>::new());
    let tiles: Vec<_> = backend
        .scan(&[HASH_TILE], &[HASH_TILE + 1], 10_000)
        .unwrap()
        .into_iter()
        .filter(|(k, _)| k.len() == 10)
        .map(|(k, _)| k)
        .collect();
    assert!(
        !tiles.contains(&tile_key(0, 0)),
        "archived tiles leave the key-value store"
    );
    for (i, entry) in before.iter().enumerate() {
        assert_eq!(&log.store().entry(i as u64).unwrap().unwrap(), entry);
    }
    check_store(log.store(), &log_signer().verifier_key(), |_| ()).unwrap();

    // A batch completes bundle 3, and the writer goes away before it is
    // archived, as in a crash: the bundle stays whole in the key-value
    // store, where a restarted writer reads it.
    log.append_batch(&odometers(&ws, 2_000, 250), T).unwrap();
    assert_eq!(whole_bundles(&backend), [3]);
    drop(log);
    let log = LogWriter::open(deferred(backend.clone()), log_signer()).unwrap();
    assert!(!dir.path().join("tile/entries/003").exists());
    assert_eq!(
        decode_bundle(&log.store().bundle(3).unwrap().unwrap())
            .unwrap()
            .len(),
        256
    );
    check_store(log.store(), &log_signer().verifier_key(), |_| ()).unwrap();

    // With no batch to follow (a node stopping), the archived items are
    // removed by themselves.
    let store = log.into_store();
    let mut log = LogWriter::open(store.clone(), log_signer()).unwrap();
    log.append_batch(&odometers(&ws, 3_000, 256), T).unwrap();
    assert_eq!(whole_bundles(&backend), [3, 4]);
    assert_eq!(store.archive_committed().unwrap(), 2);
    store.remove_archived().unwrap();
    assert_eq!(whole_bundles(&backend), [3]);
    assert!(dir.path().join("tile/entries/004").is_file());
    check_store(&store, &log_signer().verifier_key(), |_| ()).unwrap();
}
