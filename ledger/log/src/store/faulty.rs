//! A backend that fails on demand, for fault-injection tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Backend, Pair, Pairs, StoreError, Writes};

/// Wraps a backend and makes its `apply` fail once a budget of successful
/// applies is spent, without writing anything — as a disk that fills up or
/// an `fsync` that fails would — or, when armed with
/// [`fail_next_apply_at`](Self::fail_next_apply_at), fail inside the
/// engine at a chosen write of the next batch (see
/// [`Backend::apply_failing_at`]). Reads keep working.
#[derive(Debug, Clone)]
pub struct FaultyBackend<B> {
    inner: B,
    applies_left: Arc<AtomicU64>,
    /// The write at which the next apply fails, plus one; 0 when unarmed.
    fail_at: Arc<AtomicU64>,
}

/// The error [`FaultyBackend`] injects.
#[derive(Debug, thiserror::Error)]
#[error("injected write failure")]
pub struct InjectedFault;

impl<B: Backend> FaultyBackend<B> {
    /// Wraps `inner`; `apply` succeeds `applies` more times, then fails.
    #[must_use]
    pub fn new(inner: B, applies: u64) -> Self {
        Self {
            inner,
            applies_left: Arc::new(AtomicU64::new(applies)),
            fail_at: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Makes the next apply fail at its write `write` (counted from 0),
    /// inside the wrapped engine; later applies are not affected.
    pub fn fail_next_apply_at(&self, write: usize) {
        self.fail_at
            .store((write as u64).saturating_add(1), Ordering::SeqCst);
    }

    /// Sets how many more applies succeed.
    pub fn set_applies_left(&self, applies: u64) {
        self.applies_left.store(applies, Ordering::SeqCst);
    }

    /// The wrapped backend.
    #[must_use]
    pub const fn inner(&self) -> &B {
        &self.inner
    }
}

impl<B: Backend> Backend for FaultyBackend<B> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.get(key)
    }

    fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        self.inner.get_many(keys)
    }

    fn first_in_ranges(
        &self,
        ranges: &[(Vec<u8>, Vec<u8>)],
    ) -> Result<Vec<Option<Pair>>, StoreError> {
        self.inner.first_in_ranges(ranges)
    }

    fn close(&self) -> Result<(), StoreError> {
        self.inner.close()
    }

    fn scan(&self, start: &[u8], end: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        self.inner.scan(start, end, limit)
    }

    fn apply(&self, writes: Writes, expected_tree_size: Option<u64>) -> Result<(), StoreError> {
        let armed = self.fail_at.swap(0, Ordering::SeqCst);
        if let Some(write) = armed.checked_sub(1) {
            let write = usize::try_from(write).unwrap_or(usize::MAX);
            return self
                .inner
                .apply_failing_at(writes, expected_tree_size, write);
        }
        let spent = self
            .applies_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if spent.is_err() {
            return Err(StoreError::Backend(Box::new(InjectedFault)));
        }
        self.inner.apply(writes, expected_tree_size)
    }

    fn apply_failing_at(
        &self,
        writes: Writes,
        expected_tree_size: Option<u64>,
        fail_at: usize,
    ) -> Result<(), StoreError> {
        self.inner
            .apply_failing_at(writes, expected_tree_size, fail_at)
    }
}
