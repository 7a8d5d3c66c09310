//! `vledger-verify`: checks vledger proofs offline.
//!
//! It trusts only the keys it is given on the command line. It has no
//! network code and no storage: everything it needs is in the files it
//! reads, so a buyer can run it on a laptop without reaching the log.

#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ledger::note::{TlogProof, VerifierKey};
use ledger::record::{Entry, EntryBody, RecordBody, format_time};

/// Verify vledger proofs offline, trusting only the keys you give.
#[derive(Debug, Parser)]
#[command(name = "vledger-verify", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verify a .tlog-proof receipt: the checkpoint signature, the inclusion
    /// proof, and the record signature inside the entry.
    Proof {
        /// The log's verifier key (`name+keyid+base64`), or a file holding it.
        #[arg(long, env = "VLEDGER_LOG_KEY")]
        log_key: String,
        /// The .tlog-proof file.
        file: PathBuf,
    },
}

/// Reads a verifier key given inline or as a path to a file holding it.
fn verifier_key(arg: &str) -> Result<VerifierKey, String> {
    let text = if Path::new(arg).is_file() {
        std::fs::read_to_string(arg).map_err(|e| format!("cannot read {arg}: {e}"))?
    } else {
        arg.to_owned()
    };
    VerifierKey::parse(text.trim()).map_err(|e| format!("log key: {e}"))
}

fn verify_proof(log_key: &str, file: &Path) -> Result<String, String> {
    let key = verifier_key(log_key)?;
    let text = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let proof = TlogProof::parse_bytes(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    // vledger names the log key after its origin: the checkpoint must be that log's.
    let verified = proof
        .verify_for_origin(key.name(), &key)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let bytes = proof
        .extra
        .as_deref()
        .ok_or_else(|| format!("{}: no entry bytes in the extra line", file.display()))?;
    let entry = Entry::decode(bytes).map_err(|e| format!("{}: entry: {e}", file.display()))?;
    let what = match &entry.body {
        EntryBody::Genesis(g) => format!("genesis of log {}", g.origin),
        EntryBody::Record(r) => {
            let record = r.signed.record();
            let signer = hex::encode(&r.signed.public_key().as_bytes()[..8]);
            let subject = match (&record.vin, &record.body) {
                (Some(vin), _) => format!(" for VIN {vin}"),
                (None, RecordBody::KeyEnrollment(k)) => {
                    format!(
                        " of key {} as {}",
                        hex::encode(&k.public_key.as_bytes()[..8]),
                        k.role
                    )
                }
                (None, RecordBody::KeyRevocation(k)) => {
                    format!(" of key {}", hex::encode(&k.public_key.as_bytes()[..8]))
                }
                (None, _) => String::new(),
            };
            format!(
                "{}{subject} dated {}, signed by key {signer}…",
                record.kind(),
                format_time(record.event_time)
            )
        }
        _ => "an entry of a kind this verifier does not know".to_owned(),
    };
    Ok(format!(
        "OK: entry {} of log {} at tree size {} is {what}; logged {}",
        verified.index.0,
        verified.checkpoint.origin(),
        verified.checkpoint.size().0,
        format_time(entry.logged_at_ms.div_euclid(1000)),
    ))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Proof { log_key, file } => verify_proof(log_key, file),
    };
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(reason) => {
            eprintln!("FAILED: {reason}");
            ExitCode::FAILURE
        }
    }
}
