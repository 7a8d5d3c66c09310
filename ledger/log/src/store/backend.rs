//! The key-value backend under [`LogStore`](super::LogStore).

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
/// apply a batch. `MemoryBackend` serves tests; `SledBackend` serves the
/// node.
pub trait Backend: Send + Sync + std::fmt::Debug {
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

/// A shared backend chosen at run time: what the node runs on, whichever
/// engine is behind it.
impl<B: Backend + ?Sized> Backend for std::sync::Arc<B> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get(key)
    }

    fn scan(&self, start: &[u8], end: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        (**self).scan(start, end, limit)
    }

    fn apply(&self, writes: Writes) -> Result<(), StoreError> {
        (**self).apply(writes)
    }
}
