//! Audit speed, in process and without a network: `vledger_log::audit::audit`
//! over pre-built entries (1M by default) served from memory with their
//! stored hashes, as a node would send them. Every entry is decoded, its
//! record signature checked by the record signature rule (in batches of a
//! page), every authorisation, VIN
//! chain, index entry and stored hash recomputed, and the root compared
//! with the signed checkpoint.
//!
//! In the same run, the raw Ed25519 rates it is measured against:
//!
//! - `audit/verify_strict`: one `verify_strict` of a record signature;
//! - `audit/verify_batch/64`: `verify_batch` over 64 signatures by 64 keys,
//!   per signature, on one core;
//! - `audit/full/<n>` with every core, and `audit/one_thread/<n/10>` on
//!   one, per entry.
//!
//! The closing table gives medians per entry or signature, entries per
//! second, and ratios to `audit/verify_batch/64`.
//!
//! Run with `cargo bench -p vledger-benches --bench audit`; set
//! `VLEDGER_AUDIT_BENCH_ENTRIES` for another log size. Building the log
//! (signing every record) takes a minute before the first measurement.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use ed25519_dalek::{Signature, VerifyingKey};
use vledger_benches::summary::Summary;
use vledger_benches::{BenchKeys, OdometerStream, cpu_threads, signing_key};
use vledger_log::audit::{AuditOptions, LogSource, SourceEntry, audit, completed_nodes};
use vledger_log::store::{LogStore, MemoryBackend};
use vledger_records::{SignedRecord, signed_message};
use vledger_tlog::Hash;
use vledger_tlog::merkle::{HashReader, TreeSize, consistency_proof};
use vledger_verification::succession::LogKeys;

/// Records per sequenced batch when building the log.
const BATCH: u64 = 4096;

/// A log served from memory.
struct Prebuilt<'a> {
    store: &'a LogStore<MemoryBackend>,
    note: &'a str,
    entries: &'a [SourceEntry],
}

impl LogSource for Prebuilt<'_> {
    type Error = Infallible;

    fn checkpoint(&mut self) -> Result<String, Infallible> {
        Ok(self.note.to_owned())
    }

    fn checkpoint_at(&mut self, size: u64) -> Result<String, Infallible> {
        Ok(self
            .store
            .checkpoint(size)
            .ok()
            .flatten()
            .unwrap_or_default())
    }

    fn entries(&mut self, start: u64, end: u64) -> Result<Vec<SourceEntry>, Infallible> {
        let (start, end) = (start as usize, (end as usize).min(self.entries.len()));
        Ok(self.entries[start..end].to_vec())
    }

    fn consistency_proof(&mut self, old: u64, new: u64) -> Result<Vec<Hash>, Infallible> {
        Ok(consistency_proof(TreeSize(old), TreeSize(new), self.store).unwrap_or_default())
    }
}

/// A log of about `n` entries: genesis, enrollment, records over 100k VINs
/// in batches of [`BATCH`] (each ending with its index entry).
fn build(n: u64) -> (LogStore<MemoryBackend>, String, Vec<SourceEntry>) {
    let started = Instant::now();
    let keys = BenchKeys::new();
    let mut writer = keys
        .new_log(MemoryBackend::new(), 1_760_000_000_000)
        .expect("bench log");
    let stream = OdometerStream::new(100_000);
    let records = n.saturating_sub(writer.tree_size());
    let mut now = 1_760_000_000_000;
    let mut next = 0;
    while writer.tree_size() < n && next < records {
        let take = BATCH.min(records - next);
        let signed = stream.sign(&keys.workshop, next..next + take, cpu_threads());
        next += take;
        now += 1000;
        let out = writer.append_batch(&signed, now).expect("append");
        assert!(
            out.outcomes.iter().all(Result::is_ok),
            "refused bench record"
        );
    }
    let size = writer.tree_size();
    let store = writer.into_store();
    let note = store.checkpoint(size).expect("read").expect("checkpoint");
    let mut entries = Vec::with_capacity(size as usize);
    let mut start = 0;
    while start < size {
        let page = store.entries(start, size).expect("entries");
        for bytes in page {
            let index = start;
            let hashes = store.read_hashes(&completed_nodes(index)).expect("hashes");
            entries.push(SourceEntry {
                bytes,
                stored_hashes: Some(hashes),
            });
            start += 1;
        }
    }
    eprintln!(
        "built a log of {size} entries in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    (store, note, entries)
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let n: u64 = std::env::var("VLEDGER_AUDIT_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut summary = Summary::new("audit/verify_batch/64");
    let (store, note, entries) = build(n);

    // The raw signature rates, measured next to the audit (machines are noisy).
    let stream = OdometerStream::new(1000);
    let signed: Vec<SignedRecord> = (0..64u64)
        .map(|i| vledger_benches::sign(&stream.record(i), &signing_key(1000 + i)))
        .collect();
    let messages: Vec<Vec<u8>> = signed
        .iter()
        .map(|s| signed_message(s.origin(), s.record_bytes()))
        .collect();
    let msgs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let sigs: Vec<Signature> = signed.iter().map(|s| *s.signature()).collect();
    let keys: Vec<VerifyingKey> = signed.iter().map(|s| *s.public_key()).collect();
    let mut group = c.benchmark_group("audit");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(1));
    group.bench_function("verify_strict", |b| {
        b.iter(|| black_box(&keys[0]).verify_strict(black_box(msgs[0]), black_box(&sigs[0])));
    });
    summary.add("audit/verify_strict", 1);
    group.throughput(Throughput::Elements(64));
    group.bench_with_input(BenchmarkId::new("verify_batch", 64), &64, |b, _| {
        b.iter(|| ed25519_dalek::verify_batch(black_box(&msgs), &sigs, &keys));
    });
    summary.add("audit/verify_batch/64", 64);
    group.finish();

    // The audit.
    let size = entries.len() as u64;
    let run = |entries: &[SourceEntry], note: &str, threads: usize| {
        let mut source = Prebuilt {
            store: &store,
            note,
            entries,
        };
        let options = AuditOptions {
            threads,
            ..AuditOptions::default()
        };
        let key = LogKeys::new(BenchKeys::new().log.verifier_key());
        let (report, _) = audit(&mut source, &key, None, &options, |_| {}).expect("audit");
        assert_eq!(report.entries_read, entries.len() as u64);
    };
    let mut group = c.benchmark_group("audit");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(size));
    group.bench_with_input(BenchmarkId::new("full", size), &size, |b, _| {
        b.iter(|| run(&entries, &note, cpu_threads()));
    });
    summary.add(format!("audit/full/{size}"), size);
    // One core, over the first tenth (the checkpoint of that prefix).
    let tenth = entries.len() / 10;
    let prefix_size = (1..=tenth as u64)
        .rev()
        .find(|&s| store.checkpoint(s).ok().flatten().is_some())
        .unwrap_or(size);
    let prefix_note = store
        .checkpoint(prefix_size)
        .ok()
        .flatten()
        .unwrap_or_default();
    let prefix = &entries[..prefix_size as usize];
    group.throughput(Throughput::Elements(prefix_size));
    group.bench_with_input(
        BenchmarkId::new("one_thread", prefix_size),
        &prefix_size,
        |b, _| b.iter(|| run(prefix, &prefix_note, 1)),
    );
    summary.add(format!("audit/one_thread/{prefix_size}"), prefix_size);
    group.finish();

    c.final_summary();
    println!("(log of {size} entries; {} cores)", cpu_threads());
    summary.print();
}
