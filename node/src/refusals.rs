//! Refused appends in the node's log: each at info, with its status code,
//! its reason and the signer's public key (base64, as `vledger keygen`
//! prints it inside a verifier key), at most [`MAX_PER_SECOND`] a second.
//! Past that, refusals are counted, and the count is logged with the next
//! refusal of a later second: a client that sends garbage in a loop cannot
//! flood the log, and the operator still sees how many there were.
//!
//! Every refusal is also counted, unthrottled, by code and [`Reason`] in
//! the metrics ([`crate::telemetry`]).

use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use metrics::Counter;
use tonic::{Code, Status};
use vledger_records::{AuthError, FieldError, Reason as FieldReason};
use vledger_rules::Refusal;

use crate::budget::Exhausted;
use crate::telemetry;

/// Why an append was refused, in a few words that never carry the
/// request's content: the `reason` label of the refusal metrics and the
/// `kind` of the log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The request holds no record, or bytes that are not one.
    Malformed,
    /// The key or signature is not an Ed25519 one, or does not verify.
    BadSignature,
    /// The record is over the size limit.
    TooLarge,
    /// The record was signed for another log, or names none.
    WrongLog,
    /// A field of the record is not valid.
    InvalidField,
    /// The signer's append budget is spent.
    SignerBudget,
    /// The node's append budget is spent.
    NodeBudget,
    /// The signer is not enrolled.
    NotEnrolled,
    /// The signer was revoked.
    Revoked,
    /// The signer's role may not sign this kind of record.
    RoleMayNotSign,
    /// The signer may not enroll or revoke a key of that role.
    MayNotManage,
    /// A correction by another key than the corrected record's.
    NotTargetSigner,
    /// An enrollment or revocation that conflicts with the key's state.
    KeyState,
    /// The record contradicts the log (a date in the future, ...).
    ContradictsLog,
    /// Anything else.
    Other,
}

impl Reason {
    /// Every reason, in the order of their discriminants.
    pub const ALL: [Self; 15] = [
        Self::Malformed,
        Self::BadSignature,
        Self::TooLarge,
        Self::WrongLog,
        Self::InvalidField,
        Self::SignerBudget,
        Self::NodeBudget,
        Self::NotEnrolled,
        Self::Revoked,
        Self::RoleMayNotSign,
        Self::MayNotManage,
        Self::NotTargetSigner,
        Self::KeyState,
        Self::ContradictsLog,
        Self::Other,
    ];

    /// The label.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::BadSignature => "bad_signature",
            Self::TooLarge => "too_large",
            Self::WrongLog => "wrong_log",
            Self::InvalidField => "invalid_field",
            Self::SignerBudget => "signer_budget",
            Self::NodeBudget => "node_budget",
            Self::NotEnrolled => "not_enrolled",
            Self::Revoked => "revoked",
            Self::RoleMayNotSign => "role_may_not_sign",
            Self::MayNotManage => "may_not_manage",
            Self::NotTargetSigner => "not_target_signer",
            Self::KeyState => "key_state",
            Self::ContradictsLog => "contradicts_log",
            Self::Other => "other",
        }
    }

    /// The reason of a record refused before it reached the sequencer.
    #[must_use]
    pub fn of_field(e: &FieldError) -> Self {
        match &e.reason {
            FieldReason::Encoding | FieldReason::NonCanonical => Self::Malformed,
            FieldReason::Missing if e.field == "signed" => Self::Malformed,
            FieldReason::TooLong { .. } if e.field == "signed.record" => Self::TooLarge,
            FieldReason::PublicKey
            | FieldReason::WeakKey
            | FieldReason::SignatureLength
            | FieldReason::BadSignature => Self::BadSignature,
            FieldReason::Unbound | FieldReason::WrongLog { .. } => Self::WrongLog,
            _ => Self::InvalidField,
        }
    }

    /// The reason of a record the log's rules refused.
    #[must_use]
    pub fn of_refusal(r: &Refusal) -> Self {
        match r {
            Refusal::Unauthorized(e) => match e {
                AuthError::NotEnrolled { .. } => Self::NotEnrolled,
                AuthError::Revoked { .. } => Self::Revoked,
                AuthError::RoleMayNotSign { .. } => Self::RoleMayNotSign,
                AuthError::MayNotManage { .. } => Self::MayNotManage,
                AuthError::NotTargetSigner { .. } => Self::NotTargetSigner,
                _ => Self::KeyState,
            },
            Refusal::Invalid(_) => Self::ContradictsLog,
            _ => Self::Other,
        }
    }

    /// The reason of an append beyond its budget.
    #[must_use]
    pub fn of_budget(e: &Exhausted) -> Self {
        match e {
            Exhausted::Signer { .. } => Self::SignerBudget,
            Exhausted::Node { .. } => Self::NodeBudget,
        }
    }
}

/// Refusals logged one by one per second, at most.
pub const MAX_PER_SECOND: u32 = 20;

/// The current second: when it began, refusals logged and not logged.
#[derive(Debug)]
struct Window {
    began: Option<Instant>,
    logged: u32,
    suppressed: u64,
}

static WINDOW: Mutex<Window> = Mutex::new(Window {
    began: None,
    logged: 0,
    suppressed: 0,
});

/// Whether a refusal at `now` is logged on its own; and the refusals of
/// the seconds before that were not logged, to report with it.
fn admit(window: &mut Window, now: Instant) -> (bool, u64) {
    let mut earlier = 0;
    if window
        .began
        .is_none_or(|began| now.saturating_duration_since(began) >= Duration::from_secs(1))
    {
        earlier = std::mem::take(&mut window.suppressed);
        window.began = Some(now);
        window.logged = 0;
    }
    if window.logged < MAX_PER_SECOND {
        window.logged += 1;
        (true, earlier)
    } else {
        window.suppressed += 1;
        (false, earlier)
    }
}

/// Counts a refusal with `code` for `reason`: one append `refused`, and
/// one in [`telemetry::REFUSALS`], through handles made on first use.
fn count(code: Code, reason: Reason) {
    static COUNTERS: OnceLock<Box<[OnceLock<Counter>]>> = OnceLock::new();
    telemetry::append(telemetry::Outcome::Refused);
    let counters = COUNTERS.get_or_init(|| {
        (0..telemetry::CODES.len() * Reason::ALL.len())
            .map(|_| OnceLock::new())
            .collect()
    });
    counters[code as usize * Reason::ALL.len() + reason as usize]
        .get_or_init(|| {
            metrics::counter!(
                telemetry::REFUSALS,
                "code" => telemetry::code_label(code),
                "reason" => reason.as_str()
            )
        })
        .increment(1);
}

/// Counts and logs the refusal of an append signed by `signer` (its 32
/// key bytes, if the request held any) with `status`, for `reason`.
pub fn log(signer: Option<&[u8]>, status: &Status, reason: Reason) {
    count(status.code(), reason);
    let (logged, earlier) = admit(
        &mut WINDOW.lock().unwrap_or_else(PoisonError::into_inner),
        Instant::now(),
    );
    if earlier > 0 {
        tracing::info!(
            refused = earlier,
            "more appends were refused than logged in the seconds before"
        );
    }
    if logged {
        let signer = signer.map_or_else(|| "-".to_owned(), |k| STANDARD.encode(k));
        tracing::info!(
            %signer,
            code = ?status.code(),
            kind = reason.as_str(),
            reason = %status.message(),
            "append refused"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_in_the_order_of_their_discriminants() {
        for (i, reason) in Reason::ALL.iter().enumerate() {
            assert_eq!(*reason as usize, i, "{reason:?}");
        }
    }

    #[test]
    fn a_second_logs_at_most_its_share_and_the_next_reports_the_rest() {
        let mut w = Window {
            began: None,
            logged: 0,
            suppressed: 0,
        };
        let t0 = Instant::now();
        for _ in 0..MAX_PER_SECOND {
            assert_eq!(admit(&mut w, t0), (true, 0));
        }
        for _ in 0..5 {
            assert_eq!(admit(&mut w, t0 + Duration::from_millis(500)), (false, 0));
        }
        // The next second logs again, and reports the five not logged.
        assert_eq!(admit(&mut w, t0 + Duration::from_secs(1)), (true, 5));
        assert_eq!(admit(&mut w, t0 + Duration::from_secs(1)), (true, 0));
    }
}
