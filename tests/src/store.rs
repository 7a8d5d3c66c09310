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
    let mut bundle = joined(tree, &key).expect("the bundle is stored");
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
    let mut tile = joined(tree, &key).expect("the tile is stored");
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
    let tile = joined(tree, &key).expect("the tile is stored");
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
/// change it, and flushes. The store's journal is first written into
/// sled (as the node's next start would), so that what `f` sees and
/// changes is the whole store and nothing replays over it.
///
/// # Panics
/// When sled cannot open or flush the store.
pub fn damage<T>(data: &Path, f: impl FnOnce(&sled::Tree) -> T) -> T {
    let path = data.join("store");
    drop(vledger_log::store::SledBackend::open(&path).expect("open the store"));
    // sled lets go of its lock a moment after the last handle is dropped.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let db = loop {
        match sled::Config::new().path(&path).open() {
            Ok(db) => break db,
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("open the store with sled: {e}"),
        }
    };
    let tree = db.open_tree(TREE).expect("open the vledger tree");
    let out = f(&tree);
    tree.flush().expect("flush");
    db.flush().expect("flush");
    out
}

/// The bytes of the bundle or tile stored at `key`: its own value and
/// the pieces batches appended to it, joined (docs/store.md); the pieces
/// are replaced by the whole, so that it can be changed in place.
fn joined(tree: &sled::Tree, key: &[u8]) -> Option<Vec<u8>> {
    let mut end = key.to_vec();
    end.extend_from_slice(&[0xff, 0x00]);
    let mut bytes = Vec::new();
    let mut keys = Vec::new();
    for kv in tree.range(key.to_vec()..end) {
        let (k, v) = kv.expect("scan");
        bytes.extend_from_slice(&v);
        keys.push(k);
    }
    if keys.is_empty() {
        return None;
    }
    for k in keys {
        tree.remove(k).expect("remove");
    }
    tree.insert(key, bytes.as_slice()).expect("write");
    Some(bytes)
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
