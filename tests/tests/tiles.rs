//! The node serves its log as C2SP tlog-tiles over HTTP, read here by an
//! independent client: cloudflare azul's `tlog_tiles` (a port of Go's
//! `sumdb/tlog`) fetches the tiles, authenticates them against the root of
//! the signed checkpoint, and checks the inclusion of sampled entries,
//! whose bytes come from the entry bundles. Paths, widths, content types
//! and cache headers are as the spec says.

use tlog_tiles::{
    Hash, HashReader as _, TileHashReader, check_record, prove_record, record_hash, tree_hash,
};
use vledger_tests::tiles::{HttpTiles, bundle};
use vledger_tests::{Checkpoint, Node, TestLog, VIN_A, VIN_B, http, submit, verify_proof, vledger};

#[test]
fn an_independent_client_reads_and_verifies_the_tiles() {
    let log = TestLog::init();
    let node = Node::start(&log.data, &["--http-listen", "127.0.0.1:0"]);
    let base = node.http_url.clone().expect("the HTTP address");
    let key = log.enrolled(&node.url, "workshop");
    // Each record is two entries (the record and its batch's index entry):
    // past 256 entries there is a full tile and bundle and partial ones.
    let mut receipts = Vec::new();
    for i in 0..130u64 {
        let receipt = log.path(&format!("r{i}.tlog-proof"));
        let vin = if i % 2 == 0 { VIN_A } else { VIN_B };
        submit(
            &node.url,
            &key,
            &log.record(&format!("r{i}"), vin, 100 + i, None),
            &receipt,
        )
        .ok();
        receipts.push(receipt);
    }

    let r = http("GET", &base, "/checkpoint", b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type.as_deref(), Some("text/plain; charset=utf-8"));
    assert_eq!(r.cache_control.as_deref(), Some("public, max-age=2"));
    let checkpoint = Checkpoint::parse(&r.body);
    let size = checkpoint.size;
    assert!(size > 256, "{size}");
    let root = Hash::parse_hash(&checkpoint.root).expect("root");

    // azul recomputes the checkpoint's root from the tiles it fetched.
    let tiles = HttpTiles::new(&base);
    let reader = TileHashReader::new(size, root, &tiles);
    assert_eq!(tree_hash(size, &reader).expect("tree hash"), root);
    assert!(tiles.fetched() >= 2);

    // Sampled entries: their bytes from the bundles, their inclusion from
    // the tiles, both against the signed root.
    let full = bundle(&base, 0, 256);
    let last = bundle(&base, 1, size - 256);
    let entries: Vec<Vec<u8>> = full.into_iter().chain(last).collect();
    assert_eq!(entries.len() as u64, size);
    for index in [0, 1, 3, 100, 255, 256, 257, size - 2, size - 1] {
        let proof = prove_record(size, index, &reader).expect("proof");
        check_record(
            &proof,
            size,
            root,
            index,
            record_hash(&entries[index as usize]),
        )
        .expect("inclusion");
        let wrong = record_hash(&entries[(index as usize + 1) % entries.len()]);
        assert!(check_record(&proof, size, root, index, wrong).is_err());
    }
    // Every leaf hash azul reads equals the hash of the entry's bytes.
    let leaf_hashes = reader
        .read_hashes(
            &(0..size)
                .map(|i| tlog_tiles::stored_hash_index(0, i))
                .collect::<Vec<_>>(),
        )
        .expect("leaf hashes");
    for (i, h) in leaf_hashes.iter().enumerate() {
        assert_eq!(*h, record_hash(&entries[i]), "leaf {i}");
    }

    // Full tiles are immutable; partial ones are short-lived; other widths,
    // tiles beyond the tree and malformed paths are 404.
    let full = http("GET", &base, "/tile/0/000", b"");
    assert_eq!(full.status, 200);
    assert_eq!(full.bytes.len(), 256 * 32);
    assert_eq!(
        full.cache_control.as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let w = size - 256;
    let partial = http("GET", &base, &format!("/tile/0/001.p/{w}"), b"");
    assert_eq!((partial.status, partial.bytes.len() as u64), (200, w * 32));
    // A narrower partial tile is the first hashes of the wider one.
    let narrow = http("GET", &base, "/tile/0/001.p/1", b"");
    assert_eq!(narrow.bytes[..], partial.bytes[..32]);
    assert_eq!(http("GET", &base, "/tile/1/000.p/1", b"").status, 200);
    for missing in [
        format!("/tile/0/001.p/{}", w + 1),
        "/tile/0/001".to_owned(),
        "/tile/0/002.p/1".to_owned(),
        "/tile/2/000.p/1".to_owned(),
        "/tile/0/0001".to_owned(),
        "/tile/00/000".to_owned(),
        "/tile/0/000.p/256".to_owned(),
    ] {
        assert_eq!(http("GET", &base, &missing, b"").status, 404, "{missing}");
    }

    // Read again (now from the node's tile cache): the same bytes.
    for (path, first) in [
        ("/tile/0/000".to_owned(), &full),
        (format!("/tile/0/001.p/{w}"), &partial),
    ] {
        let again = http("GET", &base, &path, b"");
        assert_eq!((again.status, &again.bytes), (200, &first.bytes), "{path}");
    }
    let bundle_once = http("GET", &base, "/tile/entries/000", b"");
    let bundle_twice = http("GET", &base, "/tile/entries/000", b"");
    assert_eq!(bundle_once.bytes, bundle_twice.bytes);

    // The log grows: the partial tile and bundle widen, the old widths are
    // their prefixes, and nothing wider than the new tree is served.
    for i in 0..2u64 {
        let receipt = log.path(&format!("g{i}.tlog-proof"));
        submit(
            &node.url,
            &key,
            &log.record(&format!("g{i}"), VIN_A, 1_000 + i, None),
            &receipt,
        )
        .ok();
    }
    let grown = Checkpoint::parse(&http("GET", &base, "/checkpoint", b"").body);
    assert!(grown.size > size && grown.size < 512, "{}", grown.size);
    let w2 = grown.size - 256;
    let wider = http("GET", &base, &format!("/tile/0/001.p/{w2}"), b"");
    assert_eq!(wider.status, 200);
    assert_eq!(wider.bytes[..partial.bytes.len()], partial.bytes[..]);
    let old_bundle = http("GET", &base, &format!("/tile/entries/001.p/{w}"), b"");
    let new_bundle = http("GET", &base, &format!("/tile/entries/001.p/{w2}"), b"");
    assert_eq!(
        new_bundle.bytes[..old_bundle.bytes.len()],
        old_bundle.bytes[..]
    );
    assert_eq!(
        bundle(&base, 1, w2).len() as u64,
        w2,
        "the grown bundle holds every entry"
    );
    for missing in [
        format!("/tile/0/001.p/{}", w2 + 1),
        format!("/tile/entries/001.p/{}", w2 + 1),
    ] {
        assert_eq!(http("GET", &base, &missing, b"").status, 404, "{missing}");
    }

    // Receipts logged before still verify: the store is the same log.
    verify_proof(log.log_vkey_file(), &receipts[0]).ok();
    vledger(["checkpoint", "--node", &node.url]).ok();
}
