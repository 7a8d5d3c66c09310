//! `vledger rotate-log-key`: retires the log key of a stopped node and
//! hands the log to a new one ([`vledger_log::writer::LogWriter::succeed`];
//! docs/operations.md, "Keys").
//!
//! The data directory moves through these states, each of which a second
//! run finishes from:
//!
//! 1. `log.next.key` is written: the successor, not yet in the log.
//! 2. The succession batch is committed: its checkpoint is signed by the
//!    successor, so the node can no longer start with `log.key`.
//! 3. `succession-SIZE.tlog-proof` (signed by the retiring key) and
//!    `retired-log-SIZE.key`/`.vkey` are written.
//! 4. `log.next.key` replaces `log.key`, then `log.vkey` is rewritten, each
//!    by an atomic rename.

use std::fs;
use std::path::Path;

use anyhow::{Context as _, bail};
use vledger_log::writer::{LogWriter, SuccessionProof};
use vledger_tlog::note::Signer;

use crate::datadir::{DataDir, generate_signer, read_signer, write_public, write_secret};

/// `vledger rotate-log-key`.
///
/// # Errors
/// When the store is in use or holds no log, the keys cannot be read or
/// written, or the log refuses the succession.
pub fn rotate_log_key(data: &Path, store: Option<String>, reason: &str) -> anyhow::Result<()> {
    let dir = DataDir::new(data).with_store(store);
    let retiring = dir.log_signer()?;
    let next_path = data.join("log.next.key");
    let (successor, resumed) = if next_path.exists() {
        (read_signer(&next_path)?, true)
    } else {
        let successor =
            generate_signer(retiring.name()).context("the log's origin cannot name a key")?;
        write_secret(&next_path, &successor.to_private_key())?;
        (successor, false)
    };
    if successor.verifier_key() == retiring.verifier_key() {
        bail!(
            "{} is the current log key; remove it and run again",
            next_path.display()
        );
    }
    let proof = hand_over(&dir, &retiring, successor.clone(), reason, resumed)?;
    let size = proof.tree_size;
    let write_same = |path: &Path, text: &str, secret: bool| -> anyhow::Result<()> {
        match fs::read_to_string(path) {
            Ok(found) if found.trim_end() == text.trim_end() => Ok(()),
            Ok(_) => bail!("{} exists and holds something else", path.display()),
            Err(_) if secret => write_secret(path, text),
            Err(_) => write_public(path, text),
        }
    };
    let proof_path = data.join(format!("succession-{size}.tlog-proof"));
    // `write_public` ends the file with one newline, as the proof ends.
    let proof_text = proof.proof.strip_suffix('\n').unwrap_or(&proof.proof);
    write_same(&proof_path, proof_text, false)?;
    write_same(
        &data.join(format!("retired-log-{size}.key")),
        &retiring.to_private_key(),
        true,
    )?;
    write_same(
        &data.join(format!("retired-log-{size}.vkey")),
        &retiring.verifier_key().to_string(),
        false,
    )?;
    fs::rename(&next_path, dir.log_key_path())
        .with_context(|| format!("cannot move {} to log.key", next_path.display()))?;
    let vkey_tmp = data.join("log.vkey.next");
    let _ = fs::remove_file(&vkey_tmp);
    write_public(&vkey_tmp, &successor.verifier_key().to_string())?;
    fs::rename(&vkey_tmp, data.join("log.vkey")).context("cannot replace log.vkey")?;
    fs::File::open(data)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", data.display()))?;
    println!(
        "log key succeeded at tree size {size} (entry {}): the log's key is now {}; give verifiers and witnesses {} ; the retired key is in {}",
        proof.index,
        successor.verifier_key(),
        proof_path.display(),
        data.join(format!("retired-log-{size}.key")).display()
    );
    Ok(())
}

/// Commits the succession batch, or finds it committed by an earlier run
/// that stopped, and gives its proof.
fn hand_over(
    dir: &DataDir,
    retiring: &Signer,
    successor: Signer,
    reason: &str,
    resumed: bool,
) -> anyhow::Result<SuccessionProof> {
    let open = |signer: Signer| -> anyhow::Result<_> {
        let store = dir.open_store()?;
        LogWriter::open(store, signer)
            .with_context(|| format!("cannot open the log in {}", dir.store_name()))
    };
    if resumed {
        // A run that stopped after committing the batch: the successor
        // signs the latest checkpoint.
        if let Ok(writer) = open(successor.clone()) {
            return writer
                .succession_proof(retiring)
                .context("cannot finish the succession");
        }
    }
    let mut writer = open(retiring.clone())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    writer
        .succeed(successor, reason, now)
        .context("cannot hand the log to the new key")
}
