//! Paged VIN histories: a history too long for one message comes as pages
//! of bounded size, all against one checkpoint, that join into one
//! [`HistoryBundle`] (see `docs/history.md`, "Paged histories").
//!
//! The node walks a VIN's chain back from its head, so the first page
//! holds the VIN's newest records and what proves the head: the index
//! entry at the checkpoint's last leaf and the VIN index proof (and the
//! witnessed part, when asked for). Every later page holds the next older
//! run of records, against the **same** checkpoint note, and names in
//! [`HistoryPage::next`] the leaf index of the record before its oldest
//! one; the last page (the one with record #0) names none. Each page
//! carries the enrollments its own records need.
//!
//! [`merge_pages`] checks that the pages fit together — one VIN, one
//! checkpoint note, the header on the first page only, each page taking up
//! the chain where the one before it stopped — and joins them, newest page
//! first, into a `vledger-history/v1` bundle, whose verification
//! ([`verify_history`](crate::history::verify_history)) proves the whole
//! history complete as before. [`verify_page`] checks one page alone, as
//! the node does before sending it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use vledger_records::{Entry, Vin};
use vledger_tlog::note::{Checkpoint, Note, VerifierKey, open_checkpoint_for_origin};

use crate::history::{
    BUNDLE_FORMAT, BundleError, HistoryBundle, ProvenEntry, Witnessed, open_chain, open_index,
    unb64, verify_witnessed, with_roles,
};

/// The format line of a page.
pub const PAGE_FORMAT: &str = "vledger-history-page/v1";

/// One page of a VIN's history, as the node sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryPage {
    /// Always [`PAGE_FORMAT`].
    pub format: String,
    /// The VIN.
    pub vin: String,
    /// The signed checkpoint note every proof of every page is against.
    pub checkpoint: String,
    /// First page only: the index entry at leaf `tree size - 1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_entry: Option<ProvenEntry>,
    /// First page only: the VIN index proof, base64 of its compact encoding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_proof: Option<String>,
    /// A run of the VIN's record entries, oldest first, each linking to
    /// the one before it.
    pub records: Vec<ProvenEntry>,
    /// The genesis entry and the enrollments the page's records need, by
    /// leaf index.
    pub signers: Vec<ProvenEntry>,
    /// First page only, when asked for: as in a bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witnessed: Option<Witnessed>,
    /// The leaf index of the VIN's record before this page's oldest one,
    /// where the next page ends; `None` on the page holding record #0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<u64>,
}

/// Why pages do not join into one history. Pages are counted from 1, in
/// the order they were fetched (newest records first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    /// There are no pages.
    #[error("no pages")]
    Empty,
    /// A page is not a [`PAGE_FORMAT`] page.
    #[error("page {page}: not a {PAGE_FORMAT} page (format {format:?})")]
    Format {
        /// The page, from 1.
        page: usize,
        /// Its format line.
        format: String,
    },
    /// A page is about another VIN than the first.
    #[error("page {page}: is about VIN {vin}, page 1 about {first}")]
    Vin {
        /// The page, from 1.
        page: usize,
        /// Its VIN.
        vin: String,
        /// The first page's VIN.
        first: String,
    },
    /// A page is against another checkpoint than the first.
    #[error(
        "page {page}: is against another checkpoint ({}) than page 1 ({})",
        size_text(*.size), size_text(*.first)
    )]
    Checkpoint {
        /// The page, from 1.
        page: usize,
        /// Its checkpoint's tree size, when it parses.
        size: Option<u64>,
        /// The first page's tree size, when it parses.
        first: Option<u64>,
    },
    /// The first page lacks the index entry or proof, or a later page
    /// carries one (or a witnessed part).
    #[error("page {page}: {what}")]
    Header {
        /// The page, from 1.
        page: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// A page does not take up the chain where the page before it stopped.
    #[error(
        "page {page} does not continue page {}: {}",
        .page - 1, continues_text(*.expected, *.found)
    )]
    Gap {
        /// The page, from 1.
        page: usize,
        /// The leaf index the page before names as the next record.
        expected: Option<u64>,
        /// The leaf index of this page's newest record (`None`: no
        /// records, or no page at all after the last one).
        found: Option<u64>,
    },
    /// Two pages carry different bytes for one signer entry.
    #[error("page {page}: signer entry {index} differs from another page's")]
    Signer {
        /// The page, from 1.
        page: usize,
        /// The leaf index.
        index: u64,
    },
}

fn size_text(size: Option<u64>) -> String {
    size.map_or_else(|| "unreadable".to_owned(), |s| format!("tree size {s}"))
}

fn continues_text(expected: Option<u64>, found: Option<u64>) -> String {
    match (expected, found) {
        (Some(e), Some(f)) => format!("the chain goes on at entry {e}, the page ends at entry {f}"),
        (Some(e), None) => format!("the chain goes on at entry {e}, the page holds no records"),
        (None, _) => "the page before holds the VIN's first record".to_owned(),
    }
}

/// The tree size a checkpoint note names, signatures unchecked.
fn note_size(note: &str) -> Option<u64> {
    let note = Note::parse(note).ok()?;
    Checkpoint::parse_text(&note.text).ok().map(|c| c.size().0)
}

/// Checks that `pages` (in the order fetched: the page with the index
/// proof first) make one history and joins them into a
/// [`BUNDLE_FORMAT`] bundle: records oldest first, every page's signers
/// once. Signatures and proofs are not checked here: verify the bundle.
///
/// # Errors
/// The first [`PageError`] found, naming the page.
pub fn merge_pages(pages: Vec<HistoryPage>) -> Result<HistoryBundle, PageError> {
    let Some(first) = pages.first() else {
        return Err(PageError::Empty);
    };
    let (vin, checkpoint) = (first.vin.clone(), first.checkpoint.clone());
    let mut expected: Option<u64> = None;
    for (i, p) in pages.iter().enumerate() {
        let page = i + 1;
        if p.format != PAGE_FORMAT {
            return Err(PageError::Format {
                page,
                format: p.format.clone(),
            });
        }
        if p.vin != vin {
            return Err(PageError::Vin {
                page,
                vin: p.vin.clone(),
                first: vin,
            });
        }
        if p.checkpoint != checkpoint {
            return Err(PageError::Checkpoint {
                page,
                size: note_size(&p.checkpoint),
                first: note_size(&checkpoint),
            });
        }
        if i == 0 {
            if p.index_entry.is_none() || p.index_proof.is_none() {
                return Err(PageError::Header {
                    page,
                    what: "the first page has no index entry or index proof",
                });
            }
        } else {
            if p.index_entry.is_some() || p.index_proof.is_some() || p.witnessed.is_some() {
                return Err(PageError::Header {
                    page,
                    what: "only the first page may carry the index entry, index proof or witnessed part",
                });
            }
            let found = p.records.last().map(|r| r.index);
            if expected.is_none() || found != expected {
                return Err(PageError::Gap {
                    page,
                    expected,
                    found,
                });
            }
        }
        if p.records.is_empty() && (i > 0 || p.next.is_some()) {
            return Err(PageError::Gap {
                page: page + 1,
                expected: p.next,
                found: None,
            });
        }
        expected = p.next;
    }
    if expected.is_some() {
        // The last page says the chain goes on: a page is missing.
        return Err(PageError::Gap {
            page: pages.len() + 1,
            expected,
            found: None,
        });
    }
    let mut signers: BTreeMap<u64, ProvenEntry> = BTreeMap::new();
    let mut records = Vec::new();
    let mut witnessed = None;
    let (mut index_entry, mut index_proof) = (None, None);
    for (i, p) in pages.into_iter().enumerate().rev() {
        for s in p.signers {
            match signers.get(&s.index) {
                Some(known) if known.entry != s.entry => {
                    return Err(PageError::Signer {
                        page: i + 1,
                        index: s.index,
                    });
                }
                Some(_) => {}
                None => {
                    signers.insert(s.index, s);
                }
            }
        }
        records.extend(p.records);
        if i == 0 {
            (index_entry, index_proof, witnessed) = (p.index_entry, p.index_proof, p.witnessed);
        }
    }
    let (Some(index_entry), Some(index_proof)) = (index_entry, index_proof) else {
        return Err(PageError::Header {
            page: 1,
            what: "the first page has no index entry or index proof",
        });
    };
    Ok(HistoryBundle {
        format: BUNDLE_FORMAT.to_owned(),
        vin,
        checkpoint,
        index_entry,
        index_proof,
        records,
        signers: signers.into_values().collect(),
        witnessed,
    })
}

/// Verifies one page alone against the log key: its checkpoint, its
/// header when it has one (the index entry, the index proof and, when
/// present, the witnessed part), every inclusion proof, that its records
/// are a run of the VIN's chain (ending at the head the index names, on
/// the first page; starting at record #0 when [`HistoryPage::next`] is
/// `None`, else linking to `next`) and that their signers are shown
/// enrolled. Returns the page's checkpoint.
///
/// That a page verifies says nothing of the records on other pages: only
/// the joined bundle proves the history complete.
///
/// # Errors
/// The first [`BundleError`] found.
pub fn verify_page(page: &HistoryPage, log_key: &VerifierKey) -> Result<Checkpoint, BundleError> {
    if page.format != PAGE_FORMAT {
        return Err(BundleError::Format(page.format.clone()));
    }
    let vin = Vin::parse(&page.vin)?;
    let cp = open_checkpoint_for_origin(&page.checkpoint, log_key.name(), log_key)?;
    if let Some(w) = &page.witnessed {
        verify_witnessed(&cp, w, log_key)?;
    }
    let head = match (&page.index_entry, &page.index_proof) {
        (Some(entry), Some(proof)) => Some(open_index(&cp, &vin, entry, proof)?.1),
        (None, None) => None,
        _ => {
            return Err(BundleError::IndexEntry(
                "a page has the index entry without the index proof, or the other way round",
            ));
        }
    };
    // Where the run starts: the oldest record's own link, checked against
    // the inclusion-proven entry by `open_chain`.
    let start = match page.records.first() {
        Some(p) => {
            let bytes = unb64(&p.entry, format!("entry {}", p.index))?;
            let chain = Entry::decode(&bytes)
                .ok()
                .as_ref()
                .and_then(Entry::record)
                .and_then(|r| r.chain);
            let chain = chain.ok_or_else(|| {
                BundleError::Chain(format!("entry {} has no VIN chain link", p.index))
            })?;
            Some((
                chain.sequence,
                chain.previous.map(|l| (l.index, l.leaf_hash)),
            ))
        }
        None => None,
    };
    let (first, previous) = start.unwrap_or((0, None));
    if (first == 0) != previous.is_none() {
        return Err(BundleError::Chain(format!(
            "entry {}: record #{first} of the VIN {} a link to a record before it",
            page.records.first().map_or(0, |p| p.index),
            if previous.is_none() {
                "without"
            } else {
                "with"
            }
        )));
    }
    let links_to = previous.map(|(index, _)| index);
    if links_to != page.next {
        let name = |i: Option<u64>| i.map_or_else(|| "none".to_owned(), |i| format!("entry {i}"));
        return Err(BundleError::Chain(format!(
            "the page names {} as the next record, its oldest record links to {}",
            name(page.next),
            name(links_to)
        )));
    }
    let (records, last) = open_chain(&cp, &vin, &page.records, first, previous)?;
    if let Some(head) = head {
        let count = head.map_or(0, |h| h.count);
        let ends = first + page.records.len() as u64;
        if ends != count || last != head.map(|h| (h.index, h.leaf_hash)) {
            return Err(BundleError::Chain(format!(
                "the index counts {count} records for {vin}, the first page ends at record #{}",
                ends.saturating_sub(1)
            )));
        }
    }
    with_roles(&cp, records, &page.signers)?;
    Ok(cp)
}
