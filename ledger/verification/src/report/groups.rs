//! Inspection outcomes counted per item group.
//!
//! The convention: an item named `Group: item` (the group, a colon and a
//! space, then the item; or the full-width colon `：` of Chinese names)
//! belongs to the group before the first colon, e.g. `Braking: Service
//! brake efficiency, roller test` to `Braking`. Items without such a prefix
//! belong to no group. Groups are listed in the order their first item
//! appears in the inspection, which reports the protocol's items.

use vledger_records::{Inspection, ItemOutcome};

use super::summary_model::{GroupCount, OutcomeCount};

/// The group of an item: the text before its first `": "` or `"："`,
/// trimmed; `None` when there is none or it is empty.
#[must_use]
pub(crate) fn group_of(item: &str) -> Option<&str> {
    let ascii = item.find(": ");
    let wide = item.find('：');
    let at = match (ascii, wide) {
        (Some(a), Some(w)) => a.min(w),
        (Some(a), None) => a,
        (None, Some(w)) => w,
        (None, None) => return None,
    };
    let group = item[..at].trim();
    (!group.is_empty()).then_some(group)
}

impl OutcomeCount {
    /// Counts one more item.
    fn add(&mut self, outcome: ItemOutcome) {
        self.items += 1;
        match outcome {
            ItemOutcome::Pass => self.passed += 1,
            ItemOutcome::Advisory => self.advisory += 1,
            ItemOutcome::Fail => self.failed += 1,
            ItemOutcome::NotApplicable => self.not_applicable += 1,
        }
    }
}

/// The outcomes of an inspection: over every item, and per group.
#[must_use]
pub(crate) fn count(inspection: &Inspection) -> (OutcomeCount, Vec<GroupCount>) {
    let mut totals = OutcomeCount::default();
    let mut groups: Vec<GroupCount> = Vec::new();
    for r in &inspection.results {
        totals.add(r.outcome);
        let group = group_of(&r.item);
        match groups.iter_mut().find(|g| g.group.as_deref() == group) {
            Some(g) => g.count.add(r.outcome),
            None => {
                let mut count = OutcomeCount::default();
                count.add(r.outcome);
                groups.push(GroupCount {
                    group: group.map(str::to_owned),
                    count,
                });
            }
        }
    }
    (totals, groups)
}

/// The groups worth listing beside the totals: none when every item is
/// ungrouped (the list would repeat the totals).
#[must_use]
pub(crate) fn breakdown(groups: &[GroupCount]) -> &[GroupCount] {
    match groups {
        [only] if only.group.is_none() => &[],
        all => all,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vledger_records::{ItemResult, Verdict};

    #[test]
    fn items_are_grouped_by_their_prefix() {
        assert_eq!(group_of("Braking: Parking brake"), Some("Braking"));
        assert_eq!(group_of("制动：驻车制动"), Some("制动"));
        assert_eq!(group_of("Lights: a: b"), Some("Lights"));
        assert_eq!(group_of("Brakes"), None);
        assert_eq!(group_of("Ratio 1:2 check"), None);
        assert_eq!(group_of(": no group"), None);
    }

    #[test]
    fn outcomes_are_counted_per_group_in_order() {
        let result = |item: &str, outcome| ItemResult {
            item: item.to_owned(),
            outcome,
            note: String::new(),
        };
        let inspection = Inspection {
            accreditation_number: "CNAS L1".into(),
            protocol_id: "P".into(),
            protocol_version: 1,
            results: vec![
                result("Body: Roof", ItemOutcome::Advisory),
                result("Braking: Pads", ItemOutcome::Pass),
                result("Body: Doors", ItemOutcome::Pass),
                result("Horn", ItemOutcome::Fail),
                result("Braking: Discs", ItemOutcome::NotApplicable),
            ],
            verdict: Verdict::Fail,
            odometer: None,
            engine_number: None,
        };
        let (totals, groups) = count(&inspection);
        assert_eq!(
            totals,
            OutcomeCount {
                items: 5,
                passed: 2,
                advisory: 1,
                failed: 1,
                not_applicable: 1
            }
        );
        let names: Vec<Option<&str>> = groups.iter().map(|g| g.group.as_deref()).collect();
        assert_eq!(names, [Some("Body"), Some("Braking"), None]);
        assert_eq!((groups[0].count.items, groups[0].count.advisory), (2, 1));
        assert_eq!(
            (groups[1].count.passed, groups[1].count.not_applicable),
            (1, 1)
        );
        assert_eq!(groups[2].count.failed, 1);
        assert_eq!(breakdown(&groups).len(), 3);
        assert!(breakdown(&groups[2..]).is_empty());
    }
}
