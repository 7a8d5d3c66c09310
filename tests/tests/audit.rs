//! `vledger audit` against real nodes: an honest log passes; a resumed
//! audit reads only the new entries (counted); an entry, a stored hash, an
//! index entry or a checkpoint changed behind the node's back (with sled, on
//! a stopped node that then serves with `--quick-start`, which checks only
//! the latest checkpoint) makes the audit fail and name it; and an audit
//! resumed against a fork of the audited log names the checkpoint.

use std::path::{Path, PathBuf};

use vledger_tests::store::{checkpoint_key, copy_dir, damage, flip_entry, flip_hash};
use vledger_tests::{Node, TestLog, VIN_A, VIN_B, checkpoint, path_str, submit, vledger};

/// `vledger audit --node URL --log-key KEY --json [--state FILE]`, parsed.
fn audit(
    log: &TestLog,
    node: &Node,
    state: Option<&Path>,
) -> (vledger_tests::Output, serde_json::Value) {
    let mut args = vec![
        "audit",
        "--node",
        node.url.as_str(),
        "--log-key",
        log.log_vkey.as_str(),
        "--json",
    ];
    if let Some(s) = state {
        args.extend(["--state", path_str(s)]);
    }
    let out = vledger(args);
    let json = serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    (out, json)
}

/// A log of an enrollment and `n` records, its node running.
fn log_with_records(n: u64) -> (TestLog, Node, vledger_tests::Key) {
    let log = TestLog::init();
    let node = log.start();
    let key = log.keygen("inspection.e2e.test");
    log.enroll(&node.url, &key, "inspection_body").ok();
    add_records(&log, &node, &key, "r", n);
    (log, node, key)
}

fn add_records(log: &TestLog, node: &Node, key: &vledger_tests::Key, prefix: &str, n: u64) {
    for i in 0..n {
        let vin = if i % 2 == 0 { VIN_A } else { VIN_B };
        let name = format!("{prefix}{i}");
        // Distinct per prefix: the same record twice is logged once.
        let salt = prefix.bytes().map(u64::from).sum::<u64>() * 10_000;
        let record = log.record(&name, vin, salt + 100 * i + 1, None);
        submit(
            &node.url,
            key,
            &record,
            &log.path(&format!("{name}.tlog-proof")),
        )
        .ok();
    }
}

fn checkpoint_sizes(tree: &sled::Tree) -> Vec<u64> {
    tree.scan_prefix(b"c")
        .map(|kv| u64::from_be_bytes(kv.expect("scan").0[1..].try_into().expect("key")))
        .collect()
}

/// A copy of the stopped log's data directory, damaged by `f`.
fn damaged_copy<T>(log: &TestLog, name: &str, f: impl FnOnce(&sled::Tree) -> T) -> (PathBuf, T) {
    let data = log.path(name);
    copy_dir(&log.data, &data);
    let out = damage(&data, f);
    (data, out)
}

/// Audits the node serving `data` (quick start) and returns the failure.
fn audit_fails(log: &TestLog, data: &Path, state: Option<&Path>) -> String {
    let node = Node::start(data, &["--quick-start"]);
    let (out, json) = audit(log, &node, state);
    let out = out.fails();
    assert_eq!(json["ok"], false, "{out}");
    assert!(out.stderr.contains("FAILED"), "{out}");
    json["error"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn honest_log_passes_and_resumed_audits_read_only_new_entries() {
    let (log, node, key) = log_with_records(6);
    let size = checkpoint(&node, None).size;
    let (out, json) = audit(&log, &node, None);
    out.ok();
    assert_eq!(json["ok"], true);
    assert_eq!(json["tree_size"], size);
    assert_eq!(json["entries_read"], size);
    assert_eq!(json["records"], 7);
    assert_eq!(json["vins"], 2);
    assert_eq!(json["consistency_proved"], false);
    assert!(
        json["stored_hashes_checked"].as_u64() >= Some(size),
        "{json}"
    );
    // The human-readable summary.
    let text = vledger([
        "audit",
        "--node",
        &node.url,
        "--log-key",
        log.log_vkey_file().to_str().expect("path"),
    ])
    .ok();
    assert!(
        text.stdout.starts_with(&format!(
            "ok: log {} audited up to tree size {size}",
            vledger_tests::ORIGIN
        )),
        "{text}"
    );

    // With a state file: the first audit reads everything ...
    let state = log.path("audit.state");
    let (out, json) = audit(&log, &node, Some(&state));
    out.ok();
    assert_eq!(json["entries_read"], size);
    assert!(state.is_file());
    // ... a second one with nothing new reads nothing ...
    let (out, json) = audit(&log, &node, Some(&state));
    out.ok();
    assert_eq!(json["entries_read"], 0);
    assert_eq!(json["consistency_proved"], true);
    // ... and after new records, only them.
    add_records(&log, &node, &key, "more", 3);
    let new_size = checkpoint(&node, None).size;
    assert!(new_size > size);
    let (out, json) = audit(&log, &node, Some(&state));
    out.ok();
    assert_eq!(json["from_size"], size);
    assert_eq!(json["tree_size"], new_size);
    assert_eq!(json["entries_read"], new_size - size, "{json}");
    assert_eq!(json["records"], 3);
    assert_eq!(json["consistency_proved"], true);
}

#[test]
fn changes_behind_the_nodes_back_are_named() {
    let (log, mut node, key) = log_with_records(8);
    // An audit state at the current size, then more entries.
    let state = log.path("audit.state");
    audit(&log, &node, Some(&state)).0.ok();
    let audited = checkpoint(&node, None).size;
    add_records(&log, &node, &key, "late", 2);
    let latest = checkpoint(&node, None).size;
    node.stop();

    // An entry in the middle (a byte of its record: the signature breaks).
    let middle = audited / 2;
    let (data, ()) = damaged_copy(&log, "entry", |t| flip_entry(t, middle, -1));
    let error = audit_fails(&log, &data, None);
    assert!(error.starts_with(&format!("entry {middle}: ")), "{error}");

    // A stored hash. Every hash of a tree this small is in the partial
    // level-0 tile under the checkpoint's root, so even the quick start-up
    // check reads it and the node refuses to serve the store at all.
    let (data, ()) = damaged_copy(&log, "hash", |t| flip_hash(t, 0, 1, 7));
    let (status, logs) = Node::refuses(&data, &["--quick-start"]);
    assert!(!status.success(), "{logs}");
    assert!(
        logs.contains("root of the stored hashes is not the checkpoint root"),
        "{logs}"
    );

    // An index entry: the last entry under every checkpoint. Its last byte
    // is in its VIN count or tree size.
    let (data, index) = damaged_copy(&log, "index", |t| {
        let sizes = checkpoint_sizes(t);
        let index = sizes[sizes.len() / 2] - 1;
        flip_entry(t, index, -1);
        index
    });
    let error = audit_fails(&log, &data, None);
    assert!(
        error.starts_with(&format!("entry {index}: index entry")),
        "{error}"
    );

    // The audited checkpoint, which the node no longer serves as it signed
    // it (a character of its signature; the quick start checks only the
    // latest one): a resumed audit names it.
    let (data, ()) = damaged_copy(&log, "checkpoint", |t| {
        let mut note = t
            .get(checkpoint_key(audited))
            .expect("read")
            .expect("stored")
            .to_vec();
        let sig = note
            .iter()
            .rposition(|&b| b == b' ')
            .expect("signature line")
            + 10;
        note[sig] = if note[sig] == b'A' { b'B' } else { b'A' };
        t.insert(checkpoint_key(audited), note).expect("write");
    });
    let copy = log.path("audit-copy.state");
    std::fs::copy(&state, &copy).expect("copy state");
    let error = audit_fails(&log, &data, Some(&copy));
    assert!(
        error.starts_with(&format!("checkpoint at tree size {audited}: ")),
        "{error}"
    );

    // Untouched, the resumed audit passes and reads only the late entries.
    let node = Node::start(&log.data, &[]);
    let (out, json) = audit(&log, &node, Some(&state));
    out.ok();
    assert_eq!(json["entries_read"], latest - audited);
}

#[test]
fn a_resumed_audit_of_a_fork_names_the_checkpoint() {
    let (log, mut node, key) = log_with_records(3);
    node.stop();
    let fork = log.path("fork");
    copy_dir(&log.data, &fork);
    // The audited log grows one way ...
    let node = log.start();
    add_records(&log, &node, &key, "a", 2);
    let state = log.path("audit.state");
    audit(&log, &node, Some(&state)).0.ok();
    let audited = checkpoint(&node, None).size;
    drop(node);
    // ... its fork another, further.
    let node = Node::start(&fork, &[]);
    let record = log.record("b", VIN_B, 777_777, None);
    for i in 0..4 {
        let r = log.record(&format!("b{i}"), VIN_A, 900_000 + i, None);
        submit(&node.url, &key, &r, &log.path(&format!("b{i}.tlog-proof"))).ok();
    }
    submit(&node.url, &key, &record, &log.path("b.tlog-proof")).ok();
    assert!(checkpoint(&node, None).size > audited);
    let (out, json) = audit(&log, &node, Some(&state));
    out.fails();
    let error = json["error"].as_str().unwrap_or_default();
    assert!(error.starts_with("checkpoint at tree size "), "{error}");
}
