//! `vledger mirror`.

use std::path::PathBuf;

use anyhow::Context as _;
use vledger_tlog::note::{VerifierKey, WitnessPolicy};

use crate::mirror::{MirrorConfig, mirror};

/// Reads a witness's cosigning key given inline or as a file holding it.
fn witness_key(arg: &str) -> anyhow::Result<VerifierKey> {
    super::keys::read_vkey("--witness", arg, super::keys::Want::Cosigner)
}

/// What `vledger mirror` was given, besides the directory.
#[derive(Debug)]
pub struct MirrorArgs<'a> {
    /// The tile API's URL.
    pub node: &'a str,
    /// A CA to trust for it.
    pub ca: Option<PathBuf>,
    /// The log's verifier key, or a file holding it.
    pub log_key: &'a str,
    /// Succession proofs to follow from the log key, oldest first.
    pub successions: &'a [PathBuf],
    /// The witnesses' cosigning keys, or files holding them.
    pub witnesses: &'a [String],
    /// How many of them must have cosigned.
    pub quorum: Option<usize>,
    /// Print the summary as JSON.
    pub json: bool,
}

/// `vledger mirror`.
pub fn run(args: &MirrorArgs<'_>, dir: PathBuf) -> anyhow::Result<()> {
    let MirrorArgs {
        node,
        ref ca,
        log_key,
        successions,
        witnesses,
        quorum,
        json,
    } = *args;
    let ca = ca.clone();
    let keys = crate::witness::config::follow(super::audit::log_key(log_key)?, successions)?;
    let policy = if witnesses.is_empty() {
        None
    } else {
        let keys = witnesses
            .iter()
            .map(|w| witness_key(w))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let quorum = quorum.unwrap_or(keys.len());
        Some(WitnessPolicy::new(keys, quorum).context("--quorum")?)
    };
    let config = MirrorConfig {
        base: node.to_owned(),
        dir,
        keys,
        policy,
        ca,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("fetching {pos}/{len} tiles {wide_bar} {per_sec}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = runtime.block_on(mirror(&config, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }));
    bar.finish_and_clear();
    let report = report.with_context(|| {
        format!(
            "mirror of {} in {} NOT updated",
            config.base,
            config.dir.display()
        )
    })?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "ok": true,
                "dir": config.dir,
                "tree_size": report.tree_size,
                "previous_tree_size": report.previous,
                "tiles_fetched": report.fetched,
                "tiles_kept": report.kept,
                "witnessed": config.policy.is_some(),
            })
        );
        return Ok(());
    }
    let from = report
        .previous
        .map_or_else(String::new, |p| format!(" (was {p})"));
    println!(
        "ok: {} mirrors tree size {}{from}: {} fetched, {} kept; verified against the log key{}",
        config.dir.display(),
        report.tree_size,
        super::plural(report.fetched as u64, "tile", "tiles"),
        report.kept,
        if config.policy.is_some() {
            " and the witnesses' quorum"
        } else {
            ""
        }
    );
    Ok(())
}
