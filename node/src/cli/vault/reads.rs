//! `vault export` and `vault disclose`: what the vault holds about a
//! party, whole or for one logged record.

use std::path::Path;

use anyhow::{Context as _, bail};
use vledger_records::{Entry, EntryBody};
use vledger_tlog::note::TlogProof;
use vledger_tlog::note::VerifierKey;
use vledger_verification::disclosure::{Disclosure, PartyField, opened, verify_disclosure};

use crate::vault::Vault;

/// `vault export`: the party's data and its audit-trail lines, as JSON.
pub(super) fn export(vault: &Vault, party: &str, requested_by: &str) -> anyhow::Result<String> {
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
pub(super) fn disclose(
    vault: &Vault,
    party: &str,
    entry: u64,
    receipt_file: &Path,
    log_key: Option<&VerifierKey>,
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
        // Checked as `vledger-verify disclosure` will check it (the
        // receipt's checkpoint and inclusion proof), before anything is
        // recorded or written.
        if let Some(key) = log_key {
            verify_disclosure(&disclosure, key).map_err(|e| {
                anyhow::anyhow!(
                    "the disclosure would not verify against --log-key: {e}; nothing was written"
                )
            })?;
        }
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
