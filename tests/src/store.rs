//! Damaging a stopped node's store behind its back, for the tests that
//! show the node, `vledger check` and auditors name what was changed.
//! The keys follow `docs/store.md`.

use std::path::Path;

/// The sled tree the node keeps its store in.
pub const TREE: &str = "vledger";

/// Key of the entry bundle holding entry `index`.
#[must_use]
pub fn bundle_key(index: u64) -> Vec<u8> {
    [&b"b"[..], &(index / 256).to_be_bytes()].concat()
}

/// Key of the hash tile at tile level `level` (Merkle level `8 * level`),
/// index `index`.
#[must_use]
pub fn tile_key(level: u8, index: u64) -> Vec<u8> {
    [&b"t"[..], &[level], &index.to_be_bytes()].concat()
}

/// Where entry `index` lies in its bundle's bytes: its offset and length.
///
/// # Panics
/// When the bundle is malformed or too short.
fn entry_span(bundle: &[u8], index: u64) -> (usize, usize) {
    let mut at = 0;
    for i in 0..=(index % 256) {
        let len = usize::from(u16::from_be_bytes([bundle[at], bundle[at + 1]]));
        if i == index % 256 {
            return (at + 2, len);
        }
        at += 2 + len;
    }
    unreachable!("the loop returns at its last step")
}

/// Flips the low bit of byte `pos` (counted from the end when negative) of
/// entry `index`, inside its bundle.
///
/// # Panics
/// When the bundle is not stored or `pos` is outside the entry.
pub fn flip_entry(tree: &sled::Tree, index: u64, pos: isize) {
    let key = bundle_key(index);
    let mut bundle = tree
        .get(&key)
        .expect("read")
        .expect("the bundle is stored")
        .to_vec();
    let (start, len) = entry_span(&bundle, index);
    let len = isize::try_from(len).expect("length");
    let at = usize::try_from(if pos < 0 { len + pos } else { pos }).expect("position");
    bundle[start + at] ^= 0x01;
    tree.insert(key, bundle).expect("write");
}

/// Flips the low bit of byte `byte` of the stored hash `index` at Merkle
/// level `level` (a multiple of 8: the levels tiles hold).
///
/// # Panics
/// When the tile is not stored or too short.
pub fn flip_hash(tree: &sled::Tree, level: u8, index: u64, byte: usize) {
    assert_eq!(level % 8, 0, "tiles hold levels 0, 8, 16, …");
    let key = tile_key(level / 8, index / 256);
    let mut tile = tree
        .get(&key)
        .expect("read")
        .expect("the tile is stored")
        .to_vec();
    let at = usize::try_from(index % 256).expect("position") * 32 + byte;
    tile[at] ^= 0x01;
    tree.insert(key, tile).expect("write");
}

/// Cuts the hash tile holding stored hash `index` at Merkle level `level`
/// (a multiple of 8) just before that hash: it and every later one of the
/// tile go missing.
///
/// # Panics
/// When the tile is not stored.
pub fn cut_hash(tree: &sled::Tree, level: u8, index: u64) {
    assert_eq!(level % 8, 0, "tiles hold levels 0, 8, 16, …");
    let key = tile_key(level / 8, index / 256);
    let tile = tree
        .get(&key)
        .expect("read")
        .expect("the tile is stored")
        .to_vec();
    let at = usize::try_from(index % 256).expect("position") * 32;
    if at == 0 {
        tree.remove(&key).expect("remove");
    } else {
        tree.insert(key, &tile[..at]).expect("write");
    }
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
