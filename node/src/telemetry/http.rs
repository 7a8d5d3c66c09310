//! The operator's side of the HTTP listener: `GET /metrics` (Prometheus
//! text format), `GET /healthz` and `GET /readyz`, and the count of every
//! HTTP request by route and status ([`track`]).
//!
//! - `/healthz` answers 200 `ok` while the process serves HTTP at all:
//!   for a liveness probe.
//! - `/readyz` answers 200 `ready` while the node takes appends, else 503
//!   with the reason on one line: the node is shutting down, or the
//!   sequencer stopped (after a failed write: fix the cause and restart).
//!   For a readiness probe, or a load balancer's health check.
//!
//! A standby node of a PostgreSQL store serves no tiles and no gRPC
//! until it holds the leader lock; meanwhile [`Standby`] answers on the
//! HTTP address, in plain HTTP: `/healthz` 200, `/readyz` 503 `standing
//! by: ...`, and `/metrics`.

use std::sync::OnceLock;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics::{Counter, Histogram};
use tokio::sync::watch;

use super::{HTTP_DURATION, HTTP_REQUESTS};
use crate::sequencer::{Head, QueueProbe, State as SequencerState};

/// The content type of the Prometheus text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4";

/// Whether the node takes appends, for `/readyz` and the gRPC health
/// service.
#[derive(Debug, Clone)]
pub struct Readiness {
    /// The sequencer's state.
    sequencer: watch::Receiver<SequencerState>,
    /// Set once the node is shutting down.
    stopping: watch::Receiver<bool>,
}

impl Readiness {
    /// Readiness from the sequencer's state and the node's shutdown flag.
    #[must_use]
    pub fn new(
        sequencer: watch::Receiver<SequencerState>,
        stopping: watch::Receiver<bool>,
    ) -> Self {
        Self {
            sequencer,
            stopping,
        }
    }

    /// `Ok` while the node takes appends, else why not, in one line.
    ///
    /// # Errors
    /// The reason the node does not take appends.
    pub fn check(&self) -> Result<(), &'static str> {
        if *self.stopping.borrow() {
            return Err("the node is shutting down");
        }
        match *self.sequencer.borrow() {
            SequencerState::Running => Ok(()),
            SequencerState::Failed => Err(
                "writing a batch failed and the node refuses appends; fix the cause (disk full? I/O error?) and restart it",
            ),
            SequencerState::Stopped => Err("the sequencer has stopped"),
        }
    }

    /// Completes when readiness may have changed.
    pub async fn changed(&mut self) {
        let Self {
            sequencer,
            stopping,
        } = self;
        // A channel that closed changes no more.
        let sequencer = async {
            if sequencer.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        let stopping = async {
            if stopping.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = sequencer => {},
            () = stopping => {},
        }
    }
}

/// What `/metrics` reads from the node at each scrape, besides the
/// recorder.
#[derive(Debug, Clone)]
pub struct Scrape {
    /// The depth of the append queue.
    pub queue: QueueProbe,
    /// Its capacity.
    pub queue_capacity: usize,
    /// The latest durable checkpoint.
    pub head: watch::Receiver<Head>,
}

#[derive(Debug, Clone)]
struct Probes {
    readiness: Readiness,
    scrape: Scrape,
}

/// The router of `/metrics`, `/healthz` and `/readyz`.
pub fn router(readiness: Readiness, scrape: Scrape) -> Router {
    super::register();
    Router::new()
        .route("/metrics", get(render))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(Probes { readiness, scrape })
}

async fn render(State(probes): State<Probes>) -> Response {
    let scrape = &probes.scrape;
    metrics::gauge!(super::QUEUE_DEPTH).set(scrape.queue.depth() as f64);
    metrics::gauge!(super::QUEUE_CAPACITY).set(scrape.queue_capacity as f64);
    super::tree_size(scrape.head.borrow().tree_size);
    rendered()
}

/// The recorder's metrics, as `/metrics` answers them.
fn rendered() -> Response {
    let body = super::handle().render();
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(probes): State<Probes>) -> Response {
    match probes.readiness.check() {
        Ok(()) => "ready\n".into_response(),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")).into_response(),
    }
}

/// What a standby's `/readyz` says.
pub const STANDING_BY: &str = "standing by: another node holds the leader lock of this log";

/// The probes of a node that stands by for the leader lock of a
/// PostgreSQL store: while it waits, its HTTP address answers `/healthz`
/// (200), `/readyz` (503, [`STANDING_BY`]) and `/metrics`, in plain HTTP
/// (the node has not loaded its certificate yet).
#[derive(Debug)]
pub struct Standby {
    /// The address to answer on; `None` for a node without HTTP.
    addr: Option<std::net::SocketAddr>,
    /// The server, once started, and what stops it.
    running: Option<(
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<std::io::Result<()>>,
    )>,
}

impl Standby {
    /// Probes to answer on `addr`, once [`Standby::start`]ed.
    #[must_use]
    pub fn new(addr: Option<std::net::SocketAddr>) -> Self {
        Self {
            addr,
            running: None,
        }
    }

    /// Starts answering; logs and carries on without when the address
    /// cannot be bound.
    pub fn start(&mut self) {
        let Some(addr) = self.addr.filter(|_| self.running.is_none()) else {
            return;
        };
        let bound = std::net::TcpListener::bind(addr)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .and_then(tokio::net::TcpListener::from_std);
        let tcp = match bound {
            Ok(tcp) => tcp,
            Err(e) => {
                tracing::warn!(%addr, error = %e, "cannot answer probes while standing by");
                return;
            }
        };
        super::register();
        let router = Router::new()
            .route("/metrics", get(|| async { rendered() }))
            .route("/healthz", get(healthz))
            .route(
                "/readyz",
                get(|| async { (StatusCode::SERVICE_UNAVAILABLE, format!("{STANDING_BY}\n")) }),
            )
            .layer(axum::middleware::from_fn(track));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let listener = crate::listen::Listener::plain(tcp);
        let task = tokio::spawn(crate::listen::serve(
            listener,
            crate::listen::Protocol::Http1,
            router,
            async {
                let _ = stopped.await;
            },
        ));
        tracing::info!(%addr, "answering probes in plain HTTP while standing by");
        self.running = Some((stop, task));
    }

    /// Stops answering, once every connection is closed, so that the
    /// address is free for the node's own HTTP listener.
    pub async fn stop(self) {
        if let Some((stop, task)) = self.running {
            let _ = stop.send(());
            if let Ok(Err(e)) = task.await {
                tracing::warn!(error = %e, "the standby's probes failed");
            }
        }
    }
}

/// The routes, as the `route` label names them.
const ROUTES: [&str; 8] = [
    "checkpoint",
    "tile",
    "entries",
    "vin",
    "metrics",
    "healthz",
    "readyz",
    "other",
];

/// The index in [`ROUTES`] of a request for `path`.
fn route_of(path: &str) -> usize {
    if path.starts_with("/tile/entries/") {
        return 2;
    }
    if path.starts_with("/tile/") {
        return 1;
    }
    if path.starts_with("/vin/") {
        return 3;
    }
    match path {
        "/checkpoint" => 0,
        "/metrics" => 4,
        "/healthz" => 5,
        "/readyz" => 6,
        _ => ROUTES.len() - 1,
    }
}

/// HTTP status codes 100 to 599 have a counter each per route.
const STATUSES: usize = 500;

struct Handles {
    requests: Box<[OnceLock<Counter>]>,
    latency: Box<[OnceLock<Histogram>]>,
}

fn handles() -> &'static Handles {
    static HANDLES: OnceLock<Handles> = OnceLock::new();
    HANDLES.get_or_init(|| {
        super::handle();
        Handles {
            requests: (0..ROUTES.len() * STATUSES)
                .map(|_| OnceLock::new())
                .collect(),
            latency: (0..ROUTES.len()).map(|_| OnceLock::new()).collect(),
        }
    })
}

/// Middleware counting and timing every request of the HTTP listener.
pub async fn track(request: Request, next: Next) -> Response {
    let route = route_of(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status();
    let h = handles();
    let index = usize::from(status.as_u16()).clamp(100, 599) - 100;
    h.requests[route * STATUSES + index]
        .get_or_init(|| {
            metrics::counter!(HTTP_REQUESTS, "route" => ROUTES[route], "status" => status.as_str().to_owned())
        })
        .increment(1);
    h.latency[route]
        .get_or_init(|| metrics::histogram!(HTTP_DURATION, "route" => ROUTES[route]))
        .record(started.elapsed());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ready_only_while_the_sequencer_runs_and_the_node_is_not_stopping() {
        let (state, sequencer) = watch::channel(SequencerState::Running);
        let (stop, stopping) = watch::channel(false);
        let mut readiness = Readiness::new(sequencer, stopping);
        assert_eq!(readiness.check(), Ok(()));
        state.send_replace(SequencerState::Failed);
        tokio::time::timeout(std::time::Duration::from_secs(1), readiness.changed())
            .await
            .expect("a change is seen");
        assert!(readiness.check().unwrap_err().contains("restart"));
        state.send_replace(SequencerState::Running);
        stop.send_replace(true);
        assert_eq!(readiness.check(), Err("the node is shutting down"));
        // Once the sequencer's channel closed, a stop is still seen.
        drop(state);
        let (stop2, stopping2) = watch::channel(false);
        let (_, sequencer2) = watch::channel(SequencerState::Stopped);
        let mut readiness = Readiness::new(sequencer2, stopping2);
        assert_eq!(readiness.check(), Err("the sequencer has stopped"));
        let seen = tokio::spawn(async move { readiness.changed().await });
        stop2.send_replace(true);
        tokio::time::timeout(std::time::Duration::from_secs(1), seen)
            .await
            .expect("the stop is seen")
            .expect("task");
    }

    #[test]
    fn paths_map_to_a_bounded_set_of_routes() {
        let name = |p| ROUTES[route_of(p)];
        assert_eq!(name("/checkpoint"), "checkpoint");
        assert_eq!(name("/tile/0/000"), "tile");
        assert_eq!(name("/tile/1/000.p/3"), "tile");
        assert_eq!(name("/tile/entries/000.p/7"), "entries");
        assert_eq!(name("/vin/1M8GDM9AXKP042788"), "vin");
        assert_eq!(name("/metrics"), "metrics");
        assert_eq!(name("/healthz"), "healthz");
        assert_eq!(name("/readyz"), "readyz");
        assert_eq!(name("/../etc/passwd"), "other");
    }
}
