//! `vledger witness`: a C2SP `tlog-witness` server that cosigns a log's
//! checkpoints with C2SP `tlog-cosignature` v1 Ed25519 cosignatures, only
//! after checking that each extends the last one it cosigned.
//!
//! - `POST /add-checkpoint`: the protocol's one call (decisions in
//!   [`vledger_tlog::witness`]): 200 with the cosignature line, 400 malformed,
//!   403 bad signature, 404 unknown log, 409 `text/x.tlog.size` with the
//!   witness's size, 422 inconsistent;
//! - `GET /<hex SHA-256 of the origin>/checkpoint`: the latest cosigned
//!   checkpoint of a log, for monitors (404 if none);
//! - `GET /`: the witness's verifier key and the logs it follows.
//!
//! [`run`] serves a configuration on a listener until a shutdown future
//! completes.

pub mod config;
mod server;
pub mod store;

pub use config::{ConfigFile, Logs, WitnessConfig, generate_cosigner, read_cosigner};
pub use server::{Witness, run};
