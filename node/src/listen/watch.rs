//! A connection's clock: which requests are in flight, when bytes last
//! moved, and the reader that ends the connection when its handshake or
//! idle time is up.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::{Request, Response};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt as _;

use super::Limits;

/// What a connection's requests are doing, shared by its service (which
/// counts them) and its reader (which closes the connection on time).
#[derive(Debug)]
pub(super) struct Activity {
    /// Requests whose response has not been sent in full.
    in_flight: AtomicUsize,
    /// Whether any request has started.
    started: AtomicBool,
    /// When the last request finished.
    last_done: Mutex<Instant>,
}

impl Default for Activity {
    fn default() -> Self {
        Self {
            in_flight: AtomicUsize::new(0),
            started: AtomicBool::new(false),
            last_done: Mutex::new(Instant::now()),
        }
    }
}

impl Activity {
    fn begin(self: &Arc<Self>) -> InFlight {
        self.started.store(true, Ordering::Relaxed);
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(self))
    }

    fn last_done(&self) -> Instant {
        *self
            .last_done
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One request in flight, until its response body is done or dropped.
#[derive(Debug)]
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut t) = self.0.last_done.lock() {
            *t = Instant::now();
        }
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A connection's stream, which reads as closed once the connection has
/// had its time: no request started within the handshake timeout, no
/// request in flight for the idle timeout, or requests in flight but no
/// byte moved either way for the idle timeout.
#[derive(Debug)]
pub(super) struct Watched<IO> {
    io: IO,
    activity: Arc<Activity>,
    accepted: Instant,
    limits: Limits,
    /// When a byte was last read or written.
    last_io: Instant,
    /// Fires at the next deadline to check.
    timer: Pin<Box<Sleep>>,
}

impl<IO> Watched<IO> {
    pub(super) fn new(io: IO, activity: Arc<Activity>, accepted: Instant, limits: Limits) -> Self {
        Self {
            io,
            activity,
            accepted,
            limits,
            last_io: Instant::now(),
            timer: Box::pin(tokio::time::sleep_until(
                accepted + limits.handshake_timeout,
            )),
        }
    }

    /// When the connection is to be closed, as things stand.
    fn deadline(&self) -> Instant {
        if !self.activity.started.load(Ordering::Relaxed) {
            self.accepted + self.limits.handshake_timeout
        } else if self.activity.in_flight.load(Ordering::Relaxed) == 0 {
            // Not `last_io`: HTTP/2 keepalive pings must not keep an idle
            // connection open.
            self.activity.last_done() + self.limits.idle_timeout
        } else {
            self.last_io + self.limits.idle_timeout
        }
    }

    /// Whether the connection's time is up; re-arms the timer otherwise.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        while self.timer.as_mut().poll(cx).is_ready() {
            let deadline = self.deadline();
            if deadline <= Instant::now() {
                return true;
            }
            self.timer.as_mut().reset(deadline);
        }
        false
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Watched<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.expired(cx) {
            // End of stream: hyper closes the connection.
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.last_io = Instant::now();
        }
        polled
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Watched<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.last_io = Instant::now();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.last_io = Instant::now();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

/// A service that counts its connection's requests in flight.
#[derive(Debug, Clone)]
pub(super) struct Tracked<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S> Tracked<S> {
    pub(super) fn new(inner: S, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> hyper::service::Service<Request<Incoming>> for Tracked<S>
where
    S: tower::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: Body + Unpin + Send + 'static,
{
    type Response = Response<Counted<B>>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        let in_flight = self.activity.begin();
        let call = self.inner.clone().oneshot(req);
        Box::pin(async move {
            let response = call.await?;
            Ok(response.map(|body| Counted {
                body,
                _in_flight: in_flight,
            }))
        })
    }
}

/// A response body that keeps its request counted until it is sent.
#[derive(Debug)]
pub(super) struct Counted<B> {
    body: B,
    _in_flight: InFlight,
}

impl<B: Body + Unpin> Body for Counted<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    use super::*;

    const HANDSHAKE: Duration = Duration::from_millis(200);
    const IDLE: Duration = Duration::from_millis(400);

    fn watched() -> (
        Watched<tokio::io::DuplexStream>,
        tokio::io::DuplexStream,
        Arc<Activity>,
    ) {
        let (ours, theirs) = tokio::io::duplex(1024);
        let activity = Arc::new(Activity::default());
        let limits = Limits {
            handshake_timeout: HANDSHAKE,
            idle_timeout: IDLE,
            ..Limits::default()
        };
        let w = Watched::new(ours, Arc::clone(&activity), Instant::now(), limits);
        (w, theirs, activity)
    }

    /// Reads until end of stream; when it came.
    async fn eof(w: &mut Watched<tokio::io::DuplexStream>) -> Instant {
        let mut buf = [0u8; 64];
        while w.read(&mut buf).await.unwrap() > 0 {}
        Instant::now()
    }

    #[tokio::test]
    async fn a_connection_without_a_request_ends_at_the_handshake_timeout() {
        let (mut w, mut peer, _) = watched();
        let start = Instant::now();
        // Bytes that never make a request do not extend it.
        let talk = tokio::spawn(async move {
            for _ in 0..10 {
                let _ = peer.write_all(b"x").await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            peer
        });
        let took = eof(&mut w).await - start;
        assert!(took >= HANDSHAKE && took < HANDSHAKE * 2, "{took:?}");
        drop(talk);
    }

    #[tokio::test]
    async fn pings_do_not_keep_an_idle_connection_open() {
        let (mut w, mut peer, activity) = watched();
        drop(activity.begin());
        let done = Instant::now();
        // A ping ack every 50 ms, as an HTTP/2 client answers keepalives.
        let talk = tokio::spawn(async move {
            for _ in 0..20 {
                let _ = peer.write_all(b"p").await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            peer
        });
        let took = eof(&mut w).await - done;
        assert!(took >= IDLE && took < IDLE * 2, "{took:?}");
        drop(talk);
    }

    #[tokio::test]
    async fn a_request_in_flight_ends_only_when_no_byte_moves() {
        let (mut w, mut peer, activity) = watched();
        let request = activity.begin();
        let start = Instant::now();
        // Bytes for three idle timeouts keep it open; then silence.
        let talk = tokio::spawn(async move {
            while start.elapsed() < IDLE * 3 {
                let _ = peer.write_all(b"b").await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            peer
        });
        let took = eof(&mut w).await - start;
        // The last byte moved just before 3 timeouts, then one timeout.
        assert!(took > IDLE * 3 + IDLE / 2 && took < IDLE * 5, "{took:?}");
        drop((talk, request));
    }
}
