//! C2SP tlog-checkpoint: the signed head of a log.
//!
//! The note text is three lines (c2sp.org/tlog-checkpoint, "Note text"):
//!
//! ```text
//! <origin>
//! <tree size, decimal, no leading zeros>
//! <root hash, base64>
//! ```
//!
//! The spec allows extension lines after these; vledger logs never write any
//! (everything a checkpoint commits to must be auditable), so a checkpoint
//! with one is refused with [`CheckpointError::ExtensionLine`].
//!
//! Origin and key name: the spec says the log's key name SHOULD match the
//! origin, and that clients MUST NOT assume anything about the origin's form.
//! It does not require verifiers to compare the two, so [`open_checkpoint`]
//! does not. What it requires (c2sp.org/tlog-proof, "Verifying a tlog proof")
//! is that the origin be acceptable to the client and that the checkpoint be
//! signed by a key configured for that origin: [`open_checkpoint_for_origin`]
//! does both. vledger logs use their origin as their key name, so a verifier
//! configured with only a log's vkey passes `log_key.name()` as the origin.

use std::fmt;

use super::error::CheckpointError;
use super::key::{MAX_NAME_LEN, VerifierKey};
use super::signed_note::{Note, sign_unchecked};
use super::signer::Signer;
use super::text::{find_control, parse_decimal, parse_hash};
use crate::hash::Hash;
use crate::merkle::TreeSize;

/// A log checkpoint: origin, tree size and root hash.
///
/// A `Checkpoint` always holds a valid checkpoint: a non-empty origin of at
/// most [`MAX_NAME_LEN`] bytes without newline or control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Checkpoint {
    origin: String,
    size: TreeSize,
    root: Hash,
}

impl Checkpoint {
    /// A checkpoint for the tree of `size` leaves with root hash `root`.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::EmptyOrigin`], [`CheckpointError::OriginTooLong`],
    /// [`CheckpointError::OriginHasNewline`] or
    /// [`CheckpointError::ControlCharacter`] for an origin that can't be
    /// line 1 of a checkpoint.
    pub fn new(
        origin: impl Into<String>,
        size: TreeSize,
        root: Hash,
    ) -> Result<Self, CheckpointError> {
        let origin = origin.into();
        if origin.contains('\n') {
            return Err(CheckpointError::OriginHasNewline);
        }
        check_origin(&origin)?;
        Ok(Self { origin, size, root })
    }

    /// Parses a checkpoint note text (without signatures).
    ///
    /// # Errors
    ///
    /// A [`CheckpointError`] naming the line and the reason; extension lines
    /// are refused.
    pub fn parse_text(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingFinalNewline)?;
        if let Some((line, byte)) = find_control(text) {
            return Err(CheckpointError::ControlCharacter { line, byte });
        }
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        check_origin(origin)?;
        let size = lines.next().ok_or(CheckpointError::MissingSize)?;
        let size = TreeSize(parse_decimal(size).map_err(CheckpointError::Size)?);
        let root = lines.next().ok_or(CheckpointError::MissingRoot)?;
        let root = parse_hash(root).map_err(CheckpointError::Root)?;
        if lines.next().is_some() {
            return Err(CheckpointError::ExtensionLine { line: 4 });
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// The note text: `origin\nsize\nbase64(root)\n`.
    #[must_use]
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        )
    }

    /// The log's origin line.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tree size: the number of leaves.
    #[must_use]
    pub const fn size(&self) -> TreeSize {
        self.size
    }

    /// The RFC 6962 root hash of the tree.
    #[must_use]
    pub const fn root(&self) -> &Hash {
        &self.root
    }
}

impl fmt::Display for Checkpoint {
    /// The note text, as [`Checkpoint::to_text`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

fn check_origin(origin: &str) -> Result<(), CheckpointError> {
    if origin.is_empty() {
        return Err(CheckpointError::EmptyOrigin);
    }
    if origin.len() > MAX_NAME_LEN {
        return Err(CheckpointError::OriginTooLong { max: MAX_NAME_LEN });
    }
    if let Some((_, byte)) = find_control(origin) {
        return Err(CheckpointError::ControlCharacter { line: 1, byte });
    }
    Ok(())
}

/// Signs `checkpoint` with the log key and returns the signed note.
///
/// The signature line carries the signer's name; vledger logs name their key
/// after their origin.
#[must_use]
pub fn sign_checkpoint(checkpoint: &Checkpoint, log_key: &Signer) -> String {
    // A valid checkpoint is a valid note text (non-empty lines, final newline,
    // no control characters) and, with one signature, far below the size limit.
    sign_unchecked(&checkpoint.to_text(), &[log_key])
}

/// Parses a signed checkpoint note, checks the log's signature, and only then
/// parses the checkpoint text.
///
/// Other signatures (witness cosignatures, other log keys) are ignored. The
/// origin is not compared with the key name (see the module documentation);
/// use [`open_checkpoint_for_origin`] to require a given origin.
///
/// # Errors
///
/// [`CheckpointError::Note`] for a malformed note,
/// [`CheckpointError::Signature`] if the log key's signature is missing or
/// does not verify, or a text error as in [`Checkpoint::parse_text`].
pub fn open_checkpoint(note: &str, log_key: &VerifierKey) -> Result<Checkpoint, CheckpointError> {
    let note = Note::parse(note)?;
    note.verify(std::slice::from_ref(log_key))?;
    Checkpoint::parse_text(&note.text)
}

/// [`open_checkpoint`], and requires the checkpoint's origin to be `origin`.
///
/// # Errors
///
/// As [`open_checkpoint`], and [`CheckpointError::WrongOrigin`].
pub fn open_checkpoint_for_origin(
    note: &str,
    origin: &str,
    log_key: &VerifierKey,
) -> Result<Checkpoint, CheckpointError> {
    let checkpoint = open_checkpoint(note, log_key)?;
    if checkpoint.origin != origin {
        return Err(CheckpointError::WrongOrigin {
            expected: origin.to_owned(),
            found: checkpoint.origin,
        });
    }
    Ok(checkpoint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::error::{HashError, NumberError};

    const ROOT: &str = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";

    #[test]
    fn spec_example_text() {
        // c2sp.org/tlog-checkpoint, the example at the top of the spec.
        let text = format!("example.com/behind-the-sofa\n20852163\n{ROOT}\n");
        let cp = Checkpoint::parse_text(&text).unwrap();
        assert_eq!(cp.origin(), "example.com/behind-the-sofa");
        assert_eq!(cp.size(), TreeSize(20_852_163));
        assert_eq!(cp.root().to_base64(), ROOT);
        assert_eq!(cp.to_text(), text);
    }

    #[test]
    fn malformed_texts() {
        let cases: &[(&str, CheckpointError)] = &[
            ("o\n1\nroot", CheckpointError::MissingFinalNewline),
            ("", CheckpointError::MissingFinalNewline),
            ("\n1\nx\n", CheckpointError::EmptyOrigin),
            ("o\n", CheckpointError::MissingSize),
            ("o\n1\n", CheckpointError::MissingRoot),
            (
                "o\n01\nx\n",
                CheckpointError::Size(NumberError::LeadingZero),
            ),
            ("o\n\nx\n", CheckpointError::Size(NumberError::Empty)),
            ("o\n1 \nx\n", CheckpointError::Size(NumberError::NotDecimal)),
            (
                "o\n1\nAAAA\n",
                CheckpointError::Root(HashError::WrongLength(3)),
            ),
            ("o\n1\n*\n", CheckpointError::Root(HashError::NotBase64)),
            (
                "o\t\n1\nx\n",
                CheckpointError::ControlCharacter {
                    line: 1,
                    byte: b'\t',
                },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Checkpoint::parse_text(text).as_ref(), Err(want), "{text:?}");
        }
        let ext = format!("o\n1\n{ROOT}\next\n");
        assert_eq!(
            Checkpoint::parse_text(&ext),
            Err(CheckpointError::ExtensionLine { line: 4 })
        );
        assert_eq!(
            CheckpointError::Size(NumberError::LeadingZero).to_string(),
            "checkpoint line 2: tree size has a leading zero"
        );
    }

    #[test]
    fn new_refuses_bad_origins() {
        let root = Hash([0; 32]);
        assert_eq!(
            Checkpoint::new("", TreeSize(0), root),
            Err(CheckpointError::EmptyOrigin)
        );
        assert_eq!(
            Checkpoint::new("a\nb", TreeSize(0), root),
            Err(CheckpointError::OriginHasNewline)
        );
        assert_eq!(
            Checkpoint::new("a\rb", TreeSize(0), root),
            Err(CheckpointError::ControlCharacter {
                line: 1,
                byte: b'\r'
            })
        );
        assert!(Checkpoint::new("a b+c", TreeSize(u64::MAX), root).is_ok());
    }
}
