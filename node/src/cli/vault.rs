//! `vledger vault`: the submitting organisation's encrypted store of the
//! identities and salts behind its party commitments (docs/privacy.md).

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;

mod reads;
mod submit;

use self::reads::{disclose, export};
pub use self::submit::Committed;
use super::keys::{Want, read_vkey};
use crate::vault::crypto::{SecretKey, read_master_key};
use crate::vault::{Vault, files};

/// The vault directory and its master key.
#[derive(Debug, clap::Args)]
pub struct VaultArgs {
    /// The vault directory.
    #[arg(long, env = "VLEDGER_VAULT")]
    pub dir: PathBuf,
    /// The vault's master key: a file holding it (as `vault init` wrote
    /// it), or the 64 hex digits themselves in VLEDGER_VAULT_KEY.
    #[arg(
        long,
        env = "VLEDGER_VAULT_KEY",
        value_name = "FILE",
        hide_env_values = true
    )]
    pub master_key: String,
}

impl VaultArgs {
    /// Opens the vault.
    ///
    /// # Errors
    /// When the key cannot be read or does not open the vault.
    pub fn open(&self) -> anyhow::Result<Vault> {
        Vault::open(&self.dir, read_master_key(&self.master_key)?)
    }
}

/// Who asks, for the audit trail.
#[derive(Debug, Clone, clap::Args)]
pub struct RequesterArg {
    /// Who asked for it, for the audit trail (a name, a ticket number;
    /// never the party's identity). Default: the user running the command.
    #[arg(long)]
    pub requested_by: Option<String>,
}

impl RequesterArg {
    fn name(&self) -> String {
        self.requested_by
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "operator".to_owned())
    }
}

/// `vledger vault` subcommands.
#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// Make a vault in a new or empty directory and write a new master key
    /// to a file outside it (mode 0600).
    Init {
        /// The vault directory.
        #[arg(long, env = "VLEDGER_VAULT")]
        dir: PathBuf,
        /// Where to write the master key; not inside the vault directory.
        #[arg(long, value_name = "FILE")]
        master_key_out: PathBuf,
        #[command(flatten)]
        requester: RequesterArg,
    },
    /// Add a party; prints its new reference (`p-` and 16 hex digits),
    /// which record files name as `"vault:p-…"`.
    Add {
        #[command(flatten)]
        vault: VaultArgs,
        /// The party's identifier in your own files (an ID or company
        /// registration number).
        #[arg(long)]
        identity: String,
        /// A note kept with it (sealed like the identity).
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        requester: RequesterArg,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Make a fresh commitment to a party, keeping its salt in the vault;
    /// prints the commitment (64 hex digits) to put in a record.
    Commit {
        #[command(flatten)]
        vault: VaultArgs,
        /// The party's reference.
        #[arg(long)]
        party: String,
        #[command(flatten)]
        requester: RequesterArg,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Erase a party: shred its data key and its sealed file. Its logged
    /// commitments are then linked to nobody; receipts and histories still
    /// verify.
    Erase {
        #[command(flatten)]
        vault: VaultArgs,
        /// The party's reference.
        #[arg(long)]
        party: String,
        /// Who asked for the erasure (recorded in the audit trail).
        #[arg(long)]
        requested_by: String,
        /// Why (recorded in the audit trail; never personal data).
        #[arg(long)]
        reason: Option<String>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Print everything the vault holds about one party, as JSON: identity,
    /// note, each commitment with its salt, VIN, field and entry, and the
    /// party's audit-trail lines.
    Export {
        #[command(flatten)]
        vault: VaultArgs,
        /// The party's reference.
        #[arg(long)]
        party: String,
        #[command(flatten)]
        requester: RequesterArg,
    },
    /// Write a disclosure file showing that the commitment in one logged
    /// entry names the party (check it with `vledger-verify disclosure`).
    Disclose {
        #[command(flatten)]
        vault: VaultArgs,
        /// The party's reference.
        #[arg(long)]
        party: String,
        /// The leaf index of the entry.
        #[arg(long)]
        entry: u64,
        /// The entry's receipt (.tlog-proof), as `submit` or `prove` wrote it.
        #[arg(long, value_name = "FILE")]
        receipt: PathBuf,
        /// Where to write the disclosure (`NAME.disclosure.json`).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The log's verifier key (or a file holding it): the disclosure is
        /// checked against it, as `vledger-verify disclosure` checks it,
        /// before it is written.
        #[arg(long, env = "VLEDGER_LOG_KEY")]
        log_key: Option<String>,
        #[command(flatten)]
        requester: RequesterArg,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Verify the vault's audit trail (every line chained to the one
    /// before) and print it. Needs no master key.
    AuditTrail {
        /// The vault directory.
        #[arg(long, env = "VLEDGER_VAULT")]
        dir: PathBuf,
        /// Print one JSON object: `ok`, `dir`, and the `lines`.
        #[arg(long)]
        json: bool,
    },
    /// Wrap every party's data key under a new master key, written to a
    /// new file; the old key then opens nothing. Run it again with the same
    /// arguments to finish a rotation that stopped.
    RotateMasterKey {
        #[command(flatten)]
        vault: VaultArgs,
        /// Where to write the new master key (if the file exists, it is the
        /// new key of a rotation being finished).
        #[arg(long, value_name = "FILE")]
        new_master_key_out: PathBuf,
        #[command(flatten)]
        requester: RequesterArg,
    },
}

/// Runs a `vledger vault` command.
///
/// # Errors
/// Whatever failed, as one line.
pub fn main(command: VaultCommand) -> anyhow::Result<()> {
    match command {
        VaultCommand::Init {
            dir,
            master_key_out,
            requester,
        } => {
            Vault::init(&dir, &master_key_out, &requester.name())?;
            println!(
                "vault made in {}; master key written to {} (keep it apart from the vault)",
                dir.display(),
                master_key_out.display()
            );
        }
        VaultCommand::Add {
            vault,
            identity,
            note,
            requester,
            json,
        } => {
            let reference = vault
                .open()?
                .add(&identity, note.as_deref(), &requester.name())?;
            if json {
                println!("{}", serde_json::json!({ "party": reference }));
            } else {
                println!("{reference}");
            }
        }
        VaultCommand::Commit {
            vault,
            party,
            requester,
            json,
        } => {
            let commitment = vault.open()?.commit(&party, None, &requester.name())?;
            let hex = hex::encode(commitment.as_bytes());
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "party": party, "commitment": hex })
                );
            } else {
                println!("{hex}");
            }
        }
        VaultCommand::Erase {
            vault,
            party,
            requested_by,
            reason,
            json,
        } => {
            let line = vault
                .open()?
                .erase(&party, &requested_by, reason.as_deref())?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({"party": party, "erased": line.time, "audit_line": line.seq})
                );
            } else {
                println!(
                    "party {party} erased: its data key and sealed file are shredded (audit \
                     trail line {})",
                    line.seq
                );
            }
        }
        VaultCommand::Export {
            vault,
            party,
            requester,
        } => println!("{}", export(&vault.open()?, &party, &requester.name())?),
        VaultCommand::Disclose {
            vault,
            party,
            entry,
            receipt,
            out,
            log_key,
            requester,
            json,
        } => {
            let key = log_key
                .map(|k| read_vkey("--log-key", &k, Want::Ed25519))
                .transpose()?;
            let disclosure = disclose(
                &vault.open()?,
                &party,
                entry,
                &receipt,
                key.as_ref(),
                &requester.name(),
            )?;
            files::write_atomically(&out, disclosure.to_json().as_bytes())?;
            let checked = if key.is_some() {
                ", checked against the log key"
            } else {
                ""
            };
            if json {
                println!(
                    "{}",
                    serde_json::json!({"party": party, "entry": entry,
                        "field": disclosure.field.path(), "file": out,
                        "verified": key.is_some()})
                );
            } else {
                println!(
                    "disclosure of {} in entry {entry} written to {}{checked}",
                    disclosure.field,
                    out.display()
                );
            }
        }
        VaultCommand::AuditTrail { dir, json } => {
            let lines = crate::vault::trail::Trail::new(&dir)
                .verify()
                .with_context(|| format!("the audit trail of {} does not verify", dir.display()))?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": true, "dir": dir, "lines": lines})
                );
            } else {
                for line in &lines {
                    println!("{}", serde_json::to_string(line)?);
                }
                println!(
                    "OK: audit trail of {}: {} lines, each chained to the one before",
                    dir.display(),
                    lines.len()
                );
            }
        }
        VaultCommand::RotateMasterKey {
            vault,
            new_master_key_out,
            requester,
        } => {
            let mut open = vault.open()?;
            let new = if new_master_key_out.exists() {
                read_master_key(&new_master_key_out.display().to_string())?
            } else {
                let key = SecretKey::generate();
                let mut text = key.to_hex();
                text.push('\n');
                files::create_new_private(&new_master_key_out, text.as_bytes())?;
                key
            };
            let n = open.rotate_master_key(new, &requester.name())?;
            println!(
                "{} rewrapped under the new master key in {}; destroy the old key",
                crate::cli::plural(
                    u64::try_from(n).unwrap_or(u64::MAX),
                    "data key",
                    "data keys"
                ),
                new_master_key_out.display()
            );
        }
    }
    Ok(())
}
