//! Baseline costs that every append pays, measured in one run so that the
//! writer and load-generator figures can be read as ratios to them:
//!
//! - `signatures/verify`: Ed25519 `verify` of a record signature, the
//!   lenient check (it accepts weak keys and some malleable signatures);
//! - `signatures/verify_strict`: `verify_strict`, what vledger uses;
//! - `signatures/verify_batch/N`: `verify_batch` over N signatures by N
//!   different keys, per signature (it skips the weak-key and strictness
//!   checks, which a caller must then do itself);
//! - `signatures/sign`: Ed25519 signing (the log signs one checkpoint per
//!   batch; submitters sign every record);
//! - `signatures/node_hash` and `signatures/leaf_hash_entry`: SHA-256 of an
//!   RFC 6962 interior node and of a typical entry's leaf;
//! - `signatures/from_proto`: `SignedRecord::from_proto`, the node's
//!   per-request check (decode, canonical re-encode, `verify_strict`).
//!
//! The messages are real: `vledger/record/v1\n` followed by the bytes of an
//! odometer reading, as a submitter signs them. The closing table gives
//! medians per signature or hash and ratios to `verify_strict`.
//!
//! Run with `cargo bench -p vledger-benches --bench signatures`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use ed25519_dalek::{Signature, Signer as _, Verifier as _, VerifyingKey};
use vledger_benches::summary::Summary;
use vledger_benches::{OdometerStream, signing_key};
use vledger_records::{
    Entry, EntryBody, RECORD_SIGNATURE_PREFIX, RecordEntry, SignedRecord, VinChain,
};
use vledger_tlog::{leaf_hash, node_hash, sha256};

/// Batch sizes for `verify_batch`.
const VERIFY_BATCHES: [usize; 3] = [16, 64, 256];

/// What a submitter signs: the prefix and the record bytes.
fn message(signed: &SignedRecord) -> Vec<u8> {
    [RECORD_SIGNATURE_PREFIX, signed.record_bytes()].concat()
}

/// `n` signed records, each by its own key (as a batch from many submitters).
fn records_by_many_keys(n: usize) -> Vec<SignedRecord> {
    let stream = OdometerStream::new(1000);
    (0..n as u64)
        .map(|i| SignedRecord::sign(&stream.record(i), &signing_key(1000 + i)))
        .collect()
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut summary = Summary::new("signatures/verify_strict");

    let signed = records_by_many_keys(VERIFY_BATCHES[VERIFY_BATCHES.len() - 1]);
    let one = &signed[0];
    let msg = message(one);
    let (key, sig) = (*one.public_key(), *one.signature());

    let mut group = c.benchmark_group("signatures");
    group
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(1));
    group.bench_function("verify", |b| {
        b.iter(|| black_box(&key).verify(black_box(&msg), black_box(&sig)));
    });
    group.bench_function("verify_strict", |b| {
        b.iter(|| black_box(&key).verify_strict(black_box(&msg), black_box(&sig)));
    });
    summary.add("signatures/verify", 1);
    summary.add("signatures/verify_strict", 1);

    let messages: Vec<Vec<u8>> = signed.iter().map(message).collect();
    let sigs: Vec<Signature> = signed.iter().map(|s| *s.signature()).collect();
    let keys: Vec<VerifyingKey> = signed.iter().map(|s| *s.public_key()).collect();
    for n in VERIFY_BATCHES {
        let msgs: Vec<&[u8]> = messages[..n].iter().map(Vec::as_slice).collect();
        assert!(ed25519_dalek::verify_batch(&msgs, &sigs[..n], &keys[..n]).is_ok());
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("verify_batch", n), &n, |b, &n| {
            b.iter(|| ed25519_dalek::verify_batch(black_box(&msgs), &sigs[..n], &keys[..n]));
        });
        summary.add(format!("signatures/verify_batch/{n}"), n as u64);
    }

    group.throughput(Throughput::Elements(1));
    let signer = signing_key(7);
    group.bench_function("sign", |b| {
        b.iter(|| signer.sign(black_box(&msg)));
    });
    summary.add("signatures/sign", 1);

    let (left, right) = (sha256(b"left"), sha256(b"right"));
    group.bench_function("node_hash", |b| {
        b.iter(|| node_hash(black_box(&left), black_box(&right)));
    });
    summary.add("signatures/node_hash", 1);

    let entry = Entry {
        logged_at_ms: 1_760_000_000_000,
        body: EntryBody::Record(Box::new(RecordEntry {
            signed: one.clone(),
            chain: Some(VinChain {
                sequence: 0,
                previous: None,
            }),
            flags: Vec::new(),
        })),
    }
    .encode();
    group.bench_function("leaf_hash_entry", |b| {
        b.iter(|| leaf_hash(black_box(&entry)));
    });
    summary.add("signatures/leaf_hash_entry", 1);

    let proto = one.to_proto();
    group.bench_function("from_proto", |b| {
        b.iter_batched(
            || proto.clone(),
            |p| SignedRecord::from_proto(p).expect("valid record"),
            BatchSize::SmallInput,
        );
    });
    summary.add("signatures/from_proto", 1);
    group.finish();

    c.final_summary();
    println!(
        "(record: {} bytes; entry: {} bytes; signed message: {} bytes)",
        one.record_bytes().len(),
        entry.len(),
        msg.len()
    );
    summary.print();
}
