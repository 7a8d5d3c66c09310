//! `--succession` and `vledger-verify succession`: following a log from
//! the key a verifier pinned to the key that signs its checkpoints now
//! ([`vledger_verification::succession`]).

use std::path::{Path, PathBuf};

use vledger_tlog::note::{TlogProof, VerifierKey};
use vledger_verification::succession::LogKeys;

/// The log's keys: `pinned`, then the successor each succession proof in
/// `files` names, in order.
///
/// # Errors
/// The first file that cannot be read or is not a succession from the key
/// trusted before it.
pub fn log_keys(pinned: VerifierKey, files: &[PathBuf]) -> Result<LogKeys, String> {
    let mut keys = LogKeys::new(pinned);
    for file in files {
        let text =
            std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        keys.follow(&text)
            .map_err(|e| format!("{}: {e}", file.display()))?;
    }
    Ok(keys)
}

/// The key to check the checkpoint of the receipt `text` from `file`
/// with: with no succession followed, the pinned key; else the key that
/// signed it, refused when it signs outside its tree sizes. A receipt that
/// does not parse gets the current key, which reports it.
///
/// # Errors
/// A retired key's checkpoint beyond its last size, or a successor's
/// before its first.
pub fn key_for_receipt(keys: &LogKeys, text: &[u8], file: &Path) -> Result<VerifierKey, String> {
    if keys.keys().len() == 1 {
        return Ok(keys.current().clone());
    }
    match TlogProof::parse_bytes(text) {
        Ok(proof) => key_for_note(keys, &proof.checkpoint, file),
        Err(_) => Ok(keys.current().clone()),
    }
}

/// The key that signed the checkpoint `note` (see [`key_for_receipt`]).
///
/// # Errors
/// As [`key_for_receipt`].
pub fn key_for_note(keys: &LogKeys, note: &str, file: &Path) -> Result<VerifierKey, String> {
    if keys.keys().len() == 1 {
        return Ok(keys.current().clone());
    }
    keys.key_for(note)
        .cloned()
        .map_err(|e| format!("{}: {e}", file.display()))
}

/// `vledger-verify succession`: the OK line naming the current key.
///
/// # Errors
/// As [`log_keys`].
pub fn run(pinned: VerifierKey, files: &[PathBuf]) -> Result<String, String> {
    let keys = log_keys(pinned, files)?;
    let steps: Vec<String> = keys.keys()[1..]
        .iter()
        .map(|k| {
            format!(
                "at tree size {} (entry {})",
                k.from,
                k.succession_index.unwrap_or_default()
            )
        })
        .collect();
    Ok(format!(
        "OK: log {} handed its key on {}; its checkpoints are now signed by {}",
        keys.current().name(),
        steps.join(", then "),
        keys.current()
    ))
}
