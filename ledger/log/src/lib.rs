//! vledger's log layer: the log as stored, written and re-checked.
//!
//! - [`store`]: the storage seam ([`store::Backend`]) and the typed
//!   [`store::LogStore`] over it; sled behind the `sled` feature (on by
//!   default), PostgreSQL behind `postgres`, and with `test-backends` an
//!   in-memory and a fault-injecting backend;
//! - [`writer`]: the sequencer's core: takes batches of signed records,
//!   applies the sequencing rules, and commits each batch durably with its
//!   index entry and signed checkpoint;
//! - [`replay`]: re-derives the log's state from its entries with the same
//!   rules, for start-up checks, `vledger check` and audits;
//! - [`check`]: re-verifies a whole store;
//! - [`backup`]: copies a log into another store by sequencing its entries
//!   again, checked against its checkpoint;
//! - [`migrate`]: rewrites a store of an older format;
//! - [`audit`]: audits a log from the entries and proofs it serves;
//! - [`bundle`]: builds VIN history bundles from the store;
//! - [`pages`]: builds a VIN's history in pages of bounded size, one
//!   page's work per call;
//! - [`tile_cache`]: the log's tiles in memory for the read path, bounded
//!   in bytes, with the right edge refreshed per tree size.
//! - `conformance` (feature `test-backends`): the test suite every storage
//!   backend passes.
//!
//! What this crate does **not** do: no network and no async runtime (the
//! node wraps it in gRPC and HTTP; the PostgreSQL backend alone keeps its
//! connections on a small runtime of its own, behind the blocking seam),
//! and no format of its own that outside
//! parties read: those are in `vledger-tlog`, `vledger-records` and
//! `vledger-verification`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod audit;
pub mod backup;
pub mod bundle;
pub mod check;
#[cfg(feature = "test-backends")]
pub mod conformance;
pub mod migrate;
pub mod pages;
pub mod replay;
pub mod store;
pub mod tile_cache;
pub mod writer;
