//! `vledger mirror`: copies a log's tiles into a directory that any static
//! web server, object store or CDN can serve on the C2SP tlog-tiles paths,
//! verifying everything it copies.
//!
//! Each run fetches `/checkpoint` and opens it with the log key (and the
//! witness policy, when given), fetches the tiles and entry bundles the
//! directory lacks (full ones are kept from earlier runs: they never
//! change; partial ones are fetched again at their new width) into a
//! staging directory, and checks them all against the checkpoint: every
//! tile as wide as the tree size makes it, every full tile hashing to its
//! hash in the tile above, the root of them all the checkpoint's, every
//! entry hashing to its leaf hash, and the earlier checkpoint of the mirror
//! the root of a prefix of the new tree. Only then are the new files moved
//! into place and, last, the checkpoint written: a mirror's checkpoint is
//! always backed by its tiles, and a mirror never goes back to a log that
//! does not extend what it mirrored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use http_body_util::{BodyExt as _, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use vledger_tlog::Hash;
use vledger_tlog::merkle::{TreeSize, tree_hash};
use vledger_tlog::note::{Checkpoint, Note, WitnessPolicy};
use vledger_tlog::tile::{
    TILE_WIDTH, TileHashes, TileId, TileSource, decode_tile, entries_path, hash_tile_path,
    verify_bundle, verify_tiles,
};
use vledger_verification::succession::LogKeys;

/// Largest answer read: a full entry bundle of the largest entries.
const MAX_ANSWER: usize = 256 * (2 + vledger_tlog::tile::MAX_ENTRY_SIZE);
/// Subdirectory for files not verified yet.
const STAGING: &str = ".staging";

/// What to mirror, and what to trust.
#[derive(Debug, Clone)]
pub struct MirrorConfig {
    /// The log's tile API, e.g. `http://log.example:8080` (no trailing
    /// slash needed).
    pub base: String,
    /// The directory to keep the mirror in.
    pub dir: PathBuf,
    /// The log's verifier key (its name is the origin) and the successors
    /// followed from it.
    pub keys: LogKeys,
    /// Witnesses that must have cosigned the checkpoint, if any.
    pub policy: Option<WitnessPolicy>,
    /// CA certificates (PEM) to trust beside the public roots, for an
    /// `https://` tile API.
    pub ca: Option<PathBuf>,
}

/// What a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MirrorReport {
    /// The mirrored tree size.
    pub tree_size: u64,
    /// The tree size mirrored before, if any.
    pub previous: Option<u64>,
    /// Hash tiles and entry bundles fetched.
    pub fetched: usize,
    /// Full ones already in the directory.
    pub kept: usize,
}

/// A file of the mirror: a hash tile or an entry bundle at a width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Tile(TileId, u16),
    Bundle(u64, u16),
}

impl Item {
    fn path(self) -> String {
        match self {
            Self::Tile(t, w) => hash_tile_path(t, w),
            Self::Bundle(n, w) => entries_path(n, w),
        }
    }

    fn full(self) -> bool {
        match self {
            Self::Tile(_, w) | Self::Bundle(_, w) => u64::from(w) == TILE_WIDTH,
        }
    }
}

/// Hash tiles from the staging directory, else the mirror's.
struct Files<'a> {
    dir: &'a Path,
}

impl TileSource for Files<'_> {
    type Error = std::io::Error;

    fn read_tiles(&self, tiles: &[(TileId, u16)]) -> Result<Vec<Arc<[Hash]>>, std::io::Error> {
        tiles
            .iter()
            .map(|&(tile, min)| {
                // The full tile, else the partial one of the mirrored width.
                let width = self.width_of(tile).unwrap_or(min);
                let path = hash_tile_path(tile, width);
                let bytes = read_item(self.dir, &path)?;
                let hashes = decode_tile(&bytes).ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{path}: not a tile"),
                    )
                })?;
                Ok(Arc::from(hashes))
            })
            .collect()
    }
}

impl Files<'_> {
    /// The width of `tile` in the tree being mirrored, noted in staging.
    fn width_of(&self, tile: TileId) -> Option<u16> {
        let full = hash_tile_path(tile, 256);
        if item_exists(self.dir, &full) {
            return Some(256);
        }
        let dir = self.dir.join(STAGING).join(&full);
        let partial_dir = dir.with_file_name(format!("{}.p", dir.file_name()?.to_string_lossy()));
        let entry = std::fs::read_dir(partial_dir).ok()?.flatten().next()?;
        entry.file_name().to_str()?.parse().ok()
    }
}

fn item_exists(dir: &Path, path: &str) -> bool {
    dir.join(STAGING).join(path).is_file() || dir.join(path).is_file()
}

fn read_item(dir: &Path, path: &str) -> std::io::Result<Vec<u8>> {
    match std::fs::read(dir.join(STAGING).join(path)) {
        Ok(b) => Ok(b),
        Err(_) => std::fs::read(dir.join(path)),
    }
}

/// Writes `bytes` at `path` atomically (a temporary file, then a rename).
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let tmp = path.with_extension("tmp-mirror");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// An HTTP/1.1 client with keep-alive, for a log's tile API or a mirror.
pub(crate) struct Fetcher {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>,
    base: String,
}

impl Fetcher {
    pub(crate) fn new(base: &str, ca: Option<&std::path::Path>) -> anyhow::Result<Self> {
        // `http://` or `https://` (public roots and `ca`), warning on
        // plaintext off this machine.
        crate::tls::check_url(base)?;
        let connector = crate::tls::https_connector(ca, Duration::from_secs(10))?;
        Ok(Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    pub(crate) async fn get(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        let url = format!("{}/{path}", self.base);
        let uri: hyper::Uri = url.parse().with_context(|| format!("bad URL {url:?}"))?;
        let call = async {
            let response = self
                .client
                .get(uri)
                .await
                .with_context(|| format!("cannot fetch {url}"))?;
            let status = response.status();
            let body = Limited::new(response.into_body(), MAX_ANSWER)
                .collect()
                .await
                .map_err(|e| anyhow::anyhow!("reading {url}: {e}"))?
                .to_bytes();
            ensure!(status.is_success(), "{url}: HTTP {status}");
            Ok(body.to_vec())
        };
        tokio::time::timeout(Duration::from_secs(60), call)
            .await
            .with_context(|| format!("{url}: no answer within 60 s"))?
    }
}

/// Opens a checkpoint note with the log key and, when given, the policy.
fn open(config: &MirrorConfig, note: &str, what: &str) -> anyhow::Result<Checkpoint> {
    let (_, checkpoint) = config
        .keys
        .open(note)
        .with_context(|| format!("{what} is not signed by the log key"))?;
    if let Some(policy) = &config.policy {
        let parsed = Note::parse(note).with_context(|| what.to_owned())?;
        policy
            .verify(&parsed)
            .with_context(|| format!("{what} lacks the witnesses' quorum"))?;
    }
    Ok(checkpoint)
}

/// Runs one mirroring pass; `progress` is called with the files fetched so
/// far and the files to fetch.
///
/// # Errors
/// When the log cannot be reached, or anything it serves fails a check
/// (the mirror is then left as it was).
pub async fn mirror(
    config: &MirrorConfig,
    mut progress: impl FnMut(usize, usize),
) -> anyhow::Result<MirrorReport> {
    let dir = &config.dir;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let fetcher = Fetcher::new(&config.base, config.ca.as_deref())?;
    let note = String::from_utf8(fetcher.get("checkpoint").await?)
        .context("the checkpoint is not UTF-8")?;
    let checkpoint = open(config, &note, "the log's checkpoint")?;
    let previous = match std::fs::read_to_string(dir.join("checkpoint")) {
        Ok(old) => Some(open(config, &old, "the mirror's checkpoint")?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).context("cannot read the mirror's checkpoint"),
    };
    let size = checkpoint.size().0;
    if let Some(old) = &previous
        && old.size().0 > size
    {
        bail!(
            "the log's checkpoint (tree size {size}) is older than the mirror's ({}); not going back",
            old.size().0
        );
    }

    // What the tree needs, and what the mirror lacks.
    let staging = dir.join(STAGING);
    let _ = std::fs::remove_dir_all(&staging);
    let mut needed = Vec::new();
    for (tile, width) in TileId::all(TreeSize(size)) {
        needed.push(Item::Tile(tile, width));
        if tile.level == 0 {
            needed.push(Item::Bundle(tile.index, width));
        }
    }
    let (kept, fetch): (Vec<Item>, Vec<Item>) = needed
        .iter()
        .partition(|i| i.full() && dir.join(i.path()).is_file());
    // Tiles before bundles, so that each bundle is checked against its tile.
    let mut fetch = fetch;
    fetch.sort();
    for (n, item) in fetch.iter().enumerate() {
        let path = item.path();
        let bytes = fetcher.get(&path).await?;
        write_atomic(&staging.join(&path), &bytes)?;
        progress(n + 1, fetch.len());
    }

    // Everything against the checkpoint.
    let files = Files { dir };
    verify_tiles(TreeSize(size), checkpoint.root(), &files)
        .context("the log's tiles do not match its checkpoint")?;
    let mut leaves: BTreeMap<u64, Arc<[Hash]>> = BTreeMap::new();
    for item in &fetch {
        if let Item::Bundle(index, width) = *item {
            let tile = TileId { level: 0, index };
            let hashes = match leaves.get(&index) {
                Some(h) => Arc::clone(h),
                None => {
                    let h = files.read_tiles(&[(tile, width)])?.remove(0);
                    leaves.insert(index, Arc::clone(&h));
                    h
                }
            };
            let bytes = read_item(dir, &item.path())?;
            verify_bundle::<std::convert::Infallible>(index, &bytes, &hashes)
                .map_err(|e| anyhow::anyhow!("the log's {}: {e}", item.path()))?;
        }
    }
    if let Some(old) = &previous {
        let old_root = tree_hash(old.size(), &TileHashes(&files))
            .context("the mirror's earlier tree is not in the log's tiles")?;
        ensure!(
            old_root == *old.root(),
            "the log's tree of size {size} does not extend the mirror's tree of size {}: the log forked",
            old.size().0
        );
    }

    // Publish: the new files, then stale partial ones go, then the checkpoint.
    for item in &fetch {
        let path = item.path();
        std::fs::create_dir_all(dir.join(&path).parent().unwrap_or(dir))?;
        std::fs::rename(staging.join(&path), dir.join(&path))
            .with_context(|| format!("cannot move {path} into place"))?;
    }
    remove_stale_partials(dir, &needed)?;
    write_atomic(&dir.join("checkpoint"), note.as_bytes())?;
    let _ = std::fs::remove_dir_all(&staging);
    Ok(MirrorReport {
        tree_size: size,
        previous: previous.map(|c| c.size().0),
        fetched: fetch.len(),
        kept: kept.len(),
    })
}

/// Removes partial tiles and bundles of widths the new checkpoint no longer
/// uses (its own stay).
fn remove_stale_partials(dir: &Path, needed: &[Item]) -> anyhow::Result<()> {
    let keep: std::collections::BTreeSet<PathBuf> =
        needed.iter().map(|i| dir.join(i.path())).collect();
    for item in needed {
        let full = match *item {
            Item::Tile(t, _) => hash_tile_path(t, 256),
            Item::Bundle(n, _) => entries_path(n, 256),
        };
        let partials = dir.join(format!("{full}.p"));
        let Ok(entries) = std::fs::read_dir(&partials) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !keep.contains(&path) {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
        let _ = std::fs::remove_dir(&partials);
    }
    Ok(())
}
