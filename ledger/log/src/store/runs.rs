//! The deduplication index as immutable sorted run files.
//!
//! Each entry's deduplication key is kept as one fixed-width record of
//! [`RECORD`] bytes, the first [`PREFIX`] bytes of the key followed by the
//! entry's leaf index as a 5-byte big-endian integer, so indexes below
//! 2^40. A **run** holds the records of a contiguous range of entries,
//! sorted by (prefix, index), which is their byte order. Its file,
//! `run-<start:020>-<end:020>`, is a fixed header
//!
//! ```text
//! "vledger-dedup-run" ‖ version:u8 (1) ‖ start:u64 ‖ end:u64 ‖ count:u64
//! ```
//!
//! followed by the `count` records. A run is written once under a `.tmp`
//! name, synced, renamed into place and never changed again. The runs of a
//! directory form a chain `[0, a) [a, b) … [y, covered)`, oldest first.
//!
//! **Lookups.** Records are grouped in blocks of [`BLOCK`] (4 KiB). Memory
//! holds, per run, the prefix of each block's first record: [`PREFIX`] bytes
//! per [`BLOCK`] records, about 0.043 bytes per entry (43 MB for a billion
//! entries), whatever the number of runs. A lookup binary-searches that
//! sparse index of every run and reads the one block (or the few blocks,
//! when equal prefixes straddle a boundary) that may hold the prefix, with
//! one positioned read per run.
//!
//! **Merges.** After a push, while the newest run holds at least half as
//! many records as the one before it, the two are merged into one run for
//! their joint range by a streaming two-way merge. Adjacent runs then
//! shrink by more than half from oldest to newest, so there are at most
//! about log2(records) + 1 runs, and each record is rewritten O(log n)
//! times, always sequentially.
//!
//! **Crashes.** A merge renames its output into place before it deletes its
//! inputs, so a crash can leave a `.tmp` file or a run beside the runs it
//! covers. [`DedupRuns::open`] deletes both, then keeps the chain of runs
//! from entry 0 and deletes any run beyond a gap in it: the index then
//! covers a prefix of the log, and the caller indexes the rest again.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Bytes of the deduplication key a record keeps.
pub const PREFIX: usize = 11;
/// Bytes of one record: the key prefix and a 5-byte leaf index.
pub const RECORD: usize = 16;
/// Records per block of the sparse index.
pub const BLOCK: usize = 256;
/// Leaf indexes a record can hold.
pub const MAX_INDEX: u64 = 1 << 40;

const MAGIC: &[u8; 17] = b"vledger-dedup-run";
const VERSION: u8 = 1;
const HEADER: usize = MAGIC.len() + 1 + 3 * 8;
const BUFFER: usize = 1 << 16;

type Record = [u8; RECORD];

/// One run file: the records of entries `[start, end)`.
#[derive(Debug)]
struct Run {
    start: u64,
    end: u64,
    count: u64,
    path: PathBuf,
    file: File,
    /// The prefix of the first record of every block.
    sparse: Vec<[u8; PREFIX]>,
}

/// The deduplication index of entries `[0, covered)`: sorted, immutable run
/// files in one directory.
#[derive(Debug)]
pub struct DedupRuns {
    dir: PathBuf,
    /// The chain of runs, oldest (from entry 0) first.
    runs: Vec<Run>,
}

impl DedupRuns {
    /// Opens `dir`, creating it if missing. Deletes leftover temporary
    /// files, runs that another run covers (an interrupted merge leaves
    /// both) and runs beyond a gap in the chain from entry 0. Reads only
    /// the file headers and the sparse index.
    ///
    /// # Errors
    /// I/O errors, and [`io::ErrorKind::InvalidData`] naming a run whose
    /// header is malformed or whose length does not match it (nothing is
    /// deleted then).
    pub fn open(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir).map_err(|e| at(dir, &e))?;
        let mut found = Vec::new();
        let mut deleted = false;
        for entry in fs::read_dir(dir).map_err(|e| at(dir, &e))? {
            let entry = entry.map_err(|e| at(dir, &e))?;
            let (name, path) = (entry.file_name(), entry.path());
            let Some(name) = name.to_str() else { continue };
            if name.starts_with("run-") && name.ends_with(".tmp") {
                fs::remove_file(&path).map_err(|e| at(&path, &e))?;
                deleted = true;
            } else if let Some((start, end)) = parse_name(name) {
                found.push(read_header(path, start, end)?);
            }
        }
        // Longest first among equal starts: a run is covered exactly when
        // one sorted before it reaches at least as far.
        found.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let (mut runs, mut reach, mut covered) = (Vec::new(), 0, 0);
        for run in found {
            let is_covered = run.end <= reach;
            reach = reach.max(run.end);
            if is_covered || run.start != covered {
                fs::remove_file(&run.path).map_err(|e| at(&run.path, &e))?;
                deleted = true;
            } else {
                covered = run.end;
                runs.push(run);
            }
        }
        if deleted {
            sync_dir(dir)?;
        }
        for run in &mut runs {
            read_sparse(run)?;
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            runs,
        })
    }

    /// Entries `[0, covered)` are indexed.
    #[must_use]
    pub fn covered(&self) -> u64 {
        self.runs.last().map_or(0, |r| r.end)
    }

    /// Adds a run for entries `[self.covered(), end)`: `keys` are
    /// (deduplication key, leaf index) pairs with indexes in that range, in
    /// any order, any number per entry. The run is durable when this
    /// returns; then runs are merged (module docs).
    ///
    /// # Errors
    /// [`io::ErrorKind::InvalidInput`] when `end < self.covered()`, or an
    /// index is outside the range or not below [`MAX_INDEX`]; nothing is
    /// written then. I/O errors; if merging fails, the pushed run is kept.
    pub fn push(&mut self, end: u64, keys: Vec<([u8; 32], u64)>) -> io::Result<()> {
        let start = self.covered();
        if end < start {
            return Err(invalid(format!("run end {end} is below covered {start}")));
        }
        let mut records = Vec::with_capacity(keys.len());
        for (key, index) in keys {
            if index >= MAX_INDEX {
                return Err(invalid(format!("leaf index {index} is not below 2^40")));
            }
            if !(start..end).contains(&index) {
                return Err(invalid(format!(
                    "leaf index {index} is outside [{start}, {end})"
                )));
            }
            records.push(encode(&key, index));
        }
        if end == start {
            return Ok(());
        }
        records.sort_unstable();
        records.dedup();
        let count = records.len() as u64;
        let run = write_run(&self.dir, start, end, count, records.into_iter().map(Ok))?;
        self.runs.push(run);
        while let [.., older, newer] = self.runs.as_slice() {
            if newer.count.saturating_mul(2) < older.count {
                break;
            }
            self.merge_newest()?;
        }
        Ok(())
    }

    /// Merges the two newest runs into one.
    fn merge_newest(&mut self) -> io::Result<()> {
        let [.., older, newer] = self.runs.as_slice() else {
            return Ok(());
        };
        let input = merge(RunReader::open(older)?, RunReader::open(newer)?);
        let count = older.count + newer.count;
        let merged = write_run(&self.dir, older.start, newer.end, count, input)?;
        let inputs = self.runs.split_off(self.runs.len() - 2);
        self.runs.push(merged);
        for run in inputs {
            fs::remove_file(&run.path).map_err(|e| at(&run.path, &e))?;
        }
        sync_dir(&self.dir)
    }

    /// Every stored leaf index whose key prefix equals `key`'s, newest run
    /// first. Prefixes may collide: callers verify a candidate against the
    /// entry it names.
    ///
    /// # Errors
    /// I/O errors, and [`io::ErrorKind::InvalidData`] for a record outside
    /// its run's range.
    pub fn candidates(&self, key: &[u8; 32]) -> io::Result<Vec<u64>> {
        let prefix = &key[..PREFIX];
        let mut found = Vec::new();
        for run in self.runs.iter().rev() {
            // From the last block starting below the prefix (equal prefixes
            // may begin at its end) to the last one starting at or below it.
            let below = run.sparse.partition_point(|p| p[..] < *prefix);
            let upto = run.sparse.partition_point(|p| p[..] <= *prefix);
            if upto == 0 {
                continue;
            }
            let first = below.saturating_sub(1) * BLOCK;
            let last = (upto * BLOCK).min(usize::try_from(run.count).map_err(data)?);
            let mut records = vec![[0; RECORD]; last - first];
            let offset = (HEADER + first * RECORD) as u64;
            run.file
                .read_exact_at(records.as_flattened_mut(), offset)
                .map_err(|e| at(&run.path, &e))?;
            let from = records.partition_point(|r| r[..PREFIX] < *prefix);
            for record in records[from..]
                .iter()
                .take_while(|r| r[..PREFIX] == *prefix)
            {
                let index = decode(record).1;
                if !(run.start..run.end).contains(&index) {
                    return Err(bad(
                        &run.path,
                        &format!("leaf index {index} is out of range"),
                    ));
                }
                found.push(index);
            }
        }
        Ok(found)
    }

    /// The number of runs and of records in them.
    #[must_use]
    pub fn stats(&self) -> (usize, u64) {
        (self.runs.len(), self.runs.iter().map(|r| r.count).sum())
    }

    /// Every (prefix, leaf index) record, run by run from the oldest, read
    /// sequentially from files opened now.
    ///
    /// # Errors
    /// I/O errors opening the runs; reading errors are the items'.
    #[cfg(test)]
    pub fn records(
        &self,
    ) -> io::Result<impl Iterator<Item = io::Result<([u8; PREFIX], u64)>> + use<>> {
        let readers = self
            .runs
            .iter()
            .map(RunReader::open)
            .collect::<io::Result<Vec<_>>>()?;
        Ok(readers
            .into_iter()
            .flatten()
            .map(|r| r.map(|record| decode(&record))))
    }
}

/// A record: the key's prefix, then the index as 5 bytes big-endian.
fn encode(key: &[u8; 32], index: u64) -> Record {
    let mut record = [0; RECORD];
    record[..PREFIX].copy_from_slice(&key[..PREFIX]);
    record[PREFIX..].copy_from_slice(&index.to_be_bytes()[8 - (RECORD - PREFIX)..]);
    record
}

/// A record's prefix and index.
fn decode(record: &Record) -> ([u8; PREFIX], u64) {
    let mut prefix = [0; PREFIX];
    prefix.copy_from_slice(&record[..PREFIX]);
    let mut index = [0; 8];
    index[8 - (RECORD - PREFIX)..].copy_from_slice(&record[PREFIX..]);
    (prefix, u64::from_be_bytes(index))
}

/// The file name of the run of `[start, end)`.
fn run_name(start: u64, end: u64) -> String {
    format!("run-{start:020}-{end:020}")
}

/// The range a run file's name gives, if it is one.
fn parse_name(name: &str) -> Option<(u64, u64)> {
    let (start, end) = name.strip_prefix("run-")?.split_once('-')?;
    let number = |s: &str| {
        (s.len() == 20 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    Some((number(start)?, number(end)?))
}

/// Opens the run at `path` and checks its header against its name and its
/// length; the sparse index is left empty.
fn read_header(path: PathBuf, start: u64, end: u64) -> io::Result<Run> {
    let file = File::open(&path).map_err(|e| at(&path, &e))?;
    let len = file.metadata().map_err(|e| at(&path, &e))?.len();
    let mut header = [0; HEADER];
    if len < HEADER as u64 {
        return Err(bad(&path, "is shorter than a run header"));
    }
    file.read_exact_at(&mut header, 0)
        .map_err(|e| at(&path, &e))?;
    let (magic, rest) = header.split_at(MAGIC.len());
    if magic != MAGIC || rest[0] != VERSION {
        return Err(bad(&path, "is not a version 1 run (magic or version)"));
    }
    let field = |i: usize| {
        let mut b = [0; 8];
        b.copy_from_slice(&rest[1 + 8 * i..9 + 8 * i]);
        u64::from_be_bytes(b)
    };
    let count = field(2);
    if (field(0), field(1)) != (start, end) || start >= end {
        return Err(bad(&path, "header range does not match its name"));
    }
    let expected = count
        .checked_mul(RECORD as u64)
        .and_then(|n| n.checked_add(HEADER as u64));
    if expected != Some(len) {
        return Err(bad(
            &path,
            &format!("length {len} does not match its header ({count} records)"),
        ));
    }
    Ok(Run {
        start,
        end,
        count,
        path,
        file,
        sparse: Vec::new(),
    })
}

/// Reads the first prefix of every block of `run`.
fn read_sparse(run: &mut Run) -> io::Result<()> {
    let count = usize::try_from(run.count).map_err(data)?;
    run.sparse = Vec::with_capacity(count.div_ceil(BLOCK));
    for first in (0..count).step_by(BLOCK) {
        let mut prefix = [0; PREFIX];
        let offset = (HEADER + first * RECORD) as u64;
        run.file
            .read_exact_at(&mut prefix, offset)
            .map_err(|e| at(&run.path, &e))?;
        if run.sparse.last().is_some_and(|p| *p > prefix) {
            return Err(bad(&run.path, "records are out of order"));
        }
        run.sparse.push(prefix);
    }
    Ok(())
}

/// Writes the run of `[start, end)` from `count` sorted records, durably:
/// under a temporary name, synced, renamed into place, directory synced.
fn write_run(
    dir: &Path,
    start: u64,
    end: u64,
    count: u64,
    records: impl Iterator<Item = io::Result<Record>>,
) -> io::Result<Run> {
    let path = dir.join(run_name(start, end));
    let tmp = dir.join(format!("{}.tmp", run_name(start, end)));
    let written = (|| {
        let io = |e: io::Error| at(&tmp, &e);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(io)?;
        let mut out = BufWriter::with_capacity(BUFFER, &file);
        let mut header = MAGIC.to_vec();
        header.push(VERSION);
        for n in [start, end, count] {
            header.extend_from_slice(&n.to_be_bytes());
        }
        out.write_all(&header).map_err(io)?;
        let (mut sparse, mut written, mut previous) = (Vec::new(), 0u64, None);
        for record in records {
            let record = record?;
            let (prefix, index) = decode(&record);
            if previous.is_some_and(|p| p >= record) || !(start..end).contains(&index) {
                return Err(bad(&tmp, "records are out of order or out of range"));
            }
            if written % BLOCK as u64 == 0 {
                sparse.push(prefix);
            }
            out.write_all(&record).map_err(io)?;
            (written, previous) = (written + 1, Some(record));
        }
        if written != count {
            return Err(bad(&tmp, &format!("{written} records, not {count}")));
        }
        out.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_data().map_err(io)?;
        fs::rename(&tmp, &path).map_err(io)?;
        Ok((file, sparse))
    })();
    let (file, sparse) = written.inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })?;
    sync_dir(dir)?;
    Ok(Run {
        start,
        end,
        count,
        path,
        file,
        sparse,
    })
}

/// A run's records, read sequentially.
struct RunReader {
    input: BufReader<File>,
    left: u64,
    path: PathBuf,
}

impl RunReader {
    fn open(run: &Run) -> io::Result<Self> {
        let mut file = File::open(&run.path).map_err(|e| at(&run.path, &e))?;
        file.seek(SeekFrom::Start(HEADER as u64))
            .map_err(|e| at(&run.path, &e))?;
        Ok(Self {
            input: BufReader::with_capacity(BUFFER, file),
            left: run.count,
            path: run.path.clone(),
        })
    }
}

impl Iterator for RunReader {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        self.left = self.left.checked_sub(1)?;
        let mut record = [0; RECORD];
        let read = self.input.read_exact(&mut record);
        Some(read.map(|()| record).map_err(|e| at(&self.path, &e)))
    }
}

/// The sorted merge of two sorted record streams; an error stops it.
fn merge(a: RunReader, b: RunReader) -> impl Iterator<Item = io::Result<Record>> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || {
        let from_a = match (a.peek(), b.peek()) {
            (Some(Ok(x)), Some(Ok(y))) => x <= y,
            (Some(Err(_)), _) | (Some(_), None) => true,
            (None, _) | (Some(Ok(_)), Some(Err(_))) => false,
        };
        if from_a { a.next() } else { b.next() }
    })
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    super::archive::sync_dir(dir).map_err(|e| at(dir, &e))
}

/// `e`, naming `path`.
fn at(path: &Path, e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("dedup run {}: {e}", path.display()))
}

/// Malformed data in the file at `path`.
fn bad(path: &Path, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("dedup run {}: {what}", path.display()),
    )
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what)
}

fn data(e: impl std::error::Error + Send + Sync + 'static) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

#[cfg(test)]
mod tests;
