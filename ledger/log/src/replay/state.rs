//! The replayer's state as bytes, so that an auditor can stop after a
//! checkpoint and later go on from there without reading the old entries
//! again ([`Replayer::encode_state`], [`Replayer::decode_state`]).
//!
//! Everything the replayer decides from depends on all earlier entries: the
//! tree's right edge, the genesis entry, every key's state, every VIN's
//! chain head, every record's deduplication key, the VIN index as of the
//! last index entry and the VIN heads changed since. The encoding keeps all
//! of it, so it grows with the log: about 40 bytes per record
//! (deduplication keys), 65 per VIN and 50 per key; 1M records over 100k
//! VINs take about 47 MB. The VIN index is not written: it is a function of
//! the VIN heads (and of the old values of the heads changed since the last
//! index entry, which are written), so decoding rebuilds it, at the cost of
//! one index insertion per VIN.
//!
//! Format (integers big-endian, as everywhere in vledger):
//!
//! ```text
//! "vledger/replayer-state/v4\n"
//! size u64, then popcount(size) frontier hashes of 32 bytes, largest first
//! genesis: 0, or 1 || origin length u32 || origin || log key[32] || admin key[32]
//!          || 0, or 1 || recovery key[32]
//! last_logged_at i64 || last_is_index u8
//! keys:    count u64, then per key:   public key[32] || key state (docs/store.md 'k' value)
//! VINs:    count u64, then per VIN:   VIN[17] || VIN head (docs/store.md 'v' value)
//! dedup:   count u64, then per record: dedup key[32] || index u64
//! pending: count u64, then per change: index key[32] || new value[48] ||
//!          0, or 1 || old value[48]      (value = index u64 || leaf hash || count u64)
//! rules:   vehicle states, declared protocols and vehicle records
//!          (`RulesMemory::encode`)
//! successions: count u64, then per log key succession: leaf index u64 || key[32]
//! ```
//!
//! Version 3 states (no successions) and version 2 states (no recovery
//! key either) are still read.
//!
//! Maps are written in increasing key order (and read only so), so one
//! state has exactly one encoding.
//!
//! Whoever adds a field to [`Replayer`] adds it here: the destructuring in
//! [`Replayer::encode_state`] names every field, so that a new one does not
//! compile until it is written (or shown to be derived).

use std::collections::HashMap;

use super::HashMap as Map;

use super::Replayer;
use vledger_records::vindex::VinHead;
use vledger_records::vindex::{IndexKey, IndexValue};
use vledger_records::{Genesis, KeyState, Vin, public_key_from_bytes};
use vledger_rules::RulesMemory;
use vledger_rules::codec::{decode_key_state, decode_vin_head, encode_key_state, encode_vin_head};
use vledger_rules::index_tree::{MemoryTiles, VinIndex};
use vledger_tlog::hash::Hash;
use vledger_tlog::merkle::{Frontier, TreeSize};

/// The first bytes of an encoded replayer state.
const MAGIC: &[u8] = b"vledger/replayer-state/v4\n";

/// The first bytes of a version-3 state, which holds no log key
/// successions; still read.
const MAGIC_V3: &[u8] = b"vledger/replayer-state/v3\n";

/// The first bytes of a version-2 state, whose genesis names no recovery
/// key; still read.
const MAGIC_V2: &[u8] = b"vledger/replayer-state/v2\n";

/// Why bytes are not a replayer state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The bytes do not start with the version-3 or version-2 header
    /// (version 1, from before vehicle facts were kept apart, is not read:
    /// audit again).
    #[error(
        "not a vledger replayer state of version 2 or 3 (an older audit state is not read: audit from the start)"
    )]
    Magic,
    /// The bytes end inside an item.
    #[error("replayer state ends inside the {0}")]
    Truncated(&'static str),
    /// An item is malformed.
    #[error("replayer state: malformed {0}")]
    Malformed(&'static str),
    /// Bytes follow the last item.
    #[error("replayer state: {0} bytes after the end")]
    Trailing(usize),
}

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_be_bytes());
}

fn put_value(out: &mut Vec<u8>, v: &IndexValue) {
    out.extend_from_slice(&v.to_bytes());
}

fn put_count(out: &mut Vec<u8>, n: usize) {
    put_u64(out, n as u64);
}

/// A cursor over the encoded state.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], StateError> {
        if self.rest.len() < n {
            return Err(StateError::Truncated(what));
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], StateError> {
        let bytes = self.take(N, what)?;
        bytes.try_into().map_err(|_| StateError::Truncated(what))
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, StateError> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, StateError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn hash(&mut self, what: &'static str) -> Result<Hash, StateError> {
        Ok(Hash(self.array(what)?))
    }

    /// A count of items of `item_len` bytes each, checked against what is left.
    fn count(&mut self, item_len: usize, what: &'static str) -> Result<usize, StateError> {
        let n = self.u64(what)?;
        let n = usize::try_from(n).map_err(|_| StateError::Malformed(what))?;
        if n.checked_mul(item_len)
            .is_none_or(|len| len > self.rest.len())
        {
            return Err(StateError::Truncated(what));
        }
        Ok(n)
    }

    fn value(&mut self, what: &'static str) -> Result<IndexValue, StateError> {
        Ok(IndexValue::from_bytes(&self.array(what)?))
    }

    fn flag(&mut self, what: &'static str) -> Result<bool, StateError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(StateError::Malformed(what)),
        }
    }
}

/// Requires map keys in strictly increasing order, so that one state has
/// exactly one encoding.
fn increasing<const N: usize>(
    previous: &mut Option<[u8; N]>,
    key: [u8; N],
    what: &'static str,
) -> Result<(), StateError> {
    if previous.is_some_and(|p| p >= key) {
        return Err(StateError::Malformed(what));
    }
    *previous = Some(key);
    Ok(())
}

/// Length of an encoded key state and VIN head (docs/store.md).
const KEY_STATE_LEN: usize = 18;
const VIN_HEAD_LEN: usize = 48;
const VALUE_LEN: usize = 48;

impl Replayer {
    /// The replayer's whole state as bytes (see the module documentation
    /// for the format and its size).
    #[must_use]
    pub fn encode_state(&self) -> Vec<u8> {
        let Self {
            frontier,
            genesis,
            keys,
            vins,
            last_logged_at,
            dedup,
            vindex: _, // Rebuilt from `vins` and `pending` by `decode_state`.
            pending,
            last_is_index,
            rules,
            successions,
        } = self;
        let mut out = Vec::with_capacity(
            MAGIC.len() + 64 * 32 + keys.len() * 50 + vins.len() * 65 + dedup.len() * 40,
        );
        out.extend_from_slice(MAGIC);
        put_u64(&mut out, frontier.size().0);
        for h in frontier.hashes() {
            out.extend_from_slice(h.as_bytes());
        }
        match genesis {
            None => out.push(0),
            Some(g) => {
                out.push(1);
                let origin = g.origin.as_bytes();
                // Origins are at most a few KiB: a valid entry is at most 64 KiB.
                out.extend_from_slice(
                    &u32::try_from(origin.len())
                        .unwrap_or(u32::MAX)
                        .to_be_bytes(),
                );
                out.extend_from_slice(origin);
                out.extend_from_slice(g.log_key.as_bytes());
                out.extend_from_slice(g.admin_key.as_bytes());
                match &g.recovery_key {
                    None => out.push(0),
                    Some(key) => {
                        out.push(1);
                        out.extend_from_slice(key.as_bytes());
                    }
                }
            }
        }
        out.extend_from_slice(&last_logged_at.to_be_bytes());
        out.push(u8::from(*last_is_index));

        let mut sorted: Vec<_> = keys.iter().collect();
        sorted.sort_unstable_by_key(|(k, _)| **k);
        put_count(&mut out, sorted.len());
        for (key, state) in sorted {
            out.extend_from_slice(key);
            out.extend_from_slice(&encode_key_state(state));
        }
        let mut sorted: Vec<_> = vins.iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        put_count(&mut out, sorted.len());
        for (vin, head) in sorted {
            out.extend_from_slice(vin.as_str().as_bytes());
            out.extend_from_slice(&encode_vin_head(head));
        }
        let mut sorted: Vec<_> = dedup.iter().collect();
        sorted.sort_unstable_by_key(|(k, _)| k.0);
        put_count(&mut out, sorted.len());
        for (key, index) in sorted {
            out.extend_from_slice(key.as_bytes());
            put_u64(&mut out, *index);
        }
        let mut sorted: Vec<_> = pending.iter().collect();
        sorted.sort_unstable_by_key(|(k, _)| **k);
        put_count(&mut out, sorted.len());
        let index = VinIndex::new(&self.vindex);
        for (key, value) in sorted {
            out.extend_from_slice(&key.0);
            put_value(&mut out, value);
            let Ok(old) = index.get_value(key);
            match old {
                None => out.push(0),
                Some(old) => {
                    out.push(1);
                    put_value(&mut out, &old);
                }
            }
        }
        out.extend_from_slice(&rules.encode());
        put_count(&mut out, successions.len());
        for (index, key) in successions {
            put_u64(&mut out, *index);
            out.extend_from_slice(key.as_bytes());
        }
        out
    }

    /// Rebuilds a replayer from [`encode_state`](Self::encode_state)'s bytes.
    ///
    /// The state is trusted as far as its own consistency goes: the caller
    /// keeps it (an auditor's own file) and checks the rebuilt tree's root
    /// against a signed checkpoint before relying on it.
    ///
    /// # Errors
    /// A [`StateError`] for bytes that are not a well-formed state.
    pub fn decode_state(bytes: &[u8]) -> Result<Self, StateError> {
        let (rest, version) = if let Some(rest) = bytes.strip_prefix(MAGIC) {
            (rest, 4)
        } else if let Some(rest) = bytes.strip_prefix(MAGIC_V3) {
            (rest, 3)
        } else {
            (bytes.strip_prefix(MAGIC_V2).ok_or(StateError::Magic)?, 2)
        };
        let v2 = version == 2;
        let mut r = Reader { rest };
        let size = r.u64("tree size")?;
        let hashes = (0..size.count_ones())
            .map(|_| r.hash("frontier"))
            .collect::<Result<Vec<_>, _>>()?;
        let frontier = Frontier::from_subtrees(TreeSize(size), &hashes)
            .map_err(|_| StateError::Malformed("frontier"))?;
        let genesis = if r.flag("genesis")? {
            let len = u32::from_be_bytes(r.array("genesis origin")?) as usize;
            let origin = std::str::from_utf8(r.take(len, "genesis origin")?)
                .map_err(|_| StateError::Malformed("genesis origin"))?
                .to_owned();
            let key = |r: &mut Reader<'_>| {
                let bytes: [u8; 32] = r.array("genesis keys")?;
                public_key_from_bytes("genesis", &bytes)
                    .map_err(|_| StateError::Malformed("genesis keys"))
            };
            let (log_key, admin_key) = (key(&mut r)?, key(&mut r)?);
            let recovery_key = if !v2 && r.flag("genesis recovery key")? {
                Some(key(&mut r)?)
            } else {
                None
            };
            Some(Genesis {
                origin,
                log_key,
                admin_key,
                recovery_key,
            })
        } else {
            None
        };
        let last_logged_at = i64::from_be_bytes(r.array("timestamp")?);
        let last_is_index = r.flag("last entry kind")?;

        let n = r.count(32 + KEY_STATE_LEN, "key states")?;
        let mut keys: Map<[u8; 32], KeyState> =
            Map::with_capacity_and_hasher(n, Default::default());
        let mut previous: Option<[u8; 32]> = None;
        for _ in 0..n {
            let key: [u8; 32] = r.array("key states")?;
            increasing(&mut previous, key, "key states")?;
            let state = decode_key_state(r.take(KEY_STATE_LEN, "key states")?)
                .map_err(|_| StateError::Malformed("key state"))?;
            keys.insert(key, state);
        }
        let n = r.count(17 + VIN_HEAD_LEN, "VIN heads")?;
        let mut vins: Map<Vin, VinHead> = Map::with_capacity_and_hasher(n, Default::default());
        let mut previous: Option<[u8; 17]> = None;
        for _ in 0..n {
            let bytes: [u8; 17] = r.array("VIN heads")?;
            increasing(&mut previous, bytes, "VIN heads")?;
            let vin = std::str::from_utf8(&bytes)
                .ok()
                .and_then(|s| Vin::parse(s).ok())
                .ok_or(StateError::Malformed("VIN"))?;
            let head = decode_vin_head(r.take(VIN_HEAD_LEN, "VIN heads")?)
                .map_err(|_| StateError::Malformed("VIN head"))?;
            vins.insert(vin, head);
        }
        let n = r.count(40, "deduplication keys")?;
        let mut dedup: Map<Hash, u64> = Map::with_capacity_and_hasher(n, Default::default());
        let mut previous: Option<[u8; 32]> = None;
        for _ in 0..n {
            let key = r.hash("deduplication keys")?;
            increasing(&mut previous, key.0, "deduplication keys")?;
            dedup.insert(key, r.u64("deduplication keys")?);
        }
        let n = r.count(32 + VALUE_LEN + 1, "pending index changes")?;
        let mut pending: Map<IndexKey, IndexValue> =
            Map::with_capacity_and_hasher(n, Default::default());
        let mut old_values: HashMap<IndexKey, Option<IndexValue>> = HashMap::with_capacity(n);
        let mut previous: Option<[u8; 32]> = None;
        for _ in 0..n {
            let key = IndexKey(r.array("pending index changes")?);
            increasing(&mut previous, key.0, "pending index changes")?;
            pending.insert(key, r.value("pending index changes")?);
            let old = if r.flag("pending index changes")? {
                Some(r.value("pending index changes")?)
            } else {
                None
            };
            old_values.insert(key, old);
        }
        let (rules, rest) =
            RulesMemory::decode(r.rest).map_err(|_| StateError::Malformed("rules state"))?;
        let mut r = Reader { rest };
        let mut successions: Vec<(u64, ed25519_dalek::VerifyingKey)> = Vec::new();
        if version >= 4 {
            let n = r.count(8 + 32, "log key successions")?;
            for _ in 0..n {
                let index = r.u64("log key successions")?;
                if successions.last().is_some_and(|(last, _)| *last >= index) || index >= size {
                    return Err(StateError::Malformed("log key successions"));
                }
                let bytes: [u8; 32] = r.array("log key successions")?;
                let key = public_key_from_bytes("succession", &bytes)
                    .map_err(|_| StateError::Malformed("log key successions"))?;
                successions.push((index, key));
            }
        }
        if !r.rest.is_empty() {
            return Err(StateError::Trailing(r.rest.len()));
        }

        // The index as of the last index entry: every VIN's head, except
        // that VINs changed since hold their value from before.
        // Every pending change is the current head of a VIN in the state.
        let empty = MemoryTiles::new();
        let mut index = VinIndex::new(&empty);
        let mut matched = 0;
        for (vin, head) in &vins {
            let key = IndexKey::for_vin(vin);
            let value = match old_values.get(&key) {
                Some(old) => {
                    if pending.get(&key) != Some(head) {
                        return Err(StateError::Malformed("pending index changes"));
                    }
                    matched += 1;
                    *old
                }
                None => Some(*head),
            };
            if let Some(value) = value {
                let Ok(()) = index.set(key, value);
            }
        }
        if matched != pending.len() {
            return Err(StateError::Malformed("pending index changes"));
        }
        let Ok(_) = index.root();
        let mut vindex = MemoryTiles::new();
        vindex.apply(index.into_changes());

        Ok(Self {
            frontier,
            genesis,
            keys,
            vins,
            last_logged_at,
            dedup,
            vindex,
            pending,
            last_is_index,
            rules,
            successions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_round_trip() {
        let r = Replayer::new();
        let bytes = r.encode_state();
        let back = Replayer::decode_state(&bytes).unwrap();
        assert_eq!(back.encode_state(), bytes);
        assert!(matches!(
            Replayer::decode_state(b"x"),
            Err(StateError::Magic)
        ));
        for cut in MAGIC.len()..bytes.len() {
            assert!(
                Replayer::decode_state(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(matches!(
            Replayer::decode_state(&long),
            Err(StateError::Trailing(1))
        ));
    }

    /// Found by the `audit_state` fuzz target: a pending index change for
    /// a VIN the state has no head for decoded, and encoded back otherwise.
    #[test]
    fn pending_changes_must_be_heads_of_known_vins() {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&[0; 8]); // tree size
        bytes.push(0); // no genesis
        bytes.extend_from_slice(&[0; 8]); // timestamp
        bytes.push(0); // last entry kind
        bytes.extend_from_slice(&[0; 24]); // no keys, VIN heads, dedup keys
        bytes.extend_from_slice(&1u64.to_be_bytes()); // one pending change
        bytes.extend_from_slice(&[0x5a; 32]); // its key
        bytes.extend_from_slice(&[1; 48]); // its value
        bytes.push(1); // an old value
        bytes.extend_from_slice(&[2; 48]);
        bytes.extend_from_slice(&[0; 32]); // empty rules state
        bytes.extend_from_slice(&[0; 8]); // no log key successions
        assert!(matches!(
            Replayer::decode_state(&bytes),
            Err(StateError::Malformed("pending index changes"))
        ));
    }
}
