//! `vledger backup` on real processes: a copy of a running node's log that
//! is the log (the same checkpoint, served by a node of its own, passing
//! `vledger check`), continued later with only what was appended since,
//! read from the store itself once the node is stopped; and a backup
//! directory of another log refused.

use vledger_tests::{
    Node, Output, TestLog, VIN_B, checkpoint, path_str, submit, submit_example, vledger,
};

fn backup(log: &TestLog, node: &Node, out: &std::path::Path) -> Output {
    vledger([
        "backup",
        "--data",
        path_str(&log.data),
        "--out",
        path_str(out),
        "--node",
        &node.url,
    ])
}

#[test]
fn a_backup_taken_while_the_node_runs_is_the_log_and_continues_where_it_stopped() {
    let log = TestLog::init();
    let mut node = log.start();
    // The example history: every kind of record, corrections, a protocol,
    // flags.
    submit_example(&log, &node.url);
    let out = log.path("backup");
    let first = backup(&log, &node, &out).ok();
    let at_first = checkpoint(&node, None);
    assert!(
        first.stdout.contains(&format!(
            "tree size {} ({} new entries)",
            at_first.size, at_first.size
        )),
        "{first}"
    );

    // More appends; the next backup copies only those.
    let workshop = log.keygen("second-workshop.example");
    log.enroll(&node.url, &workshop, "workshop").ok();
    for km in [1000, 2000, 3000] {
        let record = log.record(&format!("r{km}"), VIN_B, km, None);
        submit(
            &node.url,
            &workshop,
            &record,
            &log.path(&format!("r{km}.tlog-proof")),
        )
        .ok();
    }
    let latest = checkpoint(&node, None);
    let second = backup(&log, &node, &out).ok();
    assert!(
        second.stdout.contains(&format!(
            "tree size {} ({} new entries)",
            latest.size,
            latest.size - at_first.size
        )),
        "{second}"
    );

    // Stopped, the node's store is read directly: nothing new.
    node.stop();
    let third = vledger([
        "backup",
        "--data",
        path_str(&log.data),
        "--out",
        path_str(&out),
    ])
    .ok();
    assert!(third.stdout.contains("(0 new entries)"), "{third}");

    // The backup is a data directory of the same log: it checks, and a node
    // on it serves the log's own checkpoint, byte for byte.
    vledger(["check", "--data", path_str(&out)]).ok();
    let restored = Node::start(&out, &[]);
    assert_eq!(checkpoint(&restored, None).note, latest.note);

    // A backup directory of another log is not overwritten.
    let other = TestLog::init();
    let out_other = vledger([
        "backup",
        "--data",
        path_str(&other.data),
        "--out",
        path_str(&out),
    ])
    .fails();
    assert!(
        out_other.stderr.contains("holds a backup of another log"),
        "{out_other}"
    );
}
