//! `loadgen`: drives a vledger node with concurrent signed appends and
//! reports appends per second and latencies, against a baseline measured
//! in the same run.
//!
//! ```text
//! loadgen [--node URL | --spawn [--store postgres://…]] [--data DIR] --records N --concurrency C [--rate R] [--vins V]
//!         [--rounds R] [--channels K] [--warmup W] [--threads T] [--stream]
//!         [--vledger PATH] [--node-log FILE] [--node-arg ARG]...
//!         [--read proofs|tiles [--requests M] [--verify-every E] [--http URL]]
//! ```
//!
//! With `--spawn` it starts `vledger serve` (from `--vledger`, or next to
//! this executable) on a data directory (`--data`, or a temporary one) at
//! `127.0.0.1:0`, and stops it with SIGTERM at the end. With `--node` it
//! talks to a running node, whose data directory `--data` must name.
//!
//! It reads the admin key from the data directory, enrolls a fresh workshop
//! key, signs W + N odometer readings over V VINs (not timed), sends the W
//! warm-up records, then sends the N records in R timed rounds, each with C
//! appends in flight over K HTTP/2 connections. It prints appends per second
//! per round, their median and spread, latency percentiles over every timed
//! request, and the ratio of the median rate to the rate at which one core
//! of this machine runs `SignedRecord::from_proto` (decode and
//! `verify_strict`), measured in this run while the node is idle.
//!
//! With `--rate N`, the timed rounds are open loop instead: the appends
//! are offered at N per second, each sent at its scheduled time whatever
//! the answers before it, and each latency counts from that time, so
//! queueing in the node shows in p99 and max rather than lowering the
//! offered load. Either way it prints the CPU time this process and a
//! spawned node spent over the timed rounds, per append.
//!
//! With `--stream`, every round (and the warm-up) goes over `AppendStream`
//! instead, one stream per connection, with the same C appends in flight
//! in all (`vledger_benches::stream`).
//!
//! With `--read`, the appends above fill the log, and then M reads are
//! sent in R timed rounds with C in flight (`vledger_benches::reads`):
//! `proofs`, `GetInclusionProof` of random leaves against the checkpoint
//! reached, over K HTTP/2 connections, one answer in E verified; `tiles`,
//! GETs of random C2SP tile paths (hash tiles of levels 0 to 2, entry
//! bundles, the checkpoint) over C keep-alive HTTP/1.1 connections to the
//! node's tile API (a spawned node gets `--http-listen 127.0.0.1:0`; a
//! running one is named by `--http`), every answer compared with the tiles
//! fetched and verified against the checkpoint's root before timing. It
//! prints reads per second per round, their median and spread, latency
//! percentiles, the CPU time of this process and of a spawned node, and
//! the ratio to `verify_inclusion` per second on one core, measured in the
//! same run.
//!
//! Load goes to loopback addresses only, and every run is bounded: N
//! records, M reads, a per-request timeout (`--timeout`), and a time limit
//! per round (`--round-limit`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::{Parser, ValueEnum};
use ed25519_dalek::SigningKey;
use tonic::transport::{Channel, Endpoint};
use vledger_benches::node::{NodeProcess, find_vledger, is_loopback_url, read_admin_key};
use vledger_benches::reads::{self, ReadRound, Tally, Target, gather};
use vledger_benches::stats::{Latencies, median, min_max};
use vledger_benches::stream::{self, AppendRound as Round};
use vledger_benches::{OdometerStream, cpu_threads, enrollment_for};
use vledger_proto::v1 as pb;
use vledger_proto::v1::log_client::LogClient;
use vledger_records::{Role, SignedRecord};

/// Records the baseline decodes (the first of those later sent), per pass.
const BASELINE_RECORDS: u64 = 2000;

/// Drive a vledger node with concurrent signed appends.
#[derive(Debug, Parser)]
#[command(name = "loadgen")]
struct Args {
    /// A running node's gRPC URL (loopback only), e.g. http://127.0.0.1:6962.
    #[arg(long, conflicts_with = "spawn", required_unless_present = "spawn")]
    node: Option<String>,
    /// Start `vledger serve` on 127.0.0.1:0 and stop it at the end.
    #[arg(long)]
    spawn: bool,
    /// The node's data directory (its admin key is DIR/admin.key). Required
    /// with --node; with --spawn, default a temporary directory.
    #[arg(long)]
    data: Option<PathBuf>,
    /// The vledger binary for --spawn (default: next to this executable).
    #[arg(long)]
    vledger: Option<PathBuf>,
    /// Where the spawned node's log (stderr) goes (default: our stderr).
    /// Set VLEDGER_LOG=vledger_node=debug for per-batch timings.
    #[arg(long)]
    node_log: Option<PathBuf>,
    /// With --spawn, keep the node's log in this PostgreSQL database
    /// (`vledger serve --store URL`) instead of sled in the data directory.
    #[arg(long, requires = "spawn")]
    store: Option<String>,
    /// Extra argument for `vledger serve` (repeat), e.g. --node-arg=--quick-start.
    #[arg(long = "node-arg", allow_hyphen_values = true)]
    node_args: Vec<String>,
    /// Records to append in the timed rounds, in all.
    #[arg(long)]
    records: u64,
    /// Appends in flight at once (closed loop: each sends its next append
    /// when the last is answered).
    #[arg(long)]
    concurrency: usize,
    /// Open loop: offer this many appends per second, each sent at its
    /// scheduled time whatever the answers before it, with latency counted
    /// from that time (so a node that falls behind shows it). Replaces
    /// --concurrency's closed loop for the timed rounds.
    #[arg(long)]
    rate: Option<f64>,
    /// Distinct VINs the records cycle through.
    #[arg(long, default_value_t = 1000)]
    vins: u64,
    /// Timed rounds the records are split into (at least 3: the figure is
    /// their median).
    #[arg(long, default_value_t = 5)]
    rounds: u64,
    /// HTTP/2 connections the appends are spread over. With few appends
    /// in flight, several connections help; with many, one is as fast.
    #[arg(long, default_value_t = 4)]
    channels: usize,
    /// Untimed records sent first (default: a tenth of --records, at most 5000).
    #[arg(long)]
    warmup: Option<u64>,
    /// Worker threads of this client's async runtime.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Per-request timeout, in seconds.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Longest a round (or the warm-up) may take, in seconds; then its
    /// remaining appends are abandoned and counted as errors.
    #[arg(long, default_value_t = 300)]
    round_limit: u64,
    /// Send the appends over AppendStream, one stream per channel, with
    /// --concurrency in flight in all, instead of unary calls.
    #[arg(long, conflicts_with = "rate")]
    stream: bool,
    /// After the appends, measure reads: inclusion proofs over gRPC or
    /// tiles over HTTP.
    #[arg(long, value_enum)]
    read: Option<ReadMode>,
    /// Reads to send in the timed rounds, in all.
    #[arg(long, default_value_t = 200_000)]
    requests: usize,
    /// Verify one proof answer in this many (tile answers are all checked).
    #[arg(long, default_value_t = 4)]
    verify_every: usize,
    /// A running node's tile API (its --http-listen), for --read tiles with
    /// --node, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    http: Option<String>,
}

/// What `--read` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReadMode {
    /// `GetInclusionProof` over gRPC.
    Proofs,
    /// C2SP tiles and bundles over HTTP/1.1.
    Tiles,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.records == 0 || args.concurrency == 0 || args.channels == 0 {
        bail!("--records, --concurrency and --channels must be positive");
    }
    if args.rate.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
        bail!("--rate must be a positive number of appends per second");
    }
    if args.rounds < 3 || args.records < args.rounds {
        bail!("--rounds must be at least 3 (for a median and a spread) and at most --records");
    }
    if args.read.is_some() && (args.requests < args.rounds as usize || args.rounds < 5) {
        bail!("with --read, --rounds must be at least 5 and at most --requests");
    }
    let temp = tempfile::tempdir().context("cannot create a temporary directory")?;
    let mut http = match &args.http {
        Some(url) if !is_loopback_url(url) => {
            bail!("--http {url}: only http:// loopback addresses are allowed")
        }
        Some(url) => Some(
            url.trim_start_matches("http://")
                .trim_end_matches('/')
                .parse::<SocketAddr>()
                .with_context(|| format!("--http {url}: give http://IP:PORT"))?,
        ),
        None => None,
    };
    let (node, url, data) = if args.spawn {
        let vledger = find_vledger(args.vledger.as_deref())?;
        let data = args
            .data
            .clone()
            .unwrap_or_else(|| temp.path().join("data"));
        let mut node_args = args.node_args.clone();
        if args.read == Some(ReadMode::Tiles) {
            node_args.push("--http-listen=127.0.0.1:0".to_owned());
        }
        if let Some(url) = &args.store {
            node_args.extend(["--store".to_owned(), url.clone()]);
        }
        let node = NodeProcess::spawn(
            &vledger,
            &data,
            &node_args,
            args.node_log.as_deref(),
            Duration::from_secs(60),
        )?;
        http = http.or(node.http_addr());
        let url = node.url();
        eprintln!(
            "started {} (pid {}) on {url}, data {}",
            vledger.display(),
            node.pid(),
            data.display()
        );
        (Some(node), url, data)
    } else {
        let url = args.node.clone().context("--node or --spawn")?;
        if !is_loopback_url(&url) {
            bail!(
                "--node {url}: only http:// loopback addresses (127.0.0.0/8, [::1], localhost) are allowed"
            );
        }
        let data = args
            .data
            .clone()
            .context("--node needs --data DIR to read DIR/admin.key")?;
        (None, url, data)
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let node_pid = node.as_ref().map(NodeProcess::pid);
    let result = runtime.block_on(async {
        run(&args, &url, &data, node_pid).await?;
        match args.read {
            Some(mode) => read(&args, mode, &url, &data, http, node_pid).await,
            None => Ok(()),
        }
    });

    if let Some(node) = node {
        let status = node.stop(Duration::from_secs(30))?;
        eprintln!("node stopped: {status}");
    }
    result
}

/// Connects `count` channels (HTTP/2 connections) to `url`, and waits until
/// the node answers (it checks its store before serving).
async fn connect(
    url: &str,
    count: usize,
    concurrency: usize,
    timeout: Duration,
) -> anyhow::Result<Vec<LogClient<Channel>>> {
    let endpoint = Endpoint::from_shared(url.to_owned())?
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .buffer_size(concurrency.max(1024));
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut clients = Vec::with_capacity(count);
    for _ in 0..count {
        let channel = loop {
            match endpoint.connect().await {
                Ok(c) => break c,
                Err(_) if Instant::now() < deadline => retry_pause().await,
                Err(e) => return Err(e).with_context(|| format!("cannot connect to {url}")),
            }
        };
        clients.push(LogClient::new(channel).max_decoding_message_size(16 * 1024 * 1024));
    }
    loop {
        match clients[0]
            .get_checkpoint(pb::GetCheckpointRequest::default())
            .await
        {
            Ok(_) => return Ok(clients),
            Err(_) if Instant::now() < deadline => retry_pause().await,
            Err(e) => bail!("the node at {url} does not answer: {e}"),
        }
    }
}

/// Waits a little before retrying.
async fn retry_pause() {
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// The single-core rate of `SignedRecord::from_proto` on `protos`: the
/// median of 5 passes, in records per second.
///
/// # Errors
/// If a record does not pass (it would be measured cheaper than it is).
fn from_proto_rate(protos: &[pb::SignedRecord]) -> anyhow::Result<f64> {
    let mut rates = Vec::with_capacity(5);
    for _ in 0..5 {
        let copies = protos.to_vec();
        let start = Instant::now();
        for p in copies {
            std::hint::black_box(SignedRecord::from_proto(p)?);
        }
        rates.push(protos.len() as f64 / start.elapsed().as_secs_f64());
    }
    Ok(median(&rates).unwrap_or(0.0))
}

async fn run(
    args: &Args,
    url: &str,
    data: &std::path::Path,
    node_pid: Option<u32>,
) -> anyhow::Result<()> {
    let timeout = Duration::from_secs(args.timeout.max(1));
    let limit = Duration::from_secs(args.round_limit.max(1));
    let channels = match args.rate {
        Some(_) => args.channels,
        None => args.channels.min(args.concurrency),
    };
    let mut clients = connect(url, channels, args.concurrency, timeout).await?;
    let admin = read_admin_key(data)?;

    // Records are signed for the node's log: its checkpoints' origin.
    let note = clients[0]
        .get_checkpoint(pb::GetCheckpointRequest::default())
        .await
        .context("the node sent no checkpoint")?
        .into_inner()
        .checkpoint;
    let origin = note
        .lines()
        .next()
        .context("the node's checkpoint is empty")?
        .to_owned();

    // A fresh workshop key for this run, enrolled by the admin.
    let workshop = SigningKey::generate(&mut rand::rngs::OsRng);
    let enroll = enrollment_for(&origin, &admin, &workshop.verifying_key(), Role::Workshop);
    clients[0]
        .append(pb::AppendRequest {
            signed: Some(enroll.to_proto()),
            ..Default::default()
        })
        .await
        .context("the node refused the workshop key's enrollment")?;

    // The baseline, while the node is idle.
    let stream = OdometerStream::new(args.vins);
    let sample: Vec<pb::SignedRecord> = stream
        .sign_for(&origin, &workshop, 0..BASELINE_RECORDS, 1)
        .iter()
        .map(SignedRecord::to_proto)
        .collect();
    let baseline = from_proto_rate(&sample).context("a baseline record does not decode")?;

    let warmup = args.warmup.unwrap_or((args.records / 10).min(5000));
    let t = Instant::now();
    let signed = stream.sign_for(&origin, &workshop, 0..warmup + args.records, cpu_threads());
    let mut protos: Vec<pb::SignedRecord> = signed.iter().map(SignedRecord::to_proto).collect();
    drop(signed);
    eprintln!(
        "signed {} records over {} VINs in {:.1} s (not timed); baseline from_proto: {:.0}/s on one core",
        protos.len(),
        args.vins,
        t.elapsed().as_secs_f64(),
        baseline
    );

    let timed = protos.split_off(warmup as usize);
    if warmup > 0 {
        let r = send(args, &clients, protos, limit).await;
        eprintln!(
            "warm-up: {} appends in {:.2} s, {} errors",
            r.ok,
            r.elapsed.as_secs_f64(),
            r.errors
        );
        if let Some(e) = r.first_error {
            bail!("warm-up append failed: {e}");
        }
    }

    let per_round = timed.len().div_ceil(args.rounds as usize);
    let mut rates = Vec::new();
    let mut latencies = Vec::new();
    let (mut errors, mut duplicates) = (0, 0);
    let mut first_error = None;
    let mut rest = timed;
    let mut n = 0;
    let cpu_before = (reads::cpu_time(None), reads::cpu_time(node_pid));
    while !rest.is_empty() {
        n += 1;
        let tail = rest.split_off(per_round.min(rest.len()));
        let r = match args.rate {
            Some(rate) => open_round(&clients, rest, rate, limit).await,
            None => send(args, &clients, rest, limit).await,
        };
        rest = tail;
        let rate = r.ok as f64 / r.elapsed.as_secs_f64();
        println!(
            "round {n}: {} appends in {:.2} s = {rate:.0} appends/s ({} errors)",
            r.ok,
            r.elapsed.as_secs_f64(),
            r.errors
        );
        rates.push(rate);
        latencies.extend(r.latencies);
        errors += r.errors;
        duplicates += r.duplicates;
        first_error = first_error.or(r.first_error);
    }
    let cpu_after = (reads::cpu_time(None), reads::cpu_time(node_pid));
    clients.clear();

    let med = median(&rates).unwrap_or(0.0);
    let (lo, hi) = min_max(&rates).unwrap_or((0.0, 0.0));
    let load = match args.rate {
        Some(rate) => format!("open loop at {rate:.0} appends/s offered"),
        None if args.stream => format!("AppendStream, concurrency {}", args.concurrency),
        None => format!("concurrency {}", args.concurrency),
    };
    println!(
        "{load}, {} channel(s), {} client threads, {} VINs: median {med:.0} appends/s over {} rounds (min {lo:.0}, max {hi:.0}, spread {:.0}%)",
        channels,
        args.threads,
        args.vins,
        rates.len(),
        if med > 0.0 {
            (hi - lo) / med * 100.0
        } else {
            0.0
        },
    );
    if let Some(l) = Latencies::of(&latencies) {
        println!("latency: {l}");
    }
    let appends = latencies.len().max(1) as f64;
    let per_append = |before: Option<Duration>, after: Option<Duration>| {
        let (Some(b), Some(a)) = (before, after) else {
            return "not measured".to_owned();
        };
        let spent = a.saturating_sub(b);
        format!(
            "{:.2} s ({:.1} µs per append)",
            spent.as_secs_f64(),
            spent.as_secs_f64() * 1e6 / appends
        )
    };
    println!(
        "cpu over the timed rounds: client {}, node {}",
        per_append(cpu_before.0, cpu_after.0),
        per_append(cpu_before.1, cpu_after.1)
    );
    println!(
        "baseline: SignedRecord::from_proto {baseline:.0}/s on one core; ratio appends/s / baseline = {:.2}",
        med / baseline
    );
    if duplicates > 0 {
        println!("{duplicates} appends came back as duplicates (unexpected: every record is new)");
    }
    if let Some(e) = first_error {
        bail!("{errors} appends failed; the first: {e}");
    }
    Ok(())
}

/// One round of appends: unary calls, or `AppendStream` with `--stream`.
async fn send(
    args: &Args,
    clients: &[LogClient<Channel>],
    protos: Vec<pb::SignedRecord>,
    limit: Duration,
) -> Round {
    if !args.stream {
        return round(clients, protos, args.concurrency, limit).await;
    }
    stream::round(clients, protos, args.concurrency, limit).await
}

/// Sends every record in `protos` with `concurrency` appends in flight,
/// spread round-robin over `clients`, and measures the whole and each
/// append.
async fn round(
    clients: &[LogClient<Channel>],
    protos: Vec<pb::SignedRecord>,
    concurrency: usize,
    limit: Duration,
) -> Round {
    let protos = Arc::new(protos);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..concurrency.min(protos.len()).max(1) {
        let mut client = clients[t % clients.len()].clone();
        let (protos, next) = (Arc::clone(&protos), Arc::clone(&next));
        tasks.spawn(async move {
            let mut r = Round::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = protos.get(i) else { break };
                let request = pb::AppendRequest {
                    signed: Some(p.clone()),
                    ..Default::default()
                };
                let sent = Instant::now();
                let answer = client.append(request).await;
                r.answer(answer, sent.elapsed());
            }
            r
        });
    }
    gather(tasks, protos.len(), start, limit).await
}

/// Sends the records in `protos` at `rate` per second, each at its
/// scheduled time whatever the answers before it (open loop), spread
/// round-robin over `clients`; each latency counts from the scheduled
/// time.
async fn open_round(
    clients: &[LogClient<Channel>],
    protos: Vec<pb::SignedRecord>,
    rate: f64,
    limit: Duration,
) -> Round {
    let count = protos.len();
    let start = Instant::now();
    let due = tokio::time::Instant::from_std(start);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, p) in protos.into_iter().enumerate() {
        let at = due + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(at).await;
        let mut client = clients[i % clients.len()].clone();
        tasks.spawn(async move {
            let mut r = Round::default();
            let request = pb::AppendRequest {
                signed: Some(p),
                ..Default::default()
            };
            let answer = client.append(request).await;
            r.answer(answer, at.elapsed());
            r
        });
    }
    gather(tasks, count, start, limit).await
}

/// A proof of one leaf, for the baseline: the leaf's index, its entry and
/// the proof's hashes.
type BaselineProof = (u64, Vec<u8>, Vec<vledger_tlog::Hash>);

/// The checkpoint the node serves now, opened with the log key in `data`,
/// as the target of the reads, and a proof of one leaf under it.
async fn target(
    client: &mut LogClient<Channel>,
    data: &std::path::Path,
) -> anyhow::Result<(Target, BaselineProof)> {
    let vkey = std::fs::read_to_string(data.join("log.vkey")).context("cannot read log.vkey")?;
    let log_key = vledger_tlog::note::VerifierKey::parse(vkey.trim())?;
    let note = client
        .get_checkpoint(pb::GetCheckpointRequest::default())
        .await?
        .into_inner()
        .checkpoint;
    let checkpoint = vledger_tlog::note::open_checkpoint(&note, &log_key)
        .context("the node's checkpoint does not verify")?;
    let target = Target {
        size: checkpoint.size().0,
        root: *checkpoint.root(),
        note,
    };
    let index = target.size / 2;
    let proof = client
        .get_inclusion_proof(pb::GetInclusionProofRequest {
            index,
            tree_size: target.size,
            ..Default::default()
        })
        .await?
        .into_inner()
        .proof;
    reads::check_proof(&proof, index, &target).map_err(anyhow::Error::msg)?;
    let proof = vledger_tlog::note::TlogProof::parse(&proof)?;
    Ok((
        target,
        (index, proof.extra.unwrap_or_default(), proof.hashes),
    ))
}

/// The read phase: `args.requests` reads of `mode` in timed rounds.
async fn read(
    args: &Args,
    mode: ReadMode,
    url: &str,
    data: &std::path::Path,
    http: Option<SocketAddr>,
    node_pid: Option<u32>,
) -> anyhow::Result<()> {
    let timeout = Duration::from_secs(args.timeout.max(1));
    let limit = Duration::from_secs(args.round_limit.max(1));
    let channels = match args.rate {
        Some(_) => args.channels,
        None => args.channels.min(args.concurrency),
    };
    let clients = connect(url, channels, args.concurrency, timeout).await?;
    let (target, (index, entry, hashes)) = target(&mut clients[0].clone(), data).await?;
    let target = Arc::new(target);
    let baseline =
        reads::verify_inclusion_rate(&vledger_tlog::leaf_hash(&entry), index, &hashes, &target)?;
    eprintln!(
        "reads against the checkpoint of tree size {}; baseline verify_inclusion: {baseline:.0}/s on one core",
        target.size
    );
    let mut tiles = None;
    let mut connections = Vec::new();
    if mode == ReadMode::Tiles {
        let addr = http.context("--read tiles needs the tile API: --spawn, or --http URL")?;
        let t = Instant::now();
        let set = reads::fetch_tile_set(addr, &target).await?;
        eprintln!(
            "fetched and verified {} tile paths in {:.1} s (not timed)",
            set.paths.len(),
            t.elapsed().as_secs_f64()
        );
        tiles = Some(Arc::new(set));
        for _ in 0..args.concurrency {
            connections.push(reads::connect_http(addr).await?);
        }
    }

    let per_round = args.requests.div_ceil(args.rounds as usize);
    let (mut rates, mut latencies) = (Vec::new(), Vec::new());
    let mut total = ReadRound::default();
    let (mut node_cpu, mut client_cpu, mut wall) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for n in 1..=args.rounds {
        let node_before = node_pid.and_then(|p| reads::cpu_time(Some(p)));
        let client_before = reads::cpu_time(None);
        let mut r = match &tiles {
            None => {
                reads::proof_round(
                    &clients,
                    &target,
                    per_round,
                    args.concurrency,
                    args.verify_every,
                    limit,
                )
                .await
            }
            Some(set) => {
                let (r, kept) = reads::tile_round(connections, set, per_round, limit).await;
                connections = kept;
                r
            }
        };
        if let (Some(b), Some(a)) = (node_before, node_pid.and_then(|p| reads::cpu_time(Some(p)))) {
            node_cpu += a.saturating_sub(b);
        }
        if let (Some(b), Some(a)) = (client_before, reads::cpu_time(None)) {
            client_cpu += a.saturating_sub(b);
        }
        wall += r.elapsed;
        let rate = r.ok as f64 / r.elapsed.as_secs_f64();
        println!(
            "round {n}: {} reads in {:.2} s = {rate:.0} reads/s ({} checked, {} errors)",
            r.ok,
            r.elapsed.as_secs_f64(),
            r.checked,
            r.errors
        );
        rates.push(rate);
        latencies.append(&mut r.latencies);
        total.add(r);
    }
    let med = median(&rates).unwrap_or(0.0);
    let (lo, hi) = min_max(&rates).unwrap_or((0.0, 0.0));
    let what = match mode {
        ReadMode::Proofs => format!("inclusion proofs over gRPC, {channels} channel(s)"),
        ReadMode::Tiles => format!("tiles over HTTP/1.1, {} connections", args.concurrency),
    };
    println!(
        "{what}, concurrency {}, {} client threads, tree size {}: median {med:.0} reads/s over {} rounds (min {lo:.0}, max {hi:.0}, spread {:.0}%); {} answers checked",
        args.concurrency,
        args.threads,
        target.size,
        rates.len(),
        if med > 0.0 {
            (hi - lo) / med * 100.0
        } else {
            0.0
        },
        total.checked,
    );
    if let Some(l) = Latencies::of(&latencies) {
        println!("latency: {l}");
    }
    let secs = wall.as_secs_f64().max(1e-9);
    let per_read = |cpu: Duration| cpu.as_secs_f64() * 1e6 / total.ok.max(1) as f64;
    print!(
        "CPU: loadgen {:.2} cores ({:.1} µs per read)",
        client_cpu.as_secs_f64() / secs,
        per_read(client_cpu)
    );
    if node_pid.is_some() {
        print!(
            ", node {:.2} cores ({:.1} µs per read)",
            node_cpu.as_secs_f64() / secs,
            per_read(node_cpu)
        );
    }
    println!();
    println!(
        "baseline: verify_inclusion {baseline:.0}/s on one core; ratio reads/s / baseline = {:.3}",
        med / baseline
    );
    if let Some(e) = total.first_error {
        bail!(
            "{} reads failed or were wrong; the first: {e}",
            total.errors
        );
    }
    Ok(())
}
