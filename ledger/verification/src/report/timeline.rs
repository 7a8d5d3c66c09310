//! The timeline: every record of a history, oldest first, in plain words,
//! with its signer's organisation and role, its documents and its flags.
//! A corrected record carries the corrections that name it; a correction
//! shows what it changed in what was in force before it.

use std::collections::HashMap;

use vledger_records::{Attachment, Flag, Record, RecordBody};

use super::corrections::{InForce, record_of};
use super::facts::facts;
use super::model::{AttachmentView, Change, Fact, FlagView, Signer, TimelineEntry};
use super::words::{date, reading, rfc3339, rfc3339_ms};
use crate::history::{HistoryRecord, VerifiedHistory};
use crate::i18n::{Key, Lang, fill, text, values};

/// What the text shows for a value that is absent.
const ABSENT: &str = "—";

/// The timeline of a verified history.
#[must_use]
pub(crate) fn timeline(lang: Lang, h: &VerifiedHistory, in_force: &InForce) -> Vec<TimelineEntry> {
    let originals: HashMap<u64, &Record> = h
        .records
        .iter()
        .filter_map(|r| record_of(r).map(|rec| (r.index, rec)))
        .collect();
    h.records
        .iter()
        .filter_map(|r| entry(lang, r, &originals, in_force))
        .collect()
}

fn entry(
    lang: Lang,
    r: &HistoryRecord,
    originals: &HashMap<u64, &Record>,
    in_force: &InForce,
) -> Option<TimelineEntry> {
    let rec = r.entry.record()?;
    let record = rec.signed.record();
    let (facts, changes, corrects) = match &record.body {
        RecordBody::Correction(c) => {
            let target = originals.get(&c.target_index).copied();
            let index = c.target_index.to_string();
            let corrects = match target {
                Some(t) => fill(
                    lang,
                    Key::EntryKind,
                    &[
                        ("index", &index),
                        ("kind", text(lang, values::kind(t.kind()))),
                    ],
                ),
                None => fill(lang, Key::EntryRef, &[("index", &index)]),
            };
            let mut facts = vec![
                fact(lang, Key::FCorrects, corrects),
                fact(lang, Key::FReason, c.reason.clone()),
            ];
            let changes = match &c.replacement {
                Some(after) => {
                    let before = target.and_then(|t| in_force.before(c.target_index, r.index, t));
                    let changes = diff(lang, before, after);
                    if changes.is_empty() {
                        facts.push(fact(lang, Key::FChanges, text(lang, Key::NoChange)));
                    }
                    changes
                }
                None => {
                    facts.push(fact(lang, Key::FChanges, text(lang, Key::WithdrawsIt)));
                    Vec::new()
                }
            };
            (facts, changes, Some(c.target_index))
        }
        body => (facts(lang, body), Vec::new(), None),
    };
    let key = hex::encode(rec.signed.public_key().as_bytes());
    let key_id = key.get(..8).unwrap_or(&key).to_owned();
    let role_label = text(lang, values::role(r.role)).to_owned();
    let signer_text = match &r.signer_name {
        Some(name) => fill(
            lang,
            Key::SignedBy,
            &[("name", name), ("role", &role_label), ("key", &key_id)],
        ),
        None => fill(
            lang,
            Key::SignedAnonymously,
            &[("role", &role_label), ("key", &key_id)],
        ),
    };
    Some(TimelineEntry {
        index: r.index,
        sequence: rec.chain.map_or(0, |c| c.sequence),
        date: date(record.event_time),
        event_time: rfc3339(record.event_time),
        logged_at: rfc3339_ms(r.entry.logged_at_ms),
        kind: record.kind(),
        title: text(lang, values::kind(record.kind())).to_owned(),
        signer: Signer {
            name: r.signer_name.clone(),
            role: r.role,
            role_label,
            key,
            key_id,
            text: signer_text,
        },
        status: in_force.status(r.index),
        corrected_by: in_force.corrected_by(r.index),
        corrects,
        facts,
        changes,
        attachments: record
            .attachments
            .iter()
            .map(|a| attachment(lang, a))
            .collect(),
        flags: rec
            .flags
            .iter()
            .map(|f| FlagView {
                flag: f.name(),
                text: flag_text(lang, f),
            })
            .collect(),
    })
}

fn fact(lang: Lang, label: Key, value: impl Into<String>) -> Fact {
    Fact {
        label: text(lang, label).to_owned(),
        value: value.into(),
    }
}

/// What a correction changed: the facts that differ between what was in
/// force before it and its replacement, and the date when it moved.
fn diff(lang: Lang, before: Option<&Record>, after: &Record) -> Vec<Change> {
    let mut out = Vec::new();
    let moved = before.is_none_or(|b| b.event_time != after.event_time);
    if moved {
        let show = |t: i64| {
            if before.is_some_and(|b| date(b.event_time) == date(t)) {
                rfc3339(t)
            } else {
                date(t)
            }
        };
        out.push(Change {
            label: text(lang, Key::FDate).to_owned(),
            before: before.map_or_else(|| ABSENT.to_owned(), |b| show(b.event_time)),
            after: show(after.event_time),
        });
    }
    let old = numbered(before.map(|b| facts(lang, &b.body)).unwrap_or_default());
    let new = numbered(facts(lang, &after.body));
    for (key, value) in &new {
        match old.iter().find(|(k, _)| k == key) {
            Some((_, was)) if was == value => {}
            found => out.push(Change {
                label: key.0.clone(),
                before: found.map_or_else(|| ABSENT.to_owned(), |(_, v)| v.clone()),
                after: value.clone(),
            }),
        }
    }
    for (key, value) in &old {
        if !new.iter().any(|(k, _)| k == key) {
            out.push(Change {
                label: key.0.clone(),
                before: value.clone(),
                after: ABSENT.to_owned(),
            });
        }
    }
    out
}

/// Facts keyed by label and occurrence, so that repeated labels pair up.
fn numbered(facts: Vec<Fact>) -> Vec<((String, usize), String)> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    facts
        .into_iter()
        .map(|f| {
            let n = seen.entry(f.label.clone()).or_default();
            *n += 1;
            ((f.label, *n), f.value)
        })
        .collect()
}

fn attachment(lang: Lang, a: &Attachment) -> AttachmentView {
    let hash = a.sha256.to_string();
    AttachmentView {
        text: fill(
            lang,
            Key::Document,
            &[
                ("kind", text(lang, values::document(a.kind))),
                ("media", &a.media_type),
                ("language", text(lang, values::language(a.language))),
                ("hash", &hash),
            ],
        ),
        sha256: hash,
        media_type: a.media_type.clone(),
        kind: a.kind,
        language: a.language,
    }
}

/// A flag and its details, in words.
#[must_use]
pub(crate) fn flag_text(lang: Lang, f: &Flag) -> String {
    match f {
        Flag::OdometerRollback {
            reading: now,
            earlier,
            earlier_index,
        } => fill(
            lang,
            Key::FlagRollbackText,
            &[
                ("reading", &reading(lang, *now)),
                ("earlier", &reading(lang, *earlier)),
                ("index", &earlier_index.to_string()),
            ],
        ),
        Flag::EngineNumberMismatch {
            found,
            expected,
            expected_index,
        } => fill(
            lang,
            Key::FlagEngineText,
            &[
                ("found", found),
                ("expected", expected),
                ("index", &expected_index.to_string()),
            ],
        ),
        Flag::ActivityAfterDeregistration {
            deregistration_index,
            reason,
        } => fill(
            lang,
            Key::FlagDeregisteredText,
            &[
                ("index", &deregistration_index.to_string()),
                ("reason", text(lang, values::deregistration(*reason))),
            ],
        ),
        Flag::EarlyExport {
            first_registration_date,
            registration_index,
            days,
        } => fill(
            lang,
            Key::FlagEarlyExportText,
            &[
                ("days", &days.to_string()),
                ("date", &date(*first_registration_date)),
                ("index", &registration_index.to_string()),
            ],
        ),
        other => format!("{}: {other}", text(lang, Key::FlagOther)),
    }
}
