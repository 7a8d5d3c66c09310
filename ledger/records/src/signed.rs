//! Signed records: a record's exact bytes with its submitter's signature.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use vledger_proto::v1 as pb;

use super::body::Record;
use super::error::{FieldError, Reason};
use super::keys::public_key_from_bytes;
use vledger_tlog::hash::Hash;

/// Domain-separation prefix of record signatures: a submitter signs
/// `RECORD_SIGNATURE_PREFIX || record bytes`, so that a record signature can
/// never be mistaken for a signature over anything else.
pub const RECORD_SIGNATURE_PREFIX: &[u8] = b"vledger/record/v1\n";

/// Largest encoded record accepted, in bytes: 60 KiB, so that the entry
/// wrapping it (signature, key, VIN chain, flags) fits the `u16` length of
/// a C2SP entry bundle (65,535 bytes).
pub const MAX_RECORD_SIZE: usize = 60 * 1024;

/// A record, its exact signed bytes, its signer and the signature.
///
/// Only [`SignedRecord::sign`] and [`SignedRecord::from_proto`] make one, and
/// the latter checks the signature with `verify_strict`: holding a
/// `SignedRecord` means the signature is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRecord {
    bytes: Vec<u8>,
    record: Record,
    public_key: VerifyingKey,
    signature: Signature,
}

fn signed_message(bytes: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(RECORD_SIGNATURE_PREFIX.len() + bytes.len());
    msg.extend_from_slice(RECORD_SIGNATURE_PREFIX);
    msg.extend_from_slice(bytes);
    msg
}

impl SignedRecord {
    /// Encodes `record` once and signs the bytes.
    #[must_use]
    pub fn sign(record: &Record, key: &SigningKey) -> Self {
        let bytes = record.encode();
        let signature = key.sign(&signed_message(&bytes));
        Self {
            bytes,
            record: record.clone(),
            public_key: key.verifying_key(),
            signature,
        }
    }

    /// Validates a signed record received from outside: size, key, record
    /// encoding and contents, and the signature (`verify_strict`).
    ///
    /// # Errors
    /// A [`FieldError`] naming the first field that is wrong;
    /// [`Reason::TooLong`] on `signed.record` for oversized records.
    pub fn from_proto(msg: pb::SignedRecord) -> Result<Self, FieldError> {
        if msg.record.len() > MAX_RECORD_SIZE {
            return Err(FieldError::new(
                "signed.record",
                Reason::TooLong {
                    max: MAX_RECORD_SIZE,
                },
            ));
        }
        let public_key = public_key_from_bytes("signed.public_key", &msg.public_key)?;
        let sig_bytes = <[u8; 64]>::try_from(msg.signature.as_slice())
            .map_err(|_| FieldError::new("signed.signature", Reason::SignatureLength))?;
        let signature = Signature::from_bytes(&sig_bytes);
        let record = Record::decode(&msg.record)?;
        public_key
            .verify_strict(&signed_message(&msg.record), &signature)
            .map_err(|_| FieldError::new("signed.signature", Reason::BadSignature))?;
        Ok(Self {
            bytes: msg.record,
            record,
            public_key,
            signature,
        })
    }

    /// The protobuf message, with the record bytes exactly as signed.
    #[must_use]
    pub fn to_proto(&self) -> pb::SignedRecord {
        pb::SignedRecord {
            record: self.bytes.clone(),
            public_key: self.public_key.to_bytes().to_vec(),
            signature: self.signature.to_bytes().to_vec(),
        }
    }

    /// The decoded record.
    #[must_use]
    pub const fn record(&self) -> &Record {
        &self.record
    }

    /// The exact record bytes that were signed.
    #[must_use]
    pub fn record_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The signer's key.
    #[must_use]
    pub const fn public_key(&self) -> &VerifyingKey {
        &self.public_key
    }

    /// The signature.
    #[must_use]
    pub const fn signature(&self) -> &Signature {
        &self.signature
    }

    /// What makes two submissions the same: SHA-256 of the signer's key and
    /// the record bytes. The signature is left out on purpose: a signer can
    /// make many valid signatures of one record (any nonce will do), and
    /// each must still be the same submission.
    #[must_use]
    pub fn dedup_key(&self) -> Hash {
        dedup_key(self.public_key.as_bytes(), &self.bytes)
    }
}

/// The deduplication key of a record with `record` bytes signed by
/// `public_key` ([`SignedRecord::dedup_key`]).
#[must_use]
pub fn dedup_key(public_key: &[u8], record: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(b"vledger/dedup/v1\n");
    h.update(public_key);
    h.update(record);
    Hash(h.finalize().into())
}
