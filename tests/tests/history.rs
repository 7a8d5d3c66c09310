//! Complete VIN histories end to end: a real node builds bundles for several
//! VINs, `vledger-verify history` accepts them and prints the timeline, and
//! refuses hand-crafted bundles that omit a record, reorder records, splice
//! in another VIN's record, point at a stale index entry, or claim absence
//! for a VIN that has records — each with a message naming what is wrong.

use std::path::Path;

use serde_json::Value;
use vledger_tests::{Output, TestLog, VIN_A, VIN_B, bins, path_str, run, submit, vledger};

const VIN_C: &str = "WVWZZZ1JZXW000001";
const VIN_NONE: &str = "JT2AE91A0K3000001";

fn history(url: &str, vin: &str, out: &Path) -> Value {
    vledger(["history", "--node", url, vin, "--out", path_str(out)]).ok();
    serde_json::from_str(&std::fs::read_to_string(out).expect("bundle written"))
        .expect("JSON bundle")
}

fn verify(log: &TestLog, bundle: &Path) -> Output {
    run(
        &bins().verify,
        [
            "history",
            "--log-key",
            path_str(&log.log_vkey_file()),
            path_str(bundle),
        ],
    )
}

fn write(log: &TestLog, name: &str, bundle: &Value) -> std::path::PathBuf {
    let path = log.path(name);
    std::fs::write(&path, serde_json::to_string_pretty(bundle).expect("JSON")).expect("write");
    path
}

#[track_caller]
fn refused_with(log: &TestLog, name: &str, bundle: &Value, reason: &str) {
    let out = verify(log, &write(log, name, bundle)).fails();
    assert!(out.stderr.contains(reason), "expected {reason:?}: {out}");
}

#[test]
fn histories_are_complete_and_tampering_is_named() {
    let log = TestLog::init();
    let mut node = log.start();
    let workshop = log.keygen("workshop.example");
    log.enroll(&node.url, &workshop, "workshop").ok();

    // Records for three VINs, interleaved, in several batches.
    let plan = [
        (VIN_A, 1000),
        (VIN_B, 500),
        (VIN_A, 2000),
        (VIN_C, 10),
        (VIN_A, 3000),
        (VIN_B, 900),
    ];
    for (n, (vin, km)) in plan.iter().enumerate() {
        let record = log.record(&format!("r{n}"), vin, *km, None);
        submit(
            &node.url,
            &workshop,
            &record,
            &log.path(&format!("r{n}.tlog-proof")),
        )
        .ok();
    }
    // A stale bundle, taken before the VIN's last record.
    let stale = history(&node.url, VIN_A, &log.path("stale.vhist.json"));
    let record = log.record("late", VIN_A, 4000, None);
    submit(&node.url, &workshop, &record, &log.path("late.tlog-proof")).ok();

    let a = history(&node.url, VIN_A, &log.path("a.vhist.json"));
    let b = history(&node.url, VIN_B, &log.path("b.vhist.json"));
    let none = history(&node.url, VIN_NONE, &log.path("none.vhist.json"));
    // This node has no witnesses: a cosigned history is refused at once.
    let out = vledger([
        "history",
        "--node",
        &node.url,
        VIN_A,
        "--cosigned",
        "--out",
        path_str(&log.path("a-cosigned.vhist.json")),
    ])
    .fails();
    assert!(
        out.stderr
            .contains("FailedPrecondition: cosigned: this node is configured with no witnesses"),
        "{out}"
    );
    node.stop();

    let out = verify(&log, &log.path("a.vhist.json")).ok();
    let size = a["checkpoint"]
        .as_str()
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();
    assert!(
        out.stdout.contains(&format!(
            "complete history of VIN {VIN_A} as of tree size {size}: 4 records"
        )),
        "{out}"
    );
    for km in ["1000 km", "2000 km", "3000 km", "4000 km"] {
        assert!(out.stdout.contains(km), "timeline lacks {km}: {out}");
    }
    assert!(
        out.stdout.contains("workshop"),
        "timeline lacks the signer role: {out}"
    );
    let out = verify(&log, &log.path("b.vhist.json")).ok();
    assert!(out.stdout.contains(": 2 records"), "{out}");
    let out = verify(&log, &log.path("none.vhist.json")).ok();
    assert!(
        out.stdout.contains(&format!(
            "no records for VIN {VIN_NONE} as of tree size {size}"
        )),
        "{out}"
    );
    // --json for programs.
    let out = run(
        &bins().verify,
        [
            "history",
            "--json",
            "--log-key",
            path_str(&log.log_vkey_file()),
            path_str(&log.path("a.vhist.json")),
        ],
    )
    .ok();
    let json: Value = serde_json::from_str(&out.stdout).expect("--json prints JSON");
    assert_eq!(json["records"].as_array().map(Vec::len), Some(4));
    assert_eq!(json["complete"], Value::Bool(true));
    assert_eq!(json["witnessed_tree_size"], Value::Null);
    assert_eq!(json["witnesses"], Value::Null);

    let records = a["records"].as_array().unwrap().clone();

    let mut omitted = a.clone();
    omitted["records"].as_array_mut().unwrap().remove(2);
    refused_with(&log, "omitted.json", &omitted, "the index counts 4 records");

    let mut reordered = a.clone();
    reordered["records"].as_array_mut().unwrap().swap(0, 1);
    refused_with(&log, "reordered.json", &reordered, "position 0");

    let mut spliced = a.clone();
    spliced["records"][1] = b["records"][0].clone();
    refused_with(&log, "spliced.json", &spliced, "about another vehicle");

    // The stale bundle's index entry under the newest checkpoint.
    let mut stale_index = a.clone();
    stale_index["index_entry"] = stale["index_entry"].clone();
    refused_with(
        &log,
        "stale-index.json",
        &stale_index,
        "not the last leaf under the checkpoint",
    );

    // Claiming VIN A has no records: the records dropped and the absence
    // proof of a VIN without records put in.
    let mut hidden = a.clone();
    hidden["records"] = Value::Array(Vec::new());
    hidden["index_proof"] = none["index_proof"].clone();
    let out = verify(&log, &write(&log, "hidden.json", &hidden)).fails();
    assert!(
        out.stderr.contains("VIN index proof") || out.stderr.contains("the index counts 4 records"),
        "{out}"
    );

    // An entry's bytes changed.
    let mut changed = a.clone();
    let entry = records[3]["entry"].as_str().unwrap();
    let flipped = if entry.starts_with('C') {
        entry.replacen('C', "D", 1)
    } else {
        format!("C{}", &entry[1..])
    };
    changed["records"][3]["entry"] = Value::String(flipped);
    refused_with(&log, "changed.json", &changed, "entry");

    // The stale bundle itself is valid, but only as of its older tree size.
    let out = verify(&log, &log.path("stale.vhist.json")).ok();
    assert!(out.stdout.contains(": 3 records"), "{out}");
}
