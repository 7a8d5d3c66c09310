//! The witnesses' metrics: each one's state, the quorum, the cosigned size.

use metrics::{Counter, Gauge};

use super::{
    COSIGNED_TREE_SIZE, QUORUM_MET, WITNESS_COSIGNED, WITNESS_FAILURES, WITNESS_UP, handle,
};

/// The metrics of one configured witness, labelled with its name.
#[derive(Debug, Clone)]
pub struct WitnessMetrics {
    up: Gauge,
    cosigned: Gauge,
    failures: Counter,
}

impl WitnessMetrics {
    /// The handles of the witness named `name` (its key's name); down
    /// until it cosigns.
    #[must_use]
    pub fn new(name: &str) -> Self {
        handle();
        let name = name.to_owned();
        let m = Self {
            up: metrics::gauge!(WITNESS_UP, "witness" => name.clone()),
            cosigned: metrics::gauge!(WITNESS_COSIGNED, "witness" => name.clone()),
            failures: metrics::counter!(WITNESS_FAILURES, "witness" => name),
        };
        m.up.set(0.0);
        m
    }

    /// It cosigned `tree_size`.
    pub fn cosigned(&self, tree_size: u64) {
        self.up.set(1.0);
        self.cosigned.set(tree_size as f64);
    }

    /// A submission to it failed.
    pub fn failed(&self) {
        self.up.set(0.0);
        self.failures.increment(1);
    }
}

/// Sets whether a quorum of witnesses is up.
pub fn quorum_met(met: bool) {
    handle();
    metrics::gauge!(QUORUM_MET).set(if met { 1.0 } else { 0.0 });
}

/// Sets the tree size of the latest cosigned checkpoint.
pub fn cosigned_tree_size(size: u64) {
    handle();
    metrics::gauge!(COSIGNED_TREE_SIZE).set(size as f64);
}
