//! Naming the first entry whose bytes a checkpoint does not commit to.
//!
//! When the root recomputed from the entries is not the checkpoint's, the
//! log's own consistency proofs say how far the two trees agree: the tree
//! of the first `m` entries the auditor replayed is a prefix of the
//! checkpoint's tree exactly when the log can prove it consistent with the
//! checkpoint. That holds for every `m` up to the first wrong entry and for
//! none after, so a bisection over `m` finds it: first over the right edges
//! the auditor kept every few thousand entries, then, after fetching that
//! stretch again, over single entries. It costs about `2 log2 n`
//! consistency proofs and one stretch of entries.
//!
//! This only names the entry; the audit has failed either way. A log that
//! answers the bisection with bad proofs can only make it name another
//! entry or none.

use super::{LogSource, extended};
use vledger_tlog::hash::leaf_hash;
use vledger_tlog::merkle::{Frontier, verify_consistency};
use vledger_tlog::note::Checkpoint;

/// Whether the log proves the tree `prefix` to be a prefix of `checkpoint`'s
/// tree; `None` when the log cannot answer.
fn agrees<S: LogSource>(
    source: &mut S,
    prefix: &Frontier,
    checkpoint: &Checkpoint,
) -> Option<bool> {
    let m = prefix.size();
    if m.is_empty() {
        return Some(true);
    }
    let proof = source.consistency_proof(m.0, checkpoint.size().0).ok()?;
    Some(
        verify_consistency(
            m,
            checkpoint.size(),
            &prefix.root(),
            checkpoint.root(),
            &proof,
        )
        .is_ok(),
    )
}

/// The index of the first entry the checkpoint does not commit to, given
/// the right edges `snapshots` taken during the audit (increasing sizes
/// below the checkpoint's, the first one the audit's trusted start).
pub(super) fn first_wrong_leaf<S: LogSource>(
    source: &mut S,
    checkpoint: &Checkpoint,
    snapshots: &[Frontier],
) -> Option<u64> {
    let n = checkpoint.size().0;
    // snapshots[lo] agrees; snapshots[hi] (the checkpoint itself when hi is
    // past the end) does not.
    let (mut lo, mut hi) = (0, snapshots.len());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if agrees(source, &snapshots[mid], checkpoint)? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let base = snapshots.get(lo)?;
    let start = base.size().0;
    let end = snapshots.get(hi).map_or(n, |f| f.size().0);
    let mut leaves = Vec::with_capacity(usize::try_from(end - start).ok()?);
    while start + (leaves.len() as u64) < end {
        let next = start + leaves.len() as u64;
        let page = source.entries(next, end).ok()?;
        if page.is_empty() {
            return None;
        }
        leaves.extend(page.iter().map(|e| leaf_hash(&e.bytes)));
    }
    leaves.truncate(usize::try_from(end - start).ok()?);
    let (mut lo, mut hi) = (start, end);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let prefix = extended(base, leaves.get(..usize::try_from(mid - start).ok()?)?);
        if agrees(source, &prefix, checkpoint)? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    // The first `hi - 1` entries agree and the first `hi` do not.
    Some(hi - 1)
}
