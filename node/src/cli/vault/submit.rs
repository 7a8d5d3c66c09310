//! `vledger submit --vault`: a record's `"vault:p-…"` party fields made
//! into fresh commitments whose salts the vault keeps.

use std::path::Path;

use anyhow::Context as _;

use super::{RequesterArg, VaultArgs};
use crate::vault::Vault;

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
