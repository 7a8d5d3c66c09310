//! Building a VIN's history in pages of bounded size, for
//! `vledger-verification`'s [`pages`](vledger_verification::pages) to
//! join and check. See `docs/history.md`, "Paged histories".
//!
//! A page costs the node one page's worth of work, whatever the length of
//! the history: the first page reads the tree size, the VIN's head and its
//! index proof together, then walks the chain back from the head; a later
//! page starts at the record the page before names, at that page's tree
//! size (entries and inclusion proofs at a tree size never change). The
//! walk stops before the record that would take the page over its byte
//! bound, so at most one record more than the page holds is ever read.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use vledger_records::{Entry, Vin};
use vledger_verification::history::ProvenEntry;
use vledger_verification::pages::{HistoryPage, PAGE_FORMAT};

mod reads;

use crate::bundle::BuildError;
use crate::store::{Backend, LogStore, StoreError};
use reads::PageReads;

/// The most bytes one page may take as a gRPC message: its JSON text and
/// the few bytes that frame it (see [`FRAME_BYTES`]).
pub const MAX_PAGE_BYTES: usize = 1 << 20;

/// Bytes of a page's message that are not its JSON text: the protobuf
/// field tag and length, with room to spare.
pub const FRAME_BYTES: usize = 16;

/// Bytes a first page keeps free for the witnessed part added after it is
/// built: a checkpoint note with its cosignature lines and a consistency
/// proof of up to 64 hashes take less.
pub const WITNESSED_RESERVE: usize = 8 << 10;

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStart {
    /// The first page: at the latest checkpoint, from the VIN's head, with
    /// the index entry and index proof.
    Head,
    /// A later page: at the first page's tree size, ending with the record
    /// at leaf index `next` (the page before's [`HistoryPage::next`]).
    After {
        /// The first page's tree size.
        tree_size: u64,
        /// The leaf index of the newest record the page is to hold.
        next: u64,
    },
}

/// Why a page could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    /// The store failed, or is not as the writer leaves it.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// No checkpoint was signed at the tree size asked for.
    #[error("tree_size: no checkpoint at tree size {0}")]
    NoCheckpoint(u64),
    /// The page was asked to end with an entry that is not a record of the
    /// VIN below the tree size.
    #[error("next: entry {index} is not a record of {vin} below tree size {tree_size}")]
    NotOfVin {
        /// The entry asked for.
        index: u64,
        /// The VIN.
        vin: Vin,
        /// The page's tree size.
        tree_size: u64,
    },
    /// The byte bound cannot hold the page's header and one record.
    #[error(
        "a page of at most {bound} bytes cannot hold entry {index} and what proves it ({needed} bytes)"
    )]
    TooSmall {
        /// The bound, in bytes of JSON text.
        bound: usize,
        /// The record that does not fit.
        index: u64,
        /// The bytes the page would take with it.
        needed: usize,
    },
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        Self::Build(BuildError::Store(e))
    }
}

fn inconsistent(what: String) -> PageError {
    PageError::Build(BuildError::Inconsistent(what))
}

/// The length of `value`'s compact JSON text.
fn json_len<T: Serialize>(value: &T) -> Result<usize, PageError> {
    serde_json::to_vec(value)
        .map(|v| v.len())
        .map_err(|e| inconsistent(format!("cannot encode a page: {e}")))
}

/// Builds one page of `vin`'s history whose compact JSON text takes at
/// most `max_json` bytes: from `start`, as many records as fit, oldest
/// first, with the enrollments they need.
///
/// # Errors
/// [`PageError::NoCheckpoint`] or [`PageError::NotOfVin`] when `start`
/// does not name a record of the VIN under a signed checkpoint,
/// [`PageError::TooSmall`] when not even one record fits, and store errors.
pub fn build_page<B: Backend>(
    store: &LogStore<B>,
    vin: &Vin,
    start: PageStart,
    max_json: usize,
) -> Result<HistoryPage, PageError> {
    let reads = PageReads::new(store);
    let (size, header, mut cursor) = match start {
        PageStart::Head => {
            let (size, index_proof, head) = crate::bundle::vin_at_head(store, vin)?;
            let (index_entry, _) = reads.prove(size - 1, size)?;
            let proof = STANDARD.encode(index_proof.encode());
            (size, Some((index_entry, proof)), head.map(|h| h.index))
        }
        PageStart::After { tree_size, next } => (tree_size, None, Some(next)),
    };
    let checkpoint = store
        .checkpoint(size)?
        .ok_or(PageError::NoCheckpoint(size))?;
    let (index_entry, index_proof) = header.unzip();
    let mut page = HistoryPage {
        format: PAGE_FORMAT.to_owned(),
        vin: vin.to_string(),
        checkpoint,
        index_entry,
        index_proof,
        records: Vec::new(),
        signers: vec![reads.prove(0, size)?.0],
        witnessed: None,
        next: Some(u64::MAX),
    };
    // The page as it stands, with the widest `next`; each element adds its
    // own text and a comma.
    let mut used = json_len(&page)?;
    page.next = None;
    if used > max_json {
        return Err(PageError::TooSmall {
            bound: max_json,
            index: size - 1,
            needed: used,
        });
    }
    let mut enrolled: HashSet<u64> = HashSet::from([0]);
    let mut records = Vec::new();
    while let Some(index) = cursor {
        let asked = records.is_empty() && matches!(start, PageStart::After { .. });
        let not_of_vin = || {
            if asked {
                PageError::NotOfVin {
                    index,
                    vin: vin.clone(),
                    tree_size: size,
                }
            } else {
                inconsistent(format!(
                    "entry {index} of the chain of {vin} is not one of its records"
                ))
            }
        };
        if index >= size {
            return Err(not_of_vin());
        }
        let (proven, entry) = reads.prove(index, size)?;
        let record = entry.as_ref().and_then(Entry::record);
        let Some(r) = record.filter(|r| r.signed.record().vin.as_ref() == Some(vin)) else {
            return Err(not_of_vin());
        };
        let previous = r.chain.and_then(|c| c.previous).map(|p| p.index);
        let signers = enrollments(store, &reads, *r.signed.public_key(), size, &enrolled)?;
        let mut needed = used + json_len(&proven)? + 1;
        for s in &signers {
            needed += json_len(s)? + 1;
        }
        if needed > max_json {
            if records.is_empty() {
                return Err(PageError::TooSmall {
                    bound: max_json,
                    index,
                    needed,
                });
            }
            break;
        }
        used = needed;
        enrolled.extend(signers.iter().map(|s| s.index));
        page.signers.extend(signers);
        records.push(proven);
        cursor = previous;
    }
    records.reverse();
    page.records = records;
    page.next = cursor;
    page.signers.sort_by_key(|p| p.index);
    Ok(page)
}

/// The enrollment of `key` and, transitively, of the admins who enrolled
/// it, that `known` (leaf indexes already on the page) lacks, each proven
/// at `size`.
fn enrollments<B: Backend>(
    store: &LogStore<B>,
    reads: &PageReads<'_, B>,
    key: VerifyingKey,
    size: u64,
    known: &HashSet<u64>,
) -> Result<Vec<ProvenEntry>, PageError> {
    let mut out: Vec<ProvenEntry> = Vec::new();
    let mut keys = vec![key];
    while let Some(k) = keys.pop() {
        let Some(state) = store.key_state(&k)? else {
            return Err(inconsistent(format!(
                "signer {} has no key state",
                hex::encode(k.as_bytes())
            )));
        };
        let at = state.enrolled_at;
        if known.contains(&at) || out.iter().any(|p| p.index == at) {
            continue;
        }
        if at >= size {
            return Err(inconsistent(format!(
                "signer {} is enrolled at entry {at}, after tree size {size}",
                hex::encode(k.as_bytes())
            )));
        }
        let (proven, entry) = reads.prove(at, size)?;
        if let Some(r) = entry.as_ref().and_then(Entry::record) {
            keys.push(*r.signed.public_key());
        }
        out.push(proven);
    }
    Ok(out)
}
