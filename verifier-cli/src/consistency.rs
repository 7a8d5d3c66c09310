//! `vledger-verify consistency`: checks offline that a newer checkpoint
//! extends an older one, from the two signed checkpoints and the proof file
//! `vledger consistency --out` writes.

use std::path::Path;

use vledger_tlog::note::ConsistencyProofText;
use vledger_verification::succession::LogKeys;

use crate::witnesses::{WitnessArgs, summary};

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The files `vledger-verify consistency` reads.
#[derive(Debug, Clone, Copy)]
pub struct Files<'a> {
    /// The older signed checkpoint.
    pub old: &'a Path,
    /// The newer signed checkpoint.
    pub new: &'a Path,
    /// The proof (`vledger consistency --out`).
    pub proof: &'a Path,
}

/// Verifies and returns the OK line, or with `json` one JSON object. The
/// two checkpoints may be signed by different keys of the log, across a
/// succession `keys` followed.
///
/// # Errors
/// A message naming the file and what is wrong.
pub fn run(
    keys: &LogKeys,
    files: &Files<'_>,
    witnesses: &WitnessArgs,
    json: bool,
) -> Result<String, String> {
    let Files { old, new, proof } = *files;
    let open = |path: &Path| {
        let note = read(path)?;
        let (_, cp) = keys
            .open(&note)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok::<_, String>((note, cp))
    };
    let (_, old_cp) = open(old)?;
    let (new_note, new_cp) = open(new)?;
    let text = read(proof)?;
    let parsed =
        ConsistencyProofText::parse(&text).map_err(|e| format!("{}: {e}", proof.display()))?;
    if parsed.old != old_cp.size().0 || parsed.new != new_cp.size().0 {
        return Err(format!(
            "{}: the proof is from tree size {} to {}, the checkpoints are of {} and {}",
            proof.display(),
            parsed.old,
            parsed.new,
            old_cp.size().0,
            new_cp.size().0
        ));
    }
    parsed
        .verify(old_cp.root(), new_cp.root())
        .map_err(|e| format!("{}: consistency proof: {e}", proof.display()))?;
    // The newer checkpoint is the one a buyer relies on: it must carry the
    // quorum, if a policy is given.
    let quorum = witnesses
        .check(&new_note)
        .map_err(|e| format!("{}: {e}", new.display()))?;
    if json {
        return Ok(serde_json::json!({
            "ok": true,
            "origin": new_cp.origin(),
            "old_size": old_cp.size().0,
            "new_size": new_cp.size().0,
            "proof_hashes": parsed.hashes.len(),
            "cosigned_by": quorum.as_ref().map(vledger_tlog::note::QuorumReport::valid),
        })
        .to_string());
    }
    let cosigned = quorum.map_or_else(String::new, |r| format!("; it is {}", summary(&r)));
    Ok(format!(
        "OK: tree size {} of log {} extends tree size {} ({} proof hash{}){cosigned}",
        new_cp.size().0,
        new_cp.origin(),
        old_cp.size().0,
        parsed.hashes.len(),
        if parsed.hashes.len() == 1 { "" } else { "es" }
    ))
}
