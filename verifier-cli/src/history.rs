//! `vledger-verify history`: checks a VIN history bundle and prints the
//! buyer's report on it — a summary, then the timeline, in the chosen
//! language — or, with `--json`, the same report as data.
//!
//! A bundle's witnessed part (a cosigned checkpoint that extends the
//! bundle's, with the consistency proof) is always checked; the witness
//! policy, when given, applies to it, or to the bundle's own checkpoint
//! when there is none.

use std::path::Path;

use vledger_tlog::note::{VerifierKey, WitnessPolicy};
use vledger_verification::history::{HistoryBundle, verify_history, verify_history_cosigned};
use vledger_verification::i18n::Lang;
use vledger_verification::report::Report;

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

/// Verifies the bundle in `file`, under `policy` when given, and returns
/// the report in `lang`.
///
/// # Errors
/// What is wrong with the file or the bundle, followed by a line in `lang`
/// saying not to rely on it.
pub fn run(
    key: &VerifierKey,
    policy: Option<&WitnessPolicy>,
    file: &Path,
    json: bool,
    lang: Lang,
) -> Result<Verified, String> {
    let refused = |reason: String| format!("{reason}\n{}", lang.not_verified());
    let text = std::fs::read_to_string(file)
        .map_err(|e| refused(format!("cannot read {}: {e}", file.display())))?;
    let bundle: HistoryBundle = serde_json::from_str(&text)
        .map_err(|e| refused(format!("{}: not a history bundle: {e}", file.display())))?;
    let (history, quorum) = match policy {
        Some(policy) => verify_history_cosigned(&bundle, key, policy).map(|(h, r)| (h, Some(r))),
        None => verify_history(&bundle, key).map(|h| (h, None)),
    }
    .map_err(|e| refused(format!("{}: {e}", file.display())))?;
    let report = Report::build(&history, quorum.as_ref(), lang);
    let output = if json {
        serde_json::to_string(&report).map_err(|e| format!("--json: {e}"))?
    } else {
        report.to_text()
    };
    Ok(Verified {
        output,
        attention: report.needs_attention(),
    })
}
