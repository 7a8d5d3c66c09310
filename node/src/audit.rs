//! `vledger audit`'s view of a node: a [`LogSource`] over the gRPC API.
//!
//! The audit logic is in [`vledger_log::audit`]; this only fetches. Entries are
//! fetched ahead, in pages of at most 1024 with the stored hashes each
//! completes, by a task that keeps a few pages queued while the auditor
//! verifies the previous ones.

mod tiles;

use std::time::Duration;

use tokio::runtime::Runtime;
use tokio::sync::mpsc;
use tonic::transport::Channel;
use vledger_log::audit::{LogSource, SourceEntry};
use vledger_proto::v1 as pb;
use vledger_proto::v1::log_client::LogClient;
use vledger_tlog::hash::Hash;

pub use tiles::TilesSource;

/// Pages fetched ahead of the auditor.
const AHEAD: usize = 8;

/// Entries per request (the node's limit).
const PAGE: u64 = 1024;

/// Why fetching from the node failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(String);

fn rpc(e: &tonic::Status) -> FetchError {
    FetchError(crate::tls::explain_status("the node", e))
}

/// A node read over gRPC.
#[derive(Debug)]
pub struct GrpcSource {
    /// Runs the client and the prefetch task.
    runtime: Runtime,
    /// The client.
    client: LogClient<Channel>,
    /// The node's URL, for messages.
    url: String,
    /// Pages fetched ahead, with the index of their first entry.
    ahead: Option<Prefetch>,
    /// Entries fetched, for reports.
    pub fetched: u64,
}

#[derive(Debug)]
struct Prefetch {
    /// The index of the first entry in `held`, or of the next page queued.
    next: u64,
    /// Entries of a page not handed out yet.
    held: Vec<SourceEntry>,
    /// The queue.
    rx: mpsc::Receiver<Result<Vec<SourceEntry>, FetchError>>,
}

impl GrpcSource {
    /// Connects to the node at `url` (TLS for `https://`, trusting `ca`
    /// too; see [`crate::tls::grpc_endpoint`]).
    ///
    /// # Errors
    /// When the node cannot be reached.
    pub fn connect(url: &str, ca: Option<&std::path::Path>) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let client = runtime.block_on(async {
            let channel = crate::tls::grpc_endpoint(url, ca)?
                .connect_timeout(Duration::from_secs(10))
                .connect()
                .await
                .map_err(|e| anyhow::anyhow!(crate::tls::explain(url, &e)))?;
            anyhow::Ok(LogClient::new(channel).max_decoding_message_size(16 * 1024 * 1024))
        });
        let client = client?;
        Ok(Self {
            runtime,
            client,
            url: url.to_owned(),
            ahead: None,
            fetched: 0,
        })
    }

    fn checkpoint_of(&mut self, tree_size: u64) -> Result<String, FetchError> {
        let mut client = self.client.clone();
        let url = &self.url;
        self.runtime.block_on(async move {
            client
                .get_checkpoint(pb::GetCheckpointRequest {
                    tree_size,
                    ..Default::default()
                })
                .await
                .map(|r| r.into_inner().checkpoint)
                .map_err(|e| FetchError(crate::tls::explain_status(url, &e)))
        })
    }
}

/// Fetches entries `[start, end)` (at most one page) with their stored hashes.
async fn fetch(
    client: &mut LogClient<Channel>,
    start: u64,
    end: u64,
) -> Result<Vec<SourceEntry>, FetchError> {
    let mut stream = client
        .get_entries(pb::GetEntriesRequest {
            start,
            end,
            with_hashes: true,
        })
        .await
        .map_err(|e| rpc(&e))?
        .into_inner();
    let mut out = Vec::new();
    while let Some(e) = stream.message().await.map_err(|e| rpc(&e))? {
        let expected = start + out.len() as u64;
        if e.index != expected {
            return Err(FetchError(format!(
                "the node sent entry {} where {expected} belongs",
                e.index
            )));
        }
        // Every append completes at least its leaf hash: an empty list means
        // the node does not report stored hashes.
        let stored_hashes = if e.hashes.is_empty() {
            None
        } else {
            Some(
                e.hashes
                    .iter()
                    .map(|h| Hash::from_slice(h))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        FetchError(format!(
                            "the node sent a malformed stored hash for entry {}",
                            e.index
                        ))
                    })?,
            )
        };
        out.push(SourceEntry {
            bytes: e.data,
            stored_hashes,
        });
    }
    Ok(out)
}

impl LogSource for GrpcSource {
    type Error = FetchError;

    fn checkpoint(&mut self) -> Result<String, FetchError> {
        self.checkpoint_of(0)
    }

    fn checkpoint_at(&mut self, size: u64) -> Result<String, FetchError> {
        if size == 0 {
            return Err(FetchError(
                "there is no checkpoint at tree size 0".to_owned(),
            ));
        }
        self.checkpoint_of(size)
    }

    fn will_read(&mut self, start: u64, end: u64) {
        let (tx, rx) = mpsc::channel(AHEAD);
        let mut client = self.client.clone();
        self.runtime.spawn(async move {
            let mut next = start;
            while next < end {
                let page = fetch(&mut client, next, end.min(next + PAGE)).await;
                let stop = match &page {
                    Ok(p) if p.is_empty() => true,
                    Ok(p) => {
                        next += p.len() as u64;
                        false
                    }
                    Err(_) => true,
                };
                if tx.send(page).await.is_err() || stop {
                    break;
                }
            }
        });
        self.ahead = Some(Prefetch {
            next: start,
            held: Vec::new(),
            rx,
        });
    }

    fn entries(&mut self, start: u64, end: u64) -> Result<Vec<SourceEntry>, FetchError> {
        if let Some(ahead) = self
            .ahead
            .as_mut()
            .filter(|a| a.next == start && start < end)
        {
            if ahead.held.is_empty()
                && let Some(page) = ahead.rx.blocking_recv()
            {
                ahead.held = page?;
            }
            if !ahead.held.is_empty() {
                let n = ahead
                    .held
                    .len()
                    .min(usize::try_from(end - start).unwrap_or(usize::MAX));
                let rest = ahead.held.split_off(n);
                let page = std::mem::replace(&mut ahead.held, rest);
                ahead.next += n as u64;
                self.fetched += n as u64;
                return Ok(page);
            }
        }
        self.ahead = None;
        let mut client = self.client.clone();
        let page = self
            .runtime
            .block_on(async move { fetch(&mut client, start, end.min(start + PAGE)).await })?;
        self.fetched += page.len() as u64;
        Ok(page)
    }

    fn consistency_proof(&mut self, old: u64, new: u64) -> Result<Vec<Hash>, FetchError> {
        let mut client = self.client.clone();
        let r = self.runtime.block_on(async move {
            client
                .get_consistency_proof(pb::GetConsistencyProofRequest {
                    old_size: old,
                    new_size: new,
                })
                .await
                .map_err(|e| rpc(&e))
        })?;
        r.into_inner()
            .hashes
            .iter()
            .map(|h| Hash::from_slice(h))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| FetchError("the node sent a malformed proof hash".to_owned()))
    }
}

/// For the gRPC service: the stored hashes that appending entry `index`
/// completed, leaf hash first, as `LeafEntry.hashes` carries them.
///
/// # Errors
/// `INTERNAL` when a hash cannot be read.
pub fn stored_hashes(
    store: &crate::datadir::NodeStore,
    index: u64,
) -> Result<Vec<Vec<u8>>, tonic::Status> {
    use vledger_tlog::merkle::HashReader as _;
    let nodes = vledger_log::audit::completed_nodes(index);
    let hashes = store
        .read_hashes(&nodes)
        .map_err(|e| crate::status::store(&e))?;
    Ok(hashes.iter().map(|h| h.0.to_vec()).collect())
}
