//! `AppendStream`: many appends over one call, for bulk uploads.
//!
//! Requests are checked (decoded, their signatures verified together) in
//! runs of up to [`STREAM_CHECK_RUN`], as many as have arrived, each run
//! on a task of its own so that checks spread over every core; up to
//! [`STREAM_CHECK_AHEAD`] runs are checked at once. Checked records then
//! go to the sequencer **in stream order**, with at most
//! [`STREAM_IN_FLIGHT`] of them waiting for their batch, so that one
//! stream alone fills the sequencer's batches: of two records of one VIN,
//! the earlier in the stream is the earlier in the VIN's chain. Answers
//! come in request order, each naming its request's position. A refused
//! record is answered with its refusal and the stream goes on; a failure
//! of the node (it is shutting down, a write failed, a receipt cannot be
//! built) or of the transport ends the stream with that status, after the
//! answers to every request before it.

use std::pin::Pin;

use futures_util::StreamExt as _;
use tokio_stream::Stream;
use tonic::{Status, Streaming};
use vledger_proto::v1 as pb;

use super::{AppendError, Checked, LogService, check_many};

/// Most appends of one stream waiting for the sequencer at once: enough
/// to fill batches, few enough to bound what one stream holds (each
/// request is at most [`crate::MAX_REQUEST_SIZE`] bytes). Beyond them and
/// [`STREAM_CHECK_AHEAD`] being checked, the node reads no further request
/// of the stream until the oldest is answered; HTTP/2 flow control then
/// holds the client back.
pub const STREAM_IN_FLIGHT: usize = 512;

/// Most requests of one stream checked together: their signatures are
/// verified in one batch (about half the cost of checking them one by
/// one). A run takes the requests that have arrived, so a slow stream
/// waits for none.
pub const STREAM_CHECK_RUN: usize = 64;

/// Most runs of one stream checked at once, ahead of those waiting for the
/// sequencer.
pub const STREAM_CHECK_AHEAD: usize = 4;

/// The answers of one `AppendStream` call.
pub type AppendStream =
    Pin<Box<dyn Stream<Item = Result<pb::AppendStreamResponse, Status>> + Send>>;

/// Appends every request of `requests` through `service`, answering in
/// order, until the requests end or an append fails.
pub(super) fn answers(service: LogService, requests: Streaming<pb::AppendRequest>) -> AppendStream {
    let answers = requests
        .ready_chunks(STREAM_CHECK_RUN)
        .map(|run| tokio::spawn(async move { check_run(run) }))
        .buffered(STREAM_CHECK_AHEAD)
        .flat_map(|checked| futures_util::stream::iter(joined(checked)))
        .map(move |checked| {
            let service = service.clone();
            async move { service.sequence(checked?).await }
        })
        // `buffered` first polls its futures in the order it takes them,
        // and the first poll of `sequence` queues the record: the stream's
        // order is the sequencer's.
        .buffered(STREAM_IN_FLIGHT)
        .enumerate()
        .map(|(position, answered)| answer(position as u64, answered));
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

/// Checks a run of requests together, up to the first that did not
/// arrive whole (an oversized or undecodable message, or a broken
/// connection), which ends the stream.
fn check_run(run: Vec<Result<pb::AppendRequest, Status>>) -> Vec<Result<Checked, AppendError>> {
    let mut requests = Vec::with_capacity(run.len());
    let mut failure = None;
    for request in run {
        match request {
            Ok(r) => requests.push(r),
            Err(status) => {
                failure = Some(status);
                break;
            }
        }
    }
    let mut checked = check_many(requests);
    checked.extend(failure.map(|s| Err(AppendError::Failed(s))));
    checked
}

/// The outcome of a check task.
fn joined(
    checked: Result<Vec<Result<Checked, AppendError>>, tokio::task::JoinError>,
) -> Vec<Result<Checked, AppendError>> {
    checked.unwrap_or_else(|e| {
        tracing::error!(error = %e, "a check of streamed appends failed");
        vec![Err(AppendError::Failed(Status::internal(format!(
            "checking records failed: {e}"
        ))))]
    })
}

/// The answer to the request at `position`, or the status that ends the
/// stream.
fn answer(
    position: u64,
    answered: Result<pb::AppendResponse, AppendError>,
) -> Result<pb::AppendStreamResponse, Status> {
    let result = match answered {
        Ok(appended) => pb::append_stream_response::Result::Appended(appended),
        Err(AppendError::Refused(status)) => {
            pb::append_stream_response::Result::Refused(pb::AppendRefusal {
                code: status.code().into(),
                message: status.message().to_owned(),
            })
        }
        Err(AppendError::Failed(status)) => return Err(status),
    };
    Ok(pb::AppendStreamResponse {
        position,
        result: Some(result),
    })
}
