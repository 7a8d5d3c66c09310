//! Why record signatures are never checked with `verify_batch`: it is not
//! as strict as `verify_strict`, the acceptance rule
//! ([`SignedRecord::from_proto`]).
//!
//! `verify_batch` (ed25519-dalek 2, feature `batch`) checks the
//! cofactorless equation `Σ zᵢ·(Rᵢ + kᵢ·Aᵢ − sᵢ·B) = 0` with 128-bit
//! coefficients `zᵢ` that it derives from the batch itself. When one
//! signature's `R + k·A − s·B` is a nonzero point of small order `T`, the
//! batch holds whenever `z·T = 0`, that is for one `z` in `ord(T)`; the
//! signer computes `z` as the verifier does, so a few tries over the
//! record's nonce find a record that every batch containing it accepts and
//! `verify_strict` refuses. The tests below build such signatures with a
//! mixed-order R (a valid point plus a point of order 8), and with a
//! small-order R. The difference goes both ways: `verify_strict` accepts
//! some mixed-order R (from a key with a small-order component) that the
//! batch refuses, because it reduces `z·k` modulo ℓ, which is not a
//! multiple of 8. So a screen that sends every R or key with a small-order
//! component to `verify_strict` one by one would be needed, and checking
//! that R lies in the prime-order subgroup costs more than the batch saves
//! (docs/audit.md, "Batch verification").

mod common;

use common::{Crafted, message, record};
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use vledger_proto::v1 as pb;
use vledger_records::{Reason, Record, SignedRecord};

/// Valid signatures by ordinary keys, to hide a crafted one among.
fn honest(n: u64) -> Vec<(Vec<u8>, Signature, VerifyingKey)> {
    (0..n)
        .map(|i| {
            let key = ed25519_dalek::SigningKey::from_bytes(&[u8::try_from(i).expect("n"); 32]);
            let signed = SignedRecord::sign(&record(1_000_000 + i), &key);
            (
                message(signed.record()),
                *signed.signature(),
                *signed.public_key(),
            )
        })
        .collect()
}

/// The first nonce for which `signer`'s signature with `r_torsion`, put in
/// a batch after `others`, passes `verify_batch`; with that record and
/// signature. Panics after 256 tries (each passes with probability at
/// least 1/8).
fn grind(
    signer: &Crafted,
    r_torsion: EdwardsPoint,
    others: &[(Vec<u8>, Signature, VerifyingKey)],
) -> (Record, Signature) {
    for nonce in 0..256 {
        let rec = record(nonce);
        let msg = message(&rec);
        let sig = signer.sign(&msg, r_torsion);
        let mut msgs: Vec<&[u8]> = others.iter().map(|(m, _, _)| m.as_slice()).collect();
        let mut sigs: Vec<Signature> = others.iter().map(|(_, s, _)| *s).collect();
        let mut keys: Vec<VerifyingKey> = others.iter().map(|(_, _, k)| *k).collect();
        msgs.push(&msg);
        sigs.push(sig);
        keys.push(signer.key);
        if ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_ok() {
            return (rec, sig);
        }
    }
    panic!("no nonce below 256 passes the batch");
}

/// The acceptance rule's verdict on `record` signed by `key` with `sig`.
fn from_proto(record: &Record, key: &VerifyingKey, sig: &Signature) -> Result<(), Reason> {
    SignedRecord::from_proto(pb::SignedRecord {
        record: record.encode(),
        public_key: key.to_bytes().to_vec(),
        signature: sig.to_bytes().to_vec(),
        origin: String::new(),
    })
    .map(|_| ())
    .map_err(|e| e.reason)
}

#[test]
fn batch_accepts_a_mixed_order_r_that_verify_strict_refuses() {
    let signer = Crafted::new(EdwardsPoint::default());
    // R = r·B + T with T of order 8: R is neither of small order nor a
    // non-canonical encoding, so only the equation can refuse it.
    let torsion = EIGHT_TORSION[1];
    assert_eq!(torsion * Scalar::from(8u8), EdwardsPoint::default());
    assert_ne!(torsion * Scalar::from(4u8), EdwardsPoint::default());
    for others in [Vec::new(), honest(63)] {
        let (rec, sig) = grind(&signer, torsion, &others);
        let msg = message(&rec);
        assert!(signer.key.verify_strict(&msg, &sig).is_err());
        assert_eq!(
            from_proto(&rec, &signer.key, &sig),
            Err(Reason::BadSignature)
        );
        // The lenient single check refuses it too: it is the batch's
        // random coefficient that hides the torsion.
        assert!(signer.key.verify(&msg, &sig).is_err());
    }
}

#[test]
fn batch_accepts_a_small_order_r_that_verify_strict_refuses() {
    let signer = Crafted::new(EdwardsPoint::default());
    // R = T of order 4, s = k·a.
    let torsion = EIGHT_TORSION[2];
    for nonce in 0..256 {
        let rec = record(nonce);
        let msg = message(&rec);
        let sig = signer.sign_with_nonce(&msg, Scalar::ZERO, torsion);
        let big_r = curve25519_dalek::edwards::CompressedEdwardsY(*sig.r_bytes());
        assert!(big_r.decompress().expect("a point").is_small_order());
        if ed25519_dalek::verify_batch(&[&msg], &[sig], &[signer.key]).is_ok() {
            assert!(signer.key.verify_strict(&msg, &sig).is_err());
            assert_eq!(
                from_proto(&rec, &signer.key, &sig),
                Err(Reason::BadSignature)
            );
            return;
        }
    }
    panic!("no nonce below 256 passes the batch");
}

#[test]
fn verify_strict_accepts_a_mixed_order_r_from_a_mixed_order_key() {
    // A = a·B + T: not of small order, so not a weak key, and the log
    // accepts it. With R = r·B − k·T, R + k·A − s·B = 0 exactly, which
    // happens for the nonces where k·T cancels the torsion put in R.
    let torsion = EIGHT_TORSION[1];
    let signer = Crafted::new(torsion);
    assert!(!signer.key.is_weak());
    let (mut accepted, mut batch_refused) = (0, 0);
    for nonce in 0..64 {
        for t in &EIGHT_TORSION[1..] {
            let rec = record(nonce);
            let msg = message(&rec);
            let sig = signer.sign(&msg, *t);
            if signer.key.verify_strict(&msg, &sig).is_ok() {
                let r = curve25519_dalek::edwards::CompressedEdwardsY(*sig.r_bytes())
                    .decompress()
                    .expect("a point");
                // R has a small-order component, and the rule accepts it.
                assert!(!r.is_torsion_free() && !r.is_small_order());
                assert_eq!(from_proto(&rec, &signer.key, &sig), Ok(()));
                accepted += 1;
                // The batch reduces z·k modulo ℓ, which is not a multiple
                // of 8, so the torsion no longer cancels: it refuses most
                // of these, which the rule accepts.
                if ed25519_dalek::verify_batch(&[&msg], &[sig], &[signer.key]).is_err() {
                    batch_refused += 1;
                }
            }
        }
    }
    assert!(accepted > 0, "no mixed-order signature found");
    assert!(batch_refused > 0, "the batch accepted all {accepted}");
}
