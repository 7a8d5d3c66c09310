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
