//! The summary's data: brands, damage, owners, odometer, inspections,
//! export, corrections and flags, counted over a whole history. Part of
//! the [`Report`](super::model::Report); `docs/report.md` documents every
//! field.

use serde::Serialize;
use vledger_records::{
    ClaimOutcome, CustomsDirection, DamageType, DeregistrationReason, DistanceUnit, Powertrain,
    RecordKind, UseType, Verdict,
};

/// The summary: brands, damage, owners, odometer, inspections, export,
/// corrections and flags, counted over the whole history.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// How many records the history holds.
    pub records: usize,
    /// Whether any brand or flag is present (what `--fail-on-flags` tests).
    pub attention: bool,
    /// The vehicle as built, from its factory record (as corrected).
    pub vehicle: Option<Vehicle>,
    /// Every damage brand, with the record that first set it.
    pub brands: Vec<Brand>,
    /// Damage records.
    pub damage: DamageSummary,
    /// Ownership transfers.
    pub ownership: OwnershipSummary,
    /// Registrations, oldest first.
    pub registrations: Vec<RegistrationFact>,
    /// Deregistrations, oldest first.
    pub deregistrations: Vec<DeregistrationFact>,
    /// Odometer readings and flags.
    pub odometer: OdometerSummary,
    /// Maintenance and component changes.
    pub service: ServiceSummary,
    /// Inspections, with outcomes counted per item group.
    pub inspections: Vec<InspectionSummary>,
    /// Export licences.
    pub export_licenses: Vec<ExportLicenseFact>,
    /// Customs clearances.
    pub customs_clearances: Vec<CustomsFact>,
    /// Compliance certificates.
    pub compliance: Vec<ComplianceFact>,
    /// Claims for concealed defects.
    pub claims: Vec<ClaimFact>,
    /// Corrections and withdrawals.
    pub corrections: Vec<CorrectionFact>,
    /// Flags, counted by kind.
    pub flags: FlagSummary,
    /// The summary as printed: a label and one or more lines each.
    pub lines: Vec<SummaryLine>,
}

/// One labelled part of the printed summary.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryLine {
    /// The label (`Brands`).
    pub label: String,
    /// Its lines.
    pub text: Vec<String>,
}

/// The vehicle as built.
#[derive(Debug, Clone, Serialize)]
pub struct Vehicle {
    /// The factory record's entry.
    pub index: u64,
    /// Make.
    pub make: String,
    /// Model.
    pub model: String,
    /// Model year.
    pub model_year: u32,
    /// Powertrain.
    pub powertrain: Powertrain,
    /// Manufacture date.
    pub manufacture_date: String,
}

/// A damage brand on the VIN.
#[derive(Debug, Clone, Serialize)]
pub struct Brand {
    /// The brand: the damage type that set it.
    pub brand: DamageType,
    /// Its name in the report's language.
    pub label: String,
    /// The entry that first set it (a damage record, or a correction
    /// whose replacement added it).
    pub index: u64,
    /// That record's event date.
    pub date: String,
}

/// Damage records.
#[derive(Debug, Clone, Serialize)]
pub struct DamageSummary {
    /// Their entries.
    pub records: Vec<u64>,
    /// Whether any reports structural damage.
    pub accident: bool,
    /// Whether any reports a flood (fresh or salt water).
    pub flood: bool,
    /// Whether any reports fire.
    pub fire: bool,
}

/// Ownership transfers.
#[derive(Debug, Clone, Serialize)]
pub struct OwnershipSummary {
    /// Their entries.
    pub transfers: Vec<u64>,
    /// How many were sales for export.
    pub for_export: usize,
}

/// A registration.
#[derive(Debug, Clone, Serialize)]
pub struct RegistrationFact {
    /// Its entry.
    pub index: u64,
    /// Its event date.
    pub date: String,
    /// The first registration date it states.
    pub first_registration_date: String,
    /// Region.
    pub region: String,
    /// Use.
    pub use_type: UseType,
}

/// A deregistration.
#[derive(Debug, Clone, Serialize)]
pub struct DeregistrationFact {
    /// Its entry.
    pub index: u64,
    /// Its event date.
    pub date: String,
    /// Why.
    pub reason: DeregistrationReason,
    /// Region.
    pub region: String,
}

/// Odometer readings and what was flagged about them.
#[derive(Debug, Clone, Serialize)]
pub struct OdometerSummary {
    /// The latest reading in log order.
    pub last: Option<OdometerPoint>,
    /// How many records state a reading.
    pub readings: usize,
    /// Whether any record carries an `odometer_rollback` flag.
    pub rollback: bool,
    /// The entries that carry one.
    pub rollback_entries: Vec<u64>,
    /// Whether the VIN carries the `not_actual_mileage` brand.
    pub not_actual_mileage: bool,
    /// Instrument-cluster changes, after which readings start again.
    pub cluster_changes: Vec<u64>,
    /// Every reading in force, in log order: what the HTML report's chart
    /// draws. Not part of the JSON form (`readings` counts them).
    #[serde(skip)]
    pub points: Vec<OdometerPoint>,
}

/// An odometer reading.
#[derive(Debug, Clone, Serialize)]
pub struct OdometerPoint {
    /// The entry stating it.
    pub index: u64,
    /// That record's event date.
    pub date: String,
    /// The value.
    pub value: u64,
    /// Its unit.
    pub unit: DistanceUnit,
}

/// Maintenance and component changes.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceSummary {
    /// Maintenance entries.
    pub maintenance: Vec<u64>,
    /// Component-change entries.
    pub component_changes: Vec<u64>,
}

/// An inspection, its outcomes counted.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionSummary {
    /// Its entry.
    pub index: u64,
    /// Its event date.
    pub date: String,
    /// The protocol's id.
    pub protocol_id: String,
    /// The protocol's version.
    pub protocol_version: u32,
    /// The overall verdict.
    pub verdict: Verdict,
    /// The counts over every item.
    pub totals: OutcomeCount,
    /// The counts per item group, in the protocol's order.
    pub groups: Vec<GroupCount>,
}

/// Outcomes counted: each item in exactly one of the four.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutcomeCount {
    /// Items.
    pub items: usize,
    /// Passed.
    pub passed: usize,
    /// Passed with an advisory.
    pub advisory: usize,
    /// Failed.
    pub failed: usize,
    /// Not applicable.
    pub not_applicable: usize,
}

/// The outcomes of one item group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupCount {
    /// The group, as the protocol's items name it; `None` for items
    /// without a group prefix.
    pub group: Option<String>,
    /// Its counts.
    #[serde(flatten)]
    pub count: OutcomeCount,
}

/// An export licence.
#[derive(Debug, Clone, Serialize)]
pub struct ExportLicenseFact {
    /// Its entry.
    pub index: u64,
    /// Its event date.
    pub date: String,
    /// Licence number.
    pub license_number: String,
    /// Destination country.
    pub destination_country: String,
    /// Issuing authority.
    pub issued_by: String,
    /// Last day of validity.
    pub valid_until: Option<String>,
}

/// A customs clearance.
#[derive(Debug, Clone, Serialize)]
pub struct CustomsFact {
    /// Its entry.
    pub index: u64,
    /// Its event date.
    pub date: String,
    /// Export or import.
    pub direction: CustomsDirection,
    /// The clearing customs' country.
    pub country: String,
    /// The port.
    pub port: String,
    /// The declaration's number.
    pub declaration_number: String,
}

/// A compliance certificate.
#[derive(Debug, Clone, Serialize)]
pub struct ComplianceFact {
    /// Its entry.
    pub index: u64,
    /// Its event date.
    pub date: String,
    /// Destination country.
    pub destination_country: String,
    /// The standard.
    pub standard: String,
    /// The certificate's number.
    pub certificate_number: String,
}

/// A claim for a concealed defect.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimFact {
    /// Its entry.
    pub index: u64,
    /// Its event date.
    pub date: String,
    /// The claim's number.
    pub claim_number: String,
    /// The defect.
    pub defect: String,
    /// Where it stands.
    pub outcome: ClaimOutcome,
    /// The entry whose record concealed the defect.
    pub related_index: Option<u64>,
}

/// A correction or withdrawal.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionFact {
    /// The correction's entry.
    pub index: u64,
    /// The entry it corrects.
    pub target_index: u64,
    /// That entry's kind.
    pub target_kind: Option<RecordKind>,
    /// Whether it withdraws the original rather than replacing it.
    pub withdrawn: bool,
    /// Why, as its signer wrote it.
    pub reason: String,
}

/// Flags counted.
#[derive(Debug, Clone, Serialize)]
pub struct FlagSummary {
    /// How many flags the history's entries carry.
    pub total: usize,
    /// Per kind of flag, in the order first seen.
    pub kinds: Vec<FlagCount>,
}

/// One kind of flag, counted.
#[derive(Debug, Clone, Serialize)]
pub struct FlagCount {
    /// The flag's name (`odometer_rollback`).
    pub flag: &'static str,
    /// Its name in the report's language.
    pub label: String,
    /// How many times it was raised.
    pub count: usize,
    /// The entries that carry it.
    pub entries: Vec<u64>,
}
