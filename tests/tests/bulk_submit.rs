//! Bulk submission on a running node: `vledger submit` with many record
//! files or NDJSON on standard input goes over `AppendStream`; a bad
//! record is named once with its reason and the rest are logged, in the
//! order given, each with a receipt that `vledger-verify` accepts; a
//! record sent twice comes back as a duplicate; the exit status says
//! whether any record was refused.

use std::path::Path;

use vledger_tests::{
    TestLog, TlogProof, VIN_A, VIN_B, flags_line, path_str, verify_proof, vledger,
    vledger_with_input,
};

/// An odometer reading of `vin` at `km` on `date`, as one JSON line.
fn reading(vin: &str, date: &str, km: u64) -> String {
    format!(
        r#"{{"vin":"{vin}","event_time":"{date}","odometer_reading":{{"value":{km},"unit":"km","source":"service"}}}}"#
    )
}

/// Checks that `receipt` verifies offline without flags; returns its index.
#[track_caller]
fn verified(log: &TestLog, receipt: &Path) -> u64 {
    let v = verify_proof(log.log_vkey_file(), receipt).ok();
    assert_eq!(flags_line(&v), None, "unexpected flags: {v}");
    TlogProof::read(receipt).index
}

#[test]
fn many_files_one_refused_the_rest_logged_in_order() {
    let log = TestLog::init();
    let node = log.start();
    let workshop = log.enrolled(&node.url, "workshop");

    // Readings of two VINs, interleaved, each VIN's odometer rising: any
    // reordering would flag a rollback. One of them is dated in the future.
    let mut files = Vec::new();
    for i in 0..24_u64 {
        let vin = if i % 2 == 0 { VIN_A } else { VIN_B };
        let path = log.path(&format!("r{i:02}.json"));
        std::fs::write(&path, reading(vin, "2026-11-01", 1000 + i * 100)).expect("write");
        files.push(path);
    }
    let bad = log.path("future.json");
    std::fs::write(&bad, reading(VIN_A, "2030-01-01", 99_000)).expect("write");
    files.insert(10, bad.clone());

    let key = path_str(&workshop.file);
    let args = ["submit", "--node", &node.url, "--key", key];
    let out = vledger(args.into_iter().chain(files.iter().map(|f| path_str(f)))).fails();

    let named = format!(
        "refused {}: InvalidArgument: record.event_time: is in the future",
        bad.display()
    );
    assert_eq!(out.stderr.matches(&named).count(), 1, "{out}");
    assert_eq!(out.stderr.matches("refused ").count(), 1, "{out}");
    assert!(
        out.stderr.contains("vledger: 1 of 25 records refused"),
        "{out}"
    );
    assert!(
        out.stdout
            .contains("24 logged, 0 duplicates, 1 refused, 0 flagged"),
        "{out}"
    );
    assert!(!bad.with_extension("tlog-proof").exists(), "{out}");

    let mut last = 0;
    for file in files.iter().filter(|f| **f != bad) {
        let index = verified(&log, &file.with_extension("tlog-proof"));
        assert!(
            index > last,
            "{} logged out of order: {out}",
            file.display()
        );
        last = index;
    }
}

#[test]
fn ndjson_on_stdin_with_bad_lines_and_a_duplicate() {
    let log = TestLog::init();
    let node = log.start();
    let workshop = log.enrolled(&node.url, "workshop");
    let receipts = log.path("receipts");

    let first = reading(VIN_A, "2026-10-01", 5000);
    let lines = [
        first.clone(),                             // 1
        r#"{"vin": "1M8GDM9AXKP042788", "#.into(), // 2: malformed
        String::new(),                             // 3: blank, skipped
        reading(VIN_B, "2030-01-01", 10),          // 4: refused by the node
        reading(VIN_A, "2026-10-02", 5100),        // 5
        first,                                     // 6: the same signed record again
        reading(VIN_B, "2026-10-03", 700),         // 7
    ];
    let input = lines.join("\n") + "\n";
    let key = path_str(&workshop.file);
    let dir = path_str(&receipts);
    let args = [
        "submit",
        "--node",
        &node.url,
        "--key",
        key,
        "--out-dir",
        dir,
        "--json",
        "-",
    ];
    let out = vledger_with_input(args, &input).fails();

    assert_eq!(
        out.stderr
            .matches("refused stdin:2: not a valid record")
            .count(),
        1,
        "{out}"
    );
    assert_eq!(out.stderr.matches("EOF while parsing").count(), 1, "{out}");
    let future = "refused stdin:4: InvalidArgument: record.event_time: is in the future";
    assert_eq!(out.stderr.matches(future).count(), 1, "{out}");
    assert_eq!(out.stderr.matches("refused ").count(), 2, "{out}");

    let summary: serde_json::Value = serde_json::from_str(out.stdout.trim())
        .unwrap_or_else(|e| panic!("the summary is not JSON ({e}): {out}"));
    assert_eq!(summary["records"], 6, "{out}");
    assert_eq!(summary["logged"], 3, "{out}");
    assert_eq!(summary["duplicates"], 1, "{out}");
    assert_eq!(summary["refused"], 2, "{out}");
    let names: Vec<&str> = summary["refusals"]
        .as_array()
        .expect("refusals")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names, ["stdin:2", "stdin:4"], "{out}");

    let receipt = |line: u32| receipts.join(format!("line-{line:06}.tlog-proof"));
    for line in [2, 3, 4] {
        assert!(!receipt(line).exists(), "line {line} got a receipt: {out}");
    }
    let indices: Vec<u64> = [1, 5, 6, 7]
        .into_iter()
        .map(|line| verified(&log, &receipt(line)))
        .collect();
    assert_eq!(
        indices[2], indices[0],
        "the duplicate has its own entry: {out}"
    );
    assert!(indices[0] < indices[1] && indices[1] < indices[3], "{out}");
}
