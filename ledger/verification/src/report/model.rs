//! The report as data: what `vledger-verify history --json` prints, and
//! what the text report is printed from. `docs/report.md` documents every
//! field.
//!
//! Values of the records' own enums (`use_type`, `brand`, `verdict`, ...)
//! are their JSON names in the records' JSON form; fields named `text`,
//! `label`, `title` or `lines` are in the report's language; text a
//! submitter wrote is as written.

use serde::Serialize;
use vledger_records::{DocumentKind, Language, Record, RecordKind, Role};

use super::summary_model::Summary;
use crate::i18n::Lang;

/// The format line of version 1 reports.
pub const REPORT_FORMAT: &str = "vledger-report/v1";

/// The buyer's report on a verified, complete VIN history.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always [`REPORT_FORMAT`].
    pub format: &'static str,
    /// The language of its words.
    pub lang: Lang,
    /// The VIN.
    pub vin: String,
    /// The log's origin.
    pub origin: String,
    /// The tree size of the checkpoint the history is complete as of.
    pub tree_size: u64,
    /// Always `true`: a report is only made of a verified, complete history.
    pub complete: bool,
    /// When the log wrote the index entry under that checkpoint (RFC 3339):
    /// the time the history is complete as of.
    pub as_of: String,
    /// The tree size of the bundle's witnessed checkpoint; `None` without one.
    pub witnessed_tree_size: Option<u64>,
    /// The witness check; `None` when no witness keys were given.
    pub witnesses: Option<WitnessCheck>,
    /// The report's title.
    pub title: String,
    /// What a buyer reads first.
    pub summary: Summary,
    /// Every record, oldest first, in plain words.
    pub timeline: Vec<TimelineEntry>,
    /// Every record as data: its fields in the JSON form of the records.
    pub records: Vec<RecordData>,
    /// The closing lines: what was verified.
    pub verdict: Vec<String>,
}

/// The witness policy's result on the note that carries the cosignatures.
#[derive(Debug, Clone, Serialize)]
pub struct WitnessCheck {
    /// `witnessed` (the bundle's witnessed checkpoint) or `checkpoint` (the
    /// bundle's own).
    pub checkpoint: &'static str,
    /// How many witnesses cosigned validly.
    pub cosigned: usize,
    /// How many witnesses the policy names.
    pub witnesses: usize,
    /// How many must have cosigned.
    pub quorum: usize,
    /// The counts in a sentence.
    pub summary: String,
    /// Each witness, in the policy's order.
    pub statuses: Vec<WitnessStatus>,
}

/// One witness's cosignature.
#[derive(Debug, Clone, Serialize)]
pub struct WitnessStatus {
    /// The witness key's name.
    pub name: String,
    /// `cosigned`, `missing` or `bad`.
    pub status: &'static str,
    /// The cosignature's POSIX time, when valid.
    pub timestamp: Option<u64>,
    /// The same as RFC 3339.
    pub cosigned_at: Option<String>,
}

/// One record of the timeline, in plain words.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    /// Its entry (leaf index).
    pub index: u64,
    /// Its place in the VIN's history, from 0.
    pub sequence: u64,
    /// Its event date.
    pub date: String,
    /// Its event time, RFC 3339.
    pub event_time: String,
    /// When the log wrote it, RFC 3339.
    pub logged_at: String,
    /// Its kind.
    pub kind: RecordKind,
    /// Its kind in words.
    pub title: String,
    /// Who signed it.
    pub signer: Signer,
    /// `in_force`, `corrected` or `withdrawn`.
    pub status: Status,
    /// The corrections that name it, oldest first.
    pub corrected_by: Vec<u64>,
    /// For a correction: the entry it corrects.
    pub corrects: Option<u64>,
    /// What it says, field by field.
    pub facts: Vec<Fact>,
    /// For a correction: what it changed in what was in force before it.
    pub changes: Vec<Change>,
    /// The documents it names, by hash.
    pub attachments: Vec<AttachmentView>,
    /// What the log's rules flagged about it.
    pub flags: Vec<FlagView>,
}

/// Whether a record still counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not corrected.
    InForce,
    /// Replaced by a correction (the latest one counts).
    Corrected,
    /// Withdrawn by its latest correction.
    Withdrawn,
}

/// A record's signer, from its enrollment in the log.
#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    /// The organisation the key was enrolled under.
    pub name: Option<String>,
    /// Its role.
    pub role: Role,
    /// The role in words.
    pub role_label: String,
    /// The public key, hex.
    pub key: String,
    /// The key's first four bytes, hex.
    pub key_id: String,
    /// "signed by …" in words.
    pub text: String,
}

/// One field of a record, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// What it is.
    pub label: String,
    /// Its value.
    pub value: String,
}

/// One field a correction changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What it is.
    pub label: String,
    /// What it said before (`—` when absent).
    pub before: String,
    /// What it says now (`—` when absent).
    pub after: String,
}

impl Change {
    /// The change in words, `label: before → after` in `lang`.
    #[must_use]
    pub fn line(&self, lang: Lang) -> String {
        crate::i18n::fill(
            lang,
            crate::i18n::Key::ChangeLine,
            &[
                ("label", &self.label),
                ("before", &self.before),
                ("after", &self.after),
            ],
        )
    }
}

/// A document a record names.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    /// SHA-256 of the document, hex.
    pub sha256: String,
    /// Media type.
    pub media_type: String,
    /// What it is.
    pub kind: DocumentKind,
    /// The language of its text.
    pub language: Language,
    /// The document in words.
    pub text: String,
}

/// A flag on a record.
#[derive(Debug, Clone, Serialize)]
pub struct FlagView {
    /// The flag's name (`odometer_rollback`).
    pub flag: &'static str,
    /// The flag and its details in words.
    pub text: String,
}

/// A verified record as data, as `vledger-verify history --json` has
/// always printed it.
#[derive(Debug, Clone, Serialize)]
pub struct RecordData {
    /// Its entry (leaf index).
    pub index: u64,
    /// Its place in the VIN's history.
    pub sequence: Option<u64>,
    /// When the log wrote it, RFC 3339.
    pub logged_at: String,
    /// Its kind's name.
    pub kind: &'static str,
    /// The signer's public key, hex.
    pub signer_key: String,
    /// The signer's role.
    pub signer_role: &'static str,
    /// The organisation the signer's key was enrolled under.
    pub signer_name: Option<String>,
    /// Its flags, in English (`odometer_rollback (reading …)`).
    pub flags: Vec<String>,
    /// The record in its JSON form.
    pub record: Record,
}
