//! An acknowledged append is never lost: several client processes submit
//! concurrently, the node is killed with SIGKILL mid-flight (twice), then
//! stopped with SIGTERM mid-flight, and after each restart on the same data
//! directory every receipt a client got still verifies, names an entry the
//! log still holds byte for byte, and comes from a checkpoint the log still
//! serves and its new one is consistent with.
//!
//! SIGKILL loses the process, not the operating system's page cache: this
//! does not simulate a power loss.

use std::sync::Mutex;

use vledger_tests::load::{check_acks, kill_round};
use vledger_tests::{TestLog, path_str, vledger};

#[test]
fn acknowledged_appends_survive_kill_and_stop() {
    let log = TestLog::init();
    let key = log.keygen("exporter.example");
    {
        let node = log.start();
        log.enroll(&node.url, &key, "exporter").ok();
    }
    let acks = Mutex::new(Vec::new());
    for (round, kill_after, graceful) in [(0, 15, false), (1, 40, false), (2, 15, true)] {
        kill_round(&log, &key, round, kill_after, graceful, &acks);
        let mut node = check_acks(&log, &key, &acks.lock().expect("acks"));
        if graceful {
            node.stop();
            let check = vledger(["check", "--data", path_str(&log.data)]).ok();
            assert!(check.stdout.starts_with("ok:"), "{check}");
        }
    }
}
