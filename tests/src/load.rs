//! Load under crashes: client processes submit concurrently while the node
//! is killed, and every acknowledged receipt is checked after a restart
//! (tests/crash.rs on sled, tests/postgres.rs on PostgreSQL).

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use crate::{
    Key, Node, TIMEOUT, TestLog, TlogProof, VIN_A, VIN_B, checkpoint, logged_index, submit,
    verify_proof, vledger,
};

/// Client processes submitting at once.
pub const CLIENTS: usize = 6;
/// Most submits per client and round (a bound, in case the kill never comes).
pub const MAX_PER_CLIENT: usize = 200;

/// A submit that exited 0: the node acknowledged it.
#[derive(Debug)]
pub struct Ack {
    /// The record file submitted.
    pub record: PathBuf,
    /// The receipt the node answered with.
    pub receipt: PathBuf,
    /// The entry index the receipt names.
    pub index: u64,
}

/// Starts the node, lets `CLIENTS` processes submit until `kill_after`
/// acknowledgements, then SIGKILLs the node (or, when `graceful`, stops it
/// with SIGTERM) while they are still submitting.
///
/// # Panics
/// When a submit fails while the node is up, or too few are acknowledged.
pub fn kill_round(
    log: &TestLog,
    key: &Key,
    round: usize,
    kill_after: usize,
    graceful: bool,
    acks: &Mutex<Vec<Ack>>,
) {
    let mut node = log.start();
    load_and_kill(&mut node, log, key, round, kill_after, graceful, acks);
}

/// Lets `CLIENTS` processes submit to `node` until `kill_after`
/// acknowledgements, then SIGKILLs it (or, when `graceful`, stops it with
/// SIGTERM) while they are still submitting.
///
/// # Panics
/// When a submit fails while the node is up, or too few are acknowledged.
pub fn load_and_kill(
    node: &mut Node,
    log: &TestLog,
    key: &Key,
    round: usize,
    kill_after: usize,
    graceful: bool,
    acks: &Mutex<Vec<Ack>>,
) {
    load_check_and_kill(node, log, key, (round, kill_after, graceful), acks, &|| ());
}

/// [`load_and_kill`], calling `before_kill` once the acknowledgements are
/// in and the node is still up (round, `kill_after` and `graceful` as
/// there).
///
/// # Panics
/// As [`load_and_kill`], and when `before_kill` does.
pub fn load_check_and_kill(
    node: &mut Node,
    log: &TestLog,
    key: &Key,
    (round, kill_after, graceful): (usize, usize, bool),
    acks: &Mutex<Vec<Ack>>,
    before_kill: &dyn Fn(),
) {
    let url = node.url.clone();
    let killed = AtomicBool::new(false);
    let count = AtomicUsize::new(0);
    let errors = Mutex::new(Vec::new());
    let interrupted = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for client in 0..CLIENTS {
            let (url, killed, count, errors, interrupted) =
                (&url, &killed, &count, &errors, &interrupted);
            s.spawn(move || {
                for i in 0..MAX_PER_CLIENT {
                    if killed.load(Ordering::SeqCst) {
                        return;
                    }
                    let name = format!("c{round}-{client}-{i}");
                    let vin = if (client + i) % 2 == 0 { VIN_A } else { VIN_B };
                    let nonce = format!("{round:02x}{client:02x}{i:04x}");
                    let record = log.record(&name, vin, 1_000 + i as u64, Some(&nonce));
                    let receipt = log.path(&format!("{name}.tlog-proof"));
                    let out = submit(url, key, &record, &receipt);
                    if out.status.success() {
                        let index = logged_index(&out);
                        acks.lock().expect("acks").push(Ack {
                            record,
                            receipt,
                            index,
                        });
                        count.fetch_add(1, Ordering::SeqCst);
                    } else if killed.load(Ordering::SeqCst) {
                        interrupted.fetch_add(1, Ordering::SeqCst);
                        return;
                    } else {
                        errors.lock().expect("errors").push(out.to_string());
                        killed.store(true, Ordering::SeqCst);
                        return;
                    }
                }
            });
        }
        let deadline = Instant::now() + TIMEOUT;
        while count.load(Ordering::SeqCst) < kill_after
            && !killed.load(Ordering::SeqCst)
            && Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        before_kill();
        // Flag first, then kill: a submit that fails after this was cut off.
        killed.store(true, Ordering::SeqCst);
        if graceful { node.stop() } else { node.kill() }
    });
    let errors = errors.into_inner().expect("errors");
    assert!(
        errors.is_empty(),
        "a submit failed while the node was up:\n{}\n--- node log\n{}",
        errors[0],
        node.logs()
    );
    let got = count.load(Ordering::SeqCst);
    assert!(
        got >= kill_after,
        "only {got} of {kill_after} submits acknowledged within {TIMEOUT:?}:\n{}",
        node.logs()
    );
    eprintln!(
        "round {round}: stopped after {got} acknowledged submits; {} submits cut off",
        interrupted.into_inner()
    );
}

/// Restarts the node (with its full start-up check) and checks every
/// acknowledged receipt against it: the same entry bytes, an inclusion
/// proof against the new checkpoint, every receipt's checkpoint still
/// served and consistent with the new one, and deduplication kept.
///
/// # Panics
/// When any of that does not hold.
#[must_use]
pub fn check_acks(log: &TestLog, key: &Key, acks: &[Ack]) -> Node {
    let node = log.start();
    verify_acks(log, key, acks, &node);
    node
}

/// Checks every acknowledged receipt against a running `node`, as
/// [`check_acks`] does.
///
/// # Panics
/// When a receipt is not served as acknowledged.
pub fn verify_acks(log: &TestLog, key: &Key, acks: &[Ack], node: &Node) {
    let latest = checkpoint(node, None);
    let max_index = acks.iter().map(|a| a.index).max().expect("some acks");
    assert!(
        latest.size > max_index,
        "restarted log has {} entries, an ack named entry {max_index}",
        latest.size
    );
    let mut indices: Vec<u64> = acks.iter().map(|a| a.index).collect();
    indices.sort_unstable();
    indices.dedup();
    assert_eq!(
        indices.len(),
        acks.len(),
        "two acknowledged records share an entry index"
    );

    let workers = 2;
    std::thread::scope(|s| {
        for w in 0..workers {
            let latest = &latest;
            s.spawn(move || {
                for ack in acks.iter().skip(w).step_by(workers) {
                    let receipt = TlogProof::read(&ack.receipt);
                    assert_eq!(receipt.index, ack.index, "{}", ack.receipt.display());
                    verify_proof(log.log_vkey_file(), &ack.receipt).ok();
                    let index = ack.index.to_string();
                    let proved = TlogProof::parse(
                        &vledger(["prove", "--node", &node.url, "--index", &index])
                            .ok()
                            .stdout,
                    );
                    assert_eq!(
                        proved.extra, receipt.extra,
                        "entry {index} differs from its receipt after the crash"
                    );
                    assert_eq!(proved.checkpoint, *latest);
                }
            });
        }
    });

    // Every receipt's checkpoint is the one the log still serves at its
    // size, and the latest checkpoint is consistent with it.
    let mut receipt_checkpoints: Vec<_> = acks
        .iter()
        .map(|a| TlogProof::read(&a.receipt).checkpoint)
        .collect();
    receipt_checkpoints.sort_by_key(|c| c.size);
    receipt_checkpoints.dedup();
    for old in &receipt_checkpoints {
        assert_eq!(
            checkpoint(node, Some(old.size)),
            *old,
            "the log forgot or changed a receipt's checkpoint"
        );
        let old = old.size.to_string();
        let args = [
            "consistency",
            "--node",
            &node.url,
            "--old",
            &old,
            "--log-key",
            &log.log_vkey,
        ];
        let out = vledger(args).ok();
        assert!(
            out.stdout.contains(&format!("new {}", latest.size)),
            "{out}"
        );
    }
    // The deduplication index survived too: resubmitting returns the same entry.
    for ack in acks.iter().step_by(10) {
        let again = submit(&node.url, key, &ack.record, &log.path("again.tlog-proof")).ok();
        assert!(
            again.stdout.starts_with("already logged as entry"),
            "{again}"
        );
        assert_eq!(logged_index(&again), ack.index, "{again}");
    }
}
