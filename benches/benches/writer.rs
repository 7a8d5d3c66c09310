//! Benches of `LogWriter::append_batch`: records per second for batches of
//! 1, 64 and 1024 signed odometer readings, on
//!
//! - `append_batch/memory/B`: the in-memory backend;
//! - `append_batch/sled/B`: a real sled store in a temporary directory.
//!   Every batch is one `apply_batch` **and one `flush`** (an fsync), so
//!   this is the durable cost the node pays per batch;
//! - `append_batch/sled_large/B`: the same on a sled log that already holds
//!   2^18 (262,144) entries, built once with large batches (its build time
//!   is printed), to show whether the cost per append grows with the log.
//!   2^20 entries would be the goal, but at 130-170 µs per entry (nearly
//!   all of it sled) they take about three minutes to build on a 2-core
//!   machine; `VLEDGER_BENCH_LARGE_LOG=1048576` builds them anyway.
//!
//! The memory and sled logs start with one record for each of the 10,000
//! VINs the records cycle through (so that VIN chains and the VIN index are
//! in their steady state, not empty), then keep growing across samples.
//! Records are signed before the clock starts; signing is never timed.
//! Each iteration appends one batch, and `Throughput::Elements` is the
//! batch size, so criterion's "thrpt" is records per second.
//!
//! The baseline, `writer_baseline/from_proto`, is what the node pays for
//! every request before the writer sees it: decoding a `SignedRecord` and
//! `verify_strict`. The closing table gives each bench's median per record
//! and its ratio to that baseline, all measured in this run. A last pass
//! (not a criterion measurement) splits a sled append into sled reads,
//! `apply_batch`, `flush` and the writer's own work.
//!
//! Run with `cargo bench -p vledger-benches --bench writer`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use tempfile::TempDir;
use vledger_benches::probe::{Snapshot, TimedSled};
use vledger_benches::summary::{Summary, format_ns};
use vledger_benches::{BenchKeys, OdometerStream, cpu_threads};
use vledger_log::store::{Backend, LogStore, MemoryBackend, SledBackend};
use vledger_log::writer::LogWriter;
use vledger_records::SignedRecord;

/// Batch sizes benched: one record (a lone submitter), a typical group
/// commit under load, and a large one.
const BATCHES: [usize; 3] = [1, 64, 1024];

/// Distinct VINs the records cycle through; also the size of the logs that
/// are not large (one record per VIN).
const VINS: u64 = 10_000;

/// Entries in the large log when benchmarking: 2^18, the most that builds
/// in about a minute here.
const LARGE_LOG: u64 = 1 << 18;

/// Log sizes under `cargo test --benches`, which runs each bench once just
/// to see that it works.
const TEST_LOG: u64 = 256;
const TEST_LARGE_LOG: u64 = 4096;

/// Records per `append_batch` while building a log.
const FILL_BATCH: usize = 16_384;

/// Records signed at a time while building a log.
const FILL_CHUNK: u64 = 131_072;

/// The writer's clock: a fixed time, so runs write the same bytes.
const NOW_MS: i64 = 1_760_000_000_000;

/// Whether criterion is measuring (`cargo bench`) rather than running each
/// bench once (`cargo test --benches`, `--test`) or listing them.
fn measuring() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list")
}

/// A log being benched, and where its record stream has got to.
struct BenchLog<B> {
    writer: LogWriter<B>,
    keys: BenchKeys,
    stream: OdometerStream,
    /// Stream number of the next record to append.
    next: u64,
    /// Holds a sled store's files; declared after the writer, so it is
    /// removed after the writer has closed the store.
    dir: Option<TempDir>,
}

impl<B: Backend> BenchLog<B> {
    /// A new log on `backend` with the bench's workshop key enrolled.
    fn new(keys: &BenchKeys, backend: B, dir: Option<TempDir>) -> Self {
        Self {
            writer: keys.new_log(backend, NOW_MS).expect("new log"),
            keys: keys.clone(),
            stream: OdometerStream::new(VINS),
            next: 0,
            dir,
        }
    }

    /// The next `n` records of the stream, signed (on every core).
    fn sign_next(&mut self, n: u64) -> Vec<SignedRecord> {
        let records =
            self.stream
                .sign(&self.keys.workshop, self.next..self.next + n, cpu_threads());
        self.next += n;
        records
    }

    /// Appends records in large batches until the log holds `entries`
    /// entries (or a little more: each batch also adds an index entry),
    /// and says how long that took.
    fn fill(&mut self, entries: u64) -> String {
        let (mut signing, mut appending, mut records) = (Duration::ZERO, Duration::ZERO, 0);
        while self.writer.tree_size() < entries {
            let n = (entries - self.writer.tree_size()).min(FILL_CHUNK);
            let t = Instant::now();
            let signed = self.sign_next(n);
            signing += t.elapsed();
            appending += append_all(&mut self.writer, &signed, FILL_BATCH);
            records += n;
        }
        format!(
            "{} entries; signing {:.1} s on {} threads, append_batch {:.1} s \
             ({:.1} µs per record in batches of {FILL_BATCH})",
            self.writer.tree_size(),
            signing.as_secs_f64(),
            cpu_threads(),
            appending.as_secs_f64(),
            appending.as_secs_f64() * 1e6 / records.max(1) as f64,
        )
    }

    /// One criterion iteration count's worth of work: signs `iters`
    /// batches (not timed), then appends them and returns the time.
    fn timed_batches(&mut self, iters: u64, batch: usize) -> Duration {
        let records = self.sign_next(iters * batch as u64);
        append_all(&mut self.writer, &records, batch)
    }
}

/// Appends `records` in batches of `batch` and returns the time it took.
///
/// # Panics
/// If the log refuses a record: a refused record costs far less than a
/// logged one, so such a bench would measure nothing.
fn append_all<B: Backend>(
    writer: &mut LogWriter<B>,
    records: &[SignedRecord],
    batch: usize,
) -> Duration {
    let start = Instant::now();
    for chunk in records.chunks(batch) {
        let result = writer
            .append_batch(chunk, NOW_MS)
            .expect("append_batch failed");
        if let Some(Err(refusal)) = result.outcomes.iter().find(|o| o.is_err()) {
            panic!("the log refused a bench record: {refusal}");
        }
        black_box(result);
    }
    start.elapsed()
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sampling_mode(SamplingMode::Flat);
}

fn baseline(c: &mut Criterion, keys: &BenchKeys, summary: &mut Summary) {
    let signed = OdometerStream::new(VINS).sign(&keys.workshop, 0..1, 1);
    let proto = signed[0].to_proto();
    let mut group = c.benchmark_group("writer_baseline");
    group.throughput(Throughput::Elements(1));
    group.bench_function("from_proto", |b| {
        b.iter_batched(
            || proto.clone(),
            |p| SignedRecord::from_proto(p).expect("valid record"),
            BatchSize::SmallInput,
        );
    });
    group.finish();
    summary.add("writer_baseline/from_proto", 1);
}

/// Benches every batch size on one log, built by `make` on first use (so
/// that filtering or listing benches builds nothing).
fn bench_log<B: Backend>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    summary: &mut Summary,
    name: &str,
    make: impl Fn() -> BenchLog<B>,
) -> Option<BenchLog<B>> {
    let mut log: Option<BenchLog<B>> = None;
    for batch in BATCHES {
        group.throughput(Throughput::Elements(batch as u64));
        let mut from = None;
        group.bench_with_input(BenchmarkId::new(name, batch), &batch, |b, &batch| {
            let log = log.get_or_insert_with(&make);
            from.get_or_insert(log.writer.tree_size());
            b.iter_custom(|iters| log.timed_batches(iters, batch));
        });
        if let (Some(from), Some(log)) = (from, &log) {
            eprintln!(
                "({name}/{batch} ran on a log of {from} to {} entries)",
                log.writer.tree_size()
            );
        }
        summary.add(format!("append_batch/{name}/{batch}"), batch as u64);
    }
    log
}

fn sled_log(keys: &BenchKeys) -> BenchLog<SledBackend> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let backend = SledBackend::open(dir.path()).expect("open sled");
    BenchLog::new(keys, backend, Some(dir))
}

/// The memory, sled and large sled benches. Returns the large log, if it
/// was built, for the breakdown.
fn append_batch(
    c: &mut Criterion,
    keys: &BenchKeys,
    summary: &mut Summary,
) -> Option<BenchLog<SledBackend>> {
    let (small, large) = if measuring() {
        let large = std::env::var("VLEDGER_BENCH_LARGE_LOG")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(LARGE_LOG);
        (VINS, large)
    } else {
        (TEST_LOG, TEST_LARGE_LOG)
    };
    let mut group = c.benchmark_group("append_batch");
    configure(&mut group);
    bench_log(&mut group, summary, "memory", || {
        let mut log = BenchLog::new(keys, MemoryBackend::new(), None);
        let done = log.fill(small);
        eprintln!("built the memory log: {done}");
        log
    });
    bench_log(&mut group, summary, "sled", || {
        let mut log = sled_log(keys);
        let done = log.fill(small);
        eprintln!("built the sled log: {done}");
        log
    });
    let large = bench_log(&mut group, summary, "sled_large", || {
        let started = Instant::now();
        let mut log = sled_log(keys);
        let done = log.fill(large);
        eprintln!(
            "built the large sled log in {:.1} s: {done}; {:.0} MiB on disk",
            started.elapsed().as_secs_f64(),
            log.dir.as_ref().map_or(0, |d| dir_size(d.path())) as f64 / 1_048_576.0
        );
        log
    });
    group.finish();
    large
}

/// Bytes in the files under `path`.
fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => dir_size(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    })
}

/// Appends `count` records in batches of `batch` to a log on a
/// [`TimedSled`] and prints how the time splits into sled reads, sled
/// `apply_batch`, sled `flush` and the rest (the writer's own work: rules,
/// encoding, hashing, the VIN index, signing the checkpoint).
fn breakdown(label: &str, log: &mut BenchLog<TimedSled>, batch: usize, count: u64) {
    let timings = log.writer.store().backend().timings();
    let records = log.sign_next(count);
    let before = timings.snapshot();
    let total = append_all(&mut log.writer, &records, batch);
    let d: Snapshot = timings.snapshot() - before;
    let n = count.max(1) as f64;
    let per = |t: Duration| format_ns(t.as_nanos() as f64 / n);
    let rest = total.saturating_sub(d.get + d.scan + d.apply_batch + d.flush);
    eprintln!(
        "{label}, batch {batch:>4}: {} per record = sled reads {} ({:.1} gets) \
         + apply_batch {} ({:.1} keys) + flush {} ({} per batch) + writer {}\n    \
         gets per record by key prefix: {}\n    writes per record by key prefix: {}",
        per(total),
        per(d.get + d.scan),
        d.gets as f64 / n,
        per(d.apply_batch),
        d.writes as f64 / n,
        per(d.flush),
        format_ns(d.flush.as_nanos() as f64 / d.applies.max(1) as f64),
        per(rest),
        Snapshot::by_prefix(&d.gets_by_prefix, n),
        Snapshot::by_prefix(&d.writes_by_prefix, n),
    );
}

/// Records appended by the breakdown for each batch size.
fn breakdown_count(batch: usize) -> u64 {
    match (measuring(), batch) {
        (false, _) => batch as u64,
        (true, 1) => 256,
        (true, b) => (b as u64 * 8).max(8192),
    }
}

/// The breakdown on a log like the `sled` bench's and, if it was built,
/// on the large one (closed, reopened on a [`TimedSled`], and warmed up
/// with one large batch first, since reopening empties sled's cache).
fn where_time_goes(keys: &BenchKeys, large: Option<BenchLog<SledBackend>>) {
    eprintln!(
        "\nWhere the time of a sled append goes (one pass each, not a criterion measurement):"
    );
    let small = if measuring() { VINS } else { TEST_LOG };
    let dir = tempfile::tempdir().expect("temporary directory");
    let backend = TimedSled::open(dir.path()).expect("open sled");
    let mut log = BenchLog::new(keys, backend, Some(dir));
    log.fill(small);
    let label = format!("log of {}", log.writer.tree_size());
    for batch in BATCHES {
        breakdown(&label, &mut log, batch, breakdown_count(batch));
    }
    drop(log);
    let Some(BenchLog {
        writer, next, dir, ..
    }) = large
    else {
        return;
    };
    drop(writer);
    let dir = dir.expect("the large log is on disk");
    let backend = TimedSled::open(dir.path()).expect("reopen sled");
    let store = LogStore::new(backend).expect("store");
    let mut log = BenchLog {
        writer: LogWriter::open(store, keys.log.clone()).expect("reopen the large log"),
        keys: keys.clone(),
        stream: OdometerStream::new(VINS),
        next,
        dir: Some(dir),
    };
    let warm = log.sign_next(breakdown_count(1024));
    append_all(&mut log.writer, &warm, 1024);
    let label = format!("log of {}", log.writer.tree_size());
    for batch in BATCHES {
        breakdown(&label, &mut log, batch, breakdown_count(batch));
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let keys = BenchKeys::new();
    let mut summary = Summary::new("writer_baseline/from_proto");
    baseline(&mut c, &keys, &mut summary);
    let large = append_batch(&mut c, &keys, &mut summary);
    c.final_summary();
    summary.print();
    if !std::env::args().any(|a| a == "--list") {
        where_time_goes(&keys, large);
    }
}
