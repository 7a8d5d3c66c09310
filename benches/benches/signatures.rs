//! Baseline costs that every append pays, measured in one run so that the
//! writer and load-generator figures can be read as ratios to them:
//!
//! - `signatures/verify`: Ed25519 `verify` of a record signature, the
//!   lenient check (it accepts weak keys and some malleable signatures);
//! - `signatures/verify_strict`: `verify_strict`, the acceptance rule;
//! - `signatures/verify_batch/N`: `verify_batch` over N signatures by N
//!   different keys, per signature (it skips the weak-key and strictness
//!   checks, which a caller must then do itself);
//! - `signatures/screened_batch/N`: what an exact replacement of
//!   `verify_strict` by `verify_batch` would cost, per signature: each R
//!   decompressed, refused if of small order and checked to be in the
//!   prime-order subgroup (`is_torsion_free`), then `verify_batch`
//!   (docs/audit.md, "Batch verification");
//! - `signatures/rule`: the record signature rule checked alone
//!   (`vledger_records::signature::verify`: `verify_strict`'s screens and
//!   the cofactored equation; docs/formats.md);
//! - `signatures/rule_batch/N` and `signatures/rule_batch_one_key/N`: the
//!   same rule over N signatures checked together
//!   (`vledger_records::signature::Batch`, the same verdicts), by N keys
//!   and by one key (an exporter's upload), per signature;
//! - `signatures/decompress_r`, `signatures/compress`,
//!   `signatures/is_torsion_free`: the parts of that screen, and the point
//!   compression `verify_strict` ends with;
//! - `signatures/sign`: Ed25519 signing (the log signs one checkpoint per
//!   batch; submitters sign every record);
//! - `signatures/node_hash` and `signatures/leaf_hash_entry`: SHA-256 of an
//!   RFC 6962 interior node and of a typical entry's leaf;
//! - `signatures/from_proto`: `SignedRecord::from_proto`, the node's
//!   per-request check (decode, canonical re-encode, the rule alone).
//!
//! The messages are real: `vledger/record/v2\n`, the benches' origin and a
//! newline, followed by the bytes of an
//! odometer reading, as a submitter signs them. The closing table gives
//! medians per signature or hash and ratios to `verify_strict`.
//!
//! Run with `cargo bench -p vledger-benches --bench signatures`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::{Signature, Signer as _, Verifier as _, VerifyingKey};
use vledger_benches::summary::Summary;
use vledger_benches::{OdometerStream, signing_key};
use vledger_records::signature::{self, Batch, Pending};
use vledger_records::{Entry, EntryBody, RecordEntry, SignedRecord, VinChain, signed_message};
use vledger_tlog::{leaf_hash, node_hash, sha256};

/// Batch sizes for `verify_batch`.
const VERIFY_BATCHES: [usize; 3] = [16, 64, 256];

/// Batch sizes for the record signature rule.
const RULE_BATCHES: [usize; 4] = [16, 64, 256, 1024];

/// What a submitter signs: the prefix and the record bytes.
fn message(signed: &SignedRecord) -> Vec<u8> {
    signed_message(signed.origin(), signed.record_bytes())
}

/// `verify_batch` behind the screen that would make it as strict as
/// `verify_strict`: every R a canonical encoding of a point that is neither
/// of small order nor has a small-order component.
fn screened_batch(msgs: &[&[u8]], sigs: &[Signature], keys: &[VerifyingKey]) -> bool {
    sigs.iter().all(|sig| {
        let r = CompressedEdwardsY(*sig.r_bytes());
        canonical_y(&r.0)
            && r.decompress()
                .is_some_and(|p| !p.is_small_order() && p.is_torsion_free())
    }) && ed25519_dalek::verify_batch(msgs, sigs, keys).is_ok()
}

/// Whether the y coordinate of a point encoding is below p = 2^255 - 19 (the
/// other non-canonical encodings, x = 0 with the sign bit set, are of
/// small-order points).
fn canonical_y(bytes: &[u8; 32]) -> bool {
    !(bytes[0] >= 0xed && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[31] & 0x7f == 0x7f)
}

/// `n` signed records, each by its own key (as a batch from many submitters).
fn records_by_many_keys(n: usize) -> Vec<SignedRecord> {
    let stream = OdometerStream::new(1000);
    (0..n as u64)
        .map(|i| vledger_benches::sign(&stream.record(i), &signing_key(1000 + i)))
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

    for n in [64, 256] {
        let msgs: Vec<&[u8]> = messages[..n].iter().map(Vec::as_slice).collect();
        assert!(screened_batch(&msgs, &sigs[..n], &keys[..n]));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("screened_batch", n), &n, |b, &n| {
            b.iter(|| screened_batch(black_box(&msgs), &sigs[..n], &keys[..n]));
        });
        summary.add(format!("signatures/screened_batch/{n}"), n as u64);
    }

    group.throughput(Throughput::Elements(1));
    assert!(signature::verify(key.as_bytes(), &msg, &sig));
    group.bench_function("rule", |b| {
        b.iter(|| signature::verify(black_box(key.as_bytes()), black_box(&msg), black_box(&sig)));
    });
    summary.add("signatures/rule", 1);
    let many_keys = records_by_many_keys(RULE_BATCHES[RULE_BATCHES.len() - 1]);
    let stream = OdometerStream::new(1000);
    let one_key: Vec<SignedRecord> = (0..RULE_BATCHES[RULE_BATCHES.len() - 1] as u64)
        .map(|i| vledger_benches::sign(&stream.record(i), &signing_key(7)))
        .collect();
    for (name, records) in [("rule_batch", &many_keys), ("rule_batch_one_key", &one_key)] {
        let pending: Vec<Pending> = records
            .iter()
            .map(|s| Pending::new(s.public_key().to_bytes(), message(s), *s.signature()))
            .collect();
        for n in RULE_BATCHES {
            let batch = || {
                let mut batch = Batch::new();
                for p in &pending[..n] {
                    batch.push(p.clone());
                }
                batch
            };
            assert!(batch().verify().iter().all(|ok| *ok));
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter_batched(batch, Batch::verify, BatchSize::SmallInput);
            });
            summary.add(format!("signatures/{name}/{n}"), n as u64);
        }
    }

    group.throughput(Throughput::Elements(1));
    let r = CompressedEdwardsY(*sig.r_bytes());
    let point = r.decompress().expect("R is a point");
    group.bench_function("decompress_r", |b| {
        b.iter(|| black_box(&r).decompress());
    });
    summary.add("signatures/decompress_r", 1);
    group.bench_function("compress", |b| {
        b.iter(|| black_box(&point).compress());
    });
    summary.add("signatures/compress", 1);
    group.bench_function("is_torsion_free", |b| {
        b.iter(|| black_box(&point).is_torsion_free());
    });
    summary.add("signatures/is_torsion_free", 1);

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
