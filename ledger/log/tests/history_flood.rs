//! History bundles built while the log grows: every one is of one tree
//! size, complete at that size, and verifies — none fails because a batch
//! landed while it was being built.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ed25519_dalek::SigningKey;
use vledger_log::bundle::build_history;
use vledger_log::store::{Backend, LogStore, MemoryBackend, SledBackend};
use vledger_log::writer::LogWriter;
use vledger_records::{
    DistanceUnit, KeyEnrollment, OdometerReading, OdometerSource, Record, RecordBody, Role,
    SignedRecord, Vin,
};
use vledger_tlog::note::Signer;
use vledger_verification::history::verify_history;

const T: i64 = 1_770_000_000_000;
const VINS: [&str; 3] = [
    "1M8GDM9AXKP042788",
    "LVSHFFAL5DF123456",
    "WVWZZZ1JZXW000001",
];
/// Batches the writer appends while the readers build histories.
const BATCHES: u64 = 60;
/// Threads building histories meanwhile.
const READERS: usize = 3;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn log_signer() -> Signer {
    Signer::new("flood.example/log", key(200)).unwrap()
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

fn reading(vin: &str, value: u64, signer: &SigningKey) -> SignedRecord {
    let body = RecordBody::OdometerReading(OdometerReading {
        value,
        unit: DistanceUnit::Km,
        source: OdometerSource::Service,
    });
    SignedRecord::sign_for("flood.example/log", &record(Some(vin), body, value), signer).unwrap()
}

fn flood<B: Backend + Clone + 'static>(backend: B) {
    let store = LogStore::new(backend).unwrap();
    let mut log =
        LogWriter::init(store.clone(), log_signer(), key(201).verifying_key(), T).unwrap();
    let ws = key(1);
    let body = RecordBody::KeyEnrollment(KeyEnrollment {
        public_key: ws.verifying_key(),
        role: Role::Workshop,
        name: "Workshop".into(),
    });
    log.append_batch(
        &[SignedRecord::sign_for("flood.example/log", &record(None, body, 0), &key(201)).unwrap()],
        T,
    )
    .unwrap();
    // Signed before the race, so that the writer commits as fast as it can.
    let batches: Vec<Vec<SignedRecord>> = (0..BATCHES)
        .map(|b| {
            (0..3)
                .map(|i| reading(VINS[usize::try_from((b + i) % 3).unwrap()], b * 3 + i, &ws))
                .collect()
        })
        .collect();
    let log_key = log_signer().verifier_key();
    let done = AtomicBool::new(false);
    let built = AtomicUsize::new(0);
    let sizes = std::sync::Mutex::new(std::collections::BTreeSet::new());
    std::thread::scope(|s| {
        for r in 0..READERS {
            let (store, log_key, done, built, sizes) = (&store, &log_key, &done, &built, &sizes);
            s.spawn(move || {
                let mut n = r;
                while !done.load(Ordering::SeqCst) {
                    let vin = Vin::parse(VINS[n % 3]).unwrap();
                    n += 1;
                    let bundle = build_history(store, &vin)
                        .unwrap_or_else(|e| panic!("history of {vin} failed: {e}"));
                    let verified = verify_history(&bundle, log_key)
                        .unwrap_or_else(|e| panic!("history of {vin} does not verify: {e}"));
                    // Complete at its size: one record per batch of three
                    // about each VIN, in log order.
                    let size = verified.checkpoint.size().0;
                    let records = verified.records.len() as u64;
                    let indexes: Vec<u64> = verified.records.iter().map(|r| r.index).collect();
                    assert!(indexes.windows(2).all(|w| w[0] < w[1]), "{indexes:?}");
                    assert!(indexes.last().is_none_or(|&i| i < size));
                    assert!(records <= BATCHES, "{records}");
                    built.fetch_add(1, Ordering::SeqCst);
                    sizes.lock().unwrap().insert(size);
                }
            });
        }
        for batch in &batches {
            log.append_batch(batch, T).unwrap();
            // Let at least one history finish between batches, so that
            // builds and commits interleave however fast the writer is.
            let seen = built.load(Ordering::SeqCst);
            while built.load(Ordering::SeqCst) == seen {
                std::thread::yield_now();
            }
        }
        done.store(true, Ordering::SeqCst);
    });
    // The readers saw the log at many sizes, not one quiet moment.
    let sizes = sizes.into_inner().unwrap();
    assert!(built.into_inner() >= READERS, "too few histories built");
    assert!(sizes.len() >= 10, "histories saw only sizes {sizes:?}");
    // And after the flood each history holds every record of its VIN.
    for vin in VINS {
        let bundle = build_history(&store, &Vin::parse(vin).unwrap()).unwrap();
        let verified = verify_history(&bundle, &log_key).unwrap();
        assert_eq!(verified.records.len() as u64, BATCHES);
    }
}

#[test]
fn histories_built_during_appends_all_verify_on_memory() {
    flood(MemoryBackend::new());
}

#[test]
fn histories_built_during_appends_all_verify_on_sled() {
    let dir = tempfile::tempdir().unwrap();
    flood(SledBackend::open(&dir.path().join("store")).unwrap());
}
