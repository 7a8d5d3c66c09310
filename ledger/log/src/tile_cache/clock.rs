//! A map bounded by the total weight of its values, evicting with the CLOCK
//! (second-chance) algorithm.
//!
//! Values never change once inserted (full tiles and bundles are
//! immutable), so there is no update and no invalidation. A lookup takes a
//! shared lock and sets the slot's reference bit; an insert takes the
//! exclusive lock and sweeps the clock hand over the slots, clearing
//! reference bits, until it finds unreferenced ones to evict and the new
//! value fits. A value used since the hand last passed survives one more
//! turn: the upper-level tiles every proof reads stay, tiles read once go
//! first.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{PoisonError, RwLock};

/// The map: at most `bound` in total weight.
#[derive(Debug)]
pub(super) struct Clock<K, V> {
    /// The largest total weight held.
    bound: usize,
    /// The slots and where each key is.
    inner: RwLock<Inner<K, V>>,
}

#[derive(Debug)]
struct Inner<K, V> {
    /// Key to slot.
    index: HashMap<K, usize>,
    /// The values, in no order; the hand sweeps over them. An evicted
    /// value leaves a hole that the next insert fills, behind the hand.
    slots: Vec<Option<Slot<K, V>>>,
    /// The holes.
    free: Vec<usize>,
    /// The next slot the hand looks at.
    hand: usize,
    /// Total weight of the slots.
    weight: usize,
}

#[derive(Debug)]
struct Slot<K, V> {
    key: K,
    value: V,
    weight: usize,
    /// Set by each lookup, cleared by the hand.
    referenced: AtomicBool,
}

impl<K: Hash + Eq + Copy, V: Clone> Clock<K, V> {
    /// An empty map holding at most `bound` in weight.
    pub(super) fn new(bound: usize) -> Self {
        Self {
            bound,
            inner: RwLock::new(Inner {
                index: HashMap::new(),
                slots: Vec::new(),
                free: Vec::new(),
                hand: 0,
                weight: 0,
            }),
        }
    }

    /// The value of `key`, marked as used.
    pub(super) fn get(&self, key: &K) -> Option<V> {
        let inner = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        let slot = inner.slots.get(*inner.index.get(key)?)?.as_ref()?;
        slot.referenced.store(true, Ordering::Relaxed);
        Some(slot.value.clone())
    }

    /// Adds `value` of `weight` under `key`, evicting what the hand finds
    /// unused until it fits; a value heavier than the whole bound is not
    /// kept. A key already present keeps its value.
    pub(super) fn insert(&self, key: K, value: V, weight: usize) {
        if weight > self.bound {
            return;
        }
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        if inner.index.contains_key(&key) {
            return;
        }
        while inner.weight + weight > self.bound && inner.evict_one() {}
        let slot = Some(Slot {
            key,
            value,
            weight,
            referenced: AtomicBool::new(false),
        });
        let at = if let Some(at) = inner.free.pop() {
            inner.slots[at] = slot;
            at
        } else {
            inner.slots.push(slot);
            inner.slots.len() - 1
        };
        inner.index.insert(key, at);
        inner.weight += weight;
    }

    /// Total weight held.
    pub(super) fn weight(&self) -> usize {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .weight
    }

    /// Values held.
    pub(super) fn len(&self) -> usize {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .index
            .len()
    }
}

impl<K: Hash + Eq + Copy, V> Inner<K, V> {
    /// Moves the hand to the first unreferenced value, clearing the bits it
    /// passes, and evicts it; false when there is nothing to evict.
    fn evict_one(&mut self) -> bool {
        if self.index.is_empty() {
            return false;
        }
        loop {
            if self.hand >= self.slots.len() {
                self.hand = 0;
            }
            let at = self.hand;
            self.hand += 1;
            let Some(slot) = &self.slots[at] else {
                continue;
            };
            if slot.referenced.swap(false, Ordering::Relaxed) {
                continue;
            }
            if let Some(gone) = self.slots[at].take() {
                self.index.remove(&gone.key);
                self.weight -= gone.weight;
                self.free.push(at);
            }
            return true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_within_its_bound_and_evicts_unused_values_first() {
        let clock: Clock<u32, u32> = Clock::new(100);
        for k in 0..10 {
            clock.insert(k, k * 10, 10);
        }
        assert_eq!((clock.len(), clock.weight()), (10, 100));
        // 3 and 7 are used; the next inserts evict others.
        assert_eq!(clock.get(&3), Some(30));
        assert_eq!(clock.get(&7), Some(70));
        for k in 10..18 {
            clock.insert(k, k * 10, 10);
            assert!(clock.weight() <= 100);
        }
        assert_eq!(clock.get(&3), Some(30));
        assert_eq!(clock.get(&7), Some(70));
        assert_eq!(clock.len(), 10);
        let held = (0..18).filter(|k| clock.get(k).is_some()).count();
        assert_eq!(held, 10);
        // Every key still maps to its own value after the moves.
        for k in 0..18 {
            if let Some(v) = clock.get(&k) {
                assert_eq!(v, k * 10);
            }
        }
    }

    #[test]
    fn heavy_values_evict_several_and_too_heavy_ones_are_not_kept() {
        let clock: Clock<u32, u32> = Clock::new(100);
        for k in 0..10 {
            clock.insert(k, k, 10);
        }
        clock.insert(100, 100, 45);
        assert!(clock.weight() <= 100);
        assert_eq!(clock.get(&100), Some(100));
        assert_eq!(clock.len(), 6);
        clock.insert(200, 200, 101);
        assert_eq!(clock.get(&200), None);
        // A key already present keeps its first value and weight.
        clock.insert(100, 7, 1);
        assert_eq!(clock.get(&100), Some(100));
        assert!(clock.weight() <= 100);
        let empty: Clock<u32, u32> = Clock::new(0);
        empty.insert(1, 1, 1);
        assert_eq!((empty.len(), empty.weight()), (0, 0));
    }
}
