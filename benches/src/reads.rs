//! Read load for the load generator: inclusion proofs over gRPC and C2SP
//! tiles over HTTP/1.1, with every counted answer checked.
//!
//! - Proofs: `GetInclusionProof` of random leaves against one checkpoint
//!   (its tree size given in each request); one answer in `verify_every`
//!   is parsed and its inclusion verified against the checkpoint's root,
//!   with the entry's bytes it carries; one that fails counts as an error.
//! - Tiles: before the timed rounds every tile and bundle of the tree at
//!   the checkpoint is fetched once and verified against its root
//!   ([`verify_tiles`], [`verify_bundle`]); the timed requests then ask for
//!   random paths among the hash tiles of levels 0 to 2, the bundles and
//!   `/checkpoint`, over keep-alive connections, and every answer must be
//!   byte for byte the verified one.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use http_body_util::{BodyExt as _, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rand::{Rng as _, SeedableRng as _};
use tonic::transport::Channel;
use vledger_proto::v1 as pb;
use vledger_proto::v1::log_client::LogClient;
use vledger_tlog::hash::Hash;
use vledger_tlog::leaf_hash;
use vledger_tlog::merkle::{LeafIndex, TreeSize, verify_inclusion};
use vledger_tlog::note::TlogProof;
use vledger_tlog::tile::{
    TileId, TileSource, decode_tile, entries_path, hash_tile_path, verify_bundle, verify_tiles,
};

/// The checkpoint reads are made against.
#[derive(Debug, Clone)]
pub struct Target {
    /// The signed note, as the node serves it.
    pub note: String,
    /// Its tree size.
    pub size: u64,
    /// Its root hash.
    pub root: Hash,
}

/// What one timed round of reads measured.
#[derive(Debug, Default)]
pub struct ReadRound {
    /// Answers received and, where checked, correct.
    pub ok: usize,
    /// Answers checked (the others were only counted).
    pub checked: usize,
    /// Failed requests and wrong answers, and the first of them.
    pub errors: usize,
    /// The first failure.
    pub first_error: Option<String>,
    /// Wall time of the round.
    pub elapsed: Duration,
    /// Latency of each OK request.
    pub latencies: Vec<Duration>,
}

impl Tally for ReadRound {
    fn add(&mut self, other: Self) {
        self.ok += other.ok;
        self.checked += other.checked;
        self.errors += other.errors;
        self.first_error = self.first_error.take().or(other.first_error);
        self.latencies.extend(other.latencies);
    }

    fn fail(&mut self, count: usize, error: String) {
        self.errors += count;
        self.first_error.get_or_insert(error);
    }

    fn answered(&self) -> usize {
        self.ok + self.errors
    }

    fn finish(&mut self, elapsed: Duration) {
        self.elapsed = elapsed;
    }
}

/// CPU time (user and system) used so far by process `pid`, or by this
/// process for `None`, from `/proc/<pid>/stat`.
#[must_use]
pub fn cpu_time(pid: Option<u32>) -> Option<Duration> {
    let path = pid.map_or_else(
        || "/proc/self/stat".to_owned(),
        |p| format!("/proc/{p}/stat"),
    );
    let stat = std::fs::read_to_string(path).ok()?;
    // The command name may hold spaces: fields are counted after its ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // Fields 14 and 15 of proc(5), utime and stime, in clock ticks.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let ticks = rustix::param::clock_ticks_per_second().max(1);
    Some(Duration::from_secs_f64(
        (utime + stime) as f64 / ticks as f64,
    ))
}

/// Checks one tlog-proof answer for leaf `index` against `target`: the
/// checkpoint is the target's, and the entry it carries is included under
/// the target's root.
///
/// # Errors
/// What is wrong with it.
pub fn check_proof(text: &str, index: u64, target: &Target) -> Result<(), String> {
    let proof = TlogProof::parse(text).map_err(|e| format!("proof of {index}: {e}"))?;
    if proof.index != LeafIndex(index) || proof.checkpoint != target.note {
        return Err(format!("proof of {index}: another leaf or checkpoint"));
    }
    let entry = proof
        .extra
        .as_deref()
        .ok_or_else(|| format!("proof of {index}: no entry"))?;
    verify_inclusion(
        &leaf_hash(entry),
        LeafIndex(index),
        TreeSize(target.size),
        &proof.hashes,
        &target.root,
    )
    .map_err(|e| format!("proof of {index}: {e}"))
}

/// `verify_inclusion` per second on one core: the median of 5 passes over
/// `proof` (the hashes of a proof of `index` to `leaf` in `target`).
///
/// # Errors
/// If the proof does not verify (it would be measured cheaper than it is).
pub fn verify_inclusion_rate(
    leaf: &Hash,
    index: u64,
    proof: &[Hash],
    target: &Target,
) -> anyhow::Result<f64> {
    const N: u32 = 20_000;
    let mut rates = Vec::with_capacity(5);
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..N {
            verify_inclusion(
                std::hint::black_box(leaf),
                LeafIndex(index),
                TreeSize(target.size),
                std::hint::black_box(proof),
                &target.root,
            )
            .context("the baseline proof does not verify")?;
        }
        rates.push(f64::from(N) / start.elapsed().as_secs_f64());
    }
    Ok(crate::stats::median(&rates).unwrap_or(0.0))
}

/// Runs `requests` inclusion proofs of random leaves of `target`, with
/// `concurrency` in flight over `clients`, checking one in `verify_every`.
pub async fn proof_round(
    clients: &[LogClient<Channel>],
    target: &Arc<Target>,
    requests: usize,
    concurrency: usize,
    verify_every: usize,
    limit: Duration,
) -> ReadRound {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..concurrency.max(1) {
        let mut client = clients[t % clients.len()].clone();
        let (target, next) = (Arc::clone(target), Arc::clone(&next));
        tasks.spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(t as u64);
            let mut r = ReadRound::default();
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                let index = rng.gen_range(0..target.size);
                let request = pb::GetInclusionProofRequest {
                    index,
                    tree_size: target.size,
                    ..Default::default()
                };
                let sent = Instant::now();
                match client.get_inclusion_proof(request).await {
                    Ok(resp) => {
                        let latency = sent.elapsed();
                        if (r.ok + r.errors).is_multiple_of(verify_every.max(1)) {
                            r.checked += 1;
                            if let Err(e) = check_proof(&resp.into_inner().proof, index, &target) {
                                r.fail(1, e);
                                continue;
                            }
                        }
                        r.ok += 1;
                        r.latencies.push(latency);
                    }
                    Err(s) => r.fail(1, format!("{:?}: {}", s.code(), s.message())),
                }
            }
            r
        });
    }
    gather(tasks, requests, start, limit).await
}

/// What a timed round counts, as its tasks report it.
pub trait Tally: Default + Send + 'static {
    /// Adds `other`'s counts and latencies to these.
    fn add(&mut self, other: Self);
    /// Counts `count` requests as failed, the first with `error`.
    fn fail(&mut self, count: usize, error: String);
    /// Requests answered so far, well or not.
    fn answered(&self) -> usize;
    /// Sets the round's wall time.
    fn finish(&mut self, elapsed: Duration);
}

/// Collects the rounds of `tasks`, which send `requests` in all from
/// `start`, abandoning them after `limit`; the per-request timeout bounds
/// each request. Requests no task reported (it failed, or ran out of time)
/// count as failed.
pub async fn gather<T: Tally>(
    mut tasks: tokio::task::JoinSet<T>,
    requests: usize,
    start: Instant,
    limit: Duration,
) -> T {
    let mut total = T::default();
    let deadline = tokio::time::Instant::from_std(start) + limit;
    let mut late = false;
    loop {
        match tokio::time::timeout_at(deadline, tasks.join_next()).await {
            Ok(Some(Ok(r))) => total.add(r),
            Ok(Some(Err(e))) => total.fail(0, format!("a client task failed: {e}")),
            Ok(None) => break,
            Err(_) => {
                tasks.abort_all();
                late = true;
                break;
            }
        }
    }
    // What a task that failed or ran out of time did not report.
    let left = requests.saturating_sub(total.answered());
    if left > 0 {
        total.fail(
            left,
            if late {
                format!("the round took longer than {limit:?}; {left} requests unaccounted for")
            } else {
                format!("{left} requests unaccounted for")
            },
        );
    }
    total.finish(start.elapsed());
    total
}

/// The tile paths the timed requests choose from, each with its verified
/// body.
#[derive(Debug)]
pub struct TileSet {
    /// Paths, e.g. `/tile/0/001`, `/tile/entries/000.p/17`, `/checkpoint`.
    pub paths: Vec<String>,
    /// The verified body of each path.
    pub bodies: Vec<Bytes>,
}

/// Tiles fetched over HTTP, as a [`TileSource`] for [`verify_tiles`].
struct Fetched(BTreeMap<TileId, Arc<[Hash]>>);

impl TileSource for Fetched {
    type Error = std::io::Error;

    fn read_tiles(&self, tiles: &[(TileId, u16)]) -> Result<Vec<Arc<[Hash]>>, Self::Error> {
        tiles
            .iter()
            .map(|(t, _)| {
                self.0
                    .get(t)
                    .cloned()
                    .ok_or_else(|| std::io::Error::other(format!("tile {t:?} not fetched")))
            })
            .collect()
    }
}

/// An HTTP/1.1 connection to `addr`, with TCP_NODELAY.
///
/// # Errors
/// When it cannot connect.
pub async fn connect_http(addr: SocketAddr) -> anyhow::Result<SendRequest<Empty<Bytes>>> {
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .with_context(|| format!("cannot connect to {addr}"))?;
    tcp.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

/// GETs `path` on `sender`'s connection: its status and body.
///
/// # Errors
/// When the request fails.
pub async fn get(
    sender: &mut SendRequest<Empty<Bytes>>,
    path: &str,
) -> anyhow::Result<(u16, Bytes)> {
    sender.ready().await?;
    let request = hyper::Request::get(path)
        .header(hyper::header::HOST, "127.0.0.1")
        .body(Empty::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// Fetches every tile and bundle of the tree at `target` from the tile API
/// at `addr` and verifies them against its root; returns the paths of the
/// hash tiles of levels 0 to 2, of the bundles, and `/checkpoint`, with
/// their bodies.
///
/// # Errors
/// When a fetch fails or anything does not verify.
pub async fn fetch_tile_set(addr: SocketAddr, target: &Target) -> anyhow::Result<TileSet> {
    let mut http = connect_http(addr).await?;
    let (status, note) = get(&mut http, "/checkpoint").await?;
    if status != 200 || note[..] != *target.note.as_bytes() {
        bail!("/checkpoint is not the checkpoint the reads are made against ({status})");
    }
    let size = TreeSize(target.size);
    let mut set = TileSet {
        paths: vec!["/checkpoint".to_owned()],
        bodies: vec![note],
    };
    let mut tiles = BTreeMap::new();
    for (tile, width) in TileId::all(size) {
        let path = format!("/{}", hash_tile_path(tile, width));
        let (status, body) = get(&mut http, &path).await?;
        let hashes = decode_tile(&body)
            .filter(|_| status == 200)
            .with_context(|| format!("{path}: status {status}, {} bytes", body.len()))?;
        tiles.insert(tile, Arc::from(hashes));
        if tile.level <= 2 {
            set.paths.push(path);
            set.bodies.push(body);
        }
    }
    let tiles = Fetched(tiles);
    verify_tiles(size, &target.root, &tiles).context("the tiles do not verify")?;
    for (tile, width) in TileId::all(size) {
        if tile.level != 0 {
            continue;
        }
        let path = format!("/{}", entries_path(tile.index, width));
        let (status, body) = get(&mut http, &path).await?;
        if status != 200 {
            bail!("{path}: status {status}");
        }
        verify_bundle::<std::io::Error>(tile.index, &body, &tiles.0[&tile])
            .with_context(|| format!("{path} does not verify"))?;
        set.paths.push(path);
        set.bodies.push(body);
    }
    Ok(set)
}

/// Runs `requests` GETs of random paths of `set` over `connections`, one
/// request in flight on each; every answer must be the verified body.
/// Returns the connections for the next round.
pub async fn tile_round(
    connections: Vec<SendRequest<Empty<Bytes>>>,
    set: &Arc<TileSet>,
    requests: usize,
    limit: Duration,
) -> (ReadRound, Vec<SendRequest<Empty<Bytes>>>) {
    let next = Arc::new(AtomicUsize::new(0));
    let kept = Arc::new(std::sync::Mutex::new(Vec::with_capacity(connections.len())));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (t, mut http) in connections.into_iter().enumerate() {
        let (set, next, kept) = (Arc::clone(set), Arc::clone(&next), Arc::clone(&kept));
        tasks.spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(t as u64);
            let mut r = ReadRound::default();
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                let i = rng.gen_range(0..set.paths.len());
                let sent = Instant::now();
                match get(&mut http, &set.paths[i]).await {
                    Ok((200, body)) if body == set.bodies[i] => {
                        r.latencies.push(sent.elapsed());
                        r.ok += 1;
                        r.checked += 1;
                    }
                    Ok((status, _)) => {
                        r.fail(
                            1,
                            format!("{}: status {status} or a wrong body", set.paths[i]),
                        );
                    }
                    Err(e) => {
                        r.fail(1, format!("{}: {e}", set.paths[i]));
                        break;
                    }
                }
            }
            kept.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(http);
            r
        });
    }
    let round = gather(tasks, requests, start, limit).await;
    let connections = std::mem::take(
        &mut *kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    (round, connections)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vledger_tlog::merkle::{MemoryHashes, inclusion_proof};
    use vledger_tlog::note::{Checkpoint, Signer, sign_checkpoint};

    #[test]
    fn proofs_are_checked_against_the_target() {
        let entries: Vec<Vec<u8>> = (0u32..300).map(|i| i.to_be_bytes().to_vec()).collect();
        let tree = MemoryHashes::from_leaf_hashes(entries.iter().map(|e| leaf_hash(e)));
        let signer = Signer::new(
            "example.com/log",
            ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
        )
        .unwrap();
        let checkpoint = Checkpoint::new("example.com/log", TreeSize(300), tree.root()).unwrap();
        let target = Target {
            note: sign_checkpoint(&checkpoint, &signer),
            size: 300,
            root: tree.root(),
        };
        let other = sign_checkpoint(
            &Checkpoint::new("example.com/log", TreeSize(301), tree.root()).unwrap(),
            &signer,
        );
        let text = |index: u64, entry: &[u8], note: &str| {
            TlogProof {
                extra: Some(entry.to_vec()),
                index: LeafIndex(index),
                hashes: inclusion_proof(LeafIndex(index), TreeSize(300), &tree).unwrap(),
                checkpoint: note.to_owned(),
            }
            .to_text()
        };
        assert_eq!(
            check_proof(&text(7, &entries[7], &target.note), 7, &target),
            Ok(())
        );
        // Another entry's bytes, another leaf, another checkpoint: refused.
        assert!(check_proof(&text(7, &entries[8], &target.note), 7, &target).is_err());
        assert!(check_proof(&text(7, &entries[7], &target.note), 8, &target).is_err());
        assert!(check_proof(&text(7, &entries[7], &other), 7, &target).is_err());
        assert!(check_proof("not a proof", 7, &target).is_err());
        let rate = verify_inclusion_rate(
            &leaf_hash(&entries[7]),
            7,
            &inclusion_proof(LeafIndex(7), TreeSize(300), &tree).unwrap(),
            &target,
        )
        .unwrap();
        assert!(rate > 0.0);
    }

    #[test]
    fn reads_this_process_cpu_time() {
        let before = cpu_time(None).unwrap();
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        assert!(cpu_time(None).unwrap() >= before);
        assert!(cpu_time(Some(u32::MAX)).is_none());
    }
}
