//! The record-signature check: exactly ed25519-dalek's `verify_strict`,
//! computed with one field exponentiation instead of two.
//!
//! `verify_strict(A, M, (R, s))` accepts exactly when
//!
//! 1. `s` is a canonical scalar (below the group order ℓ);
//! 2. `R` decompresses to a point, and neither that point nor `A` is of
//!    small order;
//! 3. `compress([s]B − [k]A) == R` byte for byte, with
//!    `k = SHA-512(R || A || M) mod ℓ` over `A`'s bytes as given.
//!
//! It decompresses `R` (a square root) for step 2 and compresses the
//! computed point (an inversion) for step 3. [`verify_record_signature`]
//! decompresses `R` only and compares points in projective coordinates,
//! after checking that `R`'s bytes are a canonical encoding (y below
//! p = 2^255 − 19). The verdicts are the same:
//!
//! - if `verify_strict` accepts, `R` is the compression of a point, so its
//!   y is below p, it decompresses to that point, which is not of small
//!   order, and equals `[s]B − [k]A`;
//! - if this check accepts, `R`'s y is canonical and it decompresses to a
//!   point `P = [s]B − [k]A` not of small order; then `P`'s x is not zero
//!   (the points with x = 0 are of order 1 and 2), so the sign bit of `R`
//!   is the sign of `P`'s x and `compress(P)` is `R`'s bytes.
//!
//! `ledger/records/tests/strict_signatures.rs` checks both against
//! `verify_strict` on valid, corrupted and crafted signatures (small-order
//! and mixed-order R and keys, non-canonical R and s).

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha512};

/// Whether `signature` is `key`'s signature over `prefix || message`, by
/// exactly the rule of ed25519-dalek's `verify_strict` (module docs), with
/// the message hashed in two parts so that it need not be copied.
#[must_use]
pub fn verify_strict_parts(
    key: &VerifyingKey,
    prefix: &[u8],
    message: &[u8],
    signature: &Signature,
) -> bool {
    let r_bytes = signature.r_bytes();
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(*signature.s_bytes())) else {
        return false;
    };
    if !canonical_y(r_bytes) {
        return false;
    }
    let Some(r) = CompressedEdwardsY(*r_bytes).decompress() else {
        return false;
    };
    let a = key.to_edwards();
    if r.is_small_order() || a.is_small_order() {
        return false;
    }
    let k = Scalar::from_bytes_mod_order_wide(
        &Sha512::new()
            .chain_update(r_bytes)
            .chain_update(key.as_bytes())
            .chain_update(prefix)
            .chain_update(message)
            .finalize()
            .into(),
    );
    EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-a, &s) == r
}

/// Whether the y coordinate in a point encoding (its low 255 bits) is below
/// p = 2^255 − 19, that is, not one of p … 2^255 − 1.
fn canonical_y(bytes: &[u8; 32]) -> bool {
    !(bytes[0] >= 0xed && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[31] & 0x7f == 0x7f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_y_is_below_p() {
        // p − 1 = 2^255 − 20 is canonical; p … 2^255 − 1 are not, whatever
        // the sign bit.
        let mut p_minus_1 = [0xff; 32];
        p_minus_1[0] = 0xec;
        p_minus_1[31] = 0x7f;
        assert!(canonical_y(&p_minus_1));
        for low in 0xed..=0xff {
            for sign in [0, 0x80] {
                let mut y = [0xff; 32];
                y[0] = low;
                y[31] = 0x7f | sign;
                assert!(!canonical_y(&y), "{low:#x} {sign:#x}");
            }
        }
        assert!(canonical_y(&[0; 32]));
        let mut high_but_small = [0xff; 32];
        high_but_small[5] = 0xfe;
        high_but_small[31] = 0x7f;
        assert!(canonical_y(&high_but_small));
    }
}
