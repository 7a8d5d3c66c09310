//! The one place where vledger errors become gRPC statuses, and where
//! tonic's own statuses are made the ones the API promises ([`transport`]).

pub mod transport;

use tonic::Status;
use vledger_log::pages::PageError;
use vledger_log::store::StoreError;
use vledger_log::writer::WriterError;
use vledger_records::{AuthError, FieldError, Reason};
use vledger_rules::Refusal;
use vledger_tlog::merkle::ProofError;

/// A record field that is wrong: `INVALID_ARGUMENT` naming the field and the
/// reason, or `RESOURCE_EXHAUSTED` for an oversized record.
pub fn field(e: &FieldError) -> Status {
    match (e.field, &e.reason) {
        ("signed.record", Reason::TooLong { .. }) => Status::resource_exhausted(e.to_string()),
        _ => Status::invalid_argument(e.to_string()),
    }
}

/// An append beyond its budget: `RESOURCE_EXHAUSTED`, with the wait in
/// the message and in the `retry-after-ms` metadata.
pub fn exhausted(e: &crate::budget::Exhausted) -> Status {
    let mut status = Status::resource_exhausted(e.to_string());
    let millis = e.retry_after().as_millis().max(1).to_string();
    if let Ok(value) = millis.parse() {
        status.metadata_mut().insert(RETRY_AFTER_MS, value);
    }
    status
}

/// The metadata key of the wait [`exhausted`] gives, in milliseconds.
pub const RETRY_AFTER_MS: &str = "retry-after-ms";

/// A signer that may not log a record: `PERMISSION_DENIED`; a key record
/// that conflicts with the log's key state: `FAILED_PRECONDITION`.
pub fn auth(e: &AuthError) -> Status {
    match e {
        AuthError::NotEnrolled { .. }
        | AuthError::Revoked { .. }
        | AuthError::RoleMayNotSign { .. }
        | AuthError::MayNotManage { .. }
        | AuthError::NotTargetSigner { .. } => Status::permission_denied(e.to_string()),
        _ => Status::failed_precondition(e.to_string()),
    }
}

/// A record the log's state refuses.
pub fn refusal(r: &Refusal) -> Status {
    match r {
        Refusal::Unauthorized(e) => auth(e),
        Refusal::Invalid(e) => field(e),
        other => Status::invalid_argument(other.to_string()),
    }
}

/// A store failure: `INTERNAL`, logged.
pub fn store(e: &StoreError) -> Status {
    tracing::error!(error = %e, "store error");
    Status::internal(format!("store error: {e}"))
}

/// A writer failure: `UNAVAILABLE` once the writer refuses writes,
/// `INTERNAL` otherwise.
pub fn writer(e: &WriterError) -> Status {
    tracing::error!(error = %e, "sequencer error");
    match e {
        WriterError::Poisoned => Status::unavailable(e.to_string()),
        _ => Status::internal(e.to_string()),
    }
}

/// A proof request the tree cannot answer: `OUT_OF_RANGE` for indices and
/// sizes beyond the tree, `INTERNAL` for a store that fails or breaks its
/// contract.
pub fn proof(e: &ProofError<StoreError>) -> Status {
    match e {
        ProofError::Read(s) => store(s),
        ProofError::IndexOutOfRange { .. } | ProofError::SizeOutOfRange { .. } => {
            Status::out_of_range(e.to_string())
        }
        other => {
            tracing::error!(error = %other, "proof error");
            Status::internal(other.to_string())
        }
    }
}

/// A history page that cannot be built: `NOT_FOUND` for a tree size with
/// no checkpoint, `INVALID_ARGUMENT` for a `next` that is not a record of
/// the VIN, `RESOURCE_EXHAUSTED` for a page bound too small for one
/// record, `INTERNAL` (logged) for a store that fails or breaks its
/// contract.
pub fn history_page(vin: &vledger_records::Vin, e: &PageError) -> Status {
    match e {
        PageError::NoCheckpoint(_) => Status::not_found(e.to_string()),
        PageError::NotOfVin { .. } => Status::invalid_argument(e.to_string()),
        PageError::TooSmall { .. } => Status::resource_exhausted(format!("page_bytes: {e}")),
        _ => {
            tracing::error!(error = %e, %vin, "cannot build a history page");
            Status::internal(format!("cannot build the history of {vin}: {e}"))
        }
    }
}
