//! The report's output on synthetic histories: every language renders
//! every line from the catalogue, an empty history and the witness lines
//! read as they should, and the JSON keeps the verified records as data.

mod support;

use serde_json::Value;
use support::{History, VIN, line, reading, troubled};
use vledger_records::Role;
use vledger_tlog::note::{CosignatureStatus, Cosigner, QuorumReport};
use vledger_verification::i18n::Lang;
use vledger_verification::report::Report;

#[test]
fn every_language_renders_every_line_from_the_catalogue() {
    let (h, _) = troubled();
    let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let cyrillic = |s: &str| s.chars().any(|c| ('\u{0400}'..='\u{04ff}').contains(&c));
    let mut labels = Vec::new();
    for lang in Lang::ALL {
        let r = Report::build(&h, None, lang);
        let text = r.to_text();
        // No placeholder left unfilled.
        let unfilled = text.split('{').skip(1).any(|rest| {
            rest.split_once('}')
                .is_some_and(|(name, _)| name.chars().all(|c| c.is_ascii_lowercase()))
        });
        assert!(!unfilled, "{lang}: {text}");
        // Submitters' text as written.
        for written in [
            "Scored",
            "River burst its banks",
            "Typed 98000 for 9800",
            "US-NV",
        ] {
            assert!(text.contains(written), "{lang} lacks {written:?}");
        }
        for l in &r.summary.lines {
            match lang {
                Lang::Zh => assert!(cjk(&l.label), "{}", l.label),
                Lang::Ru => assert!(cyrillic(&l.label), "{}", l.label),
                _ => assert!(l.label.is_ascii(), "{}", l.label),
            }
        }
        for t in &r.timeline {
            match lang {
                Lang::Zh => assert!(cjk(&t.title) && cjk(&t.signer.role_label)),
                Lang::Ru => assert!(cyrillic(&t.title) && cyrillic(&t.signer.role_label)),
                _ => assert!(t.title.is_ascii()),
            }
        }
        labels.push(r.summary.lines.len());
    }
    assert!(labels.windows(2).all(|w| w[0] == w[1]), "{labels:?}");
}

#[test]
fn an_empty_history_and_the_witness_lines() {
    let h = History::new().verified(None);
    let r = Report::build(&h, None, Lang::En);
    assert!(!r.needs_attention());
    assert_eq!(
        r.verdict,
        [format!("no records for VIN {VIN} as of tree size 2")]
    );
    assert_eq!(line(&r, "Brands"), ["none"]);
    assert_eq!(
        line(&r, "Complete"),
        [
            "verified: log test.example/log holds no record of this VIN as of 2026-12-03 13:55:19 UTC (tree size 2)"
        ]
    );

    let witness = |name: &str, seed: u8| {
        Cosigner::from_seed(name, &[seed; 32])
            .unwrap()
            .verifier_key()
    };
    let quorum = QuorumReport {
        quorum: 1,
        witnesses: vec![
            (
                witness("w1.example", 1),
                CosignatureStatus::Valid {
                    timestamp: 1_796_306_200,
                },
            ),
            (witness("w2.example", 2), CosignatureStatus::Missing),
            (witness("w3.example", 3), CosignatureStatus::Bad),
        ],
    };
    let mut h = History::new();
    h.add(Role::Workshop, "Garage", reading(10, "2024-01-01"), vec![]);
    let h = h.verified(Some(9));
    let r = Report::build(&h, Some(&quorum), Lang::En);
    assert_eq!(
        r.verdict,
        [
            format!("complete history of VIN {VIN} as of tree size 4: 1 record"),
            "witnessed at tree size 9 (extends tree size 4): cosigned by 1 of 3 witnesses (quorum 1)"
                .to_owned()
        ]
    );
    assert_eq!(
        line(&r, "Witnesses"),
        [
            "tree size 9, which contains this history, was cosigned by 1 of 3 witnesses (quorum 1)",
            "w1.example: cosigned at 2026-12-03 13:56:40 UTC",
            "w2.example: missing",
            "w3.example: bad signature"
        ]
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["witnessed_tree_size"], 9);
    assert_eq!(json["witnesses"]["checkpoint"], "witnessed");
    assert_eq!(json["witnesses"]["cosigned"], 1);
    let statuses: Vec<&str> = json["witnesses"]["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["cosigned", "missing", "bad"]);
    assert_eq!(
        json["witnesses"]["statuses"][0]["cosigned_at"],
        "2026-12-03T13:56:40Z"
    );

    let unchecked = Report::build(&h, None, Lang::En);
    assert_eq!(
        unchecked.verdict[1],
        "witnessed at tree size 9 (extends tree size 4); cosignatures not checked (no --witness given)"
    );
    let mut own = h.clone();
    own.witnessed = None;
    let own = Report::build(&own, Some(&quorum), Lang::Ru);
    assert_eq!(
        own.verdict[1],
        "контрольная точка: подписали 1 из 3 свидетелей (кворум 1)"
    );
    assert_eq!(
        serde_json::to_value(&own).unwrap()["witnesses"]["checkpoint"],
        "checkpoint"
    );
}

#[test]
fn the_json_keeps_the_verified_records_as_data() {
    let (h, at) = troubled();
    let json = serde_json::to_value(Report::build(&h, None, Lang::Zh)).unwrap();
    assert_eq!(json["format"], "vledger-report/v1");
    assert_eq!(json["lang"], "zh");
    assert_eq!(json["complete"], true);
    assert_eq!(json["as_of"], "2026-12-03T13:55:19Z");
    assert_eq!(json["witnesses"], Value::Null);
    let records = json["records"].as_array().unwrap();
    assert_eq!(records.len(), 17);
    assert_eq!(records[0]["kind"], "factory");
    assert_eq!(records[0]["signer_role"], "manufacturer");
    assert_eq!(records[0]["signer_name"], "Example Motors");
    assert_eq!(records[0]["record"]["factory"]["make"], "Example");
    assert_eq!(
        records[3]["flags"][0],
        format!(
            "odometer_rollback (reading 15,000 km < 98,000 km at entry {})",
            at[2]
        )
    );
    assert_eq!(json["summary"]["brands"][0]["brand"], "flood_fresh_water");
    assert_eq!(json["summary"]["brands"][0]["label"], "水淹（淡水）");
    assert_eq!(
        json["summary"]["inspections"][0]["groups"][0]["group"],
        "Braking"
    );
    assert_eq!(json["summary"]["inspections"][0]["groups"][0]["failed"], 1);
    assert_eq!(
        json["summary"]["inspections"][0]["groups"][2]["group"],
        Value::Null
    );
    assert_eq!(json["timeline"][2]["status"], "corrected");
    assert_eq!(json["timeline"][2]["title"], "里程读数");
    assert_eq!(json["timeline"][0]["signer"]["role"], "manufacturer");
    assert_eq!(json["timeline"][0]["signer"]["role_label"], "制造商");
}
