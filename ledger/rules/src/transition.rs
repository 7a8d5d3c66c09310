//! The log's state transition: what one entry, and one batch, change.
//!
//! The sequencer and every replay (start-up, `vledger check`, audits) run
//! these functions and nothing else to move the log's state forward, so
//! that what the sequencer logged and what a replay re-derives cannot
//! drift apart:
//!
//! - [`genesis`]: leaf 0 enrolls the first admin key;
//! - [`decide`]: whether a signed record is logged at the next index, is a
//!   duplicate of a logged one, or is refused, and what it changes
//!   ([`Effects`], from [`sequence_record`]);
//! - [`apply`]: takes a logged record's changes into the state;
//! - [`close_batch`]: the index entry that ends every batch: the VIN index
//!   root over every entry before it, with the heads the batch changed.
//!
//! A [`LogState`] only stores: it reads and writes maps (the sequencer's
//! is its store with the batch laid over it, a replay's is in memory). What
//! to read and what to write is decided here.

use ed25519_dalek::VerifyingKey;
use vledger_records::vindex::{IndexKey, VinHead};
use vledger_records::{
    Flag, Genesis, IndexCommitment, KeyState, ProtocolId, Role, SignedRecord, Vin,
};
use vledger_tlog::Hash;

use crate::index_tree::{IndexChanges, TileReader, VinIndex};
use crate::{
    DeclaredProtocol, Effects, FactChange, LoggedRecord, Refusal, StateView, VehicleState,
    sequence_record,
};

/// The log's state as the transition reads and writes it: the rules'
/// [`StateView`], the deduplication index, the VIN count, and the VIN heads
/// changed since the last index entry.
///
/// Writes must be visible to later reads at once: records of one batch
/// see the records before them.
pub trait LogState: StateView {
    /// The leaf index of the record whose deduplication key is `key`.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn dedup(&self, key: &Hash) -> Result<Option<u64>, Self::Error>;
    /// The number of distinct VINs with records.
    ///
    /// # Errors
    /// When the state cannot be read.
    fn vin_count(&self) -> Result<u64, Self::Error>;
    /// The VIN heads changed since the last index entry, each with its
    /// index key.
    fn changed_heads(&self) -> Vec<(IndexKey, VinHead)>;

    /// Sets `key`'s state.
    fn set_key_state(&mut self, key: VerifyingKey, state: KeyState);
    /// Sets `vin`'s chain head; `new_vin` when it is the VIN's first record.
    fn set_vin_head(&mut self, vin: &Vin, head: VinHead, new_vin: bool);
    /// Sets `vin`'s vehicle state, takes in the changes to its facts, and
    /// records the vehicle record at `index`.
    fn set_vehicle(
        &mut self,
        vin: &Vin,
        state: VehicleState,
        facts: Vec<FactChange>,
        index: u64,
        record: LoggedRecord,
    );
    /// Declares protocol `id`.
    fn set_protocol(&mut self, id: ProtocolId, protocol: DeclaredProtocol);
    /// Records that the record with deduplication key `key` is at `index`.
    fn set_dedup(&mut self, key: Hash, index: u64);
}

/// What to do with a signed record at the next index.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
// Returned and matched at once, once per record: boxing the common variant
// would cost an allocation per append for nothing.
#[allow(clippy::large_enum_variant)]
pub enum Decision {
    /// Log it, with these effects.
    Log(Effects),
    /// The same signed record is already logged, at leaf `first`.
    Duplicate {
        /// The leaf index of the logged copy.
        first: u64,
    },
    /// Refuse it.
    Refuse(Refusal),
}

/// Enrolls the genesis entry's admin key, and its recovery key if it names
/// one, as leaf 0 does.
pub fn genesis<S: LogState>(state: &mut S, genesis: &Genesis) {
    let keys = [
        (Some(genesis.admin_key), Role::Admin),
        (genesis.recovery_key, Role::Recovery),
    ];
    for (key, role) in keys {
        if let Some(key) = key {
            state.set_key_state(
                key,
                KeyState {
                    role,
                    enrolled_at: 0,
                    revoked_at: None,
                },
            );
        }
    }
}

/// Decides what happens to `signed` at leaf `index`, logged at
/// `logged_at_ms`: its deduplication key `dedup_key` (`signed.dedup_key()`,
/// computed once by the caller) is looked up first, then the rules run.
///
/// # Errors
/// When the state cannot be read.
pub fn decide<S: LogState>(
    state: &S,
    index: u64,
    logged_at_ms: i64,
    signed: &SignedRecord,
    dedup_key: &Hash,
) -> Result<Decision, S::Error> {
    if let Some(first) = state.dedup(dedup_key)? {
        return Ok(Decision::Duplicate { first });
    }
    Ok(match sequence_record(state, index, logged_at_ms, signed)? {
        Ok(effects) => Decision::Log(effects),
        Err(refusal) => Decision::Refuse(refusal),
    })
}

/// Takes into `state` what logging `signed` (deduplication key
/// `dedup_key`) at leaf `index`, whose entry has leaf hash `leaf_hash`,
/// changes; `effects` are what [`decide`] gave. Returns the effects' flags,
/// the one part the state does not keep.
pub fn apply<S: LogState>(
    state: &mut S,
    index: u64,
    leaf_hash: Hash,
    signed: &SignedRecord,
    dedup_key: Hash,
    effects: Effects,
) -> Vec<Flag> {
    let record = signed.record();
    if let (Some(vin), Some(chain)) = (&record.vin, effects.chain) {
        let head = VinHead {
            index,
            leaf_hash,
            count: chain.sequence + 1,
        };
        state.set_vin_head(vin, head, chain.sequence == 0);
    }
    if let Some((key, key_state)) = effects.key_update {
        state.set_key_state(key, key_state);
    }
    if let (Some(vin), Some(vehicle)) = (&record.vin, effects.vehicle) {
        state.set_vehicle(
            vin,
            vehicle,
            effects.facts,
            index,
            LoggedRecord::of(record, signed.public_key()),
        );
    }
    if let Some((id, protocol)) = effects.protocol {
        state.set_protocol(id, protocol);
    }
    state.set_dedup(dedup_key, index);
    effects.flags
}

/// The index entry that ends a batch at leaf `tree_size`: the VIN index
/// root over every entry before it (`tiles` hold the index as of the
/// previous index entry; the batch's changed heads are laid over them) and
/// the VIN count; with the index changes to store.
///
/// # Errors
/// When the state or the tiles cannot be read.
pub fn close_batch<S, R>(
    state: &S,
    tiles: &R,
    tree_size: u64,
) -> Result<(IndexCommitment, IndexChanges), S::Error>
where
    S: LogState,
    R: TileReader<Error = S::Error>,
{
    let mut index = VinIndex::new(tiles);
    for (key, head) in state.changed_heads() {
        index.set(key, head)?;
    }
    let commitment = IndexCommitment {
        root: index.root()?,
        tree_size,
        vin_count: state.vin_count()?,
    };
    Ok((commitment, index.into_changes()))
}
