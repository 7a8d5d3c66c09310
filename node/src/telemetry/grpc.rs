//! gRPC calls in the metrics: [`RequestMetricsLayer`] wraps the gRPC
//! server and counts every call by RPC and status code
//! ([`super::GRPC_REQUESTS`]) and its latency ([`super::GRPC_DURATION`]).
//!
//! A call's code is the `grpc-status` of its answer: in the headers of a
//! trailers-only answer (most refusals of a unary call), else in its
//! trailers, after the last message; its latency runs until then, so a
//! stream is timed whole. A call whose answer is dropped before its status
//! (the client went away) counts as `CANCELLED`.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Instant;

use http_body_util::BodyExt as _;
use http_body_util::combinators::UnsyncBoxBody;
use metrics::{Counter, Histogram};
use tonic::codegen::http::{Request, Response};
use tonic::codegen::{Bytes, Service};
use tonic::{Code, Status};

use super::{CODES, GRPC_DURATION, GRPC_REQUESTS, code_label};

/// The RPCs the node serves, as the `rpc` label names them.
const RPCS: [&str; 10] = [
    "Append",
    "AppendStream",
    "GetCheckpoint",
    "GetEntries",
    "GetInclusionProof",
    "GetConsistencyProof",
    "GetVinHistory",
    "Health",
    "Reflection",
    "other",
];

/// The index in [`RPCS`] of the call to `path` (`/package.Service/Method`).
fn rpc_of(path: &str) -> usize {
    let (service, method) = path
        .trim_start_matches('/')
        .split_once('/')
        .unwrap_or(("", ""));
    let other = RPCS.len() - 1;
    match service {
        "vledger.v1.Log" => RPCS[..7].iter().position(|r| *r == method).unwrap_or(other),
        "grpc.health.v1.Health" => 7,
        s if s.starts_with("grpc.reflection.") => 8,
        _ => other,
    }
}

/// The handles, made on first use of each RPC and code.
struct Handles {
    calls: Box<[OnceLock<Counter>]>,
    latency: Box<[OnceLock<Histogram>]>,
}

fn handles() -> &'static Handles {
    static HANDLES: OnceLock<Handles> = OnceLock::new();
    HANDLES.get_or_init(|| {
        super::handle();
        Handles {
            calls: (0..RPCS.len() * CODES.len())
                .map(|_| OnceLock::new())
                .collect(),
            latency: (0..RPCS.len()).map(|_| OnceLock::new()).collect(),
        }
    })
}

/// One call being answered; counted once, when its status is known or
/// when it is dropped without one.
struct Call {
    rpc: usize,
    started: Instant,
    counted: bool,
}

impl Call {
    fn finish(&mut self, code: Code) {
        if std::mem::replace(&mut self.counted, true) {
            return;
        }
        let h = handles();
        let rpc = RPCS[self.rpc];
        h.calls[self.rpc * CODES.len() + code as usize]
            .get_or_init(
                || metrics::counter!(GRPC_REQUESTS, "rpc" => rpc, "code" => code_label(code)),
            )
            .increment(1);
        h.latency[self.rpc]
            .get_or_init(|| metrics::histogram!(GRPC_DURATION, "rpc" => rpc))
            .record(self.started.elapsed());
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        self.finish(Code::Cancelled);
    }
}

/// The [`tower_layer::Layer`] that counts and times every call of the
/// services it wraps.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestMetricsLayer;

impl<S> tower_layer::Layer<S> for RequestMetricsLayer {
    type Service = RequestMetrics<S>;
    fn layer(&self, inner: S) -> RequestMetrics<S> {
        RequestMetrics { inner }
    }
}

/// A gRPC service whose calls are counted and timed.
#[derive(Debug, Clone)]
pub struct RequestMetrics<S> {
    /// The wrapped service.
    inner: S,
}

/// The body of a counted answer: the service's, watched for its status.
pub type CountedBody = UnsyncBoxBody<Bytes, Status>;

impl<S, B, ReqBody> Service<Request<ReqBody>> for RequestMetrics<S>
where
    S: Service<Request<ReqBody>, Response = Response<B>, Error = Infallible>,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<CountedBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<CountedBody>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let mut call = Call {
            rpc: rpc_of(request.uri().path()),
            started: Instant::now(),
            counted: false,
        };
        let answer = self.inner.call(request);
        Box::pin(async move {
            let response = answer.await?;
            let (parts, body) = response.into_parts();
            if let Some(status) = Status::from_header_map(&parts.headers) {
                call.finish(status.code());
            }
            let body = body
                .map_err(|e| Status::from_error(e.into()))
                .map_frame(move |frame| {
                    if let Some(trailers) = frame.trailers_ref() {
                        let code =
                            Status::from_header_map(trailers).map_or(Code::Unknown, |s| s.code());
                        call.finish(code);
                    }
                    frame
                });
            Ok(Response::from_parts(parts, UnsyncBoxBody::new(body)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_a_bounded_set_of_rpc_names() {
        let name = |p| RPCS[rpc_of(p)];
        assert_eq!(name("/vledger.v1.Log/Append"), "Append");
        assert_eq!(name("/vledger.v1.Log/GetVinHistory"), "GetVinHistory");
        assert_eq!(name("/vledger.v1.Log/NoSuchMethod"), "other");
        assert_eq!(name("/grpc.health.v1.Health/Check"), "Health");
        assert_eq!(
            name("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"),
            "Reflection"
        );
        assert_eq!(name("/x"), "other");
        assert_eq!(name("/evil.Service/Method"), "other");
    }
}
