//! The load generator's `--stream` mode: each round's records go over
//! `AppendStream` calls, one per connection, instead of unary appends.
//!
//! The records are split into contiguous runs, one per connection, each
//! sent as one stream. At most `concurrency` appends are in flight over
//! all streams (the same bound the unary mode keeps), so that the two
//! modes are compared at the same load: a stream sends its next record
//! only when an earlier one has been answered. An append's latency runs
//! from handing its request to the stream to reading its answer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;
use vledger_proto::v1 as pb;
use vledger_proto::v1::append_stream_response::Result as Answer;
use vledger_proto::v1::log_client::LogClient;

use crate::reads::{Tally, gather};

/// What one round (or one stream of it) measured, unary or streamed.
#[derive(Debug, Default)]
pub struct AppendRound {
    /// Appends answered with a receipt.
    pub ok: usize,
    /// Appends answered as duplicates.
    pub duplicates: usize,
    /// Appends refused or never answered, and the first failure.
    pub errors: usize,
    /// The first failure, as `Code: message`.
    pub first_error: Option<String>,
    /// Wall time of the round.
    pub elapsed: Duration,
    /// Latency of each append answered with a receipt.
    pub latencies: Vec<Duration>,
}

impl AppendRound {
    /// Counts one unary answer, `latency` after it was due.
    pub fn answer(
        &mut self,
        answer: Result<tonic::Response<pb::AppendResponse>, tonic::Status>,
        latency: Duration,
    ) {
        match answer {
            Ok(resp) => {
                self.latencies.push(latency);
                self.ok += 1;
                self.duplicates += usize::from(resp.into_inner().duplicate);
            }
            Err(status) => self.fail(1, format!("{:?}: {}", status.code(), status.message())),
        }
    }
}

impl Tally for AppendRound {
    fn add(&mut self, other: Self) {
        self.ok += other.ok;
        self.duplicates += other.duplicates;
        self.errors += other.errors;
        self.first_error = self.first_error.take().or(other.first_error);
        self.latencies.extend(other.latencies);
    }

    fn fail(&mut self, count: usize, error: String) {
        self.errors += count;
        self.first_error.get_or_insert(error);
    }

    fn answered(&self) -> usize {
        self.ok + self.errors
    }

    fn finish(&mut self, elapsed: Duration) {
        self.elapsed = elapsed;
    }
}

/// Sends every record of `protos` over one `AppendStream` per client, with
/// `concurrency` appends in flight in all, within `limit`.
pub async fn round(
    clients: &[LogClient<Channel>],
    protos: Vec<pb::SignedRecord>,
    concurrency: usize,
    limit: Duration,
) -> AppendRound {
    let total = protos.len();
    let streams = clients.len().clamp(1, total.max(1));
    let per_stream = total.div_ceil(streams);
    let window = (concurrency / streams).max(1);
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut rest = protos;
    for client in clients.iter().take(streams) {
        let tail = rest.split_off(per_stream.min(rest.len()));
        let chunk = std::mem::replace(&mut rest, tail);
        tasks.spawn(one_stream(client.clone(), chunk, window));
    }
    gather(tasks, total, start, limit).await
}

/// Sends `protos` over one stream with at most `window` unanswered.
async fn one_stream(
    mut client: LogClient<Channel>,
    protos: Vec<pb::SignedRecord>,
    window: usize,
) -> AppendRound {
    let total = protos.len();
    let permits = Arc::new(Semaphore::new(window));
    let sent = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let (tx, rx) = mpsc::channel(window);
    let producer = tokio::spawn({
        let (permits, sent) = (Arc::clone(&permits), Arc::clone(&sent));
        async move {
            for p in protos {
                let Ok(permit) = permits.acquire().await else {
                    return;
                };
                permit.forget();
                sent.lock().map(|mut s| s.push(Instant::now())).ok();
                let request = pb::AppendRequest {
                    signed: Some(p),
                    ..Default::default()
                };
                if tx.send(request).await.is_err() {
                    return;
                }
            }
        }
    });
    let mut r = AppendRound {
        latencies: Vec::with_capacity(total),
        ..AppendRound::default()
    };
    let mut answers = match client.append_stream(ReceiverStream::new(rx)).await {
        Ok(answers) => answers.into_inner(),
        Err(s) => {
            producer.abort();
            r.fail(total, format!("{:?}: {}", s.code(), s.message()));
            return r;
        }
    };
    loop {
        match answers.message().await {
            Ok(Some(a)) => {
                let at = usize::try_from(a.position).ok();
                let since = at.and_then(|i| sent.lock().ok()?.get(i).copied());
                permits.add_permits(1);
                match a.result {
                    Some(Answer::Appended(appended)) => {
                        r.ok += 1;
                        r.duplicates += usize::from(appended.duplicate);
                        if let Some(since) = since {
                            r.latencies.push(since.elapsed());
                        }
                    }
                    Some(Answer::Refused(refusal)) => r.fail(
                        1,
                        format!("{:?}: {}", tonic::Code::from(refusal.code), refusal.message),
                    ),
                    None => r.fail(1, "an empty answer".to_owned()),
                }
            }
            Ok(None) => break,
            Err(s) => {
                r.fail(0, format!("{:?}: {}", s.code(), s.message()));
                break;
            }
        }
    }
    producer.abort();
    let left = total.saturating_sub(r.ok + r.errors);
    if left > 0 {
        r.fail(
            left,
            format!("the stream ended with {left} appends unanswered"),
        );
    }
    r
}
