//! The sequencer and a replay run one state transition: random batches of
//! records (enrollments, revocations, vehicle records of every common kind,
//! corrections, refusals of every sort, duplicates) go through the real
//! writer; a replay of the entries it wrote must re-derive every state the
//! writer stored, over the whole universe of keys, VINs, protocols and
//! leaves the batches could have touched. Long histories of odometer
//! readings and corrections keep their facts over many chunks, and every
//! store passes the whole-store check.

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use serde_json::{Value, json};
use vledger_log::replay::Replayer;
use vledger_log::store::{LogStore, MemoryBackend};
use vledger_log::writer::LogWriter;
use vledger_records::{
    KeyEnrollment, KeyRevocation, ProtocolId, Record, RecordBody, Role, SignedRecord, Vin,
};
use vledger_rules::StateView;
use vledger_tlog::note::Signer;

/// "Now" for the writer, after every record's date.
const NOW_MS: i64 = 1_800_000_000_000;
const VINS: [&str; 3] = [
    "LGXCE4CB8S0123456",
    "1M8GDM9AXKP042788",
    "LVSHFFAL5DF123456",
];
const PROTOCOL: &str = "CN-TEST";

fn admin() -> SigningKey {
    SigningKey::from_bytes(&[201; 32])
}

/// Submitter keys 0..6; key `i` is enrolled with role `ROLES[i % 4]`.
fn submitter(i: u8) -> SigningKey {
    SigningKey::from_bytes(&[10 + i; 32])
}

const ROLES: [Role; 4] = [
    Role::Manufacturer,
    Role::Workshop,
    Role::Registry,
    Role::InspectionBody,
];
const KEYS: u8 = 6;

/// One operation of a random history.
#[derive(Debug, Clone)]
enum Op {
    /// The admin enrolls submitter `key`.
    Enroll { key: u8 },
    /// The admin revokes submitter `key`.
    Revoke { key: u8 },
    /// Submitter `key` signs a vehicle record of `kind` about `vin`.
    Vehicle {
        key: u8,
        vin: usize,
        kind: u8,
        value: u64,
        day: u8,
    },
    /// Submitter `key` corrects the entry `back` records before the end
    /// with a record of `kind` (as in `Vehicle`), or withdraws it (kind 9).
    Correct {
        key: u8,
        vin: usize,
        back: u8,
        kind: u8,
        value: u64,
    },
    /// Submitter `key` declares the test protocol at `version`.
    Protocol { key: u8, version: u8 },
    /// A record dated far in the future (refused).
    Future { key: u8, vin: usize },
    /// The record of operation `back` operations ago, again (a duplicate
    /// when that one was logged).
    Again { back: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..KEYS).prop_map(|key| Op::Enroll { key }),
        (0..KEYS).prop_map(|key| Op::Revoke { key }),
        (0..KEYS, 0..VINS.len(), 0u8..9, 0u64..200_000, 1u8..28).prop_map(
            |(key, vin, kind, value, day)| Op::Vehicle {
                key,
                vin,
                kind,
                value,
                day
            }
        ),
        (0..KEYS, 0..VINS.len(), 1u8..8, 0u8..10, 0u64..200_000).prop_map(
            |(key, vin, back, kind, value)| Op::Correct {
                key,
                vin,
                back,
                kind,
                value,
            }
        ),
        (0..KEYS, 1u8..3).prop_map(|(key, version)| Op::Protocol { key, version }),
        (0..KEYS, 0..VINS.len()).prop_map(|(key, vin)| Op::Future { key, vin }),
        (1u8..6).prop_map(|back| Op::Again { back }),
    ]
}

fn vehicle_json(vin: &str, kind: u8, value: u64, day: u8) -> Value {
    let date = format!("2026-03-{day:02}");
    match kind {
        0 => json!({"vin": vin, "event_time": date, "factory": {
            "make": "Example Auto", "model": "E7", "model_year": 2025,
            "manufacture_date": "2025-03-01", "engine_number": format!("ENG-{}", value % 3),
            "powertrain": "petrol", "emission_standard": "China 6b",
            "coc_sha256": "ab".repeat(32)}}),
        1 => json!({"vin": vin, "event_time": date, "registration": {
            "first_registration_date": date, "region": "CN-SH", "use_type": "private"}}),
        2 => json!({"vin": vin, "event_time": date, "deregistration": {
            "reason": "export", "region": "CN-SH", "certificate_number": "SH-1"}}),
        3 => json!({"vin": vin, "event_time": date, "damage": {
            "types": ["flood_fresh_water"], "source": "workshop", "description": "water in the cabin"}}),
        4 => json!({"vin": vin, "event_time": date, "export_license": {
            "license_number": "EL-1", "destination_country": "KZ", "issued_by": "MOFCOM"}}),
        7 => json!({"vin": vin, "event_time": date, "component_change": {
            "component": "engine", "old_number": format!("ENG-{}", value % 3),
            "new_number": format!("ENG-{}", (value + 1) % 3),
            "odometer": {"value": value, "unit": "km"}}}),
        8 => json!({"vin": vin, "event_time": date, "component_change": {
            "component": "instrument_cluster", "old_number": "IC-1", "new_number": "IC-2",
            "odometer": {"value": value % 1000, "unit": "km"}}}),
        _ => json!({"vin": vin, "event_time": date,
                    "odometer_reading": {"value": value, "unit": "km", "source": "service"}}),
    }
}

/// Signs `json` as the node would receive it; `None` when the record is
/// invalid on its own (the node refuses it before the sequencer).
fn sign(json: Value, key: &SigningKey) -> Option<SignedRecord> {
    let record = Record::from_json_value(json).ok()?;
    SignedRecord::from_proto(
        SignedRecord::sign_for("transition.example/log", &record, key)
            .unwrap()
            .to_proto(),
    )
    .ok()
}

fn key_record(body: RecordBody) -> SignedRecord {
    SignedRecord::sign_for(
        "transition.example/log",
        &Record::new(None, 1_700_000_000, body),
        &admin(),
    )
    .unwrap()
}

/// The signed record an operation submits, given every record submitted
/// before it and the leaf indices logged so far.
fn submission(op: &Op, earlier: &[SignedRecord], logged: &[u64]) -> Option<SignedRecord> {
    match *op {
        Op::Enroll { key } => Some(key_record(RecordBody::KeyEnrollment(KeyEnrollment {
            public_key: submitter(key).verifying_key(),
            role: ROLES[usize::from(key) % ROLES.len()],
            name: format!("submitter {key}"),
        }))),
        Op::Revoke { key } => Some(key_record(RecordBody::KeyRevocation(KeyRevocation {
            public_key: submitter(key).verifying_key(),
            reason: "rotated".into(),
        }))),
        Op::Vehicle {
            key,
            vin,
            kind,
            value,
            day,
        } => sign(vehicle_json(VINS[vin], kind, value, day), &submitter(key)),
        Op::Correct {
            key,
            vin,
            back,
            kind,
            value,
        } => {
            let target = logged
                .len()
                .checked_sub(usize::from(back))
                .map(|i| logged[i])?;
            let mut correction = json!({"target_index": target, "reason": "typo"});
            if kind < 9 {
                correction["replacement"] = vehicle_json(VINS[vin], kind, value, 2);
            }
            let json =
                json!({"vin": VINS[vin], "event_time": "2026-04-01", "correction": correction});
            sign(json, &submitter(key))
        }
        Op::Protocol { key, version } => {
            let json = json!({"event_time": "2026-01-01", "inspection_protocol": {
                "protocol_id": PROTOCOL, "version": version, "title": "Test protocol",
                "items": ["brakes", "lights"]}});
            sign(json, &submitter(key))
        }
        Op::Future { key, vin } => {
            let mut json = vehicle_json(VINS[vin], 5, 1, 1);
            json["event_time"] = json!("2099-01-01");
            sign(json, &submitter(key))
        }
        Op::Again { back } => earlier
            .len()
            .checked_sub(usize::from(back))
            .map(|i| earlier[i].clone()),
    }
}

/// Runs `batches` through a writer; returns the store and every record
/// submitted.
fn write(batches: &[Vec<Op>]) -> (LogStore<MemoryBackend>, Vec<SignedRecord>, usize) {
    let signer = Signer::new("transition.example/log", SigningKey::from_bytes(&[200; 32])).unwrap();
    let store = LogStore::new(MemoryBackend::new()).unwrap();
    let mut writer = LogWriter::init(store, signer, admin().verifying_key(), 1_000).unwrap();
    let mut submitted: Vec<SignedRecord> = Vec::new();
    let mut logged: Vec<u64> = Vec::new();
    let mut refused = 0;
    for (n, ops) in batches.iter().enumerate() {
        let mut batch = Vec::new();
        for op in ops {
            if let Some(signed) = submission(op, &submitted, &logged) {
                submitted.push(signed.clone());
                batch.push(signed);
            }
        }
        let now = NOW_MS + i64::try_from(n).unwrap();
        let result = writer.append_batch(&batch, now).unwrap();
        for outcome in result.outcomes {
            match outcome {
                Ok(a) if !a.duplicate => logged.push(a.index),
                Ok(_) => {}
                Err(_) => refused += 1,
            }
        }
    }
    (writer.into_store(), submitted, refused)
}

fn protocol_ids() -> Vec<ProtocolId> {
    (0..4)
        .map(|version| ProtocolId {
            id: PROTOCOL.into(),
            version,
        })
        .collect()
}

#[test]
fn every_generated_kind_is_a_valid_record() {
    for kind in 0..9 {
        let json = vehicle_json(VINS[0], kind, 1_000, 3);
        assert!(sign(json.clone(), &submitter(0)).is_some(), "{json}");
    }
    let protocol = submission(&Op::Protocol { key: 3, version: 1 }, &[], &[]);
    assert!(protocol.is_some());
    for kind in 0..10 {
        let correction = submission(
            &Op::Correct {
                key: 1,
                vin: 0,
                back: 1,
                kind,
                value: 5,
            },
            &[],
            &[7],
        );
        assert!(correction.is_some(), "correction of kind {kind}");
    }
}

/// The histories log records of many kinds and refuse others: the test
/// below is not vacuous.
#[test]
fn a_fixed_history_logs_and_refuses() {
    let ops: Vec<Op> = (0..KEYS)
        .map(|key| Op::Enroll { key })
        .chain((0..7).map(|kind| Op::Vehicle {
            key: 1,
            vin: 0,
            kind,
            value: 10,
            day: 5,
        }))
        .chain([
            Op::Future { key: 1, vin: 0 },
            Op::Again { back: 2 },
            Op::Revoke { key: 1 },
        ])
        .collect();
    let (store, submitted, refused) = write(&[ops]);
    assert!(
        refused >= 2,
        "the future record and wrong-role records are refused"
    );
    assert!(store.tree_size().unwrap() > 2 + u64::from(KEYS) + 2);
    assert_eq!(submitted.len(), usize::from(KEYS) + 10);
    assert!(refused < submitted.len());
}

/// Engine numbers and odometer readings are kept one fact per entry: a
/// correction restates one, and a new instrument cluster drops the old
/// series; the whole-store check re-derives them.
#[test]
fn vehicle_facts_follow_changes_corrections_and_new_clusters() {
    let vehicle = |key, kind, value| Op::Vehicle {
        key,
        vin: 0,
        kind,
        value,
        day: 5,
    };
    let first: Vec<Op> = (0..KEYS).map(|key| Op::Enroll { key }).collect();
    let second = vec![
        vehicle(0, 0, 10), // factory, engine ENG-1
        vehicle(1, 5, 100),
        vehicle(1, 5, 300),
        vehicle(1, 7, 10), // engine ENG-1 -> ENG-2, at 10 km: a rollback
    ];
    let third = vec![
        // Restates the 300 km reading as 200 km.
        Op::Correct {
            key: 1,
            vin: 0,
            back: 2,
            kind: 5,
            value: 200,
        },
    ];
    let (store, _, refused) = write(&[first.clone(), second.clone(), third.clone()]);
    assert_eq!(refused, 0);
    let vin = Vin::parse(VINS[0]).unwrap();
    let facts = store.vehicle_facts(&vin).unwrap();
    let numbers: Vec<_> = facts.engines.iter().map(|e| e.number.as_str()).collect();
    assert_eq!(numbers, ["ENG-1", "ENG-2"]);
    let km: Vec<_> = facts.odometer.iter().map(|p| p.reading.value).collect();
    assert_eq!(km, [100, 200, 10]);
    let state = store.vehicle(&vin).unwrap().unwrap();
    assert_eq!(state.odometer_top.unwrap().reading.value, 200);
    assert_eq!(state.engine.unwrap().number, "ENG-2");

    // A new cluster starts again from its own reading.
    let (store, _, refused) = write(&[first, second, third, vec![vehicle(1, 8, 5)]]);
    assert_eq!(refused, 0);
    let km: Vec<_> = store
        .vehicle_facts(&vin)
        .unwrap()
        .odometer
        .iter()
        .map(|p| p.reading.value)
        .collect();
    assert_eq!(km, [5]);
    let log_key = Signer::new("transition.example/log", SigningKey::from_bytes(&[200; 32]))
        .unwrap()
        .verifier_key();
    vledger_log::check::check_store(&store, &log_key, |_| ()).unwrap();
}

/// Mostly odometer readings by the workshop (key 1) about two VINs, and
/// corrections reaching far back: long series of facts over many chunks,
/// corrected in older chunks, now and then a new cluster.
fn long_op() -> impl Strategy<Value = Op> {
    let kind = prop_oneof![24 => Just(5u8), 1 => 0u8..9];
    prop_oneof![
        12 => (0..2usize, kind, 0u64..200_000, 1u8..28).prop_map(|(vin, kind, value, day)| {
            Op::Vehicle {
                key: u8::from(kind != 0),
                vin,
                kind,
                value,
                day,
            }
        }),
        2 => (0..2usize, 1u8..120, prop_oneof![Just(5u8), Just(9u8)], 0u64..200_000).prop_map(
            |(vin, back, kind, value)| Op::Correct {
                key: 1,
                vin,
                back,
                kind,
                value,
            }
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_replay_re_derives_every_state_the_writer_stored(
        batches in prop::collection::vec(prop::collection::vec(op(), 0..12), 1..8)
    ) {
        replay_matches(batches)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn long_histories_keep_their_facts_in_chunks(
        batches in prop::collection::vec(prop::collection::vec(long_op(), 20..80), 2..7)
    ) {
        replay_matches(batches)?;
    }
}

/// Writes `batches` after the enrollment of every key and checks that a
/// replay re-derives every state the writer stored, and that the store
/// passes the whole-store check.
fn replay_matches(batches: Vec<Vec<Op>>) -> Result<(), TestCaseError> {
    // Every history starts with some enrollments, so that records can
    // be logged at all.
    let mut batches = batches;
    batches.insert(0, (0..KEYS).map(|key| Op::Enroll { key }).collect());
    let (store, submitted, _refused) = write(&batches);

    let size = store.tree_size().unwrap();
    let mut replayer = Replayer::new();
    let mut at = 0;
    while at < size {
        for bytes in store.entries(at, size).unwrap() {
            replayer.apply(&bytes).unwrap();
            at += 1;
        }
    }

    // The tree and the VIN index.
    prop_assert!(replayer.last_is_index());
    prop_assert_eq!(
        replayer.index_root(),
        vledger_rules::index_tree::VinIndex::new(&store)
            .root()
            .unwrap()
    );
    prop_assert_eq!(
        store.vin_count().unwrap(),
        replayer.vin_heads().count() as u64
    );
    // Every key the batches could touch.
    let keys: Vec<_> = (0..KEYS)
        .map(|k| submitter(k).verifying_key())
        .chain([admin().verifying_key()])
        .collect();
    for key in &keys {
        prop_assert_eq!(
            store.key_state(key).unwrap(),
            replayer.key_state(key).cloned()
        );
    }
    // Every VIN: its head, its vehicle state and its facts.
    for vin in VINS {
        let vin = Vin::parse(vin).unwrap();
        prop_assert_eq!(store.vin_head(&vin).unwrap(), replayer.vin_head(&vin));
        prop_assert_eq!(
            store.vehicle(&vin).unwrap(),
            replayer.vehicle(&vin).unwrap()
        );
        prop_assert_eq!(
            store.vehicle_facts(&vin).unwrap(),
            replayer.vehicle_facts(&vin).unwrap()
        );
    }
    // Every protocol version.
    for id in protocol_ids() {
        prop_assert_eq!(
            store.protocol(&id).unwrap(),
            replayer.protocol(&id).unwrap()
        );
    }
    // Every leaf: what the rules remember of it.
    for index in 0..size {
        prop_assert_eq!(
            store.logged_record(index).unwrap(),
            replayer.logged_record(index).unwrap()
        );
    }
    // Every record submitted: logged once, at the same leaf, or not at all.
    for signed in &submitted {
        let key = signed.dedup_key();
        let stored = store.dedup(&key).unwrap();
        let replayed = replayer
            .dedup_keys()
            .find(|(k, _)| **k == key)
            .map(|(_, i)| *i);
        prop_assert_eq!(stored, replayed);
    }
    // The whole-store check, vehicle facts included.
    let log_key = Signer::new("transition.example/log", SigningKey::from_bytes(&[200; 32]))
        .unwrap()
        .verifier_key();
    if let Err(e) = vledger_log::check::check_store(&store, &log_key, |_| ()) {
        return Err(TestCaseError::fail(e.to_string()));
    }
    Ok(())
}
