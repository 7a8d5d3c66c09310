//! vledger's transparency-log layer: the formats the outside world relies
//! on, implemented exactly as their public specifications write them.
//!
//! - [`hash`]: SHA-256 and the RFC 6962 leaf and node hashes;
//! - [`merkle`]: RFC 6962 / RFC 9162 Merkle tree math (inclusion and
//!   consistency proofs, the frontier) over a [`merkle::HashReader`];
//! - [`note`]: C2SP signed notes, `tlog-checkpoint`, `tlog-proof@v1` receipts
//!   and `tlog-cosignature` witness cosignatures;
//! - [`tile`]: C2SP `tlog-tiles`: tile arithmetic, paths, entry bundles,
//!   and stored hashes read out of tiles;
//! - [`witness`]: the C2SP `tlog-witness` protocol's request and the
//!   witness's decision on it.
//!
//! What this crate does **not** do: it knows nothing of vehicles, records
//! or VINs (that is `vledger-records`), and it does no I/O: no files, no
//! network, no clock, no async runtime. Proof code asks for the stored
//! hashes it needs through [`merkle::HashReader`]; tests implement it with a
//! `Vec`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod hash;
pub mod merkle;
pub mod note;
pub mod tile;
mod unix_time;
pub mod witness;

pub use hash::{HASH_SIZE, Hash, empty_root, leaf_hash, node_hash, sha256};
pub use unix_time::format_time;
