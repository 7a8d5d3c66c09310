//! `vledger-verify disclosure`: that the party commitment in one logged
//! entry names the identity a disclosure file gives
//! ([`vledger_verification::disclosure`]).

use std::path::Path;

use vledger_verification::disclosure::{Disclosure, verify_disclosure};
use vledger_verification::succession::LogKeys;

use crate::succession;

/// Verifies the disclosure `file` under the log's keys; returns the OK
/// line, or one JSON object with `json`.
///
/// # Errors
/// The file cannot be read, or the first check that failed, as one line.
pub fn run(keys: &LogKeys, file: &Path, json: bool) -> Result<String, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let disclosure = Disclosure::parse(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    let key = succession::key_for_receipt(keys, disclosure.receipt.as_bytes(), file)?;
    let verified =
        verify_disclosure(&disclosure, &key).map_err(|e| format!("{}: {e}", file.display()))?;
    let vin = verified
        .vin
        .as_ref()
        .map_or_else(|| "no VIN".to_owned(), |v| format!("VIN {v}"));
    if json {
        return Ok(serde_json::json!({
            "ok": true,
            "file": file,
            "entry": verified.entry,
            "origin": verified.checkpoint.origin(),
            "tree_size": verified.checkpoint.size().0,
            "vin": verified.vin.as_ref().map(ToString::to_string),
            "field": verified.field.path(),
            "identity": verified.identity,
            "commitment": hex::encode(verified.commitment.as_bytes()),
        })
        .to_string());
    }
    Ok(format!(
        "OK: entry {} of log {} ({vin}, {}) names {}",
        verified.entry,
        verified.checkpoint.origin(),
        verified.field,
        verified.identity
    ))
}
