//! The key procedures of docs/operations.md, "Keys", on real node
//! processes: several admins and an admin's rotation; the recovery key that
//! `vledger init` makes, which alone brings back an admin once every admin
//! key is lost, and rotates itself. After each, a record signed under the
//! new keys verifies offline with its whole signer chain, and the stopped
//! store passes `vledger check`, which replays every rule.

use std::path::Path;

use vledger_tests::{
    Key, Node, Output, TestLog, VIN_A, Witness, bins, checkpoint, path_str, run, submit, vledger,
};
use vledger_tlog::note::{Checkpoint, Note, Signer, TlogProof, sign_checkpoint};

/// `vledger enroll`, signed with the key in `signer`.
fn enroll(node: &Node, signer: &Path, key: &Key, role: &str) -> Output {
    vledger([
        "enroll",
        "--node",
        &node.url,
        "--admin-key",
        path_str(signer),
        "--key",
        &key.vkey,
        "--role",
        role,
        "--name",
        "Example Org",
    ])
}

/// `vledger revoke`, signed with the key in `signer`.
fn revoke(node: &Node, signer: &Path, vkey: &str) -> Output {
    vledger([
        "revoke",
        "--node",
        &node.url,
        "--recovery-key",
        path_str(signer),
        "--key",
        vkey,
        "--reason",
        "rotation",
    ])
}

/// The verifier key `init` wrote beside a private key file.
fn vkey_of(private: &Path) -> String {
    std::fs::read_to_string(private.with_extension("vkey"))
        .expect("vkey beside the key")
        .trim()
        .to_owned()
}

/// A workshop record signed by `workshop`, logged, and the VIN's history
/// fetched and verified offline: its signer chain runs through the keys
/// the procedure enrolled.
fn a_record_verifies(log: &TestLog, node: &Node, workshop: &Key, km: u64) {
    let record = log.record(&format!("r{km}"), VIN_A, km, None);
    submit(
        &node.url,
        workshop,
        &record,
        &log.path(&format!("r{km}.tlog-proof")),
    )
    .ok();
    let bundle = log.path(&format!("h{km}.vhist.json"));
    vledger([
        "history",
        "--node",
        &node.url,
        VIN_A,
        "--out",
        path_str(&bundle),
    ])
    .ok();
    let key = path_str(&log.log_vkey_file()).to_owned();
    run(
        &bins().verify,
        ["history", "--log-key", &key, path_str(&bundle)],
    )
    .ok();
}

/// The stopped store replays under the rules, key records included.
fn store_checks(log: &TestLog, mut node: Node) {
    node.stop();
    vledger(["check", "--data", path_str(&log.data)]).ok();
}

#[test]
fn several_admins_and_an_admin_rotation() {
    let log = TestLog::init();
    let node = log.start();
    let first = vkey_of(&log.admin_key);

    // The first admin enrolls a second; the second enrolls a workshop.
    let second = log.keygen("admin2.example");
    enroll(&node, &log.admin_key, &second, "admin").ok();
    let workshop = log.keygen("workshop.example");
    enroll(&node, &second.file, &workshop, "workshop").ok();
    a_record_verifies(&log, &node, &workshop, 1000);

    // Rotation: the new admin revokes the old one, which can no longer
    // enroll anyone; a key never revokes itself.
    let out = revoke(&node, &second.file, &second.vkey).fails();
    assert!(out.stderr.contains("may not revoke itself"), "{out}");
    revoke(&node, &second.file, &first).ok();
    let late = log.keygen("late.example");
    let out = enroll(&node, &log.admin_key, &late, "workshop").fails();
    assert!(out.stderr.contains("PermissionDenied"), "{out}");
    assert!(out.stderr.contains("was revoked at entry"), "{out}");
    enroll(&node, &second.file, &late, "workshop").ok();
    a_record_verifies(&log, &node, &late, 2000);
    store_checks(&log, node);
}

#[test]
fn the_recovery_key_alone_brings_back_an_admin_after_a_loss() {
    let log = TestLog::init();
    let recovery = log.data.join("recovery.key");
    let recovery_vkey = vkey_of(&recovery);
    let lost = vkey_of(&log.admin_key);
    let node = log.start();

    // Every admin key is lost.
    std::fs::remove_file(&log.admin_key).expect("remove admin.key");

    // The recovery key enrolls no submitter: only admin and recovery keys.
    let workshop = log.keygen("workshop.example");
    let out = enroll(&node, &recovery, &workshop, "workshop").fails();
    assert!(
        out.stderr
            .contains("a key with role recovery may not enroll or revoke a workshop key"),
        "{out}"
    );
    // It enrolls a new admin and revokes the lost one.
    let admin = log.keygen("admin2.example");
    enroll(&node, &recovery, &admin, "admin").ok();
    revoke(&node, &recovery, &lost).ok();
    // The new admin enrolls the workshop; its record verifies offline with
    // the chain workshop ← new admin ← recovery key of the genesis entry.
    enroll(&node, &admin.file, &workshop, "workshop").ok();
    a_record_verifies(&log, &node, &workshop, 1000);

    // An admin, even a stolen one, neither revokes nor enrolls a recovery
    // key.
    let out = revoke(&node, &admin.file, &recovery_vkey).fails();
    assert!(
        out.stderr.contains(
            "a key with role admin may not enroll or revoke a recovery key; only a recovery key may"
        ),
        "{out}"
    );
    let spare = log.keygen("recovery2.example");
    let out = enroll(&node, &admin.file, &spare, "recovery").fails();
    assert!(out.stderr.contains("only a recovery key may"), "{out}");

    // The recovery key rotates: it enrolls its successor, which revokes it.
    enroll(&node, &recovery, &spare, "recovery").ok();
    revoke(&node, &spare.file, &recovery_vkey).ok();
    let other = log.keygen("admin3.example");
    let out = enroll(&node, &recovery, &other, "admin").fails();
    assert!(out.stderr.contains("was revoked at entry"), "{out}");
    enroll(&node, &spare.file, &other, "admin").ok();
    store_checks(&log, node);
}

/// `vledger-verify ARGS`.
fn verify<const N: usize>(args: [&str; N]) -> Output {
    run(&bins().verify, args)
}

/// The receipt `text` with its checkpoint replaced by one for the same
/// tree signed by `key` alone.
fn resigned(text: &str, key: &Signer) -> String {
    let proof = TlogProof::parse(text).expect("a receipt");
    let checkpoint = Checkpoint::parse_text(&Note::parse(&proof.checkpoint).expect("a note").text)
        .expect("a checkpoint");
    TlogProof {
        checkpoint: sign_checkpoint(&checkpoint, key),
        ..proof
    }
    .to_string()
}

#[test]
fn a_retired_log_key_hands_the_log_to_a_successor_that_verifiers_follow() {
    let log = TestLog::init();
    let old_vkey = log.path("old-log.vkey");
    std::fs::copy(log.log_vkey_file(), &old_vkey).expect("copy log.vkey");
    let old = path_str(&old_vkey).to_owned();
    let data = path_str(&log.data).to_owned();
    let node = log.start();
    let workshop = log.enrolled(&node.url, "workshop");
    let before = log.path("before.tlog-proof");
    submit(
        &node.url,
        &workshop,
        &log.record("before", VIN_A, 1000, None),
        &before,
    )
    .ok();
    let old_size = checkpoint(&node, None).size;
    // A backup from before the succession, continued after it.
    let backup = log.path("backup");
    let back_up = |node: &Node| {
        vledger([
            "backup",
            "--data",
            &data,
            "--out",
            path_str(&backup),
            "--node",
            &node.url,
        ])
        .ok()
    };
    back_up(&node);

    // Offline only: the running node holds the store.
    let out = vledger(["rotate-log-key", "--data", &data]).fails();
    assert!(out.stderr.contains("stop the node first"), "{out}");
    let mut node = node;
    node.stop();
    let out = vledger(["rotate-log-key", "--data", &data, "--reason", "scheduled"]).ok();
    // The succession batch: its entry and its index entry.
    let size = old_size + 2;
    assert!(
        out.stdout.contains(&format!(
            "log key succeeded at tree size {size} (entry {old_size})"
        )),
        "{out}"
    );
    let succession = log.data.join(format!("succession-{size}.tlog-proof"));
    let retired = log.data.join(format!("retired-log-{size}.key"));
    let new_vkey = std::fs::read_to_string(log.log_vkey_file()).expect("log.vkey");
    assert_ne!(
        new_vkey.trim(),
        log.log_vkey,
        "log.vkey names the successor"
    );
    assert!(out.stdout.contains(new_vkey.trim()), "{out}");
    let succession_arg = path_str(&succession).to_owned();

    // The retired key no longer starts the node.
    let current = std::fs::read(log.data.join("log.key")).expect("log.key");
    std::fs::copy(&retired, log.data.join("log.key")).expect("put the retired key back");
    let (status, logs) = Node::refuses(&log.data, &[]);
    assert!(!status.success(), "{logs}");
    assert!(logs.contains("the log's current key?"), "{logs}");
    std::fs::write(log.data.join("log.key"), current).expect("restore log.key");

    // Under its successor the log goes on.
    let node = log.start();
    let after = log.path("after.tlog-proof");
    submit(
        &node.url,
        &workshop,
        &log.record("after", VIN_A, 2000, None),
        &after,
    )
    .ok();
    let latest = checkpoint(&node, None).size;
    assert!(latest > size);
    let out = back_up(&node);
    assert!(
        out.stdout.contains(&format!(
            "tree size {latest} ({} new entries)",
            latest - old_size
        )),
        "{out}"
    );
    vledger(["check", "--data", path_str(&backup)]).ok();

    // A verifier that pinned the old key follows the succession proof;
    // without it, the new receipt is not the log's.
    let out = verify(["proof", "--log-key", &old, path_str(&after)]).fails();
    assert!(out.stderr.contains("FAILED"), "{out}");
    verify([
        "proof",
        "--log-key",
        &old,
        "--succession",
        &succession_arg,
        path_str(&after),
    ])
    .ok();
    verify(["proof", "--log-key", new_vkey.trim(), path_str(&after)]).ok();
    // Receipts from before stay valid under the old key, with or without.
    verify(["proof", "--log-key", &old, path_str(&before)]).ok();
    verify([
        "proof",
        "--log-key",
        &old,
        "--succession",
        &succession_arg,
        path_str(&before),
    ])
    .ok();
    let out = verify(["succession", "--log-key", &old, &succession_arg]).ok();
    assert!(
        out.stdout
            .contains(&format!("at tree size {size} (entry {old_size})"))
            && out.stdout.contains(new_vkey.trim()),
        "{out}"
    );

    // Whoever holds the retired key cannot extend the log with it: the
    // same tree, signed by the retired key beyond its last checkpoint, is
    // refused by a verifier that follows the succession.
    let retired_key = Signer::from_private_key(
        std::fs::read_to_string(&retired)
            .expect("retired key")
            .trim(),
    )
    .expect("a log key");
    let forged = log.path("forged.tlog-proof");
    std::fs::write(
        &forged,
        resigned(
            &std::fs::read_to_string(&after).expect("receipt"),
            &retired_key,
        ),
    )
    .expect("write");
    verify(["proof", "--log-key", &old, path_str(&forged)]).ok();
    let out = verify([
        "proof",
        "--log-key",
        &old,
        "--succession",
        &succession_arg,
        path_str(&forged),
    ])
    .fails();
    assert!(
        out.stderr
            .contains(&format!("signed by a log key retired at tree size {size}")),
        "{out}"
    );

    // A buyer's history, and a consistency proof across the succession.
    let bundle = log.path("car.vhist.json");
    vledger([
        "history",
        "--node",
        &node.url,
        VIN_A,
        "--out",
        path_str(&bundle),
    ])
    .ok();
    let out = verify(["history", "--log-key", &old, path_str(&bundle)]).fails();
    assert!(out.stderr.contains("FAILED"), "{out}");
    verify([
        "history",
        "--log-key",
        &old,
        "--succession",
        &succession_arg,
        path_str(&bundle),
    ])
    .ok();
    let (old_cp, new_cp, proof) = (log.path("old.cp"), log.path("new.cp"), log.path("cons.txt"));
    let note = |size: u64| {
        vledger([
            "checkpoint",
            "--node",
            &node.url,
            "--size",
            &size.to_string(),
        ])
        .ok()
        .stdout
    };
    std::fs::write(&old_cp, note(old_size)).expect("write");
    std::fs::write(&new_cp, note(latest)).expect("write");
    vledger([
        "consistency",
        "--node",
        &node.url,
        "--old",
        &old_size.to_string(),
        "--out",
        path_str(&proof),
    ])
    .ok();
    let args = |with: bool| {
        let mut a = vec!["consistency", "--log-key", old.as_str()];
        if with {
            a.extend(["--succession", succession_arg.as_str()]);
        }
        a.extend([path_str(&old_cp), path_str(&new_cp), path_str(&proof)]);
        a
    };
    run(&bins().verify, args(false)).fails();
    run(&bins().verify, args(true)).ok();
    // The node's client checks the same proof as it fetches it.
    let online = |with: bool| {
        let old_size = old_size.to_string();
        let mut a = vec![
            "consistency".to_owned(),
            "--node".to_owned(),
            node.url.clone(),
            "--old".to_owned(),
            old_size,
            "--log-key".to_owned(),
            old.clone(),
            "--json".to_owned(),
        ];
        if with {
            a.extend(["--succession".to_owned(), succession_arg.clone()]);
        }
        vledger(a)
    };
    let out = online(false).fails();
    assert!(out.stderr.contains("new checkpoint"), "{out}");
    let out = online(true).ok();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(json["verified"], true, "{out}");

    // The auditor, pinned to the old key, needs the succession proof.
    let out = vledger(["audit", "--node", &node.url, "--log-key", &old]).fails();
    assert!(out.stderr.contains("FAILED"), "{out}");
    let out = vledger([
        "audit",
        "--node",
        &node.url,
        "--log-key",
        &old,
        "--succession",
        &succession_arg,
    ])
    .ok();
    assert!(out.stdout.contains(&format!("{latest}")), "{out}");

    // The store, offline, replays with each checkpoint under its key.
    store_checks(&log, node);
}

#[test]
fn a_witness_follows_the_succession_and_refuses_the_retired_key_beyond_it() {
    let log = TestLog::init();
    let data = path_str(&log.data).to_owned();
    let mut w = Witness::init_and_start(&log.path("w1"), "w1.example", &log.log_vkey);
    let serve = |w: &Witness| Node::start(&log.data, &["--witness", &w.serve_arg()]);
    let mut node = serve(&w);
    let workshop = log.enrolled(&node.url, "workshop");
    submit(
        &node.url,
        &workshop,
        &log.record("before", VIN_A, 1000, None),
        &log.path("b.tlog-proof"),
    )
    .ok();
    let cosigned = |node: &Node| {
        vledger([
            "checkpoint",
            "--node",
            &node.url,
            "--cosigned",
            "--wait",
            "10",
        ])
    };
    cosigned(&node).ok();
    node.stop();
    vledger(["rotate-log-key", "--data", &data]).ok();
    let size = checkpoint_size_of(&log);
    let succession = log.data.join(format!("succession-{size}.tlog-proof"));

    // The witness follows the succession it checked under the key it
    // trusts; a file that is no succession of its logs is refused.
    w.stop();
    let out = vledger([
        "witness",
        "follow",
        "--dir",
        path_str(&w.dir),
        path_str(&log.path("b.tlog-proof")),
    ])
    .fails();
    assert!(
        out.stderr
            .contains("no log this witness follows handed its key on there"),
        "{out}"
    );
    let out = vledger([
        "witness",
        "follow",
        "--dir",
        path_str(&w.dir),
        path_str(&succession),
    ])
    .ok();
    assert!(
        out.stdout.contains(&format!("from tree size {size}")),
        "{out}"
    );
    w.start();
    let node = serve(&w);
    let after = log.path("a.tlog-proof");
    submit(
        &node.url,
        &workshop,
        &log.record("after", VIN_A, 2000, None),
        &after,
    )
    .ok();
    let note = cosigned(&node).ok().stdout;
    let latest =
        Checkpoint::parse_text(&Note::parse(&note).expect("note").text).expect("checkpoint");

    // A buyer pinned to the old key and the witness verifies the new
    // receipt, cosigned.
    let receipt = log.path("c.tlog-proof");
    vledger([
        "prove",
        "--node",
        &node.url,
        "--index",
        &size.to_string(),
        "--cosigned",
        "--out",
        path_str(&receipt),
    ])
    .ok();
    verify([
        "proof",
        "--log-key",
        path_str(&log.data.join(format!("retired-log-{size}.vkey"))),
        "--succession",
        path_str(&succession),
        "--witness",
        &w.vkey,
        path_str(&receipt),
    ])
    .ok();

    // The same tree signed by the retired key: the witness refuses it.
    let retired = Signer::from_private_key(
        std::fs::read_to_string(log.data.join(format!("retired-log-{size}.key")))
            .expect("retired key")
            .trim(),
    )
    .expect("a log key");
    let forged = sign_checkpoint(&latest, &retired);
    let r = w.add_checkpoint(&format!("old {}\n\n{forged}", latest.size().0));
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        r.body.contains(&format!("retired at tree size {size}")),
        "{}",
        r.body
    );
}

/// The tree size of the stopped log's succession, from the proof file
/// `rotate-log-key` wrote.
fn checkpoint_size_of(log: &TestLog) -> u64 {
    std::fs::read_dir(&log.data)
        .expect("data dir")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_prefix("succession-")?
                .strip_suffix(".tlog-proof")?
                .parse()
                .ok()
        })
        .max()
        .expect("a succession proof")
}
