//! How every listener of the node and the witness accepts and keeps
//! connections: the gRPC API, the tile API and the witness all serve
//! through [`serve`].
//!
//! - **A cap on open connections** ([`Limits::max_connections`]). When the
//!   cap is reached, a new connection is still accepted and the oldest
//!   connection that has not sent a single byte yet is closed to make room
//!   for it: an idle flood then only displaces itself, and a client that
//!   speaks at once is answered. When every open connection has spoken, new
//!   ones wait in the kernel's backlog until one closes.
//! - **A handshake timeout**: a connection must complete TLS and start its
//!   first request within [`Limits::handshake_timeout`] of being accepted
//!   (for HTTP/1.1, hyper's header-read timeout is the same), or it is closed.
//! - **An idle timeout**: a connection with no request in flight for
//!   [`Limits::idle_timeout`] is closed, and so is one whose requests have
//!   moved no byte either way for as long (a half-sent request).
//! - **HTTP/2**: keepalive pings ([`KEEPALIVE_INTERVAL`], answered within
//!   [`KEEPALIVE_TIMEOUT`]) and at most [`Limits::max_streams`] concurrent
//!   streams per connection.
//! - **Accept errors** (out of file descriptors, EMFILE/ENFILE, and the
//!   like) are backed off, 50 ms doubling to 1 s, and logged at most once
//!   every [`ACCEPT_ERROR_LOG_EVERY`] with the count of the others.
//! - **TLS** (rustls) when a certificate is configured ([`crate::tls`]).
//!
//! Each listener counts its connections in the metrics
//! ([`crate::telemetry::ListenerMetrics`], labelled by [`Protocol::label`]).
//!
//! It does not limit connections per client address: one client may take
//! every slot that has spoken, for at most the handshake timeout each.

mod watch;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use watch::{Activity, Tracked, Watched};

/// Default of [`Limits::max_connections`], per listener: well below the
/// usual file-descriptor limits of servers, lowered at start to fit the
/// process's own limit (`ulimit -n`).
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Default of [`Limits::handshake_timeout`].
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`Limits::idle_timeout`].
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// Default of [`Limits::max_streams`].
pub const DEFAULT_MAX_STREAMS: u32 = 512;
/// How often an HTTP/2 connection that received nothing is pinged.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// How long a ping may go unanswered before the connection is closed.
pub const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(20);
/// Accept errors are logged at most once per this period.
pub const ACCEPT_ERROR_LOG_EVERY: Duration = Duration::from_secs(10);
/// File descriptors kept for the store, logs and clients when the
/// connection caps are fitted to the process's limit.
pub const RESERVED_FDS: u64 = 256;

/// The limits of one listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Time from accepting a connection to its first request (TLS included).
    pub handshake_timeout: Duration,
    /// Time a connection may stay without a request in flight, or with
    /// requests that move no byte.
    pub idle_timeout: Duration,
    /// Most concurrent HTTP/2 streams (gRPC calls) per connection.
    pub max_streams: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_streams: DEFAULT_MAX_STREAMS,
        }
    }
}

impl Limits {
    /// These limits with the connection cap lowered, if need be, so that
    /// `listeners` listeners fit the process's soft limit on open files
    /// (less [`RESERVED_FDS`]); logs when it lowers the cap.
    #[must_use]
    pub fn fitted_to_fd_limit(mut self, listeners: usize) -> Self {
        let Some(limit) = open_files_limit() else {
            return self;
        };
        let budget = limit.saturating_sub(RESERVED_FDS) / listeners.max(1) as u64;
        let budget = usize::try_from(budget).unwrap_or(usize::MAX).max(1);
        if self.max_connections > budget {
            tracing::warn!(
                max_connections = self.max_connections,
                lowered_to = budget,
                open_files_limit = limit,
                "the connection cap does not fit the open-files limit (ulimit -n); lowering it"
            );
            self.max_connections = budget;
        }
        self
    }
}

/// The soft limit on open files, from `/proc/self/limits` (Linux).
fn open_files_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Which protocol a listener speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// HTTP/2 only (gRPC); ALPN `h2` under TLS.
    Grpc,
    /// HTTP/1.1 (the tile API, the witness); ALPN `http/1.1` under TLS.
    Http1,
}

impl Protocol {
    /// The `listener` label of its metrics: `grpc` or `http`.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Grpc => "grpc",
            Self::Http1 => "http",
        }
    }
}

/// A bound socket with its limits and, optionally, TLS.
#[derive(Debug)]
pub struct Listener {
    /// The socket.
    pub tcp: TcpListener,
    /// Its limits.
    pub limits: Limits,
    /// Its TLS configuration (with the ALPN of its protocol); `None` for
    /// plaintext.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Listener {
    /// A plaintext listener with the default limits.
    #[must_use]
    pub fn plain(tcp: TcpListener) -> Self {
        Self {
            tcp,
            limits: Limits::default(),
            tls: None,
        }
    }
}

/// Serves `service` on `listener` until `shutdown` completes, then lets
/// open requests finish (HTTP/2 GOAWAY, HTTP/1.1 closes when idle) and
/// returns once every connection is closed.
///
/// # Errors
/// Never at present: accept errors are backed off and logged.
pub async fn serve<S, B>(
    listener: Listener,
    protocol: Protocol,
    service: S,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    S: tower::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: hyper::body::Body + Unpin + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let Listener { tcp, limits, tls } = listener;
    let slots = Arc::new(Slots::new(limits.max_connections, protocol.label()));
    let tls = tls.map(TlsAcceptor::from);
    // Every connection task holds a sender: `recv` ends when all are done.
    let (alive, mut all_closed) = mpsc::channel::<Infallible>(1);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut errors = AcceptErrors::default();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            () = slots.room() => tokio::select! {
                () = &mut shutdown => break,
                a = tcp.accept() => a,
            },
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                slots.metrics.accept_errors.increment(1);
                let pause = errors.failed(&e);
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(pause) => continue,
                }
            }
        };
        errors.succeeded();
        let (slot, evicted) = slots.take();
        let conn = Conn {
            slot,
            evicted,
            accepted: Instant::now(),
            limits,
            tls: tls.clone(),
            protocol,
            stopping: stopping.clone(),
            _alive: alive.clone(),
        };
        let service = service.clone();
        tokio::spawn(async move {
            if let Err(e) = conn.run(stream, service).await {
                tracing::debug!(%peer, error = %e, "connection closed");
            }
        });
    }
    drop(tcp);
    let _ = stop.send(true);
    drop(alive);
    let _ = all_closed.recv().await;
    Ok(())
}

/// The connection slots of one listener.
#[derive(Debug)]
struct Slots {
    /// The cap.
    max: usize,
    /// Open connections and those not heard from yet.
    state: Mutex<SlotState>,
    /// Woken when a slot frees or a connection becomes evictable.
    changed: Notify,
    /// The listener's connection metrics.
    metrics: crate::telemetry::ListenerMetrics,
}

#[derive(Debug, Default)]
struct SlotState {
    /// Connections holding a slot.
    open: usize,
    /// Connections that have sent nothing yet, oldest first, with the
    /// sender that closes each.
    silent: BTreeMap<u64, (oneshot::Sender<()>, Arc<AtomicBool>)>,
    /// The next connection's number.
    next: u64,
    /// When the cap was last logged.
    logged: Option<Instant>,
}

impl Slots {
    fn new(max: usize, listener: &'static str) -> Self {
        let max = max.max(1);
        Self {
            max,
            state: Mutex::new(SlotState::default()),
            changed: Notify::new(),
            metrics: crate::telemetry::ListenerMetrics::new(listener, max),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SlotState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Completes when a new connection may be accepted: a slot is free or
    /// a silent connection can be closed for it.
    async fn room(&self) {
        let mut waited = false;
        loop {
            let changed = self.changed.notified();
            {
                let s = self.lock();
                if s.open < self.max || !s.silent.is_empty() {
                    return;
                }
            }
            if !waited {
                waited = true;
                self.metrics.cap_waits.increment(1);
            }
            changed.await;
        }
    }

    /// Takes a slot for a connection just accepted, closing the oldest
    /// silent connection if the cap is reached.
    fn take(self: &Arc<Self>) -> (Slot, oneshot::Receiver<()>) {
        let mut s = self.lock();
        if s.open >= self.max
            && let Some((_, (close, gone))) = s.silent.pop_first()
        {
            // Its slot passes to the new connection.
            gone.store(true, Ordering::Relaxed);
            let _ = close.send(());
            s.open -= 1;
            self.metrics.displaced.increment(1);
            let now = Instant::now();
            if s.logged.is_none_or(|t| now - t >= ACCEPT_ERROR_LOG_EVERY) {
                s.logged = Some(now);
                tracing::warn!(
                    max_connections = self.max,
                    "connection cap reached: closing connections that have sent nothing"
                );
            }
        }
        let id = s.next;
        s.next += 1;
        s.open += 1;
        self.metrics.accepted.increment(1);
        self.metrics.open.set(s.open as f64);
        let (close, evicted) = oneshot::channel();
        let gone = Arc::new(AtomicBool::new(false));
        s.silent.insert(id, (close, Arc::clone(&gone)));
        drop(s);
        (
            Slot {
                slots: Arc::clone(self),
                id,
                gone,
            },
            evicted,
        )
    }
}

/// A connection's slot, given back when dropped.
#[derive(Debug)]
struct Slot {
    slots: Arc<Slots>,
    id: u64,
    /// Set when the connection was closed to make room: its slot went to
    /// another one.
    gone: Arc<AtomicBool>,
}

impl Slot {
    /// The connection has spoken: it can no longer be closed for room.
    fn spoke(&self) {
        self.slots.lock().silent.remove(&self.id);
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut s = self.slots.lock();
        s.silent.remove(&self.id);
        if !self.gone.load(Ordering::Relaxed) {
            s.open = s.open.saturating_sub(1);
            self.slots.metrics.open.set(s.open as f64);
        }
        drop(s);
        self.slots.changed.notify_waiters();
    }
}

/// Backs off and logs accept errors.
#[derive(Debug, Default)]
struct AcceptErrors {
    /// The current pause.
    pause: Option<Duration>,
    /// When an error was last logged, and how many were not since.
    logged: Option<Instant>,
    unlogged: u64,
}

impl AcceptErrors {
    /// Records a failed accept; how long to pause before the next.
    fn failed(&mut self, e: &std::io::Error) -> Duration {
        let pause = self.pause.map_or(Duration::from_millis(50), |p| {
            (p * 2).min(Duration::from_secs(1))
        });
        self.pause = Some(pause);
        let now = Instant::now();
        if self
            .logged
            .is_none_or(|t| now - t >= ACCEPT_ERROR_LOG_EVERY)
        {
            tracing::warn!(
                error = %e,
                others_since_last_logged = self.unlogged,
                pause_ms = pause.as_millis(),
                "cannot accept connections (out of file descriptors?); backing off"
            );
            self.logged = Some(now);
            self.unlogged = 0;
        } else {
            self.unlogged += 1;
        }
        pause
    }

    fn succeeded(&mut self) {
        self.pause = None;
    }
}

/// One accepted connection, before it is served.
struct Conn {
    slot: Slot,
    evicted: oneshot::Receiver<()>,
    accepted: Instant,
    limits: Limits,
    tls: Option<TlsAcceptor>,
    protocol: Protocol,
    stopping: tokio::sync::watch::Receiver<bool>,
    /// Dropped when the connection is done.
    _alive: mpsc::Sender<Infallible>,
}

impl Conn {
    async fn run<S, B>(mut self, stream: TcpStream, service: S) -> std::io::Result<()>
    where
        S: tower::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        B: hyper::body::Body + Unpin + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let deadline = self.accepted + self.limits.handshake_timeout;
        // Small replies: no Nagle delay.
        let _ = stream.set_nodelay(true);
        let keepalive = socket2::TcpKeepalive::new().with_time(KEEPALIVE_INTERVAL);
        let _ = socket2::SockRef::from(&stream).set_tcp_keepalive(&keepalive);
        let mut stopping = self.stopping.clone();
        let mut first = [0; 1];
        tokio::select! {
            r = stream.peek(&mut first) => if r? == 0 { return Ok(()) },
            _ = &mut self.evicted => return Ok(()),
            () = tokio::time::sleep_until(deadline) => return Ok(()),
            () = stopped(&mut stopping) => return Ok(()),
        }
        self.slot.spoke();
        match self.tls.take() {
            None => self.serve(stream, service).await,
            Some(acceptor) => {
                let tls = tokio::time::timeout_at(deadline, acceptor.accept(stream))
                    .await
                    .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
                self.serve(tls, service).await
            }
        }
    }

    async fn serve<IO, S, B>(self, io: IO, service: S) -> std::io::Result<()>
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
        S: tower::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        B: hyper::body::Body + Unpin + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let activity = Arc::new(Activity::default());
        let io = TokioIo::new(Watched::new(
            io,
            Arc::clone(&activity),
            self.accepted,
            self.limits,
        ));
        let service = Tracked::new(service, activity);
        let mut stopping = self.stopping.clone();
        let result = match self.protocol {
            Protocol::Grpc => {
                let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
                builder
                    .timer(TokioTimer::new())
                    .keep_alive_interval(KEEPALIVE_INTERVAL)
                    .keep_alive_timeout(KEEPALIVE_TIMEOUT)
                    .max_concurrent_streams(self.limits.max_streams);
                let conn = builder.serve_connection(io, service);
                let mut conn = std::pin::pin!(conn);
                tokio::select! {
                    r = conn.as_mut() => r,
                    () = stopped(&mut stopping) => {
                        conn.as_mut().graceful_shutdown();
                        conn.await
                    }
                }
            }
            Protocol::Http1 => {
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder
                    .timer(TokioTimer::new())
                    .header_read_timeout(self.limits.handshake_timeout)
                    .keep_alive(true);
                let conn = builder.serve_connection(io, service);
                let mut conn = std::pin::pin!(conn);
                tokio::select! {
                    r = conn.as_mut() => r,
                    () = stopped(&mut stopping) => {
                        conn.as_mut().graceful_shutdown();
                        conn.await
                    }
                }
            }
        };
        drop(self.slot);
        result.map_err(std::io::Error::other)
    }
}

/// Completes once the listener is stopping.
async fn stopped(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stopping.wait_for(|s| *s).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_listener_closes_the_oldest_silent_connection() {
        let slots = Arc::new(Slots::new(2, "test"));
        let (a, mut a_closed) = slots.take();
        let (b, _b_closed) = slots.take();
        b.spoke();
        // Full, but `a` is silent: room for one more, made by closing `a`.
        tokio::time::timeout(Duration::from_secs(1), slots.room())
            .await
            .unwrap();
        let (c, _c_closed) = slots.take();
        assert!(a_closed.try_recv().is_ok());
        drop(a);
        assert_eq!(slots.lock().open, 2);
        c.spoke();
        // Full of connections that spoke: no room until one closes.
        assert!(
            tokio::time::timeout(Duration::from_millis(50), slots.room())
                .await
                .is_err()
        );
        drop(b);
        assert_eq!(slots.lock().open, 1);
        tokio::time::timeout(Duration::from_secs(1), slots.room())
            .await
            .unwrap();
    }

    #[test]
    fn accept_errors_back_off_up_to_a_second() {
        let mut e = AcceptErrors::default();
        let err = std::io::Error::from_raw_os_error(24);
        let pauses: Vec<u128> = (0..8).map(|_| e.failed(&err).as_millis()).collect();
        assert_eq!(pauses, [50, 100, 200, 400, 800, 1000, 1000, 1000]);
        e.succeeded();
        assert_eq!(e.failed(&err), Duration::from_millis(50));
    }
}
