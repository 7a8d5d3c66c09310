//! Auditing a log from what it serves: every entry, every stored hash the
//! node reports, and its checkpoints, trusting nothing but the log's key.
//!
//! [`audit`] reads a log through a [`LogSource`] (the node's gRPC API in
//! `vledger audit`, a `Vec` in tests and benches) and
//!
//! 1. opens the log's latest checkpoint with the log key;
//! 2. when resuming from an [`AuditState`], checks that the log still
//!    serves the audited checkpoint and proves the new checkpoint consistent
//!    with it (RFC 9162 consistency proof), so a split view or a rewritten
//!    history is named before any entry is read;
//! 3. replays every new entry with the [`Replayer`]: decoding and record
//!    signatures (the record signature rule, a page per batch) on several
//!    threads, then in order every authorisation, VIN chain link,
//!    timestamp, deduplication and index entry, recomputing every stored
//!    hash and comparing it with the one the log reports, if it reports
//!    them;
//! 4. compares the recomputed root with the checkpoint's; when they differ,
//!    asks the log for consistency proofs to find, by bisection, the first
//!    entry whose bytes the checkpoint does not commit to.
//!
//! The new [`AuditState`] (the checkpoint and the replayer's whole state)
//! lets the next audit read only the entries logged since.
//!
//! This module does no I/O of its own: the source fetches, the caller
//! stores the state.

mod locate;
mod state;

use std::time::Instant;

pub use state::{AuditState, AuditStateError};

use crate::replay::{DecodedEntry, ReplayError, Replayer};
use vledger_records::{EntryBody, RecordBody};
use vledger_tlog::hash::Hash;
use vledger_tlog::merkle::{Frontier, NodeId, TreeSize, VerifyError, verify_consistency};
use vledger_tlog::note::{Checkpoint, CheckpointError};
use vledger_verification::succession::{LogKeys, SuccessionError};

/// Most entries the auditor asks for at once.
pub const PAGE: u64 = 1024;

/// Every this many entries the auditor keeps the tree's right edge, to
/// locate a wrong entry by bisection.
const SNAPSHOT_EVERY: u64 = 4096;

/// One entry as a log serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceEntry {
    /// The entry's exact leaf bytes.
    pub bytes: Vec<u8>,
    /// The stored hashes appending it completed, leaf hash first (RFC 6962
    /// subtree `(level, index)` for levels `0..=trailing ones of the leaf
    /// index`), if the log reports them.
    pub stored_hashes: Option<Vec<Hash>>,
}

/// Where the auditor reads a log. Methods take `&mut self` so that an
/// implementation can keep a connection or a prefetch queue.
pub trait LogSource {
    /// Why reading failed.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The latest signed checkpoint note.
    ///
    /// # Errors
    /// When it cannot be read.
    fn checkpoint(&mut self) -> Result<String, Self::Error>;

    /// The signed checkpoint note the log signed at `size`.
    ///
    /// # Errors
    /// When it cannot be read.
    fn checkpoint_at(&mut self, size: u64) -> Result<String, Self::Error>;

    /// Entries from `start`, in order, at least one and at most up to `end`
    /// (exclusive). Calls come in increasing order, so an implementation
    /// may fetch ahead.
    ///
    /// # Errors
    /// When they cannot be read.
    fn entries(&mut self, start: u64, end: u64) -> Result<Vec<SourceEntry>, Self::Error>;

    /// The RFC 9162 consistency proof from tree size `old` to `new`.
    ///
    /// # Errors
    /// When it cannot be read.
    fn consistency_proof(&mut self, old: u64, new: u64) -> Result<Vec<Hash>, Self::Error>;

    /// Whether [`LogSource::checkpoint_at`] serves checkpoints older than
    /// the latest. A C2SP tile API serves only the latest: a resumed audit
    /// of one then ties the audited checkpoint to the latest by the
    /// consistency proof alone (computed from tiles, checked against both
    /// signed roots).
    fn serves_old_checkpoints(&self) -> bool {
        true
    }

    /// A hint that entries `[start, end)` will be read next, in order, so
    /// that an implementation can start fetching them.
    fn will_read(&mut self, start: u64, end: u64) {
        let _ = (start, end);
    }
}

/// The stored hashes that appending leaf `index` completes, leaf first: the
/// nodes `(level, index >> level)` for every level from 0 to the number of
/// trailing one bits of `index` (what [`SourceEntry::stored_hashes`] lists).
#[must_use]
pub fn completed_nodes(index: u64) -> Vec<NodeId> {
    (0..=index.trailing_ones() as u8)
        .filter_map(|level| {
            Some(NodeId {
                level,
                index: index.checked_shr(level.into())?,
            })
        })
        .collect()
}

/// How to audit.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// Threads that decode entries and verify record signatures, besides
    /// the one that replays them in order (1: everything on one thread).
    pub threads: usize,
    /// Entries asked for at once (at most [`PAGE`]).
    pub page: u64,
}

impl Default for AuditOptions {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            page: PAGE,
        }
    }
}

/// What the auditor has done so far, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Entries replayed (the log's leaf index reached).
    pub position: u64,
    /// Where this audit started.
    pub start: u64,
    /// The tree size being audited.
    pub end: u64,
}

/// What an audit found: the log is sound up to `tree_size`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditReport {
    /// The log's origin.
    pub origin: String,
    /// The tree size the audit started from (0, or the resumed state's).
    pub from_size: u64,
    /// The audited checkpoint's tree size.
    pub tree_size: u64,
    /// Its root hash, base64.
    pub root: String,
    /// Entries read in this audit.
    pub entries_read: u64,
    /// Of which record entries.
    pub records: u64,
    /// Of which index entries.
    pub index_entries: u64,
    /// Of which log key successions.
    pub successions: u64,
    /// Flags the log's rules put on the records read.
    pub flags: u64,
    /// Records read that carry a flag.
    pub flagged_records: u64,
    /// Damage brands the records read put on VINs, each brand counted
    /// once per VIN.
    pub brands: u64,
    /// VINs the records read branded.
    pub branded_vins: u64,
    /// Stored hashes compared with their recomputation.
    pub stored_hashes_checked: u64,
    /// Whether the new checkpoint was proved consistent with the audited one.
    pub consistency_proved: bool,
    /// Distinct VINs in the whole log.
    pub vins: u64,
    /// Keys ever enrolled in the whole log.
    pub keys: u64,
    /// Seconds spent.
    pub seconds: f64,
}

/// The first thing found wrong, naming the entry, hash or checkpoint.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError<E: std::error::Error + 'static> {
    /// Reading from the log failed: nothing was found wrong, but nothing was
    /// audited either.
    #[error("cannot read the log: {0}")]
    Source(#[source] E),
    /// A checkpoint does not open with the log key.
    #[error("{}: {error}", checkpoint_name(*.size))]
    Checkpoint {
        /// Its tree size, when it is known.
        size: Option<u64>,
        /// Why it does not open.
        error: CheckpointError,
    },
    /// The audit state is another log's.
    #[error("the audit state is of log {state:?}, not {log:?}")]
    WrongLog {
        /// The state's origin.
        state: String,
        /// The log's origin.
        log: String,
    },
    /// The log's latest checkpoint is smaller than the audited one.
    #[error(
        "checkpoint at tree size {found}: the log went back from the audited tree size {audited}"
    )]
    Shrunk {
        /// The audited size.
        audited: u64,
        /// The latest checkpoint's size.
        found: u64,
    },
    /// The log serves another checkpoint at the audited size.
    #[error(
        "checkpoint at tree size {size}: the log now serves root {found}, but the audited checkpoint has root {audited}"
    )]
    AuditedCheckpointChanged {
        /// The audited size.
        size: u64,
        /// The audited root, base64.
        audited: String,
        /// The root the log serves now, base64.
        found: String,
    },
    /// The new checkpoint is not consistent with the audited one: a fork.
    #[error(
        "checkpoint at tree size {new} is not consistent with the audited checkpoint at tree size {old}: {error}"
    )]
    Inconsistent {
        /// The audited size.
        old: u64,
        /// The new size.
        new: u64,
        /// Why the proof fails.
        error: VerifyError,
    },
    /// An entry is wrong.
    #[error(transparent)]
    Entry(#[from] ReplayError),
    /// The genesis entry names another log.
    #[error("entry 0: genesis names {0} other than the audited log's")]
    Genesis(&'static str),
    /// A checkpoint is signed by a log key outside the tree sizes it signs
    /// (a retired key beyond its last checkpoint, a successor before its
    /// succession).
    #[error("{}: {error}", checkpoint_name(*size))]
    KeyRange {
        /// The checkpoint's size, `None` for the latest.
        size: Option<u64>,
        /// What is wrong.
        error: SuccessionError,
    },
    /// A succession entry that the succession proofs given do not name, or
    /// name otherwise.
    #[error(
        "entry {index}: the log hands its key on to {key} here, {what}; give the auditor its succession proof (--succession)"
    )]
    Succession {
        /// The succession entry.
        index: u64,
        /// The successor key it names, base64.
        key: String,
        /// How it differs from the proofs given.
        what: &'static str,
    },
    /// A stored hash the log reports differs from its recomputation.
    #[error(
        "stored hash at level {} index {} (completed by entry {entry}) differs from the hash recomputed from the entries",
        .node.level, .node.index
    )]
    StoredHash {
        /// The stored hash's node.
        node: NodeId,
        /// The entry whose append completed it.
        entry: u64,
    },
    /// The log reports another number of stored hashes for an entry than
    /// appending it completes.
    #[error("entry {entry}: the log reports {found} stored hashes completed by it, not {expected}")]
    StoredHashCount {
        /// The entry.
        entry: u64,
        /// How many its append completes.
        expected: usize,
        /// How many the log reports.
        found: usize,
    },
    /// The checkpoint commits to other bytes than the log served for an entry.
    #[error(
        "entry {index}: the checkpoint at tree size {size} commits to other bytes at this index than the log serves"
    )]
    Leaf {
        /// The entry.
        index: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// The recomputed root is not the checkpoint's (and bisection could not
    /// name the entry).
    #[error("checkpoint at tree size {size}: root is not the root of the entries")]
    Root {
        /// The checkpoint's size.
        size: u64,
    },
    /// The last entry under the checkpoint is not an index entry.
    #[error("checkpoint at tree size {size}: the last entry under it is not an index entry")]
    NoIndexEntry {
        /// The checkpoint's size.
        size: u64,
    },
    /// The log served entries other than those asked for.
    #[error("the log answered a request for entries from {start} with {got} entries")]
    BadPage {
        /// The first entry asked for.
        start: u64,
        /// How many came.
        got: usize,
    },
}

fn checkpoint_name(size: Option<u64>) -> String {
    size.map_or_else(
        || "latest checkpoint".to_owned(),
        |s| format!("checkpoint at tree size {s}"),
    )
}

/// Audits the log `source` serves under `keys` (the key the auditor
/// pinned, and the successors it followed), from the start or from
/// `previous`, up to its latest checkpoint. The log's origin is the log
/// key's name (vledger logs name their key after their origin). Every
/// succession entry replayed must be one `keys` followed, at the same
/// index and to the same key.
///
/// `progress` is called after every page of entries.
///
/// # Errors
/// The first [`AuditError`] found.
pub fn audit<S: LogSource>(
    source: &mut S,
    keys: &LogKeys,
    previous: Option<AuditState>,
    options: &AuditOptions,
    mut progress: impl FnMut(Progress),
) -> Result<(AuditReport, AuditState), AuditError<S::Error>> {
    let started = Instant::now();
    let pinned = &keys.keys()[0].key;
    let open = |note: &str, size: Option<u64>| match keys.open(note) {
        Ok((_, checkpoint)) => Ok(checkpoint),
        Err(SuccessionError::Checkpoint(error)) => Err(AuditError::Checkpoint { size, error }),
        Err(error) => Err(AuditError::KeyRange { size, error }),
    };
    let note = source.checkpoint().map_err(AuditError::Source)?;
    let checkpoint = open(&note, None)?;
    let size = checkpoint.size().0;

    let (mut replayer, consistency_proved) = match previous {
        None => (Replayer::new(), false),
        Some(state) => {
            let audited = open(state.checkpoint(), Some(state.tree_size()))?;
            if audited.origin() != checkpoint.origin() {
                return Err(AuditError::WrongLog {
                    state: audited.origin().to_owned(),
                    log: checkpoint.origin().to_owned(),
                });
            }
            check_extends(source, &audited, &checkpoint, &open)?;
            (state.into_replayer(), true)
        }
    };
    let from_size = replayer.size();

    let mut report = AuditReport {
        origin: checkpoint.origin().to_owned(),
        from_size,
        tree_size: size,
        root: checkpoint.root().to_base64(),
        entries_read: 0,
        records: 0,
        index_entries: 0,
        successions: 0,
        flags: 0,
        flagged_records: 0,
        brands: 0,
        branded_vins: 0,
        stored_hashes_checked: 0,
        consistency_proved,
        vins: 0,
        keys: 0,
        seconds: 0.0,
    };
    // The damage brands the records read put on each VIN.
    let mut branded: std::collections::HashMap<vledger_records::Vin, u16> =
        std::collections::HashMap::new();
    let mut snapshots = vec![replayer.frontier().clone()];
    let mut last_snapshot = from_size;
    let page = options.page.clamp(1, PAGE);
    source.will_read(from_size, size);
    // Pages are decoded (record signatures checked) on worker threads, one
    // page each, up to twice as many pages ahead of the replay as there are
    // threads; the replay decides in order on this thread. It works in
    // bursts (an index entry updates the VIN index for its whole batch),
    // during which the workers keep going. With one thread, no workers.
    let ahead_pages = if options.threads <= 1 {
        1
    } else {
        2 * options.threads
    };
    let mut fetched = from_size;
    let mut ahead = std::collections::VecDeque::with_capacity(ahead_pages);
    loop {
        while ahead.len() < ahead_pages {
            match fetch_page(source, &mut fetched, size, page, options.threads)? {
                Some(decoding) => ahead.push_back(decoding),
                None => break,
            }
        }
        let Some(pending) = ahead.pop_front() else {
            break;
        };
        let (entries, decoded) = pending.join();
        for (entry, decoded) in entries.iter().zip(decoded) {
            let index = replayer.size();
            let replayed = replayer.apply_decoded(decoded)?;
            match &replayed.entry.body {
                EntryBody::Genesis(g) => {
                    if g.origin != checkpoint.origin() {
                        return Err(AuditError::Genesis("an origin"));
                    }
                    if g.log_key != *pinned.public_key() {
                        return Err(AuditError::Genesis("a log key"));
                    }
                }
                EntryBody::Succession(s) => {
                    report.successions += 1;
                    let nth = replayer.successions().len();
                    let given = keys.keys().get(nth);
                    let what = match given {
                        None => Some("which no succession proof given names"),
                        Some(k) if k.succession_index != Some(index) => {
                            Some("where the succession proofs given name another entry")
                        }
                        Some(k) if k.key.public_key() != &s.log_key => {
                            Some("to another key than its succession proof names")
                        }
                        Some(_) => None,
                    };
                    if let Some(what) = what {
                        use base64::Engine as _;
                        return Err(AuditError::Succession {
                            index,
                            key: base64::engine::general_purpose::STANDARD
                                .encode(s.log_key.as_bytes()),
                            what,
                        });
                    }
                }
                EntryBody::Record(r) => {
                    report.records += 1;
                    report.flags += r.flags.len() as u64;
                    report.flagged_records += u64::from(!r.flags.is_empty());
                    let record = r.signed.record();
                    if let (Some(vin), RecordBody::Damage(damage)) = (&record.vin, &record.body) {
                        let brands = branded.entry(vin.clone()).or_insert(0u16);
                        *brands |= damage.brands().0;
                    }
                }
                EntryBody::Index(_) => report.index_entries += 1,
                // The replayer refuses entries of kinds it does not know.
                _ => {}
            }
            if let Some(stored) = &entry.stored_hashes {
                if stored.len() != replayed.hashes.len() {
                    return Err(AuditError::StoredHashCount {
                        entry: index,
                        expected: replayed.hashes.len(),
                        found: stored.len(),
                    });
                }
                for ((node, expected), found) in replayed.hashes.iter().zip(stored) {
                    if expected != found {
                        return Err(AuditError::StoredHash {
                            node: *node,
                            entry: index,
                        });
                    }
                }
                report.stored_hashes_checked += stored.len() as u64;
            }
            report.entries_read += 1;
        }
        let position = replayer.size();
        if position - last_snapshot >= SNAPSHOT_EVERY && position < size {
            snapshots.push(replayer.frontier().clone());
            last_snapshot = position;
        }
        progress(Progress {
            position,
            start: from_size,
            end: size,
        });
    }

    if replayer.frontier().root() != *checkpoint.root() {
        return Err(
            match locate::first_wrong_leaf(source, &checkpoint, &snapshots) {
                Some(index) => AuditError::Leaf { index, size },
                None => AuditError::Root { size },
            },
        );
    }
    if !replayer.last_is_index() {
        return Err(AuditError::NoIndexEntry { size });
    }
    report.brands = branded.values().map(|b| u64::from(b.count_ones())).sum();
    report.branded_vins = branded.values().filter(|b| **b != 0).count() as u64;
    report.vins = replayer.vin_heads().count() as u64;
    report.keys = replayer.key_states().count() as u64;
    report.seconds = started.elapsed().as_secs_f64();
    Ok((report, AuditState::new(note, replayer)))
}

/// Checks that `latest` extends the audited checkpoint: the log still
/// serves the audited one, and a consistency proof links them.
fn check_extends<S: LogSource>(
    source: &mut S,
    audited: &Checkpoint,
    latest: &Checkpoint,
    open: &impl Fn(&str, Option<u64>) -> Result<Checkpoint, AuditError<S::Error>>,
) -> Result<(), AuditError<S::Error>> {
    let (old, new) = (audited.size().0, latest.size().0);
    if new < old {
        return Err(AuditError::Shrunk {
            audited: old,
            found: new,
        });
    }
    if source.serves_old_checkpoints() {
        let served = source.checkpoint_at(old).map_err(AuditError::Source)?;
        let served = open(&served, Some(old))?;
        if served.root() != audited.root() || served.size() != audited.size() {
            return Err(AuditError::AuditedCheckpointChanged {
                size: old,
                audited: audited.root().to_base64(),
                found: served.root().to_base64(),
            });
        }
    }
    let proof = if new > old && old > 0 {
        source
            .consistency_proof(old, new)
            .map_err(AuditError::Source)?
    } else {
        Vec::new()
    };
    if old > 0 {
        verify_consistency(
            TreeSize(old),
            TreeSize(new),
            audited.root(),
            latest.root(),
            &proof,
        )
        .map_err(|error| AuditError::Inconsistent { old, new, error })?;
    }
    Ok(())
}

/// A page being decoded: on a worker thread, or already on this one.
enum Decoding {
    /// Decoded on this thread (one thread only).
    Done(Vec<SourceEntry>, Vec<DecodedEntry>),
    /// Being decoded on a worker thread.
    Running(std::thread::JoinHandle<(Vec<SourceEntry>, Vec<DecodedEntry>)>),
}

impl Decoding {
    /// The page and its decoded entries, in order.
    fn join(self) -> (Vec<SourceEntry>, Vec<DecodedEntry>) {
        match self {
            Self::Done(entries, decoded) => (entries, decoded),
            Self::Running(handle) => match handle.join() {
                Ok(page) => page,
                Err(panic) => std::panic::resume_unwind(panic),
            },
        }
    }
}

/// Fetches the page from `*fetched` (if any is left below `size`) and
/// starts decoding it (and verifying its record signatures): on a worker
/// thread, or right here when the audit has one thread.
fn fetch_page<S: LogSource>(
    source: &mut S,
    fetched: &mut u64,
    size: u64,
    page: u64,
    threads: usize,
) -> Result<Option<Decoding>, AuditError<S::Error>> {
    let start = *fetched;
    if start >= size {
        return Ok(None);
    }
    let end = (start + page).min(size);
    let entries = source.entries(start, end).map_err(AuditError::Source)?;
    if entries.is_empty() || entries.len() as u64 > end - start {
        return Err(AuditError::BadPage {
            start,
            got: entries.len(),
        });
    }
    *fetched += entries.len() as u64;
    let decode = |entries: Vec<SourceEntry>| {
        let leaves: Vec<&[u8]> = entries.iter().map(|e| e.bytes.as_slice()).collect();
        let decoded = DecodedEntry::decode_many(&leaves);
        (entries, decoded)
    };
    Ok(Some(if threads <= 1 {
        let (entries, decoded) = decode(entries);
        Decoding::Done(entries, decoded)
    } else {
        Decoding::Running(std::thread::spawn(move || decode(entries)))
    }))
}

/// The right edge of the tree after `frontier` and `leaves`.
fn extended(frontier: &Frontier, leaves: &[Hash]) -> Frontier {
    let mut f = frontier.clone();
    let mut scratch = Vec::new();
    for leaf in leaves {
        scratch.clear();
        f.append_into(*leaf, &mut scratch);
    }
    f
}
