//! What a new user is told: record errors that name the JSON field path
//! once, a node that cannot be reached or an HTTP port given for its gRPC
//! one, a role that does not exist; and what they get: VINs read in upper
//! case, key files wherever a key is asked for, `--json` summaries, one
//! line on success, a logged record that is not a failure for want of a
//! witness quorum, audit counts that add up, completions and man pages.

use std::path::Path;

use serde_json::Value;
use vledger_tests::{
    Node, TestLog, VIN_A, VIN_B, bins, logged_index, path_str, run, submit, vledger,
};

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port")
        .port()
}

/// The one JSON object a `--json` command printed.
#[track_caller]
fn json_of(out: &vledger_tests::Output) -> Value {
    let text = out.stdout.trim();
    assert_eq!(text.lines().count(), 1, "not one line of JSON: {out}");
    let value: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert!(value.is_object(), "not a JSON object: {out}");
    value
}

/// Runs `vledger-verify ARGS`.
fn verify<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(args: I) -> vledger_tests::Output {
    run(&bins().verify, args)
}

#[test]
fn record_errors_name_the_json_field_path_once() {
    let log = TestLog::init();
    let key = log.keygen("workshop.example");
    let dead = format!("http://127.0.0.1:{}", free_port());
    let no_unit = log.write_json(
        "no-unit",
        &serde_json::json!({"vin": VIN_A, "event_time": "2026-11-01",
            "odometer_reading": {"value": 42000, "source": "service"}}),
    );
    let bad_date = log.write_json(
        "bad-date",
        &serde_json::json!({"vin": VIN_A, "event_time": "20/11/2026",
            "odometer_reading": {"value": 42000, "unit": "km", "source": "service"}}),
    );
    let typo = log.write_json(
        "typo",
        &serde_json::json!({"vin": VIN_A, "event_time": "2026-11-01",
            "odometer_reading": {"value": 1, "unit": "km", "source": "service", "colour": 1}}),
    );
    let nested = log.write_json(
        "nested",
        &serde_json::json!({"vin": VIN_A, "event_time": "2026-11-01",
            "attachments": [{"sha256": "00", "media_type": "image/jpeg", "kind": "photo"}],
            "odometer_reading": {"value": 1, "unit": "km", "source": "service"}}),
    );
    let submit_one = |file: &Path| {
        vledger([
            "submit",
            "--node",
            &dead,
            "--key",
            path_str(&key.file),
            path_str(file),
        ])
        .fails()
    };

    let out = submit_one(&no_unit);
    assert!(
        out.stderr
            .contains("no-unit.json is not a valid record: odometer_reading.unit: missing"),
        "{out}"
    );
    assert_eq!(
        out.stderr.matches("missing").count(),
        1,
        "said twice: {out}"
    );
    assert_eq!(out.stderr.lines().count(), 1, "{out}");

    let out = submit_one(&bad_date);
    assert!(
        out.stderr.contains(
            r#"bad-date.json is not a valid record: event_time: "20/11/2026" is neither an RFC 3339 time nor a YYYY-MM-DD date"#
        ),
        "{out}"
    );
    assert_eq!(
        out.stderr.matches("20/11/2026").count(),
        1,
        "said twice: {out}"
    );

    let out = submit_one(&typo);
    assert!(
        out.stderr
            .contains("odometer_reading.colour: unknown field (expected one of `value`"),
        "{out}"
    );
    let out = submit_one(&nested);
    assert!(out.stderr.contains("attachments[0].sha256: "), "{out}");

    // Several records go the bulk way: each refusal names its field too.
    let out = vledger([
        "submit",
        "--node",
        &dead,
        "--key",
        path_str(&key.file),
        "--out-dir",
        path_str(&log.path("receipts")),
        path_str(&no_unit),
        path_str(&bad_date),
    ])
    .fails();
    assert!(
        out.stderr
            .contains("no-unit.json: not a valid record: odometer_reading.unit: missing")
            && out
                .stderr
                .contains("bad-date.json: not a valid record: event_time: "),
        "{out}"
    );
}

#[test]
fn an_unreachable_node_and_an_http_port_are_named_with_a_hint() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let out = vledger(["checkpoint", "--node", &url]).fails();
    assert_eq!(
        out.stderr.trim(),
        format!(
            "vledger: cannot reach the node at {url}: connection refused; is `vledger serve` \
             running at 127.0.0.1:{port}?"
        ),
        "{out}"
    );

    // The node's tile API is HTTP, not gRPC: said so, with the gRPC default.
    let log = TestLog::init();
    let node = Node::start(&log.data, &["--http-listen", "127.0.0.1:0"]);
    let tiles = node.http_url.clone().expect("tile API");
    for args in [
        vec!["checkpoint", "--node", &tiles],
        vec!["prove", "--node", &tiles, "--index", "0"],
        vec!["history", "--node", &tiles, VIN_A],
    ] {
        let out = vledger(args).fails();
        assert!(
            out.stderr.contains(&format!("{tiles} answers HTTP"))
                && out.stderr.contains("not gRPC")
                && out.stderr.contains("127.0.0.1:6962"),
            "{out}"
        );
        assert!(!out.stderr.contains("grpc-status header missing"), "{out}");
    }
    // A witness's port, given the log's file as its --log, is HTTP too.
    let witness = vledger_tests::Witness::init_and_start(
        &log.path("w1"),
        "w1.example",
        path_str(&log.log_vkey_file()),
    );
    let out = vledger(["checkpoint", "--node", &witness.url]).fails();
    assert!(
        out.stderr
            .contains(&format!("{} answers HTTP", witness.url))
            && out.stderr.contains("127.0.0.1:6962"),
        "{out}"
    );
    // The node's own address works.
    vledger(["checkpoint", "--node", &node.url]).ok();
}

#[test]
fn vins_are_read_in_upper_case_and_roles_are_listed() {
    let log = TestLog::init();
    let node = log.start();
    let key = log.enrolled(&node.url, "workshop");

    // A record with a lower-case VIN is signed with it in upper case.
    let record = log.record("lower", &VIN_B.to_ascii_lowercase(), 1000, None);
    let receipt = log.path("lower.tlog-proof");
    let out = submit(&node.url, &key, &record, &receipt).ok();
    let index = logged_index(&out);
    let verified = verify(["proof", "--log-key", &log.log_vkey, path_str(&receipt)]).ok();
    assert!(
        verified.stdout.contains(&format!("entry {index} "))
            && verified.stdout.contains(&format!("for VIN {VIN_B}")),
        "{verified}"
    );

    // `vledger history` takes the VIN in lower case as well.
    let bundle = log.path("b.vhist.json");
    let out = vledger([
        "history",
        "--node",
        &node.url,
        &VIN_B.to_ascii_lowercase(),
        "--out",
        path_str(&bundle),
    ])
    .ok();
    assert!(
        out.stdout
            .contains(&format!("history of {VIN_B}: 1 record")),
        "{out}"
    );
    let report = verify(["history", "--log-key", &log.log_vkey, path_str(&bundle)]).ok();
    assert!(
        report
            .stdout
            .contains(&format!("complete history of VIN {VIN_B} as of tree size")),
        "{report}"
    );

    // A role that does not exist: every role is named, recovery too.
    let other = log.keygen("mechanic.example");
    let out = vledger([
        "enroll",
        "--node",
        &node.url,
        "--admin-key",
        path_str(&log.admin_key),
        "--key",
        &other.vkey,
        "--role",
        "mechanic",
        "--name",
        "M",
    ])
    .fails();
    assert!(
        out.stderr.contains(
            "--role: unknown role \"mechanic\"; the roles are admin, registry, manufacturer, \
             inspection_body, exporter, workshop, customs, recovery"
        ),
        "{out}"
    );
}

#[test]
fn keys_are_taken_inline_or_from_a_file_and_summaries_as_json() {
    let log = TestLog::init();
    let node = Node::start(&log.data, &["--http-listen", "127.0.0.1:0"]);
    let url = node.url.as_str();
    let vkey_file = log.log_vkey_file();
    let vkey_file = path_str(&vkey_file);

    // `enroll --key FILE`: the .vkey file keygen wrote.
    let key = log.keygen("workshop.example");
    let vkey_path = key.file.with_extension("vkey");
    let out = vledger([
        "enroll",
        "--node",
        url,
        "--admin-key",
        path_str(&log.admin_key),
        "--key",
        path_str(&vkey_path),
        "--role",
        "workshop",
        "--name",
        "W",
        "--out",
        path_str(&log.path("enroll.tlog-proof")),
    ])
    .ok();
    assert_eq!(out.stdout.lines().count(), 1, "{out}");
    let record = log.record("r", VIN_A, 1000, None);
    submit(url, &key, &record, &log.path("r.tlog-proof")).ok();

    // `consistency --log-key FILE`, once refused, and a key that is none.
    let out = vledger([
        "consistency",
        "--node",
        url,
        "--old",
        "2",
        "--log-key",
        vkey_file,
    ])
    .ok();
    assert!(
        out.stderr.contains("ok: tree size 6 extends tree size 2"),
        "{out}"
    );
    let out = vledger([
        "consistency",
        "--node",
        url,
        "--old",
        "2",
        "--log-key",
        "nonsense",
    ])
    .fails();
    assert!(
        out.stderr
            .contains("--log-key is not a verifier key (name+keyid+base64) nor a file holding one"),
        "{out}"
    );
    // A witness key where a log key belongs is named as such.
    let witness = vledger([
        "witness",
        "keygen",
        "--name",
        "w.example",
        "--out",
        path_str(&log.path("w.key")),
    ])
    .ok();
    let out = vledger([
        "consistency",
        "--node",
        url,
        "--old",
        "2",
        "--log-key",
        witness.stdout.trim(),
    ])
    .fails();
    assert!(
        out.stderr.contains("is not an Ed25519 key (type 0x01)"),
        "{out}"
    );

    // One line on success where a file is written.
    let proof = log.path("e4.tlog-proof");
    let out = vledger([
        "prove",
        "--node",
        url,
        "--index",
        "4",
        "--out",
        path_str(&proof),
    ])
    .ok();
    assert_eq!(
        out.stdout,
        format!(
            "proof of entry 4 at tree size 6 written to {}\n",
            proof.display()
        )
    );
    let cons = log.path("c.txt");
    let out = vledger([
        "consistency",
        "--node",
        url,
        "--old",
        "2",
        "--log-key",
        vkey_file,
        "--out",
        path_str(&cons),
    ])
    .ok();
    assert_eq!(
        out.stdout,
        format!(
            "consistency proof from tree size 2 to 6 (2 hashes; verified against the log key) \
             written to {}\n",
            cons.display()
        ),
        "{out}"
    );

    // --json: one object on stdout, for every command with a summary.
    let cp = json_of(&vledger(["checkpoint", "--node", url, "--json"]).ok());
    assert_eq!(cp["tree_size"], 6);
    assert_eq!(cp["origin"], vledger_tests::ORIGIN);
    let p = json_of(&vledger(["prove", "--node", url, "--index", "4", "--json"]).ok());
    assert_eq!(
        (p["index"].clone(), p["tree_size"].clone()),
        (4.into(), 6.into())
    );
    assert!(
        p["proof"]
            .as_str()
            .is_some_and(|t| t.starts_with("c2sp.org/tlog-proof@v1\n"))
    );
    let c = json_of(
        &vledger([
            "consistency",
            "--node",
            url,
            "--old",
            "2",
            "--log-key",
            vkey_file,
            "--json",
        ])
        .ok(),
    );
    assert_eq!(c["verified"], true);
    assert_eq!(c["hashes"].as_array().map(Vec::len), Some(2));
    let bundle = log.path("a.vhist.json");
    let h = json_of(
        &vledger([
            "history",
            "--node",
            url,
            VIN_A,
            "--out",
            path_str(&bundle),
            "--json",
        ])
        .ok(),
    );
    assert_eq!(
        (h["vin"].clone(), h["records"].clone()),
        (VIN_A.into(), 1.into())
    );
    let a = json_of(&vledger(["audit", "--node", url, "--log-key", vkey_file, "--json"]).ok());
    assert_eq!(a["ok"], true);
    let tiles = node.http_url.clone().expect("tile API");
    let m = json_of(
        &vledger([
            "mirror",
            "--node",
            &tiles,
            "--dir",
            path_str(&log.path("mirror")),
            "--log-key",
            vkey_file,
            "--json",
        ])
        .ok(),
    );
    assert_eq!(m["tree_size"], 6);
    let v = json_of(&verify(["proof", "--log-key", vkey_file, "--json", path_str(&proof)]).ok());
    assert_eq!(
        (v["index"].clone(), v["vin"].clone()),
        (4.into(), VIN_A.into())
    );
    let (old_cp, new_cp) = (log.path("2.cp"), log.path("6.cp"));
    for (size, file) in [("2", &old_cp), ("6", &new_cp)] {
        let note = vledger(["checkpoint", "--node", url, "--size", size])
            .ok()
            .stdout;
        std::fs::write(file, note).expect("write checkpoint");
    }
    let vc = json_of(
        &verify([
            "consistency",
            "--log-key",
            vkey_file,
            "--json",
            path_str(&old_cp),
            path_str(&new_cp),
            path_str(&cons),
        ])
        .ok(),
    );
    assert_eq!(
        (vc["old_size"].clone(), vc["new_size"].clone()),
        (2.into(), 6.into())
    );
    json_of(
        &verify([
            "history",
            "--log-key",
            vkey_file,
            "--json",
            path_str(&bundle),
        ])
        .ok(),
    );

    // `vledger check` on the store the node holds says what to do; stopped,
    // it checks and prints JSON too.
    let out = vledger(["check", "--data", path_str(&log.data)]).fails();
    assert!(
        out.stderr.contains("stop the node first") && out.stderr.contains("`vledger backup --data"),
        "{out}"
    );
    drop(node);
    let c = json_of(&vledger(["check", "--data", path_str(&log.data), "--json"]).ok());
    assert_eq!(
        (c["entries"].clone(), c["vins"].clone()),
        (6.into(), 1.into())
    );
    let out = vledger(["check", "--data", path_str(&log.data)]).ok();
    assert!(
        out.stdout
            .contains("ok: 6 entries, 3 checkpoints, 1 VIN of log"),
        "{out}"
    );
}

#[test]
fn submit_cosigned_without_a_quorum_logs_and_warns() {
    let log = TestLog::init();
    // A witness that never answers: nothing listens at its address.
    let witness = vledger([
        "witness",
        "keygen",
        "--name",
        "w.example",
        "--out",
        path_str(&log.path("w.key")),
    ])
    .ok();
    let spec = format!("http://127.0.0.1:{}={}", free_port(), witness.stdout.trim());
    let node = Node::start(&log.data, &["--witness", &spec]);
    let key = log.enrolled(&node.url, "workshop");
    let record = log.record("r", VIN_A, 1000, None);
    let receipt = log.path("r.tlog-proof");
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
        "1",
        path_str(&record),
    ])
    .ok();
    let index = logged_index(&out);
    assert!(
        out.stderr.contains(&format!(
            "warning: no quorum of the node's witnesses cosigned entry {index} within 1 s"
        )),
        "{out}"
    );
    verify(["proof", "--log-key", &log.log_vkey, path_str(&receipt)]).ok();
}

#[test]
fn audit_counts_add_up_with_flags_and_brands() {
    let log = TestLog::init();
    let node = log.start();
    let key = log.enrolled(&node.url, "workshop");
    // A rollback: the second reading is below the first, and flagged.
    for (name, km) in [("r1", 5000), ("r2", 4000)] {
        let record = log.record(name, VIN_A, km, None);
        submit(
            &node.url,
            &key,
            &record,
            &log.path(&format!("{name}.tlog-proof")),
        )
        .ok();
    }
    let damage = log.write_json(
        "damage",
        &serde_json::json!({"vin": VIN_A, "event_time": "2026-11-02",
            "damage": {"types": ["hail"], "source": "workshop", "description": "hail"}}),
    );
    submit(&node.url, &key, &damage, &log.path("damage.tlog-proof")).ok();
    let size = vledger_tests::checkpoint(&node, None).size;

    let args = ["audit", "--node", &node.url, "--log-key", &log.log_vkey];
    let json = json_of(&vledger(args.iter().copied().chain(["--json"])).ok());
    let count = |k: &str| json[k].as_u64().unwrap_or_else(|| panic!("{k} in {json}"));
    assert_eq!(
        count("genesis") + count("records") + count("index_entries"),
        size
    );
    assert_eq!(count("entries_read"), size);
    assert!(count("flags") >= 1, "{json}");
    assert_eq!(count("brands"), 1, "{json}");
    assert_eq!(count("branded_vins"), 1, "{json}");

    let out = vledger(args).ok();
    let records = count("records");
    let index_entries = count("index_entries");
    assert!(
        out.stdout.contains(&format!(
            "{size} entries read (1 genesis, {records} records, {index_entries} index entries)"
        )),
        "{out}"
    );
    // The admin and recovery keys of `init`, and the workshop's.
    assert!(out.stdout.contains("; 1 VIN, 3 keys; "), "{out}");
    assert!(
        out.stdout
            .contains(" on 1 record, 1 damage brand on 1 VIN; "),
        "{out}"
    );
}

#[test]
fn completions_and_man_pages_come_from_the_command_definitions() {
    let dir = tempfile::tempdir().expect("tempdir");
    for shell in ["bash", "zsh", "fish"] {
        let out = vledger(["completions", shell]).ok();
        assert!(
            out.stdout.contains("checkpoint") && out.stdout.contains("--log-key"),
            "{out}"
        );
        let out = verify(["completions", shell]).ok();
        assert!(out.stdout.contains("vledger-verify"), "{out}");
    }
    let man = dir.path().join("man");
    let out = vledger(["man", "--out", path_str(&man)]).ok();
    assert!(
        out.stdout
            .ends_with(&format!("man pages written to {}\n", man.display()))
    );
    for page in ["vledger.1", "vledger-serve.1", "vledger-witness-serve.1"] {
        let text =
            std::fs::read_to_string(man.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page} is no man page");
    }
    let serve = std::fs::read_to_string(man.join("vledger-serve.1")).expect("page");
    assert!(
        serve.contains("\\-\\-listen") || serve.contains("--listen"),
        "{serve}"
    );
    verify(["man", "--out", path_str(&man)]).ok();
    assert!(man.join("vledger-verify-history.1").is_file());
}
