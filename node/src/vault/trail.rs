//! The vault's audit trail: `audit.jsonl`, one JSON object a line, each
//! naming what was done to which party reference and at whose request,
//! never an identity or a salt. Each line carries the SHA-256 of the line
//! before it (`prev`; 64 zeros on the first), and `audit.head` holds the
//! number of lines and the hash of the last, so that a line removed,
//! edited or cut off the end is found by [`Trail::verify`].

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The trail's file in the vault directory.
pub const TRAIL_FILE: &str = "audit.jsonl";
/// The file holding the trail's length and last hash.
pub const HEAD_FILE: &str = "audit.head";

/// One line of the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// Its number, from 1.
    pub seq: u64,
    /// When (RFC 3339, UTC).
    pub time: String,
    /// What: `init`, `add`, `commit`, `submit`, `logged`, `disclose`,
    /// `export`, `erase`, `rotate-master-key`.
    pub action: String,
    /// The party reference (`p-…`); absent for vault-wide actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// Who asked for it.
    pub requested_by: String,
    /// Details that name no person: a record field, an entry index, the
    /// reason given for an erasure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// SHA-256 of the previous line, in hex.
    pub prev: String,
}

/// What to append (the trail numbers and chains it).
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// The action.
    pub action: &'a str,
    /// The party reference, if any.
    pub party: Option<&'a str>,
    /// Who asked.
    pub requested_by: &'a str,
    /// Details naming no person.
    pub detail: Option<String>,
}

/// The length and last hash of a trail, as `audit.head` holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Head {
    lines: u64,
    last: String,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The trail of the vault at `dir`.
#[derive(Debug, Clone)]
pub struct Trail {
    dir: PathBuf,
}

impl Trail {
    /// The trail in `dir`.
    #[must_use]
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    fn read_text(&self) -> anyhow::Result<String> {
        let path = self.dir.join(TRAIL_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Appends one line, chained to the last, and moves the head.
    ///
    /// # Errors
    /// When the trail cannot be read or written.
    pub fn append(&self, event: &Event<'_>, now: String) -> anyhow::Result<Line> {
        let text = self.read_text()?;
        let (count, prev) = text
            .lines()
            .fold((0u64, GENESIS.to_owned()), |(n, _), line| {
                (n + 1, sha256_hex(line.as_bytes()))
            });
        let line = Line {
            seq: count + 1,
            time: now,
            action: event.action.to_owned(),
            party: event.party.map(str::to_owned),
            requested_by: event.requested_by.to_owned(),
            detail: event.detail.clone(),
            prev,
        };
        let json = serde_json::to_string(&line).context("cannot encode an audit line")?;
        let path = self.dir.join(TRAIL_FILE);
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        writeln!(file, "{json}")
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot append to {}", path.display()))?;
        let head = Head {
            lines: line.seq,
            last: sha256_hex(json.as_bytes()),
        };
        let head_path = self.dir.join(HEAD_FILE);
        let head_json = serde_json::to_string(&head).context("cannot encode the audit head")?;
        super::files::write_atomically(&head_path, head_json.as_bytes())?;
        Ok(line)
    }

    /// Reads and verifies the whole trail: every line parses, is numbered
    /// in order and chains to the one before, and the last is the one the
    /// head names.
    ///
    /// # Errors
    /// The first line that breaks the chain, named by its number.
    pub fn verify(&self) -> anyhow::Result<Vec<Line>> {
        let text = self.read_text()?;
        let mut prev = GENESIS.to_owned();
        let mut lines = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let n = i as u64 + 1;
            let line: Line = serde_json::from_str(raw)
                .with_context(|| format!("{TRAIL_FILE} line {n} is not an audit line"))?;
            if line.seq != n {
                bail!(
                    "{TRAIL_FILE} line {n} is numbered {}: a line before it was removed or \
                     moved",
                    line.seq
                );
            }
            if line.prev != prev {
                bail!(
                    "{TRAIL_FILE} line {n} does not chain to line {}: a line was removed or \
                     edited",
                    n - 1
                );
            }
            prev = sha256_hex(raw.as_bytes());
            lines.push(line);
        }
        let head_path = self.dir.join(HEAD_FILE);
        let head: Head = serde_json::from_slice(
            &std::fs::read(&head_path)
                .with_context(|| format!("cannot read {}", head_path.display()))?,
        )
        .with_context(|| format!("{HEAD_FILE} is damaged"))?;
        if head.lines != lines.len() as u64 || head.last != prev {
            bail!(
                "{TRAIL_FILE} holds {} lines but {HEAD_FILE} records {}: lines were cut off \
                 the end or the trail was rewritten",
                lines.len(),
                head.lines
            );
        }
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event<'a>(action: &'a str, party: Option<&'a str>) -> Event<'a> {
        Event {
            action,
            party,
            requested_by: "tester",
            detail: None,
        }
    }

    #[test]
    fn a_removed_edited_or_cut_line_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let trail = Trail::new(dir.path());
        for (i, action) in ["init", "add", "commit", "erase"].iter().enumerate() {
            let line = trail
                .append(&event(action, Some("p-0011223344556677")), format!("t{i}"))
                .unwrap();
            assert_eq!(line.seq, i as u64 + 1);
        }
        let lines = trail.verify().unwrap();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[3].action, "erase");
        assert_eq!(lines[0].prev, GENESIS);
        let path = dir.path().join(TRAIL_FILE);
        let good = std::fs::read_to_string(&path).unwrap();
        let mut rows: Vec<&str> = good.lines().collect();
        // Line 2 removed.
        rows.remove(1);
        std::fs::write(&path, rows.join("\n") + "\n").unwrap();
        let err = format!("{:#}", trail.verify().unwrap_err());
        assert!(err.contains("line 2 is numbered 3"), "{err}");
        // Line 3 edited.
        std::fs::write(&path, good.replace("\"commit\"", "\"add\"")).unwrap();
        let err = format!("{:#}", trail.verify().unwrap_err());
        assert!(err.contains("line 4 does not chain to line 3"), "{err}");
        // The last line cut off.
        let rows: Vec<&str> = good.lines().collect();
        std::fs::write(&path, rows[..3].join("\n") + "\n").unwrap();
        let err = format!("{:#}", trail.verify().unwrap_err());
        assert!(
            err.contains("holds 3 lines but audit.head records 4"),
            "{err}"
        );
        std::fs::write(&path, good).unwrap();
        assert_eq!(trail.verify().unwrap().len(), 4);
    }
}
