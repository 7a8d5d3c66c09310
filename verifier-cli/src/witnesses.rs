//! `--witness` and `--quorum`: the verifier's witness policy.
//!
//! A checkpoint counts only if at least `--quorum` of the given witnesses
//! cosigned it (C2SP tlog-cosignature). Without `--witness` the policy is
//! off and the log's signature alone is checked. The failure message names
//! every witness whose cosignature is missing or bad.

use vledger_tlog::note::{Note, QuorumReport, VerifierKey, WitnessPolicy};

use crate::read_key;

/// The witness flags, shared by the subcommands that check checkpoints.
#[derive(Debug, Clone, clap::Args)]
pub struct WitnessArgs {
    /// A witness's cosigning verifier key (type 0x04), or a file holding it;
    /// repeatable. The checkpoint must then carry a quorum of cosignatures.
    #[arg(long = "witness", value_name = "VKEY")]
    pub witnesses: Vec<String>,
    /// How many of the witnesses must have cosigned (default: all of them).
    #[arg(long, requires = "witnesses")]
    pub quorum: Option<usize>,
}

impl WitnessArgs {
    /// The policy; `None` without witnesses.
    ///
    /// # Errors
    /// A message for a malformed key or an impossible quorum.
    pub fn policy(&self) -> Result<Option<WitnessPolicy>, String> {
        if self.witnesses.is_empty() {
            return Ok(None);
        }
        let keys = self
            .witnesses
            .iter()
            .map(|w| read_key(w, "witness key"))
            .collect::<Result<Vec<VerifierKey>, String>>()?;
        let quorum = self.quorum.unwrap_or(keys.len());
        WitnessPolicy::new(keys, quorum)
            .map(Some)
            .map_err(|e| format!("--quorum: {e}"))
    }

    /// Checks the policy on a signed checkpoint note (already opened with
    /// the log key); returns the report, `None` without witnesses.
    ///
    /// # Errors
    /// A message naming every witness that is missing or bad when fewer
    /// than the quorum cosigned.
    pub fn check(&self, note: &str) -> Result<Option<QuorumReport>, String> {
        let Some(policy) = self.policy()? else {
            return Ok(None);
        };
        let note = Note::parse(note).map_err(|e| format!("checkpoint {e}"))?;
        policy
            .verify(&note)
            .map(Some)
            .map_err(|e| format!("checkpoint: {e}"))
    }
}

/// The report as a short sentence for an OK line.
pub fn summary(report: &QuorumReport) -> String {
    format!(
        "cosigned by {} of {} witness{} (quorum {})",
        report.valid(),
        report.witnesses.len(),
        if report.witnesses.len() == 1 {
            ""
        } else {
            "es"
        },
        report.quorum
    )
}
