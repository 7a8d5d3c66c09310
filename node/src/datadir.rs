//! The node's data directory: its keys and its store.
//!
//! ```text
//! DIR/log.key      the log's checkpoint signing key (note private-key form, mode 0600)
//! DIR/log.vkey     the log's verifier key, to hand to verifiers and witnesses
//! DIR/admin.key    the first admin key, unless `init --admin-key-out` put it elsewhere
//! DIR/admin.vkey   its public half
//! DIR/store/       the sled store (unless the log lives in PostgreSQL): the right edge, indexes, checkpoints
//! DIR/tiles/       with sled, full tiles and entry bundles, on C2SP tlog-tiles paths
//! ```
//!
//! With `--store postgres://…` the keys stay here and the log lives in that
//! database (docs/store.md).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use vledger_log::store::{Backend, LogStore, PostgresBackend, SledBackend, TileDirectory};
use vledger_log::writer::LogWriter;
use vledger_tlog::note::Signer;

/// The store the node runs on: the typed store over whichever backend
/// [`DataDir::open_store`] chose.
pub type NodeStore = LogStore<NodeBackend>;

/// The backend the node runs on, chosen at start.
pub type NodeBackend = Arc<dyn Backend>;

/// Paths inside a data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    /// The directory.
    root: PathBuf,
    /// The PostgreSQL database holding the log, if not sled in `root`.
    store_url: Option<String>,
    /// sled's page cache, in bytes.
    sled_cache: u64,
}

/// What `init` created.
#[derive(Debug)]
pub struct Initialised {
    /// The log's verifier key (vkey form).
    pub log_vkey: String,
    /// The admin verifier key (vkey form).
    pub admin_vkey: String,
    /// Where the admin private key was written.
    pub admin_key_path: PathBuf,
    /// The recovery verifier key (vkey form).
    pub recovery_vkey: String,
    /// Where the recovery private key was written.
    pub recovery_key_path: PathBuf,
}

/// Where `vledger init` writes the private keys it makes; `None` for the
/// default in the data directory.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyFiles<'a> {
    /// The admin key (default `DIR/admin.key`).
    pub admin: Option<&'a Path>,
    /// The recovery key (default `DIR/recovery.key`).
    pub recovery: Option<&'a Path>,
}

impl DataDir {
    /// The data directory at `root`.
    #[must_use]
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            store_url: None,
            sled_cache: vledger_log::store::DEFAULT_SLED_CACHE_BYTES,
        }
    }

    /// Keeps the log in the PostgreSQL database at `url` (when `Some`)
    /// rather than in sled under the directory.
    #[must_use]
    pub fn with_store(mut self, url: Option<String>) -> Self {
        self.store_url = url;
        self
    }

    /// Gives sled a page cache of `bytes` (default
    /// [`DEFAULT_SLED_CACHE_BYTES`](vledger_log::store::DEFAULT_SLED_CACHE_BYTES)).
    #[must_use]
    pub const fn with_sled_cache(mut self, bytes: u64) -> Self {
        self.sled_cache = bytes;
        self
    }

    /// The PostgreSQL database holding the log, if any.
    #[must_use]
    pub fn store_url(&self) -> Option<&str> {
        self.store_url.as_deref()
    }

    /// Where the log lives, for messages: the sled directory or the
    /// database URL without its password.
    #[must_use]
    pub fn store_name(&self) -> String {
        match &self.store_url {
            Some(url) => redact(url),
            None => self.store_path().display().to_string(),
        }
    }

    /// The directory.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The sled store's directory.
    #[must_use]
    pub fn store_path(&self) -> PathBuf {
        self.root.join("store")
    }

    /// The log key file.
    #[must_use]
    pub fn log_key_path(&self) -> PathBuf {
        self.root.join("log.key")
    }

    /// Whether `init` has run here.
    #[must_use]
    pub fn is_initialised(&self) -> bool {
        self.log_key_path().exists()
    }

    /// Reads the log's signing key.
    ///
    /// # Errors
    /// When the file is missing or malformed.
    pub fn log_signer(&self) -> anyhow::Result<Signer> {
        read_signer(&self.log_key_path())
    }

    /// Opens the store. The node works through the storage seam
    /// ([`Backend`]) only; this is the one place that picks the engine:
    /// sled, embedded in the data directory, or PostgreSQL at the store
    /// URL.
    ///
    /// # Errors
    /// When the engine cannot open it, e.g. because another node holds it.
    pub fn open_store(&self) -> anyhow::Result<NodeStore> {
        let backend = self.open_backend()?;
        let store = LogStore::new(backend)
            .with_context(|| format!("cannot use the store at {}", self.store_name()))?;
        // On sled, full tiles live as files beside it, and so does the
        // deduplication index. In PostgreSQL both stay in the database,
        // which every node on it shares.
        Ok(if self.store_url.is_none() {
            store
                .with_archive(Arc::new(TileDirectory::new(self.tiles_path())))
                .with_dedup_runs(&self.dedup_path())
                .with_context(|| {
                    format!(
                        "cannot open the deduplication index in {}",
                        self.dedup_path().display()
                    )
                })?
        } else {
            store
        })
    }

    /// The directory of the deduplication index's run files (sled only).
    #[must_use]
    pub fn dedup_path(&self) -> PathBuf {
        self.root.join("dedup")
    }

    /// The directory of full tiles and entry bundles (sled only).
    #[must_use]
    pub fn tiles_path(&self) -> PathBuf {
        self.root.join("tiles")
    }

    /// Opens the store's backend without reading it.
    ///
    /// # Errors
    /// When the engine cannot open it.
    pub fn open_backend(&self) -> anyhow::Result<NodeBackend> {
        if let Some(url) = &self.store_url {
            let backend = PostgresBackend::connect(url)
                .with_context(|| format!("cannot open the store at {}", redact(url)))?;
            return Ok(Arc::new(backend));
        }
        self.finish_compaction()?;
        let path = self.store_path();
        let backend = SledBackend::open_with_cache(&path, self.sled_cache)
            .with_context(|| format!("cannot open the store at {}", path.display()))?;
        Ok(Arc::new(backend))
    }

    /// Rewrites the sled store holding each value once (`vledger compact`,
    /// node stopped): copies it into `store.compact/`, then swaps the
    /// directories. Returns the store's bytes before and after.
    ///
    /// # Errors
    /// On a PostgreSQL store, while another process holds the store, or on
    /// I/O errors; the store is then as it was.
    pub fn compact(&self) -> anyhow::Result<(u64, u64)> {
        if let Some(url) = &self.store_url {
            bail!(
                "{} is a PostgreSQL store: PostgreSQL reclaims space itself (VACUUM)",
                redact(url)
            );
        }
        self.finish_compaction()?;
        let (store, copy, old) = self.compaction_paths();
        if !store.join("db").exists() {
            bail!("{} holds no store", self.root.display());
        }
        if copy.exists() {
            fs::remove_dir_all(&copy)
                .with_context(|| format!("cannot remove {}", copy.display()))?;
        }
        let before = dir_bytes(&store)?;
        {
            let backend = SledBackend::open(&store)
                .with_context(|| format!("cannot open the store at {}", store.display()))?;
            backend
                .copy_into(&copy)
                .with_context(|| format!("cannot copy the store into {}", copy.display()))?;
        }
        // The copy is complete and durable: from here a crash is finished
        // by the next open (see `finish_compaction`).
        fs::rename(&store, &old)?;
        sync_dir(&self.root)?;
        fs::rename(&copy, &store)?;
        sync_dir(&self.root)?;
        fs::remove_dir_all(&old).with_context(|| format!("cannot remove {}", old.display()))?;
        Ok((before, dir_bytes(&store)?))
    }

    /// `store/`, `store.compact/` and `store.old/`.
    fn compaction_paths(&self) -> (PathBuf, PathBuf, PathBuf) {
        (
            self.store_path(),
            self.root.join("store.compact"),
            self.root.join("store.old"),
        )
    }

    /// Finishes or undoes a compaction that a crash interrupted: the store
    /// was moved to `store.old/` only once its copy was complete, so a
    /// missing `store/` beside both means the copy takes its place; a
    /// `store.compact/` beside an intact `store/` is an unfinished copy.
    fn finish_compaction(&self) -> anyhow::Result<()> {
        let (store, copy, old) = self.compaction_paths();
        if !store.exists() && copy.exists() && old.exists() {
            tracing::warn!("finishing an interrupted compaction of {}", store.display());
            fs::rename(&copy, &store)?;
            sync_dir(&self.root)?;
        }
        for leftover in [&copy, &old] {
            if store.exists() && leftover.exists() {
                fs::remove_dir_all(leftover)
                    .with_context(|| format!("cannot remove {}", leftover.display()))?;
            }
        }
        Ok(())
    }

    /// Creates a new log here: a log key named `origin`, an admin key
    /// (written to `keys.admin`, or `DIR/admin.key`), a recovery key to keep
    /// offline (written to `keys.recovery`, or `DIR/recovery.key`), and the
    /// store with its genesis entry, naming both, and first checkpoint.
    ///
    /// # Errors
    /// When the directory already holds a log, or on I/O errors.
    pub fn init(&self, origin: &str, keys: KeyFiles<'_>) -> anyhow::Result<Initialised> {
        if self.is_initialised() || (self.store_url.is_none() && self.store_path().exists()) {
            bail!(
                "{} already holds a vledger log (`vledger serve` makes one there on its first start): serve it as it is, or give another --data for a new log",
                self.root.display()
            );
        }
        fs::create_dir_all(&self.root)
            .with_context(|| format!("cannot create {}", self.root.display()))?;
        let store = self.open_store()?;
        let size = store.tree_size()?;
        if size != 0 {
            bail!(
                "the store at {} already holds a log of {size} entries; copy its node's data directory (the keys) instead of running init",
                self.store_name()
            );
        }
        let log = crate::datadir::generate_signer(origin)
            .with_context(|| format!("origin {origin:?} cannot name a key"))?;
        let admin = crate::datadir::generate_signer(&format!("{origin}/admin"))
            .context("cannot name the admin key")?;
        let recovery = crate::datadir::generate_signer(&format!("{origin}/recovery"))
            .context("cannot name the recovery key")?;
        let admin_key_path = keys
            .admin
            .map_or_else(|| self.root.join("admin.key"), Path::to_path_buf);
        let recovery_key_path = keys
            .recovery
            .map_or_else(|| self.root.join("recovery.key"), Path::to_path_buf);
        if admin_key_path == recovery_key_path {
            bail!("the admin and recovery keys need two files");
        }
        for (path, key) in [(&admin_key_path, &admin), (&recovery_key_path, &recovery)] {
            write_secret(path, &key.to_private_key())?;
            write_public(
                &path.with_extension("vkey"),
                &key.verifier_key().to_string(),
            )?;
        }
        write_public(&self.root.join("log.vkey"), &log.verifier_key().to_string())?;

        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let writer = LogWriter::init_with_recovery(
            store,
            log.clone(),
            *admin.verifier_key().public_key(),
            Some(*recovery.verifier_key().public_key()),
            now,
        )?;
        drop(writer);
        // The log key goes last: its presence marks a finished init.
        write_secret(&self.log_key_path(), &log.to_private_key())?;
        Ok(Initialised {
            log_vkey: log.verifier_key().to_string(),
            admin_vkey: admin.verifier_key().to_string(),
            admin_key_path,
            recovery_vkey: recovery.verifier_key().to_string(),
            recovery_key_path,
        })
    }
}

/// `url` without its password, for messages and logs.
#[must_use]
pub fn redact(url: &str) -> String {
    // postgres://user:password@host/... : drop what is between the first
    // ':' after the scheme and the '@'.
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((userinfo, host)) = rest.split_once('@')
        && let Some((user, _)) = userinfo.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    if url.contains("password=") {
        return url
            .split_whitespace()
            .map(|kv| {
                if kv.starts_with("password=") {
                    "password=***"
                } else {
                    kv
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    url.to_owned()
}

/// The bytes of the files in `dir` and below.
fn dir_bytes(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for e in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let e = e?;
        let meta = e.metadata()?;
        total += if meta.is_dir() {
            dir_bytes(&e.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

/// Makes the entries of directory `dir` (renames into and out of it)
/// durable.
fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))
}

/// A new Ed25519 note signer named `name`, from the operating system's
/// random number generator.
///
/// # Errors
/// When `name` is not a valid key name.
pub fn generate_signer(name: &str) -> Result<Signer, vledger_tlog::note::KeyError> {
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    Signer::new(name, key)
}

/// Reads a note private key file.
///
/// # Errors
/// When the file is missing or not a private key.
pub fn read_signer(path: &Path) -> anyhow::Result<Signer> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    Signer::from_private_key(text.trim())
        .with_context(|| format!("{} is not a vledger private key", path.display()))
}

/// Writes `text` to `path` with mode 0600, durably, refusing to overwrite.
///
/// # Errors
/// When the file exists or cannot be written.
pub fn write_secret(path: &Path, text: &str) -> anyhow::Result<()> {
    write_new(path, text, 0o600)
}

/// Writes `text` to `path`, durably, refusing to overwrite.
///
/// # Errors
/// When the file exists or cannot be written.
pub fn write_public(path: &Path, text: &str) -> anyhow::Result<()> {
    write_new(path, text, 0o644)
}

fn write_new(path: &Path, text: &str, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(backend: &dyn Backend) -> vledger_log::store::Pairs {
        backend.scan(&[0], &[0xff], usize::MAX).unwrap()
    }

    #[test]
    fn compaction_keeps_every_value_and_drops_the_old_versions() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        data.init("compact.example/log", KeyFiles::default())
            .unwrap();
        let before = {
            let backend = data.open_backend().unwrap();
            // Rewrite a few values many times, as the sequencer does.
            for round in 0..200u32 {
                let writes = (0..50u32)
                    .map(|k| {
                        let key = [b'z', u8::try_from(k).unwrap()].to_vec();
                        (key, Some(vec![u8::try_from(round % 251).unwrap(); 2000]))
                    })
                    .collect();
                backend.apply(writes, None).unwrap();
            }
            all(backend.as_ref())
        };
        let (old_bytes, new_bytes) = data.compact().unwrap();
        assert!(new_bytes * 4 < old_bytes, "{old_bytes} -> {new_bytes}");
        let backend = data.open_backend().unwrap();
        assert_eq!(all(backend.as_ref()), before);
        drop(backend);
        let store = data.open_store().unwrap();
        assert_eq!(
            store.origin().unwrap().as_deref(),
            Some("compact.example/log")
        );
        assert!(!dir.path().join("store.compact").exists());
        assert!(!dir.path().join("store.old").exists());
    }

    #[test]
    fn an_interrupted_compaction_is_finished_or_undone_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        data.init("compact.example/log", KeyFiles::default())
            .unwrap();
        let (store, copy, old) = data.compaction_paths();
        let copy_of = |to: &Path| {
            let backend = SledBackend::open(&store).unwrap();
            backend.copy_into(to).unwrap();
        };
        // Crashed while copying: the copy is dropped, the store kept.
        copy_of(&copy);
        drop(data.open_backend().unwrap());
        assert!(!copy.exists() && store.exists());
        // Crashed between the two renames: the complete copy takes over.
        copy_of(&copy);
        fs::rename(&store, &old).unwrap();
        let backend = data.open_backend().unwrap();
        assert!(!copy.exists() && !old.exists());
        drop(backend);
        assert_eq!(
            data.open_store().unwrap().origin().unwrap().as_deref(),
            Some("compact.example/log")
        );
        // And compaction of a PostgreSQL store is refused.
        let pg = DataDir::new(dir.path()).with_store(Some("postgres://x@127.0.0.1/db".into()));
        let err = pg.compact().unwrap_err().to_string();
        assert!(err.contains("PostgreSQL"), "{err}");
    }
}
