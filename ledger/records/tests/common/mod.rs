//! Signers that put small-order components where honest ones never do,
//! and records to sign, for the signature tests.

#![allow(dead_code)]

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT as B;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha512};
use vledger_records::{
    DistanceUnit, OdometerReading, OdometerSource, RECORD_SIGNATURE_PREFIX, Record, RecordBody, Vin,
};

/// A signer that controls its secret scalar and nonce directly, so that it
/// can put small-order components where an honest signer never would.
pub struct Crafted {
    /// The secret scalar `a`.
    pub secret: Scalar,
    /// The public key `A = a·B + torsion`.
    pub key: VerifyingKey,
}

impl Crafted {
    /// A key `a·B + key_torsion` for a fixed `a`.
    pub fn new(key_torsion: EdwardsPoint) -> Self {
        Self::with_secret(
            Scalar::from_bytes_mod_order_wide(&Sha512::digest(b"crafted signer").into()),
            key_torsion,
        )
    }

    /// The key `secret·B + key_torsion`.
    pub fn with_secret(secret: Scalar, key_torsion: EdwardsPoint) -> Self {
        let point = B * secret + key_torsion;
        let key = VerifyingKey::from_bytes(point.compress().as_bytes()).expect("a point");
        Self { secret, key }
    }

    /// Signs `message` with nonce point `r·B + r_torsion` and the
    /// ordinary `s = r + k·a`, where `k = SHA-512(R || A || message)`.
    pub fn sign(&self, message: &[u8], r_torsion: EdwardsPoint) -> Signature {
        let r = Scalar::from_bytes_mod_order_wide(&Sha512::digest(message).into());
        self.sign_with_nonce(message, r, r_torsion)
    }

    /// Signs `message` with nonce point `r·B + r_torsion` and
    /// `s = r + k·a`.
    pub fn sign_with_nonce(&self, message: &[u8], r: Scalar, r_torsion: EdwardsPoint) -> Signature {
        let big_r = (B * r + r_torsion).compress();
        let k = Scalar::from_bytes_mod_order_wide(
            &Sha512::new()
                .chain_update(big_r.as_bytes())
                .chain_update(self.key.as_bytes())
                .chain_update(message)
                .finalize()
                .into(),
        );
        let s = r + k * self.secret;
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(big_r.as_bytes());
        bytes[32..].copy_from_slice(s.as_bytes());
        Signature::from_bytes(&bytes)
    }
}

/// An odometer reading whose nonce is `nonce` (what a signer grinds on).
pub fn record(nonce: u64) -> Record {
    Record {
        vin: Some(Vin::parse("WVWZZZ1JZ00000001").expect("VIN")),
        event_time: 1_735_689_600,
        nonce: nonce.to_be_bytes().to_vec(),
        attachments: Vec::new(),
        body: RecordBody::OdometerReading(OdometerReading {
            value: 1000,
            unit: DistanceUnit::Km,
            source: OdometerSource::Service,
        }),
    }
}

/// The message a submitter signs for `record`.
pub fn message(record: &Record) -> Vec<u8> {
    [RECORD_SIGNATURE_PREFIX, &record.encode()].concat()
}
