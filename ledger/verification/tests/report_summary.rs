//! The report's summary and timeline on a synthetic troubled car: brands
//! that corrections cannot remove, readings in force after corrections and
//! withdrawals, inspection groups, flags, and corrections shown against
//! what they corrected.

mod support;

use support::{VIN, line, troubled};
use vledger_records::DeregistrationReason;
use vledger_verification::i18n::Lang;
use vledger_verification::report::{Report, Status};

#[test]
fn the_summary_counts_what_is_in_force_and_every_brand_and_flag() {
    let (h, at) = troubled();
    let r = Report::build(&h, None, Lang::En);
    let s = &r.summary;
    let brands: Vec<(&str, u64)> = s.brands.iter().map(|b| (b.brand.name(), b.index)).collect();
    assert_eq!(brands, [("flood_fresh_water", at[5]), ("fire", at[6])]);
    assert_eq!(s.brands[1].date, "2021-07-20");
    assert!(s.damage.flood && s.damage.fire && !s.damage.accident);
    assert_eq!(s.damage.records, [at[5]]);
    assert_eq!(
        (s.ownership.transfers.len(), s.ownership.for_export),
        (2, 1)
    );
    assert_eq!(s.registrations.len(), 2);
    assert_eq!(s.deregistrations[0].reason, DeregistrationReason::Theft);
    // The corrected reading counts as 9800 km; the withdrawn one not at all.
    assert_eq!(s.odometer.readings, 5);
    let last = s.odometer.last.as_ref().unwrap();
    assert_eq!((last.index, last.value), (at[11], 21_500));
    assert!(s.odometer.rollback);
    assert_eq!(s.odometer.rollback_entries, [at[3]]);
    let i = &s.inspections[0];
    assert_eq!(
        (
            i.totals.items,
            i.totals.passed,
            i.totals.failed,
            i.totals.advisory
        ),
        (4, 1, 1, 1)
    );
    let groups: Vec<(Option<&str>, usize)> = i
        .groups
        .iter()
        .map(|g| (g.group.as_deref(), g.count.items))
        .collect();
    assert_eq!(groups, [(Some("Braking"), 2), (Some("Body"), 1), (None, 1)]);
    let corrections: Vec<(u64, u64, bool)> = s
        .corrections
        .iter()
        .map(|c| (c.index, c.target_index, c.withdrawn))
        .collect();
    assert_eq!(
        corrections,
        [
            (at[4], at[2], false),
            (at[6], at[5], false),
            (at[16], at[15], true)
        ]
    );
    assert_eq!(s.flags.total, 3);
    let flags: Vec<&str> = s.flags.kinds.iter().map(|k| k.flag).collect();
    assert_eq!(
        flags,
        [
            "odometer_rollback",
            "activity_after_deregistration",
            "early_export"
        ]
    );
    assert!(r.needs_attention());
    assert_eq!(s.claims[0].related_index, Some(at[5]));

    // The printed summary, in English.
    assert_eq!(
        line(&r, "Brands"),
        [
            format!("flood (fresh water) (set by entry {}, 2021-07-15)", at[5]),
            format!("fire (set by entry {}, 2021-07-20)", at[6])
        ]
    );
    assert_eq!(
        line(&r, "Odometer"),
        [format!(
            "last reading 21500 km on 2023-01-10 (entry {}); 5 readings; ROLLBACK flagged at entry {}",
            at[11], at[3]
        )]
    );
    assert_eq!(
        line(&r, "Inspections"),
        [
            format!(
                "2023-01-10, TEST-4 v2: failed; 1 of 4 passed, 1 advisory, 1 failed, 1 not applicable (entry {})",
                at[11]
            ),
            "  Braking: 1 of 2 passed, 1 failed".to_owned(),
            "  Body: 0 of 1 passed, 1 advisory".to_owned(),
            "  other items: 0 of 1 passed, 1 not applicable".to_owned(),
        ]
    );
    assert_eq!(
        line(&r, "Flags"),
        [
            format!("odometer rollback at entry {}", at[3]),
            format!("activity after deregistration at entry {}", at[10]),
            format!("early export at entry {}", at[12]),
        ]
    );
    assert_eq!(
        line(&r, "Ownership"),
        ["2 ownership transfers, 1 for export"]
    );
    assert_eq!(
        line(&r, "Corrections")[2],
        format!(
            "entry {} withdrew entry {} (Odometer reading): Wrong vehicle",
            at[16], at[15]
        )
    );
}

#[test]
fn the_timeline_shows_corrections_against_what_they_corrected() {
    let (h, at) = troubled();
    let r = Report::build(&h, None, Lang::En);
    let entry = |i: u64| r.timeline.iter().find(|t| t.index == i).unwrap();
    assert_eq!(r.timeline.len(), 17);
    assert_eq!(entry(at[2]).status, Status::Corrected);
    assert_eq!(entry(at[2]).corrected_by, [at[4]]);
    assert_eq!(entry(at[15]).status, Status::Withdrawn);
    assert_eq!(entry(at[3]).status, Status::InForce);
    let change = |i: u64| {
        entry(i)
            .changes
            .iter()
            .map(|c| format!("{}: {} → {}", c.label, c.before, c.after))
            .collect::<Vec<_>>()
    };
    assert_eq!(change(at[4]), ["Odometer: 98000 km → 9800 km"]);
    assert_eq!(
        change(at[6]),
        ["Damage: flood (fresh water) → flood (fresh water); fire"]
    );
    assert_eq!(entry(at[4]).corrects, Some(at[2]));
    let facts = |i: u64| {
        entry(i)
            .facts
            .iter()
            .map(|f| format!("{}: {}", f.label, f.value))
            .collect::<Vec<_>>()
    };
    assert!(facts(at[16]).contains(&"Changes: withdraws it: its facts no longer count".to_owned()));
    assert!(facts(at[14]).contains(&"Amount: 2500.00 USD".to_owned()));
    assert!(facts(at[11]).contains(&"Finding: Braking: Discs: failed — Scored".to_owned()));
    assert_eq!(
        entry(at[3]).flags[0].text,
        format!(
            "odometer rollback: 15000 km is below 98000 km recorded at entry {}",
            at[2]
        )
    );
    assert_eq!(
        entry(at[0]).signer.text,
        format!(
            "signed by Example Motors (manufacturer, key {})",
            entry(at[0]).signer.key_id
        )
    );
    let text = r.to_text();
    assert!(text.contains(&format!(
        "2020-01-10  Odometer reading — entry {}  CORRECTED by entry {}",
        at[2], at[4]
    )));
    assert!(text.contains(&format!(
        "2023-06-01  Odometer reading — entry {}  WITHDRAWN by entry {}",
        at[15], at[16]
    )));
    let summary_at = text.find("\nBrands").unwrap();
    let timeline_at = text.find("\nTimeline\n").unwrap();
    assert!(summary_at < timeline_at);
    assert!(text.ends_with(&format!(
        "complete history of VIN {VIN} as of tree size {}: 17 records",
        h.checkpoint.size().0
    )));
}
