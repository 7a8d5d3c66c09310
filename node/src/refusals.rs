//! Refused appends in the node's log: each at info, with its status code,
//! its reason and the signer's public key (base64, as `vledger keygen`
//! prints it inside a verifier key), at most [`MAX_PER_SECOND`] a second.
//! Past that, refusals are counted, and the count is logged with the next
//! refusal of a later second: a client that sends garbage in a loop cannot
//! flood the log, and the operator still sees how many there were.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tonic::Status;

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

/// Logs the refusal of an append signed by `signer` (its 32 key bytes, if
/// the request held any) with `status`.
pub fn log(signer: Option<&[u8]>, status: &Status) {
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
            reason = %status.message(),
            "append refused"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
