//! The record signature rule ([`vledger_records::signature`]): what it
//! accepts beside ed25519-dalek's `verify_strict`, and that checking many
//! signatures together gives each the verdict of checking it alone.
//!
//! The rule is `verify_strict`'s screens (s canonical; R a canonical
//! encoding of a point not of small order; the key not of small order)
//! with the cofactored equation `[8]([s]B − R − [k]A) = 0` of ZIP 215 in
//! place of the cofactorless one. So it accepts every signature
//! `verify_strict` accepts, and in addition signatures whose `R` carries a
//! small-order component the cofactor clears, which only the key's holder
//! can make. With the cofactorless equation, checking many signatures
//! together cannot give exactly the verdicts of checking them one by one:
//! ed25519-dalek's `verify_batch` accepts such a signature for one random
//! coefficient in eight, and the signer computes that coefficient as the
//! verifier does (docs/audit.md, "Batch verification").

mod common;

use common::{Crafted, message, record};
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use proptest::prelude::*;
use vledger_proto::v1 as pb;
use vledger_records::signature::{Batch, Pending, r_is_acceptable, verify};
use vledger_records::{Reason, Record, SignedRecord};

/// The message, key and signature of `record` signed by `key`, honestly.
fn honest(i: u64) -> (Vec<u8>, VerifyingKey, Signature) {
    let key = SigningKey::from_bytes(&[u8::try_from(i % 251).expect("byte"); 32]);
    let signed = SignedRecord::sign(&record(1_000_000 + i), &key);
    (
        message(signed.record()),
        *signed.public_key(),
        *signed.signature(),
    )
}

/// The verdicts of checking every `(message, key, signature)` together.
fn together(items: &[(Vec<u8>, VerifyingKey, Signature)]) -> Vec<bool> {
    let mut batch = Batch::new();
    for (m, k, s) in items {
        batch.push(Pending::new(k.to_bytes(), m.clone(), *s));
    }
    batch.verify()
}

/// The verdicts of checking each alone.
fn alone(items: &[(Vec<u8>, VerifyingKey, Signature)]) -> Vec<bool> {
    items
        .iter()
        .map(|(m, k, s)| verify(k.as_bytes(), m, s))
        .collect()
}

/// `SignedRecord::from_proto`'s verdict on `record` signed by `key` with
/// `sig`, and `from_protos`'s on the same record among honest ones.
fn from_proto(record: &Record, key: &VerifyingKey, sig: &Signature) -> Result<(), Reason> {
    let msg = pb::SignedRecord {
        record: record.encode(),
        public_key: key.to_bytes().to_vec(),
        signature: sig.to_bytes().to_vec(),
        origin: String::new(),
    };
    let mut many: Vec<pb::SignedRecord> = (0..5)
        .map(|i| {
            let key = SigningKey::from_bytes(&[7; 32]);
            SignedRecord::sign(&record_at(i), &key).to_proto()
        })
        .collect();
    many.insert(2, msg.clone());
    let one = SignedRecord::from_proto(msg)
        .map(|_| ())
        .map_err(|e| e.reason);
    let batched: Vec<_> = SignedRecord::from_protos(many)
        .into_iter()
        .map(|r| r.map(|_| ()).map_err(|e| e.reason))
        .collect();
    assert_eq!(batched[2], one, "together and alone disagree");
    assert!(batched.iter().enumerate().all(|(i, r)| i == 2 || r.is_ok()));
    one
}

fn record_at(i: u64) -> Record {
    record(5_000_000 + i)
}

#[test]
fn every_signature_verify_strict_accepts_is_accepted() {
    // Honest signatures, and the mixed-order ones verify_strict accepts:
    // from a key A = a·B + T, with R = r·B − k·T for the nonces where the
    // torsion cancels exactly.
    for i in 0..32 {
        let (m, k, s) = honest(i);
        assert!(k.verify_strict(&m, &s).is_ok());
        assert!(verify(k.as_bytes(), &m, &s));
    }
    let signer = Crafted::new(EIGHT_TORSION[1]);
    assert!(!signer.key.is_weak());
    let mut strict = 0;
    for nonce in 0..64 {
        for t in &EIGHT_TORSION[1..] {
            let rec = record(nonce);
            let msg = message(&rec);
            let sig = signer.sign(&msg, *t);
            if signer.key.verify_strict(&msg, &sig).is_ok() {
                strict += 1;
                assert_eq!(from_proto(&rec, &signer.key, &sig), Ok(()));
            }
        }
    }
    assert!(strict > 0, "no mixed-order signature verify_strict accepts");
}

#[test]
fn a_mixed_order_r_passes_the_cofactored_equation_alone_and_together() {
    // R = r·B + T with T of order 8, by an ordinary key: verify_strict
    // refuses it (R ≠ [s]B − [k]A), the rule accepts it (the cofactor
    // clears T), and a batch says the same, for every nonce.
    let signer = Crafted::new(EdwardsPoint::default());
    let torsion = EIGHT_TORSION[1];
    assert_eq!(torsion * Scalar::from(8u8), EdwardsPoint::default());
    assert_ne!(torsion * Scalar::from(4u8), EdwardsPoint::default());
    for nonce in 0..16 {
        let rec = record(nonce);
        let msg = message(&rec);
        let sig = signer.sign(&msg, torsion);
        assert!(signer.key.verify_strict(&msg, &sig).is_err());
        assert_eq!(from_proto(&rec, &signer.key, &sig), Ok(()));
        let mut items: Vec<_> = (0..63).map(honest).collect();
        items.push((msg, signer.key, sig));
        assert_eq!(together(&items), vec![true; 64]);
    }
}

#[test]
fn a_small_order_r_is_refused_though_its_equation_holds() {
    // R = T of order 4 and s = k·a: [s]B − R − [k]A = −T, which the
    // cofactor clears; the screen refuses R before the equation.
    let signer = Crafted::new(EdwardsPoint::default());
    let rec = record(1);
    let msg = message(&rec);
    let sig = signer.sign_with_nonce(&msg, Scalar::ZERO, EIGHT_TORSION[2]);
    assert!(!r_is_acceptable(sig.r_bytes()));
    assert_eq!(
        from_proto(&rec, &signer.key, &sig),
        Err(Reason::BadSignature)
    );
    let mut items: Vec<_> = (0..3).map(honest).collect();
    items.push((msg, signer.key, sig));
    assert_eq!(together(&items), vec![true, true, true, false]);
}

#[test]
fn a_non_canonical_r_is_refused() {
    // The identity (0, 1) written with y = p + 1: it decodes (curve25519-
    // dalek reduces y), its equation holds for s = k·a, and only the
    // encoding check refuses it.
    let signer = Crafted::new(EdwardsPoint::default());
    let mut r = [0xff; 32];
    r[0] = 0xee;
    r[31] = 0x7f;
    let rec = record(2);
    let msg = message(&rec);
    let k = Scalar::from_bytes_mod_order_wide(&{
        use sha2::{Digest, Sha512};
        Sha512::new()
            .chain_update(r)
            .chain_update(signer.key.as_bytes())
            .chain_update(&msg)
            .finalize()
            .into()
    });
    let s = k * signer.secret;
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(&r);
    bytes[32..].copy_from_slice(s.as_bytes());
    let sig = Signature::from_bytes(&bytes);
    assert!(!r_is_acceptable(&r));
    assert_eq!(
        from_proto(&rec, &signer.key, &sig),
        Err(Reason::BadSignature)
    );
}

#[test]
fn a_small_order_key_is_refused_when_read() {
    let weak = EIGHT_TORSION[3].compress().to_bytes();
    let rec = record(3);
    let err = SignedRecord::from_proto(pb::SignedRecord {
        record: rec.encode(),
        public_key: weak.to_vec(),
        signature: vec![0; 64],
        origin: String::new(),
    })
    .unwrap_err();
    assert_eq!(err.reason, Reason::WeakKey);
}

#[test]
fn a_bad_signature_in_a_batch_is_found_and_the_rest_pass() {
    let mut items: Vec<_> = (0..40).map(honest).collect();
    // A flipped bit in s, in R, and a signature of another message.
    let flip = |sig: &Signature, byte: usize| {
        let mut b = sig.to_bytes();
        b[byte] ^= 1;
        Signature::from_bytes(&b)
    };
    items[3].2 = flip(&items[3].2, 40);
    items[17].2 = flip(&items[17].2, 5);
    items[30].0.push(b'!');
    let expected: Vec<bool> = (0..40).map(|i| ![3, 17, 30].contains(&i)).collect();
    assert_eq!(alone(&items), expected);
    assert_eq!(together(&items), expected);
}

/// One signature for the property test: honest, or with one of the ways a
/// signer or a forger can make it differ.
fn item(kind: u8, i: u64) -> (Vec<u8>, VerifyingKey, Signature) {
    let (m, k, s) = honest(i);
    let mixed = Crafted::new(EdwardsPoint::default());
    let rec = record(100 + i);
    let msg = message(&rec);
    match kind % 6 {
        0 | 1 => (m, k, s),
        2 => {
            let mut b = s.to_bytes();
            b[usize::try_from(i % 64).expect("index")] ^= 0x10;
            (m, k, Signature::from_bytes(&b))
        }
        3 => {
            let t = EIGHT_TORSION[usize::try_from(1 + i % 7).expect("index")];
            (msg.clone(), mixed.key, mixed.sign(&msg, t))
        }
        4 => {
            let t = EIGHT_TORSION[usize::try_from(i % 8).expect("index")];
            (
                msg.clone(),
                mixed.key,
                mixed.sign_with_nonce(&msg, Scalar::ZERO, t),
            )
        }
        _ => (m, honest(i + 1).1, s),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any mix of valid, corrupted, mixed-order and small-order signatures
    /// gets the same verdicts together as alone.
    #[test]
    fn together_agrees_with_alone(kinds in proptest::collection::vec(any::<u8>(), 1..40)) {
        let items: Vec<_> = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| item(*k, i as u64))
            .collect();
        prop_assert_eq!(together(&items), alone(&items));
    }
}

#[test]
fn a_cofactorless_batch_cannot_agree_with_verify_strict() {
    // Why the rule's equation is the cofactored one: with R = r·B + T (T
    // of order 8), ed25519-dalek's `verify_batch` accepts whenever its
    // coefficient z has z·T = 0, and the signer can compute z; so a few
    // nonces give a record that batch accepts and `verify_strict` refuses.
    let signer = Crafted::new(EdwardsPoint::default());
    let found = (0..256).find(|nonce| {
        let msg = message(&record(*nonce));
        let sig = signer.sign(&msg, EIGHT_TORSION[1]);
        ed25519_dalek::verify_batch(&[msg.as_slice()], &[sig], &[signer.key]).is_ok()
            && signer.key.verify_strict(&msg, &sig).is_err()
    });
    assert!(found.is_some(), "no nonce below 256 passes the batch");
}

#[test]
fn decoding_together_names_the_fault_decoding_alone_names() {
    use vledger_records::{Entry, EntryBody, RecordEntry, VinChain};
    let key = SigningKey::from_bytes(&[9; 32]);
    let good = SignedRecord::sign(&record(1), &key);
    // The leaf of `good`, with or without its VIN chain.
    let leaf = |chain: bool| {
        Entry {
            logged_at_ms: 1_760_000_000_000,
            body: EntryBody::Record(Box::new(RecordEntry {
                signed: good.clone(),
                chain: chain.then_some(VinChain {
                    sequence: 0,
                    previous: None,
                }),
                flags: Vec::new(),
            })),
        }
        .encode()
    };
    // The same leaf with another record's signature, which does not verify.
    let forged = |mut bytes: Vec<u8>| {
        let at = bytes
            .windows(64)
            .position(|w| w == good.signature().to_bytes())
            .expect("the signature is in the leaf");
        let other = SignedRecord::sign(&record(2), &key);
        bytes[at..at + 64].copy_from_slice(&other.signature().to_bytes());
        bytes
    };
    // An unknown field (number 15, varint 1) appended: not canonical.
    let with_unknown = |mut bytes: Vec<u8>| {
        bytes.extend_from_slice(&[0x78, 0x01]);
        bytes
    };
    let leaves = vec![
        leaf(true),
        forged(leaf(true)),
        leaf(false),
        forged(leaf(false)),
        with_unknown(leaf(true)),
        with_unknown(forged(leaf(true))),
    ];
    let alone: Vec<_> = leaves.iter().map(|l| Entry::decode(l)).collect();
    let faults: Vec<_> = alone
        .iter()
        .map(|r| {
            r.as_ref()
                .map(|_| ())
                .map_err(|e| (e.field, e.reason.clone()))
        })
        .collect();
    let bad_signature = Err(("signed.signature", Reason::BadSignature));
    assert_eq!(faults[0], Ok(()));
    assert_eq!(faults[1], bad_signature);
    assert_eq!(
        faults[2].as_ref().map_err(|e| e.0),
        Err("entry.record.chain")
    );
    assert_eq!(faults[3], bad_signature);
    assert_eq!(faults[4], Err(("entry", Reason::NonCanonical)));
    assert_eq!(faults[5], bad_signature);
    assert_eq!(Entry::decode_many(&leaves), alone);
}
