//! The sled backend, the node's embedded default (feature `sled`).

use std::path::Path;

use super::backend::check_fence;
use super::layout::META_TREE_SIZE;
use super::{Backend, Pairs, StoreError, Writes};

/// The sled backend: one sled tree, one atomic `apply_batch` and one
/// `flush` per [`Backend::apply`].
///
/// The fence (the stored tree size checked before a batch) is kept by a
/// mutex that every clone shares: sled's own file lock already keeps any
/// other process out of the database, so only this process's writers can
/// race, and they all take the mutex.
#[derive(Debug, Clone)]
pub struct SledBackend {
    db: sled::Db,
    tree: sled::Tree,
    /// Held from the fence check to the end of the batch's `apply_batch`.
    fence: std::sync::Arc<std::sync::Mutex<()>>,
    /// sled's log file, to `fdatasync` after each flush (see `apply`).
    log_file: std::sync::Arc<std::fs::File>,
}

fn err(e: sled::Error) -> StoreError {
    StoreError::Backend(Box::new(e))
}

/// How long an open waits for sled's directory lock to be let go.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// sled's page cache unless told otherwise: 256 MiB (sled's own default
/// is 1 GiB, which a node under load fills).
pub const DEFAULT_SLED_CACHE_BYTES: u64 = 256 << 20;

impl SledBackend {
    /// Opens (or creates) the sled database in directory `path`, with a
    /// page cache of [`DEFAULT_SLED_CACHE_BYTES`].
    ///
    /// # Errors
    /// [`StoreError::Backend`] when sled cannot open it (for example
    /// while another process holds it).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_cache(path, DEFAULT_SLED_CACHE_BYTES)
    }

    /// [`SledBackend::open`] with a page cache of `cache_bytes`: most of
    /// what a node's memory grows to under load.
    ///
    /// # Errors
    /// As [`SledBackend::open`].
    pub fn open_with_cache(path: &Path, cache_bytes: u64) -> Result<Self, StoreError> {
        let config = sled::Config::new()
            .path(path)
            .mode(sled::Mode::HighThroughput)
            .cache_capacity(cache_bytes);
        // sled's flusher thread lets go of the directory's lock a moment
        // after the last handle in this process is dropped: an open right
        // after (a compaction's, a test's) waits for it, briefly. A lock
        // another process holds is still refused, after that wait.
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        let db = loop {
            match config.open() {
                // sled reports a held lock as an I/O error of kind Other
                // with this message (sled 0.34's `Config::open`).
                Err(sled::Error::Io(e))
                    if e.to_string().starts_with("could not acquire lock")
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => break other.map_err(err)?,
            }
        };
        let tree = db.open_tree("vledger").map_err(err)?;
        let log_file =
            std::fs::File::open(path.join("db")).map_err(|e| StoreError::Backend(Box::new(e)))?;
        Ok(Self {
            db,
            tree,
            fence: std::sync::Arc::default(),
            log_file: std::sync::Arc::new(log_file),
        })
    }
}

/// Keys copied per batch by [`SledBackend::copy_into`].
const COPY_BATCH: usize = 16 * 1024;

impl SledBackend {
    /// Copies every key and value, in key order, into a new sled database
    /// in directory `path` (which must not hold one) and makes the copy
    /// durable; returns the number of keys copied. sled keeps superseded
    /// versions of rewritten values until it cleans a segment, so a store
    /// that has lived a while takes many times its live bytes; the copy
    /// holds each value once (`vledger compact`).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when sled or the file system fails.
    pub fn copy_into(&self, path: &Path) -> Result<u64, StoreError> {
        if path.join("db").exists() {
            return Err(StoreError::Backend(
                format!("{} already holds a sled database", path.display()).into(),
            ));
        }
        let copy = Self::open(path)?;
        let mut copied = 0u64;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        for kv in &self.tree {
            let (k, v) = kv.map_err(err)?;
            batch.insert(k, v);
            in_batch += 1;
            if in_batch == COPY_BATCH {
                copy.tree
                    .apply_batch(std::mem::take(&mut batch))
                    .map_err(err)?;
                copied += in_batch as u64;
                in_batch = 0;
            }
        }
        copy.tree.apply_batch(batch).map_err(err)?;
        copied += in_batch as u64;
        copy.sync()?;
        Ok(copied)
    }
}

impl Backend for SledBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree.get(key).map_err(err)?.map(|v| v.to_vec()))
    }

    fn scan(&self, start: &[u8], end: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        if start >= end {
            return Ok(Vec::new());
        }
        self.tree
            .range(start..end)
            .take(limit)
            .map(|kv| kv.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(err))
            .collect()
    }

    fn apply(&self, writes: Writes, expected_tree_size: Option<u64>) -> Result<(), StoreError> {
        self.write(writes, expected_tree_size)?;
        self.sync()
    }
}

impl SledBackend {
    /// Applies every write or none, atomically but not yet durably, if
    /// the stored tree size is `expected_tree_size` (or unconditionally
    /// for `None`): the first half of [`Backend::apply`].
    ///
    /// # Errors
    /// [`StoreError::Fenced`] when the stored tree size is another;
    /// [`StoreError::Backend`] when sled fails.
    pub fn write(&self, writes: Writes, expected_tree_size: Option<u64>) -> Result<(), StoreError> {
        let _fence = self
            .fence
            .lock()
            .map_err(|_| StoreError::Backend("sled backend fence lock poisoned".into()))?;
        if expected_tree_size.is_some() {
            let stored = self.tree.get(META_TREE_SIZE).map_err(err)?;
            check_fence(expected_tree_size, stored.as_deref())?;
        }
        let mut batch = sled::Batch::default();
        for (k, v) in writes {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        self.tree.apply_batch(batch).map_err(err)
    }

    /// Makes every write so far durable: the second half of
    /// [`Backend::apply`].
    ///
    /// # Errors
    /// [`StoreError::Backend`] when sled or the file system fails.
    pub fn sync(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(err)?;
        // On Linux sled 0.34.7 "flushes" with sync_file_range, which
        // neither writes the file's metadata nor empties the drive's
        // write cache: an acknowledged batch could still be lost to a
        // power cut. fdatasync on the log file closes that gap.
        self.log_file
            .sync_data()
            .map_err(|e| StoreError::Backend(Box::new(e)))
    }
}
