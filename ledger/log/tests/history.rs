//! VIN history bundles: built from a real log, verified offline, and
//! refused when a record is left out, reordered, spliced in from another
//! VIN, when the index entry is stale, or when absence is claimed for a VIN
//! that has records. A property test checks that for every VIN the verified
//! history is exactly that VIN's records in log order. Bundles with a
//! witnessed part verify, carry the witness quorum on the witnessed
//! checkpoint, and are refused when that part is forged or tampered with.

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use vledger_log::bundle::{attach_witnessed, build_history};
use vledger_log::store::{LogStore, MemoryBackend};
use vledger_log::writer::LogWriter;
use vledger_records::{
    DistanceUnit, EntryBody, KeyEnrollment, OdometerReading, OdometerSource, Record, RecordBody,
    Role, SignedRecord, Vin,
};
use vledger_tlog::Hash;
use vledger_tlog::merkle::TreeSize;
use vledger_tlog::note::{
    Checkpoint, Cosigner, Note, Signer, VerifierKey, WitnessPolicy, add_signatures, sign_checkpoint,
};
use vledger_verification::history::{
    BundleError, HistoryBundle, WitnessedError, verify_history, verify_history_cosigned,
};

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
    SignedRecord::sign_for("history.example/log", &r, &key(201)).unwrap()
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
    SignedRecord::sign_for("history.example/log", &r, signer).unwrap()
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
            let e = vledger_records::Entry::decode(&log.store().entry(i).unwrap().unwrap()).unwrap();
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

fn witnesses() -> Vec<Cosigner> {
    (1..=3)
        .map(|i| Cosigner::from_seed(format!("w{i}.history.example"), &[150 + i; 32]).unwrap())
        .collect()
}

/// A 2-of-3 policy over [`witnesses`].
fn policy() -> WitnessPolicy {
    WitnessPolicy::new(witnesses().iter().map(Cosigner::verifier_key).collect(), 2).unwrap()
}

/// The log's checkpoint note at `size`, cosigned by the witnesses `by`.
fn cosigned(log: &LogWriter<MemoryBackend>, size: u64, by: &[usize]) -> String {
    let note = log.store().checkpoint(size).unwrap().unwrap();
    let text = Note::parse(&note).unwrap().text;
    let ws = witnesses();
    let lines: Vec<_> = by
        .iter()
        .map(|&i| ws[i].cosign(&text, 1_770_000_000))
        .collect();
    add_signatures(&note, &lines).unwrap()
}

/// The sample log, the bundle of the first VIN at its size `N`, and the log
/// grown by two more batches to `M > N`.
fn grown() -> (LogWriter<MemoryBackend>, HistoryBundle, u64, u64) {
    let mut log = sample();
    let bundle = build_history(log.store(), &vin(VINS[0])).unwrap();
    let n = log.tree_size();
    log.append_batch(&[reading(VINS[1], 40, &key(1))], T + 10)
        .unwrap();
    log.append_batch(&[reading(VINS[0], 41, &key(2))], T + 11)
        .unwrap();
    let m = log.tree_size();
    assert!(m > n);
    (log, bundle, n, m)
}

fn log_key() -> VerifierKey {
    log_signer().verifier_key()
}

#[test]
fn witnessed_bundles_verify_and_the_quorum_applies_to_the_witnessed_checkpoint() {
    let (log, plain, n, m) = grown();
    // Without a witnessed part the JSON has no such field.
    assert!(!serde_json::to_string(&plain).unwrap().contains("witnessed"));

    let mut bundle = plain.clone();
    attach_witnessed(log.store(), &mut bundle, &cosigned(&log, m, &[0, 2])).unwrap();
    let w = bundle.witnessed.as_ref().unwrap();
    assert!(!w.consistency.is_empty());
    let verified = verify_history(&bundle, &log_key()).unwrap();
    assert_eq!(verified.checkpoint.size().0, n);
    assert_eq!(verified.witnessed.as_ref().unwrap().size().0, m);
    // The history is still the one as of N: the record logged after N is
    // not in it.
    assert_eq!(verified.records.len(), 4);
    let (_, report) = verify_history_cosigned(&bundle, &log_key(), &policy()).unwrap();
    assert_eq!(report.valid(), 2);
    // JSON round trip.
    let json = serde_json::to_string_pretty(&bundle).unwrap();
    assert!(json.contains("\"witnessed\""));
    let back: HistoryBundle = serde_json::from_str(&json).unwrap();
    assert_eq!(back, bundle);

    // M == N: the witnessed checkpoint is the bundle's own, no proof.
    let mut same = plain.clone();
    attach_witnessed(log.store(), &mut same, &cosigned(&log, n, &[0, 1, 2])).unwrap();
    assert!(same.witnessed.as_ref().unwrap().consistency.is_empty());
    let (verified, report) = verify_history_cosigned(&same, &log_key(), &policy()).unwrap();
    assert_eq!(verified.witnessed.unwrap().size().0, n);
    assert_eq!(report.valid(), 3);

    // Too few cosignatures on the witnessed checkpoint: refused, naming it,
    // even though the bundle's own checkpoint carries a quorum.
    let mut short = plain.clone();
    short.checkpoint = cosigned(&log, n, &[0, 1, 2]);
    attach_witnessed(log.store(), &mut short, &cosigned(&log, m, &[1])).unwrap();
    verify_history(&short, &log_key()).unwrap();
    let e = verify_history_cosigned(&short, &log_key(), &policy()).unwrap_err();
    assert!(
        matches!(
            e,
            BundleError::Quorum {
                witnessed: true,
                ..
            }
        ),
        "{e}"
    );
    let msg = e.to_string();
    assert!(
        msg.starts_with(
            "witnessed checkpoint: not enough cosignatures: 1 of 3 witnesses cosigned (quorum 2)"
        ),
        "{msg}"
    );
    assert!(msg.contains("w1.history.example missing"), "{msg}");

    // Without a witnessed part the policy applies to the checkpoint itself.
    let mut own = plain.clone();
    own.checkpoint = cosigned(&log, n, &[0, 1]);
    let (verified, report) = verify_history_cosigned(&own, &log_key(), &policy()).unwrap();
    assert!(verified.witnessed.is_none());
    assert_eq!(report.valid(), 2);
    let e = verify_history_cosigned(&plain, &log_key(), &policy()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("checkpoint: not enough cosignatures: 0 of 3"),
        "{e}"
    );

    // A witnessed note smaller than the bundle is not attached.
    let mut small = plain;
    let stale = stale_store().tree_size().unwrap();
    assert!(attach_witnessed(log.store(), &mut small, &cosigned(&log, stale, &[0, 1])).is_err());
}

#[test]
fn tampered_witnessed_bundles_are_refused_with_the_reason() {
    let (log, plain, n, m) = grown();
    let mut good = plain.clone();
    attach_witnessed(log.store(), &mut good, &cosigned(&log, m, &[0, 1, 2])).unwrap();
    verify_history(&good, &log_key()).unwrap();
    let refused_with = |b: &HistoryBundle, expected: &str| {
        let e = verify_history(b, &log_key()).unwrap_err();
        assert!(matches!(e, BundleError::Witnessed(_)), "{e}");
        // A forged witnessed part never passes under a policy either.
        let c = verify_history_cosigned(b, &log_key(), &policy()).unwrap_err();
        assert_eq!(c.to_string(), e.to_string());
        let msg = e.to_string();
        assert!(msg.contains(expected), "{msg}");
        e
    };
    let does_not_verify = format!(
        "witnessed checkpoint: consistency proof from tree size {n} to {m} does not verify"
    );

    // A changed proof hash.
    let mut changed = good.clone();
    let w = changed.witnessed.as_mut().unwrap();
    let mut h = base64_decode(&w.consistency[0]);
    h[0] ^= 1;
    w.consistency[0] = base64_encode(&h);
    refused_with(&changed, &does_not_verify);

    // A truncated proof.
    let mut truncated = good.clone();
    let w = truncated.witnessed.as_mut().unwrap();
    let len = w.consistency.len();
    w.consistency.pop();
    let e = refused_with(&truncated, &does_not_verify);
    assert!(
        e.to_string()
            .ends_with(&format!("proof has {} hashes, expected {len}", len - 1)),
        "{e}"
    );

    // A hash that is not base64 of 32 bytes.
    let mut garbled = good.clone();
    let last = len - 1;
    garbled.witnessed.as_mut().unwrap().consistency[last] = "AAAA".to_owned();
    let e = refused_with(
        &garbled,
        &format!("consistency proof hash {last}: malformed base64 or hash"),
    );
    assert!(matches!(
        e,
        BundleError::Witnessed(WitnessedError::Encoding { position }) if position == last
    ));

    // An older checkpoint of the same log (M < N).
    let stale = stale_store().tree_size().unwrap();
    let mut older = good.clone();
    older.witnessed.as_mut().unwrap().checkpoint = cosigned(&log, stale, &[0, 1, 2]);
    older.witnessed.as_mut().unwrap().consistency.clear();
    refused_with(
        &older,
        &format!(
            "witnessed checkpoint: its tree size {stale} is smaller than the bundle's tree size {n}"
        ),
    );

    // Another origin, signed by the log key.
    let witnessed_cp = verify_history(&good, &log_key())
        .unwrap()
        .witnessed
        .unwrap();
    let resign = |cp: &Checkpoint, signer: &Signer| {
        let mut b = good.clone();
        b.witnessed.as_mut().unwrap().checkpoint = sign_checkpoint(cp, signer);
        b
    };
    let elsewhere =
        Checkpoint::new("other.example/log", TreeSize(m), *witnessed_cp.root()).unwrap();
    refused_with(
        &resign(&elsewhere, &log_signer()),
        "witnessed checkpoint origin is \"other.example/log\", expected \"history.example/log\"",
    );

    // The right checkpoint signed by another key of the same name.
    let impostor = Signer::new("history.example/log", key(99)).unwrap();
    refused_with(
        &resign(&witnessed_cp, &impostor),
        "witnessed checkpoint: no signature by a known key",
    );

    // A fork: the log key signs another root at M. The honest proof from N
    // does not lead to it.
    let fork = Checkpoint::new("history.example/log", TreeSize(m), Hash([7; 32])).unwrap();
    let e = refused_with(&resign(&fork, &log_signer()), &does_not_verify);
    assert!(e.to_string().ends_with("root"), "{e}");

    // Unknown fields in the witnessed part are refused.
    let json = serde_json::to_string(&good)
        .unwrap()
        .replace("\"consistency\":", "\"extra\":1,\"consistency\":");
    assert!(serde_json::from_str::<HistoryBundle>(&json).is_err());
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
