//! `vledger mirror`.

use std::path::PathBuf;

use anyhow::Context as _;
use vledger_tlog::note::{KeyType, VerifierKey, WitnessPolicy};

use crate::mirror::{MirrorConfig, mirror};

/// Reads a witness's cosigning key given inline or as a file holding it.
fn witness_key(arg: &str) -> anyhow::Result<VerifierKey> {
    let text = if std::path::Path::new(arg).is_file() {
        std::fs::read_to_string(arg).with_context(|| format!("cannot read {arg}"))?
    } else {
        arg.to_owned()
    };
    let key = VerifierKey::parse(text.trim())
        .with_context(|| format!("--witness {arg:?} is not a verifier key"))?;
    anyhow::ensure!(
        key.key_type() == KeyType::CosignatureV1,
        "--witness {arg:?} is not a witness's cosigning key (type 0x04)"
    );
    Ok(key)
}

/// `vledger mirror`.
pub fn run(
    node: &str,
    dir: PathBuf,
    ca: Option<PathBuf>,
    log_key: &str,
    successions: &[PathBuf],
    witnesses: &[String],
    quorum: Option<usize>,
) -> anyhow::Result<()> {
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
    let from = report
        .previous
        .map_or_else(String::new, |p| format!(" (was {p})"));
    println!(
        "ok: {} mirrors tree size {}{from}: {} tiles fetched, {} kept; verified against the log key{}",
        config.dir.display(),
        report.tree_size,
        report.fetched,
        report.kept,
        if config.policy.is_some() {
            " and the witnesses' quorum"
        } else {
            ""
        }
    );
    Ok(())
}
