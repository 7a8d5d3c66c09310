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
            && out.stderr.contains("is `vledger serve` running on it?"),
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
