//! The index tree: node addresses, stored nodes, and batched updates.

use std::convert::Infallible;

// Node addresses are SHA-256 prefixes, already uniform: a fast non-keyed
// hash serves the node maps (the default SipHash dominated index updates).
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::hash::{EMPTY, interior_hash, leaf_hash};
use super::proof::{IndexProof, Terminal};
use super::{IndexKey, IndexValue, KEY_BITS};
use crate::hash::Hash;

/// Where a node sits: its depth (0 = root) and the first `depth` bits of
/// every key below it, the remaining bits zero.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct NodeAddr {
    /// Depth, 0 to 256.
    pub depth: u16,
    /// The key prefix, zero past `depth` bits.
    pub prefix: [u8; 32],
}

impl NodeAddr {
    /// The root.
    pub const ROOT: Self = Self {
        depth: 0,
        prefix: [0; 32],
    };

    /// The node at `depth` on `key`'s path.
    ///
    /// # Panics
    /// If `depth` is over 256.
    #[must_use]
    pub fn of(key: &IndexKey, depth: u16) -> Self {
        assert!(depth <= KEY_BITS, "the index is 256 levels deep");
        let mut prefix = key.0;
        let full = usize::from(depth / 8);
        let rem = depth % 8;
        if full < 32 {
            prefix[full] &= if rem == 0 { 0 } else { 0xff << (8 - rem) };
            for b in &mut prefix[full + 1..] {
                *b = 0;
            }
        }
        Self { depth, prefix }
    }

    /// One of this node's children: `right` selects the one whose next bit is 1.
    #[must_use]
    pub fn child(&self, right: bool) -> Self {
        let mut prefix = self.prefix;
        if right {
            prefix[usize::from(self.depth / 8)] |= 0x80 >> (self.depth % 8);
        }
        Self {
            depth: self.depth + 1,
            prefix,
        }
    }
}

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
        /// `interior_hash(left, right)`.
        hash: Hash,
    },
}

impl Node {
    /// The node's hash.
    #[must_use]
    pub fn hash(&self) -> Hash {
        match self {
            Self::Leaf { key, value } => leaf_hash(key, value),
            Self::Interior { hash } => *hash,
        }
    }
}

/// Where the index reads its stored nodes from.
pub trait NodeReader {
    /// Error of a read.
    type Error;
    /// The node at `addr`, or `None` for an empty subtree.
    ///
    /// # Errors
    /// When the node cannot be read.
    fn read_node(&self, addr: &NodeAddr) -> Result<Option<Node>, Self::Error>;
}

/// Nodes in memory, for tests, benches and auditors.
#[derive(Clone, Debug, Default)]
pub struct MemoryNodes {
    nodes: HashMap<NodeAddr, Node>,
}

impl MemoryNodes {
    /// An empty index.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies the changes of a batch ([`VinIndex::into_changes`]).
    pub fn apply(&mut self, changes: impl IntoIterator<Item = (NodeAddr, Node)>) {
        self.nodes.extend(changes);
    }

    /// Number of stored nodes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the index is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

impl NodeReader for MemoryNodes {
    type Error = Infallible;
    fn read_node(&self, addr: &NodeAddr) -> Result<Option<Node>, Infallible> {
        Ok(self.nodes.get(addr).copied())
    }
}

/// A batch of updates over stored nodes.
///
/// [`set`](Self::set) changes only the overlay; [`root`](Self::root) hashes
/// every changed interior node once, deepest first, so that paths shared by
/// the keys of a batch are hashed once per batch.
#[derive(Debug)]
pub struct VinIndex<'r, R> {
    /// The stored nodes before this batch.
    reader: &'r R,
    /// Nodes written by this batch.
    overlay: HashMap<NodeAddr, Node>,
    /// Interior nodes whose hash must be recomputed.
    dirty: HashSet<NodeAddr>,
}

/// The index bit of the first difference between two different keys.
fn first_difference(a: &IndexKey, b: &IndexKey) -> u16 {
    for (i, (x, y)) in a.0.iter().zip(b.0.iter()).enumerate() {
        let diff = x ^ y;
        if diff != 0 {
            // i < 32 and leading_zeros < 8: fits u16.
            return (i as u16) * 8 + diff.leading_zeros() as u16;
        }
    }
    KEY_BITS
}

impl<'r, R: NodeReader> VinIndex<'r, R> {
    /// A batch over the nodes in `reader`.
    #[must_use]
    pub fn new(reader: &'r R) -> Self {
        Self {
            reader,
            overlay: HashMap::default(),
            dirty: HashSet::default(),
        }
    }

    fn get(&self, addr: &NodeAddr) -> Result<Option<Node>, R::Error> {
        match self.overlay.get(addr) {
            Some(n) => Ok(Some(*n)),
            None => self.reader.read_node(addr),
        }
    }

    fn mark_path(&mut self, key: &IndexKey, below: u16) {
        for depth in 0..below {
            self.dirty.insert(NodeAddr::of(key, depth));
        }
    }

    /// Sets `key` to `value`.
    ///
    /// # Errors
    /// When a stored node cannot be read.
    pub fn set(&mut self, key: IndexKey, value: IndexValue) -> Result<(), R::Error> {
        let mut depth = 0u16;
        loop {
            let addr = NodeAddr::of(&key, depth);
            match self.get(&addr)? {
                None => {
                    self.overlay.insert(addr, Node::Leaf { key, value });
                    break;
                }
                Some(Node::Leaf { key: other, .. }) if other == key => {
                    self.overlay.insert(addr, Node::Leaf { key, value });
                    break;
                }
                Some(Node::Leaf {
                    key: other,
                    value: other_value,
                }) => {
                    // Push the other leaf down to where the two keys part.
                    let split = first_difference(&key, &other);
                    for d in depth..=split {
                        let a = NodeAddr::of(&key, d);
                        self.overlay.insert(a, Node::Interior { hash: EMPTY });
                        self.dirty.insert(a);
                    }
                    self.overlay.insert(
                        NodeAddr::of(&other, split + 1),
                        Node::Leaf {
                            key: other,
                            value: other_value,
                        },
                    );
                    self.overlay
                        .insert(NodeAddr::of(&key, split + 1), Node::Leaf { key, value });
                    break;
                }
                Some(Node::Interior { .. }) => depth += 1,
            }
        }
        self.mark_path(&key, depth);
        Ok(())
    }

    /// The root after the updates so far: hashes every changed interior
    /// node, deepest first.
    ///
    /// # Errors
    /// When a stored node cannot be read.
    pub fn root(&mut self) -> Result<Hash, R::Error> {
        let mut dirty: Vec<NodeAddr> = self.dirty.drain().collect();
        dirty.sort_unstable_by_key(|a| std::cmp::Reverse(a.depth));
        for addr in dirty {
            let left = self.get(&addr.child(false))?.map_or(EMPTY, |n| n.hash());
            let right = self.get(&addr.child(true))?.map_or(EMPTY, |n| n.hash());
            self.overlay.insert(
                addr,
                Node::Interior {
                    hash: interior_hash(&left, &right),
                },
            );
        }
        Ok(self.get(&NodeAddr::ROOT)?.map_or(EMPTY, |n| n.hash()))
    }

    /// The value of `key`, if it has one.
    ///
    /// # Errors
    /// When a stored node cannot be read.
    pub fn get_value(&self, key: &IndexKey) -> Result<Option<IndexValue>, R::Error> {
        let mut depth = 0;
        loop {
            match self.get(&NodeAddr::of(key, depth))? {
                None => return Ok(None),
                Some(Node::Leaf { key: k, value }) => return Ok((k == *key).then_some(value)),
                Some(Node::Interior { .. }) => depth += 1,
            }
        }
    }

    /// A proof of `key`'s value (or of its absence) against [`root`](Self::root).
    ///
    /// # Errors
    /// When a stored node cannot be read.
    ///
    /// # Panics
    /// If called with updates whose hashes [`root`](Self::root) has not
    /// computed yet.
    pub fn prove(&self, key: &IndexKey) -> Result<IndexProof, R::Error> {
        assert!(self.dirty.is_empty(), "call root() before prove()");
        let mut siblings = Vec::new();
        let mut depth = 0u16;
        let terminal = loop {
            let addr = NodeAddr::of(key, depth);
            match self.get(&addr)? {
                None => break Terminal::Empty,
                Some(Node::Leaf { key: k, value }) => break Terminal::Leaf { key: k, value },
                Some(Node::Interior { .. }) => {
                    let sibling = addr.child(!key.bit(depth));
                    siblings.push(self.get(&sibling)?.map_or(EMPTY, |n| n.hash()));
                    depth += 1;
                }
            }
        };
        Ok(IndexProof { siblings, terminal })
    }

    /// The nodes this batch wrote, to persist. Call [`root`](Self::root) first.
    ///
    /// # Panics
    /// If called with updates whose hashes [`root`](Self::root) has not
    /// computed yet.
    #[must_use]
    pub fn into_changes(self) -> Vec<(NodeAddr, Node)> {
        assert!(self.dirty.is_empty(), "call root() before into_changes()");
        self.overlay.into_iter().collect()
    }
}
