//! The record signature rule, checked one signature at a time or many at
//! once with the same verdict.
//!
//! A record signature `(R, s)` by key `A` over message `M` is valid when
//!
//! 1. `A` is a point that is not of small order (checked when the key is
//!    read: [`crate::public_key_from_bytes`]);
//! 2. `s < ℓ`;
//! 3. `R` is the canonical encoding (y < p) of a point that is not of small
//!    order;
//! 4. `[8]([s]B − R − [k]A) = 0` with `k = SHA-512(R || A || M) mod ℓ`,
//!    `R` and `A` hashed as the 32 bytes given.
//!
//! Step 4 is the cofactored equation of ZIP 215, as implemented by
//! `ed25519-zebra`, whose batch verification agrees with its single
//! verification on every input (up to a chance of 2⁻¹²⁸ per batch from
//! its random coefficients). Steps 1 and 3 depend on one signature alone,
//! so a batch that applies them to each signature before queueing it still
//! agrees with the single check. Every signature ed25519-dalek's
//! `verify_strict` accepts passes all four steps; the only signatures the
//! rule accepts and `verify_strict` does not have an `R` or key with a
//! small-order component that the cofactor clears, which only the key's
//! holder can make (docs/formats.md, "The record signature rule").

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use curve25519_dalek::constants::EIGHT_TORSION;
use ed25519_dalek::Signature;
use ed25519_zebra::batch;
use ed25519_zebra::{VerificationKey, VerificationKeyBytes};

/// Most signatures a [`Batch`] checks in one multiscalar multiplication;
/// longer batches are checked in runs of this many.
pub const MAX_BATCH: usize = 1024;

/// The encodings with `y < p` of the eight points of small order: their
/// canonical encodings, and the same with the sign bit flipped, which
/// decode to the point's negation (also of small order) or, for `x = 0`,
/// to the point itself.
static SMALL_ORDER_ENCODINGS: LazyLock<Vec<[u8; 32]>> = LazyLock::new(|| {
    let mut out: Vec<[u8; 32]> = Vec::with_capacity(16);
    for point in EIGHT_TORSION {
        let canonical = point.compress().to_bytes();
        let mut flipped = canonical;
        flipped[31] ^= 0x80;
        for bytes in [canonical, flipped] {
            if !out.contains(&bytes) {
                out.push(bytes);
            }
        }
    }
    out
});

/// Whether the 32 bytes encode a y coordinate below p = 2²⁵⁵ − 19 (the
/// sign bit aside).
fn y_is_canonical(bytes: &[u8; 32]) -> bool {
    // y ≥ p exactly when y = p + j for j in 0..19: the low byte is at least
    // 0xed and every other byte of y is all ones.
    !(bytes[31] & 0x7f == 0x7f && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[0] >= 0xed)
}

/// Step 3 of the rule, on R's 32 bytes alone: R's encoding is canonical
/// and it is not one of the small-order points. Whether the bytes decode
/// to a point at all is checked with the equation.
#[must_use]
pub fn r_is_acceptable(r: &[u8; 32]) -> bool {
    y_is_canonical(r) && !SMALL_ORDER_ENCODINGS.contains(r)
}

/// Keys that [`verify`] remembers per thread, in ed25519-zebra's form.
const RECENT_KEYS_MAX: usize = 1024;

thread_local! {
    /// Decompressed keys this thread verified with lately: a log has few
    /// signers, and decompressing a point costs about a tenth of a check.
    static RECENT_KEYS: RefCell<HashMap<[u8; 32], VerificationKey>> =
        RefCell::new(HashMap::new());
}

/// Checks one signature by the key with `key` bytes (a key
/// [`crate::public_key_from_bytes`] accepted) over `message`.
#[must_use]
pub fn verify(key: &[u8; 32], message: &[u8], signature: &Signature) -> bool {
    if !r_is_acceptable(signature.r_bytes()) {
        return false;
    }
    let cached = RECENT_KEYS.with_borrow(|keys| keys.get(key).copied());
    let vk = match cached {
        Some(vk) => vk,
        None => {
            let Ok(vk) = VerificationKey::try_from(*key) else {
                return false;
            };
            RECENT_KEYS.with_borrow_mut(|keys| {
                if keys.len() >= RECENT_KEYS_MAX {
                    keys.clear();
                }
                keys.insert(*key, vk);
            });
            vk
        }
    };
    vk.verify(signature, message).is_ok()
}

/// One signature waiting for its check, in a [`Batch`] or alone.
#[derive(Debug, Clone)]
pub struct Pending {
    key: [u8; 32],
    message: Vec<u8>,
    signature: Signature,
}

impl Pending {
    /// The signature of `message` by the key with `key` bytes (a key
    /// [`crate::public_key_from_bytes`] accepted).
    #[must_use]
    pub const fn new(key: [u8; 32], message: Vec<u8>, signature: Signature) -> Self {
        Self {
            key,
            message,
            signature,
        }
    }

    /// Whether the signature is valid, checked on its own ([`verify`]).
    #[must_use]
    pub fn verify(&self) -> bool {
        verify(&self.key, &self.message, &self.signature)
    }
}

/// Many signatures checked together, each getting the verdict [`verify`]
/// would give it. One multiscalar multiplication checks up to
/// [`MAX_BATCH`] (with the terms of one key merged); when it fails, each
/// of its signatures is checked on its own to find which, so a bad
/// signature costs its batch the single checks.
#[derive(Debug, Default)]
pub struct Batch {
    /// The queued signatures, in order.
    pending: Vec<Pending>,
}

impl Batch {
    /// An empty batch.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues one signature; its verdict is at this position (counting
    /// from 0) of what [`Batch::verify`] returns.
    pub fn push(&mut self, pending: Pending) -> usize {
        self.pending.push(pending);
        self.pending.len() - 1
    }

    /// Checks every queued signature: whether each is valid, by position.
    #[must_use]
    pub fn verify(self) -> Vec<bool> {
        let mut verdicts = Vec::with_capacity(self.pending.len());
        let mut rng = rand::thread_rng();
        for run in self.pending.chunks(MAX_BATCH) {
            if let [one] = run {
                // Alone, the single check is the cheaper one.
                verdicts.push(one.verify());
                continue;
            }
            let mut verifier = batch::Verifier::new();
            // The screen (step 3) refuses a signature before the equation.
            let screened: Vec<bool> = run
                .iter()
                .map(|p| r_is_acceptable(p.signature.r_bytes()))
                .collect();
            for (p, _) in run.iter().zip(&screened).filter(|(_, ok)| **ok) {
                verifier.queue((VerificationKeyBytes::from(p.key), p.signature, &p.message));
            }
            let all_valid = verifier.verify(&mut rng).is_ok();
            verdicts.extend(
                run.iter()
                    .zip(screened)
                    .map(|(p, ok)| ok && (all_valid || p.verify())),
            );
        }
        verdicts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::edwards::CompressedEdwardsY;

    #[test]
    fn the_small_order_encodings_are_those_of_small_order_points() {
        // Five y values (1, −1, 0 and the two of the points of order 8),
        // each with either sign bit.
        assert_eq!(SMALL_ORDER_ENCODINGS.len(), 10);
        for bytes in SMALL_ORDER_ENCODINGS.iter() {
            assert!(y_is_canonical(bytes));
            let point = CompressedEdwardsY(*bytes).decompress().expect("a point");
            assert!(point.is_small_order());
            assert!(!r_is_acceptable(bytes));
        }
        // Each y of a small-order point, either sign: all listed.
        for point in EIGHT_TORSION {
            let mut b = point.compress().to_bytes();
            assert!(SMALL_ORDER_ENCODINGS.contains(&b));
            b[31] ^= 0x80;
            assert!(SMALL_ORDER_ENCODINGS.contains(&b));
        }
    }

    #[test]
    fn y_at_or_above_p_is_not_canonical() {
        // p = 2^255 − 19, little-endian.
        let mut p = [0xff; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert!(!y_is_canonical(&p));
        let mut below = p;
        below[0] = 0xec;
        assert!(y_is_canonical(&below));
        let mut top = [0xff; 32];
        assert!(!y_is_canonical(&top));
        top[31] = 0xff; // the sign bit does not count
        assert!(!y_is_canonical(&top));
        let mut signed_below = below;
        signed_below[31] |= 0x80;
        assert!(y_is_canonical(&signed_below));
        assert!(y_is_canonical(&[0; 32]));
    }
}
