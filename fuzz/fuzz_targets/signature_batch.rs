//! Record signatures checked together agree with each checked alone:
//! entries made from valid ones (by several keys, version 1 and 2, one
//! with an R that carries a point of order 8, which the record signature
//! rule accepts) with bytes changed where the fuzzer says are decoded one
//! by one (`Entry::decode`) and all at once (`Entry::decode_many`, one
//! signature batch), and every verdict and every error is the same.
#![no_main]

use std::sync::LazyLock;

use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT as B, EIGHT_TORSION};
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha512};
use vledger_proto::v1 as pb;
use vledger_records::{
    DistanceUnit, Entry, EntryBody, OdometerReading, OdometerSource, Record, RecordBody,
    RecordEntry, SignedRecord, Vin, VinChain, signed_message,
};

const ORIGIN: &str = "fuzz.example/log";

fn record(i: u64) -> Record {
    Record {
        vin: Some(Vin::parse("WVWZZZ1JZ00000001").expect("VIN")),
        event_time: 1_735_689_600 + i64::try_from(i).expect("small"),
        nonce: i.to_be_bytes().to_vec(),
        attachments: Vec::new(),
        body: RecordBody::OdometerReading(OdometerReading {
            value: 1000 + i,
            unit: DistanceUnit::Km,
            source: OdometerSource::Service,
        }),
    }
}

/// `record` signed for the log with the nonce point `r·B + T`, T of order 8.
fn mixed_order_r(record: &Record) -> SignedRecord {
    let secret = Scalar::from_bytes_mod_order_wide(&Sha512::digest(b"fuzz signer").into());
    let key = (B * secret).compress();
    let bytes = record.encode();
    let msg = signed_message(Some(ORIGIN), &bytes);
    let r = Scalar::from_bytes_mod_order_wide(&Sha512::digest(&msg).into());
    let big_r = (B * r + EIGHT_TORSION[1]).compress();
    let k = Scalar::from_bytes_mod_order_wide(
        &Sha512::new()
            .chain_update(big_r.as_bytes())
            .chain_update(key.as_bytes())
            .chain_update(&msg)
            .finalize()
            .into(),
    );
    let s = r + k * secret;
    let signature = [big_r.to_bytes(), s.to_bytes()].concat();
    SignedRecord::from_proto(pb::SignedRecord {
        record: bytes,
        public_key: key.to_bytes().to_vec(),
        signature,
        origin: ORIGIN.to_owned(),
    })
    .expect("the rule accepts a mixed-order R")
}

/// Valid entries to change.
static VALID: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let keys: Vec<SigningKey> = (1..=3u8).map(|i| SigningKey::from_bytes(&[i; 32])).collect();
    (0..8u64)
        .map(|i| {
            let rec = record(i);
            let key = &keys[usize::try_from(i % 3).expect("small")];
            let signed = match i {
                0 => SignedRecord::sign(&rec, key),
                7 => mixed_order_r(&rec),
                _ => SignedRecord::sign_for(ORIGIN, &rec, key).expect("origin"),
            };
            Entry {
                logged_at_ms: 1_760_000_000_000 + i64::try_from(i).expect("small"),
                body: EntryBody::Record(Box::new(RecordEntry {
                    signed,
                    chain: Some(VinChain {
                        sequence: i,
                        previous: None,
                    }),
                    flags: Vec::new(),
                })),
            }
            .encode()
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    // Four bytes a leaf: which valid entry, where to change it, and the
    // byte to XOR there (0: unchanged).
    let leaves: Vec<Vec<u8>> = data
        .chunks_exact(4)
        .take(64)
        .map(|c| {
            let mut leaf = VALID[usize::from(c[0]) % VALID.len()].clone();
            let at = usize::from(u16::from_le_bytes([c[1], c[2]])) % leaf.len();
            leaf[at] ^= c[3];
            leaf
        })
        .collect();
    let together = Entry::decode_many(&leaves);
    assert_eq!(together.len(), leaves.len());
    for (leaf, verdict) in leaves.iter().zip(&together) {
        assert_eq!(&Entry::decode(leaf), verdict);
    }
});
