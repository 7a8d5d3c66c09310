//! Records bound to their log, replayed: a log may hold old, unbound
//! (version 1) records beside bound ones, and a replay (`vledger check`,
//! the audit) accepts both; a record signed for another log is named as
//! one that should have been refused.

use ed25519_dalek::SigningKey;
use vledger_log::replay::{EntryFault, Replayer};
use vledger_log::store::{LogStore, MemoryBackend};
use vledger_log::writer::LogWriter;
use vledger_records::{FieldError, KeyEnrollment, Reason, Record, RecordBody, Role, SignedRecord};
use vledger_rules::Refusal;
use vledger_tlog::note::Signer;

const ORIGIN: &str = "binding.example/log";
const NOW_MS: i64 = 1_800_000_000_000;

fn reading(km: u64) -> Record {
    Record::from_json(&format!(
        r#"{{"vin":"1M8GDM9AXKP042788","event_time":"2026-01-01","odometer_reading":{{"value":{km},"unit":"km","source":"service"}}}}"#
    ))
    .unwrap()
}

#[test]
fn replay_accepts_old_and_bound_records_and_names_a_foreign_one() {
    let admin = SigningKey::from_bytes(&[2; 32]);
    let workshop = SigningKey::from_bytes(&[3; 32]);
    let signer = Signer::from_seed(ORIGIN, &[1; 32]).unwrap();
    let store = LogStore::new(MemoryBackend::new()).unwrap();
    let mut log = LogWriter::init(store, signer, admin.verifying_key(), NOW_MS).unwrap();
    let enroll = Record::new(
        None,
        1_700_000_000,
        RecordBody::KeyEnrollment(KeyEnrollment {
            public_key: workshop.verifying_key(),
            role: Role::Workshop,
            name: "W".into(),
        }),
    );
    // The writer does not ask which log a record is meant for (the node
    // does, before it): so a log can be made that holds each kind.
    let batch = [
        SignedRecord::sign(&enroll, &admin),
        SignedRecord::sign(&reading(10), &workshop),
        SignedRecord::sign_for(ORIGIN, &reading(20), &workshop).unwrap(),
        SignedRecord::sign_for("other.example/log", &reading(30), &workshop).unwrap(),
    ];
    let out = log.append_batch(&batch, NOW_MS + 1000).unwrap();
    assert!(out.outcomes.iter().all(Result::is_ok), "{:?}", out.outcomes);

    let mut replayer = Replayer::default();
    let size = log.tree_size();
    let mut faults = Vec::new();
    for i in 0..size {
        let bytes = log.store().entry(i).unwrap().unwrap();
        if let Err(e) = replayer.apply(&bytes) {
            faults.push(e);
            break;
        }
    }
    // Genesis and its index entry, the old enrollment, the old and the
    // bound reading replay; the reading signed for another log is the last
    // record, before the batch's index entry.
    let [fault] = faults.as_slice() else {
        panic!("expected one fault, got {faults:?}");
    };
    assert_eq!(fault.index, size - 2);
    assert_eq!(
        fault.fault,
        EntryFault::Refused(Refusal::Invalid(FieldError::new(
            "signed.origin",
            Reason::WrongLog {
                record: "other.example/log".into(),
                log: ORIGIN.into(),
            }
        )))
    );
    assert!(fault.to_string().contains("other.example/log"), "{fault}");
}
