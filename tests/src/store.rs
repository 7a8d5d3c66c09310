//! Damaging a stopped node's store behind its back, for the tests that
//! show the node, `vledger check` and auditors name what was changed.
//! The keys follow `docs/store.md`.

use std::path::Path;

/// The sled tree the node keeps its store in.
pub const TREE: &str = "vledger";

/// Key of entry `index`.
#[must_use]
pub fn entry_key(index: u64) -> Vec<u8> {
    [&b"e"[..], &index.to_be_bytes()].concat()
}

/// Key of the stored hash at `level`, `index`.
#[must_use]
pub fn hash_key(level: u8, index: u64) -> Vec<u8> {
    [&b"h"[..], &[level], &index.to_be_bytes()].concat()
}

/// Key of the checkpoint of tree size `size`.
#[must_use]
pub fn checkpoint_key(size: u64) -> Vec<u8> {
    [&b"c"[..], &size.to_be_bytes()].concat()
}

/// Opens the store of the stopped node in `data` with sled, lets `f`
/// change it, and flushes.
///
/// # Panics
/// When sled cannot open or flush the store.
pub fn damage<T>(data: &Path, f: impl FnOnce(&sled::Tree) -> T) -> T {
    let db = sled::Config::new()
        .path(data.join("store"))
        .open()
        .expect("open the store with sled");
    let tree = db.open_tree(TREE).expect("open the vledger tree");
    let out = f(&tree);
    tree.flush().expect("flush");
    db.flush().expect("flush");
    out
}

/// Flips the low bit of byte `pos` (counted from the end when negative) of
/// the value at `key`.
///
/// # Panics
/// When the key is not stored or `pos` is outside the value.
pub fn flip(tree: &sled::Tree, key: &[u8], pos: isize) {
    let mut value = tree
        .get(key)
        .expect("read")
        .expect("the key is stored")
        .to_vec();
    let len = isize::try_from(value.len()).expect("length");
    let at = usize::try_from(if pos < 0 { len + pos } else { pos }).expect("position");
    value[at] ^= 0x01;
    tree.insert(key, value).expect("write");
}

/// Copies a stopped data directory, to damage the copy.
///
/// # Panics
/// On I/O errors.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for item in std::fs::read_dir(from).expect("read_dir") {
        let item = item.expect("dir entry");
        let target = to.join(item.file_name());
        if item.file_type().expect("file type").is_dir() {
            copy_dir(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), target).expect("copy");
        }
    }
}
