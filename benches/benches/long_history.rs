//! Appends to a VIN at its 1st record and at its 50,000th: a record must
//! cost the same whatever the length of its VIN's history.
//!
//! - `long_history/1st`: each batch is the first 100 odometer readings of
//!   a new VIN, on a sled log;
//! - `long_history/50000th`: each batch is 100 more readings of one VIN
//!   that already has 50,000 (built once, untimed; its build rate is
//!   printed), on another sled log.
//!
//! Records are signed before the clock starts. `Throughput::Elements` is
//! the batch size, so criterion's "thrpt" is records per second; the
//! closing line gives the ratio of the two medians, measured in this run.
//!
//! Run with `cargo bench -p vledger-benches --bench long_history`.

use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use vledger_benches::{BenchKeys, EVENT_TIME, OdometerStream, cpu_threads};
use vledger_log::store::SledBackend;
use vledger_log::writer::LogWriter;
use vledger_records::SignedRecord;

/// Records of the long history.
const HISTORY: u64 = 50_000;
/// Records per timed batch.
const BATCH: usize = 100;
/// Records signed for each timed bench: more than it can append in its
/// measurement time.
const TIMED: u64 = 400_000;
/// VINs of the `1st` bench's stream: more than it can use.
const NEW_VINS: u64 = 1_000_000;

fn now_ms() -> i64 {
    (EVENT_TIME + 3600) * 1000
}

/// A sled log in `dir` holding `records`, appended in batches of 1,000.
fn log_with(
    keys: &BenchKeys,
    dir: &std::path::Path,
    records: &[SignedRecord],
) -> LogWriter<SledBackend> {
    let backend = SledBackend::open(&dir.join("store")).expect("open sled");
    let mut writer = keys.new_log(backend, now_ms()).expect("new log");
    let started = Instant::now();
    for batch in records.chunks(1000) {
        writer.append_batch(batch, now_ms()).expect("fill");
    }
    if !records.is_empty() {
        eprintln!(
            "built a history of {} records in {:.1} s",
            records.len(),
            started.elapsed().as_secs_f64()
        );
    }
    writer
}

/// Times `iters` batches of [`BATCH`] records taken in turn from `records`.
fn timed(
    writer: &mut LogWriter<SledBackend>,
    records: &[SignedRecord],
    next: &mut usize,
    iters: u64,
) -> Duration {
    let mut spent = Duration::ZERO;
    for _ in 0..iters {
        let batch = records
            .get(*next..*next + BATCH)
            .unwrap_or_else(|| panic!("more than {TIMED} records asked for; raise TIMED"));
        *next += BATCH;
        let start = Instant::now();
        let result = writer.append_batch(batch, now_ms()).expect("append");
        spent += start.elapsed();
        assert!(
            result
                .outcomes
                .iter()
                .all(|o| matches!(o, Ok(a) if !a.duplicate))
        );
    }
    spent
}

fn main() {
    let keys = BenchKeys::new();
    let threads = cpu_threads();
    // Batch j of `fresh` is readings 0..100 of VIN j: record j + s * NEW_VINS
    // of the stream is VIN j's reading s.
    let stream = OdometerStream::new(NEW_VINS);
    let fresh: Vec<SignedRecord> = (0..TIMED / BATCH as u64)
        .flat_map(|j| (0..BATCH as u64).map(move |s| j + s * NEW_VINS))
        .map(|i| vledger_benches::sign(&stream.record(i), &keys.workshop))
        .collect();
    // Every record of `one` is about the same VIN.
    let one = OdometerStream::new(1).sign(&keys.workshop, 0..HISTORY + TIMED, threads);
    let (history, long_timed) = one.split_at(usize::try_from(HISTORY).unwrap_or(usize::MAX));

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("long_history");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(BATCH as u64));
    let mut medians = Vec::new();
    for (name, fill, records) in [
        ("1st", &[][..], &fresh[..]),
        ("50000th", history, long_timed),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut writer = log_with(&keys, dir.path(), fill);
        let mut next = 0;
        let mut samples = Vec::new();
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let t = timed(&mut writer, records, &mut next, iters);
                samples.push(t.as_secs_f64() / (iters as f64 * BATCH as f64));
                t
            });
        });
        samples.sort_by(f64::total_cmp);
        medians.push(samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN));
    }
    group.finish();
    if let [first, long] = medians[..] {
        println!(
            "long_history: {:.0} appends/s at a VIN's 1st record, {:.0} at its 50,000th; ratio {:.2}",
            1.0 / first,
            1.0 / long,
            first / long
        );
    }
    c.final_summary();
}
