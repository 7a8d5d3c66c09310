//! The key-value backend under [`LogStore`](super::LogStore).

use super::StoreError;

/// A key and its value.
pub type Pair = (Vec<u8>, Vec<u8>);
/// Key-value pairs, in key order.
pub type Pairs = Vec<Pair>;
/// Writes to apply together: a `None` value removes the key.
pub type Writes = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// An ordered key-value store that can apply a set of writes atomically and
/// durably, fenced by the stored tree size.
///
/// vledger's whole on-disk state lives in one keyspace (see
/// `docs/store.md`); a backend only has to get, scan in key order, and
/// apply a batch, only while the stored tree size is the one its writer
/// last committed. `MemoryBackend` serves tests; `SledBackend` and
/// `PostgresBackend` serve the node.
///
/// Every method blocks: the node calls them from its sequencer thread and
/// from the async runtime's blocking pool, never from a runtime worker.
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// The value at `key`.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the backend fails.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// The values at `keys`, in the same order: what `get` of each gives,
    /// read together. A backend across a network reads them in one round
    /// trip (the writer reads a batch's states this way); this default
    /// reads them one at a time.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the backend fails.
    fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        keys.iter().map(|k| self.get(k)).collect()
    }

    /// Up to `limit` pairs with `start <= key < end`, in key order.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the backend fails.
    fn scan(&self, start: &[u8], end: &[u8], limit: usize) -> Result<Pairs, StoreError>;

    /// The first pair of each range `start <= key < end`, in the order
    /// asked: what `scan(start, end, 1)` of each gives, read together (a
    /// batch's newest fact chunks are read this way). This default scans
    /// them one at a time.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the backend fails.
    fn first_in_ranges(
        &self,
        ranges: &[(Vec<u8>, Vec<u8>)],
    ) -> Result<Vec<Option<Pair>>, StoreError> {
        ranges
            .iter()
            .map(|(start, end)| Ok(self.scan(start, end, 1)?.into_iter().next()))
            .collect()
    }

    /// Applies every write, or none, and returns only once they are
    /// durable: after a crash, either all of them are there or none is.
    /// A `None` value removes the key.
    ///
    /// With `expected_tree_size` set, the writes apply only if the stored
    /// tree size ([`META_TREE_SIZE`](super::layout::META_TREE_SIZE), absent = 0) is still that size,
    /// checked and written in one atomic step: the compare-and-swap that
    /// keeps a second sequencer on the same store from ever writing.
    /// `None` applies unconditionally, for tools that rewrite a stopped
    /// store.
    ///
    /// # Errors
    /// [`StoreError::Fenced`] when the stored tree size is another; nothing
    /// was then written. [`StoreError::Backend`] when the backend fails;
    /// the writes may then be durable or not, and the caller must not use
    /// the store again without re-checking it.
    fn apply(&self, writes: Writes, expected_tree_size: Option<u64>) -> Result<(), StoreError>;

    /// Puts away what waits in memory before the process exits (the sled
    /// backend writes its journal into sled, so that the next open has
    /// nothing to replay). Nothing is lost without it: it only saves the
    /// next open some work and the disk the journal's space.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the backend fails.
    fn close(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Like [`apply`](Self::apply), but the engine fails at write
    /// `fail_at` of the batch (a batch of fewer writes applies as usual),
    /// for fault-injection tests
    /// ([`FaultyBackend`](super::FaultyBackend)). An engine that takes a
    /// batch whole (memory, sled) fails before anything is applied, which
    /// is what this default does; a transactional one overrides it to run
    /// the writes before `fail_at` and have the engine itself refuse write
    /// `fail_at`, so that its rollback is what is tested.
    ///
    /// # Errors
    /// The injected failure, or whatever [`apply`](Self::apply) returns.
    #[cfg(feature = "test-backends")]
    fn apply_failing_at(
        &self,
        writes: Writes,
        expected_tree_size: Option<u64>,
        fail_at: usize,
    ) -> Result<(), StoreError> {
        if fail_at >= writes.len() {
            return self.apply(writes, expected_tree_size);
        }
        Err(StoreError::Backend(Box::new(super::faulty::InjectedFault)))
    }
}

/// Calls `page_of` with every pair with `start <= key < end`, in key
/// order, `page` pairs (the last time fewer) at a time.
///
/// # Errors
/// The backend's errors, and `page_of`'s.
pub fn scan_pages<B: Backend + ?Sized>(
    backend: &B,
    mut start: Vec<u8>,
    end: &[u8],
    page: usize,
    mut page_of: impl FnMut(Pairs) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    loop {
        let pairs = backend.scan(&start, end, page)?;
        let next = match pairs.last() {
            Some((k, _)) if pairs.len() == page => {
                let mut next = k.clone();
                next.push(0);
                Some(next)
            }
            _ => None,
        };
        page_of(pairs)?;
        match next {
            Some(next) => start = next,
            None => return Ok(()),
        }
    }
}

/// The tree size a stored [`META_TREE_SIZE`](super::layout::META_TREE_SIZE) value names (absent = 0).
///
/// # Errors
/// [`StoreError::Corrupt`] when the value is not a `u64`.
pub fn stored_tree_size(value: Option<&[u8]>) -> Result<u64, StoreError> {
    value.map_or(Ok(0), |v| {
        <[u8; 8]>::try_from(v)
            .map(u64::from_be_bytes)
            .map_err(|_| StoreError::Corrupt("tree size"))
    })
}

/// Checks a batch's fence: `Ok` when there is none or the stored tree size
/// (`stored`, the [`META_TREE_SIZE`](super::layout::META_TREE_SIZE) value) is the expected one.
///
/// # Errors
/// [`StoreError::Fenced`] when it is another; [`StoreError::Corrupt`] when
/// the stored value is malformed.
pub fn check_fence(expected: Option<u64>, stored: Option<&[u8]>) -> Result<(), StoreError> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let found = stored_tree_size(stored)?;
    if found == expected {
        Ok(())
    } else {
        Err(StoreError::Fenced { expected, found })
    }
}

/// A shared backend chosen at run time: what the node runs on, whichever
/// engine is behind it.
impl<B: Backend + ?Sized> Backend for std::sync::Arc<B> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get(key)
    }

    fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        (**self).get_many(keys)
    }

    fn scan(&self, start: &[u8], end: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        (**self).scan(start, end, limit)
    }

    fn first_in_ranges(
        &self,
        ranges: &[(Vec<u8>, Vec<u8>)],
    ) -> Result<Vec<Option<Pair>>, StoreError> {
        (**self).first_in_ranges(ranges)
    }

    fn apply(&self, writes: Writes, expected_tree_size: Option<u64>) -> Result<(), StoreError> {
        (**self).apply(writes, expected_tree_size)
    }

    fn close(&self) -> Result<(), StoreError> {
        (**self).close()
    }

    #[cfg(feature = "test-backends")]
    fn apply_failing_at(
        &self,
        writes: Writes,
        expected_tree_size: Option<u64>,
        fail_at: usize,
    ) -> Result<(), StoreError> {
        (**self).apply_failing_at(writes, expected_tree_size, fail_at)
    }
}
