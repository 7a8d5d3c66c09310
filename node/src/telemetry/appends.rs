//! The append path's metrics: appends by outcome, batches, the tree size.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use metrics::{Counter, Gauge, Histogram};

use super::{APPENDS, BATCH_COMMIT, BATCH_RECORDS, BATCH_SEQUENCE, BATCH_TOTAL, TREE_SIZE, handle};

/// The handles the append path records through, made once.
struct Appends {
    /// [`APPENDS`] by [`Outcome`], in its order.
    outcomes: [Counter; 4],
    batch_records: Histogram,
    batch_sequence: Histogram,
    batch_commit: Histogram,
    batch_total: Histogram,
    tree_size: Gauge,
}

fn appends() -> &'static Appends {
    static APPENDS_: OnceLock<Appends> = OnceLock::new();
    APPENDS_.get_or_init(|| {
        handle();
        let outcome = |o: Outcome| metrics::counter!(APPENDS, "outcome" => o.as_str());
        Appends {
            outcomes: [
                outcome(Outcome::Appended),
                outcome(Outcome::Duplicate),
                outcome(Outcome::Refused),
                outcome(Outcome::Failed),
            ],
            batch_records: metrics::histogram!(BATCH_RECORDS),
            batch_sequence: metrics::histogram!(BATCH_SEQUENCE),
            batch_commit: metrics::histogram!(BATCH_COMMIT),
            batch_total: metrics::histogram!(BATCH_TOTAL),
            tree_size: metrics::gauge!(TREE_SIZE),
        }
    })
}

/// Registers the node's metrics, so that each is rendered (at zero) from
/// the start.
pub fn register() {
    appends();
}

/// How an append was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Logged now.
    Appended,
    /// Logged before: the first receipt again.
    Duplicate,
    /// Refused; nothing changed.
    Refused,
    /// The node could not append (shutting down, a write failed).
    Failed,
}

impl Outcome {
    /// The `outcome` label.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Appended => "appended",
            Self::Duplicate => "duplicate",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }
}

/// Counts an append answered with `outcome`.
pub fn append(outcome: Outcome) {
    appends().outcomes[outcome as usize].increment(1);
}

/// Records a sequenced batch of `records` that took `took` to sequence.
pub fn batch_sequenced(records: usize, took: Duration) {
    let a = appends();
    a.batch_records.record(records as f64);
    a.batch_sequence.record(took);
}

/// Records a durable batch: its commit took `commit`, and it was begun at
/// `started`; the tree is now `tree_size` entries.
pub fn batch_durable(commit: Duration, started: Instant, tree_size: u64) {
    let a = appends();
    a.batch_commit.record(commit);
    a.batch_total.record(started.elapsed());
    a.tree_size.set(tree_size as f64);
}

/// Sets the tree size gauge.
pub fn tree_size(size: u64) {
    appends().tree_size.set(size as f64);
}
