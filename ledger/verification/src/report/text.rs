//! The report as text, for a terminal or a file: the title, the summary
//! with its labels aligned (Chinese characters count two columns), the
//! timeline, and the closing lines that say what was verified.

use std::fmt::Write as _;

use super::model::{Report, Status, TimelineEntry};
use super::words::{entries, width};
use crate::i18n::{Key, fill, text};

/// Indentation of a timeline entry's details: under its kind, past the date.
const DETAIL: &str = "            ";

impl Report {
    /// The report as text: title, summary, timeline, then the closing
    /// lines (the last line names the witnesses when there are any).
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&self.title);
        out.push_str("\n\n");
        let column = self
            .summary
            .lines
            .iter()
            .map(|l| width(&l.label))
            .max()
            .unwrap_or(0);
        for line in &self.summary.lines {
            let pad = " ".repeat(column - width(&line.label));
            for (i, t) in line.text.iter().enumerate() {
                if i == 0 {
                    let _ = writeln!(out, "{}{pad}  {t}", line.label);
                } else {
                    let _ = writeln!(out, "{}  {t}", " ".repeat(column));
                }
            }
        }
        out.push('\n');
        out.push_str(text(self.lang, Key::LabelTimeline));
        out.push('\n');
        for e in &self.timeline {
            self.entry(&mut out, e);
        }
        out.push('\n');
        out.push_str(&self.verdict.join("\n"));
        out
    }

    fn entry(&self, out: &mut String, e: &TimelineEntry) {
        let lang = self.lang;
        let index = e.index.to_string();
        let mut head = fill(
            lang,
            Key::EntryHead,
            &[("date", &e.date), ("kind", &e.title), ("index", &index)],
        );
        let by = entries(&e.corrected_by);
        match e.status {
            Status::InForce => {}
            Status::Corrected => {
                head.push_str("  ");
                head.push_str(&fill(lang, Key::CorrectedBy, &[("index", &by)]));
            }
            Status::Withdrawn => {
                head.push_str("  ");
                head.push_str(&fill(lang, Key::WithdrawnBy, &[("index", &by)]));
            }
        }
        let _ = writeln!(out, "{head}");
        let _ = writeln!(out, "{DETAIL}{}", e.signer.text);
        let line = |label: &str, value: &str| {
            fill(lang, Key::FactLine, &[("label", label), ("value", value)])
        };
        for f in &e.facts {
            let _ = writeln!(out, "{DETAIL}{}", line(&f.label, &f.value));
        }
        let changes = text(lang, Key::FChanges);
        for c in &e.changes {
            let _ = writeln!(out, "{DETAIL}{}", line(changes, &c.line(lang)));
        }
        for a in &e.attachments {
            let _ = writeln!(out, "{DETAIL}{}", a.text);
        }
        for f in &e.flags {
            let _ = writeln!(
                out,
                "{DETAIL}{}",
                fill(lang, Key::FlagLine, &[("text", &f.text)])
            );
        }
    }
}
