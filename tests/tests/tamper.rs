//! A receipt is evidence only if no change to it goes unnoticed: a
//! single-byte change of a real `.tlog-proof`, anywhere, must make
//! `vledger-verify` fail, and so must a key other than the log's.
//!
//! Every byte of a receipt gets its low bit flipped, and the last character
//! before `=` padding of every base64 field gets a base64 value that differs
//! only in padding bits (a non-canonical encoding of the same bytes).

use std::path::Path;

use vledger_tests::{
    TestLog, TlogProof, VIN_A, VIN_B, logged_index, path_str, submit, verify_proof, vledger,
};

/// The section of a tlog-proof that byte `pos` falls in, for messages.
fn section(text: &[u8], pos: usize) -> String {
    let line_no = text[..pos].iter().filter(|&&b| b == b'\n').count();
    let line_start = text[..pos]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let line_end = text[pos..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |p| pos + p);
    let line = String::from_utf8_lossy(&text[line_start..line_end]);
    let blank = text
        .windows(2)
        .position(|w| w == b"\n\n")
        .expect("blank line")
        + 1;
    let what = match line_no {
        0 => "header",
        1 => "extra (entry bytes)",
        2 => "index",
        _ if line_start < blank => "proof hash",
        _ if line_start == blank => "blank separator",
        _ if line.starts_with('\u{2014}') => "signature line",
        _ => "checkpoint body",
    };
    format!("{what} (line {line_no}, column {})", pos - line_start)
}

/// Base64 alphabet value of `c`.
fn b64_value(c: u8) -> Option<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    ALPHABET
        .iter()
        .position(|&a| a == c)
        .and_then(|v| u8::try_from(v).ok())
}

/// The same base64 character with the lowest bit of its 6-bit value
/// flipped: still valid base64, so only the decoder's canonical-encoding
/// check (for the last character before padding) or the cryptography can
/// catch it.
fn b64_flip(c: u8) -> u8 {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    ALPHABET[usize::from(b64_value(c).expect("base64 character") ^ 1)]
}

/// Positions of the last data character before `=` padding of every
/// base64 field: the characters whose low bits are padding.
fn padding_positions(text: &[u8]) -> Vec<usize> {
    (1..text.len())
        .filter(|&i| text[i] == b'=' && text[i - 1] != b'=' && b64_value(text[i - 1]).is_some())
        .map(|i| i - 1)
        .collect()
}

/// Writes every variant to its own file and checks `vledger-verify`
/// rejects each; returns a description of every variant it accepted.
fn accepted_variants(log: &TestLog, name: &str, variants: &[(String, Vec<u8>)]) -> Vec<String> {
    let key = log.log_vkey_file();
    let workers = 2;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let key = &key;
                s.spawn(move || {
                    let file = log.path(&format!("{name}-{w}.tlog-proof"));
                    let mut accepted = Vec::new();
                    for (what, bytes) in variants.iter().skip(w).step_by(workers) {
                        std::fs::write(&file, bytes).expect("write variant");
                        let out = verify_proof(key, &file);
                        if out.status.code() != Some(1) || !out.stderr.starts_with("FAILED:") {
                            accepted.push(format!("{what}: {out}"));
                        }
                    }
                    accepted
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    })
}

fn tamper(log: &TestLog, name: &str, file: &Path) {
    let original = std::fs::read(file).expect("read receipt");
    let proof = TlogProof::parse(std::str::from_utf8(&original).expect("UTF-8 receipt"));
    assert!(
        proof.hashes.len() >= 2,
        "pick a receipt with several proof hashes: {proof:?}"
    );
    verify_proof(log.log_vkey_file(), file).ok();

    let mut variants = Vec::new();
    for pos in 0..original.len() {
        let mut bytes = original.clone();
        bytes[pos] ^= 0x01;
        variants.push((
            format!("byte {pos} ^ 0x01 in {}", section(&original, pos)),
            bytes,
        ));
    }
    let padding = padding_positions(&original);
    // extra, each proof hash, the root and the signature are all padded.
    assert!(
        padding.len() >= proof.hashes.len() + 2,
        "expected padded base64 fields: {padding:?}"
    );
    for &pos in &padding {
        let mut bytes = original.clone();
        bytes[pos] = b64_flip(bytes[pos]);
        variants.push((
            format!(
                "base64 padding bits of byte {pos} in {}",
                section(&original, pos)
            ),
            bytes,
        ));
    }
    // The note must end with exactly one newline.
    variants.push((
        "final newline removed".to_owned(),
        original[..original.len() - 1].to_vec(),
    ));
    variants.push((
        "newline appended".to_owned(),
        [&original[..], b"\n"].concat(),
    ));

    let accepted = accepted_variants(log, name, &variants);
    assert!(
        accepted.is_empty(),
        "{} of {} changed receipts still verify:\n{}",
        accepted.len(),
        variants.len(),
        accepted.join("\n")
    );
}

#[test]
fn changed_bytes_are_rejected() {
    let log = TestLog::init();
    let node = log.start();
    let key = log.keygen("registry.example");
    log.enroll(&node.url, &key, "registry").ok();
    let mut last = 0;
    for (i, vin) in [VIN_A, VIN_B, VIN_A].into_iter().enumerate() {
        let record = log.record(&format!("r{i}"), vin, 1_000 * (i as u64 + 1), None);
        last = logged_index(
            &submit(
                &node.url,
                &key,
                &record,
                &log.path(&format!("r{i}.tlog-proof")),
            )
            .ok(),
        );
    }
    // A receipt as `submit` wrote it (entry 3 of 4: two proof hashes)...
    let receipt = log.path("r1.tlog-proof");
    tamper(&log, "receipt", &receipt);
    // ...and one from `prove`, deeper in a larger tree (three proof hashes).
    let proved = log.path("proved.tlog-proof");
    vledger([
        "prove",
        "--node",
        &node.url,
        "--index",
        "2",
        "--out",
        path_str(&proved),
    ])
    .ok();
    assert!(TlogProof::read(&proved).checkpoint.size > last);
    tamper(&log, "proved", &proved);
}

#[test]
fn other_keys_are_rejected() {
    let log = TestLog::init();
    let node = log.start();
    let key = log.keygen("workshop.example");
    log.enroll(&node.url, &key, "workshop").ok();
    let receipt = log.path("r.tlog-proof");
    submit(&node.url, &key, &log.record("r", VIN_A, 5, None), &receipt).ok();
    verify_proof(&log.log_vkey, &receipt).ok();

    // A key with the log's very name, a key of another log, the admin key.
    let impostor = log.keygen(vledger_tests::ORIGIN);
    let other_log = TestLog::init();
    let admin = std::fs::read_to_string(log.data.join("admin.vkey")).expect("admin.vkey");
    for (what, wrong) in [
        ("same-name key", impostor.vkey),
        ("other log's key", other_log.log_vkey),
        ("admin key", admin),
    ] {
        let out = verify_proof(wrong.trim(), &receipt);
        assert!(
            out.status.code() == Some(1) && out.stderr.starts_with("FAILED:"),
            "{what} accepted: {out}"
        );
    }
    let out = verify_proof("not a key", &receipt);
    assert!(
        out.status.code() == Some(1) && out.stderr.starts_with("FAILED:"),
        "{out}"
    );
}
