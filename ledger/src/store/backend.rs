//! The key-value backend under [`LogStore`](super::LogStore).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use super::StoreError;

/// Key-value pairs, in key order.
pub type Pairs = Vec<(Vec<u8>, Vec<u8>)>;
/// Writes to apply together: a `None` value removes the key.
pub type Writes = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// An ordered key-value store that can apply a set of writes atomically and
/// durably.
///
/// vledger's whole on-disk state lives in one keyspace (see
/// `docs/store.md`); a backend only has to get, scan in key order, and
/// apply a batch. [`MemoryBackend`] serves tests; `SledBackend` serves the
/// node.
pub trait Backend: Send + Sync {
    /// The value at `key`.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the backend fails.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// Up to `limit` pairs with `start <= key < end`, in key order.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the backend fails.
    fn scan(&self, start: &[u8], end: &[u8], limit: usize) -> Result<Pairs, StoreError>;

    /// Applies every write, or none, and returns only once they are
    /// durable: after a crash, either all of them are there or none is.
    /// A `None` value removes the key.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the backend fails; the writes may then
    /// be partly durable or not at all, and the caller must not use the
    /// store again without re-checking it.
    fn apply(&self, writes: Writes) -> Result<(), StoreError>;
}

/// A backend in memory, for tests and benches. Clones share the same map.
#[derive(Debug, Clone, Default)]
pub struct MemoryBackend {
    map: Arc<RwLock<BTreeMap<Vec<u8>, Vec<u8>>>>,
}

impl MemoryBackend {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn poisoned() -> StoreError {
        StoreError::Backend("memory backend lock poisoned".into())
    }
}

impl Backend for MemoryBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .map
            .read()
            .map_err(|_| Self::poisoned())?
            .get(key)
            .cloned())
    }

    fn scan(&self, start: &[u8], end: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        if start >= end {
            return Ok(Vec::new());
        }
        let map = self.map.read().map_err(|_| Self::poisoned())?;
        Ok(map
            .range(start.to_vec()..end.to_vec())
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn apply(&self, writes: Writes) -> Result<(), StoreError> {
        let mut map = self.map.write().map_err(|_| Self::poisoned())?;
        for (k, v) in writes {
            match v {
                Some(v) => map.insert(k, v),
                None => map.remove(&k),
            };
        }
        Ok(())
    }
}

#[cfg(feature = "sled")]
pub use self::sled_backend::SledBackend;

#[cfg(feature = "sled")]
mod sled_backend {
    use std::path::Path;

    use super::{Backend, Pairs, StoreError, Writes};

    /// The sled backend: one sled tree, one atomic `apply_batch` and one
    /// `flush` per [`Backend::apply`].
    #[derive(Debug, Clone)]
    pub struct SledBackend {
        db: sled::Db,
        tree: sled::Tree,
        /// sled's log file, to `fdatasync` after each flush (see `apply`).
        log_file: std::sync::Arc<std::fs::File>,
    }

    fn err(e: sled::Error) -> StoreError {
        StoreError::Backend(Box::new(e))
    }

    impl SledBackend {
        /// Opens (or creates) the sled database in directory `path`.
        ///
        /// # Errors
        /// [`StoreError::Backend`] when sled cannot open it (for example
        /// while another process holds it).
        pub fn open(path: &Path) -> Result<Self, StoreError> {
            let db = sled::Config::new()
                .path(path)
                .mode(sled::Mode::HighThroughput)
                .open()
                .map_err(err)?;
            let tree = db.open_tree("vledger").map_err(err)?;
            let log_file = std::fs::File::open(path.join("db"))
                .map_err(|e| StoreError::Backend(Box::new(e)))?;
            Ok(Self {
                db,
                tree,
                log_file: std::sync::Arc::new(log_file),
            })
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

        fn apply(&self, writes: Writes) -> Result<(), StoreError> {
            self.write(writes)?;
            self.sync()
        }
    }

    impl SledBackend {
        /// Applies every write or none, atomically but not yet durably:
        /// the first half of [`Backend::apply`].
        ///
        /// # Errors
        /// [`StoreError::Backend`] when sled fails.
        pub fn write(&self, writes: Writes) -> Result<(), StoreError> {
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
}
