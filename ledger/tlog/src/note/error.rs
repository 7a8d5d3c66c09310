//! Errors of the note layer: one small enum per operation.
//!
//! Every message is one line that a command-line tool can print as it is,
//! naming the line of the input and the reason, for example
//! `checkpoint line 2: tree size has a leading zero` or
//! `signature by log.example/x (key id 1a2b3c4d) does not verify`.
//! Line numbers count from 1.
//!
//! An error that wraps another one prints it as part of its own message and
//! does not also report it as its `source()`, so that printing the whole
//! chain never repeats a reason.

use thiserror::Error;

use crate::merkle::VerifyError;

/// Why a key name (of a key or of a signature line) is not valid.
///
/// c2sp.org/signed-note: key names must be non-empty and contain neither
/// Unicode spaces nor `+`. vledger also refuses control characters (no note
/// could carry them) and names longer than [`MAX_NAME_LEN`](super::MAX_NAME_LEN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NameError {
    /// The name is empty.
    #[error("key name is empty")]
    Empty,
    /// The name contains `+` (U+002B).
    #[error("key name contains '+'")]
    ContainsPlus,
    /// The name contains a Unicode space.
    #[error("key name contains a space")]
    ContainsSpace,
    /// The name contains a control character.
    #[error("key name contains a control character")]
    ContainsControl,
    /// The name is longer than [`MAX_NAME_LEN`](super::MAX_NAME_LEN) bytes.
    #[error("key name is longer than {max} bytes")]
    TooLong {
        /// The limit.
        max: usize,
    },
}

/// Why a verifier key, a private key, or a key made from parts was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key name is not valid.
    #[error("{0}")]
    Name(NameError),
    /// The string does not have the three `+`-separated parts `name+keyid+key`.
    #[error("key must have the form <name>+<hex key id>+<base64 key>")]
    MissingParts,
    /// A private key string does not start with `PRIVATE+KEY+`.
    #[error("private key must start with \"PRIVATE+KEY+\"")]
    NotPrivateKey,
    /// The key id is not exactly 8 lower-case hexadecimal digits.
    #[error("key id must be 8 lower-case hex digits")]
    MalformedKeyId,
    /// The key data is not canonical standard base64.
    #[error("key data is not valid base64")]
    KeyNotBase64,
    /// The key data is empty (not even a type byte).
    #[error("key data is empty")]
    EmptyKey,
    /// The signature type byte is not one vledger accepts here.
    #[error(
        "unsupported key type 0x{0:02x} (expected 0x01, Ed25519, or 0x04, an Ed25519 cosignature key)"
    )]
    UnsupportedKeyType(u8),
    /// The key material after the type byte has the wrong length.
    #[error("Ed25519 key must be 32 bytes, got {0}")]
    WrongKeyLength(usize),
    /// The key id written in the key does not match the one computed from it.
    #[error("key id {} does not match the key (computed {})", hex::encode(.found), hex::encode(.computed))]
    KeyIdMismatch {
        /// The key id written in the string.
        found: [u8; 4],
        /// The key id computed from name, type and public key.
        computed: [u8; 4],
    },
    /// The 32 bytes are not the encoding of a point on the curve.
    #[error("public key is not a valid Ed25519 point")]
    InvalidPoint,
    /// The public key is a small-order ("weak") point.
    #[error("public key is a weak (small-order) Ed25519 point")]
    WeakKey,
}

/// Why a signed note could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The note is larger than [`MAX_NOTE_SIZE`](super::MAX_NOTE_SIZE).
    #[error("note is {size} bytes, more than the limit of {max}")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The note is not valid UTF-8.
    #[error("note is not valid UTF-8 (at byte {offset})")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The note contains an ASCII control character other than newline.
    #[error("note line {line}: control character 0x{byte:02x}")]
    ControlCharacter {
        /// Line of the character.
        line: usize,
        /// The character.
        byte: u8,
    },
    /// There is no blank line separating the text from the signatures.
    #[error("note has no blank line between its text and its signatures")]
    MissingBlankLine,
    /// Nothing follows the blank line.
    #[error("note has no signature lines")]
    NoSignatures,
    /// The last signature line does not end with a newline.
    #[error("note does not end with a newline")]
    MissingFinalNewline,
    /// More than [`MAX_SIGNATURES`](super::MAX_SIGNATURES) signature lines.
    #[error("note has more than {max} signature lines")]
    TooManySignatures {
        /// The limit.
        max: usize,
    },
    /// A signature line is malformed.
    #[error("note line {line}: {reason}")]
    SignatureLine {
        /// Line number within the note.
        line: usize,
        /// What is wrong with it.
        reason: SignatureLineError,
    },
}

/// What is wrong with one signature line of a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SignatureLineError {
    /// The line does not start with an em dash (U+2014) and a space.
    #[error("signature line must start with an em dash (U+2014) and a space")]
    MissingEmDash,
    /// There is no space between key name and signature.
    #[error("signature line has no space between key name and signature")]
    MissingSignature,
    /// The key name is not valid.
    #[error("signature {0}")]
    Name(NameError),
    /// The signature is not canonical standard base64.
    #[error("signature is not valid base64")]
    NotBase64,
    /// The decoded signature is shorter than a key id plus one byte.
    #[error("signature is {0} bytes, shorter than a 4-byte key id and a signature")]
    TooShort(usize),
}

/// Why a note could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SignError {
    /// The text is empty or does not end with a newline.
    #[error("note text must be non-empty and end with a newline")]
    MissingFinalNewline,
    /// The text contains an ASCII control character other than newline.
    #[error("note text line {line}: control character 0x{byte:02x}")]
    ControlCharacter {
        /// Line of the character.
        line: usize,
        /// The character.
        byte: u8,
    },
    /// No signer was given.
    #[error("a note needs at least one signer")]
    NoSigners,
    /// More signers than [`MAX_SIGNATURES`](super::MAX_SIGNATURES).
    #[error("more than {max} signers")]
    TooManySigners {
        /// The limit.
        max: usize,
    },
    /// The signed note would exceed [`MAX_NOTE_SIZE`](super::MAX_NOTE_SIZE).
    #[error("signed note would be {size} bytes, more than the limit of {max}")]
    TooLarge {
        /// Size the note would have.
        size: usize,
        /// The limit.
        max: usize,
    },
}

/// Why a parsed note was not accepted by a set of verifier keys.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NoteVerifyError {
    /// A signature by a known key does not verify.
    #[error("signature by {name} (key id {}) does not verify", hex::encode(.key_id))]
    BadSignature {
        /// Key name of the signature line.
        name: String,
        /// Key id of the signature line.
        key_id: [u8; 4],
    },
    /// Two different configured keys share this name and key id.
    #[error("two known keys are named {name} with key id {}", hex::encode(.key_id))]
    AmbiguousKey {
        /// The shared name.
        name: String,
        /// The shared key id.
        key_id: [u8; 4],
    },
    /// No signature line is by a known key.
    #[error("no signature by a known key (signed by: {})", .signed_by.join(", "))]
    NoKnownSignature {
        /// Names on the note's signature lines, in order.
        signed_by: Vec<String>,
    },
}

/// Why a decimal number (tree size, leaf index) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NumberError {
    /// Nothing where a number should be.
    #[error("is empty")]
    Empty,
    /// A character other than the ASCII digits `0`–`9`.
    #[error("is not a decimal number")]
    NotDecimal,
    /// A leading zero in a number other than `0`.
    #[error("has a leading zero")]
    LeadingZero,
    /// The number does not fit in 64 bits.
    #[error("does not fit in 64 bits")]
    TooLarge,
}

/// Why a base64 hash line was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum HashError {
    /// Not canonical standard base64 with padding.
    #[error("is not valid base64")]
    NotBase64,
    /// Decodes to the wrong number of bytes.
    #[error("is {0} bytes, expected 32")]
    WrongLength(usize),
}

/// Why a checkpoint was refused, whether its text or its signed note.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The text is empty or does not end with a newline.
    #[error("checkpoint text does not end with a newline")]
    MissingFinalNewline,
    /// A control character other than newline.
    #[error("checkpoint line {line}: control character 0x{byte:02x}")]
    ControlCharacter {
        /// Line of the character.
        line: usize,
        /// The character.
        byte: u8,
    },
    /// The origin line is empty.
    #[error("checkpoint line 1: origin is empty")]
    EmptyOrigin,
    /// The origin is longer than [`MAX_NAME_LEN`](super::MAX_NAME_LEN) bytes.
    #[error("checkpoint line 1: origin is longer than {max} bytes")]
    OriginTooLong {
        /// The limit.
        max: usize,
    },
    /// The origin contains a newline (when building a checkpoint).
    #[error("checkpoint origin contains a newline")]
    OriginHasNewline,
    /// There is no tree size line.
    #[error("checkpoint line 2: tree size is missing")]
    MissingSize,
    /// The tree size line is malformed.
    #[error("checkpoint line 2: tree size {0}")]
    Size(NumberError),
    /// There is no root hash line.
    #[error("checkpoint line 3: root hash is missing")]
    MissingRoot,
    /// The root hash line is malformed.
    #[error("checkpoint line 3: root hash {0}")]
    Root(HashError),
    /// An extension line; vledger checkpoints have none.
    #[error("checkpoint line {line}: extension lines are not allowed in vledger checkpoints")]
    ExtensionLine {
        /// Line number of the first extension line.
        line: usize,
    },
    /// The origin is not the one the caller expects.
    #[error("checkpoint origin is {found:?}, expected {expected:?}")]
    WrongOrigin {
        /// The origin the caller expects.
        expected: String,
        /// The origin in the checkpoint.
        found: String,
    },
    /// The signed note is malformed.
    #[error("checkpoint {0}")]
    Note(NoteError),
    /// The log's signature is missing or does not verify.
    #[error("checkpoint: {0}")]
    Signature(NoteVerifyError),
}

/// Why a `tlog-proof@v1` was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TlogProofError {
    /// The proof is larger than [`MAX_TLOG_PROOF_SIZE`](super::MAX_TLOG_PROOF_SIZE).
    #[error("tlog-proof is {size} bytes, more than the limit of {max}")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The proof is not valid UTF-8.
    #[error("tlog-proof is not valid UTF-8 (at byte {offset})")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The first line is not `c2sp.org/tlog-proof@v1`.
    #[error("tlog-proof line 1: expected \"c2sp.org/tlog-proof@v1\"")]
    BadHeader,
    /// A line of the proof header is malformed.
    #[error("tlog-proof line {line}: {reason}")]
    Line {
        /// Line number within the proof.
        line: usize,
        /// What is wrong with it.
        reason: ProofLineError,
    },
    /// More inclusion proof hashes than [`MAX_PROOF_HASHES`](super::MAX_PROOF_HASHES).
    #[error("tlog-proof has more than {max} inclusion proof hashes")]
    TooManyHashes {
        /// The limit.
        max: usize,
    },
    /// No empty line between the inclusion proof and the checkpoint.
    #[error("tlog-proof has no empty line before its checkpoint")]
    MissingBlankLine,
    /// The embedded checkpoint is malformed, or does not verify.
    #[error("tlog-proof {0}")]
    Checkpoint(CheckpointError),
    /// There is no `extra` line, so the entry and its leaf hash are unknown.
    #[error("tlog-proof has no extra line with the entry, so it cannot be verified on its own")]
    NoExtra,
    /// The inclusion proof does not show the entry in the checkpoint's tree:
    /// the index is not below the tree size, the proof has the wrong length,
    /// or it leads to another root hash.
    #[error("tlog-proof inclusion proof: {0}")]
    Inclusion(VerifyError),
}

/// What is wrong with one line of a `tlog-proof@v1` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ProofLineError {
    /// Expected `index <n>` (or, on line 2, `extra <base64>`).
    #[error("expected \"index <n>\"")]
    ExpectedIndex,
    /// The index is malformed.
    #[error("index {0}")]
    Index(NumberError),
    /// The extra data is not canonical standard base64.
    #[error("extra data is not valid base64")]
    ExtraNotBase64,
    /// An inclusion proof hash is malformed.
    #[error("proof hash {0}")]
    Hash(HashError),
}

impl From<NameError> for KeyError {
    fn from(e: NameError) -> Self {
        Self::Name(e)
    }
}

impl From<NoteError> for CheckpointError {
    fn from(e: NoteError) -> Self {
        Self::Note(e)
    }
}

impl From<NoteVerifyError> for CheckpointError {
    fn from(e: NoteVerifyError) -> Self {
        Self::Signature(e)
    }
}

impl From<CheckpointError> for TlogProofError {
    fn from(e: CheckpointError) -> Self {
        Self::Checkpoint(e)
    }
}
