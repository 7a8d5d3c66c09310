//! `vledger backup`: a consistent copy of a log's data directory, taken
//! while its node runs ([`vledger_log::backup`]).

use std::path::Path;

use anyhow::{Context as _, bail};
use vledger_log::audit::LogSource as _;
use vledger_log::backup::{Copied, EntrySource, copy_log};
use vledger_log::store::StoreError;

use crate::audit::GrpcSource;
use crate::datadir::{DataDir, write_public, write_secret};

/// The running node's API, read as a backup source.
struct Node(GrpcSource);

impl EntrySource for Node {
    type Error = crate::audit::FetchError;

    fn checkpoint(&mut self) -> Result<String, Self::Error> {
        self.0.checkpoint()
    }

    fn entries(&mut self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, Self::Error> {
        Ok(self
            .0
            .entries(start, end)?
            .into_iter()
            .map(|e| e.bytes)
            .collect())
    }
}

/// `vledger backup`.
///
/// # Errors
/// When the log cannot be read, the copy cannot be written, or the copy
/// disagrees with the log's checkpoint.
pub fn backup(
    data: &Path,
    store: Option<String>,
    out: &Path,
    node: &super::NodeArg,
) -> anyhow::Result<()> {
    let dir = DataDir::new(data).with_store(store);
    if !dir.is_initialised() {
        bail!("{} holds no vledger log (no log.key)", data.display());
    }
    if same_dir(data, out) {
        bail!("--out must be another directory than --data");
    }
    // The log key, then the keys it succeeded (retired-log-SIZE.key).
    let mut signers = vec![dir.log_signer()?];
    let mut retired: Vec<_> = std::fs::read_dir(data)
        .with_context(|| format!("cannot read {}", data.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("retired-log-") && n.ends_with(".key"))
        })
        .collect();
    retired.sort();
    for path in retired {
        signers.push(crate::datadir::read_signer(&path)?);
    }
    copy_keys(data, out)?;
    let target = DataDir::new(out)
        .open_store()
        .with_context(|| format!("cannot open the backup's store in {}", out.display()))?;
    let bar = progress_bar();
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let copied = match dir.open_store() {
        // A stopped node's store, or a PostgreSQL one (read while its
        // nodes write): read it directly.
        Ok(store) => copy_log(&mut &store, target, &signers, progress),
        Err(e) if in_use(&e) => {
            // A running node holds its sled store: read the log from it.
            let source =
                GrpcSource::connect(&node.node, node.ca.as_deref()).with_context(|| {
                    format!(
                        "{} is in use by a running node, and the log is read from it at --node {}",
                        data.display(),
                        node.node
                    )
                })?;
            copy_log(&mut Node(source), target, &signers, progress)
        }
        Err(e) => return Err(e),
    };
    bar.finish_and_clear();
    let Copied { from, to, .. } = copied?;
    println!(
        "backed up log {} to {}: tree size {to} ({} new entries), checked against its checkpoint",
        dir.log_signer()?.name(),
        out.display(),
        to - from
    );
    Ok(())
}

/// A progress bar on standard error, hidden when it is not a terminal.
fn progress_bar() -> indicatif::ProgressBar {
    use std::io::IsTerminal as _;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "copying entry {pos}/{len} {wide_bar} {per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    )
}

/// Whether opening a store failed because a running node holds it.
fn in_use(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| matches!(c.downcast_ref::<StoreError>(), Some(StoreError::InUse)))
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Copies the key files of `data` (`*.key`, `*.vkey`) and its succession
/// proofs into `out`; a file `out` already holds must be the same, except
/// `log.key` and `log.vkey` when the log handed its key on since the last
/// backup (`out` then holds what `data` keeps as a retired key).
fn copy_keys(data: &Path, out: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let entries: Vec<_> = std::fs::read_dir(data)
        .with_context(|| format!("cannot read {}", data.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let retired: Vec<String> = entries
        .iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("retired-log-"))
        })
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|t| t.trim_end().to_owned())
        .collect();
    for path in entries {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let secret = match path.extension().and_then(|e| e.to_str()) {
            Some("key") => true,
            Some("vkey") => false,
            Some("tlog-proof") if name.starts_with("succession-") => false,
            _ => continue,
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let copy = out.join(name);
        let text = text.trim_end();
        match std::fs::read_to_string(&copy) {
            Ok(have) if have.trim_end() == text => {}
            Ok(have)
                if (name == "log.key" || name == "log.vkey")
                    && retired.iter().any(|r| *r == have.trim_end()) =>
            {
                let next = out.join(format!("{name}.next"));
                let _ = std::fs::remove_file(&next);
                if secret {
                    write_secret(&next, text)?;
                } else {
                    write_public(&next, text)?;
                }
                std::fs::rename(&next, &copy)
                    .with_context(|| format!("cannot replace {}", copy.display()))?;
            }
            Ok(_) => bail!(
                "{} differs from {}: {} holds a backup of another log",
                copy.display(),
                path.display(),
                out.display()
            ),
            Err(_) if secret => write_secret(&copy, text)?,
            Err(_) => write_public(&copy, text)?,
        }
    }
    Ok(())
}
