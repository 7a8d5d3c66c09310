//! The buyer's report: a verified VIN history as a person reads it, in
//! Chinese, English or Russian.
//!
//! [`Report::build`] takes only what verification produced — a
//! [`VerifiedHistory`] and, when a witness policy was applied, its
//! [`QuorumReport`] — and writes:
//!
//! - a **summary**: complete as of when and under which witnesses; brands,
//!   each with the record that set it; damage (accident, flood, fire);
//!   ownership transfers; registrations and deregistrations; the last
//!   odometer reading and any rollback flag; inspections with their
//!   outcomes counted per item group (`Group: item`, as `docs/report.md`
//!   explains); export licences and customs clearances; corrections;
//!   flags;
//! - a **timeline**: each record in plain words, signed by the organisation
//!   its key was enrolled under, with its documents and flags, corrections
//!   shown against what they corrected.
//!
//! The report is plain data ([`Report`] is `Serialize`: `--json` prints
//! it), [`Report::to_text`] prints it and [`Report::to_html`] makes it a
//! self-contained page that verifies its bundle again in the browser. Every label and sentence comes
//! from the catalogue in [`crate::i18n`]; what submitters wrote is printed
//! as written. Nothing here checks anything: a report is only ever made of
//! a history that verified.

mod corrections;
mod facts;
mod groups;
mod html;
mod html_chart;
mod html_escape;
mod model;
mod summary;
mod summary_lines;
mod summary_model;
mod text;
mod timeline;
mod words;

use vledger_tlog::note::{CosignatureStatus, QuorumReport};

pub use html::HtmlPage;
pub use model::{
    AttachmentView, Change, Fact, FlagView, REPORT_FORMAT, RecordData, Report, Signer, Status,
    TimelineEntry, WitnessCheck, WitnessStatus,
};
pub use summary_model::{
    Brand, ClaimFact, ComplianceFact, CorrectionFact, CustomsFact, DamageSummary,
    DeregistrationFact, ExportLicenseFact, FlagCount, FlagSummary, GroupCount, InspectionSummary,
    OdometerPoint, OdometerSummary, OutcomeCount, OwnershipSummary, RegistrationFact,
    ServiceSummary, Summary, SummaryLine, Vehicle,
};

use crate::history::VerifiedHistory;
use crate::i18n::{Key, Lang, count, fill};

impl Report {
    /// The report of a verified history, in `lang`; `quorum` is the
    /// witness policy's result when one was applied
    /// ([`verify_history_cosigned`](crate::history::verify_history_cosigned)).
    #[must_use]
    pub fn build(h: &VerifiedHistory, quorum: Option<&QuorumReport>, lang: Lang) -> Self {
        let in_force = corrections::InForce::of(&h.records);
        let mut summary = summary::collect(lang, h, &in_force);
        summary.lines = summary_lines::lines(lang, &summary, h, quorum);
        Self {
            format: REPORT_FORMAT,
            lang,
            vin: h.vin.as_str().to_owned(),
            origin: h.checkpoint.origin().to_owned(),
            tree_size: h.checkpoint.size().0,
            complete: true,
            as_of: words::rfc3339_ms(h.index_logged_at_ms),
            witnessed_tree_size: h.witnessed.as_ref().map(|w| w.size().0),
            witnesses: quorum.map(|r| witness_check(lang, r, h.witnessed.is_some())),
            title: fill(lang, Key::ReportTitle, &[("vin", h.vin.as_str())]),
            summary,
            timeline: timeline::timeline(lang, h, &in_force),
            records: records(h),
            verdict: verdict(lang, h, quorum),
        }
    }

    /// Whether the history carries a damage brand or a flag: what a
    /// dealer's script tests (`vledger-verify history --fail-on-flags`).
    #[must_use]
    pub const fn needs_attention(&self) -> bool {
        self.summary.attention
    }
}

fn witness_check(lang: Lang, r: &QuorumReport, witnessed: bool) -> WitnessCheck {
    WitnessCheck {
        checkpoint: if witnessed { "witnessed" } else { "checkpoint" },
        cosigned: r.valid(),
        witnesses: r.witnesses.len(),
        quorum: r.quorum,
        summary: summary_lines::cosigned_by(lang, r),
        statuses: r
            .witnesses
            .iter()
            .map(|(key, status)| {
                let (status, timestamp) = match status {
                    CosignatureStatus::Valid { timestamp } => ("cosigned", Some(*timestamp)),
                    CosignatureStatus::Missing => ("missing", None),
                    _ => ("bad", None),
                };
                WitnessStatus {
                    name: key.name().to_owned(),
                    status,
                    timestamp,
                    cosigned_at: timestamp
                        .map(|t| words::rfc3339(i64::try_from(t).unwrap_or(i64::MAX))),
                }
            })
            .collect(),
    }
}

fn records(h: &VerifiedHistory) -> Vec<RecordData> {
    h.records
        .iter()
        .filter_map(|r| {
            let rec = r.entry.record()?;
            Some(RecordData {
                index: r.index,
                sequence: rec.chain.map(|c| c.sequence),
                logged_at: words::rfc3339_ms(r.entry.logged_at_ms),
                kind: rec.signed.record().kind().name(),
                signer_key: hex::encode(rec.signed.public_key().as_bytes()),
                signer_role: r.role.name(),
                signer_name: r.signer_name.clone(),
                flags: rec.flags.iter().map(ToString::to_string).collect(),
                record: rec.signed.record().clone(),
            })
        })
        .collect()
}

/// The closing lines: the history is complete as of the checkpoint, and
/// what the witnesses vouch for.
fn verdict(lang: Lang, h: &VerifiedHistory, quorum: Option<&QuorumReport>) -> Vec<String> {
    let (vin, size) = (h.vin.as_str(), h.checkpoint.size().0.to_string());
    let mut out = vec![match h.records.len() {
        0 => fill(lang, Key::NoRecordsLine, &[("vin", vin), ("size", &size)]),
        n => {
            let records = count(lang, Key::Records, n, &[]);
            fill(
                lang,
                Key::CompleteLine,
                &[("vin", vin), ("size", &size), ("records", &records)],
            )
        }
    }];
    let witnessed = h.witnessed.as_ref().map(|w| w.size().0.to_string());
    match (witnessed, quorum) {
        (Some(m), Some(r)) => out.push(fill(
            lang,
            Key::WitnessedLine,
            &[
                ("m", &m),
                ("n", &size),
                ("cosigned", &summary_lines::cosigned_by(lang, r)),
            ],
        )),
        (Some(m), None) => out.push(fill(
            lang,
            Key::WitnessedUncheckedLine,
            &[("m", &m), ("n", &size)],
        )),
        (None, Some(r)) => out.push(fill(
            lang,
            Key::CheckpointCosignedLine,
            &[("cosigned", &summary_lines::cosigned_by(lang, r))],
        )),
        (None, None) => {}
    }
    out
}
