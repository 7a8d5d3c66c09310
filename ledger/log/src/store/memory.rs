//! A backend in memory, for tests and benches (feature `test-backends`).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use super::backend::check_fence;
use super::layout::META_TREE_SIZE;
use super::{Backend, Pairs, StoreError, Writes};

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

    fn apply(&self, writes: Writes, expected_tree_size: Option<u64>) -> Result<(), StoreError> {
        // The write lock makes the fence check and the writes one step.
        let mut map = self.map.write().map_err(|_| Self::poisoned())?;
        check_fence(
            expected_tree_size,
            map.get(META_TREE_SIZE).map(Vec::as_slice),
        )?;
        for (k, v) in writes {
            match v {
                Some(v) => map.insert(k, v),
                None => map.remove(&k),
            };
        }
        Ok(())
    }
}
