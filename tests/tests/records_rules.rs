//! The record rules on a running node: every rejection rule answers with
//! its exact status naming the field and leaves the log unchanged, every
//! flag comes back in `vledger submit`'s output and in the receipt that
//! `vledger-verify` checks, and `vledger check` re-derives them all. One
//! node serves every case (the rules themselves are tested exhaustively in
//! ledger/tests/records.rs).

use serde_json::{Value, json};
use vledger_tests::{
    Key, Node, TestLog, checkpoint, flags_line, logged_index, path_str, submit, verify_proof,
    vledger,
};

/// Model year S (2025).
const VIN_F: &str = "LGXCE4CB8S0123456";
const VIN_A: &str = vledger_tests::VIN_A;
const VIN_B: &str = vledger_tests::VIN_B;
/// Model year S (2025).
const VIN_E: &str = "LVSHFFAL1S0004321";

struct Case<'a> {
    log: &'a TestLog,
    node: &'a Node,
}

impl Case<'_> {
    /// Submits `json` signed by `key`; it must be logged. Returns the entry
    /// index and the FLAGS line, after checking that the receipt verifies
    /// offline and shows the same flags.
    #[track_caller]
    fn logged(&self, key: &Key, name: &str, json: &Value) -> (u64, Option<String>) {
        let record = self.log.write_json(name, json);
        let receipt = record.with_extension("tlog-proof");
        let out = submit(&self.node.url, key, &record, &receipt).ok();
        let flags = flags_line(&out).map(str::to_owned);
        let v = verify_proof(self.log.log_vkey_file(), &receipt).ok();
        assert_eq!(
            flags_line(&v),
            flags.as_deref(),
            "the receipt's flags differ from submit's: {out}\n{v}"
        );
        (logged_index(&out), flags)
    }

    /// Submits `json`; it must be refused with `expected` (`Code: field...`)
    /// and change nothing.
    #[track_caller]
    fn refused(&self, key: &Key, name: &str, json: &Value, expected: &str) {
        let before = checkpoint(self.node, None);
        let record = self.log.write_json(name, json);
        let receipt = record.with_extension("tlog-proof");
        let out = submit(&self.node.url, key, &record, &receipt).fails();
        assert!(
            out.stderr.contains(&format!("vledger: {expected}")),
            "expected {expected:?}: {out}"
        );
        assert!(!receipt.exists(), "a refused record got a receipt: {out}");
        assert_eq!(
            checkpoint(self.node, None),
            before,
            "a refused record changed the log"
        );
    }
}

fn reading(vin: &str, date: &str, km: u64) -> Value {
    json!({"vin": vin, "event_time": date,
           "odometer_reading": {"value": km, "unit": "km", "source": "service"}})
}

fn factory(model_year: u32, date: &str, engine: &str) -> Value {
    json!({"vin": VIN_F, "event_time": date, "factory": {
        "make": "Example Auto", "model": "E7", "model_year": model_year, "manufacture_date": date,
        "engine_number": engine, "powertrain": "petrol", "emission_standard": "China 6b",
        "coc_sha256": "ab".repeat(32)}})
}

fn registration(vin: &str, date: &str, engine: &str) -> Value {
    json!({"vin": vin, "event_time": date, "registration": {"first_registration_date": date,
        "region": "CN-SH", "use_type": "private", "engine_number": engine}})
}

fn inspection(items: &[&str]) -> Value {
    json!({"vin": VIN_F, "event_time": "2026-06-01",
        "attachments": [
            {"sha256": "ab".repeat(32), "media_type": "application/pdf", "language": "zh", "kind": "report"},
            {"sha256": "cd".repeat(32), "media_type": "application/pdf", "language": "en", "kind": "report"}],
        "inspection": {"accreditation_number": "CNAS L1", "protocol_id": "E2E-3", "protocol_version": 1,
            "results": items.iter().map(|i| json!({"item": i, "outcome": "pass"})).collect::<Vec<_>>(),
            "verdict": "pass"}})
}

/// Sends a record with a bad VIN straight over gRPC, as a client that does
/// no local checks would (`vledger submit` refuses it before sending).
fn append_raw_bad_vin(url: &str) -> (tonic::Code, String) {
    use vledger_proto::v1 as pb;
    let record = pb::Record {
        vin: "1M8GDM9A1KP042788".into(), // check digit should be X
        event_time: 1_790_000_000,
        body: Some(pb::record::Body::OdometerReading(pb::OdometerReading {
            value: 1,
            unit: pb::DistanceUnit::Km as i32,
            source: pb::OdometerSource::Obd as i32,
        })),
        ..pb::Record::default()
    };
    // The Ed25519 base point: a valid key. The node reads the record (and
    // refuses its VIN) before it checks the signature.
    let mut public_key = vec![0x66; 32];
    public_key[0] = 0x58;
    let request = pb::AppendRequest {
        signed: Some(pb::SignedRecord {
            record: prost::Message::encode_to_vec(&record),
            public_key,
            signature: vec![0; 64],
            origin: String::new(),
        }),
        ..pb::AppendRequest::default()
    };
    vledger_tests::block_on(async {
        let status = vledger_tests::log_client(url)
            .await
            .append(request)
            .await
            .expect_err("a bad VIN was logged");
        (status.code(), status.message().to_owned())
    })
}

#[test]
fn rejections_and_flags_on_a_running_node() {
    let log = TestLog::init();
    let mut node = log.start();
    let key = |role| log.enrolled(&node.url, role);
    let (maker, registry, workshop) = (key("manufacturer"), key("registry"), key("workshop"));
    let (inspector, exporter, customs) = (key("inspection_body"), key("exporter"), key("customs"));
    let case = Case {
        log: &log,
        node: &node,
    };

    // The role matrix, both ways: an exporter may not sign an inspection,
    // nor customs a factory record; their own kinds they may.
    case.refused(
        &exporter,
        "exporter-inspection",
        &inspection(&["a"]),
        "PermissionDenied: a key with role exporter may not sign inspection records",
    );
    case.refused(
        &customs,
        "customs-factory",
        &factory(2025, "2025-03-10", "ENG-A1"),
        "PermissionDenied: a key with role customs may not sign factory records",
    );

    // A VIN with a wrong check digit, sent raw.
    let before = checkpoint(&node, None);
    let (code, message) = append_raw_bad_vin(&node.url);
    assert_eq!(code, tonic::Code::InvalidArgument, "{message}");
    assert!(
        message.starts_with("record.vin: VIN check digit"),
        "{message}"
    );
    assert_eq!(checkpoint(&node, None), before);

    // The model year against the VIN's code; then a second factory record.
    case.refused(
        &maker,
        "model-year",
        &factory(2024, "2024-06-01", "ENG-A1"),
        "InvalidArgument: factory.model_year: 2024 does not match the VIN's model-year code 'S'",
    );
    let (made, flags) = case.logged(&maker, "factory", &factory(2025, "2025-03-10", "ENG-A1"));
    assert_eq!(flags, None);
    case.refused(
        &maker,
        "factory-again",
        &factory(2025, "2025-03-12", "ENG-A2"),
        &format!("InvalidArgument: factory: the VIN already has a factory record at entry {made}"),
    );

    // Dates in the future, in the record and in its body.
    case.refused(
        &workshop,
        "future",
        &reading(VIN_F, "2030-01-01", 10),
        "InvalidArgument: record.event_time: is in the future",
    );
    let mut reg = registration(VIN_F, "2025-04-01", "ENG-A1");
    reg["registration"]["first_registration_date"] = json!("2030-01-01");
    case.refused(
        &registry,
        "future-registration",
        &reg,
        "InvalidArgument: registration.first_registration_date: is in the future",
    );

    // A party that is a name, not a commitment.
    let name = "5a68616e672053616e2c20494420313130313031313939303033303734353132";
    let transfer = json!({"vin": VIN_F, "event_time": "2026-01-01", "ownership_transfer": {
        "from_party": name, "to_party": "8d".repeat(32), "odometer": {"value": 5, "unit": "km"}}});
    case.refused(
        &registry,
        "party",
        &transfer,
        "InvalidArgument: ownership_transfer.from_party: is not a party commitment",
    );

    // Inspections: an undeclared protocol, then an item set that is not its.
    case.refused(
        &inspector,
        "no-protocol",
        &inspection(&["brakes", "tyres", "lights"]),
        "InvalidArgument: inspection.protocol_id: names no declared inspection protocol",
    );
    let protocol = json!({"event_time": "2026-01-01", "inspection_protocol": {
        "protocol_id": "E2E-3", "version": 1, "title": "Three checks",
        "items": ["brakes", "tyres", "lights"]}});
    case.logged(&inspector, "protocol", &protocol);
    case.refused(
        &inspector,
        "items",
        &inspection(&["brakes", "tyres"]),
        "InvalidArgument: inspection.results: do not cover exactly the protocol's items: missing \"lights\"",
    );
    case.logged(
        &inspector,
        "inspection",
        &inspection(&["tyres", "lights", "brakes"]),
    );

    // Corrections: of nothing; withdrawing a damage brand.
    let correction = |target: u64| {
        json!({"vin": VIN_F, "event_time": "2026-07-01",
        "correction": {"target_index": target, "reason": "mistake"}})
    };
    case.refused(
        &workshop,
        "correct-nothing",
        &correction(1_000_000),
        "InvalidArgument: correction.target_index: names no earlier record about this VIN",
    );
    let flood = json!({"vin": VIN_F, "event_time": "2026-06-20", "damage": {
        "types": ["flood_fresh_water"], "source": "workshop"}});
    let (damage, _) = case.logged(&workshop, "flood", &flood);
    case.refused(
        &registry,
        "other-signer",
        &correction(damage),
        "PermissionDenied: only key",
    );
    case.refused(
        &workshop,
        "drop-brand",
        &correction(damage),
        "InvalidArgument: correction.replacement: would remove the damage brand flood_fresh_water",
    );

    // Oversized: a field, and a whole record (60 KiB).
    let big = json!({"vin": VIN_F, "event_time": "2026-01-01", "maintenance": {
        "workshop": "W".repeat(300), "operations": ["oil"], "odometer": {"value": 5, "unit": "km"}}});
    case.refused(
        &workshop,
        "big-field",
        &big,
        "InvalidArgument: maintenance.workshop: is longer than 256 bytes",
    );
    let items: Vec<String> = (0..700)
        .map(|i| format!("{i:04} {}", "x".repeat(110)))
        .collect();
    let huge = json!({"event_time": "2026-01-01", "inspection_protocol": {
        "protocol_id": "HUGE", "version": 1, "title": "t", "items": items}});
    case.refused(
        &inspector,
        "big-record",
        &huge,
        "ResourceExhausted: signed.record: is longer than 61440 bytes",
    );

    // Flags. An odometer rollback.
    let (top, _) = case.logged(&workshop, "r80", &reading(VIN_A, "2026-02-01", 80_000));
    let (_, flags) = case.logged(&workshop, "r52", &reading(VIN_A, "2026-03-01", 52_000));
    assert_eq!(
        flags.as_deref(),
        Some(format!("odometer_rollback (reading 52,000 km < 80,000 km at entry {top})").as_str())
    );
    // An engine number that differs from the factory's.
    let (_, flags) = case.logged(
        &registry,
        "reg-f",
        &registration(VIN_F, "2025-04-01", "ENG-B2"),
    );
    assert_eq!(
        flags.as_deref(),
        Some(
            format!(
                "engine_number_mismatch (engine number ENG-B2 differs from ENG-A1 recorded at entry {made})"
            )
            .as_str()
        )
    );
    // Activity after deregistration.
    let scrap = json!({"vin": VIN_B, "event_time": "2026-04-01", "deregistration": {
        "reason": "end_of_life", "region": "CN-SH"}});
    let (dereg, _) = case.logged(&registry, "scrap", &scrap);
    let (_, flags) = case.logged(&workshop, "after", &reading(VIN_B, "2026-05-01", 100));
    assert_eq!(
        flags.as_deref(),
        Some(
            format!("activity_after_deregistration (deregistered at entry {dereg}: end_of_life)")
                .as_str()
        )
    );
    // An export 30 days after first registration, with no after-sales confirmation.
    let (first, _) = case.logged(
        &registry,
        "reg-e",
        &registration(VIN_E, "2026-09-01", "ENG-E1"),
    );
    let license = json!({"vin": VIN_E, "event_time": "2026-10-01", "export_license": {
        "license_number": "EL-7", "destination_country": "KZ", "issued_by": "MOFCOM"}});
    let (_, flags) = case.logged(&exporter, "export", &license);
    assert_eq!(
        flags.as_deref(),
        Some(format!("early_export (30 days after first registration on 2026-09-01 at entry {first}, with no after-sales confirmation)").as_str())
    );

    // The VIN's history view shows the flag under its record.
    let bundle = log.path("a.vhist.json");
    vledger([
        "history",
        "--node",
        &node.url,
        VIN_A,
        "--out",
        path_str(&bundle),
    ])
    .ok();
    let view = vledger_tests::run(
        &vledger_tests::bins().verify,
        [
            "history",
            "--log-key",
            path_str(&log.log_vkey_file()),
            path_str(&bundle),
        ],
    )
    .ok();
    assert!(
        view.stdout.contains(&format!(
            "FLAG: odometer rollback: 52000 km is below 80000 km recorded at entry {top}"
        )),
        "{view}"
    );

    // An auditor's replay re-derives every decision and every flag.
    node.stop();
    let check = vledger(["check", "--data", path_str(&log.data)]).ok();
    assert!(check.stdout.starts_with("ok:"), "{check}");
}
