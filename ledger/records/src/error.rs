//! Errors of decoding and validating records and entries.

use std::fmt;

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Reason {
    /// A required field is absent.
    #[error("is missing")]
    Missing,
    /// An enum field is unset or holds an unknown value.
    #[error("is unspecified or unknown")]
    Unspecified,
    /// A field that must be absent for this kind of record is present.
    #[error("must be empty for this kind of record")]
    NotAllowed,
    /// Longer than allowed.
    #[error("is longer than {max} bytes")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// Holds a control character.
    #[error("contains a control character")]
    ControlCharacter,
    /// Not a valid VIN.
    #[error("{0}")]
    Vin(#[from] super::vin::VinError),
    /// Not a 32-byte Ed25519 public key.
    #[error("is not a 32-byte Ed25519 public key")]
    PublicKey,
    /// A weak (small-order) Ed25519 key.
    #[error("is a weak Ed25519 key")]
    WeakKey,
    /// Not a 64-byte Ed25519 signature.
    #[error("is not a 64-byte Ed25519 signature")]
    SignatureLength,
    /// The signature does not verify under the public key.
    #[error("does not verify")]
    BadSignature,
    /// Not a valid protobuf encoding of the expected message.
    #[error("is not a valid protobuf message")]
    Encoding,
    /// Decodes, but is not the canonical encoding of what it decodes to.
    #[error("is not canonically encoded (unknown fields, or fields out of order)")]
    NonCanonical,
    /// Not a 32-byte hash.
    #[error("is not a 32-byte hash")]
    HashLength,
    /// A time later than the time the record is logged.
    #[error("is in the future")]
    InFuture,
    /// Inconsistent with another field.
    #[error("is inconsistent with {0}")]
    Inconsistent(&'static str),
    /// A list with too many entries.
    #[error("has more than {max} entries")]
    TooMany {
        /// The limit.
        max: usize,
    },
    /// A number above its limit.
    #[error("is larger than {max}")]
    TooLarge {
        /// The limit.
        max: u64,
    },
    /// Not an identifier.
    #[error("must be 1 to 32 characters of A-Z, 0-9 and -")]
    Identifier,
    /// Not a country code.
    #[error("is not an ISO 3166-1 alpha-2 country code (two capital letters)")]
    CountryCode,
    /// Not a currency code.
    #[error("is not an ISO 4217 currency code (three capital letters)")]
    CurrencyCode,
    /// Not a media type.
    #[error("is not a media type such as application/pdf")]
    MediaType,
    /// A list naming the same thing twice.
    #[error("lists {0:?} twice")]
    Duplicate(String),
    /// A party field holding something other than a salted commitment.
    #[error(
        "is not a party commitment: a party is a 32-byte salted hash, never a name, ID or phone number"
    )]
    NotCommitment,
    /// A model year that the VIN's model-year code (position 10) rules out.
    #[error("{model_year} does not match the VIN's model-year code {code:?}")]
    ModelYearCode {
        /// The stated model year.
        model_year: u32,
        /// The VIN's tenth character.
        code: char,
    },
    /// A manufacture date on which a vehicle of the model year cannot be made.
    #[error("cannot be the manufacture date of a model year {model_year} vehicle")]
    ModelYear {
        /// The model year.
        model_year: u32,
    },
    /// A required document is not attached.
    #[error("needs an attachment of kind {kind} in language {language}")]
    NeedsDocument {
        /// The document kind.
        kind: &'static str,
        /// Its language.
        language: &'static str,
    },
    /// An inspection under a protocol nobody declared.
    #[error(
        "names no declared inspection protocol (declare it with an inspection_protocol record)"
    )]
    UnknownProtocol,
    /// Inspection results whose items are not the protocol's.
    #[error(
        "do not cover exactly the protocol's items: {}",
        item_set_text(missing, unexpected)
    )]
    ItemSet {
        /// Items of the protocol without a result.
        missing: Vec<String>,
        /// Results for items the protocol does not list.
        unexpected: Vec<String>,
    },
    /// A protocol version declared twice.
    #[error("was already declared at entry {at}")]
    AlreadyDeclared {
        /// The entry that declared it.
        at: u64,
    },
    /// A second factory record for a VIN.
    #[error("the VIN already has a factory record at entry {at}")]
    SecondFactory {
        /// The entry of the first.
        at: u64,
    },
    /// A reference to an entry that is not an earlier record about the VIN.
    #[error("names no earlier record about this VIN")]
    NoSuchTarget,
    /// A record of a kind no correction can replace.
    #[error("a {kind} record cannot be corrected")]
    NotCorrectable {
        /// The kind.
        kind: &'static str,
    },
    /// A correction of a correction.
    #[error("names a correction; correct the original record instead")]
    TargetIsCorrection,
    /// A correction that would remove a damage brand.
    #[error("would remove the damage brand {brand}; brands only accumulate")]
    DropsBrand {
        /// The brand.
        brand: &'static str,
    },
    /// A signed record that names no log (a version 1 signature), offered
    /// for a new append.
    #[error(
        "is missing: a record must be signed for the log it is meant for (signature version 2, vledger/record/v2); sign it again with this log's origin"
    )]
    Unbound,
    /// A signed record meant for another log.
    #[error("the record was signed for the log {record:?}, not for this log {log:?}")]
    WrongLog {
        /// The origin the record names.
        record: String,
        /// The origin of the log it was offered to or found in.
        log: String,
    },
    /// A date before [`crate::EARLIEST_DATE`].
    #[error(
        "is before 1886-01-01T00:00:00Z (the first motor car), the earliest date a record may state"
    )]
    TooEarly,
    /// A date after [`crate::LATEST_DATE`].
    #[error("is after 9999-12-31T23:59:59Z, the latest date a record may state")]
    TooLate,
    /// A field of a correction's replacement record.
    #[error("{0}")]
    InReplacement(Box<FieldError>),
}

/// Up to three items of each list, for [`Reason::ItemSet`].
fn item_set_text(missing: &[String], unexpected: &[String]) -> String {
    let some = |list: &[String]| {
        let mut s = list
            .iter()
            .take(3)
            .map(|i| format!("{i:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        if list.len() > 3 {
            s.push_str(&format!(" and {} more", list.len() - 3));
        }
        s
    };
    match (missing.is_empty(), unexpected.is_empty()) {
        (false, true) => format!("missing {}", some(missing)),
        (true, false) => format!("not in the protocol: {}", some(unexpected)),
        _ => format!(
            "missing {}; not in the protocol: {}",
            some(missing),
            some(unexpected)
        ),
    }
}

/// A field of a record, signed record or entry and what is wrong with it.
///
/// Displayed as `field: reason`, e.g. `record.vin: VIN must have 17
/// characters, not 16`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `record.odometer_reading.unit`.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: Reason,
}

impl FieldError {
    /// A new error for `field`.
    #[must_use]
    pub const fn new(field: &'static str, reason: Reason) -> Self {
        Self { field, reason }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for FieldError {}
