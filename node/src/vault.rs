//! The party vault: the identities and salts behind the party commitments
//! an organisation logs, kept by that organisation (never by the node),
//! encrypted, and erasable party by party (docs/privacy.md).
//!
//! A vault is a directory:
//!
//! ```text
//! vault.json               format, creation time, master key check
//! keys/p-<16 hex>.key      the party's data key, wrapped by the master key
//! parties/p-<16 hex>.sealed  the party's identity, note and salts, sealed
//!                          under its data key
//! audit.jsonl, audit.head  the audit trail (vault/trail.rs)
//! vault.lock               locked by the one command that has the vault open
//! ```
//!
//! Each party has its own random 256-bit data key; its file is sealed
//! with XChaCha20-Poly1305 under that key with the party reference as
//! associated data, and the data key is wrapped under the master key (32
//! random bytes kept outside the directory). Erasing a party shreds its
//! wrapped key and its file: what was sealed under that key is then
//! unreadable to everyone, the vault's operator included, and the
//! commitments in the log are linked to nobody.
//!
//! What this module does not do: talk to a node (`vledger submit --vault`
//! does, in the CLI), or check disclosures (`vledger_verification`).

pub mod crypto;
pub mod files;
mod keys;
mod party;
pub mod references;
pub mod trail;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use vledger_records::{PartyCommitment, SALT_LEN};
use zeroize::Zeroizing;

use self::crypto::SecretKey;
pub use self::party::{Commitment, Party, Placement};
use self::trail::{Event, Line, Trail};

/// The `format` of `vault.json`.
pub const VAULT_FORMAT: &str = "vledger-vault/v1";
const META_FILE: &str = "vault.json";
const KEYS_DIR: &str = "keys";
const PARTIES_DIR: &str = "parties";
const CHECK_AAD: &[u8] = b"vledger/vault/v1/master-key-check";
const CHECK_TEXT: &[u8] = b"vledger vault master key";

/// The associated data of a party's wrapped data key.
fn key_aad(reference: &str) -> Vec<u8> {
    [b"vledger/vault/v1/key\n".as_slice(), reference.as_bytes()].concat()
}

/// The associated data of a party's sealed file.
fn party_aad(reference: &str) -> Vec<u8> {
    [b"vledger/vault/v1/party\n".as_slice(), reference.as_bytes()].concat()
}

/// Now, RFC 3339 UTC.
#[must_use]
pub fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    vledger_records::format_time(secs)
}

/// Checks a party reference: `p-` and 16 lowercase hex digits.
///
/// # Errors
/// When `reference` is not one.
pub fn check_reference(reference: &str) -> anyhow::Result<()> {
    let ok = reference.strip_prefix("p-").is_some_and(|h| {
        h.len() == 16
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if !ok {
        bail!(
            "{reference:?} is not a party reference (p- and 16 hex digits, as `vault add` prints)"
        );
    }
    Ok(())
}

/// `vault.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    format: String,
    created: String,
    /// A known text sealed under the master key, in hex: a wrong master
    /// key is told apart from a damaged party file.
    key_check: String,
}

/// An open vault: its directory and master key.
#[derive(Debug)]
pub struct Vault {
    dir: PathBuf,
    master: SecretKey,
    trail: Trail,
    /// `vault.lock`, locked while this vault is open: commands on one
    /// vault run one at a time, so that an erasure and an addition (or a
    /// key rotation) never interleave their writes.
    _lock: std::fs::File,
}

/// The file a command locks while it has the vault open.
const LOCK_FILE: &str = "vault.lock";

/// How long opening a vault waits for another command to let go of it.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Locks the vault in `dir` for this process, waiting up to `wait` for
/// another command to finish with it. The lock goes with the file (when
/// the command ends, however it ends).
fn lock(dir: &Path, wait: std::time::Duration) -> anyhow::Result<std::fs::File> {
    let path = dir.join(LOCK_FILE);
    // Empty, so truncating it while another command holds it loses nothing.
    let file = files::create_private(&path)?;
    let deadline = std::time::Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "the vault {} is in use by another vledger command (it holds {}); \
                 vault commands run one at a time: try again when it has finished",
                dir.display(),
                path.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
    }
}

/// The directory `path` is in, made absolute (for "not inside" checks).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

impl Vault {
    /// Makes a vault in `dir` (new or empty) and writes a new master key to
    /// `master_key_out` (mode 0600), which must not be inside `dir`.
    ///
    /// # Errors
    /// When `dir` holds files, the key file exists or is inside `dir`, or
    /// a file cannot be written.
    pub fn init(dir: &Path, master_key_out: &Path, requested_by: &str) -> anyhow::Result<Self> {
        let vault_abs = absolute(dir);
        let key_abs = absolute(master_key_out);
        let canon_parent = key_abs
            .parent()
            .and_then(|p| p.canonicalize().ok())
            .unwrap_or_else(|| key_abs.clone());
        let canon_vault = vault_abs
            .canonicalize()
            .unwrap_or_else(|_| vault_abs.clone());
        if key_abs.starts_with(&vault_abs) || canon_parent.starts_with(&canon_vault) {
            bail!(
                "--master-key-out {} is inside the vault directory; keep the master key apart \
                 from the vault (another disk, a secrets manager)",
                master_key_out.display()
            );
        }
        if dir.exists() {
            let mut entries =
                std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
            if entries.next().is_some() {
                bail!(
                    "{} is not empty; a vault starts in a new or empty directory",
                    dir.display()
                );
            }
        }
        if master_key_out.exists() {
            bail!(
                "--master-key-out {} exists; a new vault gets a new master key",
                master_key_out.display()
            );
        }
        std::fs::create_dir_all(dir.join(KEYS_DIR))
            .and_then(|()| std::fs::create_dir_all(dir.join(PARTIES_DIR)))
            .with_context(|| format!("cannot create the vault {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            for d in [dir.to_path_buf(), dir.join(KEYS_DIR), dir.join(PARTIES_DIR)] {
                std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700))
                    .with_context(|| format!("cannot restrict {}", d.display()))?;
            }
        }
        let lock = lock(dir, LOCK_WAIT)?;
        let master = SecretKey::generate();
        let mut key_text = master.to_hex();
        key_text.push('\n');
        files::create_new_private(master_key_out, key_text.as_bytes())
            .context("cannot write the master key")?;
        let vault = Self {
            dir: dir.to_path_buf(),
            trail: Trail::new(dir),
            master,
            _lock: lock,
        };
        vault.write_meta(&now())?;
        vault.audit("init", None, requested_by, None)?;
        Ok(vault)
    }

    fn write_meta(&self, created: &str) -> anyhow::Result<()> {
        let meta = Meta {
            format: VAULT_FORMAT.to_owned(),
            created: created.to_owned(),
            key_check: hex::encode(self.master.seal(CHECK_AAD, CHECK_TEXT)?),
        };
        let json = serde_json::to_vec_pretty(&meta).context("cannot encode vault.json")?;
        files::write_atomically(&self.dir.join(META_FILE), &json)
    }

    fn read_meta(dir: &Path) -> anyhow::Result<Meta> {
        let path = dir.join(META_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "{} is not a vault (no {META_FILE}; make one with `vledger vault init`)",
                dir.display()
            ),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let meta: Meta = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is damaged", path.display()))?;
        if meta.format != VAULT_FORMAT {
            bail!(
                "{} is of format {:?}, not {VAULT_FORMAT:?}",
                path.display(),
                meta.format
            );
        }
        Ok(meta)
    }

    /// Opens the vault in `dir` with the master key `master`.
    ///
    /// # Errors
    /// When `dir` is not a vault, when `master` is not its master key, or
    /// when another command keeps the vault for longer than ten seconds.
    pub fn open(dir: &Path, master: SecretKey) -> anyhow::Result<Self> {
        // A directory that is no vault gets no lock file; the vault's
        // meta is read again once locked (a key rotation rewrites it).
        Self::read_meta(dir)?;
        let lock = lock(dir, LOCK_WAIT)?;
        let meta = Self::read_meta(dir)?;
        let check = hex::decode(&meta.key_check).unwrap_or_default();
        if master.open(CHECK_AAD, &check).is_err() {
            bail!(
                "the master key does not open the vault {}: wrong --master-key (or \
                 VLEDGER_VAULT_KEY), or its vault.json was altered",
                dir.display()
            );
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            trail: Trail::new(dir),
            master,
            _lock: lock,
        })
    }

    /// The vault's directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its audit trail.
    #[must_use]
    pub const fn trail(&self) -> &Trail {
        &self.trail
    }

    fn key_path(&self, reference: &str) -> PathBuf {
        self.dir.join(KEYS_DIR).join(format!("{reference}.key"))
    }

    fn party_path(&self, reference: &str) -> PathBuf {
        self.dir
            .join(PARTIES_DIR)
            .join(format!("{reference}.sealed"))
    }

    /// Appends to the audit trail.
    ///
    /// # Errors
    /// When the trail cannot be written.
    pub fn audit(
        &self,
        action: &str,
        party: Option<&str>,
        requested_by: &str,
        detail: Option<String>,
    ) -> anyhow::Result<Line> {
        let event = Event {
            action,
            party,
            requested_by,
            detail,
        };
        self.trail.append(&event, now())
    }

    /// Adds a party; returns its new random reference.
    ///
    /// # Errors
    /// When the identity is empty or a file cannot be written.
    pub fn add(
        &self,
        identity: &str,
        note: Option<&str>,
        requested_by: &str,
    ) -> anyhow::Result<String> {
        if identity.trim().is_empty() {
            bail!("--identity is empty");
        }
        let reference = loop {
            let mut bytes = [0u8; 8];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let reference = format!("p-{}", hex::encode(bytes));
            if !self.key_path(&reference).exists() {
                break reference;
            }
        };
        let data_key = SecretKey::generate();
        let party = Party {
            reference: reference.clone(),
            identity: identity.to_owned(),
            note: note.map(str::to_owned),
            added: now(),
            commitments: Vec::new(),
        };
        // The file first: a key without a file is a party half added, a
        // file without its key is unreadable noise.
        self.write_party(&party, &data_key)?;
        let wrapped = self.master.wrap(&key_aad(&reference), &data_key)?;
        files::create_new_private(&self.key_path(&reference), &wrapped)?;
        self.audit("add", Some(&reference), requested_by, None)?;
        Ok(reference)
    }

    fn write_party(&self, party: &Party, data_key: &SecretKey) -> anyhow::Result<()> {
        let json = Zeroizing::new(serde_json::to_vec(party).context("cannot encode a party")?);
        let sealed = data_key.seal(&party_aad(&party.reference), &json)?;
        files::write_atomically(&self.party_path(&party.reference), &sealed)
    }

    /// The party `reference` and its data key.
    ///
    /// # Errors
    /// When there is no such party (erased ones are named as such), or its
    /// key or file is damaged or altered.
    pub fn party(&self, reference: &str) -> anyhow::Result<(Party, SecretKey)> {
        check_reference(reference)?;
        let key_path = self.key_path(reference);
        let party_path = self.party_path(reference);
        if !key_path.exists() && !party_path.exists() {
            if let Some(erased) = self.erasure_of(reference)? {
                bail!(
                    "party {reference} was erased on {} (audit trail line {}); the vault holds \
                     nothing about it",
                    erased.time,
                    erased.seq
                );
            }
            bail!("no party {reference} in the vault {}", self.dir.display());
        }
        let wrapped = std::fs::read(&key_path).with_context(|| {
            format!(
                "cannot read {} (party {reference}'s data key)",
                key_path.display()
            )
        })?;
        let data_key = self
            .master
            .unwrap_key(&key_aad(reference), &wrapped)
            .map_err(|_| {
                anyhow::anyhow!(
                    "{} is damaged or was altered: party {reference}'s data key does not unwrap \
                 under the master key",
                    key_path.display()
                )
            })?;
        let sealed = std::fs::read(&party_path)
            .with_context(|| format!("cannot read {} (party {reference})", party_path.display()))?;
        let json = data_key.open(&party_aad(reference), &sealed).map_err(|_| {
            anyhow::anyhow!(
                "{} is damaged or was altered: it does not open under party {reference}'s data \
                 key",
                party_path.display()
            )
        })?;
        let party: Party = serde_json::from_slice(&json)
            .with_context(|| format!("{} holds no party", party_path.display()))?;
        if party.reference != reference {
            bail!("{} holds another party", party_path.display());
        }
        Ok((party, data_key))
    }

    /// The audit line that erased `reference`, if one did.
    fn erasure_of(&self, reference: &str) -> anyhow::Result<Option<Line>> {
        let lines = self.trail.verify().unwrap_or_default();
        Ok(lines
            .into_iter()
            .find(|l| l.action == "erase" && l.party.as_deref() == Some(reference)))
    }

    /// Makes a fresh commitment to the party, keeps its salt (with where it
    /// goes, for `submit --vault`) and returns it.
    ///
    /// # Errors
    /// As [`Vault::party`], or when the file cannot be written.
    pub fn commit(
        &self,
        reference: &str,
        placement: Option<&Placement>,
        requested_by: &str,
    ) -> anyhow::Result<PartyCommitment> {
        let (mut party, data_key) = self.party(reference)?;
        let (salt, commitment) = loop {
            let mut salt = Zeroizing::new([0u8; SALT_LEN]);
            rand::rngs::OsRng.fill_bytes(salt.as_mut());
            let c = PartyCommitment::commit(&salt, &party.identity);
            // The log refuses the rare commitment that looks like text;
            // draw another salt (vledger_records::PartyCommitment::from_bytes).
            if PartyCommitment::from_bytes("party", c.as_bytes()).is_ok() {
                break (salt, c);
            }
        };
        party.commitments.push(Commitment {
            commitment: hex::encode(commitment.as_bytes()),
            salt: hex::encode(salt.as_ref()),
            made: now(),
            vin: placement.and_then(|p| p.vin.clone()),
            field: placement.map(|p| p.field.clone()),
            index: None,
            receipt: placement.map(|p| absolute(&p.receipt).display().to_string()),
        });
        self.write_party(&party, &data_key)?;
        let detail = placement.map(|p| format!("for {}", p.field));
        let action = if placement.is_some() {
            "submit"
        } else {
            "commit"
        };
        self.audit(action, Some(reference), requested_by, detail)?;
        Ok(commitment)
    }

    /// Records that `commitment` of the party was logged as entry `index`.
    ///
    /// # Errors
    /// As [`Vault::party`], or when the file cannot be written.
    pub fn logged(
        &self,
        reference: &str,
        commitment: &PartyCommitment,
        index: u64,
        requested_by: &str,
    ) -> anyhow::Result<()> {
        let (mut party, data_key) = self.party(reference)?;
        let hex = hex::encode(commitment.as_bytes());
        let Some(c) = party.commitments.iter_mut().find(|c| c.commitment == hex) else {
            bail!("party {reference} has no commitment {hex}");
        };
        c.index = Some(index);
        self.write_party(&party, &data_key)?;
        let detail = Some(format!("entry {index}"));
        self.audit("logged", Some(reference), requested_by, detail)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vault_another_command_holds_is_refused_by_name_after_the_wait() {
        let dir = tempfile::tempdir().expect("temp dir");
        let held = lock(dir.path(), LOCK_WAIT).expect("first lock");
        let started = std::time::Instant::now();
        let err = lock(dir.path(), std::time::Duration::from_millis(200))
            .expect_err("a second lock while the first is held");
        assert!(started.elapsed() >= std::time::Duration::from_millis(200));
        let text = err.to_string();
        assert!(
            text.contains("is in use by another vledger command")
                && text.contains("vault.lock")
                && text.contains("one at a time"),
            "{text}"
        );
        drop(held);
        lock(dir.path(), std::time::Duration::ZERO).expect("free once let go");
    }
}
