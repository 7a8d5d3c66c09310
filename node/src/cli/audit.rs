//! `vledger audit`: audits a node from what it serves (the logic is
//! [`vledger_log::audit`]; this fetches, shows progress and keeps the state).

use std::path::Path;

use anyhow::Context as _;
use vledger_log::audit::{AuditError, AuditOptions, AuditState, LogSource, audit};
use vledger_tlog::note::VerifierKey;
use vledger_verification::succession::LogKeys;

use crate::audit::{GrpcSource, TilesSource};
use crate::witness::store::write_durably;

use super::plural;

/// Where the audit state goes and how to report.
#[derive(Debug, Clone)]
pub struct AuditArgs<'a> {
    /// The node.
    pub node: &'a super::NodeArg,
    /// A tile API to read instead (the node's HTTP side, a mirror, a CDN).
    pub tiles: Option<&'a str>,
    /// The log's verifier key (or a file holding it).
    pub log_key: &'a str,
    /// Succession proofs to follow from the log key, oldest first.
    pub successions: &'a [std::path::PathBuf],
    /// The state file, if the audit resumes and leaves a state.
    pub state: Option<&'a Path>,
    /// Print JSON instead of a sentence.
    pub json: bool,
    /// Threads verifying signatures (default: every core).
    pub threads: Option<usize>,
}

/// Reads the log's verifier key given with `--log-key`, inline or as a
/// file holding it.
pub(crate) fn log_key(arg: &str) -> anyhow::Result<VerifierKey> {
    super::keys::read_vkey("--log-key", arg, super::keys::Want::Ed25519)
}

/// `vledger audit`.
pub fn run(args: &AuditArgs<'_>) -> anyhow::Result<()> {
    let key = crate::witness::config::follow(log_key(args.log_key)?, args.successions)?;
    let previous = match args.state {
        Some(path) if path.exists() => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("cannot read the audit state {}", path.display()))?;
            Some(
                AuditState::decode(&bytes)
                    .with_context(|| format!("audit state {}", path.display()))?,
            )
        }
        _ => None,
    };
    match args.tiles {
        Some(url) => audit_from(
            args,
            url,
            &mut TilesSource::new(url, args.node.ca.as_deref())?,
            key,
            previous,
        ),
        None => audit_from(
            args,
            &args.node.node,
            &mut GrpcSource::connect(&args.node.node, args.node.ca.as_deref())?,
            key,
            previous,
        ),
    }
}

/// Audits the log read from `source` (at `from`) and reports.
fn audit_from<S: LogSource>(
    args: &AuditArgs<'_>,
    from: &str,
    source: &mut S,
    key: LogKeys,
    previous: Option<AuditState>,
) -> anyhow::Result<()> {
    let mut options = AuditOptions::default();
    if let Some(t) = args.threads {
        options.threads = t.max(1);
    }
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "auditing {pos}/{len} entries {wide_bar} {msg} ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // The rate shown is the summary's: entries read since the audit
    // started, over the time since then (indicatif's own `per_sec` is a
    // moving average of its redraws, which the summary never matches).
    let started = std::time::Instant::now();
    let result = audit(source, &key, previous, &options, |p| {
        bar.set_length(p.end);
        bar.set_position(p.position);
        let secs = started.elapsed().as_secs_f64();
        if secs > 0.0 {
            let rate = p.position.saturating_sub(p.start) as f64 / secs;
            bar.set_message(format!("{rate:.0} entries/s"));
        }
    });
    bar.finish_and_clear();
    let (report, state) = match result {
        Ok(done) => done,
        Err(e) => {
            let failed = matches!(e, AuditError::Source(_));
            let what = if failed { "could not finish" } else { "FAILED" };
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "error": e.to_string(), "finished": !failed})
                );
            }
            anyhow::bail!("audit of {from} {what}: {e}");
        }
    };
    if let Some(path) = args.state {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .context("--state must name a file")?;
        write_durably(dir, name, &state.encode())
            .with_context(|| format!("cannot write the audit state {}", path.display()))?;
    }
    let genesis = report
        .entries_read
        .saturating_sub(report.records)
        .saturating_sub(report.index_entries)
        .saturating_sub(report.successions);
    if args.json {
        let mut value = serde_json::to_value(&report)?;
        value["ok"] = serde_json::Value::Bool(true);
        value["genesis"] = genesis.into();
        println!("{value}");
    } else {
        let rate = if report.seconds > 0.0 {
            report.entries_read as f64 / report.seconds
        } else {
            0.0
        };
        let resumed = if report.consistency_proved {
            format!(
                "; tree size {} proved consistent with the audited tree size {}",
                report.tree_size, report.from_size
            )
        } else {
            String::new()
        };
        let read = if genesis > 0 {
            vec![plural(genesis, "genesis", "genesis entries")]
        } else {
            Vec::new()
        }
        .into_iter()
        .chain([
            plural(report.records, "record", "records"),
            plural(report.index_entries, "index entry", "index entries"),
        ])
        .chain((report.successions > 0).then(|| {
            plural(
                report.successions,
                "log key succession",
                "log key successions",
            )
        }))
        .collect::<Vec<_>>()
        .join(", ");
        println!(
            "ok: log {} audited up to tree size {} (root {}): {} read ({read}), {} recomputed{resumed}; {}, {}; {} on {}, {} on {}; {:.0} entries/s",
            report.origin,
            report.tree_size,
            report.root,
            plural(report.entries_read, "entry", "entries"),
            plural(report.stored_hashes_checked, "stored hash", "stored hashes"),
            plural(report.vins, "VIN", "VINs"),
            plural(report.keys, "key", "keys"),
            plural(report.flags, "flag", "flags"),
            plural(report.flagged_records, "record", "records"),
            plural(report.brands, "damage brand", "damage brands"),
            plural(report.branded_vins, "VIN", "VINs"),
            rate
        );
    }
    Ok(())
}
