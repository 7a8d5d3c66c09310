//! C2SP `tlog-cosignature` v1: Ed25519 witness cosignatures (signature type
//! 0x04), and the k-of-n witness policy that verifiers apply to them.
//!
//! A cosignature is a signature line on a checkpoint note
//! (c2sp.org/tlog-cosignature, "Format"):
//!
//! ```text
//! — <witness name> base64(key id || timestamp || Ed25519 signature)
//! ```
//!
//! - the key id is `SHA-256(name || "\n" || 0x04 || public key)[:4]`;
//! - the timestamp is the POSIX time of the cosignature, 8 bytes big-endian,
//!   at most 2^63 - 1;
//! - the Ed25519 signature covers the message
//!   `cosignature/v1\ntime <timestamp>\n<checkpoint note text>`, the note
//!   text including its final newline and any extension lines, and no
//!   signature lines.
//!
//! Semantically a v1 cosignature says: "as of this time, the largest
//! consistent tree I have seen for this origin has this root".
//!
//! [`VerifierKey::verify`] checks a cosignature line like any other note
//! signature, so [`Note::verify`](super::Note::verify) works with witness
//! keys; [`WitnessPolicy`] asks for a quorum of them and says, witness by
//! witness, which cosignatures are there, missing or bad. [`Cosigner`] is a
//! witness's private key.
//!
//! ```
//! use vledger_tlog::note::{Checkpoint, Cosigner, Note, Signer, WitnessPolicy, add_signatures, sign_checkpoint};
//! use vledger_tlog::Hash;
//!
//! let log = Signer::from_seed("log.example/vehicles", &[1; 32])?;
//! let checkpoint = Checkpoint::new(log.name(), vledger_tlog::merkle::TreeSize(5), Hash([7; 32]))?;
//! let note = sign_checkpoint(&checkpoint, &log);
//!
//! let witnesses: Vec<Cosigner> = (2..5)
//!     .map(|i| Cosigner::from_seed(format!("w{i}.example"), &[i; 32]))
//!     .collect::<Result<_, _>>()?;
//! let cosigned = add_signatures(
//!     &note,
//!     &[witnesses[0].cosign(&checkpoint.to_text(), 1_700_000_000)],
//! )?;
//!
//! let keys = witnesses.iter().map(Cosigner::verifier_key).collect();
//! let report = WitnessPolicy::new(keys, 1)?.verify(&Note::parse(&cosigned)?)?;
//! assert_eq!(report.valid(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use super::cosignature_v1::{
    MAX_TIMESTAMP, SIGNATURE_LEN, cosignature_message, verify_cosignature_v1,
};
use super::error::NoteError;
use super::key::{KeyType, VerifierKey};
use super::signed_note::{
    MAX_NOTE_SIZE, MAX_SIGNATURES, Note, NoteSignature, parse_signature_line,
};
use super::signer::Cosigner;
use super::text::line_at;

impl Cosigner {
    /// The cosignature line of the checkpoint note text `text` at POSIX time
    /// `timestamp` (clamped to [`MAX_TIMESTAMP`]).
    #[must_use]
    pub fn cosign(&self, text: &str, timestamp: u64) -> NoteSignature {
        let timestamp = timestamp.min(MAX_TIMESTAMP);
        let sig = self.sign_message(&cosignature_message(timestamp, text.as_bytes()));
        let mut signature = Vec::with_capacity(SIGNATURE_LEN);
        signature.extend_from_slice(&timestamp.to_be_bytes());
        signature.extend_from_slice(&sig);
        NoteSignature {
            name: self.name().to_owned(),
            key_id: self.key_id(),
            signature,
        }
    }
}

/// Parses a block of signature lines, each ending in a newline: the body of
/// a witness's `add-checkpoint` answer.
///
/// # Errors
///
/// [`NoteError::NoSignatures`] for an empty block,
/// [`NoteError::MissingFinalNewline`], [`NoteError::TooManySignatures`], or
/// [`NoteError::SignatureLine`] naming the first malformed line (counted
/// from 1 within the block).
pub fn parse_signature_lines(block: &str) -> Result<Vec<NoteSignature>, NoteError> {
    if block.len() > MAX_NOTE_SIZE {
        return Err(NoteError::TooLarge {
            size: block.len(),
            max: MAX_NOTE_SIZE,
        });
    }
    if block.is_empty() {
        return Err(NoteError::NoSignatures);
    }
    let body = block
        .strip_suffix('\n')
        .ok_or(NoteError::MissingFinalNewline)?;
    let mut out = Vec::new();
    for (i, line) in body.split('\n').enumerate() {
        if out.len() == MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures {
                max: MAX_SIGNATURES,
            });
        }
        let sig = parse_signature_line(line).map_err(|reason| NoteError::SignatureLine {
            line: line_at(block, 0) + i,
            reason,
        })?;
        out.push(sig);
    }
    Ok(out)
}

/// Appends signature lines to a signed note and returns the new note text.
/// Lines the note already carries are not added twice.
///
/// # Errors
///
/// A [`NoteError`] if `note` is not a signed note, or if the result would
/// have too many signatures or be too large.
pub fn add_signatures(note: &str, signatures: &[NoteSignature]) -> Result<String, NoteError> {
    let mut parsed = Note::parse(note)?;
    for sig in signatures {
        if !parsed.signatures.contains(sig) {
            parsed.signatures.push(sig.clone());
        }
    }
    if parsed.signatures.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures {
            max: MAX_SIGNATURES,
        });
    }
    let text = parsed.to_string();
    if text.len() > MAX_NOTE_SIZE {
        return Err(NoteError::TooLarge {
            size: text.len(),
            max: MAX_NOTE_SIZE,
        });
    }
    Ok(text)
}

/// What a note holds from one witness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CosignatureStatus {
    /// A valid cosignature; the latest timestamp among the witness's valid
    /// lines.
    Valid {
        /// POSIX time of the cosignature.
        timestamp: u64,
    },
    /// No signature line with the witness's name and key id.
    Missing,
    /// A signature line with the witness's name and key id that does not
    /// verify (a cosignature of another checkpoint, or a forgery).
    Bad,
}

impl fmt::Display for CosignatureStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Valid { timestamp } => write!(
                f,
                "cosigned at {}",
                crate::format_time(i64::try_from(*timestamp).unwrap_or(i64::MAX))
            ),
            Self::Missing => f.write_str("missing"),
            Self::Bad => f.write_str("bad signature"),
        }
    }
}

/// A k-of-n witness policy: the witnesses a verifier trusts and how many of
/// them must have cosigned a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessPolicy {
    /// The witnesses' verifier keys, each once.
    witnesses: Vec<VerifierKey>,
    /// How many valid cosignatures are needed.
    quorum: usize,
}

/// Why a witness policy cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The quorum is 0, or larger than the number of distinct witnesses.
    #[error("a quorum of {quorum} is impossible with {witnesses} distinct witnesses")]
    BadQuorum {
        /// The quorum asked for.
        quorum: usize,
        /// Distinct witnesses given.
        witnesses: usize,
    },
    /// Two different witness keys share a name and key id, so a signature
    /// line could not be attributed.
    #[error("two witness keys are named {name} with key id {}", hex::encode(.key_id))]
    AmbiguousKey {
        /// The shared name.
        name: String,
        /// The shared key id.
        key_id: [u8; 4],
    },
}

/// The outcome of [`WitnessPolicy::check`]: each witness's status, in the
/// order of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumReport {
    /// The quorum.
    pub quorum: usize,
    /// Each witness with what the note holds from it.
    pub witnesses: Vec<(VerifierKey, CosignatureStatus)>,
}

impl QuorumReport {
    /// Number of witnesses with a valid cosignature.
    #[must_use]
    pub fn valid(&self) -> usize {
        self.witnesses
            .iter()
            .filter(|(_, s)| matches!(s, CosignatureStatus::Valid { .. }))
            .count()
    }

    /// Whether the quorum is met.
    #[must_use]
    pub fn met(&self) -> bool {
        self.valid() >= self.quorum
    }
}

impl fmt::Display for QuorumReport {
    /// `2 of 3 witnesses cosigned (quorum 2): w1 cosigned at …; w2 missing; …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} witnesses cosigned (quorum {}): ",
            self.valid(),
            self.witnesses.len(),
            self.quorum
        )?;
        for (i, (key, status)) in self.witnesses.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} {status}", key.name())?;
        }
        Ok(())
    }
}

/// Too few witnesses cosigned a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not enough cosignatures: {report}")]
pub struct QuorumError {
    /// Every witness's status.
    pub report: QuorumReport,
}

impl WitnessPolicy {
    /// A policy requiring `quorum` of `witnesses` (duplicates count once).
    ///
    /// # Errors
    ///
    /// [`PolicyError::BadQuorum`] unless `1 <= quorum <= distinct witnesses`;
    /// [`PolicyError::AmbiguousKey`] for two keys with one name and key id.
    pub fn new(witnesses: Vec<VerifierKey>, quorum: usize) -> Result<Self, PolicyError> {
        let mut distinct: Vec<VerifierKey> = Vec::with_capacity(witnesses.len());
        for key in witnesses {
            if let Some(other) = distinct
                .iter()
                .find(|k| k.name() == key.name() && k.key_id() == key.key_id())
            {
                if *other != key {
                    return Err(PolicyError::AmbiguousKey {
                        name: key.name().to_owned(),
                        key_id: key.key_id(),
                    });
                }
                continue;
            }
            distinct.push(key);
        }
        if quorum == 0 || quorum > distinct.len() {
            return Err(PolicyError::BadQuorum {
                quorum,
                witnesses: distinct.len(),
            });
        }
        Ok(Self {
            witnesses: distinct,
            quorum,
        })
    }

    /// The witnesses, each once.
    #[must_use]
    pub fn witnesses(&self) -> &[VerifierKey] {
        &self.witnesses
    }

    /// The quorum.
    #[must_use]
    pub const fn quorum(&self) -> usize {
        self.quorum
    }

    /// What `note` holds from each witness. Signature lines of other keys
    /// are ignored.
    #[must_use]
    pub fn check(&self, note: &Note) -> QuorumReport {
        let text = note.text.as_bytes();
        let witnesses = self
            .witnesses
            .iter()
            .map(|key| {
                let mut status = CosignatureStatus::Missing;
                for sig in note
                    .signatures
                    .iter()
                    .filter(|s| s.name == key.name() && s.key_id == key.key_id())
                {
                    let timestamp = match key.key_type() {
                        KeyType::CosignatureV1 => {
                            verify_cosignature_v1(key.public_key(), text, &sig.signature)
                        }
                        // A plain note signature carries no timestamp.
                        _ => key.verify(text, &sig.signature).then_some(0),
                    };
                    status = match (status, timestamp) {
                        (CosignatureStatus::Bad, _) | (_, None) => CosignatureStatus::Bad,
                        (CosignatureStatus::Valid { timestamp: t }, Some(u)) => {
                            CosignatureStatus::Valid {
                                timestamp: t.max(u),
                            }
                        }
                        (_, Some(u)) => CosignatureStatus::Valid { timestamp: u },
                    };
                }
                (key.clone(), status)
            })
            .collect();
        QuorumReport {
            quorum: self.quorum,
            witnesses,
        }
    }

    /// [`check`](Self::check), and requires the quorum.
    ///
    /// # Errors
    ///
    /// [`QuorumError`] with every witness's status when fewer than the
    /// quorum cosigned validly.
    pub fn verify(&self, note: &Note) -> Result<QuorumReport, QuorumError> {
        let report = self.check(note);
        if report.met() {
            Ok(report)
        } else {
            Err(QuorumError { report })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::Hash;
    use crate::merkle::TreeSize;
    use crate::note::{Checkpoint, KeyError, Signer, sign_checkpoint};

    fn checkpoint_note() -> (Checkpoint, String) {
        let log = Signer::from_seed("log.example/x", &[1; 32]).unwrap();
        let cp = Checkpoint::new(log.name(), TreeSize(3), Hash([9; 32])).unwrap();
        let note = sign_checkpoint(&cp, &log);
        (cp, note)
    }

    fn witness(i: u8) -> Cosigner {
        Cosigner::from_seed(format!("w{i}.example"), &[i; 32]).unwrap()
    }

    #[test]
    fn cosign_and_verify() {
        let (cp, note) = checkpoint_note();
        let w = witness(5);
        let line = w.cosign(&cp.to_text(), 1_679_315_147);
        assert_eq!(line.signature.len(), 72);
        assert_eq!(&line.signature[..8], &1_679_315_147u64.to_be_bytes());
        let key = w.verifier_key();
        assert_eq!(key.key_type(), KeyType::CosignatureV1);
        assert_eq!(key.to_string().parse::<VerifierKey>().unwrap(), key);
        assert!(key.verify(cp.to_text().as_bytes(), &line.signature));
        assert!(!key.verify(b"other\n", &line.signature));
        // A 0x01 key with the same public key does not accept it, and the
        // 0x04 key does not accept a plain note signature.
        let plain = Signer::from_seed("w5.example", &[5; 32]).unwrap();
        let plain_sig = plain.sign(cp.to_text().as_bytes());
        assert!(
            !plain
                .verifier_key()
                .verify(cp.to_text().as_bytes(), &line.signature)
        );
        assert!(!key.verify(cp.to_text().as_bytes(), &plain_sig));
        // The timestamp is signed.
        let mut sig = line.signature.clone();
        sig[7] ^= 1;
        assert!(!key.verify(cp.to_text().as_bytes(), &sig));
        // A timestamp above 2^63 - 1 is refused even if signed.
        let big = w.cosign(&cp.to_text(), u64::MAX);
        assert_eq!(&big.signature[..8], &MAX_TIMESTAMP.to_be_bytes());

        let cosigned = add_signatures(&note, std::slice::from_ref(&line)).unwrap();
        let parsed = Note::parse(&cosigned).unwrap();
        assert_eq!(parsed.signatures.len(), 2);
        assert_eq!(add_signatures(&cosigned, &[line]).unwrap(), cosigned);
        assert_eq!(
            parsed.verify(std::slice::from_ref(&key)).unwrap(),
            vec![&key]
        );
    }

    #[test]
    fn private_keys_round_trip() {
        let w = witness(3);
        let text = w.to_private_key();
        assert!(text.starts_with("PRIVATE+KEY+w3.example+"));
        let back = Cosigner::from_private_key(&text).unwrap();
        assert_eq!(back.verifier_key(), w.verifier_key());
        assert_eq!(
            Signer::from_private_key(&text).unwrap_err(),
            KeyError::UnsupportedKeyType(4)
        );
        let log = Signer::from_seed("x", &[3; 32]).unwrap().to_private_key();
        assert_eq!(
            Cosigner::from_private_key(&log).unwrap_err(),
            KeyError::UnsupportedKeyType(1)
        );
        assert!(format!("{w:?}").contains("w3.example"));
    }

    #[test]
    fn quorum_reports_each_witness() {
        let (cp, note) = checkpoint_note();
        let ws: Vec<Cosigner> = (2..6).map(witness).collect();
        let keys: Vec<VerifierKey> = ws.iter().map(Cosigner::verifier_key).collect();
        let text = cp.to_text();
        // A cosignature of another checkpoint, under w3's name and key id.
        let bad = ws[1].cosign("other\n1\nAAAA\n", 10);
        let lines = [ws[0].cosign(&text, 10), bad, ws[2].cosign(&text, 12)];
        let note = Note::parse(&add_signatures(&note, &lines).unwrap()).unwrap();

        let policy = WitnessPolicy::new(keys.clone(), 2).unwrap();
        let report = policy.verify(&note).unwrap();
        assert_eq!(report.valid(), 2);
        assert_eq!(
            report.witnesses.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
            [
                CosignatureStatus::Valid { timestamp: 10 },
                CosignatureStatus::Bad,
                CosignatureStatus::Valid { timestamp: 12 },
                CosignatureStatus::Missing,
            ]
        );
        let err = WitnessPolicy::new(keys.clone(), 3)
            .unwrap()
            .verify(&note)
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("not enough cosignatures: 2 of 4 witnesses cosigned (quorum 3): w2.example cosigned at "), "{msg}");
        assert!(
            msg.contains("w3.example bad signature; w4.example cosigned at"),
            "{msg}"
        );
        assert!(msg.ends_with("w5.example missing"), "{msg}");

        // Duplicates count once; impossible quorums are refused.
        let twice = vec![keys[0].clone(), keys[0].clone()];
        assert_eq!(
            WitnessPolicy::new(twice, 2),
            Err(PolicyError::BadQuorum {
                quorum: 2,
                witnesses: 1
            })
        );
        assert!(WitnessPolicy::new(keys, 0).is_err());
    }

    #[test]
    fn signature_line_blocks() {
        let (cp, _) = checkpoint_note();
        let lines = [
            witness(2).cosign(&cp.to_text(), 1),
            witness(3).cosign(&cp.to_text(), 2),
        ];
        let block: String = lines.iter().map(|l| format!("{l}\n")).collect();
        assert_eq!(parse_signature_lines(&block).unwrap(), lines);
        assert_eq!(parse_signature_lines(""), Err(NoteError::NoSignatures));
        assert_eq!(
            parse_signature_lines(block.trim_end()),
            Err(NoteError::MissingFinalNewline)
        );
        assert!(matches!(
            parse_signature_lines(&format!("{block}x\n")),
            Err(NoteError::SignatureLine { line: 3, .. })
        ));
    }
}
