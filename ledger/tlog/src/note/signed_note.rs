//! The C2SP signed-note format.
//!
//! ```text
//! <text, one or more lines, ending in a newline>
//! <blank line>
//! — <key name> <base64(4-byte key id || signature)>
//! — ...
//! ```
//!
//! Rules (c2sp.org/signed-note, "Format"): the note is valid UTF-8 without
//! ASCII control characters other than newline; the text ends with a newline
//! and is separated from the signatures by the *last* blank line of the note;
//! each signature line starts with an em dash (U+2014) and a space; key names
//! are non-empty and contain neither Unicode spaces nor `+`; a signature is at
//! least a key id and one byte.
//!
//! Limits (the spec asks for one and requires at least 16 signatures):
//! [`MAX_NOTE_SIZE`] bytes and [`MAX_SIGNATURES`] signature lines.
//!
//! Repeated signature lines: the spec says nothing about them. Like Go's
//! `note.Open`, parsing keeps them, so that a note prints back to exactly the
//! bytes it was parsed from. Unlike Go, which checks only the first signature
//! of a known key, [`Note::verify`] checks every signature line of a known key,
//! so a note in which any of them is bad is rejected; each key is reported
//! once.

use std::fmt;

use super::error::{NoteError, NoteVerifyError, SignError, SignatureLineError};
use super::key::{VerifierKey, check_name};
use super::signer::Signer;
use super::text::{b64_decode, b64_encode, find_control, line_at};

/// Largest note accepted, in bytes: 128 KiB.
///
/// This leaves room for 16 post-quantum signatures of about 5 kB each, the
/// case the spec asks verifiers to keep in mind; vledger's Ed25519 checkpoints
/// with a dozen cosignatures are under 2 kB.
pub const MAX_NOTE_SIZE: usize = 128 * 1024;

/// Most signature lines accepted in one note (the spec requires at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// The prefix of every signature line: em dash (U+2014) and space.
const SIG_PREFIX: &str = "\u{2014} ";

/// One signature line of a note, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key id: the first four bytes of the decoded signature.
    pub key_id: [u8; 4],
    /// The signature proper: the decoded bytes after the key id.
    pub signature: Vec<u8>,
}

impl fmt::Display for NoteSignature {
    /// The signature line without its final newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut data = Vec::with_capacity(4 + self.signature.len());
        data.extend_from_slice(&self.key_id);
        data.extend_from_slice(&self.signature);
        write!(f, "{SIG_PREFIX}{} {}", self.name, b64_encode(&data))
    }
}

/// A parsed signed note: its text and its signature lines, none of them
/// verified yet.
///
/// The text must be ignored until [`Note::verify`] has succeeded.
/// `Display` prints the note back; for a parsed note it gives back exactly the
/// parsed bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Note {
    /// The signed text, including its final newline.
    pub text: String,
    /// The signature lines, in order.
    pub signatures: Vec<NoteSignature>,
}

impl Note {
    /// Parses a signed note.
    ///
    /// # Errors
    ///
    /// A [`NoteError`] naming the first problem found.
    pub fn parse(note: &str) -> Result<Self, NoteError> {
        if note.len() > MAX_NOTE_SIZE {
            return Err(NoteError::TooLarge {
                size: note.len(),
                max: MAX_NOTE_SIZE,
            });
        }
        if let Some((line, byte)) = find_control(note) {
            return Err(NoteError::ControlCharacter { line, byte });
        }
        let split = note.rfind("\n\n").ok_or(NoteError::MissingBlankLine)?;
        let (text, sig_block) = (&note[..=split], &note[split + 2..]);
        if sig_block.is_empty() {
            return Err(NoteError::NoSignatures);
        }
        let Some(sig_block) = sig_block.strip_suffix('\n') else {
            return Err(NoteError::MissingFinalNewline);
        };
        let first_line = line_at(note, split + 2);
        let mut signatures = Vec::new();
        for (i, line) in sig_block.split('\n').enumerate() {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures {
                    max: MAX_SIGNATURES,
                });
            }
            let sig = parse_signature_line(line).map_err(|reason| NoteError::SignatureLine {
                line: first_line + i,
                reason,
            })?;
            signatures.push(sig);
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Parses a signed note from bytes, which must be UTF-8.
    ///
    /// # Errors
    ///
    /// [`NoteError::NotUtf8`], or any error of [`Note::parse`].
    pub fn parse_bytes(note: &[u8]) -> Result<Self, NoteError> {
        if note.len() > MAX_NOTE_SIZE {
            return Err(NoteError::TooLarge {
                size: note.len(),
                max: MAX_NOTE_SIZE,
            });
        }
        let note = std::str::from_utf8(note).map_err(|e| NoteError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        Self::parse(note)
    }

    /// Checks the signatures by the keys in `keys` and returns the keys whose
    /// signatures verified, each once, in the order of the signature lines.
    ///
    /// Signatures whose (name, key id) matches no key are ignored, as the spec
    /// requires. Every signature line of a known key must verify.
    ///
    /// # Errors
    ///
    /// [`NoteVerifyError::BadSignature`] if a signature by a known key does not
    /// verify, [`NoteVerifyError::AmbiguousKey`] if two different keys share a
    /// signature's name and key id, [`NoteVerifyError::NoKnownSignature`] if
    /// no signature is by a known key.
    pub fn verify<'k>(
        &self,
        keys: &'k [VerifierKey],
    ) -> Result<Vec<&'k VerifierKey>, NoteVerifyError> {
        let mut verified: Vec<&'k VerifierKey> = Vec::new();
        for sig in &self.signatures {
            let mut matching = keys
                .iter()
                .filter(|k| k.key_id() == sig.key_id && k.name() == sig.name);
            let Some(key) = matching.next() else {
                continue;
            };
            if matching.any(|other| other != key) {
                return Err(NoteVerifyError::AmbiguousKey {
                    name: sig.name.clone(),
                    key_id: sig.key_id,
                });
            }
            if !key.verify(self.text.as_bytes(), &sig.signature) {
                return Err(NoteVerifyError::BadSignature {
                    name: sig.name.clone(),
                    key_id: sig.key_id,
                });
            }
            if !verified.contains(&key) {
                verified.push(key);
            }
        }
        if verified.is_empty() {
            return Err(NoteVerifyError::NoKnownSignature {
                signed_by: self.signatures.iter().map(|s| s.name.clone()).collect(),
            });
        }
        Ok(verified)
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for sig in &self.signatures {
            writeln!(f, "{sig}")?;
        }
        Ok(())
    }
}

pub(crate) fn parse_signature_line(line: &str) -> Result<NoteSignature, SignatureLineError> {
    let rest = line
        .strip_prefix(SIG_PREFIX)
        .ok_or(SignatureLineError::MissingEmDash)?;
    let (name, b64) = rest
        .split_once(' ')
        .ok_or(SignatureLineError::MissingSignature)?;
    check_name(name).map_err(SignatureLineError::Name)?;
    let data = b64_decode(b64).ok_or(SignatureLineError::NotBase64)?;
    if data.len() < 5 {
        return Err(SignatureLineError::TooShort(data.len()));
    }
    let (id, signature) = data.split_at(4);
    Ok(NoteSignature {
        name: name.to_owned(),
        key_id: [id[0], id[1], id[2], id[3]],
        signature: signature.to_vec(),
    })
}

/// Checks that `text` can be the text of a note.
pub(crate) fn check_text(text: &str) -> Result<(), SignError> {
    if !text.ends_with('\n') {
        return Err(SignError::MissingFinalNewline);
    }
    if let Some((line, byte)) = find_control(text) {
        return Err(SignError::ControlCharacter { line, byte });
    }
    Ok(())
}

/// Signs `text` with every signer and returns the signed note, with the
/// signature lines in the order of `signers`.
///
/// # Errors
///
/// A [`SignError`] if the text does not end with a newline or contains a
/// control character, if `signers` is empty or longer than
/// [`MAX_SIGNATURES`], or if the note would exceed [`MAX_NOTE_SIZE`].
pub fn sign_note(text: &str, signers: &[&Signer]) -> Result<String, SignError> {
    check_text(text)?;
    if signers.is_empty() {
        return Err(SignError::NoSigners);
    }
    if signers.len() > MAX_SIGNATURES {
        return Err(SignError::TooManySigners {
            max: MAX_SIGNATURES,
        });
    }
    let note = sign_unchecked(text, signers);
    if note.len() > MAX_NOTE_SIZE {
        return Err(SignError::TooLarge {
            size: note.len(),
            max: MAX_NOTE_SIZE,
        });
    }
    Ok(note)
}

/// Signs a text already known to be valid.
pub(crate) fn sign_unchecked(text: &str, signers: &[&Signer]) -> String {
    let signatures = signers
        .iter()
        .map(|s| NoteSignature {
            name: s.name().to_owned(),
            key_id: s.key_id(),
            signature: s.sign(text.as_bytes()).to_vec(),
        })
        .collect();
    Note {
        text: text.to_owned(),
        signatures,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    // golang.org/x/mod/sumdb/note package documentation (x/mod v0.7.0).
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    #[test]
    fn go_example_note() {
        let msg = format!("{TEXT}\n{PETER_SIG}");
        let note = Note::parse(&msg).unwrap();
        assert_eq!(note.text, TEXT);
        assert_eq!(note.to_string(), msg);
        let keys = [VerifierKey::parse(PETER_VKEY).unwrap()];
        assert_eq!(note.verify(&keys).unwrap(), vec![&keys[0]]);
        // Ed25519 signatures are deterministic: signing again gives the same note.
        let signer = Signer::from_private_key(PETER_SKEY).unwrap();
        assert_eq!(sign_note(TEXT, &[&signer]).unwrap(), msg);
    }

    #[test]
    fn text_is_split_at_the_last_blank_line() {
        let signer = Signer::from_private_key(PETER_SKEY).unwrap();
        for text in ["a\n\nb\n", "\n", "a\n\n", "\n\n\n", "— x y\n"] {
            let msg = sign_note(text, &[&signer]).unwrap();
            let note = Note::parse(&msg).unwrap();
            assert_eq!(note.text, text);
            assert_eq!(note.to_string(), msg);
        }
    }

    #[test]
    fn sign_note_refuses_bad_text() {
        let signer = Signer::from_private_key(PETER_SKEY).unwrap();
        assert_eq!(
            sign_note("", &[&signer]),
            Err(SignError::MissingFinalNewline)
        );
        assert_eq!(
            sign_note("a", &[&signer]),
            Err(SignError::MissingFinalNewline)
        );
        assert_eq!(
            sign_note("a\nb\tc\n", &[&signer]),
            Err(SignError::ControlCharacter {
                line: 2,
                byte: b'\t'
            })
        );
        assert_eq!(sign_note("a\n", &[]), Err(SignError::NoSigners));
        let big = "a".repeat(MAX_NOTE_SIZE) + "\n";
        assert!(matches!(
            sign_note(&big, &[&signer]),
            Err(SignError::TooLarge { .. })
        ));
    }

    #[test]
    fn signature_line_numbers() {
        let msg = format!("{TEXT}\n{PETER_SIG}- x AAAAAAA=\n");
        assert_eq!(
            Note::parse(&msg),
            Err(NoteError::SignatureLine {
                line: 5,
                reason: SignatureLineError::MissingEmDash
            })
        );
    }
}
