//! `vledger vault`: the submitting organisation's encrypted store of the
//! identities and salts behind its party commitments (docs/privacy.md).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::Subcommand;
use vledger_records::{Entry, EntryBody};
use vledger_tlog::note::TlogProof;
use vledger_verification::disclosure::{Disclosure, PartyField, opened};

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
            requester,
            json,
        } => {
            let disclosure = disclose(&vault.open()?, &party, entry, &receipt, &requester.name())?;
            files::write_atomically(&out, disclosure.to_json().as_bytes())?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({"party": party, "entry": entry,
                        "field": disclosure.field.path(), "file": out})
                );
            } else {
                println!(
                    "disclosure of {} in entry {entry} written to {}",
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

/// `vault export`: the party's data and its audit-trail lines, as JSON.
fn export(vault: &Vault, party: &str, requested_by: &str) -> anyhow::Result<String> {
    let (data, _) = vault.party(party)?;
    vault.audit("export", Some(party), requested_by, None)?;
    let trail = vault.trail().verify().unwrap_or_default();
    let lines: Vec<_> = trail
        .iter()
        .filter(|l| l.party.as_deref() == Some(party))
        .collect();
    let value = serde_json::json!({
        "party": data.reference,
        "identity": data.identity,
        "note": data.note,
        "added": data.added,
        "commitments": data.commitments,
        "audit_trail": lines,
    });
    Ok(serde_json::to_string_pretty(&value)?)
}

/// `vault disclose`: finds which party field of entry `entry`'s record
/// holds one of the party's commitments and makes its disclosure.
fn disclose(
    vault: &Vault,
    party: &str,
    entry: u64,
    receipt_file: &Path,
    requested_by: &str,
) -> anyhow::Result<Disclosure> {
    let (data, _) = vault.party(party)?;
    let text = std::fs::read_to_string(receipt_file)
        .with_context(|| format!("cannot read {}", receipt_file.display()))?;
    let proof = TlogProof::parse_bytes(text.as_bytes())
        .map_err(|e| anyhow::anyhow!("{} is not a receipt: {e}", receipt_file.display()))?;
    if proof.index.0 != entry {
        bail!(
            "{} is the receipt of entry {}, not of entry {entry}",
            receipt_file.display(),
            proof.index.0
        );
    }
    let bytes = proof
        .extra
        .as_deref()
        .with_context(|| format!("{} carries no entry", receipt_file.display()))?;
    let logged = Entry::decode(bytes)
        .map_err(|e| anyhow::anyhow!("{}: entry: {e}", receipt_file.display()))?;
    let EntryBody::Record(record) = &logged.body else {
        bail!("entry {entry} holds no record");
    };
    let record = record.signed.record();
    for field in PartyField::ALL {
        let Some(commitment) = field.in_record(record) else {
            continue;
        };
        let hex = hex::encode(commitment.as_bytes());
        let Some(held) = data.commitments.iter().find(|c| c.commitment == hex) else {
            continue;
        };
        let disclosure = Disclosure {
            entry,
            field,
            identity: data.identity.clone(),
            salt: *held.salt_bytes()?,
            receipt: text.clone(),
        };
        opened(&disclosure, record)
            .map_err(|e| anyhow::anyhow!("the vault's salt for entry {entry}: {e}"))?;
        vault.audit(
            "disclose",
            Some(party),
            requested_by,
            Some(format!("entry {entry}, {field}")),
        )?;
        return Ok(disclosure);
    }
    bail!("entry {entry} holds no commitment of party {party} that the vault made");
}

/// A record's `vault:` party fields, committed to for `submit --vault`,
/// waiting for the entry index.
#[derive(Debug)]
pub struct Committed {
    vault: Vault,
    parties: Vec<(String, vledger_records::PartyCommitment)>,
    requested_by: String,
}

impl VaultArgs {
    /// Replaces each `"vault:p-…"` party field of the record JSON `record`
    /// with a fresh commitment to that party, keeping its salt in the
    /// vault with the VIN, the field and the receipt file `receipt`.
    ///
    /// # Errors
    /// When the vault does not open, names no such party, or the record
    /// would not be valid with the commitments in place (nothing is kept
    /// then).
    pub fn commit_fields(
        &self,
        record: &mut serde_json::Value,
        receipt: &Path,
    ) -> anyhow::Result<Committed> {
        use crate::vault::references::{set_field, vault_fields};
        let vault = self.open()?;
        let fields = vault_fields(record);
        // Check every party and the record with stand-in commitments
        // first, so that nothing is kept for a record that is refused.
        let stand_in = vledger_records::PartyCommitment::commit(&[0x5a; 32], "stand-in");
        let mut trial = record.clone();
        for f in &fields {
            vault
                .party(&f.reference)
                .with_context(|| format!("{}", f.field))?;
            set_field(&mut trial, f.field, hex::encode(stand_in.as_bytes()));
        }
        vledger_records::Record::from_json_value(trial).context("not a valid record")?;
        let vin = record
            .get("vin")
            .and_then(serde_json::Value::as_str)
            .map(str::to_ascii_uppercase);
        let requested_by = RequesterArg { requested_by: None }.name();
        let mut parties = Vec::new();
        for f in fields {
            let placement = crate::vault::Placement {
                vin: vin.clone(),
                field: f.field.path().to_owned(),
                receipt: receipt.to_path_buf(),
            };
            let commitment = vault.commit(&f.reference, Some(&placement), &requested_by)?;
            set_field(record, f.field, hex::encode(commitment.as_bytes()));
            parties.push((f.reference, commitment));
        }
        Ok(Committed {
            vault,
            parties,
            requested_by,
        })
    }
}

impl Committed {
    /// Records that the record was logged as entry `index`.
    ///
    /// # Errors
    /// When the vault cannot be written.
    pub fn logged(&self, index: u64) -> anyhow::Result<()> {
        for (reference, commitment) in &self.parties {
            self.vault
                .logged(reference, commitment, index, &self.requested_by)?;
        }
        Ok(())
    }

    /// How many party fields were committed.
    #[must_use]
    pub fn len(&self) -> usize {
        self.parties.len()
    }

    /// Whether the record named no vault party.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.parties.is_empty()
    }
}
