//! The C2SP `tlog-witness` protocol without the HTTP: the `add-checkpoint`
//! request body, and the witness's decision on it.
//!
//! ```text
//! POST <submission prefix>/add-checkpoint
//!
//! old <size the client believes the witness has cosigned>
//! <base64 consistency proof hash>      (zero to 63 lines)
//!
//! <signed checkpoint note>
//! ```
//!
//! The witness decides in two steps, so that a server can hold a lock on the
//! origin's state only around the second one (c2sp.org/tlog-witness: the
//! check of the old size and the update must be atomic):
//!
//! 1. [`verify_request`]: the body parses (else 400), the origin is one the
//!    witness follows (else 404), a trusted log key signed the checkpoint
//!    and no signature by a trusted key is bad (else 403), and the old size
//!    is at most the checkpoint's size (else 400);
//! 2. [`check_consistency`] against the latest checkpoint the witness
//!    cosigned for the origin: the old size is that checkpoint's size, or 0
//!    if there is none (else 409, with the witness's size as the body); a
//!    checkpoint of size 0 has the empty tree's root, a proof from old size
//!    0 is empty, a proof from a non-zero old size verifies, and a
//!    checkpoint of the same size has the same root (else 422).
//!
//! The server then cosigns ([`Cosigner::cosign`](crate::note::Cosigner::cosign)),
//! persists the new checkpoint and only then answers 200 with the
//! cosignature lines.
//!
//! Checkpoints may carry extension lines here (c2sp.org/tlog-checkpoint
//! allows them and the cosignature covers them), although vledger logs
//! write none.

use std::fmt;

use crate::hash::{Hash, empty_root};
use crate::merkle::{TreeSize, VerifyError, verify_consistency};
use crate::note::{
    Checkpoint, CheckpointError, MAX_NOTE_SIZE, Note, NoteError, NoteSignature, NoteVerifyError,
    VerifierKey,
};

/// The path of the call, after the submission prefix.
pub const ADD_CHECKPOINT_PATH: &str = "/add-checkpoint";

/// Content type of a 409 answer, whose body is the witness's tree size.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// Most consistency proof lines a request may carry.
pub const MAX_PROOF_LINES: usize = 63;

/// Largest request body accepted: a note of the largest size and 63 proof
/// lines, with room to spare.
pub const MAX_REQUEST_SIZE: usize = MAX_NOTE_SIZE + 8 * 1024;

/// An `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the client believes the witness cosigned
    /// last (0 for none).
    pub old_size: u64,
    /// The consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The signed checkpoint note.
    pub note: String,
}

/// Why a request body is malformed (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// Larger than [`MAX_REQUEST_SIZE`].
    #[error("request body is {0} bytes, more than the limit of {MAX_REQUEST_SIZE}")]
    TooLarge(usize),
    /// Not UTF-8.
    #[error("request body is not UTF-8")]
    NotUtf8,
    /// The first line is not `old <decimal>`.
    #[error("line 1: expected \"old <tree size>\" (decimal, no leading zeros)")]
    OldSize,
    /// A proof line is not a base64 hash.
    #[error("line {0}: not a base64 SHA-256 hash")]
    ProofLine(usize),
    /// More than [`MAX_PROOF_LINES`] proof lines.
    #[error("more than {MAX_PROOF_LINES} consistency proof lines")]
    TooManyProofLines,
    /// No empty line before the checkpoint.
    #[error("no empty line before the checkpoint")]
    MissingBlankLine,
    /// The checkpoint is not a signed note.
    #[error("checkpoint {0}")]
    Note(NoteError),
    /// The note text is not a checkpoint.
    #[error("{0}")]
    Checkpoint(CheckpointError),
    /// An extension line of the checkpoint is empty.
    #[error("checkpoint line {0}: extension lines must not be empty")]
    EmptyExtensionLine(usize),
}

impl AddCheckpoint {
    /// Parses a request body.
    ///
    /// # Errors
    ///
    /// A [`RequestError`] naming the first problem.
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        if body.len() > MAX_REQUEST_SIZE {
            return Err(RequestError::TooLarge(body.len()));
        }
        let text = std::str::from_utf8(body).map_err(|_| RequestError::NotUtf8)?;
        let (first, mut rest) = text.split_once('\n').ok_or(RequestError::OldSize)?;
        let old_size = first
            .strip_prefix("old ")
            .and_then(|n| parse_decimal(n).ok())
            .ok_or(RequestError::OldSize)?;
        let mut proof = Vec::new();
        loop {
            let (line, next) = rest
                .split_once('\n')
                .ok_or(RequestError::MissingBlankLine)?;
            rest = next;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(RequestError::TooManyProofLines);
            }
            let hash = parse_hash(line).ok_or(RequestError::ProofLine(proof.len() + 2))?;
            proof.push(hash);
        }
        Ok(Self {
            old_size,
            proof,
            note: rest.to_owned(),
        })
    }

    /// The request body.
    #[must_use]
    pub fn to_body(&self) -> String {
        let mut body = format!("old {}\n", self.old_size);
        for hash in &self.proof {
            body.push_str(&hash.to_base64());
            body.push('\n');
        }
        body.push('\n');
        body.push_str(&self.note);
        body
    }
}

fn parse_decimal(text: &str) -> Result<u64, ()> {
    if text.is_empty()
        || !text.bytes().all(|b| b.is_ascii_digit())
        || (text.len() > 1 && text.starts_with('0'))
    {
        return Err(());
    }
    text.parse().map_err(|_| ())
}

fn parse_hash(text: &str) -> Option<Hash> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    Hash::from_slice(&bytes)
}

/// Parses the body of a 409 answer: the witness's tree size and a newline.
#[must_use]
pub fn parse_size_body(body: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(body).ok()?;
    parse_decimal(text.strip_suffix('\n')?).ok()
}

/// Why a witness refuses to cosign, with the HTTP status the spec gives it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WitnessRefusal {
    /// 400: the body is malformed.
    #[error("malformed request: {0}")]
    Malformed(RequestError),
    /// 400: the old size is larger than the checkpoint's size.
    #[error("old size {old} is larger than the checkpoint's size {size}")]
    OldSizeTooLarge {
        /// The old size of the request.
        old: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// 404: the witness does not follow this origin.
    #[error("unknown log origin {0:?}")]
    UnknownOrigin(String),
    /// 403: no trusted key signed the checkpoint, or a signature by a
    /// trusted key is bad.
    #[error("checkpoint signature: {0}")]
    Forbidden(NoteVerifyError),
    /// 409: the old size is not the size the witness cosigned last.
    #[error("the witness's latest checkpoint has size {latest}, not {old}")]
    Conflict {
        /// The old size of the request.
        old: u64,
        /// The size of the witness's latest cosigned checkpoint (0 for none).
        latest: u64,
    },
    /// 422: the checkpoint is not consistent with the witness's view.
    #[error("{0}")]
    Inconsistent(Inconsistency),
}

/// What is inconsistent (422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Inconsistency {
    /// A checkpoint of size 0 whose root is not the empty tree's.
    #[error("a checkpoint of size 0 must have the empty tree's root hash")]
    EmptyTreeRoot,
    /// A non-empty proof from old size 0.
    #[error("a consistency proof from size 0 must be empty")]
    ProofFromZero,
    /// Same size as the witness's checkpoint, another root: a fork.
    #[error("the witness cosigned another root hash at tree size {0}")]
    RootDiffers(u64),
    /// The consistency proof does not verify.
    #[error("consistency proof from size {old} to {size}: {error}")]
    Proof {
        /// The old size.
        old: u64,
        /// The checkpoint's size.
        size: u64,
        /// Why it does not verify.
        error: VerifyError,
    },
}

impl WitnessRefusal {
    /// The HTTP status code c2sp.org/tlog-witness gives this refusal.
    #[must_use]
    pub const fn status(&self) -> u16 {
        match self {
            Self::Malformed(_) | Self::OldSizeTooLarge { .. } => 400,
            Self::Forbidden(_) => 403,
            Self::UnknownOrigin(_) => 404,
            Self::Conflict { .. } => 409,
            Self::Inconsistent(_) => 422,
        }
    }
}

/// A request whose checkpoint a trusted log key signed, ready for the
/// consistency check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRequest {
    /// The request.
    pub request: AddCheckpoint,
    /// The checkpoint's first three lines.
    pub checkpoint: Checkpoint,
    /// The whole note text, extension lines included: what a cosignature
    /// signs.
    pub text: String,
    /// The signature lines of trusted keys that verified (the witness keeps
    /// them with its cosignature; others are dropped).
    pub log_signatures: Vec<NoteSignature>,
}

/// Parses a checkpoint note text that may carry extension lines.
///
/// # Errors
///
/// A [`RequestError`] for a malformed text.
pub fn parse_checkpoint_text(text: &str) -> Result<Checkpoint, RequestError> {
    let mut end = 0;
    for _ in 0..3 {
        match text[end..].find('\n') {
            Some(i) => end += i + 1,
            None => end = text.len(),
        }
    }
    let checkpoint = Checkpoint::parse_text(&text[..end]).map_err(RequestError::Checkpoint)?;
    for (i, line) in text[end..].split_terminator('\n').enumerate() {
        if line.is_empty() {
            return Err(RequestError::EmptyExtensionLine(4 + i));
        }
    }
    Ok(checkpoint)
}

/// Step 1: parses `body` and checks the checkpoint's signature with the
/// keys `trusted` returns for its origin (`None`: an unknown origin).
///
/// # Errors
///
/// A [`WitnessRefusal`] with status 400, 404 or 403.
pub fn verify_request<'k>(
    body: &[u8],
    trusted: impl FnOnce(&str) -> Option<&'k [VerifierKey]>,
) -> Result<VerifiedRequest, WitnessRefusal> {
    let request = AddCheckpoint::parse(body).map_err(WitnessRefusal::Malformed)?;
    let note =
        Note::parse(&request.note).map_err(|e| WitnessRefusal::Malformed(RequestError::Note(e)))?;
    let checkpoint = parse_checkpoint_text(&note.text).map_err(WitnessRefusal::Malformed)?;
    let keys = trusted(checkpoint.origin())
        .ok_or_else(|| WitnessRefusal::UnknownOrigin(checkpoint.origin().to_owned()))?;
    note.verify(keys).map_err(WitnessRefusal::Forbidden)?;
    if request.old_size > checkpoint.size().0 {
        return Err(WitnessRefusal::OldSizeTooLarge {
            old: request.old_size,
            size: checkpoint.size().0,
        });
    }
    let log_signatures = note
        .signatures
        .iter()
        .filter(|s| {
            keys.iter()
                .any(|k| k.name() == s.name && k.key_id() == s.key_id)
        })
        .cloned()
        .collect();
    Ok(VerifiedRequest {
        request,
        checkpoint,
        text: note.text,
        log_signatures,
    })
}

/// Step 2: checks a verified request against the latest checkpoint the
/// witness cosigned for its origin (`None` if it never cosigned one).
///
/// # Errors
///
/// [`WitnessRefusal::Conflict`] (409) or [`WitnessRefusal::Inconsistent`] (422).
pub fn check_consistency(
    verified: &VerifiedRequest,
    latest: Option<&Checkpoint>,
) -> Result<(), WitnessRefusal> {
    let old = verified.request.old_size;
    let latest_size = latest.map_or(0, |c| c.size().0);
    if old != latest_size {
        return Err(WitnessRefusal::Conflict {
            old,
            latest: latest_size,
        });
    }
    let cp = &verified.checkpoint;
    let size = cp.size().0;
    let inconsistent = |i| Err(WitnessRefusal::Inconsistent(i));
    if size == 0 && *cp.root() != empty_root() {
        return inconsistent(Inconsistency::EmptyTreeRoot);
    }
    let Some(latest) = latest.filter(|_| old > 0) else {
        if !verified.request.proof.is_empty() {
            return inconsistent(Inconsistency::ProofFromZero);
        }
        return Ok(());
    };
    if old == size && latest.root() != cp.root() {
        return inconsistent(Inconsistency::RootDiffers(size));
    }
    verify_consistency(
        TreeSize(old),
        cp.size(),
        latest.root(),
        cp.root(),
        &verified.request.proof,
    )
    .or_else(|error| inconsistent(Inconsistency::Proof { old, size, error }))
}

/// The note a witness keeps for an origin and serves to monitors: the
/// checkpoint text with the log's verified signatures and the witness's
/// cosignatures.
///
/// # Errors
///
/// A [`NoteError`] if the result would not be a valid note (too many
/// signatures).
pub fn witnessed_note(
    verified: &VerifiedRequest,
    cosignatures: &[NoteSignature],
) -> Result<String, NoteError> {
    let mut signatures = verified.log_signatures.clone();
    signatures.extend_from_slice(cosignatures);
    let note = Note {
        text: verified.text.clone(),
        signatures,
    }
    .to_string();
    Note::parse(&note)?;
    Ok(note)
}

impl fmt::Display for AddCheckpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_body())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leaf_hash;
    use crate::merkle::{MemoryHashes, consistency_proof, tree_hash};
    use crate::note::{Signer, sign_checkpoint};

    const ORIGIN: &str = "log.example/w";

    struct Log {
        key: Signer,
        tree: MemoryHashes,
    }

    impl Log {
        fn new(seed: u8, leaves: u8) -> Self {
            Self {
                key: Signer::from_seed(ORIGIN, &[seed; 32]).unwrap(),
                tree: MemoryHashes::from_leaf_hashes((0..leaves).map(|i| leaf_hash(&[i]))),
            }
        }
        fn checkpoint(&self, size: u64) -> Checkpoint {
            let root = tree_hash(TreeSize(size), &self.tree).unwrap();
            Checkpoint::new(ORIGIN, TreeSize(size), root).unwrap()
        }
        fn request(&self, old: u64, size: u64) -> AddCheckpoint {
            let proof = if old == 0 {
                vec![]
            } else {
                consistency_proof(TreeSize(old), TreeSize(size), &self.tree).unwrap()
            };
            AddCheckpoint {
                old_size: old,
                proof,
                note: sign_checkpoint(&self.checkpoint(size), &self.key),
            }
        }
    }

    fn decide(
        log: &Log,
        body: &[u8],
        latest: Option<&Checkpoint>,
    ) -> Result<VerifiedRequest, WitnessRefusal> {
        let keys = [log.key.verifier_key()];
        let v = verify_request(body, |o| (o == ORIGIN).then_some(&keys[..]))?;
        check_consistency(&v, latest)?;
        Ok(v)
    }

    #[test]
    fn spec_example_body_parses() {
        // c2sp.org/tlog-witness, the example request body.
        let body = "old 20852014\n\
            PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\
            jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n\
            5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n\
            /6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\
            \n\
            example.com/behind-the-sofa\n\
            20852163\n\
            CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\
            \n\
            \u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
        let req = AddCheckpoint::parse(body.as_bytes()).unwrap();
        assert_eq!(req.old_size, 20_852_014);
        assert_eq!(req.proof.len(), 4);
        assert_eq!(req.to_body(), body);
        assert_eq!(parse_size_body(b"20852014\n"), Some(20_852_014));
        assert_eq!(parse_size_body(b"020\n"), None);
        assert_eq!(parse_size_body(b"20"), None);
    }

    #[test]
    fn malformed_bodies() {
        let log = Log::new(1, 8);
        let good = log.request(4, 8).to_body();
        let cases: Vec<(String, RequestError)> = vec![
            (good.replacen("old 4", "old 04", 1), RequestError::OldSize),
            (good.replacen("old 4", "old -4", 1), RequestError::OldSize),
            (good.replacen("old 4", "Old 4", 1), RequestError::OldSize),
            (
                good.replacen("old 4\n", "old 4\nxyz\n", 1),
                RequestError::ProofLine(2),
            ),
            (
                good.split_once("\n\n").unwrap().0.to_owned(),
                RequestError::MissingBlankLine,
            ),
            (
                format!(
                    "old 4\n{}\n{}",
                    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n".repeat(64),
                    log.request(0, 8).note
                ),
                RequestError::TooManyProofLines,
            ),
        ];
        for (body, want) in cases {
            assert_eq!(
                decide(&log, body.as_bytes(), None),
                Err(WitnessRefusal::Malformed(want)),
                "{body:?}"
            );
        }
        assert!(matches!(
            decide(&log, b"old 0\n\nnot a note", None),
            Err(WitnessRefusal::Malformed(RequestError::Note(_)))
        ));
        assert_eq!(
            decide(&log, &[0xff, b'\n'], None),
            Err(WitnessRefusal::Malformed(RequestError::NotUtf8))
        );
    }

    #[test]
    fn status_codes() {
        let log = Log::new(1, 13);
        let fork = Log {
            key: log.key.clone(),
            tree: MemoryHashes::from_leaf_hashes((0..13u8).map(|i| leaf_hash(&[i, i]))),
        };
        // First contact: trust on first use.
        let first = decide(&log, log.request(0, 5).to_body().as_bytes(), None).unwrap();
        let seen = first.checkpoint.clone();
        assert_eq!(first.log_signatures.len(), 1);
        // Growth with a proof.
        assert!(decide(&log, log.request(5, 9).to_body().as_bytes(), Some(&seen)).is_ok());
        // Same size, same root: fine (a new cosignature).
        assert!(decide(&log, log.request(5, 5).to_body().as_bytes(), Some(&seen)).is_ok());
        let status = |r: Result<VerifiedRequest, WitnessRefusal>| r.unwrap_err().status();
        // 409: wrong old size.
        let r = decide(&log, log.request(0, 9).to_body().as_bytes(), Some(&seen));
        assert_eq!(r, Err(WitnessRefusal::Conflict { old: 0, latest: 5 }));
        assert_eq!(status(r), 409);
        // 422: the fork's proof from 5, and the fork at size 5.
        assert_eq!(
            status(decide(
                &fork,
                fork.request(5, 9).to_body().as_bytes(),
                Some(&seen)
            )),
            422
        );
        assert_eq!(
            decide(&fork, fork.request(5, 5).to_body().as_bytes(), Some(&seen)),
            Err(WitnessRefusal::Inconsistent(Inconsistency::RootDiffers(5)))
        );
        // 422: a proof from 0, and a size-0 checkpoint with another root.
        let mut req = log.request(0, 9);
        req.proof = log.request(5, 9).proof;
        assert_eq!(
            decide(&log, req.to_body().as_bytes(), None),
            Err(WitnessRefusal::Inconsistent(Inconsistency::ProofFromZero))
        );
        let zero = AddCheckpoint {
            old_size: 0,
            proof: vec![],
            note: sign_checkpoint(
                &Checkpoint::new(ORIGIN, TreeSize(0), Hash([1; 32])).unwrap(),
                &log.key,
            ),
        };
        assert_eq!(
            decide(&log, zero.to_body().as_bytes(), None),
            Err(WitnessRefusal::Inconsistent(Inconsistency::EmptyTreeRoot))
        );
        // 400: old size above the checkpoint's.
        assert_eq!(
            status(decide(
                &log,
                log.request(9, 9)
                    .to_body()
                    .replacen("old 9", "old 10", 1)
                    .as_bytes(),
                None
            )),
            400
        );
        // 404: another origin; 403: another key, or a bad signature.
        let other = Signer::from_seed("other.example", &[1; 32]).unwrap();
        let cp = Checkpoint::new("other.example", TreeSize(5), seen.root().to_owned()).unwrap();
        let body = AddCheckpoint {
            old_size: 0,
            proof: vec![],
            note: sign_checkpoint(&cp, &other),
        };
        assert_eq!(status(decide(&log, body.to_body().as_bytes(), None)), 404);
        let stranger = Log::new(2, 13);
        assert_eq!(
            status(decide(
                &log,
                stranger.request(0, 5).to_body().as_bytes(),
                None
            )),
            403
        );
        let mut body = log.request(0, 5).to_body();
        let at = body.rfind(' ').unwrap() + 10;
        let flipped = if body.as_bytes()[at] == b'A' {
            "B"
        } else {
            "A"
        };
        body.replace_range(at..=at, flipped);
        assert_eq!(status(decide(&log, body.as_bytes(), None)), 403);
    }

    #[test]
    fn extension_lines_are_cosigned() {
        let text = format!("{ORIGIN}\n3\n{}\next one\n", Hash([2; 32]).to_base64());
        let cp = parse_checkpoint_text(&text).unwrap();
        assert_eq!(cp.size(), TreeSize(3));
        assert_eq!(
            parse_checkpoint_text(&format!(
                "{ORIGIN}\n3\n{}\n\nx\n",
                Hash([2; 32]).to_base64()
            )),
            Err(RequestError::EmptyExtensionLine(4))
        );
    }
}
