//! Party fields written `"vault:p-…"` in record JSON: found, refused
//! without a vault, and replaced with a commitment by
//! `vledger submit --vault`.

use anyhow::bail;
use serde_json::Value;
use vledger_verification::disclosure::PartyField;

/// The prefix of a party field that names a vault party.
pub const VAULT_PREFIX: &str = "vault:";

/// A party field of a record that names a vault party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultField {
    /// The field.
    pub field: PartyField,
    /// The party reference after `vault:`.
    pub reference: String,
}

/// The party fields of the record JSON `record` written `"vault:…"`, in
/// field order.
#[must_use]
pub fn vault_fields(record: &Value) -> Vec<VaultField> {
    PartyField::ALL
        .into_iter()
        .filter_map(|field| {
            let (body, name) = field.path().split_once('.')?;
            let value = record.get(body)?.get(name)?.as_str()?;
            let reference = value.strip_prefix(VAULT_PREFIX)?;
            Some(VaultField {
                field,
                reference: reference.to_owned(),
            })
        })
        .collect()
}

/// Refuses record JSON with a `vault:` party field, for a submission
/// without `--vault`.
///
/// # Errors
/// Naming the first such field.
pub fn refuse_vault_fields(record: &Value) -> anyhow::Result<()> {
    if let Some(f) = vault_fields(record).first() {
        bail!(
            "{}: \"{VAULT_PREFIX}{}\" names a party in a vault; give --vault DIR (and its \
             --master-key) to commit to it",
            f.field,
            f.reference
        );
    }
    Ok(())
}

/// Writes `commitment_hex` into `field` of the record JSON.
pub fn set_field(record: &mut Value, field: PartyField, commitment_hex: String) {
    if let Some((body, name)) = field.path().split_once('.')
        && let Some(object) = record.get_mut(body).and_then(Value::as_object_mut)
    {
        object.insert(name.to_owned(), Value::String(commitment_hex));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vault_references_are_found_refused_and_replaced() {
        let mut record = serde_json::json!({"vin": "LGXCE4CB8S0123456", "ownership_transfer": {
            "from_party": "vault:p-0011223344556677", "to_party": "ab".repeat(32)}});
        let found = vault_fields(&record);
        assert_eq!(
            found,
            vec![VaultField {
                field: PartyField::FromParty,
                reference: "p-0011223344556677".to_owned()
            }]
        );
        let err = refuse_vault_fields(&record).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "ownership_transfer.from_party: \"vault:p-0011223344556677\" names a party in \
                 a vault; give --vault DIR"
            ),
            "{err}"
        );
        set_field(&mut record, PartyField::FromParty, "cd".repeat(32));
        assert!(vault_fields(&record).is_empty());
        assert!(refuse_vault_fields(&record).is_ok());
        assert_eq!(record["ownership_transfer"]["from_party"], "cd".repeat(32));
        let claim = serde_json::json!({"claim": {"claimant": "vault:p-1"}});
        assert_eq!(vault_fields(&claim)[0].field, PartyField::Claimant);
    }
}
