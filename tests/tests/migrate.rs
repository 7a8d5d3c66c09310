//! A node's store of format 2 (one key per entry and per stored hash, as
//! vledger kept it before the log became C2SP tiles) or 4 (one key per
//! vehicle fact, before facts were grouped in chunks): the node refuses to
//! serve it and names `vledger migrate`; after the migration the store
//! passes `vledger check`, the node serves it again, and the receipts
//! logged before verify against the same log.

use vledger_tests::store::damage;
use vledger_tests::{TestLog, VIN_A, VIN_B, checkpoint, path_str, submit, verify_proof, vledger};

/// Rewrites the stopped node's store in format 2: every entry under
/// `'e' ‖ index`, every leaf hash under `'h' ‖ 0 ‖ index`, no bundles or
/// tiles, format version 2.
fn to_format_2(data: &std::path::Path) -> u64 {
    damage(data, |t| {
        let mut index = 0u64;
        let bundles: Vec<_> = t.scan_prefix(b"b").map(|kv| kv.expect("scan")).collect();
        for (key, bundle) in bundles {
            let mut at = 0;
            while at < bundle.len() {
                let len = usize::from(u16::from_be_bytes([bundle[at], bundle[at + 1]]));
                let entry = &bundle[at + 2..at + 2 + len];
                t.insert([&b"e"[..], &index.to_be_bytes()].concat(), entry)
                    .expect("write");
                let mut leaf = vec![0u8];
                leaf.extend_from_slice(entry);
                t.insert(
                    [&b"h"[..], &[0], &index.to_be_bytes()].concat(),
                    sha256(&leaf).to_vec(),
                )
                .expect("write");
                at += 2 + len;
                index += 1;
            }
            t.remove(key).expect("remove");
        }
        let tiles: Vec<_> = t.scan_prefix(b"t").map(|kv| kv.expect("scan").0).collect();
        for key in tiles {
            t.remove(key).expect("remove");
        }
        t.insert(b"mformat", &2u32.to_be_bytes()).expect("write");
        index
    })
}

/// Rewrites the stopped node's store in format 4: every vehicle fact of
/// every chunk (`'g' ‖ VIN ‖ kind ‖ !first` → `(index ‖ len ‖ value)*`)
/// under its own `'g' ‖ VIN ‖ kind ‖ index`, format version 4. The log
/// holds no corrections, so every change states a fact. Returns the facts.
fn to_format_4(data: &std::path::Path) -> usize {
    damage(data, |t| {
        let chunks: Vec<_> = t.scan_prefix(b"g").map(|kv| kv.expect("scan")).collect();
        let mut facts = 0;
        for (key, chunk) in chunks {
            let mut at = 0;
            while at < chunk.len() {
                let len = usize::from(chunk[at + 8]);
                assert_ne!(len, 0xFF, "no withdrawals");
                let index = &chunk[at..at + 8];
                t.insert([&key[..19], index].concat(), &chunk[at + 9..at + 9 + len])
                    .expect("write");
                at += 9 + len;
                facts += 1;
            }
            t.remove(key).expect("remove");
        }
        t.insert(b"mformat", &4u32.to_be_bytes()).expect("write");
        facts
    })
}

/// SHA-256, by `sha256sum`: the harness links no cryptography.
fn sha256(data: &[u8]) -> [u8; 32] {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(data)
        .expect("write");
    let out = child.wait_with_output().expect("sha256sum");
    let hex = String::from_utf8_lossy(&out.stdout);
    let mut h = [0u8; 32];
    for (i, b) in h.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex");
    }
    h
}

#[test]
fn a_format_2_store_is_refused_then_migrated_and_served() {
    let log = TestLog::init();
    let mut node = log.start();
    let key = log.enrolled(&node.url, "workshop");
    let receipt = log.path("r.tlog-proof");
    submit(
        &node.url,
        &key,
        &log.record("r", VIN_A, 100, None),
        &receipt,
    )
    .ok();
    let before = checkpoint(&node, None);
    node.stop();
    let entries = to_format_2(&log.data);
    assert_eq!(entries, before.size);

    let (status, logs) = vledger_tests::Node::refuses(&log.data, &[]);
    assert!(!status.success());
    assert!(logs.contains("store format version 2"), "{logs}");
    assert!(logs.contains("vledger migrate"), "{logs}");

    let out = vledger(["migrate", "--data", path_str(&log.data)]).ok();
    assert!(
        out.stdout.contains(&format!(
            "moved from format 2 to 5 ({entries} entries rewritten"
        )),
        "{out}"
    );
    vledger(["check", "--data", path_str(&log.data)]).ok();
    let again = vledger(["migrate", "--data", path_str(&log.data)]).ok();
    assert!(
        again.stdout.contains("already in store format 5"),
        "{again}"
    );

    let node = log.start();
    let after = checkpoint(&node, None);
    assert_eq!((after.size, after.root), (before.size, before.root));
    verify_proof(log.log_vkey_file(), &receipt).ok();
}

#[test]
fn a_format_4_store_is_refused_then_migrated_and_served() {
    let log = TestLog::init();
    let mut node = log.start();
    let key = log.enrolled(&node.url, "workshop");
    let receipt = log.path("r0.tlog-proof");
    for (i, vin) in [VIN_A, VIN_A, VIN_B].into_iter().enumerate() {
        let record = log.record(&format!("r{i}"), vin, 100 + i as u64, None);
        submit(
            &node.url,
            &key,
            &record,
            &log.path(&format!("r{i}.tlog-proof")),
        )
        .ok();
    }
    let before = checkpoint(&node, None);
    node.stop();
    assert_eq!(to_format_4(&log.data), 3);

    let (status, logs) = vledger_tests::Node::refuses(&log.data, &[]);
    assert!(!status.success());
    assert!(logs.contains("store format version 4"), "{logs}");
    assert!(logs.contains("vledger migrate"), "{logs}");

    let out = vledger(["migrate", "--data", path_str(&log.data)]).ok();
    assert!(
        out.stdout.contains("moved from format 4 to 5")
            && out.stdout.contains("3 vehicle facts grouped in chunks"),
        "{out}"
    );
    vledger(["check", "--data", path_str(&log.data)]).ok();

    let node = log.start();
    let after = checkpoint(&node, None);
    assert_eq!((after.size, after.root), (before.size, before.root));
    verify_proof(log.log_vkey_file(), &receipt).ok();
}
