//! The sled backend's journal: each batch appended to one file and
//! `fdatasync`ed, sled written only every few tens of megabytes.
//!
//! sled writes a new version of every page a batch touches and keeps the
//! old ones until it cleans a segment, so a batch per append that rewrites
//! the log's right edge (the partial entry bundle and hash tiles, the VIN
//! heads, states and index tiles it changes) leaves sled many times the
//! size of what it holds. The journal makes the batch durable instead; its
//! writes wait in memory (the overlay, in [`super::sled_backend`]) until the
//! journal reaches its limit, and then go to sled once, each key written
//! once however many batches rewrote it.
//!
//! A frame is `length:u32 ‖ check[8] ‖ payload`, where `check` is the first
//! eight bytes of the payload's SHA-256 and the payload is
//! `count:u32 ‖ (key_length:u32 ‖ key ‖ 0 | 1 ‖ [value_length:u32 ‖ value])*`
//! (1 and a value for a put, 0 alone for a removal), all big-endian.
//! A frame cut short at the end of the file (a crash while it was being
//! written, so never acknowledged) is dropped; a damaged frame with more
//! bytes after it is corruption, reported, never skipped.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{StoreError, Writes};

/// The bytes before a frame's payload: its length and check.
const FRAME_HEADER: usize = 12;

/// The journal file: one frame per batch.
#[derive(Debug)]
pub struct Journal {
    file: File,
    /// Bytes in the file: where the next frame goes.
    len: u64,
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Backend(Box::new(e))
}

fn check(payload: &[u8]) -> [u8; 8] {
    let digest = Sha256::digest(payload);
    let mut c = [0u8; 8];
    c.copy_from_slice(&digest[..8]);
    c
}

impl Journal {
    /// Opens (or creates) the journal at `path` and reads its frames, in
    /// order. A frame cut short at the end is dropped (the file is cut
    /// back to the last whole frame).
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when a frame other than the last is
    /// damaged; [`StoreError::Backend`] when the file system fails.
    pub fn open(path: &Path) -> Result<(Self, Vec<Writes>), StoreError> {
        let created = !path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io)?;
        if created {
            file.sync_all().map_err(io)?;
            if let Some(dir) = path.parent() {
                sync_dir(dir)?;
            }
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let (batches, whole) = decode_frames(&bytes)?;
        if whole < bytes.len() {
            file.set_len(whole as u64).map_err(io)?;
            file.sync_data().map_err(io)?;
        }
        file.seek(SeekFrom::Start(whole as u64)).map_err(io)?;
        Ok((
            Self {
                file,
                len: whole as u64,
            },
            batches,
        ))
    }

    /// Appends `writes` as one frame, not yet durably (see [`Journal::sync`]).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the file system fails.
    pub fn append(&mut self, writes: &Writes) -> Result<(), StoreError> {
        let frame = encode_frame(writes)?;
        if let Err(e) = self.file.write_all(&frame) {
            // Leave no half frame behind a later one.
            let _ = self.file.set_len(self.len);
            let _ = self.file.seek(SeekFrom::Start(self.len));
            return Err(io(e));
        }
        self.len += frame.len() as u64;
        Ok(())
    }

    /// Makes every frame appended so far durable.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the file system fails.
    pub fn sync(&self) -> Result<(), StoreError> {
        self.file.sync_data().map_err(io)
    }

    /// Empties the journal, durably: once everything in it is in sled.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the file system fails.
    pub fn clear(&mut self) -> Result<(), StoreError> {
        self.file.set_len(0).map_err(io)?;
        self.file.seek(SeekFrom::Start(0)).map_err(io)?;
        self.file.sync_data().map_err(io)?;
        self.len = 0;
        Ok(())
    }

    /// Renames this journal's file `path` to `old` (which must not
    /// exist) and goes on in a new, empty file at `path`: the batches so
    /// far stay in `old` until sled holds them.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the file system fails.
    pub fn rotate(&mut self, path: &Path, old: &Path) -> Result<(), StoreError> {
        std::fs::rename(path, old).map_err(io)?;
        let (fresh, batches) = Self::open(path)?;
        debug_assert!(batches.is_empty());
        *self = fresh;
        Ok(())
    }

    /// The journal's length in bytes.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.len
    }
}

/// [`super::archive::sync_dir`], with the store's error.
///
/// # Errors
/// [`StoreError::Backend`] when the file system fails.
pub fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    super::archive::sync_dir(dir).map_err(io)
}

fn u32_of(n: usize, what: &'static str) -> Result<[u8; 4], StoreError> {
    u32::try_from(n)
        .map(u32::to_be_bytes)
        .map_err(|_| StoreError::Backend(format!("{what} too long for the journal").into()))
}

/// One frame holding `writes`.
///
/// # Errors
/// [`StoreError::Backend`] when a key, value or the whole frame is over
/// 4 GiB.
pub fn encode_frame(writes: &Writes) -> Result<Vec<u8>, StoreError> {
    let size: usize = writes
        .iter()
        .map(|(k, v)| 9 + k.len() + v.as_ref().map_or(0, Vec::len))
        .sum();
    let mut frame = Vec::with_capacity(FRAME_HEADER + 4 + size);
    frame.extend_from_slice(&[0; FRAME_HEADER]);
    frame.extend_from_slice(&u32_of(writes.len(), "batch")?);
    for (k, v) in writes {
        frame.extend_from_slice(&u32_of(k.len(), "key")?);
        frame.extend_from_slice(k);
        match v {
            Some(v) => {
                frame.push(1);
                frame.extend_from_slice(&u32_of(v.len(), "value")?);
                frame.extend_from_slice(v);
            }
            None => frame.push(0),
        }
    }
    let length = u32_of(frame.len() - FRAME_HEADER, "batch")?;
    let c = check(&frame[FRAME_HEADER..]);
    frame[..4].copy_from_slice(&length);
    frame[4..FRAME_HEADER].copy_from_slice(&c);
    Ok(frame)
}

/// The batches in `bytes`, and how many bytes the whole frames take: a
/// last frame cut short (or damaged and running to the end) is left out.
///
/// # Errors
/// [`StoreError::Corrupt`] when a damaged frame has bytes after it.
pub fn decode_frames(bytes: &[u8]) -> Result<(Vec<Writes>, usize), StoreError> {
    let mut batches = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let Some(header) = rest.get(..FRAME_HEADER) else {
            break;
        };
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let Some(payload) = rest.get(FRAME_HEADER..FRAME_HEADER + length) else {
            break;
        };
        let decoded = (check(payload)[..] == header[4..])
            .then(|| decode_payload(payload))
            .flatten();
        match decoded {
            Some(writes) => batches.push(writes),
            None if at + FRAME_HEADER + length == bytes.len() => break,
            None => return Err(StoreError::Corrupt("journal frame")),
        }
        at += FRAME_HEADER + length;
    }
    Ok((batches, at))
}

/// A cursor over a frame's payload.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        Some(head)
    }

    fn u32(&mut self) -> Option<usize> {
        let b = self.take(4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
}

fn decode_payload(payload: &[u8]) -> Option<Writes> {
    let mut r = Cursor(payload);
    let count = r.u32()?;
    let mut writes = Vec::with_capacity(count.min(payload.len() / 9));
    for _ in 0..count {
        let klen = r.u32()?;
        let key = r.take(klen)?.to_vec();
        let value = match r.take(1)?[0] {
            0 => None,
            1 => {
                let vlen = r.u32()?;
                Some(r.take(vlen)?.to_vec())
            }
            _ => return None,
        };
        writes.push((key, value));
    }
    r.0.is_empty().then_some(writes)
}
