//! A damaged store is refused, with the damaged item named: the node will
//! not start on it and `vledger check` fails. The damage is done with sled
//! directly, on a stopped node's store (layout in `docs/store.md`: one
//! tree "vledger"; `'b'||index` entry bundles, `'t'||level||index` hash
//! tiles, `'c'||size` checkpoints, all integers big-endian).

use std::path::Path;

use vledger_tests::store::{checkpoint_key, copy_dir, cut_hash, damage, flip_entry, flip_hash};
use vledger_tests::{Node, TestLog, VIN_A, VIN_B, checkpoint, path_str, submit, vledger};

/// A stopped log of a genesis entry, an enrollment and 6 records (at
/// least 8 entries), and the tree sizes of its stored checkpoints, oldest
/// first.
fn stopped_log() -> (TestLog, Vec<u64>) {
    let log = TestLog::init();
    let mut node = log.start();
    let key = log.keygen("registry.example");
    log.enroll(&node.url, &key, "registry").ok();
    for i in 0..6 {
        let vin = if i % 2 == 0 { VIN_A } else { VIN_B };
        let record = log.record(&format!("r{i}"), vin, 100 * i, None);
        submit(
            &node.url,
            &key,
            &record,
            &log.path(&format!("r{i}.tlog-proof")),
        )
        .ok();
    }
    let latest = checkpoint(&node, None);
    node.stop();
    vledger(["check", "--data", path_str(&log.data)]).ok();
    let mut sizes = Vec::new();
    damage(&log.data, |t| {
        for kv in t.scan_prefix(b"c") {
            let key = kv.expect("scan").0;
            sizes.push(u64::from_be_bytes(
                key[1..].try_into().expect("checkpoint key"),
            ));
        }
    });
    assert!(latest.size >= 8 && sizes.len() >= 4, "{latest:?} {sizes:?}");
    assert_eq!(sizes.last(), Some(&latest.size), "latest checkpoint");
    (log, sizes)
}

/// Both the node (with `serve_args`) and `vledger check` refuse the store,
/// and both name the damage with every one of `needles`.
fn refused(data: &Path, serve_args: &[&str], needles: &[&str]) {
    let (status, logs) = Node::refuses(data, serve_args);
    assert!(
        !status.success(),
        "serve exited 0 on a damaged store:\n{logs}"
    );
    for needle in needles {
        assert!(
            logs.contains(needle),
            "serve's message does not name {needle:?}:\n{logs}"
        );
    }
    let check = vledger(["check", "--data", path_str(data)]).fails();
    for needle in needles {
        assert!(
            check.stderr.contains(needle),
            "check's message does not name {needle:?}: {check}"
        );
    }
}

/// Changes one base64 character of line `line` of the checkpoint stored at `size`.
fn change_checkpoint(t: &sled::Tree, size: u64, line: usize, column: usize) {
    let mut note = t
        .get(checkpoint_key(size))
        .expect("read")
        .expect("checkpoint")
        .to_vec();
    let start = note
        .split(|&b| b == b'\n')
        .take(line)
        .map(|l| l.len() + 1)
        .sum::<usize>();
    let pos = start + column;
    note[pos] = if note[pos] == b'A' { b'B' } else { b'A' };
    t.insert(checkpoint_key(size), note).expect("write");
}

#[test]
fn changed_entry_is_refused() {
    let (log, sizes) = stopped_log();
    let middle = sizes.last().expect("size") / 2;
    // The first, a middle and the last byte of a middle entry.
    for (n, pos) in [0, 40, -1].into_iter().enumerate() {
        let data = log.path(&format!("copy-{n}"));
        copy_dir(&log.data, &data);
        damage(&data, |t| flip_entry(t, middle, pos));
        refused(&data, &["--full-check"], &[&format!("entry {middle}")]);
    }
}

#[test]
fn missing_hash_is_refused() {
    let (log, _) = stopped_log();
    // A leaf hash in the middle of its tile (the tile cut before it), and
    // the tile's first.
    for (n, index) in [5u64, 0].into_iter().enumerate() {
        let data = log.path(&format!("copy-{n}"));
        copy_dir(&log.data, &data);
        damage(&data, |t| cut_hash(t, 0, index));
        refused(
            &data,
            &["--full-check"],
            &[&format!("level 0 index {index}")],
        );
    }
    // A changed hash is as bad as a missing one.
    let data = log.path("copy-changed");
    copy_dir(&log.data, &data);
    damage(&data, |t| flip_hash(t, 0, 1, 7));
    refused(&data, &["--full-check"], &["level 0 index 1"]);
}

#[test]
fn changed_checkpoint_is_refused() {
    let (log, sizes) = stopped_log();
    let (older, middle, latest) = (
        sizes[sizes.len() - 2],
        sizes[sizes.len() / 2],
        sizes[sizes.len() - 1],
    );
    // A character of an older checkpoint's signature (line 5: after the
    // origin, size, root and blank lines), still valid base64; then its root.
    let data = log.path("copy-sig");
    copy_dir(&log.data, &data);
    damage(&data, |t| change_checkpoint(t, middle, 4, 50));
    refused(&data, &["--full-check"], &[&format!("tree size {middle}")]);
    let data = log.path("copy-root");
    copy_dir(&log.data, &data);
    damage(&data, |t| change_checkpoint(t, middle, 2, 5));
    refused(&data, &["--full-check"], &[&format!("tree size {middle}")]);
    // An older, validly signed checkpoint stored as the latest one: even the
    // quick start, which checks only the latest checkpoint, refuses it.
    let data = log.path("copy-swap");
    copy_dir(&log.data, &data);
    damage(&data, |t| {
        let note = t
            .get(checkpoint_key(older))
            .expect("read")
            .expect("checkpoint");
        t.insert(checkpoint_key(latest), note).expect("write");
    });
    refused(&data, &["--full-check"], &[&format!("tree size {latest}")]);
    let (status, logs) = Node::refuses(&data, &["--quick-start"]);
    assert!(
        !status.success(),
        "quick start served a wrong latest checkpoint:\n{logs}"
    );
    assert!(
        logs.contains("checkpoint"),
        "quick start's message does not name the checkpoint:\n{logs}"
    );
}
