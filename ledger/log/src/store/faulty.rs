//! A backend that fails on demand, for fault-injection tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Backend, Pairs, StoreError, Writes};

/// Wraps a backend and makes its `apply` fail once a budget of successful
/// applies is spent, without writing anything — as a disk that fills up or
/// an `fsync` that fails would. Reads keep working.
#[derive(Debug, Clone)]
pub struct FaultyBackend<B> {
    inner: B,
    applies_left: Arc<AtomicU64>,
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
        }
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

    fn scan(&self, start: &[u8], end: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        self.inner.scan(start, end, limit)
    }

    fn apply(&self, writes: Writes) -> Result<(), StoreError> {
        let spent = self
            .applies_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if spent.is_err() {
            return Err(StoreError::Backend(Box::new(InjectedFault)));
        }
        self.inner.apply(writes)
    }
}
