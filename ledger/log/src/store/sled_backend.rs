//! The sled backend, the node's embedded default (feature `sled`).

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use super::backend::check_fence;
use super::journal::Journal;
use super::layout::META_TREE_SIZE;
use super::{Backend, Pairs, StoreError, Writes};

/// Writes not yet in sled, newest value per key (`None`: removed).
type Pending = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// What the journals hold that sled does not yet: what reads see first.
#[derive(Debug, Default)]
struct Overlay {
    /// Batches since the journal was last rotated.
    active: Pending,
    /// Batches of the rotated journal, on their way to sled.
    frozen: Option<Arc<Pending>>,
}

impl Overlay {
    fn get(&self, key: &[u8]) -> Option<&Option<Vec<u8>>> {
        self.active
            .get(key)
            .or_else(|| self.frozen.as_ref().and_then(|f| f.get(key)))
    }
}

/// The sled backend: one sled tree behind a journal.
///
/// A batch is appended to the journal (a file in sled's directory) and
/// `fdatasync`ed, which makes it durable, and its writes wait in memory,
/// where reads see them first. When the journal reaches its limit
/// ([`DEFAULT_JOURNAL_BYTES`]), everything waiting goes to sled in one
/// atomic batch, sled is flushed and the journal emptied; an open replays
/// whatever journal it finds into sled first. sled thus writes each key
/// once per journal's worth of batches instead of once per batch, and
/// keeps far fewer superseded page versions (`docs/store.md`, "The
/// journal").
///
/// The fence (the stored tree size checked before a batch) is kept by a
/// mutex that every clone shares: sled's own file lock already keeps any
/// other process out of the database, so only this process's writers can
/// race, and they all take the mutex.
#[derive(Debug, Clone)]
pub struct SledBackend {
    db: sled::Db,
    tree: sled::Tree,
    /// The journal and its limit, held from a batch's fence check until
    /// it is durable (and, past the limit, in sled).
    writer: Arc<Mutex<Writer>>,
    /// What the journal holds that sled does not yet.
    overlay: Arc<RwLock<Overlay>>,
    /// sled's log file, to `fdatasync` after each flush (see `fold`).
    log_file: Arc<std::fs::File>,
}

#[derive(Debug)]
struct Writer {
    journal: Journal,
    /// sled's directory, which holds the journals.
    dir: std::path::PathBuf,
    /// Journal bytes past which the overlay goes to sled.
    limit: u64,
    /// The thread writing the rotated journal's batches to sled.
    folding: Option<std::thread::JoinHandle<Result<(), StoreError>>>,
}

impl Drop for Writer {
    /// The store's last handle waits for its fold: no thread goes on
    /// writing to a database nobody holds. (`SledBackend`'s drop joins it
    /// first; this covers two last clones dropped at once, where neither
    /// saw itself last.)
    fn drop(&mut self) {
        if let Some(thread) = self.folding.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SledBackend {
    /// The last handle (the fold thread holds none of the writer's) waits
    /// for the fold and flushes sled in turn with the process's other
    /// sled writes (`SLED_WRITES`), so that sled's own flush when the
    /// database closes finds nothing left to wait for.
    fn drop(&mut self) {
        if Arc::strong_count(&self.writer) == 1 {
            let folding = self
                .writer
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .folding
                .take();
            if let Some(thread) = folding {
                let _ = thread.join();
            }
            let _ = sled_write(|| self.db.flush());
        }
    }
}

/// The journal's file, in sled's directory.
pub const JOURNAL_FILE: &str = "vledger-journal";
/// The rotated journal's file, while sled takes its batches.
const OLD_JOURNAL_FILE: &str = "vledger-journal.old";

/// The journal's size past which its writes go to sled: 64 MiB. The
/// overlay in memory is at most about this size.
pub const DEFAULT_JOURNAL_BYTES: u64 = 64 << 20;

fn err(e: sled::Error) -> StoreError {
    StoreError::Backend(Box::new(e))
}

/// How long an open waits for sled's directory lock to be let go.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// sled's page cache unless told otherwise: 128 MiB (sled's own default
/// is 1 GiB, which a node under load fills). With the journal in front,
/// sled is read for what the overlay does not hold, and written a
/// journal's worth at a time.
pub const DEFAULT_SLED_CACHE_BYTES: u64 = 128 << 20;

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
                Err(sled::Error::Io(e)) if e.to_string().starts_with("could not acquire lock") => {
                    return Err(StoreError::InUse);
                }
                other => break other.map_err(err)?,
            }
        };
        let tree = db.open_tree("vledger").map_err(err)?;
        let log_file =
            std::fs::File::open(path.join("db")).map_err(|e| StoreError::Backend(Box::new(e)))?;
        // A rotated journal left by a crash holds older batches than the
        // current one: both are replayed, in that order.
        let old = path.join(OLD_JOURNAL_FILE);
        let mut batches = Vec::new();
        if old.exists() {
            batches = Journal::open(&old)?.1;
        }
        let (journal, current) = Journal::open(&path.join(JOURNAL_FILE))?;
        batches.extend(current);
        let backend = Self {
            db,
            tree,
            writer: Arc::new(Mutex::new(Writer {
                journal,
                dir: path.to_path_buf(),
                limit: DEFAULT_JOURNAL_BYTES,
                folding: None,
            })),
            overlay: Arc::default(),
            log_file: Arc::new(log_file),
        };
        // What the journals hold goes to sled before anything is read:
        // batches in order, so each key ends with its newest value (a
        // batch sled already holds is written again, to the same end).
        {
            let mut overlay = backend
                .overlay
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            for (k, v) in batches.into_iter().flatten() {
                overlay.active.insert(k, v);
            }
        }
        backend.checkpoint()?;
        Ok(backend)
    }

    /// Sets the journal's size past which its writes go to sled
    /// ([`DEFAULT_JOURNAL_BYTES`] unless set).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when another thread panicked while writing.
    pub fn set_journal_limit(&self, bytes: u64) -> Result<(), StoreError> {
        self.lock_writer()?.limit = bytes;
        Ok(())
    }

    /// Writes everything the journals hold to sled, durably, and empties
    /// them: what happens by itself, in the background, when the journal
    /// reaches its limit, and before a copy.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when sled or the file system fails.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let mut writer = self.lock_writer()?;
        // A fold that failed left its batches in the overlay and in the
        // rotated journal: they go first.
        let folded = Self::finish_fold(&mut writer);
        let overlay = self.overlay.read().unwrap_or_else(PoisonError::into_inner);
        if folded.is_err()
            && let Some(frozen) = &overlay.frozen
        {
            self.write_to_sled(frozen, false)?;
        }
        self.write_to_sled(&overlay.active, false)?;
        drop(overlay);
        if writer.journal.len() > 0 {
            writer.journal.clear()?;
        }
        let old = writer.dir.join(OLD_JOURNAL_FILE);
        if old.exists() {
            remove_rotated(&writer.dir)?;
        }
        *self.overlay.write().unwrap_or_else(PoisonError::into_inner) = Overlay::default();
        Ok(())
    }

    fn lock_writer(&self) -> Result<std::sync::MutexGuard<'_, Writer>, StoreError> {
        self.writer
            .lock()
            .map_err(|_| StoreError::Backend("sled backend writer lock poisoned".into()))
    }

    /// `pending` into sled, durably. Not atomically: until it returns,
    /// the journal that holds `pending` stays, and replaying it gives the
    /// same values whatever part of them sled took. It goes in batches of
    /// [`FOLD_BATCH`] keys: one sled batch of a whole journal's keys costs
    /// sled many times their size in memory.
    ///
    /// With `paced`, it rests after each sled batch as long as the batch
    /// took: a fold in the background then takes at most about half of a
    /// core and of the disk, and the batches committed meanwhile (each one
    /// `fdatasync` of the journal) keep their latency.
    fn write_to_sled(&self, pending: &Pending, paced: bool) -> Result<(), StoreError> {
        write_to_sled(&self.db, &self.tree, &self.log_file, pending, paced)
    }

    /// Waits for the fold under way, if any, and reports how it ended.
    fn finish_fold(writer: &mut Writer) -> Result<(), StoreError> {
        match writer.folding.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| StoreError::Backend("the thread writing to sled panicked".into()))?,
            None => Ok(()),
        }
    }

    /// Rotates the journal and writes its batches to sled on a thread of
    /// their own, then removes the rotated journal. Reads see those
    /// batches in the overlay until sled holds them. The caller has
    /// waited for the previous fold: at most two journals' worth of
    /// batches wait in memory.
    fn start_fold(&self, writer: &mut Writer) -> Result<(), StoreError> {
        let old = writer.dir.join(OLD_JOURNAL_FILE);
        if old.exists() {
            return Err(StoreError::Backend(
                "a rotated journal is still waiting to go to sled".into(),
            ));
        }
        writer
            .journal
            .rotate(&writer.dir.join(JOURNAL_FILE), &old)?;
        let frozen = {
            let mut overlay = self.overlay.write().unwrap_or_else(PoisonError::into_inner);
            let frozen = Arc::new(std::mem::take(&mut overlay.active));
            overlay.frozen = Some(Arc::clone(&frozen));
            frozen
        };
        let (db, tree, log_file) = (self.db.clone(), self.tree.clone(), self.log_file.clone());
        let overlay = Arc::clone(&self.overlay);
        let dir = writer.dir.clone();
        let thread = std::thread::Builder::new()
            .name("vledger-sled-fold".into())
            .spawn(move || {
                write_to_sled(&db, &tree, &log_file, &frozen, true)?;
                remove_rotated(&dir)?;
                overlay
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .frozen = None;
                Ok(())
            })
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        writer.folding = Some(thread);
        Ok(())
    }
}

/// Removes the rotated journal in `dir`, durably, once sled holds its
/// batches.
fn remove_rotated(dir: &Path) -> Result<(), StoreError> {
    std::fs::remove_file(dir.join(OLD_JOURNAL_FILE))
        .map_err(|e| StoreError::Backend(Box::new(e)))?;
    super::journal::sync_dir(dir)
}

/// [`SledBackend::write_to_sled`], for the fold thread, which holds sled's
/// handles but not the store's writer (whose last owner waits for it).
fn write_to_sled(
    db: &sled::Db,
    tree: &sled::Tree,
    log_file: &std::fs::File,
    pending: &Pending,
    paced: bool,
) -> Result<(), StoreError> {
    if pending.is_empty() {
        return Ok(());
    }
    let mut batch = sled::Batch::default();
    let mut in_batch = 0;
    for (k, v) in pending {
        match v {
            Some(v) => batch.insert(k.as_slice(), v.as_slice()),
            None => batch.remove(k.as_slice()),
        }
        in_batch += 1;
        if in_batch == FOLD_BATCH {
            let started = std::time::Instant::now();
            sled_write(|| tree.apply_batch(std::mem::take(&mut batch)))?;
            in_batch = 0;
            if paced {
                std::thread::sleep(started.elapsed());
            }
        }
    }
    sled_write(|| tree.apply_batch(batch))?;
    sled_write(|| db.flush().map(drop))?;
    // On Linux sled 0.34.7 "flushes" with sync_file_range, which
    // neither writes the file's metadata nor empties the drive's
    // write cache. fdatasync on the log file closes that gap.
    log_file
        .sync_data()
        .map_err(|e| StoreError::Backend(Box::new(e)))
}

/// Taken by every batch and flush this process makes to any sled
/// database. sled 0.34 guards all the databases of a process with one
/// global lock: a flush holds it shared while it waits for its log, a
/// batch waits for it exclusively, and a batch of one database waiting
/// behind the flush of another (a store being closed while a second one
/// folds, as in tests, benches and copies) then stalls sled's own flusher
/// threads, and all three wait for ever. Writes through vledger take
/// turns instead; a node has one database, so they never wait on each
/// other there.
static SLED_WRITES: Mutex<()> = Mutex::new(());

fn sled_write<T>(write: impl FnOnce() -> sled::Result<T>) -> Result<T, StoreError> {
    let _turn = SLED_WRITES.lock().unwrap_or_else(PoisonError::into_inner);
    write().map_err(err)
}

/// Keys per sled batch when the journal's writes go to sled.
const FOLD_BATCH: usize = 1024;

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
        self.checkpoint()?;
        let copy = Self::open(path)?;
        let mut copied = 0u64;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        for kv in &self.tree {
            let (k, v) = kv.map_err(err)?;
            batch.insert(k, v);
            in_batch += 1;
            if in_batch == COPY_BATCH {
                sled_write(|| copy.tree.apply_batch(std::mem::take(&mut batch)))?;
                copied += in_batch as u64;
                in_batch = 0;
            }
        }
        sled_write(|| copy.tree.apply_batch(batch))?;
        copied += in_batch as u64;
        sled_write(|| copy.db.flush().map(drop))?;
        copy.log_file
            .sync_data()
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        Ok(copied)
    }
}

impl Backend for SledBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let overlay = self.overlay.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = overlay.get(key) {
            return Ok(v.clone());
        }
        Ok(self.tree.get(key).map_err(err)?.map(|v| v.to_vec()))
    }

    fn scan(&self, start: &[u8], end: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        if start >= end {
            return Ok(Vec::new());
        }
        let overlay = self.overlay.read().unwrap_or_else(PoisonError::into_inner);
        let range = (Bound::Included(start), Bound::Excluded(end));
        // Three sorted sources merged lazily, so that a scan costs what it
        // returns, not what the overlay holds in its range: the active
        // overlay, the frozen one (being folded) and sled. On a tie the
        // newer stands: active, then frozen, then sled.
        let mut active = overlay.active.range::<[u8], _>(range).peekable();
        let mut frozen = overlay
            .frozen
            .as_deref()
            .map(|m| m.range::<[u8], _>(range).peekable());
        let mut stored = self.tree.range(start..end);
        let mut next_stored = stored.next().transpose().map_err(err)?;
        let mut out = Vec::new();
        while out.len() < limit {
            let a = active.peek().map(|(k, _)| k.as_slice());
            let f = frozen
                .as_mut()
                .and_then(|f| f.peek().map(|(k, _)| k.as_slice()));
            let d = next_stored.as_ref().map(|(k, _)| k.as_ref());
            let Some(key) = [a, f, d].into_iter().flatten().min().map(<[u8]>::to_vec) else {
                break;
            };
            let mut value: Option<Option<Vec<u8>>> = None;
            if d == Some(key.as_slice()) {
                value = next_stored.take().map(|(_, v)| Some(v.to_vec()));
                next_stored = stored.next().transpose().map_err(err)?;
            }
            if f == Some(key.as_slice())
                && let Some((_, v)) = frozen.as_mut().and_then(Iterator::next)
            {
                value = Some(v.clone());
            }
            if a == Some(key.as_slice())
                && let Some((_, v)) = active.next()
            {
                value = Some(v.clone());
            }
            if let Some(Some(v)) = value {
                out.push((key, v));
            }
        }
        Ok(out)
    }

    fn apply(&self, writes: Writes, expected_tree_size: Option<u64>) -> Result<(), StoreError> {
        self.write(writes, expected_tree_size)?;
        self.sync()
    }

    fn close(&self) -> Result<(), StoreError> {
        self.checkpoint()
    }
}

impl SledBackend {
    /// Appends every write to the journal and makes them visible, if the
    /// stored tree size is `expected_tree_size` (or unconditionally for
    /// `None`), but not yet durably: the first half of
    /// [`Backend::apply`].
    ///
    /// # Errors
    /// [`StoreError::Fenced`] when the stored tree size is another;
    /// [`StoreError::Backend`] when sled or the file system fails.
    pub fn write(&self, writes: Writes, expected_tree_size: Option<u64>) -> Result<(), StoreError> {
        let mut writer = self.lock_writer()?;
        if expected_tree_size.is_some() {
            let stored = self.get(META_TREE_SIZE)?;
            check_fence(expected_tree_size, stored.as_deref())?;
        }
        writer.journal.append(&writes)?;
        let mut overlay = self.overlay.write().unwrap_or_else(PoisonError::into_inner);
        for (k, v) in writes {
            overlay.active.insert(k, v);
        }
        Ok(())
    }

    /// Makes every write so far durable (the journal `fdatasync`ed), and
    /// past the journal's limit writes them to sled: the second half of
    /// [`Backend::apply`].
    ///
    /// # Errors
    /// [`StoreError::Backend`] when sled or the file system fails.
    pub fn sync(&self) -> Result<(), StoreError> {
        let mut writer = self.lock_writer()?;
        writer.journal.sync()?;
        if writer.journal.len() >= writer.limit {
            Self::finish_fold(&mut writer)?;
            self.start_fold(&mut writer)?;
        }
        Ok(())
    }
}
