//! The operator's and submitters' path: init, serve, keygen, enroll, submit,
//! verify receipts offline, prove, check consistency, stop, check the store;
//! and the submissions a node must refuse without changing its log.

use vledger_tests::{
    Node, TestLog, TlogProof, VIN_A, VIN_B, checkpoint, logged_index, path_str, submit,
    verify_proof, vledger,
};

/// `vledger consistency --old OLD --new NEW --log-key KEY`, checked.
fn consistent(log: &TestLog, node: &Node, old: u64, new: u64) {
    let (old_s, new_s) = (old.to_string(), new.to_string());
    let args = [
        "consistency",
        "--node",
        &node.url,
        "--old",
        &old_s,
        "--new",
        &new_s,
        "--log-key",
        &log.log_vkey,
    ];
    let out = vledger(args).ok();
    let mut lines = out.stdout.lines();
    assert_eq!(lines.next(), Some(format!("old {old}").as_str()), "{out}");
    assert_eq!(lines.next(), Some(format!("new {new}").as_str()), "{out}");
    assert!(
        lines.all(|l| l.len() == 44 && l.ends_with('=')),
        "proof lines are not base64 hashes: {out}"
    );
    assert!(
        out.stderr.contains("ok"),
        "--log-key did not report a verified proof: {out}"
    );
}

#[test]
fn quickstart() {
    let log = TestLog::init();
    let mut node = log.start();
    let genesis = checkpoint(&node, None);
    assert_eq!(genesis.origin, vledger_tests::ORIGIN);
    assert!(
        genesis.size >= 1,
        "a new log holds its genesis entry: {genesis:?}"
    );

    let workshop = log.keygen("workshop.example");
    let out = log.enroll(&node.url, &workshop, "workshop").ok();
    let enroll_receipt = log.enroll_receipt(&workshop);
    let enroll_index = logged_index(&out);
    let v = verify_proof(log.log_vkey_file(), &enroll_receipt).ok();
    assert!(
        v.stdout.starts_with("OK:") && v.stdout.contains("as workshop"),
        "{v}"
    );

    // Several records about two VINs, each with a receipt that verifies offline.
    let mut receipts = Vec::new();
    let mut last_index = enroll_index;
    for (i, (vin, km)) in [
        (VIN_A, 10_000),
        (VIN_B, 20_000),
        (VIN_A, 15_000),
        (VIN_B, 25_000),
        (VIN_A, 30_000),
    ]
    .into_iter()
    .enumerate()
    {
        let record = log.record(&format!("r{i}"), vin, km, None);
        let receipt = log.path(&format!("r{i}.tlog-proof"));
        let out = submit(&node.url, &workshop, &record, &receipt).ok();
        assert!(out.stdout.starts_with("logged as entry"), "{out}");
        let index = logged_index(&out);
        assert!(
            index > last_index,
            "entry indices must grow: {index} after {last_index}"
        );
        last_index = index;
        let proof = TlogProof::read(&receipt);
        assert_eq!(proof.index, index, "receipt index vs printed index");
        assert!(
            proof.checkpoint.size > index,
            "receipt checkpoint must cover its entry: {proof:?}"
        );
        let v = verify_proof(log.log_vkey_file(), &receipt).ok();
        assert!(v.stdout.starts_with("OK:"), "{v}");
        assert!(
            v.stdout.contains(&format!("entry {index} ")) && v.stdout.contains(vin),
            "{v}"
        );
        receipts.push(proof);
    }
    // The verifier also takes the key inline rather than as a file.
    verify_proof(&log.log_vkey, log.path("r0.tlog-proof")).ok();

    // Submitting the same signed record again returns the first entry.
    let before = checkpoint(&node, None);
    let again = log.path("r0-again.tlog-proof");
    let out = submit(&node.url, &workshop, &log.path("r0.json"), &again).ok();
    assert!(out.stdout.starts_with("already logged as entry"), "{out}");
    assert_eq!(logged_index(&out), receipts[0].index, "{out}");
    assert_eq!(
        TlogProof::read(&again).extra,
        receipts[0].extra,
        "a resubmission returns the same entry"
    );
    verify_proof(log.log_vkey_file(), &again).ok();
    assert_eq!(
        checkpoint(&node, None),
        before,
        "a resubmission must not grow the log"
    );

    // Every entry, genesis and enrollment included, has an inclusion proof
    // against the latest checkpoint; record entries are the receipts' bytes.
    let latest = checkpoint(&node, None);
    for index in 0..latest.size {
        let file = log.path(&format!("prove-{index}.tlog-proof"));
        let out = vledger([
            "prove",
            "--node",
            &node.url,
            "--index",
            &index.to_string(),
            "--out",
            path_str(&file),
        ]);
        out.ok();
        let v = verify_proof(log.log_vkey_file(), &file).ok();
        assert!(v.stdout.contains(&format!("entry {index} ")), "{v}");
        let proof = TlogProof::read(&file);
        assert_eq!((proof.index, &proof.checkpoint), (index, &latest));
        if let Some(r) = receipts.iter().find(|r| r.index == index) {
            assert_eq!(proof.extra, r.extra, "prove --index {index} vs its receipt");
        }
    }
    // Against an older checkpoint too.
    let first = &receipts[0];
    let size = first.checkpoint.size.to_string();
    let out = vledger([
        "prove",
        "--node",
        &node.url,
        "--index",
        &first.index.to_string(),
        "--size",
        &size,
    ])
    .ok();
    assert_eq!(
        TlogProof::parse(&out.stdout),
        *first,
        "prove --size of a receipt's size gives the receipt"
    );

    // Older checkpoints are served as signed, and are consistent with the latest.
    for r in &receipts {
        assert_eq!(
            checkpoint(&node, Some(r.checkpoint.size)),
            r.checkpoint,
            "checkpoint --size"
        );
        consistent(&log, &node, r.checkpoint.size, latest.size);
    }
    consistent(&log, &node, genesis.size, receipts[2].checkpoint.size);
    consistent(&log, &node, latest.size, latest.size);
    let beyond = (latest.size + 10).to_string();
    vledger(["checkpoint", "--node", &node.url, "--size", &beyond]).fails();

    // A graceful stop, an offline check of the whole store, and a restart
    // that serves the same log.
    node.stop();
    let check = vledger(["check", "--data", path_str(&log.data)]).ok();
    assert!(check.stdout.starts_with("ok:"), "{check}");
    assert!(
        check.stdout.contains(&format!("{} entries", latest.size)),
        "{check}"
    );
    let node = Node::start(&log.data, &["--quick-start"]);
    assert_eq!(
        checkpoint(&node, None),
        latest,
        "restart must serve the same checkpoint"
    );
}

#[test]
fn refused_submissions_change_nothing() {
    let log = TestLog::init();
    let node = log.start();
    let inspector = log.keygen("inspection.example");
    let maker = log.keygen("maker.example");
    let stranger = log.keygen("stranger.example");
    log.enroll(&node.url, &inspector, "inspection_body").ok();
    log.enroll(&node.url, &maker, "manufacturer").ok();
    let ok = log.record("ok", VIN_B, 1_000, None);
    submit(&node.url, &inspector, &ok, &log.path("ok.tlog-proof")).ok();

    let refused = |key, record: &std::path::Path, why: &str| {
        let before = checkpoint(&node, None);
        let out = submit(&node.url, key, record, &log.path("refused.tlog-proof")).fails();
        assert!(out.stderr.contains(why), "expected {why:?}: {out}");
        assert!(
            !log.path("refused.tlog-proof").exists(),
            "a refused submit wrote a receipt: {out}"
        );
        let after = checkpoint(&node, None);
        assert_eq!(after, before, "a refused submission changed the log");
    };

    let record = log.record("x", VIN_A, 2_000, None);
    refused(&stranger, &record, "PermissionDenied");
    // Manufacturers may not sign odometer readings.
    refused(&maker, &record, "PermissionDenied");
    // A record whose VIN fails its ISO 3779 check digit.
    let bad_vin = log.record("bad-vin", "1M8GDM9A0KP042788", 2_000, None);
    let before = checkpoint(&node, None);
    let out = submit(&node.url, &inspector, &bad_vin, &log.path("bad.tlog-proof")).fails();
    assert!(
        out.stderr.to_lowercase().contains("vin"),
        "the error must name the VIN: {out}"
    );
    assert_eq!(
        checkpoint(&node, None),
        before,
        "a malformed record changed the log"
    );

    // A revoked key signs nothing more.
    let receipt = log.path("revoke.tlog-proof");
    let args = [
        "revoke",
        "--node",
        &node.url,
        "--admin-key",
        path_str(&log.admin_key),
        "--key",
        &inspector.vkey,
    ];
    vledger(
        args.into_iter()
            .chain(["--reason", "key stolen", "--out", path_str(&receipt)]),
    )
    .ok();
    let v = verify_proof(log.log_vkey_file(), &receipt).ok();
    assert!(v.stdout.contains("key_revocation"), "{v}");
    refused(&inspector, &record, "PermissionDenied");
    // Only the admin key enrolls: a submitter key cannot enroll itself back.
    let args = [
        "enroll",
        "--node",
        &node.url,
        "--admin-key",
        path_str(&inspector.file),
        "--key",
        &inspector.vkey,
    ];
    let before = checkpoint(&node, None);
    let out = vledger(
        args.into_iter()
            .chain(["--role", "registry", "--name", "Me"]),
    )
    .fails();
    assert!(out.stderr.contains("PermissionDenied"), "{out}");
    assert_eq!(checkpoint(&node, None), before);
}

#[test]
fn concurrent_duplicates_are_logged_once() {
    let log = TestLog::init();
    let node = log.start();
    let key = log.keygen("customs.example");
    log.enroll(&node.url, &key, "registry").ok();
    let record = log.record("dup", VIN_A, 77_000, Some("d0d0"));
    let before = checkpoint(&node, None);
    // Eight clients retrying the same signed record at once.
    let outs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (node, key, record, log) = (&node, &key, &record, &log);
                s.spawn(move || {
                    submit(
                        &node.url,
                        key,
                        record,
                        &log.path(&format!("dup-{i}.tlog-proof")),
                    )
                    .ok()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client"))
            .collect()
    });
    let first = logged_index(&outs[0]);
    assert!(
        outs.iter().all(|o| logged_index(o) == first),
        "one record, several entries: {outs:#?}"
    );
    let fresh = outs
        .iter()
        .filter(|o| o.stdout.starts_with("logged as"))
        .count();
    assert_eq!(
        fresh, 1,
        "exactly one client must see `logged as`: {outs:#?}"
    );
    // One record entry, and the index entry that ends its batch.
    assert_eq!(
        checkpoint(&node, None).size,
        before.size + 2,
        "the record was logged more than once"
    );
}
