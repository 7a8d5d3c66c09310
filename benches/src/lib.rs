//! Shared helpers for the vledger benches and the load generator.
//!
//! - [`records`]: deterministic keys, VINs and signed odometer records,
//!   and a bench log with an enrolled workshop key;
//! - [`summary`]: reads criterion's medians back and prints them as ratios
//!   to a baseline measured in the same run;
//! - [`stats`]: medians and latency percentiles for the load generator;
//! - [`node`]: starting and stopping a `vledger serve` process on loopback;
//! - [`reads`]: the load generator's read modes, inclusion proofs over
//!   gRPC and tiles over HTTP, with their answers checked;
//! - [`stream`]: the load generator's `--stream` mode, each round over
//!   `AppendStream` calls instead of unary appends;
//! - [`probe`]: a sled backend that times reads, batch inserts and flushes
//!   apart, to show where an append's time goes.
//!
//! The benches are `benches/writer.rs` (the log writer, memory and sled),
//! `benches/signatures.rs` (the per-record costs every append pays anyway)
//! and `benches/merkle.rs`; the load generator is `src/bin/loadgen.rs`.
//!
//! What this crate does not do: it never times signing or set-up, and it
//! sends load to loopback addresses only.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod node;
pub mod probe;
pub mod reads;
pub mod records;
pub mod stats;
pub mod stream;
pub mod summary;

pub use records::{
    BenchKeys, EVENT_TIME, ORIGIN, OdometerStream, cpu_threads, enrollment, enrollment_for, sign,
    sign_for, signing_key, vin,
};
