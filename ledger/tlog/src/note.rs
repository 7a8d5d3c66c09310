//! C2SP signed notes, log checkpoints and `tlog-proof@v1` receipts.
//!
//! This module implements the text formats that vledger shares with the
//! outside world, exactly as the C2SP specifications write them:
//!
//! - [`key`]: a [`VerifierKey`] is the public *vkey*
//!   `name+hex(keyid)+base64(0x01||pubkey)` (c2sp.org/signed-note, "Verifier
//!   keys"); key names, signature types ([`KeyType`]) and key ids.
//! - [`signer`]: a [`KeyPair`] holds a private Ed25519 key and prints it in
//!   Go's `PRIVATE+KEY+<name>+<keyid>+<key>` form: the log's [`Signer`]
//!   and a witness's [`Cosigner`] are its two kinds.
//! - [`signed_note`]: the [`Note`] format, [`sign_note`] and [`Note::verify`]
//!   (c2sp.org/signed-note).
//! - [`checkpoint`]: the [`Checkpoint`] note text (c2sp.org/tlog-checkpoint),
//!   [`sign_checkpoint`] and [`open_checkpoint`]. vledger checkpoints have no
//!   extension lines.
//! - [`tlog_proof`]: the [`TlogProof`] receipt (c2sp.org/tlog-proof@v1), whose
//!   `extra` line carries the exact bytes of the logged entry so that one file
//!   verifies offline.
//!
//! Everything here is pure: no I/O, no clock, no network. Parsing is strict —
//! a value parses only if formatting it again gives back the same bytes — and
//! every failure is a small structured error from [`error`] whose message
//! names the line and the reason.
//!
//! ```
//! use vledger_tlog::leaf_hash;
//! use vledger_tlog::merkle::{LeafIndex, MemoryHashes, inclusion_proof};
//! use vledger_tlog::note::{Checkpoint, Signer, TlogProof, VerifierKey, sign_checkpoint};
//!
//! // The log's key; its verifier key is what buyers configure.
//! let log = Signer::from_seed("log.example/vehicles", &[7; 32])?;
//! let vkey: VerifierKey = log.verifier_key().to_string().parse()?;
//!
//! let entries = [b"entry 0".to_vec(), b"entry 1".to_vec(), b"entry 2".to_vec()];
//! let tree = MemoryHashes::from_leaf_hashes(entries.iter().map(|e| leaf_hash(e)));
//! let checkpoint = Checkpoint::new(log.name(), tree.size(), tree.root())?;
//!
//! // A receipt for entry 1, as text, and its offline verification.
//! let receipt = TlogProof {
//!     extra: Some(entries[1].clone()),
//!     index: LeafIndex(1),
//!     hashes: inclusion_proof(LeafIndex(1), tree.size(), &tree)?,
//!     checkpoint: sign_checkpoint(&checkpoint, &log),
//! }
//! .to_text();
//! let verified = TlogProof::parse(&receipt)?.verify_for_origin(vkey.name(), &vkey)?;
//! assert_eq!(verified.checkpoint, checkpoint);
//! assert_eq!(verified.leaf_hash, leaf_hash(b"entry 1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`consistency_text`]: vledger's [`ConsistencyProofText`] file of a
//!   consistency proof between two tree sizes;
//! - [`cosignature`]: witness cosignatures (c2sp.org/tlog-cosignature v1,
//!   signature type 0x04): the [`Cosigner`] that makes them, their
//!   verification through [`VerifierKey::verify`], and the k-of-n
//!   [`WitnessPolicy`] that verifiers apply.

pub mod checkpoint;
pub mod consistency_text;
pub mod cosignature;
mod cosignature_v1;
pub mod error;
pub mod key;
pub mod signed_note;
pub mod signer;
pub mod tlog_proof;

mod text;

pub use checkpoint::{Checkpoint, open_checkpoint, open_checkpoint_for_origin, sign_checkpoint};
pub use consistency_text::{ConsistencyProofText, ConsistencyTextError};
pub use cosignature::{
    CosignatureStatus, PolicyError, QuorumError, QuorumReport, WitnessPolicy, add_signatures,
    parse_signature_lines,
};
pub use cosignature_v1::{COSIGNATURE_V1_HEADER, MAX_TIMESTAMP, cosignature_message};
pub use error::{
    CheckpointError, HashError, KeyError, NameError, NoteError, NoteVerifyError, NumberError,
    ProofLineError, SignError, SignatureLineError, TlogProofError,
};
pub use key::{KeyType, MAX_NAME_LEN, VerifierKey, key_id};
pub use signed_note::{MAX_NOTE_SIZE, MAX_SIGNATURES, Note, NoteSignature, sign_note};
pub use signer::{Cosigner, CosigningKey, KeyKind, KeyPair, NoteKey, Signer};
pub use tlog_proof::{
    MAX_PROOF_HASHES, MAX_TLOG_PROOF_SIZE, TLOG_PROOF_HEADER, TlogProof, VerifiedProof,
};
