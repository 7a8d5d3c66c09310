//! VIN history bundles in a log of 1M entries: the size of a bundle for a
//! VIN with 20 records (budget 64 KiB), and the time to verify it in
//! process (budget 5 ms), next to one `verify_strict` measured in the same
//! run as the baseline (a bundle verifies about 21 record signatures).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ed25519_dalek::{Signer as _, SigningKey};
use vledger_log::bundle::build_history;
use vledger_log::store::{LogStore, MemoryBackend};
use vledger_log::writer::LogWriter;
use vledger_records::{
    DistanceUnit, KeyEnrollment, OdometerReading, OdometerSource, Record, RecordBody, Role,
    SignedRecord, Vin,
};
use vledger_tlog::note::Signer;
use vledger_verification::history::verify_history;

const ENTRIES: u64 = 1 << 20;
const BATCH: u64 = 4096;
const TARGET: &str = "LVSHFFAL5DF123456";
const T: i64 = 1_770_000_000_000;

fn reading(vin: &Vin, value: u64, key: &SigningKey) -> SignedRecord {
    let record = Record {
        vin: Some(vin.clone()),
        event_time: 1_760_000_000,
        nonce: Vec::new(),
        attachments: Vec::new(),
        body: RecordBody::OdometerReading(OdometerReading {
            value,
            unit: DistanceUnit::Km,
            source: OdometerSource::Service,
        }),
    };
    vledger_benches::sign(&record, key)
}

/// A log of about 1M entries over 100k VINs, 20 of whose records are about
/// the target VIN, spread along the log.
fn big_log() -> LogWriter<MemoryBackend> {
    let log_key = Signer::new("bench.example/log", SigningKey::from_bytes(&[1; 32]))
        .unwrap_or_else(|e| panic!("{e}"));
    let admin = SigningKey::from_bytes(&[2; 32]);
    let workshop = SigningKey::from_bytes(&[3; 32]);
    let store = LogStore::new(MemoryBackend::new()).unwrap_or_else(|e| panic!("{e}"));
    let mut log =
        LogWriter::init(store, log_key, admin.verifying_key(), T).unwrap_or_else(|e| panic!("{e}"));
    let enroll = Record {
        vin: None,
        event_time: 1_760_000_000,
        nonce: Vec::new(),
        attachments: Vec::new(),
        body: RecordBody::KeyEnrollment(KeyEnrollment {
            public_key: workshop.verifying_key(),
            role: Role::Workshop,
            name: "Bench Workshop".into(),
        }),
    };
    log.append_batch(&[vledger_benches::sign(&enroll, &admin)], T)
        .unwrap_or_else(|e| panic!("{e}"));
    let target = Vin::parse(TARGET).unwrap_or_else(|e| panic!("{e}"));
    let vins: Vec<Vin> = (0..100_000u64)
        .map(|n| Vin::parse(&format!("WVWZZZ1JZ{n:08}")).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let batches = ENTRIES / (BATCH + 1);
    let mut n = 0u64;
    for b in 0..batches {
        let mut records: Vec<SignedRecord> = (0..BATCH)
            .map(|_| {
                n += 1;
                reading(&vins[(n % 100_000) as usize], n, &workshop)
            })
            .collect();
        if b % (batches / 20).max(1) == 0 && b / (batches / 20).max(1) < 20 {
            records[7] = reading(&target, b, &workshop);
        }
        log.append_batch(&records, T + b as i64)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    log
}

fn bench(c: &mut Criterion) {
    let started = std::time::Instant::now();
    let log = big_log();
    eprintln!(
        "built a log of {} entries in {:.1} s",
        log.tree_size(),
        started.elapsed().as_secs_f64()
    );
    let vin = Vin::parse(TARGET).unwrap_or_else(|e| panic!("{e}"));
    let bundle = build_history(log.store(), &vin).unwrap_or_else(|e| panic!("{e}"));
    let json = serde_json::to_vec(&bundle).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "bundle for {TARGET}: {} records, {} bytes of JSON ({:.1} KiB; budget 64 KiB)",
        bundle.records.len(),
        json.len(),
        json.len() as f64 / 1024.0
    );
    let key = Signer::new("bench.example/log", SigningKey::from_bytes(&[1; 32]))
        .unwrap_or_else(|e| panic!("{e}"))
        .verifier_key();
    let mut g = c.benchmark_group("history");
    g.sample_size(30);
    g.bench_function("verify_strict_baseline", |b| {
        let k = SigningKey::from_bytes(&[9; 32]);
        let msg = [5u8; 300];
        let sig = k.sign(&msg);
        let vk = k.verifying_key();
        b.iter(|| vk.verify_strict(black_box(&msg), black_box(&sig)).is_ok());
    });
    g.bench_function("verify_bundle_20_records_1M", |b| {
        b.iter(|| verify_history(black_box(&bundle), &key).unwrap_or_else(|e| panic!("{e}")));
    });
    g.bench_function("build_bundle_20_records_1M", |b| {
        b.iter(|| build_history(log.store(), &vin).unwrap_or_else(|e| panic!("{e}")));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
