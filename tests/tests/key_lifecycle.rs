//! The key procedures of docs/operations.md, "Keys", on real node
//! processes: several admins and an admin's rotation; the recovery key that
//! `vledger init` makes, which alone brings back an admin once every admin
//! key is lost, and rotates itself. After each, a record signed under the
//! new keys verifies offline with its whole signer chain, and the stopped
//! store passes `vledger check`, which replays every rule.

use std::path::Path;

use vledger_tests::{Key, Node, Output, TestLog, VIN_A, bins, path_str, run, submit, vledger};

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
