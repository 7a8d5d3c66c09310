//! The party vault (docs/privacy.md) on real processes: parties kept
//! encrypted by the submitter, committed to in a logged ownership transfer
//! (`submit --vault`), one commitment disclosed and checked by
//! `vledger-verify disclosure`, the buyer erased; afterwards nothing in the
//! vault links the buyer to the log, while every receipt and the VIN's
//! history still verify.

use std::path::{Path, PathBuf};

use vledger_tests::{Output, TestLog, VIN_A, bins, path_str, run, vledger};

const SELLER: &str = "CN-ID:310101198805052345";
const BUYER: &str = "KZ-IIN:900101300123";

/// A vault in the test directory, and its master key outside it.
struct TestVault {
    dir: PathBuf,
    key: PathBuf,
}

impl TestVault {
    fn init(log: &TestLog) -> Self {
        let (dir, key) = (log.path("vault"), log.path("vault-master.key"));
        let out = vledger([
            "vault",
            "init",
            "--dir",
            path_str(&dir),
            "--master-key-out",
            path_str(&key),
        ])
        .ok();
        assert!(out.stdout.starts_with("vault made in "), "{out}");
        Self { dir, key }
    }

    /// `vledger vault SUB --dir V --master-key K ARGS…`.
    fn run(&self, sub: &str, args: &[&str]) -> Output {
        self.run_with_key(sub, &self.key, args)
    }

    fn run_with_key(&self, sub: &str, key: &Path, args: &[&str]) -> Output {
        let base = [
            "vault",
            sub,
            "--dir",
            path_str(&self.dir),
            "--master-key",
            path_str(key),
        ];
        vledger(base.iter().copied().chain(args.iter().copied()))
    }

    fn add(&self, identity: &str, note: &str) -> String {
        let out = self
            .run("add", &["--identity", identity, "--note", note])
            .ok();
        let reference = out.stdout.trim().to_owned();
        assert!(
            reference.starts_with("p-") && reference.len() == 18,
            "{out}"
        );
        reference
    }

    fn disclose(&self, party: &str, entry: u64, receipt: &Path, out: &Path) -> Output {
        self.disclose_with(party, entry, receipt, out, &[])
    }

    /// `vault disclose` with further arguments.
    fn disclose_with(
        &self,
        party: &str,
        entry: u64,
        receipt: &Path,
        out: &Path,
        more: &[&str],
    ) -> Output {
        let entry = entry.to_string();
        let mut args = vec![
            "--party",
            party,
            "--entry",
            &entry,
            "--receipt",
            path_str(receipt),
            "--out",
            path_str(out),
        ];
        args.extend_from_slice(more);
        self.run("disclose", &args)
    }

    fn audit_trail(&self) -> Output {
        vledger(["vault", "audit-trail", "--dir", path_str(&self.dir)])
    }

    /// Every file under the vault directory, with its bytes.
    fn files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for entry in std::fs::read_dir(dir).expect("read vault dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    let bytes = std::fs::read(&path).expect("read vault file");
                    out.push((path, bytes));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dir, &mut out);
        assert!(out.len() >= 3, "the vault holds too few files: {out:?}");
        out
    }

    /// Panics if any file under the vault holds `needle`'s bytes raw or
    /// in hex (either case).
    fn holds_nowhere(&self, what: &str, needle: &[u8]) {
        let forms = [
            needle.to_vec(),
            hex::encode(needle).into_bytes(),
            hex::encode_upper(needle).into_bytes(),
        ];
        for (path, bytes) in self.files() {
            for form in &forms {
                assert!(
                    !bytes.windows(form.len()).any(|w| w == form.as_slice()),
                    "{} holds the {what}",
                    path.display()
                );
            }
        }
    }
}

mod hex {
    pub fn encode(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
    pub fn encode_upper(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02X}")).collect()
    }
    pub fn decode(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }
}

fn verify(args: &[&str]) -> Output {
    run(&bins().verify, args)
}

#[test]
fn a_buyer_is_disclosed_then_erased_and_the_log_still_verifies() {
    let log = TestLog::init();
    let node = log.start();
    let exporter = log.enrolled(&node.url, "exporter");
    let vault = TestVault::init(&log);
    let seller = vault.add(SELLER, "seller, Shanghai dealer");
    let buyer = vault.add(BUYER, "buyer, Almaty");
    // Identities never appear in clear in the vault, nor references made
    // from them.
    vault.holds_nowhere("seller's identity", SELLER.as_bytes());
    vault.holds_nowhere("buyer's identity", BUYER.as_bytes());
    assert_ne!(seller, buyer);

    // Without --vault a vault reference is refused, naming the field.
    let transfer = serde_json::json!({"vin": VIN_A, "event_time": "2026-11-02",
        "ownership_transfer": {"from_party": format!("vault:{seller}"),
            "to_party": format!("vault:{buyer}"), "for_export": true,
            "odometer": {"value": 15200, "unit": "km"}}});
    let record = log.write_json("transfer", &transfer);
    let receipt = log.path("transfer.tlog-proof");
    let key = path_str(&exporter.file);
    let out = vledger([
        "submit",
        "--node",
        &node.url,
        "--key",
        key,
        path_str(&record),
    ])
    .fails();
    assert!(
        out.stderr.contains(&format!(
            "ownership_transfer.from_party: \"vault:{seller}\" names a party in a vault; give \
             --vault DIR"
        )),
        "{out}"
    );

    let out = vledger([
        "submit",
        "--node",
        &node.url,
        "--key",
        key,
        "--vault",
        path_str(&vault.dir),
        "--master-key",
        path_str(&vault.key),
        "--out",
        path_str(&receipt),
        path_str(&record),
    ])
    .ok();
    let entry = vledger_tests::logged_index(&out);
    assert!(
        out.stdout.contains(&format!(
            "2 party salts kept in the vault with entry {entry}"
        )),
        "{out}"
    );
    let log_key = path_str(&log.log_vkey_file()).to_owned();
    vledger_tests::verify_proof(&log_key, &receipt).ok();

    // The vault knows where each salt went.
    let export = vault.run("export", &["--party", &buyer]).ok();
    let exported: serde_json::Value = serde_json::from_str(&export.stdout).expect("export JSON");
    assert_eq!(exported["identity"], BUYER);
    assert_eq!(exported["note"], "buyer, Almaty");
    let commitments = exported["commitments"].as_array().expect("commitments");
    assert_eq!(commitments.len(), 1, "{export}");
    let held = &commitments[0];
    assert_eq!(held["vin"], VIN_A);
    assert_eq!(held["field"], "ownership_transfer.to_party");
    assert_eq!(held["index"], entry);
    assert_eq!(
        held["receipt"].as_str().map(PathBuf::from),
        Some(receipt.clone())
    );
    let salt = held["salt"].as_str().expect("salt").to_owned();
    let actions: Vec<&str> = exported["audit_trail"]
        .as_array()
        .expect("trail")
        .iter()
        .map(|l| l["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["add", "submit", "logged", "export"]);
    // Salts are sealed too.
    vault.holds_nowhere("buyer's salt", &hex::decode(&salt));

    // The buyer's disclosure verifies offline, and names the buyer.
    let disclosure = log.path("buyer.disclosure.json");
    vault.disclose(&buyer, entry, &receipt, &disclosure).ok();
    let out = verify(&["disclosure", "--log-key", &log_key, path_str(&disclosure)]).ok();
    assert_eq!(
        out.stdout.trim(),
        format!(
            "OK: entry {entry} of log e2e.vledger.test/log (VIN {VIN_A}, \
             ownership_transfer.to_party) names {BUYER}"
        )
    );
    // Made with --log-key, the disclosure is checked before it is written:
    // under the log's key it is; under another log's key nothing is written.
    let checked = log.path("checked.disclosure.json");
    let out = vault
        .disclose_with(&buyer, entry, &receipt, &checked, &["--log-key", &log_key])
        .ok();
    assert!(
        out.stdout.trim().ends_with(", checked against the log key"),
        "{out}"
    );
    let other = TestLog::init();
    let refused = log.path("refused.disclosure.json");
    let out = vault
        .disclose_with(
            &buyer,
            entry,
            &receipt,
            &refused,
            &["--log-key", &other.log_vkey],
        )
        .fails();
    assert!(
        out.stderr
            .contains("the disclosure would not verify against --log-key")
            && out.stderr.contains("nothing was written"),
        "{out}"
    );
    assert!(!refused.exists(), "a refused disclosure was written");
    // Edited to another identity, or the salt changed, it is refused.
    let text = std::fs::read_to_string(&disclosure).expect("disclosure");
    let mut edited: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(edited["format"], "vledger-disclosure/v1");
    edited["identity"] = SELLER.into();
    let forged = log.write_json("forged.disclosure", &edited);
    let out = verify(&["disclosure", "--log-key", &log_key, path_str(&forged)]).fails();
    assert!(
        out.stderr.contains(&format!(
            "the identity and salt do not open the commitment in ownership_transfer.to_party of \
             entry {entry} (wrong identity or wrong salt)"
        )),
        "{out}"
    );
    edited["identity"] = BUYER.into();
    edited["field"] = "claim.claimant".into();
    let forged = log.write_json("field.disclosure", &edited);
    let out = verify(&["disclosure", "--log-key", &log_key, path_str(&forged)]).fails();
    assert!(out.stderr.contains("field absent"), "{out}");
    edited["field"] = "ownership_transfer.to_party".into();
    let receipt_text = std::fs::read_to_string(&receipt).expect("receipt");
    let forged_receipt = receipt_text.replacen(&format!("\nindex {entry}\n"), "\nindex 0\n", 1);
    assert_ne!(forged_receipt, receipt_text, "{receipt_text}");
    edited["receipt"] = forged_receipt.into();
    let forged = log.write_json("receipt.disclosure", &edited);
    let out = verify(&["disclosure", "--log-key", &log_key, path_str(&forged)]).fails();
    assert!(out.stderr.contains("receipt invalid"), "{out}");

    // The buyer asks to be erased.
    let out = vault
        .run(
            "erase",
            &[
                "--party",
                &buyer,
                "--requested-by",
                "DSR-2026-118",
                "--reason",
                "GDPR art. 17",
            ],
        )
        .ok();
    assert!(
        out.stdout.starts_with(&format!("party {buyer} erased")),
        "{out}"
    );
    let out = vault
        .disclose(&buyer, entry, &receipt, &log.path("again.json"))
        .fails();
    assert!(
        out.stderr.contains(&format!("party {buyer} was erased on")),
        "{out}"
    );
    vault.holds_nowhere("buyer's identity", BUYER.as_bytes());
    vault.holds_nowhere("buyer's salt", &hex::decode(&salt));
    let out = vault.run("export", &["--party", &buyer]).fails();
    assert!(out.stderr.contains("was erased"), "{out}");
    let other = vault.run("export", &["--party", &seller]).ok();
    let exported: serde_json::Value = serde_json::from_str(&other.stdout).expect("export JSON");
    assert_eq!(exported["identity"], SELLER);
    assert_eq!(
        exported["commitments"][0]["field"],
        "ownership_transfer.from_party"
    );

    let trail = vault.audit_trail().ok();
    assert!(trail.stdout.contains("OK: audit trail of "), "{trail}");
    let erasure = trail
        .stdout
        .lines()
        .find(|l| l.contains("\"action\":\"erase\""))
        .unwrap_or_else(|| panic!("no erasure in {trail}"));
    assert!(erasure.contains(&buyer), "{erasure}");
    assert!(
        erasure.contains("\"requested_by\":\"DSR-2026-118\""),
        "{erasure}"
    );
    assert!(!trail.stdout.contains(BUYER) && !trail.stdout.contains(&salt));

    // The log is untouched: the receipt and the VIN's history verify.
    vledger_tests::verify_proof(&log_key, &receipt).ok();
    let bundle = log.path("history.vhist.json");
    vledger([
        "history",
        "--node",
        &node.url,
        VIN_A,
        "--out",
        path_str(&bundle),
    ])
    .ok();
    let out = verify(&["history", "--log-key", &log_key, path_str(&bundle)]).ok();
    assert!(out.stdout.contains(VIN_A), "{out}");
}

#[test]
fn a_wrong_key_a_tampered_file_and_a_removed_trail_line_are_named() {
    let log = TestLog::init();
    let vault = TestVault::init(&log);
    let party = vault.add(BUYER, "buyer");
    vault.run("commit", &["--party", &party]).ok();

    // Another master key.
    let wrong = log.path("wrong.key");
    std::fs::write(&wrong, format!("{}\n", "7e".repeat(32))).expect("write key");
    let out = vault
        .run_with_key("export", &wrong, &["--party", &party])
        .fails();
    assert!(
        out.stderr
            .contains("the master key does not open the vault"),
        "{out}"
    );
    // A master key file that holds no key.
    std::fs::write(&wrong, "not a key\n").expect("write key");
    let out = vault
        .run_with_key("export", &wrong, &["--party", &party])
        .fails();
    assert!(out.stderr.contains("the master key file"), "{out}");
    // The master key is never written inside the vault.
    let out = vledger([
        "vault",
        "init",
        "--dir",
        path_str(&log.path("v2")),
        "--master-key-out",
        path_str(&log.path("v2/master.key")),
    ])
    .fails();
    assert!(
        out.stderr.contains("is inside the vault directory"),
        "{out}"
    );

    // One byte of the sealed file flipped.
    let sealed = vault.dir.join("parties").join(format!("{party}.sealed"));
    let good = std::fs::read(&sealed).expect("sealed file");
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x01;
    std::fs::write(&sealed, &flipped).expect("flip");
    let out = vault.run("export", &["--party", &party]).fails();
    assert!(
        out.stderr
            .contains(&format!("{party}.sealed is damaged or was altered")),
        "{out}"
    );
    std::fs::write(&sealed, &good).expect("restore");
    vault.run("export", &["--party", &party]).ok();
    // A flipped byte in the wrapped data key is named too.
    let wrapped = vault.dir.join("keys").join(format!("{party}.key"));
    let good_key = std::fs::read(&wrapped).expect("key file");
    let mut flipped = good_key.clone();
    flipped[0] ^= 0x80;
    std::fs::write(&wrapped, &flipped).expect("flip");
    let out = vault.run("export", &["--party", &party]).fails();
    assert!(
        out.stderr
            .contains(&format!("{party}.key is damaged or was altered")),
        "{out}"
    );
    std::fs::write(&wrapped, &good_key).expect("restore");

    // One audit-trail line removed.
    let out = vault.audit_trail().ok();
    assert!(out.stdout.contains("4 lines, each chained"), "{out}");
    let trail = vault.dir.join("audit.jsonl");
    let text = std::fs::read_to_string(&trail).expect("trail");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "init, add, commit, export:\n{text}");
    let cut = [lines[0], lines[2], lines[3]].join("\n") + "\n";
    std::fs::write(&trail, cut).expect("cut");
    let out = vault.audit_trail().fails();
    assert!(
        out.stderr.contains("audit.jsonl line 2 is numbered 3"),
        "{out}"
    );
}

/// A vault command waits while another holds the vault, and goes on when
/// it lets go: two commands never interleave their writes.
#[test]
fn vault_commands_take_turns() {
    let log = TestLog::init();
    let vault = TestVault::init(&log);
    let first = vault.add(SELLER, "seller");
    // Another command has the vault open: this process holds its lock.
    let held = std::fs::OpenOptions::new()
        .write(true)
        .open(vault.dir.join("vault.lock"))
        .expect("vault.lock exists once the vault is made");
    held.lock().expect("lock the vault");
    let mut waiting = std::process::Command::new(&bins().vledger)
        .args(["vault", "add", "--dir"])
        .arg(&vault.dir)
        .arg("--master-key")
        .arg(&vault.key)
        .args(["--identity", BUYER, "--note", "buyer"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn vledger vault add");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        waiting.try_wait().expect("poll").is_none(),
        "vault add went ahead while another command held the vault"
    );
    held.unlock().expect("unlock");
    let out = waiting.wait_with_output().expect("vault add ends");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let second = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(second.starts_with("p-") && second != first, "{second}");
    let trail = vault.audit_trail().ok();
    assert_eq!(
        trail.stdout.matches("\"action\":\"add\"").count(),
        2,
        "{trail}"
    );
}

#[test]
fn a_rotated_master_key_opens_the_vault_and_the_old_one_does_not() {
    let log = TestLog::init();
    let vault = TestVault::init(&log);
    let parties = [vault.add(BUYER, "buyer"), vault.add(SELLER, "seller")];
    let new = log.path("new-master.key");
    let out = vault
        .run(
            "rotate-master-key",
            &["--new-master-key-out", path_str(&new)],
        )
        .ok();
    assert!(
        out.stdout
            .starts_with("2 data keys rewrapped under the new master key"),
        "{out}"
    );
    let out = vault.run("export", &["--party", &parties[0]]).fails();
    assert!(
        out.stderr
            .contains("the master key does not open the vault"),
        "{out}"
    );
    for (party, identity) in parties.iter().zip([BUYER, SELLER]) {
        let out = vault.run_with_key("export", &new, &["--party", party]).ok();
        let exported: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
        assert_eq!(exported["identity"], identity);
    }
    let trail = vault.audit_trail().ok();
    assert!(
        trail.stdout.contains("\"action\":\"rotate-master-key\""),
        "{trail}"
    );
}

#[test]
fn submit_with_a_vault_names_what_is_wrong_and_keeps_nothing_for_an_invalid_record() {
    let log = TestLog::init();
    let node = log.start();
    let exporter = log.enrolled(&node.url, "exporter");
    let vault = TestVault::init(&log);
    let out = vault.run("add", &["--identity", BUYER, "--json"]).ok();
    let added: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let buyer = added["party"].as_str().expect("party").to_owned();
    let claim = |claimant: &str, outcome: &str| {
        serde_json::json!({"vin": VIN_A, "event_time": "2026-11-05", "claim": {
            "claim_number": "CL-2027-0042", "defect": "flood damage concealed at sale",
            "outcome": outcome, "amount": {"minor_units": 250_000, "currency": "USD"},
            "claimant": claimant}})
    };
    let submit = |record: &Path, master_key: &Path| {
        vledger([
            "submit",
            "--node",
            &node.url,
            "--key",
            path_str(&exporter.file),
            "--vault",
            path_str(&vault.dir),
            "--master-key",
            path_str(master_key),
            path_str(record),
        ])
    };
    // A party the vault does not hold.
    let unknown = log.write_json("unknown", &claim("vault:p-00000000000000aa", "refunded"));
    let out = submit(&unknown, &vault.key).fails();
    assert!(
        out.stderr
            .contains("claim.claimant: no party p-00000000000000aa in the vault"),
        "{out}"
    );
    // Another master key.
    let wrong = log.path("wrong.key");
    std::fs::write(&wrong, "11".repeat(32)).expect("write key");
    let record = log.write_json("claim", &claim(&format!("vault:{buyer}"), "refunded"));
    let out = submit(&record, &wrong).fails();
    assert!(
        out.stderr
            .contains("the master key does not open the vault"),
        "{out}"
    );
    // A record that is not valid: no salt is kept for it.
    let bad = log.write_json("bad", &claim(&format!("vault:{buyer}"), "paid"));
    let out = submit(&bad, &vault.key).fails();
    assert!(out.stderr.contains("not a valid record"), "{out}");
    // NDJSON and several files take no vault; without one, bulk input
    // names the field too.
    let out = vledger([
        "submit",
        "--node",
        &node.url,
        "--key",
        path_str(&exporter.file),
        "--out-dir",
        path_str(&log.path("")),
        path_str(&record),
        path_str(&unknown),
    ])
    .fails();
    assert!(
        out.stderr.contains(&format!(
            "claim.claimant: \"vault:{buyer}\" names a party in a vault"
        )),
        "{out}"
    );
    let out = submit(&record, &vault.key).ok();
    let entry = vledger_tests::logged_index(&out);
    assert!(
        out.stdout.contains(&format!(
            "1 party salt kept in the vault with entry {entry}"
        )),
        "{out}"
    );
    let export = vault.run("export", &["--party", &buyer]).ok();
    let exported: serde_json::Value = serde_json::from_str(&export.stdout).expect("JSON");
    let commitments = exported["commitments"].as_array().expect("commitments");
    assert_eq!(
        commitments.len(),
        1,
        "only the logged record's salt: {export}"
    );
    assert_eq!(commitments[0]["field"], "claim.claimant");
    assert_eq!(commitments[0]["index"], entry);

    // The claimant's disclosure, as JSON.
    let receipt = record.with_extension("tlog-proof");
    let disclosure = log.path("claimant.disclosure.json");
    let out = vault
        .run(
            "disclose",
            &[
                "--party",
                &buyer,
                "--entry",
                &entry.to_string(),
                "--receipt",
                path_str(&receipt),
                "--out",
                path_str(&disclosure),
                "--json",
            ],
        )
        .ok();
    let written: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(written["field"], "claim.claimant");
    let log_key = path_str(&log.log_vkey_file()).to_owned();
    let out = verify(&[
        "disclosure",
        "--log-key",
        &log_key,
        "--json",
        path_str(&disclosure),
    ])
    .ok();
    let checked: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(checked["identity"], BUYER);
    assert_eq!(checked["entry"], entry);
    assert_eq!(checked["vin"], VIN_A);
    // The receipt of another entry is not this one's.
    let out = vault
        .run(
            "disclose",
            &[
                "--party",
                &buyer,
                "--entry",
                &(entry + 1).to_string(),
                "--receipt",
                path_str(&receipt),
                "--out",
                path_str(&disclosure),
            ],
        )
        .fails();
    assert!(
        out.stderr.contains(&format!(
            "is the receipt of entry {entry}, not of entry {}",
            entry + 1
        )),
        "{out}"
    );
}
