//! VIN history bundles: built from a real log, verified offline, and
//! refused when a record is left out, reordered, spliced in from another
//! VIN, when the index entry is stale, or when absence is claimed for a VIN
//! that has records. A property test checks that for every VIN the verified
//! history is exactly that VIN's records in log order.

use ed25519_dalek::SigningKey;
use ledger::bundle::{BundleError, HistoryBundle, build_history, verify_history};
use ledger::note::Signer;
use ledger::record::{
    DistanceUnit, EntryBody, KeyEnrollment, OdometerReading, OdometerSource, Record, RecordBody,
    Role, SignedRecord, Vin,
};
use ledger::store::{LogStore, MemoryBackend};
use ledger::writer::LogWriter;
use proptest::prelude::*;

const T: i64 = 1_770_000_000_000;
const VINS: [&str; 4] = [
    "1M8GDM9AXKP042788",
    "LVSHFFAL5DF123456",
    "WVWZZZ1JZXW000001",
    "JT2AE91A0K3000001",
];

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn log_signer() -> Signer {
    Signer::new("history.example/log", key(200)).unwrap()
}

fn enroll(k: &SigningKey, role: Role) -> SignedRecord {
    let r = Record {
        vin: None,
        event_time: 1_760_000_000,
        nonce: vec![],
        attachments: Vec::new(),
        body: RecordBody::KeyEnrollment(KeyEnrollment {
            public_key: k.verifying_key(),
            role,
            name: "Org".into(),
        }),
    };
    SignedRecord::sign(&r, &key(201))
}

fn reading(vin: &str, value: u64, signer: &SigningKey) -> SignedRecord {
    let r = Record {
        vin: Some(Vin::parse(vin).unwrap()),
        event_time: 1_760_000_000 + value as i64,
        nonce: vec![],
        attachments: Vec::new(),
        body: RecordBody::OdometerReading(OdometerReading {
            value,
            unit: DistanceUnit::Km,
            source: OdometerSource::Service,
        }),
    };
    SignedRecord::sign(&r, signer)
}

/// A log: two enrolled workshops, then `batches` of (vin slot, value) records.
fn build_log(batches: &[Vec<(usize, u64)>]) -> LogWriter<MemoryBackend> {
    let store = LogStore::new(MemoryBackend::new()).unwrap();
    let mut log = LogWriter::init(store, log_signer(), key(201).verifying_key(), T).unwrap();
    let (a, b) = (key(1), key(2));
    log.append_batch(&[enroll(&a, Role::Workshop), enroll(&b, Role::Registry)], T)
        .unwrap();
    for (n, batch) in batches.iter().enumerate() {
        let records: Vec<_> = batch
            .iter()
            .map(|(slot, v)| reading(VINS[*slot], *v, if v % 2 == 0 { &a } else { &b }))
            .collect();
        log.append_batch(&records, T + n as i64).unwrap();
    }
    log
}

/// The indices of every record about `vin`, in log order, read straight
/// from the entries.
fn records_of(log: &LogWriter<MemoryBackend>, vin: &str) -> Vec<u64> {
    let size = log.tree_size();
    (0..size)
        .filter(|&i| {
            let e = ledger::record::Entry::decode(&log.store().entry(i).unwrap().unwrap()).unwrap();
            matches!(&e.body, EntryBody::Record(r) if r.signed.record().vin.as_ref().map(Vin::as_str) == Some(vin))
        })
        .collect()
}

fn vin(s: &str) -> Vin {
    Vin::parse(s).unwrap()
}

fn sample() -> LogWriter<MemoryBackend> {
    build_log(&[
        vec![(0, 10), (1, 20), (0, 11)],
        vec![(2, 30)],
        vec![(0, 12), (1, 21), (0, 13), (2, 31)],
    ])
}

#[test]
fn bundles_verify_and_list_every_record() {
    let log = sample();
    let key = log_signer().verifier_key();
    for v in VINS {
        let bundle = build_history(log.store(), &vin(v)).unwrap();
        let verified = verify_history(&bundle, &key).unwrap();
        let got: Vec<u64> = verified.records.iter().map(|r| r.index).collect();
        assert_eq!(got, records_of(&log, v), "{v}");
        assert_eq!(verified.checkpoint.size().0, log.tree_size());
        // The bundle survives a JSON round trip.
        let json = serde_json::to_string_pretty(&bundle).unwrap();
        let back: HistoryBundle = serde_json::from_str(&json).unwrap();
        assert_eq!(back, bundle);
    }
    // A VIN without records gets a verified empty history.
    let bundle = build_history(log.store(), &vin(VINS[3])).unwrap();
    assert!(verify_history(&bundle, &key).unwrap().records.is_empty());
}

#[test]
fn a_bundle_for_20_records_in_a_big_log_stays_small() {
    let batches: Vec<Vec<(usize, u64)>> = (0..20)
        .map(|n| {
            (0..50)
                .map(|i| (if i == 0 { 0 } else { 1 + (i % 2) }, n * 100 + i as u64))
                .collect()
        })
        .collect();
    let log = build_log(&batches);
    let bundle = build_history(log.store(), &vin(VINS[0])).unwrap();
    assert_eq!(bundle.records.len(), 20);
    let size = serde_json::to_vec(&bundle).unwrap().len();
    // About 1,000 entries here; 64 KiB must hold 20 records even at 1M
    // entries (proofs grow by one hash per doubling).
    assert!(size < 40 * 1024, "{size} bytes");
}

fn refused(bundle: &HistoryBundle) -> BundleError {
    verify_history(bundle, &log_signer().verifier_key()).unwrap_err()
}

#[test]
fn tampered_bundles_are_refused_with_the_reason() {
    let log = sample();
    let good = build_history(log.store(), &vin(VINS[0])).unwrap();
    assert_eq!(good.records.len(), 4);

    let mut omitted = good.clone();
    omitted.records.remove(1);
    let e = refused(&omitted);
    assert!(matches!(e, BundleError::Chain(_)), "{e}");
    assert!(e.to_string().contains("counts 4 records"), "{e}");

    let mut dropped_last = good.clone();
    dropped_last.records.pop();
    assert!(matches!(refused(&dropped_last), BundleError::Chain(_)));

    let mut reordered = good.clone();
    reordered.records.swap(1, 2);
    let e = refused(&reordered);
    assert!(e.to_string().contains("position"), "{e}");

    let other = build_history(log.store(), &vin(VINS[1])).unwrap();
    let mut spliced = good.clone();
    spliced.records[2] = other.records[0].clone();
    let e = refused(&spliced);
    assert!(e.to_string().contains("another vehicle"), "{e}");

    // A stale index entry: an older checkpoint's index entry presented
    // under the newest checkpoint.
    let mut stale = good.clone();
    stale.index_entry = build_history(&stale_store(), &vin(VINS[0]))
        .unwrap()
        .index_entry;
    let e = refused(&stale);
    assert!(matches!(e, BundleError::IndexEntry(_)), "{e}");

    // Absence claimed for a VIN with records: the records removed and the
    // index proof of a VIN that has none put in.
    let absent = build_history(log.store(), &vin(VINS[3])).unwrap();
    let mut hidden = good.clone();
    hidden.records.clear();
    hidden.index_proof = absent.index_proof.clone();
    // Either the proof does not lead to the root along this VIN's path, or
    // (when the absent VIN's path ends at this VIN's leaf) it proves this
    // VIN's records exist: refused both ways.
    let e = refused(&hidden);
    assert!(
        matches!(e, BundleError::IndexProof(_))
            || e.to_string()
                .contains("counts 4 records for 1M8GDM9AXKP042788, the bundle holds 0"),
        "{e}"
    );

    // A changed entry breaks its inclusion proof.
    let mut changed = good.clone();
    let mut bytes = base64_decode(&changed.records[0].entry);
    let n = bytes.len();
    bytes[n - 5] ^= 1;
    changed.records[0].entry = base64_encode(&bytes);
    assert!(matches!(refused(&changed), BundleError::Inclusion { .. }));

    // Another log's key.
    let other_key = Signer::new("history.example/log", key(99))
        .unwrap()
        .verifier_key();
    assert!(matches!(
        verify_history(&good, &other_key),
        Err(BundleError::Checkpoint(_))
    ));
}

/// The sample log stopped after its second batch.
fn stale_store() -> LogStore<MemoryBackend> {
    build_log(&[vec![(0, 10), (1, 20), (0, 11)], vec![(2, 30)]]).into_store()
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn verified_history_is_exactly_the_vins_records_in_log_order(
        batches in proptest::collection::vec(
            proptest::collection::vec((0usize..4, 0u64..1_000_000), 1..8),
            1..6,
        )
    ) {
        let log = build_log(&batches);
        let key = log_signer().verifier_key();
        for v in VINS {
            let bundle = build_history(log.store(), &vin(v)).unwrap();
            let verified = verify_history(&bundle, &key).unwrap();
            let got: Vec<u64> = verified.records.iter().map(|r| r.index).collect();
            prop_assert_eq!(got, records_of(&log, v));
        }
    }
}
