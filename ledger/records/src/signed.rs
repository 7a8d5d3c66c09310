//! Signed records: a record's exact bytes with its submitter's signature.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use vledger_proto::v1 as pb;

use super::body::Record;
use super::error::{FieldError, Reason};
use super::keys::public_key_from_bytes;
use crate::signature::{Batch, Pending};
use vledger_tlog::hash::Hash;

/// Domain-separation prefix of version 1 record signatures, which name no
/// log: a submitter signed `RECORD_SIGNATURE_PREFIX || record bytes`. Entries
/// logged before records named their log carry these; they still verify,
/// but nodes refuse them for new appends (see [`SignedRecord::check_for_append`]).
pub const RECORD_SIGNATURE_PREFIX: &[u8] = b"vledger/record/v1\n";

/// Domain-separation prefix of version 2 record signatures, which name the
/// log the record is meant for: a submitter signs
/// `BOUND_RECORD_SIGNATURE_PREFIX || origin || "\n" || record bytes`, with
/// `origin` the log's origin line (as in its checkpoints). An origin holds
/// no newline, so the first newline after the prefix ends it; the two
/// prefixes differ in their last digit, so no message of one version is a
/// message of the other.
pub const BOUND_RECORD_SIGNATURE_PREFIX: &[u8] = b"vledger/record/v2\n";

/// Longest origin a signed record may name, in bytes: the longest
/// checkpoint origin (a signed-note key name).
pub const MAX_ORIGIN_LEN: usize = vledger_tlog::note::MAX_NAME_LEN;

/// Largest encoded record accepted, in bytes: 60 KiB, so that the entry
/// wrapping it (signature, key, origin, VIN chain, flags) fits the `u16`
/// length of a C2SP entry bundle (65,535 bytes).
pub const MAX_RECORD_SIZE: usize = 60 * 1024;

/// A record, its exact signed bytes, its signer and the signature.
///
/// Only [`SignedRecord::sign_for`], [`SignedRecord::sign`],
/// [`SignedRecord::from_proto`] and [`SignedRecord::from_protos`] make
/// one, and the last two check the signature by the record signature rule
/// ([`crate::signature`]): holding a `SignedRecord` means the signature is
/// valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRecord {
    bytes: Vec<u8>,
    record: Record,
    /// The log the signer meant the record for; `None` for a version 1
    /// signature, which names no log.
    origin: Option<String>,
    public_key: VerifyingKey,
    signature: Signature,
}

/// The exact bytes a record signature is over: version 2
/// (`"vledger/record/v2\n" || origin || "\n" || record`) for a record meant
/// for the log `origin`, version 1 (`"vledger/record/v1\n" || record`)
/// without one.
#[must_use]
pub fn signed_message(origin: Option<&str>, record: &[u8]) -> Vec<u8> {
    match origin {
        Some(origin) => {
            let mut msg = Vec::with_capacity(
                BOUND_RECORD_SIGNATURE_PREFIX.len() + origin.len() + 1 + record.len(),
            );
            msg.extend_from_slice(BOUND_RECORD_SIGNATURE_PREFIX);
            msg.extend_from_slice(origin.as_bytes());
            msg.push(b'\n');
            msg.extend_from_slice(record);
            msg
        }
        None => [RECORD_SIGNATURE_PREFIX, record].concat(),
    }
}

/// Checks an origin a record may be signed for: 1 to [`MAX_ORIGIN_LEN`]
/// bytes, no control characters (so no newline).
///
/// # Errors
/// A [`FieldError`] on `signed.origin`.
pub fn check_origin(origin: &str) -> Result<(), FieldError> {
    if origin.is_empty() {
        return Err(FieldError::new("signed.origin", Reason::Missing));
    }
    if origin.len() > MAX_ORIGIN_LEN {
        return Err(FieldError::new(
            "signed.origin",
            Reason::TooLong {
                max: MAX_ORIGIN_LEN,
            },
        ));
    }
    if origin.chars().any(char::is_control) {
        return Err(FieldError::new("signed.origin", Reason::ControlCharacter));
    }
    Ok(())
}

impl SignedRecord {
    /// Encodes `record` once and signs it for the log whose origin line is
    /// `origin` (a version 2 signature): the only kind of record a node
    /// accepts for a new append.
    ///
    /// # Errors
    /// A [`FieldError`] on `signed.origin` for an origin no log can have:
    /// empty, longer than [`MAX_ORIGIN_LEN`], or holding a control character.
    pub fn sign_for(origin: &str, record: &Record, key: &SigningKey) -> Result<Self, FieldError> {
        check_origin(origin)?;
        let bytes = record.encode();
        let signature = key.sign(&signed_message(Some(origin), &bytes));
        Ok(Self {
            bytes,
            record: record.clone(),
            origin: Some(origin.to_owned()),
            public_key: key.verifying_key(),
            signature,
        })
    }

    /// Encodes `record` once and signs it in the old, version 1 form that
    /// names no log. Logs hold such entries from before records named
    /// their log, and every verifier still accepts them there, but a node
    /// refuses them for new appends: use [`SignedRecord::sign_for`]. For
    /// building old-format entries (tests, replays of old logs).
    #[must_use]
    pub fn sign(record: &Record, key: &SigningKey) -> Self {
        let bytes = record.encode();
        let signature = key.sign(&signed_message(None, &bytes));
        Self {
            bytes,
            record: record.clone(),
            origin: None,
            public_key: key.verifying_key(),
            signature,
        }
    }

    /// Validates a signed record received from outside: size, key, origin,
    /// record encoding and contents, and the signature (the record
    /// signature rule, [`crate::signature`]) over the message of the
    /// version the record has: version 2 when it names an origin, version 1
    /// when it does not. Which log the record is meant for is checked by
    /// [`SignedRecord::check_for_append`] and
    /// [`SignedRecord::check_logged_in`].
    ///
    /// # Errors
    /// A [`FieldError`] naming the first field that is wrong;
    /// [`Reason::TooLong`] on `signed.record` for oversized records.
    pub fn from_proto(msg: pb::SignedRecord) -> Result<Self, FieldError> {
        let unchecked = Unchecked::parse(msg)?;
        if unchecked.verify() {
            Ok(unchecked.0)
        } else {
            Err(bad_signature())
        }
    }

    /// [`SignedRecord::from_proto`] of each message, with the signatures
    /// checked together ([`crate::signature::Batch`]): the same verdicts
    /// and errors, in the same order, for about half the cost of the
    /// signatures when most are valid.
    #[must_use]
    pub fn from_protos(msgs: Vec<pb::SignedRecord>) -> Vec<Result<Self, FieldError>> {
        verify_together(
            msgs.into_iter()
                .map(|m| Unchecked::parse(m).map(Unchecked::into_pending))
                .map(|parsed| parsed.map(|(signed, pending)| (signed, Some(pending)))),
        )
    }

    /// The origin of the log the signer meant the record for; `None` for a
    /// version 1 signature, which names no log.
    #[must_use]
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// Whether the log `log_origin` may append this record now: it must be
    /// signed for that very log. A version 1 record, which names no log,
    /// is refused too: anyone who read it in one log could otherwise
    /// append it to another where its signer is enrolled.
    ///
    /// # Errors
    /// [`Reason::Unbound`] or [`Reason::WrongLog`] on `signed.origin`.
    pub fn check_for_append(&self, log_origin: &str) -> Result<(), FieldError> {
        match &self.origin {
            None => Err(FieldError::new("signed.origin", Reason::Unbound)),
            Some(_) => self.check_logged_in(log_origin),
        }
    }

    /// Whether this record, found in the log `log_origin`, may be there: a
    /// version 2 record must name that log; a version 1 record names none
    /// and is accepted (it was logged before records named their log).
    ///
    /// # Errors
    /// [`Reason::WrongLog`] on `signed.origin`.
    pub fn check_logged_in(&self, log_origin: &str) -> Result<(), FieldError> {
        match &self.origin {
            Some(origin) if origin != log_origin => Err(FieldError::new(
                "signed.origin",
                Reason::WrongLog {
                    record: origin.clone(),
                    log: log_origin.to_owned(),
                },
            )),
            _ => Ok(()),
        }
    }

    /// The protobuf message, with the record bytes exactly as signed.
    #[must_use]
    pub fn to_proto(&self) -> pb::SignedRecord {
        pb::SignedRecord {
            record: self.bytes.clone(),
            public_key: self.public_key.to_bytes().to_vec(),
            signature: self.signature.to_bytes().to_vec(),
            origin: self.origin.clone().unwrap_or_default(),
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

/// The error of a record signature the rule refuses.
pub(crate) fn bad_signature() -> FieldError {
    FieldError::new("signed.signature", Reason::BadSignature)
}

/// A signed record whose every field is checked but the signature
/// equation: what [`verify_together`] checks.
#[derive(Debug)]
pub(crate) struct Unchecked(SignedRecord);

impl Unchecked {
    /// Everything [`SignedRecord::from_proto`] checks before the signature
    /// equation, in the same order.
    pub(crate) fn parse(msg: pb::SignedRecord) -> Result<Self, FieldError> {
        if msg.record.len() > MAX_RECORD_SIZE {
            return Err(FieldError::new(
                "signed.record",
                Reason::TooLong {
                    max: MAX_RECORD_SIZE,
                },
            ));
        }
        // Protobuf cannot tell an empty string from an absent one: an
        // empty origin is version 1.
        let origin = (!msg.origin.is_empty()).then_some(msg.origin);
        if let Some(origin) = &origin {
            check_origin(origin)?;
        }
        let public_key = public_key_from_bytes("signed.public_key", &msg.public_key)?;
        let sig_bytes = <[u8; 64]>::try_from(msg.signature.as_slice())
            .map_err(|_| FieldError::new("signed.signature", Reason::SignatureLength))?;
        let signature = Signature::from_bytes(&sig_bytes);
        let record = Record::decode(&msg.record)?;
        Ok(Self(SignedRecord {
            bytes: msg.record,
            record,
            origin,
            public_key,
            signature,
        }))
    }

    /// The message the signature is over.
    fn message(&self) -> Vec<u8> {
        signed_message(self.0.origin.as_deref(), &self.0.bytes)
    }

    /// Whether the signature is valid, checked on its own.
    pub(crate) fn verify(&self) -> bool {
        crate::signature::verify(
            self.0.public_key.as_bytes(),
            &self.message(),
            &self.0.signature,
        )
    }

    /// The record, and its signature waiting to be checked.
    pub(crate) fn into_pending(self) -> (SignedRecord, Pending) {
        let pending = Pending::new(
            self.0.public_key.to_bytes(),
            self.message(),
            self.0.signature,
        );
        (self.0, pending)
    }
}

/// Checks the signatures of every parsed item together: an item with a
/// pending signature stays `Ok` when the signature is valid and becomes
/// the signature error otherwise, as a single check would have made it.
pub(crate) fn verify_together<T>(
    parsed: impl IntoIterator<Item = Result<(T, Option<Pending>), FieldError>>,
) -> Vec<Result<T, FieldError>> {
    let mut batch = Batch::new();
    let parsed: Vec<_> = parsed
        .into_iter()
        .map(|p| p.map(|(item, pending)| (item, pending.map(|p| batch.push(p)))))
        .collect();
    let verdicts = batch.verify();
    parsed
        .into_iter()
        .map(|p| match p? {
            (_, Some(position)) if !verdicts[position] => Err(bad_signature()),
            (item, _) => Ok(item),
        })
        .collect()
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
