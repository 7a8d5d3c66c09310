//! The record taxonomy and its rules, exhaustively, through the real writer
//! on an in-memory store: every rejection rule refuses and changes nothing,
//! every flag is raised with its details, the documented example history is
//! accepted without flags, and `check_store` (the replay an auditor runs)
//! re-derives every decision — and refuses an entry whose flags were edited.

use std::path::Path;

use vledger_log::conformance::damage;

use ed25519_dalek::SigningKey;
use serde_json::{Value, json};
use vledger_log::check::{CheckError, check_store};
use vledger_log::replay::{EntryFault, Replayer};
use vledger_log::store::{LogStore, MemoryBackend};
use vledger_log::writer::{Appended, LogWriter};
use vledger_proto::v1 as pb;
use vledger_records::{
    AuthError, DeregistrationReason, DistanceUnit, FieldError, Flag, KeyEnrollment, Odometer,
    Reason, Record, RecordBody, RecordKind, Role, SignedRecord,
};
use vledger_rules::Refusal;
use vledger_tlog::note::Signer;

/// "Now" for the writer: 2027-01-15, after every record's dates.
const NOW: i64 = 1_800_000_000_000;
/// A Chinese VIN, model year S (2025).
const VIN: &str = "LGXCE4CB8S0123456";
/// A North American VIN, model year K (1989 or 2019).
const VIN_US: &str = "1M8GDM9AXKP042788";

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn admin() -> SigningKey {
    key(201)
}

fn signer_of(role: Role) -> SigningKey {
    if role == Role::Admin {
        admin()
    } else {
        key(10 + role.code())
    }
}

fn log_signer() -> Signer {
    Signer::new("records.example/log", key(200)).unwrap()
}

/// A log with one enrolled key per role, the genesis entry's admin and
/// recovery keys included.
struct Log {
    writer: LogWriter<MemoryBackend>,
    backend: MemoryBackend,
}

impl Log {
    fn new() -> Self {
        let backend = MemoryBackend::new();
        // The genesis entry names the admin and recovery keys.
        let writer = LogWriter::init_with_recovery(
            LogStore::new(backend.clone()).unwrap(),
            log_signer(),
            admin().verifying_key(),
            Some(signer_of(Role::Recovery).verifying_key()),
            1000,
        )
        .unwrap();
        let mut log = Self { writer, backend };
        for role in Role::ALL
            .into_iter()
            .filter(|r| !matches!(r, Role::Admin | Role::Recovery))
        {
            let r = Record::new(
                None,
                1_700_000_000,
                RecordBody::KeyEnrollment(KeyEnrollment {
                    public_key: signer_of(role).verifying_key(),
                    role,
                    name: role.name().into(),
                }),
            );
            log.append(&SignedRecord::sign_for("records.example/log", &r, &admin()).unwrap())
                .unwrap();
        }
        log
    }

    fn append(&mut self, signed: &SignedRecord) -> Result<Appended, Refusal> {
        let r = self
            .writer
            .append_batch(std::slice::from_ref(signed), NOW)
            .unwrap();
        r.outcomes.into_iter().next().unwrap()
    }

    /// Signs `json` with `role`'s key, checks it as a node does, appends it.
    fn submit(&mut self, role: Role, json: Value) -> Result<Appended, Refusal> {
        let signed = valid(&record(json), &signer_of(role)).map_err(Refusal::Invalid)?;
        self.append(&signed)
    }

    /// Submits a record that must be logged; returns its index and flags.
    #[track_caller]
    fn ok(&mut self, role: Role, json: Value) -> (u64, Vec<Flag>) {
        let a = self.submit(role, json.clone()).unwrap_or_else(|e| {
            panic!("{json} refused: {e}");
        });
        (a.index, a.flags)
    }

    /// Submits a record that must be logged without flags.
    #[track_caller]
    fn clean(&mut self, role: Role, json: Value) -> u64 {
        let (index, flags) = self.ok(role, json);
        assert!(flags.is_empty(), "unexpected flags {flags:?}");
        index
    }

    /// Submits a record that must be refused, checking that the log did
    /// not change; returns the refusal.
    #[track_caller]
    fn refused(&mut self, role: Role, json: Value) -> Refusal {
        let before = self.writer.checkpoint();
        let e = self
            .submit(role, json.clone())
            .expect_err(&format!("{json} was logged"));
        assert_eq!(
            self.writer.checkpoint(),
            before,
            "a refusal changed the log"
        );
        e
    }

    fn check(&self) {
        let store = LogStore::new(self.backend.clone()).unwrap();
        check_store(&store, &log_signer().verifier_key(), |_| ()).unwrap();
    }
}

fn record(json: Value) -> Record {
    Record::from_json_value(json).unwrap()
}

/// What the node does with a record it receives: the same checks as
/// `SignedRecord::from_proto` on the wire bytes.
fn valid(r: &Record, k: &SigningKey) -> Result<SignedRecord, FieldError> {
    SignedRecord::from_proto(
        SignedRecord::sign_for("records.example/log", r, k)
            .unwrap()
            .to_proto(),
    )
}

#[track_caller]
fn invalid(e: Refusal) -> FieldError {
    match e {
        Refusal::Invalid(f) => f,
        other => panic!("expected an invalid field, got {other}"),
    }
}

fn km(value: u64) -> Odometer {
    Odometer {
        value,
        unit: DistanceUnit::Km,
    }
}

fn factory(vin: &str, model_year: u32, date: &str, engine: &str) -> Value {
    json!({"vin": vin, "event_time": date, "factory": {
        "make": "Example Auto", "model": "E7", "model_year": model_year,
        "manufacture_date": date, "engine_number": engine, "powertrain": "petrol",
        "emission_standard": "China 6b", "coc_sha256": "ab".repeat(32)}})
}

fn reading(vin: &str, date: &str, value: u64, unit: &str) -> Value {
    json!({"vin": vin, "event_time": date,
           "odometer_reading": {"value": value, "unit": unit, "source": "service"}})
}

fn registration(vin: &str, date: &str, engine: Option<&str>) -> Value {
    let mut body =
        json!({"first_registration_date": date, "region": "CN-SH", "use_type": "private"});
    if let Some(e) = engine {
        body["engine_number"] = json!(e);
    }
    json!({"vin": vin, "event_time": date, "registration": body})
}

fn export_license(vin: &str, date: &str, after_sales: bool) -> Value {
    let mut r = json!({"vin": vin, "event_time": date, "export_license": {
        "license_number": "EL-1", "destination_country": "KZ", "issued_by": "MOFCOM"}});
    if after_sales {
        r["attachments"] = json!([{"sha256": "cd".repeat(32), "media_type": "application/pdf",
            "language": "zh", "kind": "after_sales_confirmation"}]);
    }
    r
}

fn commitment() -> String {
    hex::encode(vledger_records::PartyCommitment::commit(&[9; 32], "CN-ID:1").as_bytes())
}

#[test]
fn the_documented_example_history_is_accepted_without_flags() {
    let mut log = Log::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 13, "{files:?}");
    let mut maintenance = None;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut r = Record::from_json(&text).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        if let RecordBody::Correction(c) = &mut r.body {
            c.target_index = maintenance.unwrap();
        }
        let role = match r.kind() {
            RecordKind::InspectionProtocol | RecordKind::Inspection | RecordKind::Compliance => {
                Role::InspectionBody
            }
            RecordKind::Factory => Role::Manufacturer,
            RecordKind::Registration
            | RecordKind::Deregistration
            | RecordKind::OwnershipTransfer => Role::Registry,
            RecordKind::ExportLicense => Role::Exporter,
            RecordKind::CustomsClearance => Role::Customs,
            _ => Role::Workshop,
        };
        let signed = valid(&r, &signer_of(role)).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        let a = log
            .append(&signed)
            .unwrap_or_else(|e| panic!("{file:?}: {e}"));
        assert!(a.flags.is_empty(), "{file:?}: {:?}", a.flags);
        if r.kind() == RecordKind::Maintenance {
            maintenance = Some(a.index);
        }
    }
    log.check();
    // An auditor may save its replay and go on later: the rules' state
    // survives the round trip.
    let store = LogStore::new(log.backend.clone()).unwrap();
    let mut replayer = Replayer::new();
    for bytes in store.entries(0, store.tree_size().unwrap()).unwrap() {
        replayer.apply(&bytes).unwrap();
    }
    let saved = replayer.encode_state();
    let back = Replayer::decode_state(&saved).unwrap();
    assert_eq!(back.rules_state(), replayer.rules_state());
    assert_eq!(back.encode_state(), saved);
    assert!(replayer.rules_state().vehicles().count() == 1);
}

#[test]
fn every_kind_round_trips_through_json_and_protobuf() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    let mut kinds = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let r = Record::from_json(&text).unwrap();
        assert_eq!(Record::decode(&r.encode()).unwrap(), r);
        let back = Record::from_json(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        kinds.insert(r.kind());
    }
    // The kinds the example does not use have JSON forms too.
    for json in [
        json!({"vin": VIN, "event_time": "2026-01-01", "component_change": {
            "component": "instrument_cluster", "old_number": "IC-1", "new_number": "IC-2",
            "odometer": {"value": 5, "unit": "km"}, "reason": "display failure"}}),
        json!({"vin": VIN, "event_time": "2026-01-01", "claim": {
            "claim_number": "CL-1", "defect": "flood damage concealed", "outcome": "refunded",
            "related_index": 12, "amount": {"minor_units": 250_000, "currency": "USD"},
            "claimant": commitment()}}),
    ] {
        let r = record(json);
        assert_eq!(Record::decode(&r.encode()).unwrap(), r);
        kinds.insert(r.kind());
    }
    kinds.extend([RecordKind::KeyEnrollment, RecordKind::KeyRevocation]);
    assert_eq!(kinds.len(), RecordKind::ALL.len(), "{kinds:?}");
}

#[test]
fn json_is_strict_at_every_level() {
    let typo = json!({"vin": VIN, "event_time": "2026-01-01", "attachment": [],
        "odometer_reading": {"value": 1, "unit": "km", "source": "obd"}});
    assert!(Record::from_json_value(typo).is_err());
    let inner = json!({"vin": VIN, "event_time": "2026-01-01", "damage": {
        "types": ["hail"], "source": "workshop", "severity": "light"}});
    assert!(Record::from_json_value(inner).is_err());
    let nested = json!({"vin": VIN, "event_time": "2026-01-01", "correction": {
        "target_index": 3, "reason": "typo", "replacement": {"vin": VIN,
        "event_time": "2026-01-01", "nonse": "00",
        "odometer_reading": {"value": 1, "unit": "km", "source": "obd"}}}});
    let e = Record::from_json_value(nested).unwrap_err().to_string();
    assert!(e.contains("nonse"), "{e}");
    let two = json!({"vin": VIN, "event_time": "2026-01-01", "correction": {
        "target_index": 3, "reason": "typo", "replacement": {"vin": VIN,
        "event_time": "2026-01-01", "odometer_reading": {"value": 1, "unit": "km", "source": "obd"},
        "damage": {"types": ["hail"], "source": "workshop"}}}});
    assert!(Record::from_json_value(two).is_err());
}

#[test]
fn stateless_rejections_name_the_field() {
    let k = key(1);
    let check = |json: Value, field: &str| {
        let e = valid(&record(json.clone()), &k).expect_err(&json.to_string());
        assert_eq!(e.field, field, "{json}: {e}");
        e.reason
    };
    // Model year against the VIN's code (S = 2025) and the manufacture date.
    assert!(matches!(
        check(factory(VIN, 2024, "2024-06-01", "E1"), "factory.model_year"),
        Reason::ModelYearCode {
            model_year: 2024,
            code: 'S'
        }
    ));
    assert!(matches!(
        check(
            factory(VIN, 2025, "2021-06-01", "E1"),
            "factory.manufacture_date"
        ),
        Reason::ModelYear { model_year: 2025 }
    ));
    // K is 2019: made in 2018, 2019 or 2020.
    for (date, ok) in [
        ("2017-12-31", false),
        ("2018-01-01", true),
        ("2020-12-31", true),
        ("2021-01-01", false),
    ] {
        assert_eq!(
            valid(&record(factory(VIN_US, 2019, date, "E1")), &k).is_ok(),
            ok,
            "{date}"
        );
    }
    // Where the market has no model-year code, only the date counts.
    assert!(
        valid(
            &record(factory("WBA71DC010CH14720", 2012, "2011-09-01", "E1")),
            &k
        )
        .is_ok()
    );
    // A party that is not a commitment: a name padded to 32 bytes.
    let name = hex::encode(b"Zhang San, ID 110101199003074512");
    let transfer = |from: &str| {
        json!({"vin": VIN, "event_time": "2026-01-01", "ownership_transfer": {
        "from_party": from, "to_party": commitment(), "odometer": {"value": 1, "unit": "km"}}})
    };
    assert_eq!(
        check(transfer(&name), "ownership_transfer.from_party"),
        Reason::NotCommitment
    );
    assert!(valid(&record(transfer(&commitment())), &k).is_ok());
    // Oversized fields.
    let long = "x".repeat(257);
    let mut m = json!({"vin": VIN, "event_time": "2026-01-01", "maintenance": {
        "workshop": long, "operations": ["oil"], "odometer": {"value": 1, "unit": "km"}}});
    assert!(matches!(
        check(m.clone(), "maintenance.workshop"),
        Reason::TooLong { max: 256 }
    ));
    m["maintenance"]["workshop"] = json!("W");
    m["maintenance"]["operations"] = json!(vec!["op"; 65]);
    assert!(matches!(
        check(m, "maintenance.operations"),
        Reason::TooMany { max: 64 }
    ));
    assert!(matches!(
        check(
            reading(VIN, "2026-01-01", 10_000_000, "km"),
            "odometer_reading.value"
        ),
        Reason::TooLarge { .. }
    ));
    let mut many = reading(VIN, "2026-01-01", 1, "km");
    many["attachments"] = json!(vec![
        json!({"sha256": "ab".repeat(32), "media_type": "image/jpeg", "kind": "photo"});
        17
    ]);
    assert!(matches!(
        check(many, "record.attachments"),
        Reason::TooMany { max: 16 }
    ));
    let engine = factory(VIN, 2025, "2025-03-01", "engine number 1");
    assert_eq!(check(engine, "factory.engine_number"), Reason::Identifier);
    // An inspection without its English report, a duplicated item.
    let inspection = |attachments: Value, results: Value| {
        json!({"vin": VIN, "event_time": "2026-01-01",
        "attachments": attachments, "inspection": {"accreditation_number": "CNAS L1",
        "protocol_id": "P", "protocol_version": 1, "results": results, "verdict": "pass"}})
    };
    let zh = json!([{"sha256": "ab".repeat(32), "media_type": "application/pdf", "language": "zh", "kind": "report"}]);
    let en = json!({"sha256": "ef".repeat(32), "media_type": "application/pdf", "language": "en", "kind": "report"});
    let one = json!([{"item": "a", "outcome": "pass"}]);
    assert!(matches!(
        check(inspection(zh.clone(), one.clone()), "record.attachments"),
        Reason::NeedsDocument {
            kind: "report",
            language: "en"
        }
    ));
    let mut both = zh.clone();
    both.as_array_mut().unwrap().push(en);
    let dup = json!([{"item": "a", "outcome": "pass"}, {"item": "a", "outcome": "fail"}]);
    assert_eq!(
        check(inspection(both.clone(), dup), "inspection.results"),
        Reason::Duplicate("a".into())
    );
    let failed = json!([{"item": "a", "outcome": "fail"}]);
    check(inspection(both, failed), "inspection.verdict");
    // A replacement about another VIN.
    let other = json!({"vin": VIN, "event_time": "2026-01-01", "correction": {"target_index": 5,
        "reason": "typo", "replacement": reading(VIN_US, "2026-01-01", 1, "km")}});
    check(other, "correction.replacement");
}

#[test]
fn a_wrong_vin_is_refused_on_the_wire() {
    // A client that skips local checks: the bytes name a VIN whose check
    // digit is wrong (and one with an O), signed correctly.
    let k = key(1);
    for (vin, field) in [
        ("1M8GDM9A1KP042788", "record.vin"),
        ("1M8GDM9AXKP04278O", "record.vin"),
    ] {
        let msg = pb::Record {
            vin: vin.into(),
            event_time: 1_700_000_000,
            body: Some(pb::record::Body::OdometerReading(pb::OdometerReading {
                value: 1,
                unit: pb::DistanceUnit::Km as i32,
                source: pb::OdometerSource::Obd as i32,
            })),
            ..pb::Record::default()
        };
        let bytes = prost::Message::encode_to_vec(&msg);
        let sig = ed25519_dalek::Signer::sign(
            &k,
            &[vledger_records::RECORD_SIGNATURE_PREFIX, &bytes].concat(),
        );
        let e = SignedRecord::from_proto(pb::SignedRecord {
            record: bytes,
            public_key: k.verifying_key().to_bytes().to_vec(),
            signature: sig.to_bytes().to_vec(),
            origin: String::new(),
        })
        .unwrap_err();
        assert_eq!(e.field, field);
        assert!(matches!(e.reason, Reason::Vin(_)), "{e}");
    }
}

#[test]
fn stateful_rejections_change_nothing() {
    let mut log = Log::new();
    let first = log.clean(
        Role::Manufacturer,
        factory(VIN, 2025, "2025-03-10", "MOTOR-1"),
    );
    // A second factory record for the VIN.
    let e = invalid(log.refused(
        Role::Manufacturer,
        factory(VIN, 2025, "2025-03-11", "MOTOR-2"),
    ));
    assert_eq!(
        (e.field, e.reason),
        ("factory", Reason::SecondFactory { at: first })
    );
    // Dates in the future: the event, and every date in the body.
    let future = "2027-06-01";
    let e = invalid(log.refused(Role::Workshop, reading(VIN, future, 10, "km")));
    assert_eq!((e.field, e.reason), ("record.event_time", Reason::InFuture));
    let mut reg = registration(VIN, "2026-01-01", None);
    reg["registration"]["first_registration_date"] = json!(future);
    let e = invalid(log.refused(Role::Registry, reg));
    assert_eq!(
        (e.field, e.reason),
        ("registration.first_registration_date", Reason::InFuture)
    );
    let e = invalid(log.refused(
        Role::Manufacturer,
        factory("WBA71DC010CH14720", 2027, future, "E"),
    ));
    assert_eq!(e.field, "record.event_time");
    let mut f = factory(VIN_US, 2019, "2019-03-01", "E");
    f["factory"]["manufacture_date"] = json!("2027-02-01");
    f["factory"]["model_year"] = json!(2027);
    // (2027 is not a K year: the stateless check answers first.)
    assert!(log.submit(Role::Manufacturer, f).is_err());
    // An export licence may be valid until a future date.
    let mut lic = export_license(VIN, "2026-06-01", true);
    lic["export_license"]["valid_until"] = json!(future);
    log.clean(Role::Exporter, lic);

    // Inspections: an undeclared protocol, then the wrong item sets.
    let reports = json!([
        {"sha256": "ab".repeat(32), "media_type": "application/pdf", "language": "zh", "kind": "report"},
        {"sha256": "cd".repeat(32), "media_type": "application/pdf", "language": "en", "kind": "report"}]);
    let inspection = |items: &[&str]| {
        json!({"vin": VIN, "event_time": "2026-07-01", "attachments": reports,
        "inspection": {"accreditation_number": "CNAS L1", "protocol_id": "EXPORT-3", "protocol_version": 1,
        "results": items.iter().map(|i| json!({"item": i, "outcome": "pass"})).collect::<Vec<_>>(),
        "verdict": "pass"}})
    };
    let e = invalid(log.refused(
        Role::InspectionBody,
        inspection(&["brakes", "tyres", "lights"]),
    ));
    assert_eq!(
        (e.field, e.reason),
        ("inspection.protocol_id", Reason::UnknownProtocol)
    );
    let protocol = json!({"event_time": "2026-01-01", "inspection_protocol": {"protocol_id": "EXPORT-3",
        "version": 1, "title": "Three checks", "items": ["brakes", "tyres", "lights"]}});
    let declared = log.clean(Role::InspectionBody, protocol.clone());
    let mut again = protocol;
    again["inspection_protocol"]["title"] = json!("Three other checks");
    let e = invalid(log.refused(Role::Admin, again));
    assert_eq!(
        (e.field, e.reason),
        (
            "inspection_protocol.version",
            Reason::AlreadyDeclared { at: declared }
        )
    );
    let e = invalid(log.refused(Role::InspectionBody, inspection(&["brakes", "tyres"])));
    assert_eq!(e.field, "inspection.results");
    assert_eq!(
        e.reason,
        Reason::ItemSet {
            missing: vec!["lights".into()],
            unexpected: vec![]
        }
    );
    assert_eq!(
        e.to_string(),
        "inspection.results: do not cover exactly the protocol's items: missing \"lights\""
    );
    let e = invalid(log.refused(
        Role::InspectionBody,
        inspection(&["brakes", "tyres", "lights", "horn"]),
    ));
    assert_eq!(
        e.reason,
        Reason::ItemSet {
            missing: vec![],
            unexpected: vec!["horn".into()]
        }
    );
    log.clean(
        Role::InspectionBody,
        inspection(&["lights", "brakes", "tyres"]),
    );

    // Corrections: of nothing, of another VIN's record, of a key record,
    // by another key, to another kind, of a correction.
    let damage = log.clean(
        Role::Workshop,
        json!({"vin": VIN, "event_time": "2026-07-02",
        "damage": {"types": ["flood_salt_water", "total_loss"], "source": "workshop"}}),
    );
    let other_vin = log.clean(Role::Workshop, reading(VIN_US, "2026-07-02", 5, "km"));
    let correct = |target: u64, replacement: Option<Value>| {
        let mut c = json!({"vin": VIN, "event_time": "2026-07-03", "correction": {
            "target_index": target, "reason": "wrong"}});
        if let Some(r) = replacement {
            c["correction"]["replacement"] = r;
        }
        c
    };
    let size = log.writer.tree_size();
    for target in [size + 5, other_vin, 0, 1, 2] {
        let e = invalid(log.refused(Role::Workshop, correct(target, None)));
        assert_eq!(
            (e.field, e.reason),
            ("correction.target_index", Reason::NoSuchTarget),
            "{target}"
        );
    }
    let hail = json!({"vin": VIN, "event_time": "2026-07-02", "damage": {"types": ["hail"], "source": "workshop"}});
    match log.refused(Role::Registry, correct(damage, Some(hail.clone()))) {
        Refusal::Unauthorized(AuthError::NotTargetSigner { target, .. }) => {
            assert_eq!(target, damage)
        }
        other => panic!("{other}"),
    }
    let e = invalid(log.refused(
        Role::Workshop,
        correct(damage, Some(reading(VIN, "2026-07-02", 1, "km"))),
    ));
    assert_eq!(e.field, "correction.replacement");
    // ... and never drop a brand, by withdrawal or by replacement.
    let e = invalid(log.refused(Role::Workshop, correct(damage, None)));
    assert_eq!(
        (e.field, e.reason),
        (
            "correction.replacement",
            Reason::DropsBrand {
                brand: "flood_salt_water"
            }
        )
    );
    let e = invalid(log.refused(Role::Workshop, correct(damage, Some(hail))));
    assert_eq!(
        e.reason,
        Reason::DropsBrand {
            brand: "flood_salt_water"
        }
    );
    let more = json!({"vin": VIN, "event_time": "2026-07-02", "damage": {
        "types": ["total_loss", "flood_salt_water", "fire"], "source": "insurance_claim"}});
    let fix = log.clean(Role::Workshop, correct(damage, Some(more)));
    let e = invalid(log.refused(Role::Workshop, correct(fix, None)));
    assert_eq!(
        (e.field, e.reason),
        ("correction.target_index", Reason::TargetIsCorrection)
    );
    // A replacement dated in the future.
    let e = invalid(log.refused(
        Role::Workshop,
        correct(other_vin + 1000, Some(reading(VIN, "2027-06-01", 1, "km"))),
    ));
    assert_eq!(e.field, "correction.replacement");
    // A claim about an entry that is not this VIN's.
    let claim = json!({"vin": VIN, "event_time": "2026-08-01", "claim": {"claim_number": "C-1",
        "defect": "flood damage concealed", "outcome": "filed", "related_index": other_vin}});
    let e = invalid(log.refused(Role::Exporter, claim.clone()));
    assert_eq!(
        (e.field, e.reason),
        ("claim.related_index", Reason::NoSuchTarget)
    );
    let mut claim = claim;
    claim["claim"]["related_index"] = json!(damage);
    log.clean(Role::Exporter, claim);
    log.check();
}

#[test]
fn odometer_rollbacks_are_flagged_across_units_until_a_cluster_change() {
    let mut log = Log::new();
    log.clean(Role::Workshop, reading(VIN, "2026-01-01", 50_000, "km"));
    let top = log.clean(Role::Workshop, reading(VIN, "2026-02-01", 80_000, "km"));
    let (_, flags) = log.ok(Role::Workshop, reading(VIN, "2026-03-01", 52_000, "km"));
    let expected = Flag::OdometerRollback {
        reading: km(52_000),
        earlier: km(80_000),
        earlier_index: top,
    };
    assert_eq!(flags, std::slice::from_ref(&expected));
    assert_eq!(
        expected.to_string(),
        format!("odometer_rollback (reading 52,000 km < 80,000 km at entry {top})")
    );
    // In miles: 49,709 miles is 79,999.6 km and may show as 80,000 km... no
    // flag; 49,000 miles (78,857 km) is a rollback.
    log.clean(Role::Workshop, reading(VIN, "2026-03-02", 49_709, "miles"));
    let (_, flags) = log.ok(Role::Workshop, reading(VIN, "2026-03-03", 49_000, "miles"));
    assert!(
        matches!(flags.as_slice(), [Flag::OdometerRollback { earlier_index, .. }] if *earlier_index == top)
    );
    // Every record with an odometer counts, not only readings.
    let (_, flags) = log.ok(
        Role::Workshop,
        json!({"vin": VIN, "event_time": "2026-03-04", "maintenance": {
        "workshop": "W", "operations": ["oil"], "odometer": {"value": 60_000, "unit": "km"}}}),
    );
    assert_eq!(flags.len(), 1);
    // A new instrument cluster starts a new series.
    log.clean(
        Role::Workshop,
        json!({"vin": VIN, "event_time": "2026-04-01", "component_change": {
        "component": "instrument_cluster", "old_number": "IC-1", "new_number": "IC-2",
        "odometer": {"value": 10, "unit": "km"}}}),
    );
    log.clean(Role::Workshop, reading(VIN, "2026-05-01", 1_500, "km"));
    let (_, flags) = log.ok(Role::Workshop, reading(VIN, "2026-05-02", 1_000, "km"));
    assert_eq!(flags.len(), 1);
    log.check();
}

#[test]
fn a_correction_of_a_mistyped_reading_restores_the_baseline() {
    let mut log = Log::new();
    let typo = log.clean(Role::Workshop, reading(VIN, "2026-01-01", 520_000, "km"));
    let (_, flags) = log.ok(Role::Workshop, reading(VIN, "2026-02-01", 53_000, "km"));
    assert_eq!(flags.len(), 1, "53,000 after 520,000 is flagged");
    // Another workshop may not correct it; the one that logged it may.
    let correction = |value: u64| {
        json!({"vin": VIN, "event_time": "2026-02-02", "correction": {
        "target_index": typo, "reason": "typo", "replacement": reading(VIN, "2026-01-01", value, "km")}})
    };
    log.clean(Role::Workshop, correction(52_000));
    log.clean(Role::Workshop, reading(VIN, "2026-03-01", 54_000, "km"));
    let (_, flags) = log.ok(Role::Workshop, reading(VIN, "2026-03-02", 53_500, "km"));
    assert!(
        matches!(flags.as_slice(), [Flag::OdometerRollback { earlier, .. }] if *earlier == km(54_000))
    );
    log.check();
}

#[test]
fn engine_numbers_change_only_with_a_component_change() {
    let mut log = Log::new();
    let made = log.clean(
        Role::Manufacturer,
        factory(VIN, 2025, "2025-03-10", "ENG-A1"),
    );
    log.clean(
        Role::Registry,
        registration(VIN, "2025-04-01", Some("ENG-A1")),
    );
    let (_, flags) = log.ok(
        Role::Registry,
        registration(VIN, "2025-05-01", Some("ENG-B2")),
    );
    let expected = Flag::EngineNumberMismatch {
        found: "ENG-B2".into(),
        expected: "ENG-A1".into(),
        expected_index: made,
    };
    assert_eq!(flags, [expected]);
    // A component change of another part changes nothing; of the engine, the number.
    let change = |component: &str, old: &str, new: &str| {
        json!({"vin": VIN, "event_time": "2025-06-01",
        "component_change": {"component": component, "old_number": old, "new_number": new,
        "odometer": {"value": 100, "unit": "km"}}})
    };
    log.clean(Role::Workshop, change("battery", "BAT-1", "BAT-2"));
    let swap = log.clean(Role::Workshop, change("engine", "ENG-A1", "ENG-B2"));
    log.clean(
        Role::Registry,
        registration(VIN, "2025-07-01", Some("ENG-B2")),
    );
    // A change whose old number is not the known one is flagged too.
    let (_, flags) = log.ok(Role::Workshop, change("engine", "ENG-X9", "ENG-C3"));
    assert_eq!(
        flags,
        [Flag::EngineNumberMismatch {
            found: "ENG-X9".into(),
            expected: "ENG-B2".into(),
            expected_index: swap
        }]
    );
    // Every record that reports an engine number is compared.
    let mut customs = json!({"vin": VIN, "event_time": "2025-08-01", "customs_clearance": {
        "declaration_number": "D-1", "direction": "import", "country": "KZ", "port": "Khorgos",
        "engine_number": "ENG-A1"}});
    let (_, flags) = log.ok(Role::Customs, customs.clone());
    assert!(
        matches!(flags.as_slice(), [Flag::EngineNumberMismatch { expected, .. }] if expected == "ENG-C3")
    );
    customs["customs_clearance"]["engine_number"] = json!("ENG-C3");
    customs["customs_clearance"]["declaration_number"] = json!("D-2");
    log.clean(Role::Customs, customs);
    // Without a factory record there is nothing to compare with.
    log.clean(
        Role::Registry,
        registration(VIN_US, "2019-05-01", Some("ANY-1")),
    );
    log.check();
}

#[test]
fn activity_after_deregistration_is_flagged_except_after_export() {
    let mut log = Log::new();
    log.clean(Role::Registry, registration(VIN, "2025-04-01", None));
    let scrap = log.clean(
        Role::Registry,
        json!({"vin": VIN, "event_time": "2026-01-01",
        "deregistration": {"reason": "end_of_life", "region": "CN-SH"}}),
    );
    let (_, flags) = log.ok(Role::Workshop, reading(VIN, "2026-02-01", 10, "km"));
    let expected = Flag::ActivityAfterDeregistration {
        deregistration_index: scrap,
        reason: DeregistrationReason::EndOfLife,
    };
    assert_eq!(flags, std::slice::from_ref(&expected));
    // A registration is flagged, and puts the vehicle back on the road.
    let (_, flags) = log.ok(Role::Registry, registration(VIN, "2026-03-01", None));
    assert_eq!(flags, [expected]);
    log.clean(Role::Workshop, reading(VIN, "2026-04-01", 20, "km"));
    // Deregistered for export, the vehicle lives on abroad: no flags.
    log.clean(
        Role::Registry,
        json!({"vin": VIN, "event_time": "2026-05-01",
        "deregistration": {"reason": "export", "region": "CN-SH"}}),
    );
    log.clean(Role::Workshop, reading(VIN, "2026-06-01", 30, "km"));
    log.check();
}

#[test]
fn early_exports_are_flagged_without_an_after_sales_confirmation() {
    let mut log = Log::new();
    let reg = log.clean(Role::Registry, registration(VIN, "2026-03-01", None));
    let (_, flags) = log.ok(Role::Exporter, export_license(VIN, "2026-05-30", false));
    let expected = Flag::EarlyExport {
        first_registration_date: 1_772_323_200,
        registration_index: reg,
        days: 90,
    };
    assert_eq!(flags, std::slice::from_ref(&expected));
    assert_eq!(
        expected.to_string(),
        format!(
            "early_export (90 days after first registration on 2026-03-01 at entry {reg}, with no after-sales confirmation)"
        )
    );
    // Customs export is an export; import is not.
    let customs = |direction: &str, number: &str| {
        json!({"vin": VIN, "event_time": "2026-06-01", "customs_clearance": {
        "declaration_number": number, "direction": direction, "country": "CN", "port": "Horgos"}})
    };
    assert_eq!(log.ok(Role::Customs, customs("export", "D-1")).1.len(), 1);
    log.clean(Role::Customs, customs("import", "D-2"));
    // At 180 days and more, no flag.
    log.clean(Role::Exporter, export_license(VIN, "2026-08-28", false));
    // A second vehicle with the after-sales confirmation on the licence.
    log.clean(Role::Registry, registration(VIN_US, "2026-03-01", None));
    log.clean(Role::Exporter, export_license(VIN_US, "2026-04-01", true));
    log.check();
}

#[test]
fn a_replay_refuses_an_entry_whose_flags_were_edited() {
    let mut log = Log::new();
    log.clean(Role::Workshop, reading(VIN, "2026-01-01", 80_000, "km"));
    let (index, flags) = log.ok(Role::Workshop, reading(VIN, "2026-02-01", 52_000, "km"));
    assert_eq!(flags.len(), 1);
    log.check();
    // The operator strips the flag from the stored entry.
    let original = damage::entry(&log.backend, index);
    let mut entry = vledger_records::Entry::decode(&original).unwrap();
    let vledger_records::EntryBody::Record(r) = &mut entry.body else {
        panic!()
    };
    r.flags.clear();
    damage::set_entry(&log.backend, index, &entry.encode());
    let store = LogStore::new(log.backend.clone()).unwrap();
    let err = check_store(&store, &log_signer().verifier_key(), |_| ()).unwrap_err();
    match err {
        CheckError::Entry(e) => {
            assert_eq!(e.index, index);
            assert!(
                matches!(e.fault, EntryFault::Flags { ref found, .. } if found.is_empty()),
                "{e}"
            );
            assert!(
                e.to_string()
                    .contains("odometer_rollback (reading 52,000 km"),
                "{e}"
            );
        }
        other => panic!("{other}"),
    }
}

#[test]
fn every_role_signs_what_the_matrix_allows_and_nothing_else() {
    let mut log = Log::new();
    let samples: Vec<(RecordKind, Value)> = vec![
        (
            RecordKind::Factory,
            factory(VIN_US, 2019, "2019-03-01", "E-1"),
        ),
        (
            RecordKind::Registration,
            registration(VIN_US, "2019-04-01", None),
        ),
        (
            RecordKind::OdometerReading,
            reading(VIN_US, "2020-01-01", 10, "km"),
        ),
        (
            RecordKind::Damage,
            json!({"vin": VIN_US, "event_time": "2020-01-02", "damage": {"types": ["hail"], "source": "workshop"}}),
        ),
        (
            RecordKind::ExportLicense,
            export_license(VIN_US, "2021-01-01", false),
        ),
        (
            RecordKind::CustomsClearance,
            json!({"vin": VIN_US, "event_time": "2021-01-02", "customs_clearance": {
            "declaration_number": "D-9", "direction": "export", "country": "US", "port": "Long Beach"}}),
        ),
        (
            RecordKind::Maintenance,
            json!({"vin": VIN_US, "event_time": "2020-02-01", "maintenance": {
            "workshop": "W", "operations": ["oil"], "odometer": {"value": 20, "unit": "km"}}}),
        ),
        (
            RecordKind::InspectionProtocol,
            json!({"event_time": "2020-01-01", "inspection_protocol": {
            "protocol_id": "ROLE-TEST", "version": 1, "title": "t", "items": ["a"]}}),
        ),
    ];
    for role in Role::ALL {
        let mut allowed = 0;
        for (kind, json) in &samples {
            // A fresh nonce per attempt: each is a new record.
            let mut json = json.clone();
            json["nonce"] = json!(hex::encode([role.code(), kind.code()]));
            if *kind == RecordKind::InspectionProtocol {
                json["inspection_protocol"]["protocol_id"] = json!(format!("ROLE-{role}"));
            }
            if role.may_sign(*kind) {
                allowed += 1;
                log.submit(role, json.clone())
                    .unwrap_or_else(|e| panic!("{role} {kind}: {e}"));
            } else {
                match log.refused(role, json) {
                    Refusal::Unauthorized(AuthError::RoleMayNotSign { role: r, kind: k }) => {
                        assert_eq!((r, k), (role, *kind));
                    }
                    other => panic!("{role} {kind}: {other}"),
                }
            }
        }
        // A recovery key signs key records only, which these samples are
        // not: it is refused everything here.
        assert!(
            (allowed > 0 || role == Role::Recovery) && allowed < samples.len(),
            "{role} is tested both ways"
        );
    }
    log.check();
}

#[test]
fn every_json_example_in_the_records_documentation_is_a_valid_record() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/records.md"),
    )
    .unwrap();
    let mut count = 0;
    for block in doc.split("```json\n").skip(1) {
        let text = block.split("```").next().unwrap();
        if text.contains('…') {
            continue; // the annotated overview, with elided hashes
        }
        let r = Record::from_json(text).unwrap_or_else(|e| panic!("{e}:\n{text}"));
        Record::decode(&r.encode()).unwrap_or_else(|e| panic!("{e}:\n{text}"));
        count += 1;
    }
    assert_eq!(count, 15);
}
