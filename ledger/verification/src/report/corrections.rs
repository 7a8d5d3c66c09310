//! Corrections in force: which statement counts for each record of a
//! history once corrections are taken into account.
//!
//! A correction names an earlier record of the VIN and replaces it (or
//! withdraws it); a later correction of the same record supersedes an
//! earlier one. The original stays in the history and in the timeline; the
//! summary counts what is in force, as the log's rules do. Brands are the
//! exception: no correction removes one.

use std::collections::HashMap;

use vledger_records::{Record, RecordBody};

use super::model::Status;
use crate::history::HistoryRecord;

/// The record an entry holds, if it holds one.
#[must_use]
pub(crate) fn record_of(h: &HistoryRecord) -> Option<&Record> {
    h.entry.record().map(|r| r.signed.record())
}

/// The corrections of a history, by the entry they correct.
#[derive(Debug, Default)]
pub(crate) struct InForce<'a> {
    /// For each corrected entry: the corrections naming it, oldest first,
    /// each with its replacement (`None`: a withdrawal).
    by_target: HashMap<u64, Vec<(u64, Option<&'a Record>)>>,
}

impl<'a> InForce<'a> {
    /// The corrections among `records`.
    #[must_use]
    pub(crate) fn of(records: &'a [HistoryRecord]) -> Self {
        let mut by_target: HashMap<u64, Vec<(u64, Option<&'a Record>)>> = HashMap::new();
        for h in records {
            if let Some(RecordBody::Correction(c)) = record_of(h).map(|r| &r.body) {
                by_target
                    .entry(c.target_index)
                    .or_default()
                    .push((h.index, c.replacement.as_deref()));
            }
        }
        Self { by_target }
    }

    /// What counts for entry `index`, whose own record is `original`: the
    /// latest correction's replacement, `None` when that correction
    /// withdraws it, else the original.
    #[must_use]
    pub(crate) fn record(&self, index: u64, original: &'a Record) -> Option<&'a Record> {
        match self.by_target.get(&index).and_then(|c| c.last()) {
            Some((_, replacement)) => *replacement,
            None => Some(original),
        }
    }

    /// What counted for entry `target` (whose own record is `original`)
    /// just before the correction at entry `correction`.
    #[must_use]
    pub(crate) fn before(
        &self,
        target: u64,
        correction: u64,
        original: &'a Record,
    ) -> Option<&'a Record> {
        self.by_target
            .get(&target)
            .into_iter()
            .flatten()
            .take_while(|(at, _)| *at < correction)
            .last()
            .map_or(Some(original), |(_, r)| *r)
    }

    /// The corrections naming entry `index`, oldest first.
    #[must_use]
    pub(crate) fn corrected_by(&self, index: u64) -> Vec<u64> {
        self.by_target
            .get(&index)
            .map(|c| c.iter().map(|(at, _)| *at).collect())
            .unwrap_or_default()
    }

    /// Whether entry `index` is in force, corrected or withdrawn.
    #[must_use]
    pub(crate) fn status(&self, index: u64) -> Status {
        match self.by_target.get(&index).and_then(|c| c.last()) {
            None => Status::InForce,
            Some((_, Some(_))) => Status::Corrected,
            Some((_, None)) => Status::Withdrawn,
        }
    }
}
