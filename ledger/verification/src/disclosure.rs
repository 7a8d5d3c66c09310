//! Selective disclosure: a file that shows a third party that the
//! commitment in one logged record names a given identity, and nothing
//! about any other record.
//!
//! A party is logged only as `SHA-256("vledger/party/v1\n" || salt ||
//! identity)` (`vledger_records::PartyCommitment`). Its submitter keeps the
//! identity and the salt off the log, in a vault; to disclose, it writes a
//! `vledger-disclosure/v1` file:
//!
//! ```json
//! {"format": "vledger-disclosure/v1", "entry": 41,
//!  "field": "ownership_transfer.to_party",
//!  "identity": "CN-ID:110101199003074512",
//!  "salt": "<64 hex digits>",
//!  "receipt": "<the entry's .tlog-proof text>"}
//! ```
//!
//! [`verify_disclosure`] checks the receipt under the pinned log key
//! ([`crate::receipt::verify_receipt`]), that it is the receipt of entry
//! `entry`, that the entry's record has the party field `field`, and that
//! `salt` and `identity` open the commitment there. The receipt carries one
//! entry only, and each commitment has its own salt: the file says nothing
//! about the party's other records.

use serde::Deserialize;
use vledger_records::{EntryBody, PartyCommitment, Record, RecordBody, RecordKind, SALT_LEN, Vin};
use vledger_tlog::note::{Checkpoint, VerifierKey};

use crate::receipt::{ReceiptError, verify_receipt};

/// The `format` of a disclosure file.
pub const DISCLOSURE_FORMAT: &str = "vledger-disclosure/v1";

/// Largest disclosure file read (a receipt is a few KiB; a record at most
/// 60 KiB).
pub const MAX_DISCLOSURE_BYTES: usize = 1 << 20;

/// A record field that holds a party commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PartyField {
    /// `ownership_transfer.from_party`: the seller.
    FromParty,
    /// `ownership_transfer.to_party`: the buyer.
    ToParty,
    /// `claim.claimant`.
    Claimant,
}

impl PartyField {
    /// Every party field.
    pub const ALL: [Self; 3] = [Self::FromParty, Self::ToParty, Self::Claimant];

    /// The field's JSON path in a record, as `vledger submit` reads it.
    #[must_use]
    pub const fn path(self) -> &'static str {
        match self {
            Self::FromParty => "ownership_transfer.from_party",
            Self::ToParty => "ownership_transfer.to_party",
            Self::Claimant => "claim.claimant",
        }
    }

    /// The field at `path`, if it is a party field.
    #[must_use]
    pub fn from_path(path: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.path() == path)
    }

    /// The record kind that holds this field.
    #[must_use]
    pub const fn kind(self) -> RecordKind {
        match self {
            Self::FromParty | Self::ToParty => RecordKind::OwnershipTransfer,
            Self::Claimant => RecordKind::Claim,
        }
    }

    /// The commitment this field holds in `record`; `None` when the record
    /// is of another kind or (a claim's optional claimant) has none.
    #[must_use]
    pub fn in_record(self, record: &Record) -> Option<PartyCommitment> {
        match (self, &record.body) {
            (Self::FromParty, RecordBody::OwnershipTransfer(t)) => Some(t.from_party),
            (Self::ToParty, RecordBody::OwnershipTransfer(t)) => Some(t.to_party),
            (Self::Claimant, RecordBody::Claim(c)) => c.claimant,
            _ => None,
        }
    }
}

impl std::fmt::Display for PartyField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.path())
    }
}

/// A parsed disclosure file (not yet verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// The leaf index of the entry disclosed.
    pub entry: u64,
    /// The party field whose commitment is opened.
    pub field: PartyField,
    /// The identity the commitment is said to name.
    pub identity: String,
    /// The commitment's salt.
    pub salt: [u8; SALT_LEN],
    /// The entry's `.tlog-proof` receipt text.
    pub receipt: String,
}

/// The JSON form, read strictly.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisclosureJson {
    format: String,
    entry: u64,
    field: String,
    identity: String,
    salt: String,
    receipt: String,
}

/// A disclosure that verified.
#[derive(Debug, Clone)]
pub struct VerifiedDisclosure {
    /// The entry's leaf index.
    pub entry: u64,
    /// The checkpoint the entry is included under.
    pub checkpoint: Checkpoint,
    /// The record's VIN.
    pub vin: Option<Vin>,
    /// The field opened.
    pub field: PartyField,
    /// The identity it names.
    pub identity: String,
    /// The commitment opened.
    pub commitment: PartyCommitment,
}

/// Why a disclosure does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DisclosureError {
    /// The file is larger than [`MAX_DISCLOSURE_BYTES`].
    #[error("larger than {MAX_DISCLOSURE_BYTES} bytes; not a disclosure file")]
    TooLarge,
    /// Not JSON of the disclosure's form (a field missing, unknown or of
    /// the wrong type).
    #[error("not a disclosure file: {0}")]
    Syntax(serde_json::Error),
    /// The `format` is not [`DISCLOSURE_FORMAT`].
    #[error("format {0:?} is not {DISCLOSURE_FORMAT:?}")]
    Format(String),
    /// The `field` is not a party field.
    #[error(
        "field {0:?} is not a party field (ownership_transfer.from_party, \
         ownership_transfer.to_party or claim.claimant)"
    )]
    NotPartyField(String),
    /// The `salt` is not 32 bytes in hex.
    #[error("salt: not {SALT_LEN} bytes in hex")]
    Salt,
    /// The receipt does not verify under the log key.
    #[error("receipt invalid: {0}")]
    Receipt(ReceiptError),
    /// The receipt is another entry's.
    #[error("the receipt is of entry {receipt}, not of entry {disclosed}")]
    OtherEntry {
        /// The entry the disclosure names.
        disclosed: u64,
        /// The entry the receipt proves.
        receipt: u64,
    },
    /// The entry holds no record (a genesis or index entry).
    #[error("entry {0} holds no record")]
    NotARecord(u64),
    /// The record has no such field: another kind, or a claim without a
    /// claimant.
    #[error("field absent: entry {entry} ({kind} record) has no {field}")]
    FieldAbsent {
        /// The entry.
        entry: u64,
        /// Its record's kind.
        kind: RecordKind,
        /// The field looked for.
        field: PartyField,
    },
    /// The salt and identity do not open the logged commitment.
    #[error(
        "the identity and salt do not open the commitment in {field} of entry {entry} \
         (wrong identity or wrong salt)"
    )]
    DoesNotOpen {
        /// The entry.
        entry: u64,
        /// The field.
        field: PartyField,
    },
}

impl Disclosure {
    /// Parses a disclosure file.
    ///
    /// # Errors
    /// [`DisclosureError::TooLarge`], [`DisclosureError::Syntax`],
    /// [`DisclosureError::Format`], [`DisclosureError::NotPartyField`] or
    /// [`DisclosureError::Salt`].
    pub fn parse(bytes: &[u8]) -> Result<Self, DisclosureError> {
        if bytes.len() > MAX_DISCLOSURE_BYTES {
            return Err(DisclosureError::TooLarge);
        }
        let json: DisclosureJson =
            serde_json::from_slice(bytes).map_err(DisclosureError::Syntax)?;
        if json.format != DISCLOSURE_FORMAT {
            return Err(DisclosureError::Format(json.format));
        }
        let field = PartyField::from_path(&json.field)
            .ok_or_else(|| DisclosureError::NotPartyField(json.field.clone()))?;
        let mut salt = [0u8; SALT_LEN];
        hex::decode_to_slice(&json.salt, &mut salt).map_err(|_| DisclosureError::Salt)?;
        Ok(Self {
            entry: json.entry,
            field,
            identity: json.identity,
            salt,
            receipt: json.receipt,
        })
    }

    /// The file's JSON text (pretty-printed, with a final newline).
    #[must_use]
    pub fn to_json(&self) -> String {
        let value = serde_json::json!({
            "format": DISCLOSURE_FORMAT,
            "entry": self.entry,
            "field": self.field.path(),
            "identity": self.identity,
            "salt": hex::encode(self.salt),
            "receipt": self.receipt,
        });
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Verifies a disclosure against the log's verifier key: the receipt, that
/// it is entry `entry`'s, the field, and the opening.
///
/// # Errors
/// A [`DisclosureError`] naming the first check that failed.
pub fn verify_disclosure(
    disclosure: &Disclosure,
    log_key: &VerifierKey,
) -> Result<VerifiedDisclosure, DisclosureError> {
    let receipt =
        verify_receipt(disclosure.receipt.as_bytes(), log_key).map_err(DisclosureError::Receipt)?;
    if receipt.index != disclosure.entry {
        return Err(DisclosureError::OtherEntry {
            disclosed: disclosure.entry,
            receipt: receipt.index,
        });
    }
    let EntryBody::Record(logged) = &receipt.entry.body else {
        return Err(DisclosureError::NotARecord(receipt.index));
    };
    let record = logged.signed.record();
    let commitment = opened(disclosure, record)?;
    Ok(VerifiedDisclosure {
        entry: receipt.index,
        checkpoint: receipt.checkpoint,
        vin: record.vin.clone(),
        field: disclosure.field,
        identity: disclosure.identity.clone(),
        commitment,
    })
}

/// The commitment in `record` that the disclosure's salt and identity
/// open.
///
/// # Errors
/// [`DisclosureError::FieldAbsent`] or [`DisclosureError::DoesNotOpen`].
pub fn opened(
    disclosure: &Disclosure,
    record: &Record,
) -> Result<PartyCommitment, DisclosureError> {
    let field = disclosure.field;
    let commitment = field
        .in_record(record)
        .ok_or(DisclosureError::FieldAbsent {
            entry: disclosure.entry,
            kind: record.kind(),
            field,
        })?;
    if !commitment.opens(&disclosure.salt, &disclosure.identity) {
        return Err(DisclosureError::DoesNotOpen {
            entry: disclosure.entry,
            field,
        });
    }
    Ok(commitment)
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDENTITY: &str = "CN-ID:110101199003074512";

    fn transfer(from: PartyCommitment, to: PartyCommitment) -> Record {
        let json = serde_json::json!({
            "vin": "LGXCE4CB8S0123456", "event_time": "2026-03-02",
            "ownership_transfer": {
                "from_party": hex::encode(from.as_bytes()),
                "to_party": hex::encode(to.as_bytes()),
                "odometer": {"value": 100, "unit": "km"}}});
        Record::from_json_value(json).unwrap()
    }

    fn disclosure(field: PartyField, identity: &str, salt: [u8; SALT_LEN]) -> Disclosure {
        Disclosure {
            entry: 7,
            field,
            identity: identity.to_owned(),
            salt,
            receipt: String::new(),
        }
    }

    #[test]
    fn a_disclosure_opens_only_its_own_field_with_its_own_salt_and_identity() {
        let (seller_salt, buyer_salt) = ([1u8; SALT_LEN], [2u8; SALT_LEN]);
        let seller = PartyCommitment::commit(&seller_salt, "CN-ID:seller");
        let buyer = PartyCommitment::commit(&buyer_salt, IDENTITY);
        let record = transfer(seller, buyer);
        let good = disclosure(PartyField::ToParty, IDENTITY, buyer_salt);
        assert_eq!(opened(&good, &record).unwrap(), buyer);
        // Another identity, another salt, the other field.
        for bad in [
            disclosure(PartyField::ToParty, "CN-ID:110101199003074513", buyer_salt),
            disclosure(PartyField::ToParty, IDENTITY, seller_salt),
            disclosure(PartyField::FromParty, IDENTITY, buyer_salt),
        ] {
            let err = opened(&bad, &record).unwrap_err();
            assert!(
                matches!(err, DisclosureError::DoesNotOpen { entry: 7, field } if field == bad.field),
                "{err}"
            );
        }
        // A claim field in a transfer is absent.
        let err = opened(
            &disclosure(PartyField::Claimant, IDENTITY, buyer_salt),
            &record,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "field absent: entry 7 (ownership_transfer record) has no claim.claimant"
        );
    }

    #[test]
    fn a_disclosure_file_round_trips_and_is_read_strictly() {
        let d = Disclosure {
            receipt: "a receipt\n".to_owned(),
            ..disclosure(PartyField::Claimant, IDENTITY, [9u8; SALT_LEN])
        };
        let text = d.to_json();
        assert_eq!(Disclosure::parse(text.as_bytes()).unwrap(), d);
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let edited = |value: &serde_json::Value| {
            Disclosure::parse(value.to_string().as_bytes())
                .unwrap_err()
                .to_string()
        };
        value["format"] = "vledger-disclosure/v2".into();
        assert_eq!(
            edited(&value),
            "format \"vledger-disclosure/v2\" is not \"vledger-disclosure/v1\""
        );
        value["format"] = DISCLOSURE_FORMAT.into();
        value["field"] = "factory.engine_number".into();
        assert!(edited(&value).starts_with("field \"factory.engine_number\" is not a party field"));
        value["field"] = "claim.claimant".into();
        value["salt"] = "ab".into();
        assert_eq!(edited(&value), "salt: not 32 bytes in hex");
        value["salt"] = hex::encode([9u8; SALT_LEN]).into();
        value["extra"] = 1.into();
        assert!(edited(&value).contains("unknown field `extra`"));
        assert!(matches!(
            Disclosure::parse(b"not json"),
            Err(DisclosureError::Syntax(_))
        ));
        assert!(matches!(
            Disclosure::parse(&vec![b' '; MAX_DISCLOSURE_BYTES + 1]),
            Err(DisclosureError::TooLarge)
        ));
    }

    #[test]
    fn a_receipt_that_does_not_verify_is_named() {
        let key = vledger_tlog::note::Signer::from_seed("e2e.vledger.test/log", &[5u8; 32])
            .unwrap()
            .verifier_key();
        let d = Disclosure {
            receipt: "c2sp.org/tlog-proof@v1\nnot a proof\n".to_owned(),
            ..disclosure(PartyField::ToParty, IDENTITY, [2u8; SALT_LEN])
        };
        let err = verify_disclosure(&d, &key).unwrap_err();
        assert!(matches!(err, DisclosureError::Receipt(_)), "{err}");
        assert!(err.to_string().starts_with("receipt invalid: "), "{err}");
    }

    #[test]
    fn party_fields_are_named_by_their_json_paths() {
        for field in PartyField::ALL {
            assert_eq!(PartyField::from_path(field.path()), Some(field));
        }
        assert_eq!(PartyField::from_path("ownership_transfer.odometer"), None);
    }
}
