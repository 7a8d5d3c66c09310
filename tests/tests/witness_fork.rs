//! A split view: two stores that share the log key and a history, then hold
//! different entries. Once the witnesses have cosigned one (log A), they
//! refuse the other (log B) with the status codes of C2SP tlog-witness
//! (409 with `text/x.tlog.size`, 422, and 400, 403, 404 for malformed,
//! forged and unknown checkpoints), keep the refused checkpoints as
//! evidence, and B's proofs fail under the quorum policy, even with A's
//! cosignatures spliced onto B's checkpoint.

use std::path::Path;
use std::process::Command;

use vledger_tests::store::copy_dir;
use vledger_tests::{
    Checkpoint, Node, TestLog, TlogProof, VIN_A, VIN_B, Witness, checkpoint, go_xcheck, http,
    logged_index, path_str, run, submit, verify, vledger,
};

fn sha256_hex(text: &str) -> String {
    let out = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            c.stdin.take().expect("stdin").write_all(text.as_bytes())?;
            c.wait_with_output()
        })
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// `vledger-verify proof` under the quorum policy of two of `witnesses`.
fn verify_quorum(log: &TestLog, witnesses: &[Witness], file: &Path) -> vledger_tests::Output {
    let mut args = vec![
        "proof".to_owned(),
        "--log-key".to_owned(),
        log.log_vkey.clone(),
    ];
    for w in witnesses {
        args.extend(["--witness".to_owned(), w.vkey.clone()]);
    }
    args.extend([
        "--quorum".to_owned(),
        "2".to_owned(),
        path_str(file).to_owned(),
    ]);
    verify(args)
}

/// The cosignature lines on a proof's checkpoint.
fn cosignature_lines(proof: &Path, witnesses: &[Witness]) -> Vec<String> {
    let text = std::fs::read_to_string(proof).expect("read");
    text.lines()
        .filter(|l| {
            witnesses
                .iter()
                .any(|w| l.starts_with(&format!("\u{2014} {} ", w.name)))
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn witnesses_refuse_a_fork_and_verifiers_refuse_its_proofs() {
    // A shared history, then two copies of the store.
    let log = TestLog::init();
    let mut node = log.start();
    let key = log.keygen("registry.e2e.test");
    log.enroll(&node.url, &key, "registry").ok();
    for i in 0..2 {
        let r = log.record(&format!("shared{i}"), VIN_A, 10 + i, None);
        submit(
            &node.url,
            &key,
            &r,
            &log.path(&format!("shared{i}.tlog-proof")),
        )
        .ok();
    }
    node.stop();
    let data_b = log.path("data-b");
    copy_dir(&log.data, &data_b);

    let ws: Vec<Witness> = (1..=3)
        .map(|i| {
            Witness::init_and_start(
                &log.path(&format!("w{i}")),
                &format!("w{i}.fork.test"),
                &log.log_vkey,
            )
        })
        .collect();
    let mut with_witnesses: Vec<String> = Vec::new();
    for w in &ws {
        with_witnesses.extend(["--witness".to_owned(), w.serve_arg()]);
    }
    with_witnesses.extend(["--witness-quorum".to_owned(), "2".to_owned()]);
    let witness_args: Vec<&str> = with_witnesses.iter().map(String::as_str).collect();

    // Log A is witnessed first.
    let node_a = Node::start(&log.data, &witness_args);
    let ra = log.record("a0", VIN_B, 1000, None);
    let receipt_a = log.path("a0.tlog-proof");
    let out = vledger([
        "submit",
        "--node",
        &node_a.url,
        "--key",
        path_str(&key.file),
        "--out",
        path_str(&receipt_a),
        "--cosigned",
        "--wait",
        "60",
        path_str(&ra),
    ])
    .ok();
    let index_a = logged_index(&out);
    verify_quorum(&log, &ws, &receipt_a).ok();
    let a = Checkpoint::parse(&TlogProof::read(&receipt_a).checkpoint.note);

    // Log B: the same key, another record at the same index.
    let mut node_b = Node::start(&data_b, &[]);
    let rb = log.record("b0", VIN_B, 9999, None);
    let receipt_b = log.path("b0.tlog-proof");
    let out = submit(&node_b.url, &key, &rb, &receipt_b).ok();
    assert_eq!(
        logged_index(&out),
        index_a,
        "the fork's record sits where A's does"
    );
    let b = checkpoint(&node_b, None);
    assert_eq!(b.size, a.size, "same size");
    assert_ne!(b.root, a.root, "different trees");
    // B's receipt verifies with the log key alone: only witnesses tell.
    verify(["proof", "--log-key", &log.log_vkey, path_str(&receipt_b)]).ok();

    let w = &ws[0];
    // 409: B believes the witness saw nothing; it answers with A's size.
    let r = w.add_checkpoint(&format!("old 0\n\n{}", b.note));
    assert_eq!(r.status, 409, "{r:?}");
    assert_eq!(r.content_type.as_deref(), Some("text/x.tlog.size"), "{r:?}");
    assert_eq!(r.body, format!("{}\n", a.size));
    // 422: same size, another root.
    let r = w.add_checkpoint(&format!("old {}\n\n{}", a.size, b.note));
    assert_eq!(r.status, 422, "{r:?}");
    // 422: B grows and proves consistency from A's size, with B's tree.
    let rb1 = log.record("b1", VIN_A, 5000, None);
    submit(&node_b.url, &key, &rb1, &log.path("b1.tlog-proof")).ok();
    let b1 = checkpoint(&node_b, None);
    let proof_file = log.path("b-consistency.txt");
    let old = a.size.to_string();
    vledger([
        "consistency",
        "--node",
        &node_b.url,
        "--old",
        &old,
        "--out",
        path_str(&proof_file),
    ])
    .ok();
    let proof = std::fs::read_to_string(&proof_file).expect("read");
    let hashes: String = proof.lines().skip(2).map(|l| format!("{l}\n")).collect();
    assert!(!hashes.is_empty());
    let r = w.add_checkpoint(&format!("old {}\n{hashes}\n{}", a.size, b1.note));
    assert_eq!(r.status, 422, "{r:?}");
    // The same proof checks out offline against B's own checkpoints, and
    // not against A's.
    let (b_file, b1_file, a_file) = (log.path("b.cp"), log.path("b1.cp"), log.path("a.cp"));
    std::fs::write(&b_file, &b.note).expect("write");
    std::fs::write(&b1_file, &b1.note).expect("write");
    std::fs::write(&a_file, &a.note).expect("write");
    let key_arg = log.log_vkey.as_str();
    verify([
        "consistency",
        "--log-key",
        key_arg,
        path_str(&b_file),
        path_str(&b1_file),
        path_str(&proof_file),
    ])
    .ok();
    let out = verify([
        "consistency",
        "--log-key",
        key_arg,
        path_str(&a_file),
        path_str(&b1_file),
        path_str(&proof_file),
    ])
    .fails();
    assert!(out.stderr.contains("consistency proof"), "{out}");
    // 400: old size above the checkpoint's, a leading zero, no blank line.
    let r = w.add_checkpoint(&format!("old {}\n\n{}", b1.size + 1, b1.note));
    assert_eq!(r.status, 400, "{r:?}");
    let r = w.add_checkpoint(&format!("old 0{}\n\n{}", a.size, b1.note));
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(w.add_checkpoint("old 0\n").status, 400);
    // 403: a bad signature by the log's key; a signature by another key of
    // the same name (made with Go's sumdb/note).
    let sig_line = b1.note.lines().last().expect("signature line");
    let at = sig_line.len() - 6;
    let flip = if &sig_line[at..=at] == "A" { "B" } else { "A" };
    let forged = b1.note.replace(
        sig_line,
        &format!("{}{flip}{}", &sig_line[..at], &sig_line[at + 1..]),
    );
    let r = w.add_checkpoint(&format!("old {}\n\n{forged}", a.size));
    assert_eq!(r.status, 403, "{r:?}");
    let impostor = log.keygen(vledger_tests::ORIGIN);
    let text_file = log.path("b1.text");
    std::fs::write(
        &text_file,
        b1.note.split_once("\n\n").expect("note").0.to_owned() + "\n",
    )
    .expect("write");
    let skey = std::fs::read_to_string(&impostor.file).expect("key");
    let signed = run(go_xcheck(), ["sign", skey.trim(), path_str(&text_file)]).ok();
    let r = w.add_checkpoint(&format!("old {}\n\n{}", a.size, signed.stdout));
    assert_eq!(r.status, 403, "{r:?}");
    // 404: a log the witness does not follow.
    let stranger = log.keygen("stranger.e2e.test/log");
    let text = format!("stranger.e2e.test/log\n{}\n{}\n", b1.size, b1.root);
    std::fs::write(&text_file, text).expect("write");
    let skey = std::fs::read_to_string(&stranger.file).expect("key");
    let signed = run(go_xcheck(), ["sign", skey.trim(), path_str(&text_file)]).ok();
    let r = w.add_checkpoint(&format!("old 0\n\n{}", signed.stdout));
    assert_eq!(r.status, 404, "{r:?}");

    // The witness kept the refused, validly signed checkpoints as evidence,
    // and still serves A's checkpoint to monitors.
    let evidence = std::fs::read_dir(w.dir.join("state/evidence"))
        .expect("evidence dir")
        .count();
    assert!(evidence >= 2, "{evidence} evidence files");
    let served = http(
        "GET",
        &w.url,
        &format!("/{}/checkpoint", sha256_hex(vledger_tests::ORIGIN)),
        b"",
    );
    assert_eq!(served.status, 200, "{served:?}");
    assert!(
        served
            .body
            .starts_with(&format!("{}\n{}\n{}\n", a.origin, a.size, a.root)),
        "{served:?}"
    );
    assert!(
        served.body.contains(&format!("\u{2014} {} ", w.name)),
        "{served:?}"
    );
    let unknown = http(
        "GET",
        &w.url,
        &format!("/{}/checkpoint", sha256_hex("nope")),
        b"",
    );
    assert_eq!(unknown.status, 404);

    // B with the witnesses: they refuse it, so no proof of B is cosigned.
    node_b.stop();
    let node_b = Node::start(&data_b, &witness_args);
    let ib_s = index_a.to_string();
    let p = log.path("b0-cosigned.tlog-proof");
    let out = vledger([
        "prove",
        "--node",
        &node_b.url,
        "--index",
        &ib_s,
        "--cosigned",
        "--wait",
        "3",
        "--out",
        path_str(&p),
    ])
    .fails();
    assert!(out.stderr.contains("Unavailable"), "{out}");
    let failed = verify_quorum(&log, &ws, &receipt_b).fails();
    assert!(
        failed.stderr.contains("0 of 3 witnesses cosigned"),
        "{failed}"
    );
    assert!(node_b.logs().contains("split view"), "{}", node_b.logs());
    // A's cosignatures spliced onto B's checkpoint of the same size are bad.
    let spliced = log.path("b0-spliced.tlog-proof");
    let lines = cosignature_lines(&receipt_a, &ws);
    assert!(lines.len() >= 2, "{lines:?}");
    let text = std::fs::read_to_string(&receipt_b).expect("read");
    std::fs::write(&spliced, text + &lines.join("\n") + "\n").expect("write");
    let failed = verify_quorum(&log, &ws, &spliced).fails();
    assert!(failed.stderr.contains("bad signature"), "{failed}");

    // A carries on being witnessed.
    let ra1 = log.record("a1", VIN_A, 2000, None);
    let receipt = log.path("a1.tlog-proof");
    vledger([
        "submit",
        "--node",
        &node_a.url,
        "--key",
        path_str(&key.file),
        "--out",
        path_str(&receipt),
        "--cosigned",
        "--wait",
        "60",
        path_str(&ra1),
    ])
    .ok();
    verify_quorum(&log, &ws, &receipt).ok();
}
