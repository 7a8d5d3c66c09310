//! What an operator is told when a command meets a data directory in a
//! state it cannot work on: a store a running node holds, a log of another
//! origin, a directory that already holds a log. Each says what is wrong
//! and what to do, and changes nothing.

use vledger_tests::{Node, TestLog, checkpoint, path_str, vledger};

#[test]
fn commands_on_a_data_directory_in_use_or_of_another_log_say_what_to_do() {
    let log = TestLog::init_with_origin("ops.example/log");
    let data = path_str(&log.data);
    let node = Node::start(&log.data, &[]);
    let before = checkpoint(&node, None);

    // `vledger check` on the store the node holds.
    let out = vledger(["check", "--data", data]).fails();
    assert!(
        out.stderr.contains("in use by another process")
            && out.stderr.contains("stop the node first")
            && out.stderr.contains("vledger backup --data"),
        "{out}"
    );

    // `vledger init` where a log is.
    let out = vledger(["init", "--data", data, "--origin", "ops.example/log"]).fails();
    assert!(
        out.stderr.contains("already holds a vledger log")
            && out.stderr.contains("give another --data"),
        "{out}"
    );
    drop(node);

    // `vledger serve --origin` of another log on this one.
    let (status, logs) = Node::refuses(&log.data, &["--origin", "other.example/log"]);
    assert!(!status.success());
    assert!(
        logs.contains("holds the log ops.example/log, not other.example/log")
            && logs.contains("leave out --origin"),
        "{logs}"
    );
    // Its own origin, or none, serves it as it was.
    let node = Node::start(&log.data, &["--origin", "ops.example/log"]);
    assert_eq!(checkpoint(&node, None), before);
}

#[test]
fn a_refused_append_is_in_the_node_log_with_its_reason_and_signer() {
    let log = TestLog::init_with_origin("ops.example/log");
    let node = Node::start(&log.data, &[]);
    // A key nobody enrolled signs a record: refused, and logged.
    let stranger = log.keygen("stranger.example");
    let record = log.record("r", vledger_tests::VIN_A, 1000, None);
    vledger_tests::submit(&node.url, &stranger, &record, &log.path("r.tlog-proof")).fails();
    // The signer as it stands in its verifier key (`name+hash+base64`),
    // whose third part is the 32 key bytes behind a one-byte type; the
    // base64 may itself hold `+`, so only the first two separators count.
    let key_b64 = stranger.vkey.splitn(3, '+').nth(2).expect("vkey");
    let logs = node.logs();
    let line = logs
        .lines()
        .find(|l| l.contains("append refused"))
        .unwrap_or_else(|| panic!("no refusal in the node's log:\n{logs}"));
    assert!(line.contains("PermissionDenied"), "{line}");
    assert!(line.contains("not enrolled"), "{line}");
    let key = {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(key_b64)
            .expect("base64 key");
        base64::engine::general_purpose::STANDARD.encode(&bytes[1..])
    };
    assert!(line.contains(&key), "{line} does not name {key}");
}

#[test]
fn with_vledger_log_format_json_every_log_line_is_a_json_object() {
    let log = TestLog::init_with_origin("ops.example/log");
    let mut node = Node::launch_with_env(&log.data, &[], &[("VLEDGER_LOG_FORMAT", "json")]);
    assert!(
        node.await_address(std::time::Duration::from_secs(60)),
        "{}",
        node.logs()
    );
    node.stop();
    let logs = node.logs();
    let lines: Vec<&str> = logs.lines().collect();
    assert!(lines.len() >= 2, "{logs}");
    for line in &lines {
        let object: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            object["level"].is_string() && object["fields"]["message"].is_string(),
            "{line}"
        );
    }
    assert!(
        lines.iter().any(|l| l.contains("\"message\":\"serving\"")),
        "{logs}"
    );
}
