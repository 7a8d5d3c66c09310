//! The VIN index's node hashes, domain-separated from the log's RFC 6962
//! hashes (which use prefixes 0x00 and 0x01).

use sha2::{Digest, Sha256};

use super::{IndexKey, IndexValue};
use vledger_tlog::hash::Hash;

/// Hash of an empty subtree, at any depth: 32 zero bytes. No SHA-256
/// output is known to equal it.
pub const EMPTY: Hash = Hash([0; 32]);

/// Prefix of a leaf hash.
const LEAF_PREFIX: u8 = 0x02;
/// Prefix of an interior node hash.
const INTERIOR_PREFIX: u8 = 0x03;

/// Hash of a leaf: `SHA-256(0x02 || key || index:u64 || leaf_hash || count:u64)`,
/// integers big-endian. The key is hashed in, so a leaf's hash does not
/// depend on the depth it sits at and a proof cannot move it to another key.
#[must_use]
pub fn index_leaf_hash(key: &IndexKey, value: &IndexValue) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(key.0);
    h.update(value.to_bytes());
    Hash(h.finalize().into())
}

/// Hash of an interior node: `SHA-256(0x03 || left || right)`.
#[must_use]
pub fn index_node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([INTERIOR_PREFIX]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}
