//! What a witness remembers: for each log it follows, the latest checkpoint
//! it cosigned, as the note it serves to monitors (the checkpoint text, the
//! log's signatures it verified and its own cosignature).
//!
//! ```text
//! STATE/<hex SHA-256 of the origin>            the latest cosigned note
//! STATE/evidence/<hex SHA-256 of the origin>-<hex SHA-256 of the checkpoint>.txt
//!                                              a refused, validly signed request
//!                                              (at most MAX_EVIDENCE_PER_LOG per log)
//! ```
//!
//! A new note replaces the old one atomically and durably before the
//! witness answers: written to a temporary file, flushed (`fsync`), renamed
//! over the old one, and the directory flushed. A crash leaves the old note
//! or the new one, never a mix, and never forgets a note that was answered.

use std::fs::{self, File};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use vledger_tlog::note::{Checkpoint, Note, VerifierKey};
use vledger_tlog::witness::parse_checkpoint_text;

/// The hex SHA-256 of an origin: its file name, and its path segment in the
/// monitoring API (c2sp.org/tlog-witness, "Monitor Retrieval Mechanism").
#[must_use]
pub fn origin_hash(origin: &str) -> String {
    vledger_tlog::sha256(origin.as_bytes()).to_hex()
}

/// Most evidence files kept per log: a log can sign only so many
/// checkpoints, but nothing else bounds what refused requests may fill
/// the disk with.
pub const MAX_EVIDENCE_PER_LOG: usize = 64;

/// What became of a piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Written.
    New,
    /// The same checkpoint was kept before: nothing written.
    Repeat,
    /// The log already has [`MAX_EVIDENCE_PER_LOG`] files: nothing written.
    Full,
}

/// The latest checkpoint a witness cosigned for a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witnessed {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// The note served to monitors.
    pub note: String,
}

/// The state directory.
#[derive(Debug, Clone)]
pub struct StateDir {
    /// The directory.
    dir: PathBuf,
}

impl StateDir {
    /// Opens (creating) the state directory.
    ///
    /// # Errors
    /// When it cannot be created.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(dir.join("evidence"))
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    /// The latest cosigned checkpoint of `origin`, checked against the log's
    /// keys (a state that the configured keys do not open is refused, rather
    /// than silently trusted).
    ///
    /// # Errors
    /// When the file cannot be read or does not verify.
    pub fn load(&self, origin: &str, keys: &[VerifierKey]) -> anyhow::Result<Option<Witnessed>> {
        let path = self.dir.join(origin_hash(origin));
        let note = match fs::read_to_string(&path) {
            Ok(note) => note,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let parsed = Note::parse(&note).with_context(|| format!("{}", path.display()))?;
        parsed
            .verify(keys)
            .with_context(|| format!("{}: the log's keys do not open it", path.display()))?;
        let checkpoint =
            parse_checkpoint_text(&parsed.text).with_context(|| format!("{}", path.display()))?;
        if checkpoint.origin() != origin {
            bail!(
                "{} holds a checkpoint of {:?}",
                path.display(),
                checkpoint.origin()
            );
        }
        Ok(Some(Witnessed { checkpoint, note }))
    }

    /// Replaces the latest note of `origin`, atomically and durably.
    ///
    /// # Errors
    /// On I/O errors; the old note is then still in place.
    pub fn save(&self, origin: &str, note: &str) -> std::io::Result<()> {
        write_durably(&self.dir, &origin_hash(origin), note.as_bytes())
    }

    /// Keeps a refused request whose checkpoint (`checkpoint`, the signed
    /// text) the log validly signed: two signed, inconsistent checkpoints
    /// are evidence against the log. One file per distinct checkpoint,
    /// named by its hash, and at most `cap` per log.
    ///
    /// # Errors
    /// On I/O errors.
    pub fn keep_evidence(
        &self,
        origin: &str,
        checkpoint: &str,
        text: &str,
        cap: usize,
    ) -> std::io::Result<Kept> {
        let dir = self.dir.join("evidence");
        let prefix = format!("{}-", origin_hash(origin));
        let name = format!(
            "{prefix}{}.txt",
            vledger_tlog::sha256(checkpoint.as_bytes()).to_hex()
        );
        if dir.join(&name).exists() {
            return Ok(Kept::Repeat);
        }
        let mut kept = 0;
        for entry in fs::read_dir(&dir)? {
            let file = entry?.file_name();
            let file = file.to_string_lossy();
            if file.starts_with(&prefix) && file.ends_with(".txt") {
                kept += 1;
            }
        }
        if kept >= cap {
            return Ok(Kept::Full);
        }
        write_durably(&dir, &name, text.as_bytes())?;
        Ok(Kept::New)
    }
}

/// Writes `dir/name` atomically and durably: temporary file, `fsync`,
/// rename, `fsync` of the directory.
///
/// # Errors
/// On I/O errors.
pub fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{name}.tmp"));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, dir.join(name))?;
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_kept_once_per_checkpoint_and_bounded_per_log() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir::open(dir.path()).unwrap();
        let keep = |origin: &str, cp: &str| state.keep_evidence(origin, cp, "request", 3).unwrap();
        assert_eq!(keep("a", "cp1"), Kept::New);
        for _ in 0..100 {
            assert_eq!(keep("a", "cp1"), Kept::Repeat);
        }
        assert_eq!(keep("a", "cp2"), Kept::New);
        assert_eq!(keep("a", "cp3"), Kept::New);
        assert_eq!(keep("a", "cp4"), Kept::Full);
        assert_eq!(keep("a", "cp2"), Kept::Repeat);
        // Another log has its own allowance.
        assert_eq!(keep("b", "cp4"), Kept::New);
        let files = fs::read_dir(dir.path().join("evidence")).unwrap().count();
        assert_eq!(files, 4);
    }

    #[test]
    fn durable_writes_replace() {
        let dir = tempfile::tempdir().unwrap();
        write_durably(dir.path(), "x", b"one").unwrap();
        write_durably(dir.path(), "x", b"two").unwrap();
        assert_eq!(fs::read(dir.path().join("x")).unwrap(), b"two");
        assert!(!dir.path().join(".x.tmp").exists());
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            origin_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
