//! Three witness processes and a node with a quorum of two: cosigned
//! receipts verify under the quorum; with one witness stopped they still
//! do; with two stopped no checkpoint is cosigned and the verifier refuses
//! for lack of quorum, naming the missing witnesses. A node restarted then
//! serves the cosigned checkpoint it saved, unless the saved cosignatures
//! were changed. Witnesses keep their state across restarts, and a restarted node (which knows nothing of the
//! witnesses' sizes) gets cosignatures again by following their 409
//! answers. The cosignatures verify with Go's independent check, and a
//! cosignature made by Go verifies with `vledger-verify`. History bundles
//! fetched with `--cosigned` carry a witnessed checkpoint that verifies
//! under the quorum; a changed consistency proof or a witnessed checkpoint
//! stripped of cosignatures is refused.

use std::path::{Path, PathBuf};

use serde_json::Value;
use vledger_tests::{
    Checkpoint, Key, Node, TestLog, TlogProof, VIN_A, VIN_B, Witness, go_xcheck, logged_index,
    path_str, run, verify, vledger,
};

/// `vledger-verify proof --log-key KEY [--witness W]... --quorum Q FILE`.
fn verify_quorum(
    log: &TestLog,
    witnesses: &[&str],
    quorum: usize,
    file: &Path,
) -> vledger_tests::Output {
    let q = quorum.to_string();
    let mut args = vec!["proof", "--log-key", log.log_vkey.as_str()];
    for w in witnesses {
        args.extend(["--witness", w]);
    }
    args.extend(["--quorum", q.as_str(), path_str(file)]);
    verify(args)
}

/// `vledger-verify history --log-key KEY [--witness W]... --quorum Q [--json] FILE`.
fn verify_history_quorum(
    log: &TestLog,
    witnesses: &[&str],
    quorum: usize,
    json: bool,
    file: &Path,
) -> vledger_tests::Output {
    let q = quorum.to_string();
    let mut args = vec!["history", "--log-key", log.log_vkey.as_str()];
    for w in witnesses {
        args.extend(["--witness", w]);
    }
    args.extend(["--quorum", q.as_str()]);
    if json {
        args.push("--json");
    }
    args.push(path_str(file));
    verify(args)
}

/// `vledger history VIN --node URL --out FILE [--cosigned --wait S]`.
fn fetch_history(node: &Node, vin: &str, file: &Path, wait: Option<&str>) -> vledger_tests::Output {
    let mut args = vec!["history", "--node", &node.url, vin, "--out", path_str(file)];
    if let Some(wait) = wait {
        args.extend(["--cosigned", "--wait", wait]);
    }
    vledger(args)
}

/// `vledger prove --index INDEX --cosigned [--wait SECS] --out FILE`.
fn prove_cosigned(
    node: &Node,
    index: u64,
    wait: Option<&str>,
    out: &Path,
) -> vledger_tests::Output {
    let index = index.to_string();
    let mut args = vec![
        "prove",
        "--node",
        &node.url,
        "--index",
        &index,
        "--cosigned",
    ];
    if let Some(w) = wait {
        args.extend(["--wait", w]);
    }
    args.extend(["--out", path_str(out)]);
    vledger(args)
}

fn read_json(file: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(file).expect("read")).expect("JSON")
}

fn write_json(file: &Path, value: &Value) {
    std::fs::write(file, serde_json::to_string_pretty(value).expect("JSON")).expect("write");
}

/// Submits a record and asks for a cosigned receipt, waiting `wait` seconds.
fn submit_cosigned(
    log: &TestLog,
    node: &Node,
    key: &Key,
    name: &str,
    vin: &str,
    km: u64,
    wait: u64,
) -> (vledger_tests::Output, PathBuf) {
    let record = log.record(name, vin, km, None);
    let receipt = log.path(&format!("{name}.tlog-proof"));
    let wait = wait.to_string();
    let out = vledger([
        "submit",
        "--node",
        &node.url,
        "--key",
        path_str(&key.file),
        "--out",
        path_str(&receipt),
        "--cosigned",
        "--wait",
        &wait,
        path_str(&record),
    ]);
    (out, receipt)
}

/// The checkpoint note of a tlog-proof, in its own file.
fn checkpoint_file(proof: &Path) -> PathBuf {
    let text = std::fs::read_to_string(proof).expect("read proof");
    let note = text.split_once("\n\n").expect("tlog-proof").1;
    let file = proof.with_extension("checkpoint");
    std::fs::write(&file, note).expect("write");
    file
}

/// The cosignature lines of a proof's checkpoint (after the log's signature).
fn signature_lines(proof: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(proof).expect("read proof");
    text.lines()
        .filter(|l| l.starts_with('\u{2014}'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn quorum_of_two_witnesses_out_of_three() {
    let log = TestLog::init();
    let mut ws: Vec<Witness> = (1..=3)
        .map(|i| {
            Witness::init_and_start(
                &log.path(&format!("w{i}")),
                &format!("w{i}.e2e.vledger.test"),
                &log.log_vkey,
            )
        })
        .collect();
    let vkeys: Vec<String> = ws.iter().map(|w| w.vkey.clone()).collect();
    let vk: Vec<&str> = vkeys.iter().map(String::as_str).collect();
    assert!(
        vk.iter().all(|k| k.contains("+B")),
        "type 0x04 keys: {vk:?}"
    );

    let serve_args = |ws: &[Witness]| {
        let mut args: Vec<String> = Vec::new();
        for w in ws {
            args.extend(["--witness".to_owned(), w.serve_arg()]);
        }
        args.extend(["--witness-quorum".to_owned(), "2".to_owned()]);
        args
    };
    let args = serve_args(&ws);
    let mut node = Node::start(
        &log.data,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let key = log.keygen("workshop.e2e.test");
    log.enroll(&node.url, &key, "workshop").ok();

    // All three up.
    let (out, r0) = submit_cosigned(&log, &node, &key, "r0", VIN_A, 100, 60);
    let out = out.ok();
    let i0 = logged_index(&out);
    let ok = verify_quorum(&log, &vk, 2, &r0).ok();
    assert!(ok.stdout.contains("cosigned by"), "{ok}");
    // Without a witness policy the log's signature is enough.
    verify(["proof", "--log-key", log.log_vkey.as_str(), path_str(&r0)]).ok();
    // Every cosignature on it verifies with Go's independent check.
    let cp0 = checkpoint_file(&r0);
    let mut cosigners = 0;
    for w in &vk {
        let go = run(go_xcheck(), ["cosignature", w, path_str(&cp0)]);
        if go.status.success() {
            assert!(go.stdout.starts_with("ok "), "{go}");
            cosigners += 1;
        }
    }
    assert!(cosigners >= 2, "Go verified {cosigners} cosignatures");
    // And a cosignature Go makes verifies with vledger-verify.
    let go = run(
        go_xcheck(),
        ["cosign", "go.e2e.test/w", "1767225600", path_str(&cp0)],
    )
    .ok();
    let (go_vkey, go_note) = go.stdout.split_once('\n').expect("vkey and note");
    let text = std::fs::read_to_string(&r0).expect("read");
    let with_go = log.path("r0-go.tlog-proof");
    std::fs::write(
        &with_go,
        format!("{}\n\n{go_note}", text.split_once("\n\n").expect("proof").0),
    )
    .expect("write");
    let ok = verify([
        "proof",
        "--log-key",
        &log.log_vkey,
        "--witness",
        go_vkey,
        path_str(&with_go),
    ])
    .ok();
    assert!(ok.stdout.contains("cosigned by 1 of 1"), "{ok}");

    // The node serves the cosigned checkpoint itself.
    let cp = vledger(["checkpoint", "--node", &node.url, "--cosigned"]).ok();
    let cosigned_lines = cp
        .stdout
        .lines()
        .filter(|l| l.starts_with('\u{2014}'))
        .count();
    assert!(
        cosigned_lines >= 3,
        "log signature and two cosignatures: {cp}"
    );
    let plain = vledger(["checkpoint", "--node", &node.url]).ok();
    assert_eq!(
        plain
            .stdout
            .lines()
            .filter(|l| l.starts_with('\u{2014}'))
            .count(),
        1
    );

    // `prove --cosigned` for the enrollment too.
    let enrolled = TlogProof::read(&log.enroll_receipt(&key)).index;
    let p = log.path("enroll-cosigned.tlog-proof");
    prove_cosigned(&node, enrolled, None, &p).ok();
    verify_quorum(&log, &vk, 2, &p).ok();

    // One witness down: still a quorum.
    ws[0].stop();
    // A plain history of VIN_A at this size, tied below to a later
    // cosigned checkpoint.
    let plain = log.path("a-plain.vhist.json");
    fetch_history(&node, VIN_A, &plain, None).ok();
    let (out, r1) = submit_cosigned(&log, &node, &key, "r1", VIN_B, 200, 60);
    out.ok();
    let ok = verify_quorum(&log, &vk, 2, &r1).ok();
    assert!(
        ok.stdout
            .contains("cosigned by 2 of 3 witnesses (quorum 2)"),
        "{ok}"
    );
    let failed = verify_quorum(&log, &vk, 3, &r1).fails();
    assert!(
        failed.stderr.contains("w1.e2e.vledger.test missing"),
        "{failed}"
    );

    // A receipt with one cosignature removed, or one changed, falls short.
    let lines = signature_lines(&r1);
    assert_eq!(
        lines.len(),
        3,
        "log signature and two cosignatures: {lines:?}"
    );
    let text = std::fs::read_to_string(&r1).expect("read");
    let stripped = log.path("r1-stripped.tlog-proof");
    std::fs::write(&stripped, text.replace(&format!("{}\n", lines[2]), "")).expect("write");
    let failed = verify_quorum(&log, &vk, 2, &stripped).fails();
    assert!(
        failed.stderr.contains("not enough cosignatures: 1 of 3"),
        "{failed}"
    );
    let changed = log.path("r1-changed.tlog-proof");
    let line = &lines[1];
    let at = line.len() - 10;
    let flipped = format!(
        "{}{}{}",
        &line[..at],
        if &line[at..=at] == "A" { "B" } else { "A" },
        &line[at + 1..]
    );
    std::fs::write(&changed, text.replace(line.as_str(), &flipped)).expect("write");
    let failed = verify_quorum(&log, &vk, 2, &changed).fails();
    assert!(failed.stderr.contains("bad signature"), "{failed}");

    // A history bundle tied to a checkpoint the quorum cosigned: it verifies
    // under the quorum and names the witnessed size.
    let h1 = log.path("b-cosigned.vhist.json");
    let out = fetch_history(&node, VIN_B, &h1, Some("60")).ok();
    let b1 = read_json(&h1);
    let n1 = Checkpoint::parse(b1["checkpoint"].as_str().expect("checkpoint")).size;
    let witnessed = b1["witnessed"]["checkpoint"].as_str().expect("witnessed");
    let m1 = Checkpoint::parse(witnessed).size;
    assert!(m1 >= n1, "witnessed {m1} < {n1}");
    assert!(
        out.stdout
            .contains(&format!("(witnessed at tree size {m1})")),
        "{out}"
    );
    let ok = verify_history_quorum(&log, &vk, 2, false, &h1).ok();
    assert!(
        ok.stdout.contains(&format!(
            "complete history of VIN {VIN_B} as of tree size {n1}: 1 record\n"
        )) && ok.stdout.trim_end().ends_with(&format!(
            "witnessed at tree size {m1} (extends tree size {n1}): cosigned by 2 of 3 witnesses (quorum 2)"
        )),
        "{ok}"
    );
    let ok = verify_history_quorum(&log, &vk, 2, true, &h1).ok();
    let json: Value = serde_json::from_str(&ok.stdout).expect("--json prints JSON");
    assert_eq!(json["tree_size"], n1);
    assert_eq!(json["witnessed_tree_size"], m1);
    assert_eq!(json["witnesses"]["cosigned"], 2);
    assert_eq!(json["witnesses"]["quorum"], 2);
    let statuses: Vec<&str> = json["witnesses"]["statuses"]
        .as_array()
        .expect("statuses")
        .iter()
        .map(|w| w["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["missing", "cosigned", "cosigned"], "{json}");

    // The witnessed checkpoint with a cosignature dropped falls short of
    // the quorum (even though the log's signature on it is intact).
    let lines: Vec<&str> = witnessed
        .lines()
        .filter(|l| l.starts_with('\u{2014}'))
        .collect();
    assert_eq!(
        lines.len(),
        3,
        "log signature and two cosignatures: {lines:?}"
    );
    let mut stripped = b1.clone();
    stripped["witnessed"]["checkpoint"] =
        Value::from(witnessed.replace(&format!("{}\n", lines[2]), ""));
    let file = log.path("b-stripped.vhist.json");
    write_json(&file, &stripped);
    let failed = verify_history_quorum(&log, &vk, 2, false, &file).fails();
    assert!(
        failed.stderr.contains(
            "witnessed checkpoint: not enough cosignatures: 1 of 3 witnesses cosigned (quorum 2)"
        ),
        "{failed}"
    );

    // The earlier plain bundle of VIN_A (size n0 < m1) with that cosigned
    // checkpoint and the node's consistency proof from n0 to m1 attached by
    // hand verifies; with one proof byte changed it is refused, with or
    // without a witness policy.
    let mut a = read_json(&plain);
    let n0 = Checkpoint::parse(a["checkpoint"].as_str().expect("checkpoint")).size;
    assert!(n0 < m1, "{n0} < {m1}");
    let (old, new) = (n0.to_string(), m1.to_string());
    let proof = vledger([
        "consistency",
        "--node",
        &node.url,
        "--old",
        &old,
        "--new",
        &new,
    ])
    .ok();
    let hashes: Vec<Value> = proof.stdout.lines().skip(2).map(Value::from).collect();
    assert!(!hashes.is_empty(), "{proof}");
    a["witnessed"] = serde_json::json!({"checkpoint": witnessed, "consistency": hashes});
    let file = log.path("a-witnessed.vhist.json");
    write_json(&file, &a);
    let ok = verify_history_quorum(&log, &vk, 2, false, &file).ok();
    assert!(
        ok.stdout.trim_end().ends_with(&format!(
            "witnessed at tree size {m1} (extends tree size {n0}): cosigned by 2 of 3 witnesses (quorum 2)"
        )),
        "{ok}"
    );
    let first = a["witnessed"]["consistency"][0]
        .as_str()
        .expect("hash")
        .to_owned();
    let flipped = format!(
        "{}{}",
        if first.starts_with('A') { "B" } else { "A" },
        &first[1..]
    );
    a["witnessed"]["consistency"][0] = Value::from(flipped);
    write_json(&file, &a);
    let does_not_verify = format!(
        "witnessed checkpoint: consistency proof from tree size {n0} to {m1} does not verify"
    );
    let failed = verify_history_quorum(&log, &vk, 2, false, &file).fails();
    assert!(failed.stderr.contains(&does_not_verify), "{failed}");
    let failed = verify([
        "history",
        "--log-key",
        log.log_vkey.as_str(),
        path_str(&file),
    ])
    .fails();
    assert!(failed.stderr.contains(&does_not_verify), "{failed}");

    // Two witnesses down: no quorum, no cosigned receipt. The record is
    // logged, so submit succeeds with a warning; the verifier refuses the
    // plain receipt under the quorum and names who is missing.
    ws[1].stop();
    let (out, r2) = submit_cosigned(&log, &node, &key, "r2", VIN_A, 300, 3);
    let out = out.ok();
    assert!(out.stderr.contains("warning: no quorum"), "{out}");
    assert!(r2.exists(), "no receipt without cosignatures: {out}");
    let i2 = logged_index(&out);
    let failed = verify_quorum(&log, &vk, 2, &r2).fails();
    assert!(
        failed
            .stderr
            .contains("not enough cosignatures: 0 of 3 witnesses cosigned (quorum 2)")
            && failed.stderr.contains("w1.e2e.vledger.test missing")
            && failed.stderr.contains("w2.e2e.vledger.test missing"),
        "{failed}"
    );
    let p = log.path("r2-prove.tlog-proof");
    let out = prove_cosigned(&node, i2, Some("2"), &p).fails();
    assert!(out.stderr.contains("Unavailable"), "{out}");
    // Nor a cosigned history: the node says what it waited for.
    let out = fetch_history(&node, VIN_A, &log.path("a-none.vhist.json"), Some("1")).fails();
    assert!(
        out.stderr.contains("Unavailable") && out.stderr.contains("within 1000 ms"),
        "{out}"
    );
    // Earlier cosigned receipts still verify.
    verify_quorum(&log, &vk, 2, &r0).ok();
    verify_quorum(&log, &vk, 2, &r1).ok();

    // Restarted while two witnesses are still down, the node serves the
    // cosigned checkpoint it saved at once: no quorum is reachable, yet an
    // entry under that checkpoint gets a cosigned receipt without waiting.
    node.stop();
    let args = serve_args(&ws);
    let mut node = Node::start(
        &log.data,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let p = log.path("r0-after-restart.tlog-proof");
    prove_cosigned(&node, i0, Some("1"), &p).ok();
    verify_quorum(&log, &vk, 2, &p).ok();
    assert!(
        node.logs()
            .contains("serving the saved cosigned checkpoint"),
        "{}",
        node.logs()
    );
    // A saved note whose cosignatures were changed counts for nothing.
    node.stop();
    let saved = log.data.join("cosigned.note");
    let note = std::fs::read_to_string(&saved).unwrap();
    let forged: String = note
        .lines()
        .map(|l| {
            if l.starts_with("— w") {
                // Same witness and key id, other signature bytes: one
                // base64 character well inside the signature changed.
                let mut b = l.as_bytes().to_vec();
                let at = b.len() - 12;
                b[at] = if b[at] == b'A' { b'B' } else { b'A' };
                String::from_utf8(b).unwrap()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    assert_ne!(forged, note);
    std::fs::write(&saved, forged).unwrap();
    let mut node = Node::start(
        &log.data,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let out = prove_cosigned(&node, i0, Some("1"), &log.path("r0-forged.tlog-proof")).fails();
    assert!(out.stderr.contains("Unavailable"), "{out}");
    let logs = node.logs();
    assert!(
        logs.contains("ignoring the saved cosigned checkpoint")
            && logs.contains("0 of the configured witnesses cosigned it, quorum 2"),
        "{logs}"
    );

    // The witnesses come back with their state (on new ports, so the node
    // restarts with them): it knows nothing of their sizes, gets 409s,
    // proves consistency from the sizes they return, and is cosigned again.
    node.stop();
    ws[0].start();
    ws[1].start();
    let args = serve_args(&ws);
    let node = Node::start(
        &log.data,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let p = log.path("r2-cosigned.tlog-proof");
    prove_cosigned(&node, i2, Some("60"), &p).ok();
    verify_quorum(&log, &vk, 2, &p).ok();
    let conflicts: usize = ws
        .iter()
        .map(|w| w.logs().matches("status=409").count())
        .sum();
    assert!(conflicts >= 2, "the restarted node never followed a 409");
    assert!(i0 < i2);
}
