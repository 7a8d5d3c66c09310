//! The `cosignature/v1` message (c2sp.org/tlog-cosignature): what a
//! witness's Ed25519 cosignature signs, and its verification.

use ed25519_dalek::{Signature, VerifyingKey};

/// The header line of the v1 cosigned message: its domain separation.
pub const COSIGNATURE_V1_HEADER: &str = "cosignature/v1";

/// Largest timestamp a cosignature may carry: 2^63 - 1.
pub const MAX_TIMESTAMP: u64 = i64::MAX as u64;

/// Length of a v1 cosignature after the key id: timestamp and signature.
pub(crate) const SIGNATURE_LEN: usize = 8 + 64;

/// The message a v1 cosignature with `timestamp` signs over the note text
/// `text` (which ends with a newline): `cosignature/v1\ntime <timestamp>\n`
/// followed by the text.
#[must_use]
pub fn cosignature_message(timestamp: u64, text: &[u8]) -> Vec<u8> {
    let header = format!("{COSIGNATURE_V1_HEADER}\ntime {timestamp}\n");
    let mut msg = Vec::with_capacity(header.len() + text.len());
    msg.extend_from_slice(header.as_bytes());
    msg.extend_from_slice(text);
    msg
}

/// Verifies the bytes after the key id of a v1 cosignature line; returns
/// its timestamp if it is `key`'s cosignature of the note text `text`.
///
/// The signature is checked with `verify_strict`.
pub(crate) fn verify_cosignature_v1(
    key: &VerifyingKey,
    text: &[u8],
    signature: &[u8],
) -> Option<u64> {
    if signature.len() != SIGNATURE_LEN {
        return None;
    }
    let (ts, sig) = signature.split_at(8);
    let timestamp = u64::from_be_bytes(ts.try_into().ok()?);
    if timestamp > MAX_TIMESTAMP {
        return None;
    }
    let sig = Signature::from_slice(sig).ok()?;
    key.verify_strict(&cosignature_message(timestamp, text), &sig)
        .ok()
        .map(|()| timestamp)
}
