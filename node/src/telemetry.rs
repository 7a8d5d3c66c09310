//! The node's Prometheus metrics: every metric's name and help text, the
//! one recorder of the process, and the handles the node records through.
//!
//! The recorder is installed the first time anything here is used
//! ([`handle`]), once per process; the HTTP side renders it on
//! `GET /metrics` ([`http`]). Names follow Prometheus conventions
//! (`_total` counters, `_seconds` durations) under the `vledger_` prefix;
//! every label takes values from a fixed set (outcomes, refusal reasons,
//! gRPC codes, RPC names, routes, listeners) or the configured witnesses'
//! names, never free text or key ids. `docs/operations.md` lists them all,
//! and `tests/tests/metrics.rs` checks the list, and the dashboard in
//! `docs/grafana/`, against a real node's output.
//!
//! The hot path records through handles made once (atomic adds, no lookup
//! and no allocation per append).

mod appends;
mod connections;
pub mod grpc;
pub mod http;
mod witnesses;

pub use appends::{Outcome, append, batch_durable, batch_sequenced, register, tree_size};
pub use connections::ListenerMetrics;
pub use witnesses::{WitnessMetrics, cosigned_tree_size, quorum_met};

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tonic::Code;

/// Appends answered, by `outcome`: `appended`, `duplicate` (the first
/// receipt again), `refused` (nothing changed), `failed` (the node could
/// not append: shutting down, a write failed).
pub const APPENDS: &str = "vledger_appends_total";
/// Refused appends by gRPC `code` and `reason` ([`crate::refusals::Reason`]).
pub const REFUSALS: &str = "vledger_append_refusals_total";
/// Appends per sequenced batch (records, refused and duplicates included).
pub const BATCH_RECORDS: &str = "vledger_batch_records";
/// Time to sequence a batch: decide each record, hash, sign the checkpoint.
pub const BATCH_SEQUENCE: &str = "vledger_batch_sequence_seconds";
/// Time to make a sequenced batch durable (one write and flush).
pub const BATCH_COMMIT: &str = "vledger_batch_commit_seconds";
/// Time from the start of a batch's sequencing until it is durable.
pub const BATCH_TOTAL: &str = "vledger_batch_seconds";
/// Appends waiting in the queue in front of the sequencer.
pub const QUEUE_DEPTH: &str = "vledger_append_queue_depth";
/// Capacity of the append queue.
pub const QUEUE_CAPACITY: &str = "vledger_append_queue_capacity";
/// Tree size of the latest durable checkpoint.
pub const TREE_SIZE: &str = "vledger_tree_size";
/// gRPC calls answered, by `rpc` and `code`.
pub const GRPC_REQUESTS: &str = "vledger_grpc_requests_total";
/// gRPC call latency by `rpc`, until the last byte of the answer.
pub const GRPC_DURATION: &str = "vledger_grpc_request_duration_seconds";
/// HTTP requests answered, by `route` and `status`.
pub const HTTP_REQUESTS: &str = "vledger_http_requests_total";
/// HTTP request latency by `route`, until the answer's head.
pub const HTTP_DURATION: &str = "vledger_http_request_duration_seconds";
/// Whether a `witness`'s latest submission was cosigned (1) or not (0).
pub const WITNESS_UP: &str = "vledger_witness_up";
/// Tree size a `witness` last cosigned.
pub const WITNESS_COSIGNED: &str = "vledger_witness_cosigned_tree_size";
/// Submissions to a `witness` that did not come back cosigned.
pub const WITNESS_FAILURES: &str = "vledger_witness_failures_total";
/// Whether at least a quorum of witnesses is up (1) or not (0).
pub const QUORUM_MET: &str = "vledger_witness_quorum_met";
/// Tree size of the latest checkpoint a quorum cosigned.
pub const COSIGNED_TREE_SIZE: &str = "vledger_cosigned_tree_size";
/// Open connections per `listener` (`grpc`, `http`).
pub const CONNECTIONS_OPEN: &str = "vledger_connections_open";
/// The connection cap per `listener`.
pub const CONNECTIONS_MAX: &str = "vledger_connections_max";
/// Connections accepted per `listener`.
pub const CONNECTIONS_ACCEPTED: &str = "vledger_connections_accepted_total";
/// Connections closed to make room at the cap (they had sent nothing).
pub const CONNECTIONS_DISPLACED: &str = "vledger_connections_displaced_total";
/// Times the cap was reached with every connection busy: new ones waited
/// in the kernel's backlog.
pub const CONNECTIONS_CAP_WAITS: &str = "vledger_connections_cap_waits_total";
/// Failed accepts (out of file descriptors, ...) per `listener`.
pub const ACCEPT_ERRORS: &str = "vledger_accept_errors_total";

/// Every metric: name, kind and help text, for the recorder's `# HELP`
/// lines and for the docs.
pub const METRICS: &[(&str, Kind, &str)] = &[
    (
        APPENDS,
        Kind::Counter,
        "Appends answered, by outcome: appended, duplicate (the first receipt again), refused, failed (shutting down, a write failed).",
    ),
    (
        REFUSALS,
        Kind::Counter,
        "Refused appends by gRPC code and reason.",
    ),
    (
        BATCH_RECORDS,
        Kind::Histogram,
        "Appends per sequenced batch.",
    ),
    (
        BATCH_SEQUENCE,
        Kind::Histogram,
        "Time to sequence a batch (decide, hash, sign).",
    ),
    (
        BATCH_COMMIT,
        Kind::Histogram,
        "Time to make a sequenced batch durable (one write and flush).",
    ),
    (
        BATCH_TOTAL,
        Kind::Histogram,
        "Time from the start of a batch's sequencing until it is durable.",
    ),
    (
        QUEUE_DEPTH,
        Kind::Gauge,
        "Appends waiting in the queue in front of the sequencer.",
    ),
    (QUEUE_CAPACITY, Kind::Gauge, "Capacity of the append queue."),
    (
        TREE_SIZE,
        Kind::Gauge,
        "Tree size of the latest durable checkpoint.",
    ),
    (
        GRPC_REQUESTS,
        Kind::Counter,
        "gRPC calls answered, by rpc and code.",
    ),
    (
        GRPC_DURATION,
        Kind::Histogram,
        "gRPC call latency by rpc, until the last byte of the answer.",
    ),
    (
        HTTP_REQUESTS,
        Kind::Counter,
        "HTTP requests answered, by route and status.",
    ),
    (
        HTTP_DURATION,
        Kind::Histogram,
        "HTTP request latency by route, until the answer's head.",
    ),
    (
        WITNESS_UP,
        Kind::Gauge,
        "1 if the witness cosigned the latest submission to it, else 0.",
    ),
    (
        WITNESS_COSIGNED,
        Kind::Gauge,
        "Tree size the witness last cosigned.",
    ),
    (
        WITNESS_FAILURES,
        Kind::Counter,
        "Submissions to the witness that did not come back cosigned.",
    ),
    (
        QUORUM_MET,
        Kind::Gauge,
        "1 if at least a quorum of witnesses is up, else 0.",
    ),
    (
        COSIGNED_TREE_SIZE,
        Kind::Gauge,
        "Tree size of the latest checkpoint a quorum of witnesses cosigned.",
    ),
    (
        CONNECTIONS_OPEN,
        Kind::Gauge,
        "Open connections per listener.",
    ),
    (
        CONNECTIONS_MAX,
        Kind::Gauge,
        "The connection cap per listener.",
    ),
    (
        CONNECTIONS_ACCEPTED,
        Kind::Counter,
        "Connections accepted per listener.",
    ),
    (
        CONNECTIONS_DISPLACED,
        Kind::Counter,
        "Connections closed to make room at the cap (they had sent nothing).",
    ),
    (
        CONNECTIONS_CAP_WAITS,
        Kind::Counter,
        "Times the cap was reached with every connection busy, so new ones waited in the backlog.",
    ),
    (
        ACCEPT_ERRORS,
        Kind::Counter,
        "Failed accepts (out of file descriptors and the like) per listener.",
    ),
];

/// A metric's Prometheus type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only goes up.
    Counter,
    /// Goes up and down.
    Gauge,
    /// A distribution, in buckets.
    Histogram,
}

/// Bucket bounds of the `_seconds` histograms: 0.5 ms to 60 s.
const SECONDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    60.0,
];

/// Bucket bounds of [`BATCH_RECORDS`]: powers of two up to the queue.
const RECORDS: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0,
    16384.0, 32768.0, 65536.0,
];

/// How often histograms are drained when nobody scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The process's recorder, installed on first use.
///
/// If another recorder was installed first (a program embedding the
/// node), a recorder of our own is kept apart: `/metrics` then renders it,
/// empty, and the failure is logged.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(install)
}

fn builder() -> PrometheusBuilder {
    let builder = PrometheusBuilder::new();
    let with_buckets = builder
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), SECONDS)
        .and_then(|b| b.set_buckets_for_metric(Matcher::Full(BATCH_RECORDS.to_owned()), RECORDS));
    with_buckets.unwrap_or_else(|_| PrometheusBuilder::new())
}

fn install() -> PrometheusHandle {
    let handle = match builder().install_recorder() {
        Ok(handle) => handle,
        Err(e) => {
            tracing::warn!(error = %e, "cannot install the metrics recorder; /metrics stays empty");
            builder().build_recorder().handle()
        }
    };
    for (name, kind, help) in METRICS {
        match kind {
            Kind::Counter => metrics::describe_counter!(*name, *help),
            Kind::Gauge => metrics::describe_gauge!(*name, *help),
            Kind::Histogram => metrics::describe_histogram!(*name, *help),
        }
    }
    // Histograms wait in buckets until drained: drain them now and then
    // even when nobody scrapes.
    let upkeep = handle.clone();
    let started = std::thread::Builder::new()
        .name("vledger-metrics".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                upkeep.run_upkeep();
            }
        });
    if let Err(e) = started {
        tracing::warn!(error = %e, "cannot start the metrics upkeep thread");
    }
    handle
}

/// gRPC codes in the order of their numbers.
pub const CODES: [Code; 17] = [
    Code::Ok,
    Code::Cancelled,
    Code::Unknown,
    Code::InvalidArgument,
    Code::DeadlineExceeded,
    Code::NotFound,
    Code::AlreadyExists,
    Code::PermissionDenied,
    Code::ResourceExhausted,
    Code::FailedPrecondition,
    Code::Aborted,
    Code::OutOfRange,
    Code::Unimplemented,
    Code::Internal,
    Code::Unavailable,
    Code::DataLoss,
    Code::Unauthenticated,
];

/// The `code` label of a gRPC code: its name in the gRPC specification.
#[must_use]
pub const fn code_label(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_in_the_order_of_their_numbers() {
        for (i, code) in CODES.iter().enumerate() {
            assert_eq!(*code as usize, i, "{code:?}");
        }
    }

    #[test]
    fn every_metric_is_named_as_prometheus_expects() {
        for (name, kind, _) in METRICS {
            assert!(name.starts_with("vledger_"), "{name}");
            assert_eq!(name.ends_with("_total"), *kind == Kind::Counter, "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name}"
            );
        }
    }
}
