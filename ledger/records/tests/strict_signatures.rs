//! `verify_strict_parts`, the record-signature check, gives exactly the
//! verdicts of ed25519-dalek's `verify_strict` over `prefix || message`:
//! on valid signatures, corrupted ones, and signatures crafted with
//! small-order and mixed-order R and keys, non-canonical R and s.

mod common;

use common::{Crafted, message, record};
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use proptest::prelude::*;
use vledger_records::{RECORD_SIGNATURE_PREFIX, verify_strict_parts};

/// Both verdicts on `sig` by `key` over `PREFIX || msg`, asserted equal;
/// returns the verdict.
fn same_verdict(key: &VerifyingKey, msg: &[u8], sig: &Signature) -> bool {
    let strict = key
        .verify_strict(&[RECORD_SIGNATURE_PREFIX, msg].concat(), sig)
        .is_ok();
    let ours = verify_strict_parts(key, RECORD_SIGNATURE_PREFIX, msg, sig);
    assert_eq!(ours, strict, "key {key:?} sig {sig:?} msg {msg:?}");
    strict
}

/// `sig` with its R bytes replaced.
fn with_r(sig: &Signature, r: [u8; 32]) -> Signature {
    let mut bytes = sig.to_bytes();
    bytes[..32].copy_from_slice(&r);
    Signature::from_bytes(&bytes)
}

/// The 32-byte little-endian encoding of `y` + `p` for small `y` (a
/// non-canonical encoding of the point with that y, if there is one).
fn y_plus_p(y: u8, sign: bool) -> [u8; 32] {
    let mut bytes = [0xff; 32];
    bytes[0] = 0xed + y;
    bytes[31] = 0x7f | if sign { 0x80 } else { 0 };
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn agrees_on_valid_and_corrupted_signatures(
        seed in any::<[u8; 32]>(),
        msg in proptest::collection::vec(any::<u8>(), 0..300),
        bit in 0usize..512,
        msg_bit in any::<prop::sample::Index>(),
    ) {
        let key = SigningKey::from_bytes(&seed);
        let vk = key.verifying_key();
        let sig = key.sign(&[RECORD_SIGNATURE_PREFIX, &msg].concat());
        prop_assert!(same_verdict(&vk, &msg, &sig));
        let mut flipped = sig.to_bytes();
        flipped[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(!same_verdict(&vk, &msg, &Signature::from_bytes(&flipped)));
        if !msg.is_empty() {
            let mut other = msg.clone();
            let i = msg_bit.index(other.len());
            other[i] ^= 1;
            prop_assert!(!same_verdict(&vk, &other, &sig));
        }
        let other_key = SigningKey::from_bytes(&[seed[0].wrapping_add(1); 32]).verifying_key();
        same_verdict(&other_key, &msg, &sig);
    }

    #[test]
    fn agrees_on_torsion_in_r_and_in_the_key(
        nonce in any::<u64>(),
        r_torsion in 0usize..8,
        key_torsion in 0usize..8,
    ) {
        let signer = Crafted::new(EIGHT_TORSION[key_torsion]);
        let msg = &message(&record(nonce))[RECORD_SIGNATURE_PREFIX.len()..];
        let full = message(&record(nonce));
        let sig = signer.sign(&full, EIGHT_TORSION[r_torsion]);
        same_verdict(&signer.key, msg, &sig);
    }
}

#[test]
fn agrees_on_small_order_r_and_keys() {
    for nonce in 0..8 {
        let full = message(&record(nonce));
        let msg = &full[RECORD_SIGNATURE_PREFIX.len()..];
        for (i, &t) in EIGHT_TORSION.iter().enumerate() {
            // R of small order, s = k·a: the equation holds up to torsion.
            let signer = Crafted::new(EdwardsPoint::default());
            let sig = signer.sign_with_nonce(&full, Scalar::ZERO, t);
            assert!(!same_verdict(&signer.key, msg, &sig), "R torsion {i}");
            // A key of small order (a = 0): the equation holds exactly
            // when R = r·B and k·A = identity, refused as a weak key.
            let weak = Crafted::with_secret(Scalar::ZERO, t);
            for rt in EIGHT_TORSION {
                let sig = weak.sign(&full, rt);
                assert!(!same_verdict(&weak.key, msg, &sig), "key torsion {i}");
            }
        }
    }
}

#[test]
fn agrees_on_mixed_order_signatures_that_verify_strict_accepts() {
    // Torsion in the key cancelled by torsion in R: accepted by both.
    let signer = Crafted::new(EIGHT_TORSION[3]);
    let mut accepted = 0;
    for nonce in 0..32 {
        let full = message(&record(nonce));
        let msg = &full[RECORD_SIGNATURE_PREFIX.len()..];
        for t in EIGHT_TORSION {
            accepted += usize::from(same_verdict(&signer.key, msg, &signer.sign(&full, t)));
        }
    }
    assert!(accepted > 0);
}

#[test]
fn agrees_on_non_canonical_r() {
    let signer = Crafted::new(EdwardsPoint::default());
    let full = message(&record(7));
    let msg = &full[RECORD_SIGNATURE_PREFIX.len()..];
    let valid = signer.sign(&full, EdwardsPoint::default());
    assert!(same_verdict(&signer.key, msg, &valid));
    // Every encoding with y ≥ p, both signs, in a valid signature's place
    // and in signatures whose equation holds for the point they decode to.
    for y in 0..19 {
        for sign in [false, true] {
            let bytes = y_plus_p(y, sign);
            assert!(!same_verdict(&signer.key, msg, &with_r(&valid, bytes)));
            if let Some(point) = CompressedEdwardsY(bytes).decompress()
                && point.is_small_order()
            {
                let sig = signer.sign_with_nonce(&full, Scalar::ZERO, point);
                assert!(!same_verdict(&signer.key, msg, &with_r(&sig, bytes)));
            }
        }
    }
    // x = 0 with the sign bit set: the identity and the point of order 2.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    identity[31] = 0x80;
    let mut order_two = [0xff; 32];
    order_two[0] = 0xec;
    assert!(!same_verdict(&signer.key, msg, &with_r(&valid, identity)));
    assert!(!same_verdict(&signer.key, msg, &with_r(&valid, order_two)));
    // A valid R with its sign bit flipped is another point: refused.
    let mut flipped = *valid.r_bytes();
    flipped[31] ^= 0x80;
    assert!(!same_verdict(&signer.key, msg, &with_r(&valid, flipped)));
}

#[test]
fn agrees_on_non_canonical_s() {
    let signer = Crafted::new(EdwardsPoint::default());
    let full = message(&record(9));
    let msg = &full[RECORD_SIGNATURE_PREFIX.len()..];
    let valid = signer.sign(&full, EdwardsPoint::default());
    assert!(same_verdict(&signer.key, msg, &valid));
    // s + ℓ: the same scalar, not reduced; and s with high bits set.
    let s = Scalar::from_canonical_bytes(*valid.s_bytes()).expect("canonical");
    let l = BASEPOINT_ORDER_BYTES;
    let mut sum = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(s.as_bytes()[i]) + u16::from(l[i]) + carry;
        sum[i] = v as u8;
        carry = v >> 8;
    }
    if carry == 0 {
        let mut bytes = valid.to_bytes();
        bytes[32..].copy_from_slice(&sum);
        assert!(!same_verdict(
            &signer.key,
            msg,
            &Signature::from_bytes(&bytes)
        ));
    }
    for high in [0x20u8, 0x40, 0x80, 0xe0] {
        let mut bytes = valid.to_bytes();
        bytes[63] |= high;
        assert!(!same_verdict(
            &signer.key,
            msg,
            &Signature::from_bytes(&bytes)
        ));
    }
}

/// ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
const BASEPOINT_ORDER_BYTES: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];
