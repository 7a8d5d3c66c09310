//! Where full tiles and entry bundles go once complete.
//!
//! A full hash tile or entry bundle never changes again. A key-value engine
//! that rewrites pages (sled) keeps several copies of such bytes for a
//! while; a plain file written once keeps exactly one. With a
//! [`TileArchive`], [`LogStore::commit`](super::LogStore::commit) puts each
//! tile or bundle that a batch completes into the archive, durably, before
//! the batch's key-value writes, and removes its partial predecessor from
//! the key-value store in that same batch. The key-value store then holds
//! only what still changes: the right edge of the tree, the indexes and the
//! checkpoints.
//!
//! Archiving costs a file, its `fdatasync` and a directory sync per item,
//! tens of milliseconds on a busy disk. A store that
//! [defers](super::LogStore::defer_archiving) it (the node's) writes a
//! completed item whole to the key-value store with its batch instead,
//! durable with it, and a thread of its own moves it to the archive
//! ([`LogStore::archive_committed`](super::LogStore::archive_committed));
//! a later batch removes its key. Reads look in the key-value store first,
//! so an item is readable all along.
//!
//! [`TileDirectory`] is the archive of the embedded store: files laid out
//! exactly on C2SP `tlog-tiles` paths, so that the directory is also a
//! static copy of the log's full tiles that any web server can serve.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use vledger_tlog::tile::{TILE_WIDTH, TileId, entries_path, hash_tile_path};

use super::StoreError;

/// One immutable item of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Archived {
    /// A full entry bundle, by index.
    Bundle(u64),
    /// A full hash tile.
    Tile(TileId),
}

impl Archived {
    /// The item's path under C2SP `tlog-tiles` (full width).
    #[must_use]
    pub fn c2sp_path(self) -> String {
        let full = u16::try_from(TILE_WIDTH).unwrap_or(u16::MAX);
        match self {
            Self::Bundle(index) => entries_path(index, full),
            Self::Tile(tile) => hash_tile_path(tile, full),
        }
    }
}

/// Full tiles and bundles waiting to be archived, at most: past this, a
/// commit archives them itself before its batch (see
/// [`LogStore::defer_archiving`](super::LogStore::defer_archiving)). About
/// 32 bundles and their hash tiles, 8,192 entries, a few MiB.
pub const MAX_WAITING: usize = 64;

/// Archiving off the commit path: full tiles and bundles that batches
/// wrote whole to the key-value store and that wait to go to the archive,
/// and the items archived since, whose keys the next batch removes.
#[derive(Debug, Default)]
pub(crate) struct Deferred {
    /// Committed, not yet archived, oldest first.
    pub(crate) waiting: Vec<(Archived, Vec<u8>)>,
    /// Archived, still in the key-value store.
    pub(crate) archived: Vec<Archived>,
}

/// Durable, write-once storage of full tiles and bundles.
pub trait TileArchive: Send + Sync + std::fmt::Debug {
    /// The bytes of `item`, if archived.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when reading fails.
    fn get(&self, item: Archived) -> Result<Option<Vec<u8>>, StoreError>;

    /// Stores every item and returns once all of them are durable. Storing
    /// an item again replaces it (only items beyond the last acknowledged
    /// batch, left by a crash, are ever stored twice).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when writing fails; some items may then be
    /// stored and others not.
    fn put(&self, items: &[(Archived, Vec<u8>)]) -> Result<(), StoreError>;
}

/// A [`TileArchive`] in a directory, on C2SP `tlog-tiles` paths
/// (`tile/<L>/<N>`, `tile/entries/<N>`).
#[derive(Debug, Clone)]
pub struct TileDirectory {
    root: PathBuf,
}

fn io_err(what: &str, path: &Path, e: &io::Error) -> StoreError {
    StoreError::Backend(format!("{what} {}: {e}", path.display()).into())
}

impl TileDirectory {
    /// The archive rooted at `root` (created on first write).
    #[must_use]
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file holding `item`.
    #[must_use]
    pub fn path_of(&self, item: Archived) -> PathBuf {
        self.root.join(item.c2sp_path())
    }

    /// Creates `dir` and any missing parents, adding to `touched` every
    /// directory whose entries changed (to be synced).
    fn make_dir(&self, dir: &Path, touched: &mut Vec<PathBuf>) -> Result<(), StoreError> {
        if dir.is_dir() {
            return Ok(());
        }
        if let Some(parent) = dir.parent() {
            self.make_dir(parent, touched)?;
            touched.push(parent.to_path_buf());
        }
        match fs::create_dir(dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(io_err("cannot create", dir, &e)),
        }
    }
}

impl TileArchive for TileDirectory {
    fn get(&self, item: Archived) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path_of(item);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err("cannot read", &path, &e)),
        }
    }

    fn put(&self, items: &[(Archived, Vec<u8>)]) -> Result<(), StoreError> {
        // Write every file under a temporary name and sync it, then rename
        // them all into place and sync the directories that changed: after
        // a crash a path holds either nothing or the whole item.
        let mut touched = Vec::new();
        let mut staged = Vec::with_capacity(items.len());
        for (item, bytes) in items {
            let path = self.path_of(*item);
            let dir = path
                .parent()
                .ok_or(StoreError::Corrupt("tile path"))?
                .to_path_buf();
            self.make_dir(&dir, &mut touched)?;
            let mut tmp = path.clone().into_os_string();
            tmp.push(".tmp");
            let tmp = PathBuf::from(tmp);
            let mut f = File::create(&tmp).map_err(|e| io_err("cannot create", &tmp, &e))?;
            f.write_all(bytes)
                .and_then(|()| f.sync_data())
                .map_err(|e| io_err("cannot write", &tmp, &e))?;
            staged.push((tmp, path, dir));
        }
        for (tmp, path, dir) in staged {
            fs::rename(&tmp, &path).map_err(|e| io_err("cannot rename into", &path, &e))?;
            touched.push(dir);
        }
        touched.sort();
        touched.dedup();
        for dir in touched {
            sync_dir(&dir).map_err(|e| io_err("cannot sync", &dir, &e))?;
        }
        Ok(())
    }
}

/// Makes the entries of directory `dir` (files created, renamed or
/// removed in it) durable: what every file the store writes beside its
/// backend (tiles, dedup runs, the sled journal) needs after a rename.
///
/// # Errors
/// The file system's.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir).and_then(|d| d.sync_all())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_round_trip_on_c2sp_paths() {
        let dir = tempfile::tempdir().unwrap();
        let archive = TileDirectory::new(dir.path());
        let tile = TileId {
            level: 1,
            index: 1234,
        };
        assert_eq!(archive.get(Archived::Tile(tile)).unwrap(), None);
        archive
            .put(&[
                (Archived::Tile(tile), vec![1; 8192]),
                (Archived::Bundle(7), b"\x00\x01a".to_vec()),
            ])
            .unwrap();
        assert!(dir.path().join("tile/1/x001/234").is_file());
        assert!(dir.path().join("tile/entries/007").is_file());
        assert_eq!(
            archive.get(Archived::Tile(tile)).unwrap(),
            Some(vec![1; 8192])
        );
        // Storing again replaces, and leaves no temporary file behind.
        archive
            .put(&[(Archived::Bundle(7), b"\x00\x01b".to_vec())])
            .unwrap();
        assert_eq!(
            archive.get(Archived::Bundle(7)).unwrap(),
            Some(b"\x00\x01b".to_vec())
        );
        let names: Vec<_> = fs::read_dir(dir.path().join("tile/entries"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["007"]);
    }
}
