//! The store's key layout. Every integer in a key or value is big-endian,
//! so that the backend's byte order is numeric order. `docs/store.md`
//! describes the same layout for operators.

use vledger_records::vindex::{IndexKey, IndexValue};
use vledger_records::{ProtocolId, Vin};
use vledger_rules::codec::{PROTOCOL_ID_TAG, encode_protocol_id};
use vledger_rules::index_tree::{Node, Tile, TileAddr};
use vledger_tlog::hash::Hash;
use vledger_tlog::tile::TileId;

use super::StoreError;

/// Entry bundles (c2sp.org/tlog-tiles): `'b' || index:u64` -> up to 256
/// entries, each a `u16` length and its bytes; the last bundle is partial
/// and grows until full.
pub const BUNDLE: u8 = b'b';
/// Hash tiles (c2sp.org/tlog-tiles): `'t' || level:u8 || index:u64` -> up
/// to 256 hashes of Merkle level `8 * level`; the last tile of each level is
/// partial and grows until full.
pub const HASH_TILE: u8 = b't';
/// Signed checkpoints: `'c' || tree_size:u64` -> signed note text.
pub const CHECKPOINT: u8 = b'c';
/// VIN heads: `'v' || VIN (17 ASCII bytes)` -> `index:u64 || leaf_hash || count:u64`.
pub const VIN_HEAD: u8 = b'v';
/// Deduplication index: `'d' || dedup key (32 bytes)` -> `index:u64`.
pub const DEDUP: u8 = b'd';
/// Key states: `'k' || Ed25519 key (32 bytes)` -> `role:u8 || enrolled_at:u64 || revoked:u8 || revoked_at:u64`.
pub const KEY: u8 = b'k';
/// VIN index tiles: `'x' || depth:u8 || key prefix (ceil(depth / 8) bytes)`
/// -> see [`Tile::encode`].
pub const INDEX_TILE: u8 = b'x';
/// Vehicle states (what the rules know about a VIN): `'f' || VIN (17 ASCII
/// bytes)` -> see [`vledger_rules::codec::encode_vehicle`].
pub const VEHICLE: u8 = b'f';
/// Vehicle facts (engine numbers and odometer readings) in chunks of up to
/// 32 changes: `'g' || VIN (17 ASCII bytes) || kind:u8 || !first:u64` ->
/// `(index:u64 || len:u8 || value)*`, see [`fact_chunk_key`] and
/// `docs/store.md`.
pub const VEHICLE_FACT: u8 = b'g';
/// Declared inspection protocols: `'p' || id || 0x00 || version:u32` ->
/// see [`vledger_rules::codec::encode_protocol`].
pub const PROTOCOL: u8 = b'p';
/// Metadata: `'m' || name`.
pub const META: u8 = b'm';

/// Meta key of the tree size (`u64`).
pub const META_TREE_SIZE: &[u8] = b"mtree_size";
/// Meta key of the origin (UTF-8).
pub const META_ORIGIN: &[u8] = b"morigin";
/// Meta key of the number of distinct VINs (`u64`).
pub const META_VIN_COUNT: &[u8] = b"mvin_count";
/// Meta key of the VIN index's root node (see [`encode_index_node`]).
pub const META_INDEX_ROOT: &[u8] = b"mindex_root";
/// Meta key of the store format version (`u32`).
pub const META_FORMAT: &[u8] = b"mformat";
/// The store format this code writes and reads.
pub const FORMAT_VERSION: u32 = 5;

/// Key of a `u64`-indexed item.
#[must_use]
pub fn u64_key(prefix: u8, n: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(prefix);
    k.extend_from_slice(&n.to_be_bytes());
    k
}

/// Key of a hash tile.
#[must_use]
pub fn hash_tile_key(tile: TileId) -> Vec<u8> {
    let mut k = Vec::with_capacity(10);
    k.push(HASH_TILE);
    k.push(tile.level);
    k.extend_from_slice(&tile.index.to_be_bytes());
    k
}

/// Key of the piece of a partial bundle or tile (stored at `item`) that
/// starts at entry or hash `start` of it (0–255): `item ‖ start:u8`. A
/// batch writes only what it adds to the right edge, as one piece; the
/// bundle or tile is its pieces (after its whole value, if any) in key
/// order, and the batch that fills it replaces them all.
#[must_use]
pub fn piece_key(item: &[u8], start: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(item.len() + 1);
    k.extend_from_slice(item);
    k.push(u8::try_from(start).unwrap_or(u8::MAX));
    k
}

/// The keys `[start, end)` that hold item `item`: its own and its pieces'.
#[must_use]
pub fn pieces_range(item: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut end = Vec::with_capacity(item.len() + 2);
    end.extend_from_slice(item);
    end.extend_from_slice(&[0xff, 0x00]);
    (item.to_vec(), end)
}

/// Key of a byte-string-indexed item.
#[must_use]
pub fn bytes_key(prefix: u8, b: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + b.len());
    k.push(prefix);
    k.extend_from_slice(b);
    k
}

/// Reads a big-endian `u64` from the start of `bytes`.
///
/// # Errors
/// [`StoreError::Corrupt`] when `bytes` is too short.
pub fn read_u64(bytes: &[u8], what: &'static str) -> Result<u64, StoreError> {
    bytes
        .get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_be_bytes)
        .ok_or(StoreError::Corrupt(what))
}

/// Key of a vehicle state: `'f' ‖ VIN`.
#[must_use]
pub fn vehicle_key(vin: &Vin) -> Vec<u8> {
    bytes_key(VEHICLE, vin.as_str().as_bytes())
}

/// The prefix of `vin`'s chunks of facts of `kind`: `'g' ‖ VIN ‖ kind`.
#[must_use]
pub fn fact_prefix(vin: &Vin, kind: u8) -> Vec<u8> {
    let mut k = Vec::with_capacity(FACT_CHUNK_KEY_LEN);
    k.push(VEHICLE_FACT);
    k.extend_from_slice(vin.as_str().as_bytes());
    k.push(kind);
    k
}

/// Length of a vehicle fact chunk's key.
pub const FACT_CHUNK_KEY_LEN: usize = 1 + 17 + 1 + 8;

/// Key of a chunk of vehicle facts: `'g' ‖ VIN ‖ kind ‖ !first`, where
/// `first` is the chunk's key index (see `docs/store.md`). The bitwise NOT
/// sorts a VIN's newest chunk of a kind first. Entry indexes stay below
/// 2^63, so the last eight bytes start with a set bit.
#[must_use]
pub fn fact_chunk_key(vin: &Vin, kind: u8, first: u64) -> Vec<u8> {
    let mut k = fact_prefix(vin, kind);
    k.extend_from_slice(&(!first).to_be_bytes());
    k
}

/// Key of a declared protocol: its id's byte form,
/// `'p' ‖ id ‖ 0x00 ‖ version:u32` (ids hold no zero byte, so keys sort by
/// id, then version).
#[must_use]
pub fn protocol_key(id: &ProtocolId) -> Vec<u8> {
    encode_protocol_id(id)
}

// The protocol id's byte form starts with the protocol prefix.
const _: () = assert!(PROTOCOL_ID_TAG == PROTOCOL);

/// Key of a VIN index tile.
#[must_use]
pub fn index_tile_key(addr: &TileAddr) -> Vec<u8> {
    let prefix = addr.prefix_bytes();
    let mut k = Vec::with_capacity(2 + prefix.len());
    k.push(INDEX_TILE);
    // Tiles hang under depths 0 to 252.
    k.push(u8::try_from(addr.depth).unwrap_or(u8::MAX));
    k.extend_from_slice(prefix);
    k
}

/// Decodes a stored VIN index tile.
///
/// # Errors
/// [`StoreError::Corrupt`] when the bytes are not a tile.
pub fn decode_index_tile(v: &[u8]) -> Result<Tile, StoreError> {
    Tile::decode(v).map_err(|_| StoreError::Corrupt("VIN index tile"))
}

/// Encodes the VIN index's root node: `0x01 || hash` for an interior node,
/// `0x02 || key || index:u64 || leaf_hash || count:u64` for a leaf.
#[must_use]
pub fn encode_index_node(node: &Node) -> Vec<u8> {
    match node {
        Node::Interior { hash } => {
            let mut v = Vec::with_capacity(33);
            v.push(1);
            v.extend_from_slice(hash.as_bytes());
            v
        }
        Node::Leaf { key, value } => {
            let mut v = Vec::with_capacity(1 + 32 + IndexValue::LEN);
            v.push(2);
            v.extend_from_slice(&key.0);
            v.extend_from_slice(&value.to_bytes());
            v
        }
    }
}

/// Decodes the VIN index's root node.
///
/// # Errors
/// [`StoreError::Corrupt`] when the value is malformed.
pub fn decode_index_node(v: &[u8]) -> Result<Node, StoreError> {
    const WHAT: &str = "VIN index node";
    match (v.first(), v.len()) {
        (Some(1), 33) => Ok(Node::Interior {
            hash: Hash::from_slice(&v[1..]).ok_or(StoreError::Corrupt(WHAT))?,
        }),
        (Some(2), 81) => {
            let mut key = [0u8; 32];
            key.copy_from_slice(&v[1..33]);
            let value = v[33..].try_into().map_err(|_| StoreError::Corrupt(WHAT))?;
            Ok(Node::Leaf {
                key: IndexKey(key),
                value: IndexValue::from_bytes(value),
            })
        }
        _ => Err(StoreError::Corrupt(WHAT)),
    }
}
