//! The sequencer: one thread that owns the log writer.
//!
//! Appends queue on a channel. The thread takes the first waiting append,
//! then everything else already queued (up to `max_batch`), hands the batch
//! to [`LogWriter::append_batch`] — which validates, assigns indices, writes,
//! signs one checkpoint and makes it durable with one flush — and only then
//! answers every caller of the batch (group commit).

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::{mpsc, oneshot, watch};
use vledger_log::store::{Backend, LogStore};
use vledger_log::writer::{Appended, LogWriter, WriterError};
use vledger_records::SignedRecord;
use vledger_rules::Refusal;

/// The latest signed checkpoint and its tree size.
#[derive(Debug, Clone)]
pub struct Head {
    /// Tree size of the checkpoint.
    pub tree_size: u64,
    /// Signed note text.
    pub checkpoint: Arc<str>,
}

/// The answer to one append.
#[derive(Debug)]
pub struct Sequenced {
    /// The entry, or why the record was refused.
    pub outcome: Result<Appended, Refusal>,
    /// The checkpoint of the batch (or the latest one, when the batch
    /// logged nothing new).
    pub head: Head,
}

/// One queued append.
struct Request {
    /// The record, already checked for syntax and signature.
    signed: SignedRecord,
    /// Where the answer goes.
    reply: oneshot::Sender<Result<Sequenced, Arc<WriterError>>>,
}

/// Cloneable handle through which request handlers queue appends.
#[derive(Debug, Clone)]
pub struct Sequencer {
    /// Queue into the sequencer thread.
    tx: mpsc::Sender<Request>,
    /// The latest checkpoint, updated after every durable batch.
    head: watch::Receiver<Head>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request").finish_non_exhaustive()
    }
}

/// Why an append got no answer from the sequencer.
#[derive(Debug, thiserror::Error)]
pub enum SequencerError {
    /// The sequencer stopped (the node is shutting down).
    #[error("the sequencer has stopped")]
    Stopped,
    /// Writing the batch failed; nothing of it was acknowledged.
    #[error(transparent)]
    Writer(Arc<WriterError>),
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Sequencer {
    /// Starts the sequencer thread around `writer`. It runs until every
    /// `Sequencer` handle is dropped, then returns the store.
    pub fn spawn<B: Backend + 'static>(
        writer: LogWriter<B>,
        max_batch: usize,
        queue: usize,
    ) -> (Self, JoinHandle<LogStore<B>>) {
        let (tx, rx) = mpsc::channel(queue);
        let (head_tx, head) = watch::channel(Head {
            tree_size: writer.tree_size(),
            checkpoint: writer.checkpoint(),
        });
        let thread = std::thread::Builder::new()
            .name("vledger-sequencer".into())
            .spawn(move || run(writer, rx, &head_tx, max_batch.max(1)))
            .unwrap_or_else(|e| panic!("cannot start the sequencer thread: {e}"));
        (Self { tx, head }, thread)
    }

    /// Queues `signed` and waits until its batch is durable.
    ///
    /// # Errors
    /// [`SequencerError`] when the batch could not be written or the
    /// sequencer stopped.
    pub async fn append(&self, signed: SignedRecord) -> Result<Sequenced, SequencerError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request { signed, reply })
            .await
            .map_err(|_| SequencerError::Stopped)?;
        rx.await
            .map_err(|_| SequencerError::Stopped)?
            .map_err(SequencerError::Writer)
    }

    /// The latest durable checkpoint.
    #[must_use]
    pub fn head(&self) -> Head {
        self.head.borrow().clone()
    }

    /// A channel that sees every new durable checkpoint (the latest one,
    /// when several come before it is read); closed when the sequencer stops.
    #[must_use]
    pub fn subscribe(&self) -> watch::Receiver<Head> {
        self.head.clone()
    }
}

fn run<B: Backend>(
    mut writer: LogWriter<B>,
    mut rx: mpsc::Receiver<Request>,
    head: &watch::Sender<Head>,
    max_batch: usize,
) -> LogStore<B> {
    let mut batch: Vec<Request> = Vec::with_capacity(max_batch);
    let mut records: Vec<SignedRecord> = Vec::with_capacity(max_batch);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        records.extend(batch.iter().map(|r| r.signed.clone()));
        let started = std::time::Instant::now();
        match writer.append_batch(&records, now_ms()) {
            Ok(result) => {
                let new_head = Head {
                    tree_size: result.tree_size,
                    checkpoint: result.checkpoint,
                };
                head.send_replace(new_head.clone());
                tracing::debug!(
                    batch = batch.len(),
                    tree_size = result.tree_size,
                    micros = started.elapsed().as_micros() as u64,
                    "batch sequenced"
                );
                for (req, outcome) in batch.drain(..).zip(result.outcomes) {
                    // A caller that gave up no longer listens; its entry is
                    // logged all the same.
                    let _ = req.reply.send(Ok(Sequenced {
                        outcome,
                        head: new_head.clone(),
                    }));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, batch = batch.len(), "batch not written; refusing further appends");
                let e = Arc::new(e);
                for req in batch.drain(..) {
                    let _ = req.reply.send(Err(Arc::clone(&e)));
                }
            }
        }
        records.clear();
    }
    tracing::info!(tree_size = writer.tree_size(), "sequencer stopped");
    writer.into_store()
}
