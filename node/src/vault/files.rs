//! The vault's file operations: durable atomic writes and shredding.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

/// Makes a directory's entries (a file created, renamed or removed)
/// durable.
///
/// # Errors
/// When the directory cannot be opened or synced.
pub fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync the directory {}", dir.display()))
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `path` whole or not at all: a temporary file beside
/// it, synced, renamed over it, the directory synced. Files are made with
/// mode 0600 on Unix.
///
/// # Errors
/// When a step fails; `path` is then unchanged.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = parent(path);
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = create_private(&tmp)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    drop(file);
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    sync_dir(dir)
}

/// Creates `path` for writing (truncating it), readable by its owner only.
///
/// # Errors
/// When it cannot be created.
pub fn create_private(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Creates `path` only if it does not exist, readable by its owner only,
/// and writes `bytes` to it, synced.
///
/// # Errors
/// When it exists or cannot be written.
pub fn create_new_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {} (does it exist already?)", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    sync_dir(parent(path))
}

/// Overwrites a file's bytes with zeros, syncs it, removes it and syncs
/// its directory. Whatever the storage keeps of the old blocks (journals,
/// copy-on-write, flash remapping) was ciphertext: shredding destroys the
/// key that opens it, and overwriting is a second line.
///
/// # Errors
/// When the file cannot be overwritten or removed.
pub fn shred(path: &Path) -> anyhow::Result<()> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("cannot open {} to overwrite it", path.display()))?;
    let zeros = vec![0u8; usize::try_from(len).unwrap_or(0).min(1 << 20)];
    let mut left = len;
    while left > 0 {
        let n = usize::try_from(left).unwrap_or(usize::MAX).min(zeros.len());
        file.write_all(&zeros[..n])
            .with_context(|| format!("cannot overwrite {}", path.display()))?;
        left -= n as u64;
    }
    file.sync_all()
        .with_context(|| format!("cannot overwrite {}", path.display()))?;
    drop(file);
    std::fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
    sync_dir(parent(path))
}
