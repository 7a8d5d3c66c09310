//! `AppendStream`: many appends over one call, for bulk uploads.
//!
//! Each request is appended as a unary `Append` is, on a task of its own
//! (signature checks spread over every core), with at most
//! [`STREAM_IN_FLIGHT`] of one stream's appends in flight, so that one
//! stream alone fills the sequencer's batches. Answers come in request
//! order, each naming its request's position. A refused record is answered
//! with its refusal and the stream goes on; a failure of the node (it is
//! shutting down, a write failed, a receipt cannot be built) or of the
//! transport ends the stream with that status, after the answers to every
//! request before it.

use std::pin::Pin;

use futures_util::StreamExt as _;
use tokio_stream::Stream;
use tonic::{Status, Streaming};
use vledger_proto::v1 as pb;

use super::{AppendError, LogService};

/// Most appends of one stream in flight at once: enough to fill a batch
/// of the sequencer, few enough to bound what one stream holds in memory
/// (each request is at most [`crate::MAX_REQUEST_SIZE`] bytes). The node
/// reads no further request of the stream until the oldest in flight is
/// answered; HTTP/2 flow control then holds the client back.
pub const STREAM_IN_FLIGHT: usize = 512;

/// The answers of one `AppendStream` call.
pub type AppendStream =
    Pin<Box<dyn Stream<Item = Result<pb::AppendStreamResponse, Status>> + Send>>;

/// Appends every request of `requests` through `service`, answering in
/// order, until the requests end or an append fails.
pub(super) fn answers(service: LogService, requests: Streaming<pb::AppendRequest>) -> AppendStream {
    let answers = requests
        .map(move |request| {
            let service = service.clone();
            tokio::spawn(async move {
                match request {
                    Ok(request) => service.append_one(request).await,
                    // An oversized or undecodable message, or a broken
                    // connection: the stream cannot go on.
                    Err(status) => Err(AppendError::Failed(status)),
                }
            })
        })
        .buffered(STREAM_IN_FLIGHT)
        .enumerate()
        .map(|(position, joined)| answer(position as u64, joined));
    // The first failure is the stream's last item.
    let until_failure = answers.scan(false, |failed, item| {
        let next = if *failed {
            None
        } else {
            *failed = item.is_err();
            Some(item)
        };
        std::future::ready(next)
    });
    Box::pin(until_failure)
}

/// The answer to the request at `position`, or the status that ends the
/// stream.
fn answer(
    position: u64,
    joined: Result<Result<pb::AppendResponse, AppendError>, tokio::task::JoinError>,
) -> Result<pb::AppendStreamResponse, Status> {
    let result = match joined {
        Ok(Ok(appended)) => pb::append_stream_response::Result::Appended(appended),
        Ok(Err(AppendError::Refused(status))) => {
            pb::append_stream_response::Result::Refused(pb::AppendRefusal {
                code: status.code().into(),
                message: status.message().to_owned(),
            })
        }
        Ok(Err(AppendError::Failed(status))) => return Err(status),
        Err(e) => {
            tracing::error!(error = %e, position, "an append of a stream failed");
            return Err(Status::internal(format!("append {position} failed: {e}")));
        }
    };
    Ok(pb::AppendStreamResponse {
        position,
        result: Some(result),
    })
}
