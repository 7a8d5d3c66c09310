//! The deduplication index of a store that keeps its tiles as files:
//! sorted run files ([`DedupRuns`]) for the entries up to the last run
//! boundary, and the keys of the entries after it in memory.
//!
//! In the key-value store an index key per entry costs far more than its
//! 40 bytes (sled spends about 100 bytes of its own on each small key), so
//! beside a tile archive the index leaves it. A run record keeps 11 bytes
//! of the key: a record that matches is checked against the entry it names
//! before it is believed. The runs are written after the batches they
//! cover are durable, and only the entries since the last run (fewer than
//! [`RUN_ENTRIES`], plus one batch) are read again at open.

use std::collections::HashMap;
use std::path::Path;

use vledger_records::Entry;
use vledger_tlog::hash::Hash;

use super::StoreError;
use super::runs::DedupRuns;

/// Entries a new run covers, at least: the memory part holds the keys of
/// fewer entries than this (plus one batch), about 5 MiB at most.
pub const RUN_ENTRIES: u64 = 1 << 16;

/// The deduplication index beside a tile archive.
#[derive(Debug)]
pub struct DedupIndex {
    runs: DedupRuns,
    /// The keys of entries `[runs.covered(), tree size)`.
    tail: HashMap<Hash, u64>,
    /// Entries a new run covers, at least.
    run_entries: u64,
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Backend(Box::new(e))
}

impl DedupIndex {
    /// Opens the runs in `dir`, to be extended by a run every
    /// `run_entries` entries, and indexes the entries after them, up to
    /// `tree_size`, reading them with `entries(start, end)` (which may
    /// return fewer than asked, never none).
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the runs cover more entries than the
    /// log holds; the runs' and `entries`' errors.
    pub fn open(
        dir: &Path,
        run_entries: u64,
        tree_size: u64,
        mut entries: impl FnMut(u64, u64) -> Result<Vec<Vec<u8>>, StoreError>,
    ) -> Result<Self, StoreError> {
        let runs = DedupRuns::open(dir).map_err(io)?;
        if runs.covered() > tree_size {
            return Err(StoreError::Corrupt(
                "deduplication index (it covers more entries than the log holds)",
            ));
        }
        let mut tail = HashMap::new();
        let mut next = runs.covered();
        while next < tree_size {
            let page = entries(next, tree_size)?;
            if page.is_empty() {
                return Err(StoreError::Missing {
                    what: "entry",
                    index: next,
                });
            }
            for bytes in page {
                if let Some(key) = Entry::logged_dedup_key(&bytes) {
                    tail.insert(key, next);
                }
                next += 1;
            }
        }
        Ok(Self {
            runs,
            tail,
            run_entries: run_entries.max(1),
        })
    }

    /// The index of the entry with key `key` if it is among the latest
    /// entries (which memory holds whole).
    #[must_use]
    pub fn recent(&self, key: &Hash) -> Option<u64> {
        self.tail.get(key).copied()
    }

    /// The entries of the runs whose record matches `key`: each may be
    /// that key's entry or another one's sharing its first 11 bytes.
    ///
    /// # Errors
    /// When a run cannot be read.
    pub fn candidates(&self, key: &Hash) -> Result<Vec<u64>, StoreError> {
        self.runs.candidates(key.as_bytes()).map_err(io)
    }

    /// Takes in the keys of a batch that made the log `tree_size` entries
    /// long, durably; once the entries since the last run reach the run
    /// size, writes them as a run.
    ///
    /// # Errors
    /// When the run cannot be written (the batch itself is durable: the
    /// next open indexes it again).
    pub fn add(&mut self, keys: &[(Hash, u64)], tree_size: u64) -> Result<(), StoreError> {
        self.tail.extend(keys.iter().copied());
        if tree_size - self.runs.covered() >= self.run_entries {
            // Kept in memory until the run is durable.
            let run = self.tail.iter().map(|(k, &i)| (k.0, i)).collect();
            self.runs.push(tree_size, run).map_err(io)?;
            self.tail.clear();
        }
        Ok(())
    }

    /// The keys indexed, in runs and in memory.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.runs.stats().1 + self.tail.len() as u64
    }
}

/// Keys moved per backend apply by [`move_dedup_keys`].
const MOVE_PAGE: usize = 64 * 1024;

/// Moves the deduplication keys a store keeps in `backend` (format 4, or
/// PostgreSQL's layout) into one run in `dir`, then removes them; returns
/// the keys moved. Run again after an interruption, it finishes the job:
/// the run is written whole before any key is removed.
///
/// # Errors
/// [`StoreError::Corrupt`] when `dir` already indexes part of another
/// log; the backend's and the file system's errors.
pub fn move_dedup_keys<B: super::Backend>(backend: &B, dir: &Path) -> Result<u64, StoreError> {
    use super::layout::{DEDUP, META_TREE_SIZE, read_u64};
    let tree_size = super::stored_tree_size(backend.get(META_TREE_SIZE)?.as_deref())?;
    let mut runs = DedupRuns::open(dir).map_err(io)?;
    let mut keys = Vec::new();
    super::scan_pages(backend, vec![DEDUP], &[DEDUP + 1], MOVE_PAGE, |page| {
        for (k, v) in &page {
            let key: [u8; 32] = k[1..]
                .try_into()
                .map_err(|_| StoreError::Corrupt("deduplication key"))?;
            keys.push((key, read_u64(v, "dedup index")?));
        }
        Ok(())
    })?;
    if keys.is_empty() {
        return Ok(0);
    }
    let moved = keys.len() as u64;
    match runs.covered() {
        0 => runs.push(tree_size, keys.clone()).map_err(io)?,
        covered if covered == tree_size => {}
        _ => {
            return Err(StoreError::Corrupt(
                "deduplication index (its runs and the store's keys disagree)",
            ));
        }
    }
    for page in keys.chunks(MOVE_PAGE) {
        let mut w = Vec::with_capacity(page.len());
        for (key, _) in page {
            let mut k = Vec::with_capacity(33);
            k.push(DEDUP);
            k.extend_from_slice(key);
            w.push((k, None));
        }
        backend.apply(w, None)?;
    }
    Ok(moved)
}
