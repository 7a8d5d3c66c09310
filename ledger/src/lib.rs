//! The vledger core library.
//!
//! It holds everything that decides whether a vledger log is right, and
//! nothing that moves bytes over a network:
//!
//! - [`merkle`]: RFC 6962 / RFC 9162 Merkle tree math over a [`merkle::HashReader`];
//! - [`note`]: C2SP signed notes, `tlog-checkpoint`, `tlog-proof@v1` and
//!   `tlog-cosignature` witness cosignatures;
//! - [`witness`]: the C2SP `tlog-witness` protocol, without HTTP;
//! - [`audit`]: audits a log from the entries and proofs it serves;
//! - [`record`]: vehicle records, VINs, submitter signatures and entries;
//! - [`store`]: the storage trait and, with the `sled` feature (on by
//!   default), its sled implementation.
//!
//! There is no network code and no async runtime here: the node wraps this
//! crate in gRPC, and the offline verifier builds it without storage.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod audit;
pub mod bundle;
pub mod check;
pub mod hash;
pub mod merkle;
pub mod note;
pub mod record;
pub mod replay;
pub mod rules;
pub mod store;
pub mod vindex;
pub mod witness;
pub mod writer;

pub use hash::{HASH_SIZE, Hash, empty_root, leaf_hash, node_hash, sha256};
