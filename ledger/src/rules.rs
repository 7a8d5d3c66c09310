//! The sequencing rules: what a signed record does to the log's state.
//!
//! The sequencer applies them to decide whether to log a record and with
//! which VIN chain; auditors and `vledger check` apply the very same
//! function to every logged entry and compare. Keeping one copy of the rules
//! is what makes every decision re-derivable from the log alone.

use ed25519_dalek::VerifyingKey;

use crate::record::{
    AuthError, ChainLink, FieldError, KeyState, Reason, RecordBody, Role, SignedRecord, Vin,
    VinChain, authorize,
};
use crate::store::VinHead;

/// The part of the log's state the rules read.
pub trait StateView {
    /// Error of reading the state.
    type Error;
    /// What the log says about `key`.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn key_state(&self, key: &VerifyingKey) -> Result<Option<KeyState>, Self::Error>;
    /// The head of `vin`'s chain.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn vin_head(&self, vin: &Vin) -> Result<Option<VinHead>, Self::Error>;
}

/// How far in the future (relative to the time it is logged) a record's
/// event time may lie, to absorb clock differences between signers and the
/// log: five minutes.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// Why a record may not be logged at this point of the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The signer may not sign it.
    #[error(transparent)]
    Unauthorized(#[from] AuthError),
    /// It contradicts the log (a date in the future, ...).
    #[error(transparent)]
    Invalid(#[from] FieldError),
}

/// What logging a record at some index changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effects {
    /// The signer's role.
    pub role: Role,
    /// The record's VIN chain link, for vehicle records.
    pub chain: Option<VinChain>,
    /// The key whose state the record changes, for key records.
    pub key_update: Option<(VerifyingKey, KeyState)>,
}

/// Decides whether `signed` may be logged at `index`, at `logged_at_ms`,
/// given `view`, and what it changes.
///
/// # Errors
/// The outer `Err` is a failure to read the state; the inner one says why
/// the record may not be logged.
pub fn sequence_record<V: StateView>(
    view: &V,
    index: u64,
    logged_at_ms: i64,
    signed: &SignedRecord,
) -> Result<Result<Effects, Refusal>, V::Error> {
    let record = signed.record();
    if record.event_time.saturating_mul(1000) > logged_at_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
        return Ok(Err(
            FieldError::new("record.event_time", Reason::InFuture).into()
        ));
    }
    let signer_state = view.key_state(signed.public_key())?;
    let role = match authorize(signed.public_key(), signer_state.as_ref(), record.kind()) {
        Ok(role) => role,
        Err(e) => return Ok(Err(e.into())),
    };
    let key_update = match &record.body {
        RecordBody::KeyEnrollment(k) => {
            let key = hex::encode(k.public_key.as_bytes());
            match view.key_state(&k.public_key)? {
                None => {}
                Some(KeyState {
                    revoked_at: Some(at),
                    ..
                }) => return Ok(Err(AuthError::ReEnrollRevoked { key, at }.into())),
                Some(_) => return Ok(Err(AuthError::AlreadyEnrolled { key }.into())),
            }
            Some((
                k.public_key,
                KeyState {
                    role: k.role,
                    enrolled_at: index,
                    revoked_at: None,
                },
            ))
        }
        RecordBody::KeyRevocation(k) => {
            let key = hex::encode(k.public_key.as_bytes());
            if k.public_key == *signed.public_key() {
                // The revoker stays active, so the log always keeps an admin.
                return Ok(Err(AuthError::SelfRevocation { key }.into()));
            }
            match view.key_state(&k.public_key)? {
                None => return Ok(Err(AuthError::RevokeUnknown { key }.into())),
                Some(KeyState {
                    revoked_at: Some(at),
                    ..
                }) => return Ok(Err(AuthError::AlreadyRevoked { key, at }.into())),
                Some(mut state) => {
                    state.revoked_at = Some(index);
                    Some((k.public_key, state))
                }
            }
        }
        RecordBody::OdometerReading(_) => None,
    };
    let chain = match &record.vin {
        None => None,
        Some(vin) => Some(match view.vin_head(vin)? {
            None => VinChain {
                sequence: 0,
                previous: None,
            },
            Some(head) => VinChain {
                sequence: head.count,
                previous: Some(ChainLink {
                    index: head.index,
                    leaf_hash: head.leaf_hash,
                }),
            },
        }),
    };
    Ok(Ok(Effects {
        role,
        chain,
        key_update,
    }))
}
