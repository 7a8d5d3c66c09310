//! The VIN index tree the sequencer keeps: tiles of stored nodes, batched
//! updates, proofs, and the recomputation of a whole stored tree. Its
//! hashes and the checking of its proofs are `vledger_records::vindex`.
//!
//! The tree is binary (its hashes and proofs are defined level by level),
//! but it is *stored* in tiles of [`TILE_HEIGHT`] levels: the tile under a
//! node at depth `d` (a multiple of 4) holds the up to 30 nodes at depths
//! `d + 1 ..= d + 4` below it. A key's path through a million VINs thus
//! touches about 6 tiles instead of about 21 separate nodes, and a node's
//! sibling is always in the same tile as the node. The root node is stored
//! on its own.

use std::borrow::Cow;
use std::convert::Infallible;

// Tile addresses are SHA-256 prefixes, already uniform: a fast non-keyed
// hash serves the maps (the default SipHash showed in index updates).
use rustc_hash::FxHashMap as HashMap;

use vledger_records::vindex::{
    EMPTY, IndexKey, IndexProof, IndexValue, KEY_BITS, Terminal, index_leaf_hash, index_node_hash,
};
use vledger_tlog::Hash;

/// Levels per tile.
pub const TILE_HEIGHT: u16 = 4;

/// Node slots per tile: 2 + 4 + 8 + 16.
const TILE_SLOTS: usize = 30;

/// A stored node. Empty subtrees are not stored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Node {
    /// The only key in its subtree.
    Leaf {
        /// The key.
        key: IndexKey,
        /// Its value.
        value: IndexValue,
    },
    /// A node with at least two keys below it.
    Interior {
        /// `index_node_hash(left, right)`.
        hash: Hash,
    },
}

impl Node {
    /// The node's hash.
    #[must_use]
    pub fn hash(&self) -> Hash {
        match self {
            Self::Leaf { key, value } => index_leaf_hash(key, value),
            Self::Interior { hash } => *hash,
        }
    }
}

/// Where a tile sits: the depth of the node it hangs under (a multiple of
/// [`TILE_HEIGHT`], below 256) and that node's key prefix.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TileAddr {
    /// Depth of the node above the tile: 0, 4, 8, ..., 252.
    pub depth: u16,
    /// The first `depth` bits of every key in the tile, the rest zero.
    pub prefix: [u8; 32],
}

impl TileAddr {
    /// The tile under the node at `depth` on `key`'s path.
    ///
    /// # Panics
    /// If `depth` is not a multiple of 4 below 256.
    #[must_use]
    pub fn of(key: &IndexKey, depth: u16) -> Self {
        assert!(
            depth < KEY_BITS && depth.is_multiple_of(TILE_HEIGHT),
            "tiles hang under depths 0, 4, ..., 252"
        );
        let mut prefix = key.0;
        let full = usize::from(depth / 8);
        if depth % 8 == 4 {
            prefix[full] &= 0xf0;
            prefix[full + 1..].fill(0);
        } else {
            prefix[full..].fill(0);
        }
        Self { depth, prefix }
    }

    /// The prefix bytes that carry bits: `ceil(depth / 8)` of them.
    #[must_use]
    pub fn prefix_bytes(&self) -> &[u8] {
        &self.prefix[..usize::from(self.depth.div_ceil(8))]
    }
}

/// The slot, in the tile under depth `tile_depth`, of the node at `depth`
/// (`tile_depth + 1 ..= tile_depth + 4`) on `key`'s path. Slots run level
/// by level, left to right; a node's sibling is in slot `slot ^ 1`.
fn slot(key: &IndexKey, tile_depth: u16, depth: u16) -> usize {
    let rel = depth - tile_depth;
    debug_assert!((1..=TILE_HEIGHT).contains(&rel));
    let byte = key.0[usize::from(tile_depth / 8)];
    let nibble = if tile_depth.is_multiple_of(8) {
        byte >> 4
    } else {
        byte & 0x0f
    };
    (1usize << rel) - 2 + usize::from(nibble >> (TILE_HEIGHT - rel))
}

/// The tile holding the nodes at depth `depth` (at least 1).
fn tile_depth_of(depth: u16) -> u16 {
    (depth - 1) / TILE_HEIGHT * TILE_HEIGHT
}

/// Up to 30 nodes: the four levels below a node at a depth that is a
/// multiple of 4. Empty subtrees are absent.
///
/// A tile is kept in its stored form (see [`encode`](Self::encode)), so
/// reading one from the store, copying it before a change and writing it
/// back move a few hundred contiguous bytes and no per-node allocations.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Tile {
    /// Bit `s` set when slot `s` holds a node.
    present: u32,
    /// Bit `s` set when slot `s` holds a leaf.
    leaves: u32,
    /// The nodes of the set slots, in slot order: a hash for an interior
    /// node, `key ‖ index:u64 ‖ leaf_hash ‖ count:u64` for a leaf.
    body: Vec<u8>,
}

/// Why stored tile bytes are not a tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TileDecodeError {
    /// Shorter than its header, a bitmap bit past slot 29, a leaf bit for
    /// an absent slot, or no nodes at all.
    #[error("malformed tile header")]
    Header,
    /// The body's length is not what the header says.
    #[error("tile body of {found} bytes, header says {expected}")]
    Length {
        /// Bytes the header implies.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
}

/// Bytes of an encoded leaf: key, index, leaf hash, count.
const LEAF_BYTES: usize = 32 + IndexValue::LEN;
/// Bytes of an encoded interior node: its hash.
const INTERIOR_BYTES: usize = 32;

/// Body bytes of the nodes whose bits are set in `present`, `leaves` of
/// them leaves.
fn body_len(present: u32, leaves: u32) -> usize {
    let l = leaves.count_ones() as usize;
    (present.count_ones() as usize - l) * INTERIOR_BYTES + l * LEAF_BYTES
}

impl Tile {
    fn has(&self, slot: usize) -> bool {
        self.present >> slot & 1 == 1
    }

    fn is_leaf(&self, slot: usize) -> bool {
        self.leaves >> slot & 1 == 1
    }

    /// Where `slot`'s node starts in the body.
    fn offset(&self, slot: usize) -> usize {
        let below = (1u32 << slot) - 1;
        body_len(self.present & below, self.leaves & below)
    }

    /// The node in `slot`, if any.
    #[must_use]
    pub fn get(&self, slot: usize) -> Option<Node> {
        if !self.has(slot) {
            return None;
        }
        let b = &self.body[self.offset(slot)..];
        Some(if self.is_leaf(slot) {
            let mut value = [0u8; IndexValue::LEN];
            value.copy_from_slice(&b[32..LEAF_BYTES]);
            Node::Leaf {
                key: IndexKey(hash_at(b, 0).0),
                value: IndexValue::from_bytes(&value),
            }
        } else {
            Node::Interior {
                hash: hash_at(b, 0),
            }
        })
    }

    /// The hash of the node in `slot`; [`EMPTY`] for an empty slot.
    fn hash(&self, slot: usize) -> Hash {
        if !self.has(slot) {
            EMPTY
        } else if self.is_leaf(slot) {
            self.get(slot).map_or(EMPTY, |n| n.hash())
        } else {
            hash_at(&self.body, self.offset(slot))
        }
    }

    fn set(&mut self, slot: usize, node: Node) {
        let at = self.offset(slot);
        let old = match (self.has(slot), self.is_leaf(slot)) {
            (false, _) => 0,
            (true, false) => INTERIOR_BYTES,
            (true, true) => LEAF_BYTES,
        };
        let mut buf = [0u8; LEAF_BYTES];
        let new: &[u8] = match node {
            Node::Interior { hash } => {
                self.leaves &= !(1 << slot);
                buf[..INTERIOR_BYTES].copy_from_slice(hash.as_bytes());
                &buf[..INTERIOR_BYTES]
            }
            Node::Leaf { key, value } => {
                self.leaves |= 1 << slot;
                buf[..32].copy_from_slice(&key.0);
                buf[32..].copy_from_slice(&value.to_bytes());
                &buf
            }
        };
        self.present |= 1 << slot;
        if old == new.len() {
            self.body[at..at + old].copy_from_slice(new);
        } else {
            self.body.splice(at..at + old, new.iter().copied());
        }
    }

    /// An empty tile with room for the nodes a batch typically adds.
    fn with_room() -> Self {
        Self {
            body: Vec::with_capacity(4 * LEAF_BYTES),
            ..Self::default()
        }
    }

    /// Bytes to reserve past the body for a change: none for a full tile,
    /// which can only shrink (its upper slots are all interior, and a leaf
    /// that gains a sibling becomes a 32-byte interior node).
    fn room(&self) -> usize {
        if self.len() == TILE_SLOTS {
            0
        } else {
            LEAF_BYTES
        }
    }

    /// A copy with room for the nodes a batch typically adds.
    fn copy_to_change(&self) -> Self {
        let mut body = Vec::with_capacity(self.body.len() + self.room());
        body.extend_from_slice(&self.body);
        Self {
            present: self.present,
            leaves: self.leaves,
            body,
        }
    }

    /// Number of nodes in the tile.
    #[must_use]
    pub fn len(&self) -> usize {
        self.present.count_ones() as usize
    }

    /// Whether the tile holds no node (stored tiles never are).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.present == 0
    }

    /// The stored form: `present:u32 ‖ leaves:u32` (bit `s` for slot `s`),
    /// then each present node in slot order, a hash for an interior node
    /// and `key ‖ index:u64 ‖ leaf_hash ‖ count:u64` for a leaf.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.body.len());
        out.extend_from_slice(&self.present.to_be_bytes());
        out.extend_from_slice(&self.leaves.to_be_bytes());
        out.extend_from_slice(&self.body);
        out
    }

    /// Parses [`encode`](Self::encode)'s output, strictly.
    ///
    /// # Errors
    /// When `bytes` is not exactly an encoded, non-empty tile.
    pub fn decode(bytes: &[u8]) -> Result<Self, TileDecodeError> {
        let (Some(present), Some(leaves)) = (bytes.get(0..4), bytes.get(4..8)) else {
            return Err(TileDecodeError::Header);
        };
        let present = u32::from_be_bytes(present.try_into().map_err(|_| TileDecodeError::Header)?);
        let leaves = u32::from_be_bytes(leaves.try_into().map_err(|_| TileDecodeError::Header)?);
        if present == 0 || present >> TILE_SLOTS != 0 || leaves & !present != 0 {
            return Err(TileDecodeError::Header);
        }
        let expected = body_len(present, leaves);
        let body = &bytes[8..];
        if body.len() != expected {
            return Err(TileDecodeError::Length {
                expected,
                found: body.len(),
            });
        }
        let mut tile = Self {
            present,
            leaves,
            body: Vec::new(),
        };
        tile.body.reserve_exact(body.len() + tile.room());
        tile.body.extend_from_slice(body);
        Ok(tile)
    }
}

/// The 32 bytes at `at` (the caller checked the length).
fn hash_at(b: &[u8], at: usize) -> Hash {
    let mut h = [0u8; 32];
    h.copy_from_slice(&b[at..at + 32]);
    Hash(h)
}

/// Where the index reads its stored root and tiles from.
pub trait TileReader {
    /// Error of a read.
    type Error;
    /// The root node, or `None` for an empty index.
    ///
    /// # Errors
    /// When the root cannot be read.
    fn read_root(&self) -> Result<Option<Node>, Self::Error>;
    /// The tile at `addr`, or `None` if there is none: borrowed from an
    /// index in memory, owned when decoded from a store.
    ///
    /// # Errors
    /// When the tile cannot be read.
    fn read_tile(&self, addr: &TileAddr) -> Result<Option<Cow<'_, Tile>>, Self::Error>;
}

/// What a batch changed, to persist: the new root node (when it changed)
/// and every tile written.
#[derive(Clone, Debug, Default)]
pub struct IndexChanges {
    /// The new root node, if the batch changed it.
    pub root: Option<Node>,
    /// The tiles the batch wrote, whole.
    pub tiles: Vec<(TileAddr, Tile)>,
}

/// An index in memory, for tests, benches and auditors.
#[derive(Clone, Debug, Default)]
pub struct MemoryTiles {
    root: Option<Node>,
    tiles: HashMap<TileAddr, Tile>,
}

impl MemoryTiles {
    /// An empty index.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies the changes of a batch ([`VinIndex::into_changes`]).
    pub fn apply(&mut self, changes: IndexChanges) {
        if let Some(root) = changes.root {
            self.root = Some(root);
        }
        self.tiles.extend(changes.tiles);
    }

    /// Number of stored tiles.
    #[must_use]
    pub fn tiles(&self) -> usize {
        self.tiles.len()
    }
}

impl TileReader for MemoryTiles {
    type Error = Infallible;
    fn read_root(&self) -> Result<Option<Node>, Infallible> {
        Ok(self.root)
    }
    fn read_tile(&self, addr: &TileAddr) -> Result<Option<Cow<'_, Tile>>, Infallible> {
        Ok(self.tiles.get(addr).map(Cow::Borrowed))
    }
}

/// A batch of updates over a stored index.
///
/// [`set`](Self::set) only records the update; [`root`](Self::root) applies
/// the batch's updates in key order in one descent from the root, so a node
/// shared by several updated keys is read and hashed once per batch, and
/// each tile on their paths is read once.
#[derive(Debug)]
pub struct VinIndex<'r, R> {
    /// The stored index before this batch.
    reader: &'r R,
    /// The root after the applied updates, once read or changed.
    root: Option<Option<Node>>,
    /// Whether the applied updates changed the root.
    root_changed: bool,
    /// Tiles written by this batch.
    tiles: HashMap<TileAddr, Tile>,
    /// Updates not applied yet; a later value of a key replaces an earlier.
    pending: HashMap<IndexKey, IndexValue>,
}

impl<'r, R: TileReader> VinIndex<'r, R> {
    /// A batch over the index in `reader`.
    #[must_use]
    pub fn new(reader: &'r R) -> Self {
        Self {
            reader,
            root: None,
            root_changed: false,
            tiles: HashMap::default(),
            pending: HashMap::default(),
        }
    }

    fn current_root(&mut self) -> Result<Option<Node>, R::Error> {
        if let Some(root) = self.root {
            return Ok(root);
        }
        let root = self.reader.read_root()?;
        self.root = Some(root);
        Ok(root)
    }

    /// The tile at `addr` as of the updates applied so far. A missing tile
    /// under an interior node reads as empty (and a store missing one
    /// yields a root that differs from the log's index entry).
    fn tile(&self, addr: &TileAddr) -> Result<Cow<'_, Tile>, R::Error> {
        match self.tiles.get(addr) {
            Some(t) => Ok(Cow::Borrowed(t)),
            None => Ok(self.reader.read_tile(addr)?.unwrap_or_default()),
        }
    }

    /// Sets `key` to `value`, applied by the next [`root`](Self::root).
    ///
    /// # Errors
    /// Never today; reads happen in [`root`](Self::root). The signature
    /// leaves room for readers that validate eagerly.
    pub fn set(&mut self, key: IndexKey, value: IndexValue) -> Result<(), R::Error> {
        self.pending.insert(key, value);
        Ok(())
    }

    /// The root after the updates so far.
    ///
    /// # Errors
    /// When a stored node cannot be read. The batch is then unusable: drop
    /// it, and start again from the store.
    pub fn root(&mut self) -> Result<Hash, R::Error> {
        let root = self.current_root()?;
        if self.pending.is_empty() {
            return Ok(root.map_or(EMPTY, |n| n.hash()));
        }
        let mut updates: Vec<(IndexKey, IndexValue)> = self.pending.drain().collect();
        updates.sort_unstable_by_key(|u| u.0);
        // The root is at a tile boundary: it needs no tile of its own.
        let new = self.update(&mut Tile::default(), 0, root, &updates)?;
        self.root = Some(new);
        self.root_changed = true;
        Ok(new.map_or(EMPTY, |n| n.hash()))
    }

    /// The node at `depth` after applying `updates` (sorted, all under this
    /// node) to `existing`. `tile` is the tile holding this node (unused
    /// at tile boundaries, the root's depth among them); the node's
    /// children are written to their tile.
    fn update(
        &mut self,
        tile: &mut Tile,
        depth: u16,
        existing: Option<Node>,
        updates: &[(IndexKey, IndexValue)],
    ) -> Result<Option<Node>, R::Error> {
        let [(first, value), ..] = updates else {
            return Ok(existing);
        };
        // A leaf in the way moves down among the new keys, unless replaced.
        let pushed = match existing {
            None if updates.len() == 1 => {
                return Ok(Some(Node::Leaf {
                    key: *first,
                    value: *value,
                }));
            }
            Some(Node::Leaf { key, .. }) if updates.len() == 1 && *first == key => {
                return Ok(Some(Node::Leaf { key, value: *value }));
            }
            Some(leaf @ Node::Leaf { .. }) => Some(leaf),
            None | Some(Node::Interior { .. }) => None,
        };
        // Two or more keys below: an interior node whose children are in
        // the same tile as it, or in the tile under it at tile boundaries.
        let hash = if depth.is_multiple_of(TILE_HEIGHT) {
            let addr = TileAddr::of(first, depth);
            let mut below = match existing {
                Some(Node::Interior { .. }) => match self.tiles.remove(&addr) {
                    Some(t) => t,
                    None => match self.reader.read_tile(&addr)? {
                        Some(Cow::Borrowed(t)) => t.copy_to_change(),
                        Some(Cow::Owned(t)) => t,
                        None => Tile::with_room(),
                    },
                },
                // Nothing was stored below an empty subtree or a leaf.
                _ => Tile::with_room(),
            };
            let hash = self.update_children(&mut below, depth, updates, pushed)?;
            self.tiles.insert(addr, below);
            hash
        } else {
            self.update_children(tile, depth, updates, pushed)?
        };
        Ok(Some(Node::Interior { hash }))
    }

    /// Applies `updates` to the two children of the node at `depth`, which
    /// are in `tile`, and returns the node's new hash. `pushed` is the leaf
    /// that stood at `depth` and now moves down to its side.
    fn update_children(
        &mut self,
        tile: &mut Tile,
        depth: u16,
        updates: &[(IndexKey, IndexValue)],
        pushed: Option<Node>,
    ) -> Result<Hash, R::Error> {
        let split = updates.partition_point(|(k, _)| !k.bit(depth));
        let left_slot = slot(&updates[0].0, tile_depth_of(depth + 1), depth + 1) & !1;
        let pushed_side = match pushed {
            Some(Node::Leaf { key, .. }) => Some(usize::from(key.bit(depth))),
            _ => None,
        };
        let mut hashes = [EMPTY; 2];
        for (side, part) in [&updates[..split], &updates[split..]]
            .into_iter()
            .enumerate()
        {
            let s = left_slot | side;
            let here = pushed.filter(|_| pushed_side == Some(side));
            hashes[side] = match (part.is_empty(), here) {
                (true, None) => tile.hash(s),
                (true, Some(leaf)) => {
                    tile.set(s, leaf);
                    leaf.hash()
                }
                (false, here) => {
                    let existing = here.or_else(|| tile.get(s));
                    let node = self.update(tile, depth + 1, existing, part)?;
                    if let Some(n) = node {
                        tile.set(s, n);
                    }
                    node.map_or(EMPTY, |n| n.hash())
                }
            };
        }
        Ok(index_node_hash(&hashes[0], &hashes[1]))
    }

    /// The value of `key`, if it has one, counting updates not yet applied.
    ///
    /// # Errors
    /// When a stored node cannot be read.
    pub fn get_value(&self, key: &IndexKey) -> Result<Option<IndexValue>, R::Error> {
        if let Some(v) = self.pending.get(key) {
            return Ok(Some(*v));
        }
        Ok(match self.walk(key, |_| {})? {
            Terminal::Leaf { key: k, value } if k == *key => Some(value),
            _ => None,
        })
    }

    /// Walks `key`'s path from the root, passing each sibling's hash to
    /// `sibling`, and returns where the path ends.
    fn walk(&self, key: &IndexKey, mut sibling: impl FnMut(Hash)) -> Result<Terminal, R::Error> {
        let mut node = match self.root {
            Some(root) => root,
            None => self.reader.read_root()?,
        };
        let mut depth = 0u16;
        let mut tile = Cow::Owned(Tile::default());
        loop {
            match node {
                None => return Ok(Terminal::Empty),
                Some(Node::Leaf { key, value }) => return Ok(Terminal::Leaf { key, value }),
                Some(Node::Interior { .. }) => {
                    if depth.is_multiple_of(TILE_HEIGHT) {
                        tile = self.tile(&TileAddr::of(key, depth))?;
                    }
                    let s = slot(key, tile_depth_of(depth + 1), depth + 1);
                    sibling(tile.hash(s ^ 1));
                    node = tile.get(s);
                    depth += 1;
                }
            }
        }
    }

    /// A proof of `key`'s value (or of its absence) against [`root`](Self::root).
    ///
    /// # Errors
    /// When a stored node cannot be read.
    ///
    /// # Panics
    /// If called with updates that [`root`](Self::root) has not applied.
    pub fn prove(&self, key: &IndexKey) -> Result<IndexProof, R::Error> {
        assert!(self.pending.is_empty(), "call root() before prove()");
        let mut siblings = Vec::new();
        let terminal = self.walk(key, |h| siblings.push(h))?;
        Ok(IndexProof { siblings, terminal })
    }

    /// What this batch changed, to persist. Call [`root`](Self::root) first.
    ///
    /// # Panics
    /// If called with updates that [`root`](Self::root) has not applied.
    #[must_use]
    pub fn into_changes(self) -> IndexChanges {
        assert!(self.pending.is_empty(), "call root() before into_changes()");
        IndexChanges {
            root: if self.root_changed {
                self.root.flatten()
            } else {
                None
            },
            tiles: self.tiles.into_iter().collect(),
        }
    }
}

/// What is wrong with a stored index, found by [`recompute_root`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoredIndexError<E> {
    /// A tile or the root could not be read (or does not decode).
    #[error("reading the VIN index: {0}")]
    Read(E),
    /// An interior node has no tile below it.
    #[error("VIN index tile under depth {depth} prefix {prefix} is missing")]
    MissingTile {
        /// Depth of the node above the tile.
        depth: u16,
        /// Its key prefix, hex.
        prefix: String,
    },
    /// A node's stored hash is not the hash of its children, a leaf is off
    /// its key's path, or a subtree is not in compressed form.
    #[error("VIN index node at depth {depth} prefix {prefix}: {what}")]
    Node {
        /// The node's depth.
        depth: u16,
        /// Its key prefix (bits past `depth` zero), hex.
        prefix: String,
        /// What is wrong.
        what: &'static str,
    },
}

/// Recomputes every stored node's hash from the nodes below it, checking
/// that each leaf sits on its key's path and that the tree is compressed
/// (no interior node over fewer than two keys); returns the root. Reads
/// every tile reachable from the root: for `vledger check` and start-up.
///
/// # Errors
/// The first node that is wrong, or a failed read.
pub fn recompute_root<R: TileReader>(reader: &R) -> Result<Hash, StoredIndexError<R::Error>> {
    let root = reader.read_root().map_err(StoredIndexError::Read)?;
    recompute(reader, root, 0, &IndexKey([0; 32]), None)
}

/// The key prefix `prefix` with bit `depth` set to `right`.
fn with_bit(prefix: &IndexKey, depth: u16, right: bool) -> IndexKey {
    let mut k = *prefix;
    if right {
        k.0[usize::from(depth / 8)] |= 0x80 >> (depth % 8);
    }
    k
}

fn recompute<R: TileReader>(
    reader: &R,
    node: Option<Node>,
    depth: u16,
    prefix: &IndexKey,
    tile: Option<&Tile>,
) -> Result<Hash, StoredIndexError<R::Error>> {
    let fault = |what| StoredIndexError::Node {
        depth,
        prefix: hex::encode(&prefix.0[..usize::from(depth.div_ceil(8))]),
        what,
    };
    match node {
        None => Ok(EMPTY),
        Some(Node::Leaf { key, value }) => {
            let on_path = (0..depth).all(|d| key.bit(d) == prefix.bit(d));
            if on_path {
                Ok(index_leaf_hash(&key, &value))
            } else {
                Err(fault("a leaf whose key is off this path"))
            }
        }
        Some(Node::Interior { hash }) => {
            if depth >= KEY_BITS {
                return Err(fault("an interior node below the last key bit"));
            }
            let below = if depth.is_multiple_of(TILE_HEIGHT) {
                let addr = TileAddr {
                    depth,
                    prefix: prefix.0,
                };
                reader
                    .read_tile(&addr)
                    .map_err(StoredIndexError::Read)?
                    .ok_or_else(|| StoredIndexError::MissingTile {
                        depth,
                        prefix: hex::encode(addr.prefix_bytes()),
                    })?
            } else {
                Cow::Borrowed(tile.ok_or_else(|| fault("an interior node with no tile"))?)
            };
            let mut hashes = [EMPTY; 2];
            let mut kinds = [None; 2];
            for (side, right) in [false, true].into_iter().enumerate() {
                let child = with_bit(prefix, depth, right);
                let node = below.get(slot(&child, tile_depth_of(depth + 1), depth + 1));
                kinds[side] = node.map(|n| matches!(n, Node::Leaf { .. }));
                hashes[side] = recompute(reader, node, depth + 1, &child, Some(&below))?;
            }
            // A compressed tree has at least two keys under an interior node.
            if matches!(kinds, [None, None | Some(true)] | [Some(true), None]) {
                return Err(fault("an interior node over fewer than two keys"));
            }
            if index_node_hash(&hashes[0], &hashes[1]) != hash {
                return Err(fault("a stored hash that is not its children's"));
            }
            Ok(hash)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_cover_the_four_levels_and_pair_siblings() {
        let mut seen = [false; TILE_SLOTS];
        for nibble in 0u8..16 {
            let key = IndexKey([nibble << 4; 32]);
            for depth in 1..=4 {
                let s = slot(&key, 0, depth);
                seen[s] = true;
                let mut other = key;
                // Flip the key's bit at depth - 1: the sibling.
                other.0[0] ^= 0x80 >> (depth - 1);
                assert_eq!(slot(&other, 0, depth), s ^ 1);
            }
        }
        assert!(seen.iter().all(|s| *s));
        // The low nibble addresses the tile under depth 4.
        assert_eq!(slot(&IndexKey([0x0f; 32]), 4, 8), 29);
    }

    #[test]
    fn tiles_round_trip_and_refuse_malformed_bytes() {
        let mut t = Tile::default();
        t.set(
            7,
            Node::Leaf {
                key: IndexKey([9; 32]),
                value: IndexValue {
                    index: 3,
                    leaf_hash: Hash([4; 32]),
                    count: 2,
                },
            },
        );
        t.set(
            1,
            Node::Interior {
                hash: Hash([5; 32]),
            },
        );
        t.set(
            29,
            Node::Interior {
                hash: Hash([6; 32]),
            },
        );
        let bytes = t.encode();
        assert_eq!(bytes.len(), 8 + 32 + LEAF_BYTES + 32);
        assert_eq!(Tile::decode(&bytes), Ok(t.clone()));
        assert_eq!(
            Tile::decode(&bytes[..bytes.len() - 1]),
            Err(TileDecodeError::Length {
                expected: 32 + LEAF_BYTES + 32,
                found: 32 + LEAF_BYTES + 31
            })
        );
        assert_eq!(Tile::decode(&bytes[..7]), Err(TileDecodeError::Header));
        let mut bad = bytes.clone();
        bad[0] = 0x40; // slot 30
        assert_eq!(Tile::decode(&bad), Err(TileDecodeError::Header));
        let mut bad = bytes.clone();
        bad[7] |= 1; // a leaf bit for the empty slot 0
        assert_eq!(Tile::decode(&bad), Err(TileDecodeError::Header));
        assert_eq!(
            Tile::decode(&Tile::default().encode()),
            Err(TileDecodeError::Header)
        );
    }

    fn index_of(n: u64) -> MemoryTiles {
        let mut tiles = MemoryTiles::new();
        let mut index = VinIndex::new(&tiles);
        for i in 0..n {
            let key = IndexKey(vledger_tlog::hash::sha256(&i.to_be_bytes()).0);
            let value = IndexValue {
                index: i,
                leaf_hash: Hash([1; 32]),
                count: 1,
            };
            let Ok(()) = index.set(key, value);
        }
        let Ok(_) = index.root();
        let changes = index.into_changes();
        tiles.apply(changes);
        tiles
    }

    #[test]
    fn a_recomputed_root_matches_and_damage_is_named() {
        let tiles = index_of(300);
        let Ok(root) = VinIndex::new(&tiles).root();
        assert_eq!(recompute_root(&tiles), Ok(root));

        // A changed interior hash in the top tile (slot 2: depth 2).
        let top = TileAddr::of(&IndexKey([0; 32]), 0);
        let mut damaged = tiles.clone();
        let t = damaged.tiles.get_mut(&top).unwrap();
        let Some(Node::Interior { hash }) = t.get(2) else {
            panic!("depth 2 of 300 keys is interior")
        };
        let mut wrong = hash;
        wrong.0[0] ^= 1;
        t.set(2, Node::Interior { hash: wrong });
        let err = recompute_root(&damaged).unwrap_err();
        assert!(
            matches!(err, StoredIndexError::Node { depth: 2, what, .. } if what.contains("not its children")),
            "{err}"
        );

        // A missing tile.
        let mut damaged = tiles.clone();
        let deep = *damaged.tiles.keys().find(|a| a.depth == 4).unwrap();
        damaged.tiles.remove(&deep);
        assert!(matches!(
            recompute_root(&damaged),
            Err(StoredIndexError::MissingTile { depth: 4, .. })
        ));

        // A leaf swapped with its sibling: now off its key's path.
        let mut damaged = tiles;
        let (addr, slot) = damaged
            .tiles
            .iter()
            .find_map(|(a, t)| {
                (0..TILE_SLOTS)
                    .find(|s| matches!(t.get(*s), Some(Node::Leaf { .. })))
                    .map(|s| (*a, s))
            })
            .expect("300 keys have leaves in tiles");
        let t = damaged.tiles.get_mut(&addr).unwrap();
        let (leaf, sibling) = (t.get(slot).unwrap(), t.get(slot ^ 1).unwrap());
        t.set(slot, sibling);
        t.set(slot ^ 1, leaf);
        let err = recompute_root(&damaged).unwrap_err();
        assert!(
            matches!(err, StoredIndexError::Node { what, .. } if what.contains("off this path")),
            "{err}"
        );
    }

    #[test]
    fn tile_addresses_keep_only_their_depth_of_bits() {
        let key = IndexKey([0xff; 32]);
        let a = TileAddr::of(&key, 12);
        assert_eq!(a.prefix_bytes(), &[0xff, 0xf0]);
        assert!(a.prefix[2..].iter().all(|b| *b == 0));
        assert_eq!(TileAddr::of(&key, 0).prefix_bytes(), &[] as &[u8]);
        assert_eq!(TileAddr::of(&key, 16).prefix_bytes(), &[0xff, 0xff]);
    }
}
