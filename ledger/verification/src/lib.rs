//! vledger's verification layer: what a buyer's verifier checks, offline.
//!
//! - [`receipt`]: a `.tlog-proof` receipt: the log's signature on the
//!   checkpoint, the entry's inclusion, and the entry itself;
//! - [`history`]: a VIN history bundle: that it holds **every** record of
//!   the VIN as of a signed checkpoint, and that witnesses saw that tree;
//! - [`disclosure`]: a selective disclosure: that the party commitment
//!   in one logged record names a given identity;
//! - [`report`]: the buyer's report on a verified history, a summary and a
//!   timeline in plain words, in the languages of [`i18n`].
//!
//! Everything is checked against keys the caller pins (the log key, and
//! witness keys with a quorum), never against keys a file carries.
//!
//! What this crate does **not** do: it does not build bundles or proofs
//! (that is `vledger-log`, which reads the store), it does not re-run the
//! sequencing rules (auditors do, with `vledger-rules`), and it does no I/O:
//! callers hand it bytes and text. `vledger-verify` is this crate, the two
//! below it (`vledger-tlog`, `vledger-records`) and a command line.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod disclosure;
pub mod history;
pub mod i18n;
pub mod pages;
pub mod receipt;
pub mod report;
pub mod succession;
