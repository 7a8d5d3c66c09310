//! The documented example history (docs/examples): one vehicle from the
//! factory to its export, submitted with `vledger submit` by a key of each
//! role, in the README's order. Every record is logged without a flag, every
//! receipt verifies offline, and `vledger check` re-derives it all.

use std::collections::HashMap;
use std::path::Path;

use vledger_tests::{TestLog, flags_line, logged_index, path_str, submit, verify_proof, vledger};

/// Who signs each example file (as in docs/examples/README.md).
fn signer(file: &str) -> &'static str {
    match &file[3..] {
        "inspection-protocol.json" | "inspection.json" | "compliance.json" => "inspection_body",
        "factory.json" => "manufacturer",
        "registration.json" | "ownership-transfer.json" | "deregistration.json" => "registry",
        "maintenance.json" | "correction.json" | "odometer-reading.json" | "damage.json" => {
            "workshop"
        }
        "export-license.json" => "exporter",
        "customs-clearance.json" => "customs",
        other => panic!("no signer for example {other}"),
    }
}

#[test]
fn the_example_history_from_factory_to_export() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("examples README");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("docs/examples")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 13, "{files:?}");

    let log = TestLog::init();
    let mut node = log.start();
    let mut keys = HashMap::new();
    for role in [
        "manufacturer",
        "registry",
        "workshop",
        "inspection_body",
        "exporter",
        "customs",
    ] {
        keys.insert(role, log.enrolled(&node.url, role));
    }
    let mut maintenance = None;
    for file in &files {
        let role = signer(file);
        assert!(
            readme.contains(&format!("--key {role}.key {file}")),
            "README must show {file} submitted by {role}"
        );
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).expect("read"))
                .expect("example is JSON");
        // The correction names the maintenance record's entry, known only now.
        if let Some(c) = json.get_mut("correction") {
            c["target_index"] = serde_json::json!(maintenance.expect("maintenance first"));
        }
        let record = log.write_json(file.trim_end_matches(".json"), &json);
        let receipt = record.with_extension("tlog-proof");
        let out = submit(&node.url, &keys[role], &record, &receipt).ok();
        assert!(out.stdout.starts_with("logged as entry"), "{out}");
        assert_eq!(flags_line(&out), None, "{file} was flagged: {out}");
        if file.contains("maintenance") {
            maintenance = Some(logged_index(&out));
        }
        let v = verify_proof(log.log_vkey_file(), &receipt).ok();
        let kind = json
            .as_object()
            .and_then(|o| {
                o.keys()
                    .find(|k| !["vin", "event_time", "attachments", "nonce"].contains(&k.as_str()))
            })
            .expect("a kind")
            .clone();
        assert!(
            v.stdout.starts_with("OK:") && v.stdout.contains(&format!("is {kind}")),
            "{v}"
        );
        assert_eq!(flags_line(&v), None, "{v}");
    }
    node.stop();
    let check = vledger(["check", "--data", path_str(&log.data)]).ok();
    assert!(check.stdout.starts_with("ok:"), "{check}");
}
