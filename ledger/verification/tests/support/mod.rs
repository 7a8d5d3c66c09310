//! Synthetic verified histories for the report's tests: a builder that
//! signs records and chains them as a verified bundle would hold them, and
//! a troubled car that has a bit of everything.

#![allow(dead_code)] // each test file uses some of it

use serde_json::{Value, json};
use vledger_records::{
    ChainLink, DeregistrationReason, DistanceUnit, Entry, EntryBody, Flag, Odometer, Record,
    RecordEntry, Role, SignedRecord, Vin, VinChain,
};
use vledger_tlog::Hash;
use vledger_tlog::merkle::TreeSize;
use vledger_tlog::note::{Checkpoint, Signer};
use vledger_verification::history::{HistoryRecord, VerifiedHistory};
use vledger_verification::report::Report;

pub const VIN: &str = "1M8GDM9AXKP042788";
pub const ORIGIN: &str = "test.example/log";

/// Builds a verified history entry by entry, every other leaf being
/// someone else's.
pub struct History {
    records: Vec<HistoryRecord>,
    next: u64,
}

impl History {
    pub fn new() -> Self {
        Self {
            records: Vec::new(),
            next: 2,
        }
    }

    /// Appends `record` (its JSON form, `vin` added) signed by an
    /// organisation of `role`; returns its entry.
    pub fn add(&mut self, role: Role, name: &str, mut record: Value, flags: Vec<Flag>) -> u64 {
        record["vin"] = json!(VIN);
        let record = Record::from_json(&record.to_string()).expect("record JSON");
        let key = Signer::from_seed(name.replace(' ', "-"), &[name.len() as u8; 32]).expect("key");
        let index = self.next;
        self.next += 2;
        let sequence = self.records.len() as u64;
        let previous = self.records.last().map(|r| ChainLink {
            index: r.index,
            leaf_hash: Hash([7; 32]),
        });
        self.records.push(HistoryRecord {
            index,
            entry: Entry {
                logged_at_ms: 1_790_000_000_000 + index as i64 * 1000,
                body: EntryBody::Record(Box::new(RecordEntry {
                    signed: SignedRecord::sign_for(ORIGIN, &record, key.signing_key()).unwrap(),
                    chain: Some(VinChain { sequence, previous }),
                    flags,
                })),
            },
            role,
            signer_name: Some(name.to_owned()),
        });
        index
    }

    pub fn verified(self, witnessed: Option<u64>) -> VerifiedHistory {
        let checkpoint = |size| Checkpoint::new(ORIGIN, TreeSize(size), Hash([1; 32])).unwrap();
        VerifiedHistory {
            vin: Vin::parse(VIN).unwrap(),
            checkpoint: checkpoint(self.next),
            index_logged_at_ms: 1_796_306_119_000,
            witnessed: witnessed.map(checkpoint),
            records: self.records,
        }
    }
}

pub fn km(value: u64) -> Odometer {
    Odometer {
        value,
        unit: DistanceUnit::Km,
    }
}

pub fn reading(value: u64, date: &str) -> Value {
    json!({"event_time": date, "odometer_reading": {"value": value, "unit": "km", "source": "dashboard"}})
}

/// A troubled car: a mistyped reading corrected, a flood brand widened by
/// a correction, a theft and a registration after it, a failed item, an
/// early export, a claim, and a reading withdrawn.
pub fn troubled() -> (VerifiedHistory, Vec<u64>) {
    const GARAGE: &str = "Fix-It Garage";
    const DMV: &str = "State Registry";
    let mut h = History::new();
    let mut at = vec![h.add(
        Role::Manufacturer,
        "Example Motors",
        json!({"event_time": "2019-03-01", "factory": {"make": "Example", "model": "Sedan",
            "model_year": 2019, "manufacture_date": "2019-03-01", "engine_number": "EN-1",
            "powertrain": "petrol", "emission_standard": "Tier 3", "coc_sha256": "ab".repeat(32)}}),
        vec![],
    )];
    at.push(h.add(
        Role::Registry,
        DMV,
        json!({"event_time": "2019-05-01", "registration": {"first_registration_date": "2019-05-01",
            "region": "US-CA", "use_type": "private"}}),
        vec![],
    ));
    let mistyped = h.add(
        Role::Workshop,
        GARAGE,
        reading(98_000, "2020-01-10"),
        vec![],
    );
    at.push(mistyped);
    at.push(h.add(
        Role::Workshop,
        GARAGE,
        reading(15_000, "2020-06-01"),
        vec![Flag::OdometerRollback {
            reading: km(15_000),
            earlier: km(98_000),
            earlier_index: mistyped,
        }],
    ));
    at.push(h.add(
        Role::Workshop,
        GARAGE,
        json!({"event_time": "2020-06-02", "correction": {"target_index": mistyped,
            "reason": "Typed 98000 for 9800", "replacement": {"vin": VIN,
            "event_time": "2020-01-10", "odometer_reading": {"value": 9800, "unit": "km",
            "source": "dashboard"}}}}),
        vec![],
    ));
    let flood = h.add(
        Role::Workshop,
        GARAGE,
        json!({"event_time": "2021-07-15", "damage": {"types": ["flood_fresh_water"],
            "source": "insurance_claim", "description": "River burst its banks"}}),
        vec![],
    );
    at.push(flood);
    at.push(h.add(
        Role::Workshop,
        GARAGE,
        json!({"event_time": "2021-07-20", "correction": {"target_index": flood,
            "reason": "The wiring loom burnt too", "replacement": {"vin": VIN,
            "event_time": "2021-07-15", "damage": {"types": ["flood_fresh_water", "fire"],
            "source": "insurance_claim", "description": "River burst its banks"}}}}),
        vec![],
    ));
    for (date, export, value) in [("2022-01-05", false, 20_000), ("2022-09-01", true, 21_000)] {
        at.push(h.add(
            Role::Registry,
            DMV,
            json!({"event_time": date, "ownership_transfer": {"from_party": "5e".repeat(32),
                "to_party": "6f".repeat(32), "for_export": export,
                "odometer": {"value": value, "unit": "km"}}}),
            vec![],
        ));
    }
    let theft = h.add(
        Role::Registry,
        DMV,
        json!({"event_time": "2022-10-01", "deregistration": {"reason": "theft", "region": "US-CA"}}),
        vec![],
    );
    at.push(theft);
    at.push(h.add(
        Role::Registry,
        DMV,
        json!({"event_time": "2022-12-01", "registration": {"first_registration_date": "2019-05-01",
            "region": "US-NV", "use_type": "rental"}}),
        vec![Flag::ActivityAfterDeregistration {
            deregistration_index: theft,
            reason: DeregistrationReason::Theft,
        }],
    ));
    at.push(h.add(
        Role::InspectionBody,
        "Port Inspection Ltd",
        json!({"event_time": "2023-01-10", "inspection": {"accreditation_number": "ACC 9",
            "protocol_id": "TEST-4", "protocol_version": 2, "verdict": "fail",
            "odometer": {"value": 21_500, "unit": "km"},
            "results": [
                {"item": "Braking: Pads", "outcome": "pass"},
                {"item": "Braking: Discs", "outcome": "fail", "note": "Scored"},
                {"item": "Body: Roof", "outcome": "advisory"},
                {"item": "Horn", "outcome": "not_applicable"}]}}),
        vec![],
    ));
    at.push(h.add(
        Role::Exporter,
        "Export Co",
        json!({"event_time": "2023-02-01", "export_license": {"license_number": "EL-1",
            "destination_country": "NG", "issued_by": "Ministry of Trade"}}),
        vec![Flag::EarlyExport {
            first_registration_date: 1_556_668_800,
            registration_index: 4,
            days: 90,
        }],
    ));
    at.push(h.add(
        Role::Customs,
        "Port Customs",
        json!({"event_time": "2023-02-10", "customs_clearance": {"declaration_number": "D-1",
            "direction": "export", "country": "US", "port": "Long Beach"}}),
        vec![],
    ));
    at.push(h.add(
        Role::Exporter,
        "Export Co",
        json!({"event_time": "2023-05-01", "claim": {"claim_number": "CL-1",
            "defect": "flood damage concealed at sale", "outcome": "refunded",
            "related_index": flood, "amount": {"minor_units": 250_000, "currency": "USD"}}}),
        vec![],
    ));
    let late = h.add(
        Role::Workshop,
        GARAGE,
        reading(21_600, "2023-06-01"),
        vec![],
    );
    at.push(late);
    at.push(h.add(
        Role::Workshop,
        GARAGE,
        json!({"event_time": "2023-06-02", "correction": {"target_index": late,
            "reason": "Wrong vehicle"}}),
        vec![],
    ));
    (h.verified(None), at)
}

pub fn line<'a>(report: &'a Report, label: &str) -> &'a [String] {
    report
        .summary
        .lines
        .iter()
        .find(|l| l.label == label)
        .map(|l| l.text.as_slice())
        .unwrap_or_else(|| panic!("no {label} line"))
}
