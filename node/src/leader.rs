//! Leadership among nodes that share one PostgreSQL store: the node that
//! holds the log's session advisory lock sequences; the others stand by.
//!
//! The lock is a convenience, not what keeps the log whole: every batch is
//! fenced by the stored tree size (`vledger_log::store::Backend::apply`),
//! so a node that lost the lock without knowing it can still never write.

use std::time::Duration;

use anyhow::Context as _;
use vledger_log::store::LeaderLock;
use vledger_tlog::hash::sha256;

/// How often a standby tries the lock.
pub const STANDBY_POLL: Duration = Duration::from_millis(300);

/// How often the leader checks that its lock's session is alive.
pub const LEADER_CHECK: Duration = Duration::from_millis(500);

/// The advisory lock key of the log named `origin`: the first 8 bytes of
/// `SHA-256("vledger/leader/v1\n" ‖ origin)`, so that logs sharing a
/// server do not contend.
#[must_use]
pub fn lock_key(origin: &str) -> i64 {
    let mut input = b"vledger/leader/v1\n".to_vec();
    input.extend_from_slice(origin.as_bytes());
    let hash = sha256(&input);
    let mut key = [0u8; 8];
    key.copy_from_slice(&hash.0[..8]);
    i64::from_be_bytes(key)
}

/// Takes the leader lock of `origin` in the database at `url`, standing by
/// (trying every [`STANDBY_POLL`]) while another node holds it; calls
/// `standing_by` once, when it begins to wait.
///
/// # Errors
/// When the database cannot be reached.
pub async fn acquire(
    url: &str,
    origin: &str,
    store_name: &str,
    standing_by: impl FnOnce(),
) -> anyhow::Result<LeaderLock> {
    let mut standing_by = Some(standing_by);
    let url = url.to_owned();
    let mut lock = tokio::task::spawn_blocking(move || LeaderLock::connect(&url))
        .await?
        .with_context(|| format!("cannot connect to {store_name} for the leader lock"))?;
    let key = lock_key(origin);
    let mut waiting = false;
    loop {
        let (back, held) = tokio::task::spawn_blocking(move || {
            let held = lock.try_acquire(key);
            (lock, held)
        })
        .await?;
        lock = back;
        if held.context("cannot take the leader lock")? {
            if waiting {
                tracing::info!(origin, "took the leader lock; taking over");
            }
            return Ok(lock);
        }
        if !waiting {
            tracing::info!(
                origin,
                store = store_name,
                "another node holds the leader lock of this log; standing by"
            );
            if let Some(f) = standing_by.take() {
                f();
            }
            waiting = true;
        }
        tokio::time::sleep(STANDBY_POLL).await;
    }
}

/// Completes, with the reason, once the lock's session fails its check
/// (every [`LEADER_CHECK`]).
pub async fn lost(mut lock: LeaderLock) -> anyhow::Error {
    loop {
        tokio::time::sleep(LEADER_CHECK).await;
        let checked = tokio::task::spawn_blocking(move || {
            let r = lock.check();
            (lock, r)
        })
        .await;
        match checked {
            Ok((back, Ok(()))) => lock = back,
            Ok((_, Err(e))) => return anyhow::Error::new(e).context("lost the leader lock"),
            Err(e) => return anyhow::Error::new(e).context("lost the leader lock"),
        }
    }
}
