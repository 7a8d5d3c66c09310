//! The summary as printed: one labelled part per subject, in the report's
//! language, in the order a buyer asks: what car, complete as of when and
//! under which witnesses, then brands, damage, odometer, owners,
//! registration, service, inspections, export, corrections and flags.

use vledger_records::Odometer;
use vledger_tlog::note::{CosignatureStatus, QuorumReport};

use super::facts::{group_line, outcome_counts};
use super::groups::breakdown;
use super::summary_model::{Summary, SummaryLine};
use super::words::{entries, list, reading, utc, yes_no};
use crate::history::VerifiedHistory;
use crate::i18n::{Key, Lang, count, fill, text, values};

/// `cosigned by 2 of 3 witnesses (quorum 2)`.
#[must_use]
pub(crate) fn cosigned_by(lang: Lang, r: &QuorumReport) -> String {
    fill(
        lang,
        Key::CosignedBy,
        &[
            ("valid", &r.valid().to_string()),
            ("total", &r.witnesses.len().to_string()),
            ("quorum", &r.quorum.to_string()),
        ],
    )
}

/// The printed summary of `s`, the summary of `h`.
#[must_use]
#[allow(clippy::too_many_lines)] // one part per subject
pub(crate) fn lines(
    lang: Lang,
    s: &Summary,
    h: &VerifiedHistory,
    quorum: Option<&QuorumReport>,
) -> Vec<SummaryLine> {
    let t = |key| text(lang, key);
    let idx = |i: u64| i.to_string();
    let mut out = Vec::new();
    let mut part = |label: Key, text: Vec<String>| {
        out.push(SummaryLine {
            label: t(label).to_owned(),
            text,
        });
    };

    part(
        Key::LabelVehicle,
        vec![s.vehicle.as_ref().map_or_else(
            || t(Key::NoFactory).to_owned(),
            |v| {
                fill(
                    lang,
                    Key::Vehicle,
                    &[
                        ("make", &v.make),
                        ("model", &v.model),
                        ("year", &v.model_year.to_string()),
                        ("powertrain", t(values::powertrain(v.powertrain))),
                        ("date", &v.manufacture_date),
                    ],
                )
            },
        )],
    );

    let size = h.checkpoint.size().0.to_string();
    let time = utc(lang, h.index_logged_at_ms);
    let origin = h.checkpoint.origin();
    let complete = if s.records == 0 {
        fill(
            lang,
            Key::CompleteEmpty,
            &[("origin", origin), ("time", &time), ("size", &size)],
        )
    } else {
        let records = count(lang, Key::Records, s.records, &[]);
        fill(
            lang,
            Key::Complete,
            &[
                ("origin", origin),
                ("time", &time),
                ("size", &size),
                ("records", &records),
            ],
        )
    };
    part(Key::LabelComplete, vec![complete]);

    let witnessed = h.witnessed.as_ref().map(|w| w.size().0);
    let mut witnesses = vec![match (witnessed, quorum) {
        (Some(m), Some(r)) if m > h.checkpoint.size().0 => fill(
            lang,
            Key::WitnessesLater,
            &[("m", &m.to_string()), ("cosigned", &cosigned_by(lang, r))],
        ),
        (_, Some(r)) => fill(
            lang,
            Key::WitnessesOwn,
            &[("cosigned", &cosigned_by(lang, r))],
        ),
        (Some(m), None) => fill(lang, Key::WitnessedUnchecked, &[("m", &m.to_string())]),
        (None, None) => t(Key::WitnessesUnchecked).to_owned(),
    }];
    for (key, status) in quorum.map(|r| r.witnesses.as_slice()).unwrap_or_default() {
        let name = key.name();
        witnesses.push(match status {
            CosignatureStatus::Valid { timestamp } => {
                let ms = i64::try_from(*timestamp)
                    .unwrap_or(i64::MAX)
                    .saturating_mul(1000);
                fill(
                    lang,
                    Key::WitnessCosignedAt,
                    &[("name", name), ("time", &utc(lang, ms))],
                )
            }
            CosignatureStatus::Missing => fill(lang, Key::WitnessMissing, &[("name", name)]),
            _ => fill(lang, Key::WitnessBad, &[("name", name)]),
        });
    }
    part(Key::LabelWitnesses, witnesses);

    let status = if s.attention {
        Key::StatusAttention
    } else {
        Key::StatusClean
    };
    part(Key::LabelStatus, vec![t(status).to_owned()]);

    let brands: Vec<String> = s
        .brands
        .iter()
        .map(|b| {
            fill(
                lang,
                Key::BrandSet,
                &[
                    ("brand", &b.label),
                    ("index", &idx(b.index)),
                    ("date", &b.date),
                ],
            )
        })
        .collect();
    part(Key::LabelBrands, or_nothing(lang, brands));

    let kinds = fill(
        lang,
        Key::DamageKinds,
        &[
            ("accident", yes_no(lang, s.damage.accident)),
            ("flood", yes_no(lang, s.damage.flood)),
            ("fire", yes_no(lang, s.damage.fire)),
        ],
    );
    let damage = count(lang, Key::DamageRecords, s.damage.records.len(), &[]);
    part(Key::LabelDamage, vec![list(lang, &[damage, kinds])]);

    let o = &s.odometer;
    let mut odometer = vec![match &o.last {
        Some(p) => {
            let value = Odometer {
                value: p.value,
                unit: p.unit,
            };
            let reading = reading(lang, value);
            let last = fill(
                lang,
                Key::OdometerLast,
                &[
                    ("reading", &reading),
                    ("date", &p.date),
                    ("index", &idx(p.index)),
                ],
            );
            let rollback = if o.rollback {
                let at = entries(&o.rollback_entries);
                count(
                    lang,
                    Key::Rollbacks,
                    o.rollback_entries.len(),
                    &[("entries", &at)],
                )
            } else {
                t(Key::NoRollback).to_owned()
            };
            list(
                lang,
                &[last, count(lang, Key::Readings, o.readings, &[]), rollback],
            )
        }
        None => t(Key::NoOdometer).to_owned(),
    }];
    if o.not_actual_mileage {
        odometer.push(t(Key::NotActualMileage).to_owned());
    }
    for i in &o.cluster_changes {
        odometer.push(fill(lang, Key::ClusterChange, &[("index", &idx(*i))]));
    }
    part(Key::LabelOdometer, odometer);

    let mut ownership = count(lang, Key::Transfers, s.ownership.transfers.len(), &[]);
    if s.ownership.for_export > 0 {
        let n = s.ownership.for_export.to_string();
        ownership = format!(
            "{ownership}{}{}",
            t(Key::Comma),
            fill(lang, Key::ForExport, &[("n", &n)])
        );
    }
    part(Key::LabelOwnership, vec![ownership]);

    let mut registration: Vec<String> = s
        .registrations
        .iter()
        .map(|r| {
            fill(
                lang,
                Key::Registered,
                &[
                    ("date", &r.date),
                    ("region", &r.region),
                    ("use", t(values::use_type(r.use_type))),
                ],
            )
        })
        .collect();
    registration.extend(s.deregistrations.iter().map(|d| {
        fill(
            lang,
            Key::Deregistered,
            &[
                ("date", &d.date),
                ("region", &d.region),
                ("reason", t(values::deregistration(d.reason))),
            ],
        )
    }));
    if registration.is_empty() {
        registration.push(t(Key::NoRegistration).to_owned());
    }
    part(Key::LabelRegistration, registration);

    let service = [
        count(lang, Key::ServiceRecords, s.service.maintenance.len(), &[]),
        count(
            lang,
            Key::ComponentChanges,
            s.service.component_changes.len(),
            &[],
        ),
    ];
    part(Key::LabelService, vec![list(lang, &service)]);

    let mut inspections = Vec::new();
    for i in &s.inspections {
        let protocol = format!("{} v{}", i.protocol_id, i.protocol_version);
        inspections.push(fill(
            lang,
            Key::InspectionLine,
            &[
                ("date", &i.date),
                ("protocol", &protocol),
                ("verdict", t(values::verdict(i.verdict))),
                ("passed", &outcome_counts(lang, &i.totals)),
                ("index", &idx(i.index)),
            ],
        ));
        inspections.extend(
            breakdown(&i.groups)
                .iter()
                .map(|g| format!("  {}", group_line(lang, g))),
        );
    }
    if inspections.is_empty() {
        inspections.push(t(Key::NoInspection).to_owned());
    }
    part(Key::LabelInspections, inspections);

    let mut export: Vec<String> = s
        .export_licenses
        .iter()
        .map(|e| {
            fill(
                lang,
                Key::ExportLicenseLine,
                &[
                    ("number", &e.license_number),
                    ("country", &e.destination_country),
                    ("date", &e.date),
                    ("index", &idx(e.index)),
                ],
            )
        })
        .collect();
    export.extend(s.customs_clearances.iter().map(|c| {
        fill(
            lang,
            Key::CustomsLine,
            &[
                ("direction", t(values::direction(c.direction))),
                ("port", &c.port),
                ("country", &c.country),
                ("date", &c.date),
                ("index", &idx(c.index)),
            ],
        )
    }));
    if export.is_empty() {
        export.push(t(Key::NoExport).to_owned());
    }
    part(Key::LabelExport, export);

    if !s.compliance.is_empty() {
        let lines = s.compliance.iter().map(|c| {
            fill(
                lang,
                Key::ComplianceLine,
                &[
                    ("number", &c.certificate_number),
                    ("standard", &c.standard),
                    ("country", &c.destination_country),
                    ("date", &c.date),
                    ("index", &idx(c.index)),
                ],
            )
        });
        part(Key::LabelCompliance, lines.collect());
    }

    if !s.claims.is_empty() {
        let lines = s.claims.iter().map(|c| {
            fill(
                lang,
                Key::ClaimLine,
                &[
                    ("number", &c.claim_number),
                    ("defect", &c.defect),
                    ("outcome", t(values::claim_outcome(c.outcome))),
                    ("index", &idx(c.index)),
                ],
            )
        });
        part(Key::LabelClaims, lines.collect());
    }

    let corrections = s
        .corrections
        .iter()
        .map(|c| {
            let kind = c.target_kind.map_or(Key::KindOther, values::kind);
            fill(
                lang,
                if c.withdrawn {
                    Key::WithdrawalLine
                } else {
                    Key::CorrectionLine
                },
                &[
                    ("index", &idx(c.index)),
                    ("target", &idx(c.target_index)),
                    ("kind", t(kind)),
                    ("reason", &c.reason),
                ],
            )
        })
        .collect();
    part(Key::LabelCorrections, or_nothing(lang, corrections));

    let flags = s
        .flags
        .kinds
        .iter()
        .map(|f| {
            count(
                lang,
                Key::FlagAt,
                f.entries.len(),
                &[("flag", &f.label), ("entries", &entries(&f.entries))],
            )
        })
        .collect();
    part(Key::LabelFlags, or_nothing(lang, flags));
    out
}

fn or_nothing(lang: Lang, lines: Vec<String>) -> Vec<String> {
    if lines.is_empty() {
        vec![text(lang, Key::Nothing).to_owned()]
    } else {
        lines
    }
}
