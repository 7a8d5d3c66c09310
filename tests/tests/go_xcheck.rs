//! Cross-check against an independent implementation: the receipts,
//! checkpoints and consistency proofs a real node emits must verify with
//! `tests/go/vledgerxcheck`, built on Go's `golang.org/x/mod/sumdb/note`
//! and `sumdb/tlog`, and every single-byte change of a receipt must not.
//!
//! Needs `go` and the Go module sources, from the Debian packages:
//! `apt-get install -y golang-go golang-golang-x-mod-dev`.

use std::path::PathBuf;

use vledger_tests::{
    Output, TestLog, TlogProof, VIN_A, VIN_B, checkpoint, go_xcheck, path_str, run, submit, vledger,
};

/// Runs `vledgerxcheck ARGS`.
fn go<const N: usize>(args: [&str; N]) -> Output {
    run(go_xcheck(), args)
}

/// A log with an enrolled key and `n` records about two VINs; returns the
/// receipts' paths, with the enrollment's receipt first.
fn log_with_records(n: usize) -> (TestLog, vledger_tests::Node, Vec<PathBuf>) {
    let log = TestLog::init();
    let node = log.start();
    let key = log.keygen("inspection.example");
    log.enroll(&node.url, &key, "inspection_body").ok();
    let mut receipts = vec![log.enroll_receipt(&key)];
    for i in 0..n {
        let record = log.record(
            &format!("r{i}"),
            if i % 3 == 0 { VIN_B } else { VIN_A },
            10 * i as u64,
            None,
        );
        let receipt = log.path(&format!("r{i}.tlog-proof"));
        submit(&node.url, &key, &record, &receipt).ok();
        receipts.push(receipt);
    }
    (log, node, receipts)
}

#[test]
fn go_verifies_what_the_node_emits() {
    let (log, node, receipts) = log_with_records(6);
    // The enrollment is the first entry after the genesis entry.
    let genesis = TlogProof::read(&receipts[0]).index;
    let key = log.log_vkey.as_str();
    let latest = checkpoint(&node, None);
    let latest_file = log.path("latest.checkpoint");
    std::fs::write(&latest_file, &latest.note).expect("write");
    let out = go(["checkpoint", key, path_str(&latest_file)]).ok();
    assert_eq!(
        out.stdout.trim(),
        format!("ok {} {}", latest.size, latest.root),
        "{out}"
    );

    // Checkpoints as `vledger checkpoint --size` serves them, in files.
    let cp = |size: u64| {
        let file = log.path(&format!("cp-{size}.checkpoint"));
        std::fs::write(&file, checkpoint(&node, Some(size)).note).expect("write");
        let out = go(["checkpoint", key, path_str(&file)]).ok();
        assert!(out.stdout.starts_with(&format!("ok {size} ")), "{out}");
        file
    };
    for receipt in &receipts {
        go(["proof", key, path_str(receipt)]).ok();
        // Consistency proofs from the receipt's checkpoint to the latest,
        // and from the genesis checkpoint to the receipt's.
        let old = TlogProof::read(receipt).checkpoint.size;
        for (from, to) in [(old, latest.size), (genesis, old)] {
            let (from_s, to_s) = (from.to_string(), to.to_string());
            let proof = vledger([
                "consistency",
                "--node",
                &node.url,
                "--old",
                &from_s,
                "--new",
                &to_s,
            ])
            .ok();
            let hashes: String = proof
                .stdout
                .lines()
                .skip(2)
                .map(|l| format!("{l}\n"))
                .collect();
            let proof_file = log.path("consistency.txt");
            std::fs::write(&proof_file, hashes).expect("write");
            let (from_file, to_file) = (cp(from), cp(to));
            let args = [
                "consistency",
                key,
                path_str(&from_file),
                path_str(&to_file),
                path_str(&proof_file),
            ];
            go(args).ok();
            if from < to {
                // The same proof does not link the checkpoints the other way round.
                go([
                    "consistency",
                    key,
                    path_str(&to_file),
                    path_str(&from_file),
                    path_str(&proof_file),
                ])
                .fails();
            }
        }
    }
    // Inclusion proofs from `prove`, for every entry of the log.
    for index in 0..latest.size {
        let file = log.path(&format!("prove-{index}.tlog-proof"));
        vledger([
            "prove",
            "--node",
            &node.url,
            "--index",
            &index.to_string(),
            "--out",
            path_str(&file),
        ])
        .ok();
        go(["proof", key, path_str(&file)]).ok();
    }
}

/// Whether replacing the byte at `pos` of `text` by `new` changes only the
/// unused bits of a base64 quantum: `pos` is the last character before `=`
/// padding and both characters decode to values that differ only in the
/// bits the padding leaves unused.
fn only_unused_base64_bits(text: &[u8], pos: usize, new: u8) -> bool {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let value = |c: u8| ALPHABET.iter().position(|&a| a == c);
    let padding = text[pos + 1..].iter().take_while(|&&c| c == b'=').count();
    let unused_bits = match padding {
        1 => 2,
        2 => 4,
        _ => return false,
    };
    match (value(text[pos]), value(new)) {
        (Some(a), Some(b)) => (a ^ b) < (1 << unused_bits),
        _ => false,
    }
}

#[test]
fn go_rejects_changed_receipts_and_proofs() {
    let (log, node, receipts) = log_with_records(3);
    let key = log.log_vkey.as_str();
    let receipt = &receipts[2];
    let original = std::fs::read(receipt).expect("read");
    let changed = log.path("changed.tlog-proof");
    let mut accepted = Vec::new();
    for pos in 0..original.len() {
        let mut bytes = original.clone();
        bytes[pos] ^= 0x01;
        if only_unused_base64_bits(&original, pos, bytes[pos]) {
            // Go's base64 ignores the unused low bits of the last character
            // before the padding (vledger's parser refuses them: tamper.rs);
            // the decoded bytes, and so the proof, are unchanged.
            continue;
        }
        std::fs::write(&changed, &bytes).expect("write");
        let out = go(["proof", key, path_str(&changed)]);
        if out.status.code() != Some(1) {
            accepted.push(format!("byte {pos}: {out}"));
        }
    }
    assert!(
        accepted.is_empty(),
        "Go accepted changed receipts:\n{}",
        accepted.join("\n")
    );

    // A wrong log key.
    let other = log.keygen(vledger_tests::ORIGIN);
    go(["proof", other.vkey.as_str(), path_str(receipt)]).fails();

    // Each hash of a consistency proof, changed.
    let latest = checkpoint(&node, None);
    let old = TlogProof::read(&receipts[0]).checkpoint.size.to_string();
    let proof = vledger(["consistency", "--node", &node.url, "--old", &old]).ok();
    let hashes: Vec<&str> = proof.stdout.lines().skip(2).collect();
    assert!(hashes.len() >= 2, "{proof}");
    let (old_file, new_file) = (log.path("old.checkpoint"), log.path("new.checkpoint"));
    std::fs::write(&old_file, checkpoint(&node, old.parse().ok()).note).expect("write");
    std::fs::write(&new_file, &latest.note).expect("write");
    let proof_file = log.path("proof.txt");
    for i in 0..hashes.len() {
        let mut bad = hashes.clone();
        let flipped = if bad[i].starts_with('A') {
            bad[i].replacen('A', "B", 1)
        } else {
            format!("A{}", &bad[i][1..])
        };
        bad[i] = &flipped;
        std::fs::write(&proof_file, bad.join("\n") + "\n").expect("write");
        go([
            "consistency",
            key,
            path_str(&old_file),
            path_str(&new_file),
            path_str(&proof_file),
        ])
        .fails();
    }
    std::fs::write(&proof_file, hashes.join("\n") + "\n").expect("write");
    go([
        "consistency",
        key,
        path_str(&old_file),
        path_str(&new_file),
        path_str(&proof_file),
    ])
    .ok();
}
