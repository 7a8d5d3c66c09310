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

mod consistency;
mod disclosure;
mod history;
mod succession;
mod witnesses;
use vledger_records::{EntryBody, RecordBody, format_time};
use vledger_tlog::note::{KeyType, VerifierKey};
use vledger_verification::i18n::Lang;
use vledger_verification::receipt::{VerifiedReceipt, verify_receipt};

/// Exit status of `history --fail-on-flags` for a history that verified
/// but carries a damage brand or a flag (1 is a refusal, 2 a usage error).
const EXIT_FLAGGED: u8 = 3;

/// Verify vledger proofs offline, trusting only the keys you give.
#[derive(Debug, Parser)]
#[command(name = "vledger-verify", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verify a VIN history bundle (from `vledger history`): that it holds
    /// every record of the VIN as of its checkpoint, and print the buyer's
    /// report on it: a summary, then the timeline. A witnessed part (from
    /// `vledger history --cosigned`) is always checked; the witness policy
    /// applies to it when present. Exit status: 0 verified, 1 not verified,
    /// 3 verified but branded or flagged (with --fail-on-flags only).
    History {
        /// The log's verifier key (`name+keyid+base64`), or a file holding it.
        #[arg(long, env = "VLEDGER_LOG_KEY")]
        log_key: String,
        /// A succession proof (DATA/succession-SIZE.tlog-proof) to follow
        /// from the pinned log key to its successor; repeat for each
        /// succession, oldest first.
        #[arg(long, value_name = "FILE")]
        succession: Vec<PathBuf>,
        /// Print the report as JSON (see docs/report.md) instead of text.
        #[arg(long)]
        json: bool,
        /// The report's language: zh, en or ru (default: from LC_ALL,
        /// LC_MESSAGES or LANG; English when none of them names one).
        #[arg(long, value_name = "zh|en|ru")]
        lang: Option<Lang>,
        /// Exit with status 3 when the verified history carries a damage
        /// brand or a flag, so that a script can tell it from a clean one.
        #[arg(long)]
        fail_on_flags: bool,
        /// Also write the report as one self-contained HTML page to FILE:
        /// it embeds the bundle and verifies it again in the browser,
        /// against the keys the reader gives it (see docs/report.md).
        /// Written only when the history verifies.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        #[command(flatten)]
        witnesses: witnesses::WitnessArgs,
        /// The .vhist.json file.
        file: PathBuf,
    },
    /// Verify a .tlog-proof receipt: the checkpoint signature, the inclusion
    /// proof, and the record signature inside the entry.
    Proof {
        /// The log's verifier key (`name+keyid+base64`), or a file holding it.
        #[arg(long, env = "VLEDGER_LOG_KEY")]
        log_key: String,
        /// A succession proof (DATA/succession-SIZE.tlog-proof) to follow
        /// from the pinned log key to its successor; repeat for each
        /// succession, oldest first.
        #[arg(long, value_name = "FILE")]
        succession: Vec<PathBuf>,
        /// Print the result as one JSON object instead of the OK line.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        witnesses: witnesses::WitnessArgs,
        /// The .tlog-proof file.
        file: PathBuf,
    },
    /// Verify succession proofs (from `vledger rotate-log-key`): that each
    /// was signed by the log key trusted before it, and print the key that
    /// signs the log's checkpoints now, for witnesses and mirrors to take.
    Succession {
        /// The log's verifier key you trust (`name+keyid+base64`), or a
        /// file holding it.
        #[arg(long, env = "VLEDGER_LOG_KEY")]
        log_key: String,
        /// The succession proofs, oldest first.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Verify offline that a newer checkpoint extends an older one: both
    /// signatures and the consistency proof (from `vledger consistency --out`).
    Consistency {
        /// The log's verifier key (`name+keyid+base64`), or a file holding it.
        #[arg(long, env = "VLEDGER_LOG_KEY")]
        log_key: String,
        /// A succession proof (DATA/succession-SIZE.tlog-proof) to follow
        /// from the pinned log key to its successor; repeat for each
        /// succession, oldest first.
        #[arg(long, value_name = "FILE")]
        succession: Vec<PathBuf>,
        /// Print the result as one JSON object instead of the OK line.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        witnesses: witnesses::WitnessArgs,
        /// The older signed checkpoint.
        old_checkpoint: PathBuf,
        /// The newer signed checkpoint (the witness policy applies to it).
        new_checkpoint: PathBuf,
        /// The proof file.
        proof: PathBuf,
    },
    /// Verify a disclosure file (from `vledger vault disclose`): that the
    /// party commitment in one logged entry names the identity it gives.
    /// It shows nothing about any other record.
    Disclosure {
        /// The log's verifier key (`name+keyid+base64`), or a file holding it.
        #[arg(long, env = "VLEDGER_LOG_KEY")]
        log_key: String,
        /// A succession proof (DATA/succession-SIZE.tlog-proof) to follow
        /// from the pinned log key to its successor; repeat for each
        /// succession, oldest first.
        #[arg(long, value_name = "FILE")]
        succession: Vec<PathBuf>,
        /// Print the result as one JSON object instead of the OK line.
        #[arg(long)]
        json: bool,
        /// The .disclosure.json file.
        file: PathBuf,
    },
    /// Print a shell completion script for vledger-verify.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Write man pages for vledger-verify and each of its subcommands into
    /// a directory.
    Man {
        /// The directory (made if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Writes the man pages of the verifier and its subcommands into `dir`;
/// returns the line to print.
fn man_pages(dir: &Path) -> Result<String, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let command = <Cli as clap::CommandFactory>::command();
    let mut pages = vec![(
        "vledger-verify".to_owned(),
        "vledger-verify".to_owned(),
        command.clone(),
    )];
    pages.extend(
        command
            .get_subcommands()
            .filter(|s| s.get_name() != "help")
            .map(|s| {
                (
                    format!("vledger-verify-{}", s.get_name()),
                    format!("vledger-verify {}", s.get_name()),
                    s.clone(),
                )
            }),
    );
    for (name, line, page) in &pages {
        let path = dir.join(format!("{name}.1"));
        let mut text = Vec::new();
        clap_mangen::Man::new(page.clone().bin_name(line.clone()))
            .title(name.clone())
            .render(&mut text)
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(format!(
        "{} man pages written to {}",
        pages.len(),
        dir.display()
    ))
}

/// Reads a verifier key given inline or as a path to a file holding it;
/// `what` names it in messages.
fn read_key(arg: &str, what: &str) -> Result<VerifierKey, String> {
    let text = if Path::new(arg).is_file() {
        std::fs::read_to_string(arg).map_err(|e| format!("cannot read {arg}: {e}"))?
    } else {
        arg.to_owned()
    };
    VerifierKey::parse(text.trim()).map_err(|e| format!("{what}: {e}"))
}

/// Reads the log's verifier key (type 0x01), inline or from a file.
fn verifier_key(arg: &str) -> Result<VerifierKey, String> {
    let key = read_key(arg, "log key")?;
    if key.key_type() != KeyType::Ed25519 {
        return Err("log key: not a log key (type 0x01)".to_owned());
    }
    Ok(key)
}

fn verify_proof(
    log_key: &str,
    successions: &[PathBuf],
    witnesses: &witnesses::WitnessArgs,
    file: &Path,
    json: bool,
) -> Result<String, String> {
    let keys = succession::log_keys(verifier_key(log_key)?, successions)?;
    let text = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let key = succession::key_for_receipt(&keys, &text, file)?;
    let VerifiedReceipt {
        index,
        checkpoint,
        entry,
        proof,
    } = verify_receipt(&text, &key).map_err(|e| format!("{}: {e}", file.display()))?;
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
                (None, RecordBody::InspectionProtocol(p)) => {
                    format!(" of {} ({} items)", p.id(), p.items.len())
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
    // The witness policy: a quorum must have cosigned the checkpoint.
    let quorum = witnesses
        .check(&proof.checkpoint)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    if json {
        let (kind, vin, flags) = match &entry.body {
            EntryBody::Genesis(_) => ("genesis".to_owned(), None, Vec::new()),
            EntryBody::Record(r) => (
                r.signed.record().kind().to_string(),
                r.signed.record().vin.as_ref().map(ToString::to_string),
                r.flags.iter().map(ToString::to_string).collect(),
            ),
            EntryBody::Index(_) => ("index".to_owned(), None, Vec::new()),
            _ => ("unknown".to_owned(), None, Vec::new()),
        };
        return Ok(serde_json::json!({
            "ok": true,
            "file": file,
            "index": index,
            "origin": checkpoint.origin(),
            "tree_size": checkpoint.size().0,
            "kind": kind,
            "vin": vin,
            "entry": what,
            "logged": format_time(entry.logged_at_ms.div_euclid(1000)),
            "cosigned_by": quorum.as_ref().map(vledger_tlog::note::QuorumReport::valid),
            "flags": flags,
        })
        .to_string());
    }
    let cosigned = quorum.map_or_else(String::new, |r| format!("; {}", witnesses::summary(&r)));
    // What the log's rules found suspicious about the record: part of the
    // entry, so as verified as the rest.
    let flags = match &entry.body {
        EntryBody::Record(r) if !r.flags.is_empty() => {
            let text: Vec<String> = r.flags.iter().map(ToString::to_string).collect();
            format!("\nFLAGS: {}", text.join("; "))
        }
        _ => String::new(),
    };
    Ok(format!(
        "OK: entry {} of log {} at tree size {} is {what}; logged {}{cosigned}{flags}",
        index,
        checkpoint.origin(),
        checkpoint.size().0,
        format_time(entry.logged_at_ms.div_euclid(1000)),
    ))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<(String, u8), String> = match &cli.command {
        Command::Proof {
            log_key,
            succession,
            json,
            witnesses,
            file,
        } => verify_proof(log_key, succession, witnesses, file, *json).map(|out| (out, 0)),
        Command::Succession { log_key, files } => {
            verifier_key(log_key).and_then(|key| succession::run(key, files).map(|out| (out, 0)))
        }
        Command::Consistency {
            log_key,
            succession,
            json,
            witnesses,
            old_checkpoint,
            new_checkpoint,
            proof,
        } => verifier_key(log_key)
            .and_then(|key| succession::log_keys(key, succession))
            .and_then(|keys| {
                let files = consistency::Files {
                    old: old_checkpoint,
                    new: new_checkpoint,
                    proof,
                };
                consistency::run(&keys, &files, witnesses, *json)
            })
            .map(|out| (out, 0)),
        Command::History {
            log_key,
            succession,
            json,
            lang,
            fail_on_flags,
            html,
            witnesses,
            file,
        } => verifier_key(log_key).and_then(|key| {
            let keys = succession::log_keys(key, succession)?;
            let policy = witnesses.policy()?;
            let lang = lang.unwrap_or_else(history::locale_lang);
            let output = history::Output {
                json: *json,
                html: html.as_deref(),
                lang,
            };
            let verified = history::run(&keys, policy.as_ref(), file, &output)?;
            let status = if *fail_on_flags && verified.attention {
                EXIT_FLAGGED
            } else {
                0
            };
            Ok((verified.output, status))
        }),
        Command::Disclosure {
            log_key,
            succession,
            json,
            file,
        } => verifier_key(log_key)
            .and_then(|key| succession::log_keys(key, succession))
            .and_then(|keys| disclosure::run(&keys, file, *json))
            .map(|out| (out, 0)),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(
                *shell,
                &mut command,
                "vledger-verify",
                &mut std::io::stdout(),
            );
            return ExitCode::SUCCESS;
        }
        Command::Man { out } => man_pages(out).map(|line| (line, 0)),
    };
    match result {
        Ok((out, status)) => {
            println!("{out}");
            ExitCode::from(status)
        }
        Err(reason) => {
            eprintln!("FAILED: {reason}");
            ExitCode::FAILURE
        }
    }
}
