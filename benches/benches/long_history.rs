//! Appends to a VIN at its 1st record and at its 100,000th: a record must
//! cost the same whatever the length of its VIN's history; and that
//! history of 100,000 records served and checked in pages of at most
//! 1 MiB.
//!
//! - `long_history/1st`: each batch is the first 100 odometer readings of
//!   a new VIN, on a sled log;
//! - `long_history/100000th`: each batch is 100 more readings of one VIN
//!   that already has 100,000 (built once, untimed; its build rate is
//!   printed), on another sled log.
//! - before that bench appends to it, the 100,000-record history is built
//!   page by page as the node builds them (each page checked alone and
//!   encoded), then the pages are decoded, joined and the bundle verified
//!   as `vledger-verify` does; the pages, their bytes and both times are
//!   printed (once: each takes seconds).
//!
//! Records are signed before the clock starts. `Throughput::Elements` is
//! the batch size, so criterion's "thrpt" is records per second; the
//! closing line gives the ratio of the two medians, measured in this run.
//!
//! Run with `cargo bench -p vledger-benches --bench long_history`.

use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use vledger_benches::{BenchKeys, EVENT_TIME, OdometerStream, cpu_threads};
use vledger_log::pages::{FRAME_BYTES, MAX_PAGE_BYTES, PageStart, build_page};
use vledger_log::store::SledBackend;
use vledger_log::writer::LogWriter;
use vledger_records::SignedRecord;
use vledger_tlog::note::VerifierKey;
use vledger_verification::history::verify_history;
use vledger_verification::pages::{HistoryPage, merge_pages, verify_page};

/// Records of the long history.
const HISTORY: u64 = 100_000;
/// Records per timed batch.
const BATCH: usize = 100;
/// Records signed for each timed bench: more than it can append in its
/// measurement time.
const TIMED: u64 = 1_000_000;
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

/// Serves the history of the log's one long VIN in pages of at most 1 MiB
/// as the node does (build, check alone, encode), then decodes, joins and
/// verifies them as the buyer's tools do; prints what it took.
fn pages(writer: &LogWriter<SledBackend>, log_key: &VerifierKey, vin: &vledger_records::Vin) {
    let (mut built, mut alone, mut encoded) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut texts: Vec<String> = Vec::new();
    let mut start = PageStart::Head;
    loop {
        let t = Instant::now();
        let page =
            build_page(writer.store(), vin, start, MAX_PAGE_BYTES - FRAME_BYTES).expect("page");
        built += t.elapsed();
        let t = Instant::now();
        let cp = verify_page(&page, log_key).expect("page verifies");
        alone += t.elapsed();
        let t = Instant::now();
        texts.push(serde_json::to_string(&page).expect("encode"));
        encoded += t.elapsed();
        match page.next {
            Some(next) => {
                start = PageStart::After {
                    tree_size: cp.size().0,
                    next,
                };
            }
            None => break,
        }
    }
    let served = built + alone + encoded;
    let started = Instant::now();
    let pages: Vec<HistoryPage> = texts
        .iter()
        .map(|t| serde_json::from_str(t).expect("decode"))
        .collect();
    let verified = verify_history(&merge_pages(pages).expect("join"), log_key).expect("verifies");
    let checked = started.elapsed();
    let bytes: usize = texts.iter().map(String::len).sum();
    let largest = texts.iter().map(String::len).max().unwrap_or(0);
    assert!(largest + FRAME_BYTES <= MAX_PAGE_BYTES);
    println!(
        "long_history/pages: {} records in {} pages, {:.1} MiB ({:.1} KiB per record, largest page {} bytes); \
         served in {:.2} s, {:.1} ms per page (built {:.2} s, checked alone {:.2} s, encoded {:.2} s); \
         decoded, joined and verified in {:.2} s ({:.1} µs per record)",
        verified.records.len(),
        texts.len(),
        bytes as f64 / f64::from(1 << 20),
        bytes as f64 / 1024.0 / verified.records.len() as f64,
        largest,
        served.as_secs_f64(),
        served.as_secs_f64() * 1e3 / texts.len() as f64,
        built.as_secs_f64(),
        alone.as_secs_f64(),
        encoded.as_secs_f64(),
        checked.as_secs_f64(),
        checked.as_secs_f64() * 1e6 / verified.records.len() as f64,
    );
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
        ("100000th", history, long_timed),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut writer = log_with(&keys, dir.path(), fill);
        if let Some(first) = fill.first() {
            let vin = first.record().vin.clone().expect("a VIN");
            pages(&writer, &keys.log.verifier_key(), &vin);
        }
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
            "long_history: {:.0} appends/s at a VIN's 1st record, {:.0} at its 100,000th; ratio {:.2}",
            1.0 / first,
            1.0 / long,
            first / long
        );
    }
    c.final_summary();
}
