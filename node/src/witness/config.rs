//! A witness's configuration: its cosigning key, where it keeps its state,
//! and the logs it follows with their keys.
//!
//! The configuration file is JSON (`DIR/witness.json`, written by
//! `vledger witness init`); relative paths are relative to its directory:
//!
//! ```json
//! {
//!   "key": "witness.key",
//!   "state": "state",
//!   "listen": "127.0.0.1:7380",
//!   "logs": [
//!     {"origin": "ledger.example.com/vehicles",
//!      "keys": ["ledger.example.com/vehicles+1a2b3c4d+AQ..."]}
//!   ]
//! }
//! ```
//!
//! `origin` may be left out: it is then the name of the (first) key, as for
//! vledger logs, which name their key after their origin. Command-line
//! flags (`--log VKEY`) add logs the same way.
//!
//! A log that handed its key on lists its succession proofs, oldest first
//! (`vledger witness follow` adds them): `"successions":
//! ["successions/ledger.example.com_vehicles-1024.tlog-proof"]`. Each is
//! checked under the key trusted before it; the witness then trusts the
//! successor, and the retired keys only for checkpoints up to their last
//! tree size.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};
use vledger_tlog::note::{Cosigner, KeyType, VerifierKey};
use vledger_verification::succession::{LogKeys, SuccessionError};

/// The configuration file's contents.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The cosigning key file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<PathBuf>,
    /// The state directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<PathBuf>,
    /// Where to listen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// The logs followed.
    #[serde(default)]
    pub logs: Vec<LogEntry>,
}

/// One followed log in the configuration file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    /// The log's origin line; by default the first key's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The log's verifier keys (vkey form).
    pub keys: Vec<String>,
    /// Succession proofs from the first key on, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub successions: Vec<PathBuf>,
}

impl ConfigFile {
    /// Reads a configuration file and makes its paths absolute.
    ///
    /// # Errors
    /// When it cannot be read or is not valid.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut file: Self = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a witness configuration", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let successions = file.logs.iter_mut().flat_map(|l| l.successions.iter_mut());
        for p in [&mut file.key, &mut file.state]
            .into_iter()
            .flatten()
            .chain(successions)
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        Ok(file)
    }
}

/// The logs a witness follows: origin to trusted keys, and for logs that
/// handed their key on, the tree sizes each key signs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Logs {
    keys: BTreeMap<String, Vec<VerifierKey>>,
    successions: BTreeMap<String, LogKeys>,
}

impl Logs {
    /// Adds a key for `origin` (by default the key's name).
    ///
    /// # Errors
    /// When the key is not a log key (type 0x01).
    pub fn add(&mut self, origin: Option<&str>, key: VerifierKey) -> anyhow::Result<()> {
        if key.key_type() != KeyType::Ed25519 {
            bail!("{key} is not a log key (type 0x01)");
        }
        let origin = origin.unwrap_or(key.name()).to_owned();
        let keys = self.keys.entry(origin).or_default();
        if !keys.contains(&key) {
            keys.push(key);
        }
        Ok(())
    }

    /// Adds the logs of a configuration file.
    ///
    /// # Errors
    /// When a key does not parse.
    pub fn add_file(&mut self, file: &ConfigFile) -> anyhow::Result<()> {
        for log in &file.logs {
            if log.keys.is_empty() {
                bail!("log {:?} has no keys", log.origin.as_deref().unwrap_or(""));
            }
            let mut origin = log.origin.clone();
            let mut first = None;
            for key in &log.keys {
                let key =
                    VerifierKey::parse(key.trim()).with_context(|| format!("log key {key:?}"))?;
                let o = origin.get_or_insert_with(|| key.name().to_owned()).clone();
                first.get_or_insert_with(|| key.clone());
                self.add(Some(&o), key)?;
            }
            if let (Some(origin), Some(first)) = (origin, first)
                && !log.successions.is_empty()
            {
                let chain = follow(first, &log.successions)?;
                for k in &chain.keys()[1..] {
                    self.add(Some(&origin), k.key.clone())?;
                }
                self.successions.insert(origin, chain);
            }
        }
        Ok(())
    }

    /// Checks that the log key that signed `note`, a checkpoint of
    /// `origin`, signs checkpoints of its size: for a log that handed its
    /// key on, a retired key signs none beyond its last tree size.
    ///
    /// # Errors
    /// Why the key may not sign this checkpoint.
    pub fn check_key_range(&self, origin: &str, note: &str) -> Result<(), SuccessionError> {
        match self.successions.get(origin) {
            Some(chain) => chain.open(note).map(|_| ()),
            None => Ok(()),
        }
    }

    /// The keys trusted for `origin`.
    #[must_use]
    pub fn keys(&self, origin: &str) -> Option<&[VerifierKey]> {
        self.keys.get(origin).map(Vec::as_slice)
    }

    /// Every origin followed, with its keys.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<VerifierKey>)> {
        self.keys.iter()
    }

    /// Whether no log is followed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// The keys of a log pinned at `first`, through the succession proofs in
/// `files`, oldest first.
///
/// # Errors
/// A file that cannot be read or does not follow from the key before it.
pub fn follow(first: VerifierKey, files: &[PathBuf]) -> anyhow::Result<LogKeys> {
    let mut chain = LogKeys::new(first);
    for file in files {
        let text =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        chain
            .follow(&text)
            .with_context(|| format!("succession proof {}", file.display()))?;
    }
    Ok(chain)
}

/// A witness ready to serve.
#[derive(Debug, Clone)]
pub struct WitnessConfig {
    /// The cosigning key.
    pub cosigner: Cosigner,
    /// The logs followed.
    pub logs: Logs,
    /// Where the latest cosigned checkpoint of each log is kept.
    pub state_dir: PathBuf,
}

/// Reads a cosigning key file.
///
/// # Errors
/// When the file is missing or not a cosigning key.
pub fn read_cosigner(path: &Path) -> anyhow::Result<Cosigner> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    Cosigner::from_private_key(text.trim())
        .with_context(|| format!("{} is not a witness (cosigning) key", path.display()))
}

/// A new cosigning key named `name`, from the operating system's random
/// number generator.
///
/// # Errors
/// When `name` is not a valid key name.
pub fn generate_cosigner(name: &str) -> anyhow::Result<Cosigner> {
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    Cosigner::new(name, key).with_context(|| format!("{name:?} cannot name a key"))
}
