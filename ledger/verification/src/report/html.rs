//! The report as one self-contained HTML page: the summary, an odometer
//! chart and the timeline, rendered from the same [`Report`] as the text
//! form, and the history bundle with a verifier that checks it again in
//! the reader's browser.
//!
//! The page loads nothing: styles and scripts are inline and a
//! `Content-Security-Policy` of `default-src 'none'` forbids any request.
//! It carries
//!
//! - the bundle, as `<script type="application/json" id="vledger-bundle">`,
//!   so anyone can take it out and check it with `vledger-verify`;
//! - the verifier's script (given by the caller: the JavaScript verifier of
//!   `verifier-cli/web`), and a page script that runs it on the bundle
//!   against trust anchors from the reader's side only — the address's
//!   fragment (`#log=KEY&witness=KEY&quorum=N`) or a keys file the reader
//!   picks — checks that the verified records are those the page shows, and
//!   sets `<div id="verdict" data-verified="true|false">`.
//!
//! Every string reaches the page escaped ([`html_escape`](super::html_escape)).

use std::fmt::Write as _;

use super::html_chart;
use super::html_escape::{json_in_script, script, text as esc};
use super::model::{Report, Status, TimelineEntry};
use super::words::entries;
use crate::i18n::{Key, count, fill, text};

/// The page's styles, print styles for A4 included.
const STYLE: &str = include_str!("page.css");
/// The page script that verifies the bundle and sets the verdict.
const PAGE_SCRIPT: &str = include_str!("page.js");
/// Nothing may be fetched: inline styles and scripts only.
const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                   img-src data:; base-uri 'none'; form-action 'none'";

/// What the HTML page carries besides the report.
#[derive(Debug, Clone, Copy)]
pub struct HtmlPage<'a> {
    /// The history bundle the report was made of, as JSON text
    /// (a `.vhist.json` file's content).
    pub bundle_json: &'a str,
    /// The JavaScript verifier, defining the global `VledgerVerify` with
    /// `verifyHistory(bundleText, {logKey, witnessKeys, quorum})`.
    pub verifier_js: &'a str,
}

impl Report {
    /// The report as one self-contained HTML page in its language: the
    /// summary, the odometer chart, the timeline, the closing lines, then
    /// the bundle (`<script type="application/json" id="vledger-bundle">`)
    /// and the scripts that verify it in the browser against keys from the
    /// reader's side only (the address's fragment or a keys file) and set
    /// `<div id="verdict" data-verified="true|false">`. The page loads
    /// nothing; every string in it is escaped. `docs/report.md` describes
    /// it.
    #[must_use]
    pub fn to_html(&self, page: &HtmlPage<'_>) -> String {
        let lang = self.lang;
        let title = esc(&self.title);
        let mut out =
            String::with_capacity(page.verifier_js.len() + page.bundle_json.len() + 65_536);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n\
             <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n\
             <body data-vin=\"{}\" data-tree-size=\"{}\">\n<header>\n<h1>{title}</h1>\n\
             <div id=\"verdict\" data-verified=\"false\" data-state=\"pending\" role=\"status\">\
             <p class=\"verdict-head\">{}</p></div>\n\
             <div id=\"anchors\"><label for=\"keys-file\">{}</label> \
             <input type=\"file\" id=\"keys-file\" accept=\".vkey,.keys,.txt,text/plain\"></div>\n\
             </header>\n",
            lang.code(),
            esc(&self.vin),
            self.tree_size,
            esc(text(lang, Key::HtmlPending)),
            esc(text(lang, Key::HtmlKeysFile)),
        );
        self.summary_html(&mut out);
        let _ = writeln!(
            out,
            "<section id=\"timeline\">\n<h2>{}</h2>\n<ol class=\"timeline\">",
            esc(text(lang, Key::LabelTimeline))
        );
        for e in &self.timeline {
            self.entry_html(&mut out, e);
        }
        out.push_str("</ol>\n</section>\n<footer id=\"closing\">\n");
        for line in &self.verdict {
            let _ = writeln!(out, "<p>{}</p>", esc(line));
        }
        let _ = write!(
            out,
            "<p class=\"note\">{}</p>\n</footer>\n\
             <script type=\"application/json\" id=\"vledger-text\">{}</script>\n\
             <script type=\"application/json\" id=\"vledger-bundle\">{}</script>\n\
             <script>\n{}\n</script>\n<script>\n{}</script>\n</body>\n</html>\n",
            esc(text(lang, Key::HtmlBundleNote)),
            json_in_script(&self.page_texts()),
            json_in_script(page.bundle_json.trim()),
            script(page.verifier_js),
            script(PAGE_SCRIPT),
        );
        out
    }

    /// The words the page script writes into the verdict, in the page's
    /// language, as JSON.
    fn page_texts(&self) -> String {
        let lang = self.lang;
        let t = |key| text(lang, key);
        serde_json::json!({
            "verified": t(Key::HtmlVerified),
            "witnessesChecked": t(Key::HtmlWitnessesChecked),
            "witnessesNone": t(Key::HtmlWitnessesNone),
            "failed": t(Key::HtmlFailed),
            "mismatch": t(Key::HtmlMismatch),
            "noAnchors": t(Key::HtmlNoAnchors),
            "claimedKey": t(Key::HtmlClaimed),
            "fromFragment": t(Key::HtmlFromFragment),
            "fromFile": t(Key::HtmlFromFile),
            "keysFileEmpty": t(Key::HtmlKeysFileEmpty),
            "badQuorum": t(Key::HtmlBadQuorum),
            "listSeparator": t(Key::ListSeparator),
            "records": count(lang, Key::Records, self.timeline.len(), &[]),
        })
        .to_string()
    }

    fn summary_html(&self, out: &mut String) {
        let lang = self.lang;
        let _ = writeln!(
            out,
            "<section id=\"summary\">\n<h2>{}</h2>\n<table class=\"summary\">",
            esc(text(lang, Key::HtmlSummary))
        );
        let status = text(lang, Key::LabelStatus);
        for line in &self.summary.lines {
            let class = if self.summary.attention && line.label == status {
                " class=\"attention\""
            } else {
                ""
            };
            let _ = write!(
                out,
                "<tr{class}><th scope=\"row\">{}</th><td>",
                esc(&line.label)
            );
            for t in &line.text {
                let _ = write!(out, "<div>{}</div>", esc(t));
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</table>\n");
        out.push_str(&html_chart::figure(lang, &self.summary.odometer));
        out.push_str("</section>\n");
    }

    fn entry_html(&self, out: &mut String, e: &TimelineEntry) {
        let lang = self.lang;
        let index = e.index.to_string();
        let head = fill(
            lang,
            Key::EntryHead,
            &[("date", &e.date), ("kind", &e.title), ("index", &index)],
        );
        let by = entries(&e.corrected_by);
        let (class, badge) = match e.status {
            Status::InForce => ("entry", None),
            Status::Corrected => (
                "entry corrected",
                Some(fill(lang, Key::CorrectedBy, &[("index", &by)])),
            ),
            Status::Withdrawn => (
                "entry withdrawn",
                Some(fill(lang, Key::WithdrawnBy, &[("index", &by)])),
            ),
        };
        let badge = badge.map_or_else(String::new, |b| {
            format!("<span class=\"badge\">{}</span>", esc(&b))
        });
        let _ = writeln!(
            out,
            "<li class=\"{class}\" id=\"entry-{index}\" data-entry-index=\"{index}\" data-kind=\"{}\">\n\
             <h3>{}{badge}</h3>\n<p class=\"signer\">{}</p>",
            esc(e.kind.name()),
            esc(&head),
            esc(&e.signer.text),
        );
        if !e.facts.is_empty() || !e.changes.is_empty() {
            out.push_str("<dl class=\"facts\">\n");
            for f in &e.facts {
                let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(&f.label), esc(&f.value));
            }
            let changes = text(lang, Key::FChanges);
            for c in &e.changes {
                let change = c.line(lang);
                let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(changes), esc(&change));
            }
            out.push_str("</dl>\n");
        }
        if !e.attachments.is_empty() {
            out.push_str("<ul class=\"docs\">");
            for a in &e.attachments {
                let _ = write!(out, "<li>{}</li>", esc(&a.text));
            }
            out.push_str("</ul>\n");
        }
        for f in &e.flags {
            let _ = writeln!(
                out,
                "<p class=\"flag\">{}</p>",
                esc(&fill(lang, Key::FlagLine, &[("text", &f.text)]))
            );
        }
        out.push_str("</li>\n");
    }
}
