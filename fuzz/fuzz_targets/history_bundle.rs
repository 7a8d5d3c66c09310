//! History bundles, the file a seller hands a buyer: whatever is changed in
//! an honest bundle (bytes of entries, proofs and the checkpoint; records
//! dropped, swapped, duplicated, spliced from another VIN's bundle,
//! renumbered; another VIN's index proof), verification never panics, and a
//! bundle that verifies lists exactly the VIN's records in the honest log.
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::SigningKey;
use vledger_log::bundle::build_history;
use vledger_verification::history::{HistoryBundle, ProvenEntry, verify_history};
use vledger_tlog::note::{Signer, VerifierKey};
use vledger_records::{
    DistanceUnit, KeyEnrollment, OdometerReading, OdometerSource, Record, RecordBody, Role,
    SignedRecord, Vin,
};
use vledger_log::store::{LogStore, MemoryBackend};
use vledger_log::writer::LogWriter;
use libfuzzer_sys::fuzz_target;

const T: i64 = 1_770_000_000_000;
const VINS: [&str; 3] = ["1M8GDM9AXKP042788", "WVWZZZ1JZXW000001", "JT2AE91A0K3000001"];

struct Honest {
    key: VerifierKey,
    bundles: Vec<HistoryBundle>,
    /// Each VIN's records in the log: leaf index and entry bytes.
    records: HashMap<String, Vec<(u64, Vec<u8>)>>,
}

fn signed(body: RecordBody, vin: Option<&str>, at: i64, by: &SigningKey) -> SignedRecord {
    let record = Record {
        vin: vin.map(|v| Vin::parse(v).expect("valid VIN")),
        event_time: at,
        nonce: vec![],
        attachments: Vec::new(),
        body,
    };
    SignedRecord::sign_for("fuzz.example/log", &record, by).expect("a valid origin")
}

fn honest() -> &'static Honest {
    static HONEST: OnceLock<Honest> = OnceLock::new();
    HONEST.get_or_init(|| {
        let admin = SigningKey::from_bytes(&[1; 32]);
        let workshop = SigningKey::from_bytes(&[2; 32]);
        let signer = Signer::new("fuzz.example/log", SigningKey::from_bytes(&[3; 32]))
            .expect("log key");
        let store = LogStore::new(MemoryBackend::new()).expect("store");
        let mut log =
            LogWriter::init(store, signer.clone(), admin.verifying_key(), T).expect("init");
        let enroll = RecordBody::KeyEnrollment(KeyEnrollment {
            public_key: workshop.verifying_key(),
            role: Role::Workshop,
            name: "Workshop".into(),
        });
        log.append_batch(&[signed(enroll, None, 1_760_000_000, &admin)], T)
            .expect("enroll");
        let mut records: HashMap<String, Vec<(u64, Vec<u8>)>> = HashMap::new();
        for round in 0..3u64 {
            let batch: Vec<_> = (0..4u64)
                .map(|i| {
                    let vin = VINS[((round + i) % 2) as usize];
                    let reading = RecordBody::OdometerReading(OdometerReading {
                        value: 1000 * (round * 4 + i + 1),
                        unit: DistanceUnit::Km,
                        source: OdometerSource::Service,
                    });
                    let at = 1_760_000_000 + (round * 4 + i) as i64;
                    signed(reading, Some(vin), at, &workshop)
                })
                .collect();
            let result = log.append_batch(&batch, T + 1000).expect("append");
            for (r, outcome) in batch.iter().zip(result.outcomes) {
                let appended = outcome.expect("honest records are accepted");
                let vin = r.record().vin.as_ref().expect("has a VIN").as_str().to_owned();
                let bytes = log.store().entry(appended.index).expect("read").expect("entry");
                records.entry(vin).or_default().push((appended.index, bytes));
            }
        }
        let bundles = VINS
            .iter()
            .map(|v| build_history(log.store(), &Vin::parse(v).expect("VIN")).expect("bundle"))
            .collect();
        Honest {
            key: signer.verifier_key(),
            bundles,
            records,
        }
    })
}

/// Flips bits of the byte at `at` (modulo the length) of base64 `text`.
fn flip_b64(text: &mut String, at: usize, xor: u8) {
    if let Ok(mut bytes) = STANDARD.decode(text.as_bytes())
        && !bytes.is_empty()
    {
        let i = at % bytes.len();
        bytes[i] ^= xor.max(1);
        *text = STANDARD.encode(bytes);
    }
}

fn pick<T>(v: &mut [T], i: u8) -> Option<&mut T> {
    let n = v.len();
    (n > 0).then(|| &mut v[usize::from(i) % n])
}

fuzz_target!(|data: &[u8]| {
    let honest = honest();
    let Some((&which, ops)) = data.split_first() else {
        return;
    };
    let mut b = honest.bundles[usize::from(which) % honest.bundles.len()].clone();
    let other = &honest.bundles[usize::from(which / 3) % honest.bundles.len()];
    for op in ops.chunks_exact(4) {
        let (i, j, x) = (op[1], op[2], op[3]);
        match op[0] % 12 {
            0 => {
                let mut text = std::mem::take(&mut b.checkpoint).into_bytes();
                if !text.is_empty() {
                    let at = usize::from(i) % text.len();
                    text[at] ^= x.max(1);
                }
                b.checkpoint = String::from_utf8_lossy(&text).into_owned();
            }
            1 => flip_b64(&mut b.index_entry.entry, usize::from(j), x),
            2 => flip_b64(&mut b.index_proof, usize::from(j), x),
            3 => {
                if let Some(r) = pick(&mut b.records, i) {
                    flip_b64(&mut r.entry, usize::from(j), x);
                }
            }
            4 => {
                if let Some(h) = pick(&mut b.records, i).and_then(|r| pick(&mut r.proof, j)) {
                    flip_b64(h, usize::from(x), x);
                }
            }
            5 => {
                if !b.records.is_empty() {
                    let n = b.records.len();
                    b.records.remove(usize::from(i) % n);
                }
            }
            6 => {
                let n = b.records.len();
                if n > 0 {
                    b.records.swap(usize::from(i) % n, usize::from(j) % n);
                }
            }
            7 => {
                let spliced: Option<ProvenEntry> = other
                    .records
                    .get(usize::from(j) % other.records.len().max(1))
                    .cloned();
                if let Some(s) = spliced {
                    let at = usize::from(i) % (b.records.len() + 1);
                    b.records.insert(at, s);
                }
            }
            8 => {
                if let Some(r) = pick(&mut b.records, i) {
                    r.index = r.index.wrapping_add(u64::from(x)).wrapping_sub(128);
                }
            }
            9 => b.index_proof = other.index_proof.clone(),
            10 => b.vin = other.vin.clone(),
            _ => {
                if let Some(r) = pick(&mut b.signers, i) {
                    flip_b64(&mut r.entry, usize::from(j), x);
                }
            }
        }
    }
    if let Ok(verified) = verify_history(&b, &honest.key) {
        let expected = honest
            .records
            .get(verified.vin.as_str())
            .map_or(&[][..], Vec::as_slice);
        let got: Vec<(u64, Vec<u8>)> = verified
            .records
            .iter()
            .map(|r| (r.index, r.entry.encode()))
            .collect();
        assert_eq!(got, expected, "a verified bundle lists other records");
    }
});
