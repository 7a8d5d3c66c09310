//! Where a sled-backed append spends its time: a sled backend that times
//! its reads, its `apply_batch` and its `flush` separately.
//!
//! It is `vledger_log::store::SledBackend` itself with a clock around each
//! call: reads, the atomic batch write, and the sync that makes it durable
//! (sled's `flush` and the `fdatasync` the backend adds). The writer bench
//! uses it to split the cost of an append into reads, the batch insert, the
//! fsync, and the writer's own work (everything else), and to count reads
//! and writes by key prefix (the first byte of every key names what it
//! holds: `e` entries, `h` tree hashes, `x` VIN index tiles, and so on; see
//! `vledger_log::store::layout`).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use vledger_log::store::{Backend, SledBackend, StoreError};

/// Counters shared by a [`TimedSled`] and its clones.
#[derive(Debug)]
pub struct Timings {
    gets: AtomicU64,
    get_ns: AtomicU64,
    scans: AtomicU64,
    scan_ns: AtomicU64,
    applies: AtomicU64,
    writes: AtomicU64,
    apply_batch_ns: AtomicU64,
    flush_ns: AtomicU64,
    gets_by_prefix: [AtomicU64; 256],
    writes_by_prefix: [AtomicU64; 256],
}

/// A snapshot of [`Timings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    /// Point reads.
    pub gets: u64,
    /// Time in point reads.
    pub get: Duration,
    /// Range scans.
    pub scans: u64,
    /// Time in range scans.
    pub scan: Duration,
    /// Calls of `Backend::apply` (one per batch).
    pub applies: u64,
    /// Keys written or removed by them.
    pub writes: u64,
    /// Time in sled's `apply_batch`.
    pub apply_batch: Duration,
    /// Time making a batch durable (sled's `flush` and the backend's
    /// `fdatasync`).
    pub flush: Duration,
    /// Point reads by the first byte of the key.
    pub gets_by_prefix: [u64; 256],
    /// Writes by the first byte of the key.
    pub writes_by_prefix: [u64; 256],
}

impl Default for Snapshot {
    fn default() -> Self {
        Self {
            gets: 0,
            get: Duration::ZERO,
            scans: 0,
            scan: Duration::ZERO,
            applies: 0,
            writes: 0,
            apply_batch: Duration::ZERO,
            flush: Duration::ZERO,
            gets_by_prefix: [0; 256],
            writes_by_prefix: [0; 256],
        }
    }
}

impl Snapshot {
    /// `counts` by key prefix, divided by `per`, as `e 1.0, x 12.3`
    /// (printable prefixes only; others as hex), largest first.
    #[must_use]
    pub fn by_prefix(counts: &[u64; 256], per: f64) -> String {
        let mut v: Vec<(u8, u64)> = (0..=255u8)
            .zip(counts.iter().copied())
            .filter(|&(_, n)| n > 0)
            .collect();
        v.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
        v.iter()
            .map(|&(p, n)| {
                let name = if p.is_ascii_graphic() {
                    char::from(p).to_string()
                } else {
                    format!("{p:#04x}")
                };
                format!("{name} {:.1}", n as f64 / per)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            gets: AtomicU64::new(0),
            get_ns: AtomicU64::new(0),
            scans: AtomicU64::new(0),
            scan_ns: AtomicU64::new(0),
            applies: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            apply_batch_ns: AtomicU64::new(0),
            flush_ns: AtomicU64::new(0),
            gets_by_prefix: std::array::from_fn(|_| AtomicU64::new(0)),
            writes_by_prefix: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }
}

impl std::ops::Sub for Snapshot {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        Self {
            gets: self.gets - o.gets,
            get: self.get.saturating_sub(o.get),
            scans: self.scans - o.scans,
            scan: self.scan.saturating_sub(o.scan),
            applies: self.applies - o.applies,
            writes: self.writes - o.writes,
            apply_batch: self.apply_batch.saturating_sub(o.apply_batch),
            flush: self.flush.saturating_sub(o.flush),
            gets_by_prefix: std::array::from_fn(|i| self.gets_by_prefix[i] - o.gets_by_prefix[i]),
            writes_by_prefix: std::array::from_fn(|i| {
                self.writes_by_prefix[i] - o.writes_by_prefix[i]
            }),
        }
    }
}

impl Timings {
    /// The counters now.
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        let d = |a: &AtomicU64| Duration::from_nanos(a.load(Ordering::Relaxed));
        Snapshot {
            gets: self.gets.load(Ordering::Relaxed),
            get: d(&self.get_ns),
            scans: self.scans.load(Ordering::Relaxed),
            scan: d(&self.scan_ns),
            applies: self.applies.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            apply_batch: d(&self.apply_batch_ns),
            flush: d(&self.flush_ns),
            gets_by_prefix: std::array::from_fn(|i| self.gets_by_prefix[i].load(Ordering::Relaxed)),
            writes_by_prefix: std::array::from_fn(|i| {
                self.writes_by_prefix[i].load(Ordering::Relaxed)
            }),
        }
    }
}

fn add(counter: &AtomicU64, since: Instant) {
    let ns = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
    counter.fetch_add(ns, Ordering::Relaxed);
}

/// The node's sled backend with a clock around every call.
#[derive(Debug, Clone)]
pub struct TimedSled {
    inner: SledBackend,
    timings: Arc<Timings>,
}

impl TimedSled {
    /// Opens (or creates) a sled database in `path`, as the node does.
    ///
    /// # Errors
    /// When sled cannot open it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            inner: SledBackend::open(path)?,
            timings: Arc::default(),
        })
    }

    /// The counters, shared with every clone.
    #[must_use]
    pub fn timings(&self) -> Arc<Timings> {
        Arc::clone(&self.timings)
    }
}

impl Backend for TimedSled {
    fn close(&self) -> Result<(), StoreError> {
        self.inner.close()
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let t = Instant::now();
        let v = self.inner.get(key)?;
        add(&self.timings.get_ns, t);
        self.timings.gets.fetch_add(1, Ordering::Relaxed);
        if let Some(&p) = key.first() {
            self.timings.gets_by_prefix[usize::from(p)].fetch_add(1, Ordering::Relaxed);
        }
        Ok(v)
    }

    fn scan(
        &self,
        start: &[u8],
        end: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        let t = Instant::now();
        let v = self.inner.scan(start, end, limit);
        add(&self.timings.scan_ns, t);
        self.timings.scans.fetch_add(1, Ordering::Relaxed);
        v
    }

    fn apply(
        &self,
        writes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
        expected_tree_size: Option<u64>,
    ) -> Result<(), StoreError> {
        let t = Instant::now();
        self.timings
            .writes
            .fetch_add(writes.len() as u64, Ordering::Relaxed);
        for (k, _) in &writes {
            if let Some(&p) = k.first() {
                self.timings.writes_by_prefix[usize::from(p)].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.inner.write(writes, expected_tree_size)?;
        add(&self.timings.apply_batch_ns, t);
        let t = Instant::now();
        self.inner.sync()?;
        add(&self.timings.flush_ns, t);
        self.timings.applies.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_reads_and_writes() {
        let dir = tempfile::tempdir().unwrap();
        let b = TimedSled::open(dir.path()).unwrap();
        let t = b.timings();
        b.apply(
            vec![
                (b"a".to_vec(), Some(b"1".to_vec())),
                (b"b".to_vec(), Some(b"2".to_vec())),
            ],
            None,
        )
        .unwrap();
        assert_eq!(b.get(b"a").unwrap(), Some(b"1".to_vec()));
        assert_eq!(b.scan(b"a", b"c", 10).unwrap().len(), 2);
        let s = t.snapshot();
        assert_eq!((s.gets, s.scans, s.applies, s.writes), (1, 1, 1, 2));
        assert_eq!(
            (
                s.gets_by_prefix[usize::from(b'a')],
                s.writes_by_prefix[usize::from(b'b')]
            ),
            (1, 1)
        );
        assert_eq!(
            Snapshot::by_prefix(&s.writes_by_prefix, 2.0),
            "a 0.5, b 0.5"
        );
        let later = t.snapshot();
        assert_eq!((later - s).gets, 0);
    }
}
