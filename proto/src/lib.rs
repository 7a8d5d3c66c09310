//! vledger's protobuf messages and gRPC service definition.
//!
//! The messages in [`v1`] are the log format: a [`v1::Record`] is what a
//! submitter signs, a [`v1::SignedRecord`] what it sends, and a [`v1::Entry`]
//! a leaf of the Merkle tree. They build without any network code; the tonic
//! client and server (`v1::log_client`, `v1::log_server`) exist only with the
//! `service` feature.
//!
//! This crate holds generated types only. Validation and conversion into
//! vledger's own types live in the `vledger-ledger` crate.

#![forbid(unsafe_code)]

/// Version 1 of the vledger protocol (`vledger.v1`).
#[allow(missing_docs, clippy::all, missing_debug_implementations)]
pub mod v1 {
    include!(concat!(env!("OUT_DIR"), "/vledger.v1.rs"));
}

/// Serialized `FileDescriptorSet` of the vledger protos, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/vledger_descriptor.bin"));
