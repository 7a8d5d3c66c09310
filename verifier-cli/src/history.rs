//! `vledger-verify history`: checks a VIN history bundle and prints the
//! buyer's report on it — a summary, then the timeline, in the chosen
//! language — or, with `--json`, the same report as data.
//!
//! A bundle's witnessed part (a cosigned checkpoint that extends the
//! bundle's, with the consistency proof) is always checked; the witness
//! policy, when given, applies to it, or to the bundle's own checkpoint
//! when there is none.
//!
//! With `--html FILE` the report is also written as one self-contained
//! HTML page that carries the bundle and the JavaScript verifier
//! (`verifier-cli/web/dist/vledger-verify.js`, embedded at build time), so
//! the reader's browser checks the history again against the keys the
//! reader gives it.

use std::path::Path;

use vledger_tlog::note::WitnessPolicy;
use vledger_verification::history::{HistoryBundle, verify_history, verify_history_cosigned};
use vledger_verification::i18n::Lang;
use vledger_verification::report::{HtmlPage, Report};
use vledger_verification::succession::LogKeys;

/// The JavaScript history verifier the HTML report runs in the browser:
/// the committed build of `verifier-cli/web`, so building needs no npm.
const VERIFIER_JS: &str = include_str!("../web/dist/vledger-verify.js");

/// What to make of a verified history.
#[derive(Debug, Clone, Copy)]
pub struct Output<'a> {
    /// Print JSON instead of text.
    pub json: bool,
    /// Also write the HTML page to this file.
    pub html: Option<&'a Path>,
    /// The report's language.
    pub lang: Lang,
}

/// What to print for a verified history, and whether it carries a brand or
/// a flag.
#[derive(Debug)]
pub struct Verified {
    /// The report, as text or JSON.
    pub output: String,
    /// Whether the history carries a damage brand or a flag.
    pub attention: bool,
}

/// The report's language when `--lang` is not given: from the locale
/// (`LC_ALL`, then `LC_MESSAGES`, then `LANG`), English when none is set
/// or the locale's language is not one the report has.
pub fn locale_lang() -> Lang {
    let var = |name| std::env::var(name).ok();
    let (all, messages, lang) = (var("LC_ALL"), var("LC_MESSAGES"), var("LANG"));
    Lang::from_locale([all.as_deref(), messages.as_deref(), lang.as_deref()])
}

/// Verifies the bundle in `file`, under `policy` when given, returns the
/// report in `out.lang` and, with `out.html`, writes the HTML page.
///
/// # Errors
/// What is wrong with the file or the bundle, followed by a line in the
/// report's language saying not to rely on it; or why the page could not
/// be written.
pub fn run(
    keys: &LogKeys,
    policy: Option<&WitnessPolicy>,
    file: &Path,
    out: &Output<'_>,
) -> Result<Verified, String> {
    let lang = out.lang;
    let refused = |reason: String| format!("{reason}\n{}", lang.not_verified());
    let text = std::fs::read_to_string(file)
        .map_err(|e| refused(format!("cannot read {}: {e}", file.display())))?;
    let bundle: HistoryBundle = serde_json::from_str(&text)
        .map_err(|e| refused(format!("{}: not a history bundle: {e}", file.display())))?;
    let key = crate::succession::key_for_note(keys, &bundle.checkpoint, file).map_err(refused)?;
    let (history, quorum) = match policy {
        Some(policy) => verify_history_cosigned(&bundle, &key, policy).map(|(h, r)| (h, Some(r))),
        None => verify_history(&bundle, &key).map(|h| (h, None)),
    }
    .map_err(|e| refused(format!("{}: {e}", file.display())))?;
    let report = Report::build(&history, quorum.as_ref(), lang);
    if let Some(path) = out.html {
        let page = report.to_html(&HtmlPage {
            bundle_json: &text,
            verifier_js: VERIFIER_JS,
        });
        std::fs::write(path, page)
            .map_err(|e| format!("--html: cannot write {}: {e}", path.display()))?;
    }
    let output = if out.json {
        serde_json::to_string(&report).map_err(|e| format!("--json: {e}"))?
    } else {
        report.to_text()
    };
    Ok(Verified {
        output,
        attention: report.needs_attention(),
    })
}
