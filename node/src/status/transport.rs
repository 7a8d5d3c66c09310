//! Statuses that tonic answers before a request reaches the service, made
//! what the API promises (DESIGN.md, docs/formats.md#grpc):
//!
//! - a message over the node's decoding limit ([`crate::MAX_REQUEST_SIZE`]),
//!   which tonic answers `OUT_OF_RANGE`, is `RESOURCE_EXHAUSTED`;
//! - a message that is not the request's protobuf, which tonic's prost
//!   codec answers `INTERNAL`, is `INVALID_ARGUMENT`.
//!
//! [`TransportStatusLayer`] wraps every service of the gRPC server and
//! rewrites these two statuses wherever they travel: in the headers of a
//! trailers-only answer (a unary call whose request did not decode) and in
//! the trailers of a stream (an `AppendStream` request that did not
//! decode ends the stream with tonic's status). Each is told from the
//! service's own statuses of the same code by tonic's message, which this
//! module pins (a test sends both to a node).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http_body_util::BodyExt as _;
use http_body_util::combinators::UnsyncBoxBody;
use tonic::codegen::http::{HeaderMap, Request, Response};
use tonic::codegen::{Bytes, Service};
use tonic::{Code, Status};

/// The start of tonic's message for a message over the decoding limit
/// (`tonic::codec::decode`).
const TOO_LARGE: &str = "Error, decoded message length too large";

/// The start of prost's message for bytes that do not decode
/// (`prost::DecodeError`'s display, as tonic-prost passes it on).
const UNDECODABLE: &str = "failed to decode Protobuf message";

/// The status the API promises for `status`, if tonic answered it with
/// another code.
#[must_use]
pub fn promised(status: &Status) -> Option<Status> {
    let message = status.message();
    match status.code() {
        Code::OutOfRange if message.starts_with(TOO_LARGE) => Some(Status::resource_exhausted(
            format!("request: too large: {message}"),
        )),
        Code::Internal if message.starts_with(UNDECODABLE) => {
            Some(Status::invalid_argument(format!(
                "request: is not a valid protobuf message of the call's request type: {message}"
            )))
        }
        _ => None,
    }
}

/// Rewrites the `grpc-status` and `grpc-message` in `headers` (response
/// headers or trailers) when [`promised`] says so.
fn rewrite(headers: &mut HeaderMap) {
    let Some(status) = Status::from_header_map(headers) else {
        return;
    };
    if let Some(promised) = promised(&status) {
        headers.remove("grpc-message");
        headers.remove("grpc-status-details-bin");
        if promised.add_header(headers).is_err() {
            tracing::debug!("cannot write a rewritten gRPC status");
        }
    }
}

/// The [`tower_layer::Layer`] that applies [`promised`] to every answer of
/// the services it wraps.
#[derive(Debug, Clone, Copy, Default)]
pub struct TransportStatusLayer;

impl<S> tower_layer::Layer<S> for TransportStatusLayer {
    type Service = TransportStatus<S>;
    fn layer(&self, inner: S) -> TransportStatus<S> {
        TransportStatus { inner }
    }
}

/// A gRPC service whose answers carry the statuses the API promises.
#[derive(Debug, Clone)]
pub struct TransportStatus<S> {
    /// The wrapped service (tonic's routes).
    inner: S,
}

/// The body of a rewritten answer: the service's, trailers rewritten.
pub type StatusBody = UnsyncBoxBody<Bytes, tonic::Status>;

impl<S, B, ReqBody> Service<Request<ReqBody>> for TransportStatus<S>
where
    S: Service<Request<ReqBody>, Response = Response<B>, Error = Infallible>,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<StatusBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<StatusBody>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let answer = self.inner.call(request);
        Box::pin(async move {
            let response = answer.await?;
            let (mut parts, body) = response.into_parts();
            rewrite(&mut parts.headers);
            let body = body
                .map_err(|e| Status::from_error(e.into()))
                .map_frame(|mut frame| {
                    if let Some(trailers) = frame.trailers_mut() {
                        rewrite(trailers);
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
    fn only_tonics_own_statuses_are_rewritten() {
        let big = Status::out_of_range(
            "Error, decoded message length too large: found 10485760 bytes, the limit is: 262144 bytes",
        );
        assert_eq!(promised(&big).unwrap().code(), Code::ResourceExhausted);
        let garbage =
            Status::internal("failed to decode Protobuf message: invalid wire type value: 7");
        assert_eq!(promised(&garbage).unwrap().code(), Code::InvalidArgument);
        assert!(promised(&Status::out_of_range("index 9 is beyond the tree size 3")).is_none());
        assert!(promised(&Status::internal("store error: disk full")).is_none());
    }

    #[test]
    fn headers_are_rewritten_in_place() {
        let mut headers = HeaderMap::new();
        Status::internal("failed to decode Protobuf message: buffer underflow")
            .add_header(&mut headers)
            .unwrap();
        rewrite(&mut headers);
        let status = Status::from_header_map(&headers).unwrap();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(
            status.message().starts_with("request: "),
            "{}",
            status.message()
        );
    }
}
