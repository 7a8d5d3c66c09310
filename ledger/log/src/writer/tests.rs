//! The overlay while a batch is both committed and still held: the VIN
//! count counts it once, and a vehicle's facts are the store's.

use ed25519_dalek::SigningKey;
use serde_json::json;
use vledger_records::{KeyEnrollment, Record, RecordBody, Role, SignedRecord, Vin};
use vledger_rules::StateView;
use vledger_rules::transition::LogState;
use vledger_tlog::note::Signer;

use super::overlay::Overlay;
use super::{LogWriter, Submission};
use crate::store::{LogStore, MemoryBackend};

const NOW_MS: i64 = 1_800_000_000_000;
const VIN: &str = "LGXCE4CB8S0123456";

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

#[test]
fn a_batch_committed_and_still_held_counts_once() {
    let admin = key(201);
    let mut log = LogWriter::init(
        LogStore::new(MemoryBackend::new()).unwrap(),
        Signer::new("overlay.example/log", key(200)).unwrap(),
        admin.verifying_key(),
        NOW_MS,
    )
    .unwrap();
    let enroll = SignedRecord::sign(
        &Record::new(
            None,
            1_700_000_000,
            RecordBody::KeyEnrollment(KeyEnrollment {
                public_key: key(1).verifying_key(),
                role: Role::Workshop,
                name: "workshop".into(),
            }),
        ),
        &admin,
    );
    log.append_batch(&[enroll], NOW_MS).unwrap();
    let readings: Vec<Submission> = [1_000, 1_100, 1_200]
        .into_iter()
        .map(|km| {
            let record = Record::from_json_value(json!({
                "vin": VIN, "event_time": "2026-03-01",
                "odometer_reading": {"value": km, "unit": "km", "source": "service"}}))
            .unwrap();
            Submission::new(SignedRecord::sign(&record, &key(1)))
        })
        .collect();
    let staged = log.sequence(readings, NOW_MS).unwrap();
    let vin = Vin::parse(VIN).unwrap();
    let held = |log: &LogWriter<MemoryBackend>| {
        let dedup = std::collections::HashMap::new();
        let overlay = Overlay::new(&log.store, &log.pending, &log.cache, &dedup);
        (
            overlay.vehicle_facts(&vin).unwrap(),
            overlay.vin_count().unwrap(),
        )
    };
    let (facts, vins) = held(&log);
    assert_eq!((facts.odometer.len(), vins), (3, 1));
    assert_eq!(log.store.vehicle_facts(&vin).unwrap().odometer.len(), 0);

    // Committed, but the writer not told yet: the store and the held
    // batch both have the readings.
    let size = staged.tree_size();
    staged.commit(&log.store.clone()).unwrap();
    let stored = log.store.vehicle_facts(&vin).unwrap();
    assert_eq!(
        (stored.odometer.len(), log.store.vin_count().unwrap()),
        (3, 1)
    );
    assert_eq!(held(&log), (stored.clone(), 1));

    log.committed(size);
    assert!(log.pending.is_empty());
    assert_eq!(held(&log), (stored, 1));
}
