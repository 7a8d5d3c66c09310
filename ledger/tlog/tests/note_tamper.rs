//! Exhaustive tampering: changing, deleting or truncating any single byte of
//! a signed checkpoint or of a tlog-proof makes verification fail.

use vledger_tlog::leaf_hash;
use vledger_tlog::merkle::{LeafIndex, MemoryHashes, inclusion_proof};
use vledger_tlog::note::{Checkpoint, Signer, TlogProof, VerifierKey, open_checkpoint, sign_note};

const LOG: &str = "log.example/tamper";

/// XOR masks applied to each byte in turn: the low bit (a neighbouring
/// character), ASCII case, and the top bit (never valid UTF-8 from ASCII).
const MASKS: [u8; 3] = [0x01, 0x20, 0x80];

fn log() -> Signer {
    Signer::from_seed(LOG, &[42; 32]).unwrap()
}

fn proof_text(signers: &[&Signer]) -> (String, VerifierKey) {
    let entries: Vec<Vec<u8>> = (0..6u32)
        .map(|i| format!("entry #{i}").into_bytes())
        .collect();
    let tree = MemoryHashes::from_leaf_hashes(entries.iter().map(|e| leaf_hash(e)));
    let cp = Checkpoint::new(LOG, tree.size(), tree.root()).unwrap();
    let proof = TlogProof {
        extra: Some(entries[4].clone()),
        index: LeafIndex(4),
        hashes: inclusion_proof(LeafIndex(4), tree.size(), &tree).unwrap(),
        checkpoint: sign_note(&cp.to_text(), signers).unwrap(),
    };
    (proof.to_text(), log().verifier_key())
}

fn checkpoint_ok(bytes: &[u8], key: &VerifierKey) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| open_checkpoint(s, key).is_ok())
}

fn proof_ok(bytes: &[u8], key: &VerifierKey) -> bool {
    TlogProof::parse_bytes(bytes).is_ok_and(|p| p.verify(key).is_ok())
}

/// Every single-byte change, deletion and truncation of `good` fails `ok`.
fn assert_tamper_evident(good: &str, ok: impl Fn(&[u8]) -> bool) {
    let good = good.as_bytes();
    assert!(ok(good), "the untampered input must verify");
    for i in 0..good.len() {
        for mask in MASKS {
            let mut bad = good.to_vec();
            bad[i] ^= mask;
            assert!(!ok(&bad), "byte {i} ^ {mask:#04x} still verifies");
        }
        let mut deleted = good.to_vec();
        deleted.remove(i);
        assert!(!ok(&deleted), "deleting byte {i} still verifies");
        assert!(!ok(&good[..i]), "truncating to {i} bytes still verifies");
    }
}

#[test]
fn signed_checkpoint_is_tamper_evident() {
    let (text, key) = proof_text(&[&log()]);
    let proof = TlogProof::parse(&text).unwrap();
    assert_tamper_evident(&proof.checkpoint, |b| checkpoint_ok(b, &key));
}

#[test]
fn tlog_proof_is_tamper_evident() {
    let (text, key) = proof_text(&[&log()]);
    assert_tamper_evident(&text, |b| proof_ok(b, &key));
}

#[test]
fn cosigned_checkpoint_ignores_changes_to_unknown_signatures_only() {
    // With a witness signature too, changing the log's lines still fails;
    // changing the witness's line changes nothing the log key vouches for, so
    // it may still verify, but only while the log's line is intact.
    let witness = Signer::from_seed("witness.example", &[7; 32]).unwrap();
    let (text, key) = proof_text(&[&log(), &witness]);
    let proof = TlogProof::parse(&text).unwrap();
    let note = proof.checkpoint.as_bytes();
    let witness_line = proof.checkpoint.rfind('\u{2014}').unwrap();
    for i in 0..witness_line {
        let mut bad = note.to_vec();
        bad[i] ^= 0x01;
        assert!(!checkpoint_ok(&bad, &key), "byte {i} still verifies");
    }
}
