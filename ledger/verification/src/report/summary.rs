//! The summary's data, counted over a whole verified history: what is in
//! force after corrections for facts (registrations, readings, ...), and
//! every damage record and every correction's replacement for brands,
//! which no correction removes. Flags are the entries' own, as the log's
//! rules raised them.

use std::collections::HashMap;

use vledger_records::{Component, DamageType, Flag, Record, RecordBody};

use super::corrections::{InForce, record_of};
use super::groups;
use super::summary_model::{
    Brand, ClaimFact, ComplianceFact, CorrectionFact, CustomsFact, DamageSummary,
    DeregistrationFact, ExportLicenseFact, FlagCount, FlagSummary, InspectionSummary,
    OdometerPoint, OdometerSummary, OwnershipSummary, RegistrationFact, ServiceSummary, Summary,
    Vehicle,
};
use super::words::date;
use crate::history::VerifiedHistory;
use crate::i18n::{Lang, text, values};

/// The name of the odometer rollback flag.
const ROLLBACK: &str = "odometer_rollback";

/// The summary of `h`, without its printed lines.
#[must_use]
pub(crate) fn collect(lang: Lang, h: &VerifiedHistory, in_force: &InForce) -> Summary {
    let originals: HashMap<u64, &Record> = h
        .records
        .iter()
        .filter_map(|r| record_of(r).map(|rec| (r.index, rec)))
        .collect();
    let mut s = Summary {
        records: h.records.len(),
        attention: false,
        vehicle: None,
        brands: Vec::new(),
        damage: DamageSummary {
            records: Vec::new(),
            accident: false,
            flood: false,
            fire: false,
        },
        ownership: OwnershipSummary {
            transfers: Vec::new(),
            for_export: 0,
        },
        registrations: Vec::new(),
        deregistrations: Vec::new(),
        odometer: OdometerSummary {
            last: None,
            readings: 0,
            rollback: false,
            rollback_entries: Vec::new(),
            not_actual_mileage: false,
            cluster_changes: Vec::new(),
            points: Vec::new(),
        },
        service: ServiceSummary {
            maintenance: Vec::new(),
            component_changes: Vec::new(),
        },
        inspections: Vec::new(),
        export_licenses: Vec::new(),
        customs_clearances: Vec::new(),
        compliance: Vec::new(),
        claims: Vec::new(),
        corrections: Vec::new(),
        flags: FlagSummary {
            total: 0,
            kinds: Vec::new(),
        },
        lines: Vec::new(),
    };
    for r in &h.records {
        let (Some(rec), Some(original)) = (r.entry.record(), record_of(r)) else {
            continue;
        };
        for f in &rec.flags {
            count_flag(lang, &mut s.flags, f, r.index);
        }
        // Brands: every damage record and every replacement, never undone.
        match &original.body {
            RecordBody::Damage(d) => {
                s.damage.records.push(r.index);
                for t in &d.types {
                    brand(lang, &mut s.brands, *t, r.index, original.event_time);
                }
            }
            RecordBody::Correction(c) => {
                if let Some(RecordBody::Damage(d)) = c.replacement.as_ref().map(|x| &x.body) {
                    for t in &d.types {
                        brand(lang, &mut s.brands, *t, r.index, original.event_time);
                    }
                }
                s.corrections.push(CorrectionFact {
                    index: r.index,
                    target_index: c.target_index,
                    target_kind: originals.get(&c.target_index).map(|t| t.kind()),
                    withdrawn: c.replacement.is_none(),
                    reason: c.reason.clone(),
                });
                continue;
            }
            _ => {}
        }
        // Facts: what is in force.
        if let Some(record) = in_force.record(r.index, original) {
            facts(&mut s, r.index, record);
        }
    }
    let has = |t: DamageType| s.brands.iter().any(|b| b.brand == t);
    s.damage.accident = has(DamageType::Structural);
    s.damage.flood = has(DamageType::FloodFreshWater) || has(DamageType::FloodSaltWater);
    s.damage.fire = has(DamageType::Fire);
    s.odometer.not_actual_mileage = has(DamageType::NotActualMileage);
    s.odometer.rollback_entries = s
        .flags
        .kinds
        .iter()
        .find(|k| k.flag == ROLLBACK)
        .map(|k| k.entries.clone())
        .unwrap_or_default();
    s.odometer.rollback = !s.odometer.rollback_entries.is_empty();
    s.attention = !s.brands.is_empty() || s.flags.total > 0;
    s
}

fn brand(lang: Lang, brands: &mut Vec<Brand>, t: DamageType, index: u64, at: i64) {
    if !brands.iter().any(|b| b.brand == t) {
        brands.push(Brand {
            brand: t,
            label: text(lang, values::damage(t)).to_owned(),
            index,
            date: date(at),
        });
    }
}

fn count_flag(lang: Lang, flags: &mut FlagSummary, f: &Flag, index: u64) {
    flags.total += 1;
    match flags.kinds.iter_mut().find(|k| k.flag == f.name()) {
        Some(k) => {
            k.count += 1;
            if !k.entries.contains(&index) {
                k.entries.push(index);
            }
        }
        None => flags.kinds.push(FlagCount {
            flag: f.name(),
            label: text(lang, values::flag(f)).to_owned(),
            count: 1,
            entries: vec![index],
        }),
    }
}

/// Counts what `record`, in force for entry `index`, says.
fn facts(s: &mut Summary, index: u64, record: &Record) {
    let day = date(record.event_time);
    if let Some(o) = record.body.odometer() {
        s.odometer.readings += 1;
        let point = OdometerPoint {
            index,
            date: day.clone(),
            value: o.value,
            unit: o.unit,
        };
        s.odometer.points.push(point.clone());
        s.odometer.last = Some(point);
    }
    match &record.body {
        RecordBody::Factory(f) => {
            s.vehicle = Some(Vehicle {
                index,
                make: f.make.clone(),
                model: f.model.clone(),
                model_year: f.model_year,
                powertrain: f.powertrain,
                manufacture_date: date(f.manufacture_date),
            });
        }
        RecordBody::Registration(x) => s.registrations.push(RegistrationFact {
            index,
            date: day,
            first_registration_date: date(x.first_registration_date),
            region: x.region.clone(),
            use_type: x.use_type,
        }),
        RecordBody::OwnershipTransfer(x) => {
            s.ownership.transfers.push(index);
            s.ownership.for_export += usize::from(x.for_export);
        }
        RecordBody::Maintenance(_) => s.service.maintenance.push(index),
        RecordBody::ComponentChange(x) => {
            s.service.component_changes.push(index);
            if x.component == Component::InstrumentCluster {
                s.odometer.cluster_changes.push(index);
            }
        }
        RecordBody::Inspection(x) => {
            let (totals, groups) = groups::count(x);
            s.inspections.push(InspectionSummary {
                index,
                date: day,
                protocol_id: x.protocol_id.clone(),
                protocol_version: x.protocol_version,
                verdict: x.verdict,
                totals,
                groups,
            });
        }
        RecordBody::ExportLicense(x) => s.export_licenses.push(ExportLicenseFact {
            index,
            date: day,
            license_number: x.license_number.clone(),
            destination_country: x.destination_country.clone(),
            issued_by: x.issued_by.clone(),
            valid_until: x.valid_until.map(date),
        }),
        RecordBody::CustomsClearance(x) => s.customs_clearances.push(CustomsFact {
            index,
            date: day,
            direction: x.direction,
            country: x.country.clone(),
            port: x.port.clone(),
            declaration_number: x.declaration_number.clone(),
        }),
        RecordBody::Deregistration(x) => s.deregistrations.push(DeregistrationFact {
            index,
            date: day,
            reason: x.reason,
            region: x.region.clone(),
        }),
        RecordBody::Compliance(x) => s.compliance.push(ComplianceFact {
            index,
            date: day,
            destination_country: x.destination_country.clone(),
            standard: x.standard.clone(),
            certificate_number: x.certificate_number.clone(),
        }),
        RecordBody::Claim(x) => s.claims.push(ClaimFact {
            index,
            date: day,
            claim_number: x.claim_number.clone(),
            defect: x.defect.clone(),
            outcome: x.outcome,
            related_index: x.related_index,
        }),
        _ => {}
    }
}
