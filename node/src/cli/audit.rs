//! `vledger audit`: audits a node from what it serves (the logic is
//! [`vledger_log::audit`]; this fetches, shows progress and keeps the state).

use std::path::Path;

use anyhow::Context as _;
use vledger_log::audit::{AuditError, AuditOptions, AuditState, LogSource, audit};
use vledger_tlog::note::VerifierKey;
use vledger_verification::succession::LogKeys;

use crate::audit::{GrpcSource, TilesSource};
use crate::witness::store::write_durably;
use vledger_log::audit::SourceEntry;
use vledger_tlog::hash::Hash;

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
    let mut key = LogKeys::new(log_key(args.log_key)?);
    for file in args.successions {
        let text =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        key.follow(&text)
            .with_context(|| format!("--succession {}", file.display()))?;
    }
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

/// What the records read in an audit say about vehicles: the flags the
/// log's rules put on them and the damage brands they put on VINs.
#[derive(Debug, Default)]
struct Tally {
    /// Flags on the records read.
    flags: u64,
    /// Flagged records among them.
    flagged_records: u64,
    /// The damage brands each VIN got from the records read.
    brands: std::collections::HashMap<vledger_records::Vin, vledger_records::Brands>,
}

impl Tally {
    fn add(&mut self, bytes: &[u8]) {
        // The audit itself decodes and checks every entry; one that does
        // not decode fails it there, so it is simply not counted here.
        let Ok(Some((record, _, flags))) = vledger_records::Entry::decode_logged_record(bytes)
        else {
            return;
        };
        self.flags += flags.len() as u64;
        self.flagged_records += u64::from(!flags.is_empty());
        if let (Some(vin), vledger_records::RecordBody::Damage(damage)) = (record.vin, &record.body)
        {
            let brands = self.brands.entry(vin).or_default();
            brands.0 |= damage.brands().0;
        }
    }

    /// Damage brands put on VINs (a brand counted once per VIN).
    fn brand_count(&self) -> u64 {
        self.brands
            .values()
            .map(|b| u64::from(b.0.count_ones()))
            .sum()
    }

    /// VINs with a damage brand.
    fn branded_vins(&self) -> u64 {
        self.brands.values().filter(|b| b.0 != 0).count() as u64
    }
}

/// A [`LogSource`] that tallies the flags and brands of what it hands out.
struct Tallied<'a, S> {
    source: &'a mut S,
    tally: Tally,
}

impl<S: LogSource> LogSource for Tallied<'_, S> {
    type Error = S::Error;

    fn checkpoint(&mut self) -> Result<String, S::Error> {
        self.source.checkpoint()
    }

    fn checkpoint_at(&mut self, size: u64) -> Result<String, S::Error> {
        self.source.checkpoint_at(size)
    }

    fn entries(&mut self, start: u64, end: u64) -> Result<Vec<SourceEntry>, S::Error> {
        let entries = self.source.entries(start, end)?;
        for e in &entries {
            self.tally.add(&e.bytes);
        }
        Ok(entries)
    }

    fn consistency_proof(&mut self, old: u64, new: u64) -> Result<Vec<Hash>, S::Error> {
        self.source.consistency_proof(old, new)
    }

    fn serves_old_checkpoints(&self) -> bool {
        self.source.serves_old_checkpoints()
    }

    fn will_read(&mut self, start: u64, end: u64) {
        self.source.will_read(start, end);
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
    let mut source = Tallied {
        source,
        tally: Tally::default(),
    };
    let result = audit(&mut source, &key, previous, &options, |p| {
        bar.set_length(p.end);
        bar.set_position(p.position);
        let secs = started.elapsed().as_secs_f64();
        if secs > 0.0 {
            let rate = p.position.saturating_sub(p.start) as f64 / secs;
            bar.set_message(format!("{rate:.0} entries/s"));
        }
    });
    bar.finish_and_clear();
    let tally = source.tally;
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
        .saturating_sub(report.index_entries);
    if args.json {
        let mut value = serde_json::to_value(&report)?;
        value["ok"] = serde_json::Value::Bool(true);
        value["genesis"] = genesis.into();
        value["flags"] = tally.flags.into();
        value["flagged_records"] = tally.flagged_records.into();
        value["brands"] = tally.brand_count().into();
        value["branded_vins"] = tally.branded_vins().into();
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
            plural(tally.flags, "flag", "flags"),
            plural(tally.flagged_records, "record", "records"),
            plural(tally.brand_count(), "damage brand", "damage brands"),
            plural(tally.branded_vins(), "VIN", "VINs"),
            rate
        );
    }
    Ok(())
}
