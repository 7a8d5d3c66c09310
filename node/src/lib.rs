//! The vledger node: a gRPC server in front of one log, the log's tiles over
//! HTTP (C2SP tlog-tiles), and the client commands that talk to it.
//!
//! [`run`] serves a data directory on its [`Listeners`] until a shutdown
//! future completes; `main` only parses arguments, sets up logging and
//! calls it.

#![forbid(unsafe_code)]

pub mod audit;
pub mod budget;
pub mod cli;
pub mod datadir;
mod http_state;
pub mod leader;
pub mod listen;
pub mod mirror;
pub mod reads;
pub mod refusals;
pub mod report_page;
pub mod sequencer;
pub mod service;
pub mod status;
pub mod telemetry;
pub mod tiles;
pub mod tls;
pub mod vault;
pub mod witness;
pub mod witnessing;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use crate::datadir::{NodeBackend, NodeStore};
use anyhow::Context as _;
use vledger_log::check::check_store;
use vledger_log::tile_cache::TileCache;
use vledger_log::writer::LogWriter;
use vledger_proto::v1::log_server::LogServer;

use crate::datadir::DataDir;
use crate::sequencer::Sequencer;
use crate::service::LogService;

/// Largest gRPC message the node accepts, in bytes. Larger requests get
/// an error from tonic's decoder before any work is done.
pub const MAX_REQUEST_SIZE: usize = 256 * 1024;

/// How the node runs.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// The data directory; initialised on first start.
    pub data: PathBuf,
    /// The PostgreSQL database holding the log (`postgres://…`); `None`
    /// for sled in the data directory.
    pub store: Option<String>,
    /// Origin for a log created on first start.
    pub origin: String,
    /// Whether `origin` was given: then a log that exists must have it.
    pub origin_given: bool,
    /// Most appends sequenced in one batch (one flush, one checkpoint).
    pub max_batch: usize,
    /// Appends that may wait for the sequencer before callers are held back.
    pub queue: usize,
    /// Re-verify every entry and hash at start, in time linear in the log;
    /// off by default: a start then checks the latest checkpoint against
    /// the stored tiles and the last entry, reading a bounded amount.
    pub full_check: bool,
    /// Witnesses to submit checkpoints to, and the quorum of cosignatures
    /// that makes a checkpoint cosigned; `None` for a node without.
    pub witnessing: Option<witnessing::WitnessingConfig>,
    /// Most bytes of full tiles and entry bundles the read path keeps in
    /// memory ([`reads`]); the right edge comes on top, at most one partial
    /// tile per level and one partial bundle.
    pub tile_cache_bytes: usize,
    /// sled's page cache, in bytes.
    pub sled_cache_bytes: u64,
    /// The append budget of each signer ([`budget`]).
    pub signer_budget: budget::Rate,
    /// The append budget of the whole node, shared by every signer.
    pub node_budget: budget::Rate,
    /// Where a standby node of a PostgreSQL store answers its probes
    /// (`/healthz` 200, `/readyz` 503) and `/metrics`, in plain HTTP,
    /// while it waits for the leader lock: the address of `--http-listen`.
    pub standby_http: Option<std::net::SocketAddr>,
}

impl NodeConfig {
    /// The defaults for a data directory.
    #[must_use]
    pub fn new(data: impl Into<PathBuf>) -> Self {
        Self {
            data: data.into(),
            store: None,
            origin: "vledger.local/log".to_owned(),
            origin_given: false,
            max_batch: 4096,
            queue: 65_536,
            full_check: false,
            witnessing: None,
            tile_cache_bytes: reads::DEFAULT_TILE_CACHE_MB << 20,
            sled_cache_bytes: vledger_log::store::DEFAULT_SLED_CACHE_BYTES,
            signer_budget: budget::Rate {
                per_second: budget::DEFAULT_SIGNER_RATE,
                burst: budget::DEFAULT_SIGNER_BURST,
            },
            node_budget: budget::Rate::UNLIMITED,
            standby_http: None,
        }
    }
}

/// The sockets a node serves on, each with its connection limits and TLS
/// ([`listen`]).
#[derive(Debug)]
pub struct Listeners {
    /// gRPC: appends, receipts, proofs, histories.
    pub grpc: listen::Listener,
    /// HTTP: the log's tiles and checkpoint (C2SP tlog-tiles); `None` to
    /// serve no HTTP.
    pub http: Option<listen::Listener>,
}

/// A node whose store has been opened and checked, ready to serve.
#[derive(Debug)]
pub struct Node {
    /// The single writer of the log, handed to the sequencer thread.
    writer: LogWriter<NodeBackend>,
    /// A read handle on the same store, for entries and proofs.
    store: NodeStore,
    /// The log's verifier key.
    log_key: vledger_tlog::note::VerifierKey,
    /// Most appends per batch.
    max_batch: usize,
    /// Capacity of the append queue.
    queue: usize,
    /// Witnesses and quorum, if the node has witnesses.
    witnessing: Option<witnessing::WitnessingConfig>,
    /// The bound of the tile cache, in bytes.
    tile_cache_bytes: usize,
    /// The append budgets.
    budgets: Arc<budget::Budgets>,
    /// The data directory.
    data: std::path::PathBuf,
    /// The leader lock, held while this node sequences a PostgreSQL store.
    leader: Option<vledger_log::store::LeaderLock>,
}

impl Node {
    /// Opens the log in `config.data`, initialising the directory on first
    /// start (logging where the admin key went), and checks the store: the
    /// whole replay if `config.full_check` is on, then always the latest
    /// checkpoint against the stored tiles. Refuses a store that disagrees.
    ///
    /// On a PostgreSQL store it first takes the log's leader lock, standing
    /// by while another node holds it (see [`leader`]); so it returns only
    /// once this node may sequence.
    ///
    /// # Errors
    /// When the store cannot be opened or fails its check.
    pub async fn open(config: NodeConfig) -> anyhow::Result<Self> {
        let dir = DataDir::new(&config.data)
            .with_store(config.store.clone())
            .with_sled_cache(config.sled_cache_bytes);
        let leader = match dir.store_url() {
            Some(url) => {
                let origin = if dir.is_initialised() {
                    dir.log_signer()?.name().to_owned()
                } else {
                    config.origin.clone()
                };
                let mut probes = telemetry::http::Standby::new(config.standby_http);
                let lock =
                    leader::acquire(url, &origin, &dir.store_name(), || probes.start()).await;
                probes.stop().await;
                Some(lock?)
            }
            None => None,
        };
        if !dir.is_initialised() {
            let init = dir.init(&config.origin, crate::datadir::KeyFiles::default())?;
            tracing::info!(
                data = %dir.root().display(),
                log_key = %init.log_vkey,
                admin_key = %init.admin_key_path.display(),
                recovery_key = %init.recovery_key_path.display(),
                "initialised a new log; move the recovery key offline"
            );
        }
        let signer = dir.log_signer()?;
        if config.origin_given && signer.name() != config.origin {
            anyhow::bail!(
                "{} holds the log {}, not {}: leave out --origin to serve it, or give another --data for a new log",
                dir.root().display(),
                signer.name(),
                config.origin
            );
        }
        // Full tiles go to their files on a thread of their own
        // (sequencer.rs), not on the commit path.
        let store = dir.open_store()?.defer_archiving();
        if config.full_check {
            let (s, key) = (store.clone(), signer.verifier_key());
            let report = tokio::task::spawn_blocking(move || check_store(&s, &key, |_| ()))
                .await?
                .context("the store failed its start-up check; refusing to serve it")?;
            tracing::info!(
                entries = report.entries,
                checkpoints = report.checkpoints,
                "store checked"
            );
        }
        let log_key = signer.verifier_key();
        let writer = LogWriter::open(store.clone(), signer).map_err(|e| {
            let hint = if matches!(e, vledger_log::writer::WriterError::Checkpoint { .. }) {
                format!(
                    " (is {} the log's current key? After `vledger rotate-log-key` it is the successor, and the retired keys are retired-log-SIZE.key)",
                    dir.log_key_path().display()
                )
            } else {
                String::new()
            };
            anyhow::Error::new(e).context(format!(
                "the store disagrees with its signed checkpoint; refusing to serve it{hint}"
            ))
        })?;
        Ok(Self {
            writer,
            store,
            log_key,
            max_batch: config.max_batch,
            queue: config.queue,
            witnessing: config.witnessing,
            tile_cache_bytes: config.tile_cache_bytes,
            budgets: Arc::new(budget::Budgets::new(
                config.signer_budget,
                config.node_budget,
            )),
            data: dir.root().to_path_buf(),
            leader,
        })
    }

    /// Serves the log on `listeners` until `shutdown` completes, then lets
    /// the sequencer finish its batch and stops.
    ///
    /// # Errors
    /// When a server fails.
    pub async fn serve(
        self,
        listeners: Listeners,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Listeners {
            grpc: listener,
            http,
        } = listeners;
        // The metrics recorder, before anything records.
        telemetry::register();
        // One shutdown for every server: the signal, or the loss of the
        // leader lock, after which this node must not sequence.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let lock_lost = std::sync::Arc::new(std::sync::Mutex::new(None::<anyhow::Error>));
        let watch = self.leader.map(|lock| tokio::spawn(leader::lost(lock)));
        let lost = std::sync::Arc::clone(&lock_lost);
        tokio::spawn(async move {
            match watch {
                Some(mut watch) => tokio::select! {
                    () = shutdown => watch.abort(),
                    e = &mut watch => {
                        let e = e.unwrap_or_else(|e| anyhow::Error::new(e).context("lost the leader lock"));
                        tracing::error!(error = format!("{e:#}"), "stopping: this node may no longer sequence");
                        if let Ok(mut lost) = lost.lock() {
                            *lost = Some(e);
                        }
                    }
                },
                None => shutdown.await,
            }
            let _ = stop.send(true);
        });
        let stopping = stopped.clone();
        let when_stopped = move || {
            let mut stopped = stopped.clone();
            async move {
                let _ = stopped.wait_for(|s| *s).await;
            }
        };
        tracing::info!(
            addr = %listener.tcp.local_addr()?,
            tls = listener.tls.is_some(),
            max_connections = listener.limits.max_connections,
            tree_size = self.writer.tree_size(),
            origin = %self.store.origin()?.unwrap_or_default(),
            "serving"
        );
        let (sequencer, thread) = Sequencer::spawn(self.writer, self.max_batch, self.queue);
        // Ready while the sequencer runs and the node is not stopping: the
        // gRPC health service and `/readyz` follow it.
        let readiness = telemetry::http::Readiness::new(sequencer.state(), stopping);
        let scrape = telemetry::http::Scrape {
            queue: sequencer.queue_probe(),
            queue_capacity: sequencer.queue_capacity(),
            head: sequencer.subscribe(),
        };
        let (health, health_service) = tonic_health::server::health_reporter();
        let health_task = tokio::spawn(report_health(health, readiness.clone()));
        // The read path's tiles, their right edge following the sequencer.
        let tiles = Arc::new(TileCache::new(self.store.clone(), self.tile_cache_bytes));
        let follower = tokio::spawn(reads::follow_heads(
            Arc::clone(&tiles),
            sequencer.subscribe(),
        ));
        let heads = sequencer.subscribe();
        let tile_key = self.log_key.clone();
        let mut service = LogService::new(
            sequencer.clone(),
            self.store.clone(),
            self.log_key,
            Arc::clone(&tiles),
        )
        .with_budgets(Arc::clone(&self.budgets));
        // Witnessing follows the sequencer's checkpoints and stops with it.
        let tile_store = self.store.clone();
        let witnessing = self.witnessing.map(|config| {
            tracing::info!(
                witnesses = config.witnesses.len(),
                quorum = config.quorum,
                "submitting checkpoints to witnesses"
            );
            witnessing::spawn(config, self.store, sequencer.subscribe(), self.data)
        });
        drop(sequencer);
        if let Some((view, _)) = &witnessing {
            service = service.with_witnessing(view.clone());
        }

        let cosigned = witnessing.as_ref().map(|(view, _)| view.clone());
        let http = match http {
            None => None,
            Some(listener) => {
                tracing::info!(
                    addr = %listener.tcp.local_addr()?,
                    tls = listener.tls.is_some(),
                    "serving tiles over HTTP"
                );
                let app = tiles::router(tile_store, tiles, heads, cosigned, tile_key)
                    .merge(telemetry::http::router(readiness, scrape))
                    .layer(axum::middleware::from_fn(telemetry::http::track));
                let done = when_stopped();
                Some(tokio::spawn(listen::serve(
                    listener,
                    listen::Protocol::Http1,
                    app,
                    done,
                )))
            }
        };
        let reflection = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(vledger_proto::FILE_DESCRIPTOR_SET)
            .build_v1()?;

        let routes = tonic::service::Routes::new(health_service)
            .add_service(reflection)
            .add_service(
                LogServer::new(service)
                    .max_decoding_message_size(MAX_REQUEST_SIZE)
                    .max_encoding_message_size(16 * 1024 * 1024),
            )
            .prepare();
        // Statuses tonic gives before a request reaches a service (an
        // oversized or undecodable message) rewritten as DESIGN.md says.
        let routes = tower_layer::Layer::layer(&status::transport::TransportStatusLayer, routes);
        // Every call counted and timed, with the statuses clients see.
        let routes = tower_layer::Layer::layer(&telemetry::grpc::RequestMetricsLayer, routes);
        listen::serve(listener, listen::Protocol::Grpc, routes, when_stopped()).await?;
        if let Some(http) = http {
            http.await?.context("the HTTP server failed")?;
        }
        if let Some((_, task)) = witnessing {
            task.abort();
        }
        follower.abort();
        health_task.abort();
        // The server has dropped every handle: the sequencer drains and stops.
        let store = tokio::task::spawn_blocking(move || thread.join())
            .await?
            .map_err(|_| anyhow::anyhow!("the sequencer thread panicked"))?;
        let closing = store.clone();
        tokio::task::spawn_blocking(move || closing.close())
            .await?
            .context("cannot put the store away")?;
        tracing::info!(tree_size = store.tree_size()?, "stopped");
        if let Some(e) = lock_lost.lock().ok().and_then(|mut e| e.take()) {
            return Err(e);
        }
        Ok(())
    }
}

/// Keeps the gRPC health service (the whole server, `""`, and
/// `vledger.v1.Log`) `SERVING` while `readiness` holds, `NOT_SERVING`
/// otherwise: after a failed write and once the node is stopping.
async fn report_health(
    health: tonic_health::server::HealthReporter,
    mut readiness: telemetry::http::Readiness,
) {
    use tonic::server::NamedService as _;
    use tonic_health::ServingStatus;
    let mut reported = ServingStatus::Serving;
    loop {
        let status = match readiness.check() {
            Ok(()) => ServingStatus::Serving,
            Err(why) => {
                if reported != ServingStatus::NotServing {
                    tracing::info!(why, "gRPC health: not serving");
                }
                ServingStatus::NotServing
            }
        };
        reported = status;
        health.set_service_status("", status).await;
        health
            .set_service_status(LogServer::<LogService>::NAME, status)
            .await;
        readiness.changed().await;
    }
}

/// Opens the log in `config.data` (see [`Node::open`]) and serves it on
/// `listeners` until `shutdown` completes.
///
/// # Errors
/// When the store cannot be opened, fails its check, or a server fails.
pub async fn run(
    listeners: Listeners,
    config: NodeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    Node::open(config).await?.serve(listeners, shutdown).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_health::pb::health_check_response::ServingStatus as Pb;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

    /// The status the health service at `client` gives `service`.
    async fn status(client: &mut HealthClient<tonic::transport::Channel>, service: &str) -> Pb {
        let answer = client
            .check(HealthCheckRequest {
                service: service.to_owned(),
            })
            .await
            .expect("check");
        Pb::try_from(answer.into_inner().status).expect("a status")
    }

    /// Polls until both the server and the log service have `want`.
    async fn until(client: &mut HealthClient<tonic::transport::Channel>, want: Pb) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if status(client, "").await == want && status(client, "vledger.v1.Log").await == want {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "never {want:?}");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn grpc_health_is_not_serving_after_a_failed_write_and_while_stopping() {
        let (state, sequencer) = tokio::sync::watch::channel(sequencer::State::Running);
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let readiness = telemetry::http::Readiness::new(sequencer, stopping);
        let (health, health_service) = tonic_health::server::health_reporter();
        let reporter = tokio::spawn(report_health(health, readiness));
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = tcp.local_addr().expect("addr");
        let routes = tonic::service::Routes::new(health_service).prepare();
        let (end, ended) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(listen::serve(
            listen::Listener::plain(tcp),
            listen::Protocol::Grpc,
            routes,
            async {
                let _ = ended.await;
            },
        ));
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .expect("endpoint")
            .connect()
            .await
            .expect("connect");
        let mut client = HealthClient::new(channel);
        until(&mut client, Pb::Serving).await;
        state.send_replace(sequencer::State::Failed);
        until(&mut client, Pb::NotServing).await;
        state.send_replace(sequencer::State::Running);
        until(&mut client, Pb::Serving).await;
        stop.send_replace(true);
        until(&mut client, Pb::NotServing).await;
        reporter.abort();
        drop(client);
        let _ = end.send(());
        server.await.expect("server task").expect("server");
    }
}
