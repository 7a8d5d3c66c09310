//! The sequencing rules: what a signed record does to the log's state.
//!
//! The sequencer applies them to decide whether to log a record, with which
//! VIN chain and with which flags; auditors and `vledger check` apply the
//! very same function to every logged entry and compare. Keeping one copy
//! of the rules is what makes every decision re-derivable from the log
//! alone.
//!
//! [`transition`] is the log's one state transition, which the sequencer
//! and every replay run: per record, [`transition::decide`] then
//! [`transition::apply`]; per batch, [`transition::close_batch`].
//!
//! [`sequence_record`] checks dates, authorisation and key records here;
//! the per-VIN rules (a second factory record, inspection protocols,
//! corrections, and the flags) are in [`VehicleState`]. What the rules read
//! comes through [`StateView`]: the writer's is the store with the batch
//! laid over it, a replay's is [`RulesMemory`] and the replayer's maps.
//!
//! Beside the rules: the [`index_tree`] the sequencer keeps (the VIN index
//! as stored tiles) and the [`codec`] of the rules' state.
//!
//! What this crate does **not** do: it does no I/O and keeps no store of its
//! own (state comes through [`StateView`] and the index tree's
//! [`TileReader`](index_tree::TileReader)), and the offline verifier does
//! not compile it: checking a history needs the records layer only.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod codec;
pub mod index_tree;
mod memory;
pub mod transition;
mod vehicle_state;

use std::collections::BTreeSet;

use ed25519_dalek::VerifyingKey;

pub use memory::{ENGINE_FACT, ODOMETER_FACT, RulesMemory};
pub use vehicle_state::{
    EngineFact, FactChange, LoggedRecord, OdometerPoint, Source, VehicleFacts, VehicleState,
};
use vledger_records::vindex::VinHead;
use vledger_records::{
    AuthError, ChainLink, Component, FieldError, Flag, KeyState, ProtocolId, Reason, Record,
    RecordBody, Role, SignedRecord, Vin, VinChain, authorize,
};

/// An inspection protocol as declared in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredProtocol {
    /// The entry that declared it.
    pub declared_at: u64,
    /// Its items.
    pub items: BTreeSet<String>,
}

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
    /// What the log knows about `vin`'s vehicle.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn vehicle(&self, vin: &Vin) -> Result<Option<VehicleState>, Self::Error>;
    /// `vin`'s engine numbers and its odometer readings since the last
    /// cluster change (read only to correct one of them, or to drop the
    /// readings at a cluster change).
    ///
    /// # Errors
    /// When the state cannot be read.
    fn vehicle_facts(&self, vin: &Vin) -> Result<VehicleFacts, Self::Error>;
    /// The inspection protocol `id`, if declared.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn protocol(&self, id: &ProtocolId) -> Result<Option<DeclaredProtocol>, Self::Error>;
    /// The record logged at leaf `index`, if that entry is a record entry
    /// about a vehicle (corrections and claims point at them).
    ///
    /// # Errors
    /// When the state cannot be read.
    fn logged_record(&self, index: u64) -> Result<Option<LoggedRecord>, Self::Error>;
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
    /// The vehicle's state after the record, for vehicle records.
    pub vehicle: Option<VehicleState>,
    /// What the record changes in the vehicle's facts.
    pub facts: Vec<FactChange>,
    /// The protocol a protocol declaration declares.
    pub protocol: Option<(ProtocolId, DeclaredProtocol)>,
    /// What is suspicious about the record, in the order found.
    pub flags: Vec<Flag>,
}

/// Whether a key with `role` may enroll or revoke a key with `target`.
fn may_manage(role: Role, target: Role) -> Result<(), AuthError> {
    if role.may_manage(target) {
        return Ok(());
    }
    let hint = match target {
        Role::Recovery => "only a recovery key may",
        _ if role == Role::Recovery => "a recovery key manages admin and recovery keys only",
        _ => "only an admin key may",
    };
    Err(AuthError::MayNotManage { role, target, hint })
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
    if let Some(e) = future_date(record, logged_at_ms) {
        return Ok(Err(e.into()));
    }
    let signer_state = view.key_state(signed.public_key())?;
    let role = match authorize(signed.public_key(), signer_state.as_ref(), record.kind()) {
        Ok(role) => role,
        Err(e) => return Ok(Err(e.into())),
    };
    let key_update = match &record.body {
        RecordBody::KeyEnrollment(k) => {
            if let Err(e) = may_manage(role, k.role) {
                return Ok(Err(e.into()));
            }
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
                    if let Err(e) = may_manage(role, state.role) {
                        return Ok(Err(e.into()));
                    }
                    state.revoked_at = Some(index);
                    Some((k.public_key, state))
                }
            }
        }
        _ => None,
    };
    let protocol = match &record.body {
        RecordBody::InspectionProtocol(p) => {
            let id = p.id();
            if let Some(earlier) = view.protocol(&id)? {
                return Ok(Err(FieldError::new(
                    "inspection_protocol.version",
                    Reason::AlreadyDeclared {
                        at: earlier.declared_at,
                    },
                )
                .into()));
            }
            Some((
                id,
                DeclaredProtocol {
                    declared_at: index,
                    items: p.items.iter().cloned().collect(),
                },
            ))
        }
        _ => None,
    };
    let (vehicle, facts, flags) = match &record.vin {
        None => (None, Vec::new(), Vec::new()),
        Some(vin) => match sequence_vehicle(view, index, signed, vin)? {
            Ok(VehicleChange {
                state,
                facts,
                flags,
            }) => (Some(state), facts, flags),
            Err(e) => return Ok(Err(e)),
        },
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
        vehicle,
        facts,
        protocol,
        flags,
    }))
}

/// The first date of `record` (a replacement's included) later than the
/// time it is logged, allowing for clock skew.
fn future_date(record: &Record, logged_at_ms: i64) -> Option<FieldError> {
    let late = |t: i64| t.saturating_mul(1000) > logged_at_ms.saturating_add(MAX_CLOCK_SKEW_MS);
    if let Some((field, _)) = record.past_dates().into_iter().find(|(_, t)| late(*t)) {
        return Some(FieldError::new(field, Reason::InFuture));
    }
    if let RecordBody::Correction(c) = &record.body
        && let Some(r) = &c.replacement
        && let Some((field, _)) = r.past_dates().into_iter().find(|(_, t)| late(*t))
    {
        return Some(FieldError::new(
            "correction.replacement",
            Reason::InReplacement(Box::new(FieldError::new(field, Reason::InFuture))),
        ));
    }
    None
}

/// What a record does to its vehicle.
struct VehicleChange {
    /// The state after the record.
    state: VehicleState,
    /// The facts it adds or changes.
    facts: Vec<FactChange>,
    /// The record's flags.
    flags: Vec<Flag>,
}

/// What a record does to its vehicle, or why it may not be logged.
type VehicleOutcome = Result<VehicleChange, Refusal>;

/// The per-VIN rules: what a vehicle record does to its vehicle's state,
/// and its flags.
fn sequence_vehicle<V: StateView>(
    view: &V,
    index: u64,
    signed: &SignedRecord,
    vin: &Vin,
) -> Result<VehicleOutcome, V::Error> {
    let record = signed.record();
    let mut state = view.vehicle(vin)?.unwrap_or_default();
    // An earlier record of the same VIN, or why `field` names none.
    let earlier =
        |field: &'static str, at: u64| -> Result<Result<LoggedRecord, Refusal>, V::Error> {
            Ok(match view.logged_record(at)? {
                Some(r) if r.vin.as_ref() == Some(vin) => Ok(r),
                _ => Err(FieldError::new(field, Reason::NoSuchTarget).into()),
            })
        };
    match &record.body {
        RecordBody::Correction(c) => {
            let target = match earlier("correction.target_index", c.target_index)? {
                Ok(t) => t,
                Err(e) => return Ok(Err(e)),
            };
            if target.kind == vledger_records::RecordKind::Correction {
                return Ok(Err(FieldError::new(
                    "correction.target_index",
                    Reason::TargetIsCorrection,
                )
                .into()));
            }
            if target.signer != signed.public_key().to_bytes() {
                return Ok(Err(AuthError::NotTargetSigner {
                    signer: hex::encode(target.signer),
                    target: c.target_index,
                }
                .into()));
            }
            if let Some(r) = &c.replacement
                && r.kind() != target.kind
            {
                return Ok(Err(FieldError::new(
                    "correction.replacement",
                    Reason::Inconsistent("the kind of the corrected record"),
                )
                .into()));
            }
            let replacement = c.replacement.as_deref();
            let facts = view.vehicle_facts(vin)?;
            return Ok(
                match state.correct(facts, c.target_index, &target, replacement, index) {
                    Ok(facts) => Ok(VehicleChange {
                        state,
                        facts,
                        flags: Vec::new(),
                    }),
                    Err(e) => Err(e.into()),
                },
            );
        }
        RecordBody::Claim(c) => {
            if let Some(at) = c.related_index
                && let Err(e) = earlier("claim.related_index", at)?
            {
                return Ok(Err(e));
            }
        }
        RecordBody::Inspection(i) => match view.protocol(&i.protocol())? {
            None => {
                return Ok(Err(FieldError::new(
                    "inspection.protocol_id",
                    Reason::UnknownProtocol,
                )
                .into()));
            }
            Some(p) => {
                if let Err(e) = i.check_items(&p.items) {
                    return Ok(Err(e.into()));
                }
            }
        },
        _ => {}
    }
    // A new instrument cluster starts a new series of readings: the old
    // series' readings are dropped (each reading is dropped at most once,
    // so this costs constant time per record, amortised).
    let old_series = match &record.body {
        RecordBody::ComponentChange(c) if c.component == Component::InstrumentCluster => {
            view.vehicle_facts(vin)?.odometer
        }
        _ => Vec::new(),
    };
    Ok(state
        .apply(index, record)
        .map(|(flags, added)| {
            let mut facts: Vec<FactChange> = old_series
                .iter()
                .map(|p| FactChange::Odometer {
                    index: p.index,
                    reading: None,
                })
                .collect();
            facts.extend(added);
            VehicleChange {
                state,
                facts,
                flags,
            }
        })
        .map_err(Refusal::from))
}
