//! What a record says, field by field, in plain words: a label from the
//! catalogue and a value, the record's enums in words and what its signer
//! wrote as written. Corrections are described by the timeline, which
//! knows what they correct.

use vledger_records::{Component, ItemOutcome, Odometer, RecordBody};

use super::groups;
use super::model::Fact;
use super::summary_model::{GroupCount, OutcomeCount};
use super::words::{amount, date, list, reading, yes_no};
use crate::i18n::{Key, Lang, count, fill, text, values};

/// Collects facts in one language.
struct Facts {
    lang: Lang,
    out: Vec<Fact>,
}

impl Facts {
    fn add(&mut self, label: Key, value: impl Into<String>) {
        self.out.push(Fact {
            label: text(self.lang, label).to_owned(),
            value: value.into(),
        });
    }

    fn word(&mut self, label: Key, value: Key) {
        self.add(label, text(self.lang, value));
    }

    fn some(&mut self, label: Key, value: Option<&String>) {
        if let Some(v) = value {
            self.add(label, v.clone());
        }
    }

    fn text_if_any(&mut self, label: Key, value: &str) {
        if !value.is_empty() {
            self.add(label, value);
        }
    }
}

/// The counts of one inspection group or of a whole inspection, in words:
/// `19 of 20 passed, 1 advisory`.
#[must_use]
pub(crate) fn outcome_counts(lang: Lang, c: &OutcomeCount) -> String {
    let (passed, total) = (c.passed.to_string(), c.items.to_string());
    let mut parts = vec![fill(
        lang,
        Key::PassedOf,
        &[("passed", &passed), ("total", &total)],
    )];
    if c.advisory > 0 {
        parts.push(count(lang, Key::Advisories, c.advisory, &[]));
    }
    if c.failed > 0 {
        parts.push(count(lang, Key::FailedCount, c.failed, &[]));
    }
    if c.not_applicable > 0 {
        parts.push(count(lang, Key::NotApplicableCount, c.not_applicable, &[]));
    }
    parts.join(text(lang, Key::Comma))
}

/// An inspection group's line: `Braking: 14 of 14 passed`.
#[must_use]
pub(crate) fn group_line(lang: Lang, g: &GroupCount) -> String {
    let name = g
        .group
        .as_deref()
        .unwrap_or_else(|| text(lang, Key::OtherItems));
    fill(
        lang,
        Key::GroupLine,
        &[("group", name), ("counts", &outcome_counts(lang, &g.count))],
    )
}

/// The facts of a record body; none for a correction.
#[must_use]
#[allow(clippy::too_many_lines)] // one arm per kind of record
pub(crate) fn facts(lang: Lang, body: &RecordBody) -> Vec<Fact> {
    let mut f = Facts {
        lang,
        out: Vec::new(),
    };
    match body {
        RecordBody::Factory(x) => {
            f.add(Key::FMakeModel, format!("{} {}", x.make, x.model));
            f.add(Key::FModelYear, x.model_year.to_string());
            f.add(Key::FManufactured, date(x.manufacture_date));
            f.word(Key::FPowertrain, values::powertrain(x.powertrain));
            let engine = match x.powertrain.prime_mover() {
                Component::DriveMotor => Key::FMotorNumber,
                _ => Key::FEngineNumber,
            };
            f.add(engine, x.engine_number.clone());
            f.add(Key::FEmission, x.emission_standard.clone());
            f.add(Key::FCoc, x.coc_sha256.to_string());
        }
        RecordBody::Registration(x) => {
            f.add(Key::FFirstRegistration, date(x.first_registration_date));
            f.add(Key::FRegion, x.region.clone());
            f.word(Key::FUse, values::use_type(x.use_type));
            f.some(Key::FEngineNumber, x.engine_number.as_ref());
        }
        RecordBody::OwnershipTransfer(x) => {
            f.add(Key::FSeller, hex::encode(x.from_party.as_bytes()));
            f.add(Key::FBuyer, hex::encode(x.to_party.as_bytes()));
            f.add(Key::FForExport, yes_no(lang, x.for_export));
            f.add(Key::FOdometer, reading(lang, x.odometer));
        }
        RecordBody::OdometerReading(x) => {
            let o = Odometer {
                value: x.value,
                unit: x.unit,
            };
            f.add(Key::FOdometer, reading(lang, o));
            f.word(Key::FReadFrom, values::odometer_source(x.source));
        }
        RecordBody::Maintenance(x) => {
            f.add(Key::FWorkshop, x.workshop.clone());
            f.add(Key::FWorkDone, list(lang, &x.operations));
            if !x.parts.is_empty() {
                f.add(Key::FParts, list(lang, &x.parts));
            }
            f.add(Key::FOdometer, reading(lang, x.odometer));
        }
        RecordBody::ComponentChange(x) => {
            f.word(Key::FComponent, values::component(x.component));
            f.add(Key::FOldNumber, x.old_number.clone());
            f.add(Key::FNewNumber, x.new_number.clone());
            f.add(Key::FOdometer, reading(lang, x.odometer));
            f.text_if_any(Key::FReason, &x.reason);
        }
        RecordBody::Damage(x) => {
            let types: Vec<String> = x
                .types
                .iter()
                .map(|t| text(lang, values::damage(*t)).to_owned())
                .collect();
            f.add(Key::FDamage, list(lang, &types));
            f.word(Key::FEstablishedBy, values::damage_source(x.source));
            f.text_if_any(Key::FDescription, &x.description);
        }
        RecordBody::Inspection(x) => {
            f.add(Key::FProtocol, x.protocol().to_string());
            f.add(Key::FAccreditation, x.accreditation_number.clone());
            f.word(Key::FVerdict, values::verdict(x.verdict));
            if let Some(o) = x.odometer {
                f.add(Key::FOdometer, reading(lang, o));
            }
            f.some(Key::FEngineNumber, x.engine_number.as_ref());
            let (totals, groups) = groups::count(x);
            f.add(Key::FResults, outcome_counts(lang, &totals));
            for g in groups::breakdown(&groups) {
                f.add(Key::FResults, group_line(lang, g));
            }
            for r in &x.results {
                if r.outcome == ItemOutcome::Pass && r.note.is_empty() {
                    continue;
                }
                let outcome = text(lang, values::outcome(r.outcome));
                let line = if r.note.is_empty() {
                    fill(
                        lang,
                        Key::ItemResult,
                        &[("item", &r.item), ("outcome", outcome)],
                    )
                } else {
                    fill(
                        lang,
                        Key::ItemResultNote,
                        &[("item", &r.item), ("outcome", outcome), ("note", &r.note)],
                    )
                };
                f.add(Key::FFinding, line);
            }
        }
        RecordBody::InspectionProtocol(x) => {
            f.add(Key::FProtocol, x.id().to_string());
            f.add(Key::FTitle, x.title.clone());
            f.add(Key::FItems, x.items.len().to_string());
        }
        RecordBody::ExportLicense(x) => {
            f.add(Key::FLicenseNumber, x.license_number.clone());
            f.add(Key::FDestination, x.destination_country.clone());
            f.add(Key::FIssuedBy, x.issued_by.clone());
            if let Some(t) = x.valid_until {
                f.add(Key::FValidUntil, date(t));
            }
            f.some(Key::FEngineNumber, x.engine_number.as_ref());
        }
        RecordBody::CustomsClearance(x) => {
            f.add(Key::FDeclarationNumber, x.declaration_number.clone());
            f.word(Key::FDirection, values::direction(x.direction));
            f.add(Key::FCountry, x.country.clone());
            f.add(Key::FPort, x.port.clone());
            f.some(Key::FEngineNumber, x.engine_number.as_ref());
        }
        RecordBody::Deregistration(x) => {
            f.word(Key::FReason, values::deregistration(x.reason));
            f.add(Key::FRegion, x.region.clone());
            f.some(Key::FCertificateNumber, x.certificate_number.as_ref());
        }
        RecordBody::Compliance(x) => {
            f.add(Key::FDestination, x.destination_country.clone());
            f.add(Key::FStandard, x.standard.clone());
            f.add(Key::FCertificateNumber, x.certificate_number.clone());
        }
        RecordBody::Claim(x) => {
            f.add(Key::FClaimNumber, x.claim_number.clone());
            f.add(Key::FDefect, x.defect.clone());
            f.word(Key::FOutcome, values::claim_outcome(x.outcome));
            if let Some(i) = x.related_index {
                f.add(Key::FConcerns, i.to_string());
            }
            if let Some(a) = &x.amount {
                f.add(Key::FAmount, amount(a));
            }
            if let Some(c) = &x.claimant {
                f.add(Key::FClaimant, hex::encode(c.as_bytes()));
            }
        }
        RecordBody::KeyEnrollment(x) => {
            f.add(Key::FKeyBytes, hex::encode(x.public_key.as_bytes()));
            f.word(Key::FRole, values::role(x.role));
            f.add(Key::FName, x.name.clone());
        }
        RecordBody::KeyRevocation(x) => {
            f.add(Key::FKeyBytes, hex::encode(x.public_key.as_bytes()));
            f.text_if_any(Key::FReason, &x.reason);
        }
        _ => {}
    }
    f.out
}
