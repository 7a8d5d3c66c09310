//! `vledger mirror` copies a node's tiles into a directory, verifying them;
//! a real nginx serves that directory as static files, and an independent
//! client (azul's `tlog_tiles`) reads the log from nginx, recomputes the
//! root of the signed checkpoint and checks sampled entries. Later runs
//! fetch only what changed; a damaged mirror, a log that is not the
//! mirror's and a missing witness quorum are refused, leaving the mirror
//! as it was.

use tlog_tiles::{Hash, TileHashReader, check_record, prove_record, record_hash, tree_hash};
use vledger_tests::nginx::Nginx;
use vledger_tests::tiles::{HttpTiles, bundle};
use vledger_tests::{
    Checkpoint, Key, Node, TestLog, VIN_A, VIN_B, http, path_str, submit, vledger,
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

#[test]
fn a_mirror_served_by_nginx_is_the_log() {
    let log = TestLog::init();
    let mut node = Node::start(&log.data, &["--http-listen", "127.0.0.1:0"]);
    let key = log.enrolled(&node.url, "workshop");
    add_records(&log, &node, &key, "a", 128);
    let dir = log.path("mirror");
    let first = mirror(&log, &node, &dir, &[]).ok();
    assert!(first.stdout.contains("tiles fetched, 0 kept"), "{first}");

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
