//! `vledger mirror` copies a node's tiles into a directory, verifying them;
//! a real nginx serves that directory as static files, and an independent
//! client (azul's `tlog_tiles`) reads the log from nginx, recomputes the
//! root of the signed checkpoint and checks sampled entries. Later runs
//! fetch only what changed; a damaged mirror, a log that is not the
//! mirror's and a missing witness quorum are refused, leaving the mirror
//! as it was. An auditor reads the log from the mirror (or the node's tile
//! API) instead of the node, and resumes from its state there.

use tlog_tiles::{Hash, TileHashReader, check_record, prove_record, record_hash, tree_hash};
use vledger_tests::nginx::Nginx;
use vledger_tests::tiles::{HttpTiles, bundle};
use vledger_tests::{
    Checkpoint, Key, Node, TestLog, VIN_A, VIN_B, http, path_str, submit, verify_proof, vledger,
};

/// Logs `n` new records (distinct from every earlier call's: the same
/// record twice is logged once).
fn add_records(log: &TestLog, node: &Node, key: &Key, prefix: &str, n: u64) {
    let base = 1000 * u64::from(prefix.as_bytes()[0]);
    for i in 0..n {
        let vin = if i % 2 == 0 { VIN_A } else { VIN_B };
        let record = log.record(&format!("{prefix}{i}"), vin, base + i, None);
        submit(
            &node.url,
            key,
            &record,
            &log.path(&format!("{prefix}{i}.tlog-proof")),
        )
        .ok();
    }
}

fn mirror(
    log: &TestLog,
    node: &Node,
    dir: &std::path::Path,
    extra: &[&str],
) -> vledger_tests::Output {
    let http_url = node.http_url.clone().expect("the tile API");
    let vkey = log.log_vkey_file();
    let mut args = vec![
        "mirror",
        "--node",
        &http_url,
        "--dir",
        path_str(dir),
        "--log-key",
        path_str(&vkey),
    ];
    args.extend_from_slice(extra);
    vledger(args)
}

/// `vledger audit --tiles URL [--state FILE]`.
fn audit_tiles(log: &TestLog, url: &str, state: Option<&std::path::Path>) -> vledger_tests::Output {
    let vkey = log.log_vkey_file();
    let mut args = vec!["audit", "--tiles", url, "--log-key", path_str(&vkey)];
    if let Some(state) = state {
        args.extend(["--state", path_str(state)]);
    }
    vledger(args)
}

#[test]
fn a_mirror_served_by_nginx_is_the_log() {
    let log = TestLog::init();
    let mut node = Node::start(&log.data, &["--http-listen", "127.0.0.1:0"]);
    let key = log.enrolled(&node.url, "workshop");
    add_records(&log, &node, &key, "a", 128);
    let dir = log.path("mirror");
    let first = mirror(&log, &node, &dir, &[]).ok();
    assert!(first.stdout.contains("tiles fetched, 0 kept"), "{first}");
    let state = log.path("audit.state");

    // nginx serves the directory as it is.
    let nginx = Nginx::serve(&dir, &log.path("nginx"));
    let served = http("GET", &nginx.url, "/checkpoint", b"");
    assert_eq!(served.status, 200);
    assert_eq!(
        served.content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
    let checkpoint = Checkpoint::parse(&served.body);
    let size = checkpoint.size;
    assert!(size > 256, "{size}");
    let root = Hash::parse_hash(&checkpoint.root).expect("root");
    let tiles = HttpTiles::new(&nginx.url);
    let reader = TileHashReader::new(size, root, &tiles);
    assert_eq!(tree_hash(size, &reader).expect("tree hash"), root);
    // Entries from nginx's bundles, their inclusion from its tiles.
    let entries: Vec<Vec<u8>> = bundle(&nginx.url, 0, 256)
        .into_iter()
        .chain(bundle(&nginx.url, 1, size - 256))
        .collect();
    for index in [0, 2, 255, 256, size - 1] {
        let proof = prove_record(size, index, &reader).expect("proof");
        check_record(
            &proof,
            size,
            root,
            index,
            record_hash(&entries[index as usize]),
        )
        .expect("inclusion");
    }
    // An auditor reads the whole log from nginx, and from the node's own
    // tile API, instead of the node's gRPC API.
    let audited = audit_tiles(&log, &nginx.url, Some(&state)).ok();
    assert!(
        audited.stdout.contains(&format!(
            "audited up to tree size {size} (root {})",
            checkpoint.root
        )),
        "{audited}"
    );
    let direct = audit_tiles(&log, node.http_url.as_deref().expect("tile API"), None).ok();
    assert!(
        direct
            .stdout
            .contains(&format!("audited up to tree size {size} ")),
        "{direct}"
    );
    // A buyer's receipt for any entry, built from nginx's tiles alone.
    let receipt = log.path("from-mirror.tlog-proof");
    vledger([
        "prove",
        "--tiles",
        &nginx.url,
        "--index",
        "257",
        "--out",
        path_str(&receipt),
    ])
    .ok();
    let verified = verify_proof(log.log_vkey_file(), &receipt).ok();
    assert!(verified.stdout.contains("entry 257 of log"), "{verified}");
    let beyond = vledger(["prove", "--tiles", &nginx.url, "--index", &size.to_string()]).fails();
    assert!(beyond.stderr.contains("not in the tree"), "{beyond}");

    // The log grows: the next run keeps the full tiles and bundle.
    add_records(&log, &node, &key, "b", 3);
    let second = mirror(&log, &node, &dir, &[]).ok();
    assert!(second.stdout.contains(&format!("(was {size})")), "{second}");
    assert!(second.stdout.contains("2 kept"), "{second}");
    let grown = Checkpoint::parse(&http("GET", &nginx.url, "/checkpoint", b"").body);
    assert_eq!(grown.size, size + 6);
    assert!(
        !dir.join(format!("tile/0/001.p/{}", size - 256)).exists(),
        "stale partial tile"
    );
    assert!(
        dir.join(format!("tile/0/001.p/{}", grown.size - 256))
            .exists()
    );
    // The audit resumes from its state over the mirror: the consistency
    // proof comes from the mirror's tiles and is checked against both roots.
    let resumed = audit_tiles(&log, &nginx.url, Some(&state)).ok();
    assert!(
        resumed.stdout.contains(&format!(
            "tree size {} proved consistent with the audited tree size {size}",
            grown.size
        )),
        "{resumed}"
    );
    // An entry changed in the mirror's bundle: the audit says so.
    let bundle0 = dir.join("tile/entries/000");
    let mut entry_bytes = std::fs::read(&bundle0).expect("bundle");
    entry_bytes[100] ^= 1;
    std::fs::write(&bundle0, &entry_bytes).expect("write");
    let damaged = audit_tiles(&log, &nginx.url, None).fails();
    assert!(damaged.stderr.contains("FAILED"), "{damaged}");
    entry_bytes[100] ^= 1;
    std::fs::write(&bundle0, &entry_bytes).expect("write");

    // A damaged full tile in the mirror: the next run refuses and changes nothing.
    let tile = dir.join("tile/0/000");
    let mut bytes = std::fs::read(&tile).expect("tile");
    bytes[40] ^= 1;
    std::fs::write(&tile, &bytes).expect("write");
    let before = std::fs::read(dir.join("checkpoint")).expect("checkpoint");
    add_records(&log, &node, &key, "c", 1);
    let refused = mirror(&log, &node, &dir, &[]).fails();
    assert!(
        refused.stderr.contains("do not match its checkpoint"),
        "{refused}"
    );
    assert_eq!(
        std::fs::read(dir.join("checkpoint")).expect("checkpoint"),
        before
    );
    bytes[40] ^= 1;
    std::fs::write(&tile, &bytes).expect("write");
    mirror(&log, &node, &dir, &[]).ok();

    // A witness quorum the log's checkpoint lacks.
    let witness_dir = log.path("w1");
    vledger([
        "witness",
        "init",
        "--dir",
        path_str(&witness_dir),
        "--name",
        "w1.example",
        "--log",
        std::fs::read_to_string(log.log_vkey_file())
            .expect("log key")
            .trim(),
    ])
    .ok();
    let wkey = witness_dir.join("witness.vkey");
    let no_quorum = mirror(
        &log,
        &node,
        &log.path("mirror-w"),
        &["--witness", path_str(&wkey)],
    )
    .fails();
    assert!(
        no_quorum.stderr.contains("lacks the witnesses' quorum"),
        "{no_quorum}"
    );

    // Another log under the same directory: not signed by this log's key.
    node.stop();
    let other = TestLog::init();
    let other_node = Node::start(&other.data, &["--http-listen", "127.0.0.1:0"]);
    let http_url = other_node.http_url.clone().expect("tile API");
    let vkey = log.log_vkey_file();
    let wrong = vledger([
        "mirror",
        "--node",
        &http_url,
        "--dir",
        path_str(&dir),
        "--log-key",
        path_str(&vkey),
    ])
    .fails();
    assert!(
        wrong.stderr.contains("not signed by the log key"),
        "{wrong}"
    );
}
