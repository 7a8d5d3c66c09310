//! The sequencer: one thread that owns the log writer.
//!
//! Appends queue on a channel. The thread takes the first waiting append,
//! then everything else already queued (up to `max_batch`), and hands the
//! batch to [`LogWriter::sequence`], which decides each record, assigns
//! indices and signs one checkpoint. The sequenced batch goes to a second
//! thread that commits it (one atomic, durable write) and only then
//! publishes its checkpoint and answers every caller of the batch (group
//! commit). The two overlap: while batch N is made durable, batch N+1 is
//! sequenced against N's changes held in memory. At most
//! [`PIPELINE_DEPTH`] batches are ahead of the store; batches are
//! committed in order, and after a failed commit none that follows is.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::{mpsc, oneshot, watch};
use vledger_log::store::{Backend, LogStore};
use vledger_log::writer::{Appended, BatchReceipts, LogWriter, Staged, Submission, WriterError};
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
    /// The receipts of the batch's entries, from memory.
    pub receipts: Arc<BatchReceipts>,
}

/// One queued append.
struct Request {
    /// The record, already checked for syntax and signature, with its
    /// deduplication key.
    submission: Submission,
    /// Where the answer goes.
    reply: Reply,
}

/// Whether the sequencer can take appends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// It takes appends.
    Running,
    /// Writing a batch failed: it refuses every append until the node is
    /// restarted.
    Failed,
    /// It has stopped (the node is shutting down).
    Stopped,
}

/// Cloneable handle through which request handlers queue appends.
#[derive(Debug, Clone)]
pub struct Sequencer {
    /// Queue into the sequencer thread.
    tx: mpsc::Sender<Request>,
    /// The latest checkpoint, updated after every durable batch.
    head: watch::Receiver<Head>,
    /// Whether it still takes appends.
    state: watch::Receiver<State>,
}

/// Reads how many appends wait in the sequencer's queue, without keeping
/// the sequencer running: the metrics hold one.
#[derive(Debug, Clone)]
pub struct QueueProbe {
    tx: mpsc::WeakSender<Request>,
}

impl QueueProbe {
    /// Appends waiting now (0 once the sequencer stopped).
    #[must_use]
    pub fn depth(&self) -> usize {
        self.tx
            .upgrade()
            .map_or(0, |tx| tx.max_capacity() - tx.capacity())
    }
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
    pub fn spawn<B: Backend + Clone + 'static>(
        writer: LogWriter<B>,
        max_batch: usize,
        queue: usize,
    ) -> (Self, JoinHandle<LogStore<B>>) {
        let (tx, rx) = mpsc::channel(queue);
        let (head_tx, head) = watch::channel(Head {
            tree_size: writer.tree_size(),
            checkpoint: writer.checkpoint(),
        });
        let (state_tx, state) = watch::channel(State::Running);
        crate::telemetry::tree_size(writer.tree_size());
        let thread = std::thread::Builder::new()
            .name("vledger-sequencer".into())
            .spawn(move || {
                let store = run(writer, rx, head_tx, &state_tx, max_batch.max(1));
                state_tx.send_if_modified(|s| {
                    let running = *s == State::Running;
                    if running {
                        *s = State::Stopped;
                    }
                    running
                });
                store
            })
            .unwrap_or_else(|e| panic!("cannot start the sequencer thread: {e}"));
        (Self { tx, head, state }, thread)
    }

    /// A channel that sees the sequencer fail or stop.
    #[must_use]
    pub fn state(&self) -> watch::Receiver<State> {
        self.state.clone()
    }

    /// Reads the depth of the append queue without holding the sequencer.
    #[must_use]
    pub fn queue_probe(&self) -> QueueProbe {
        QueueProbe {
            tx: self.tx.downgrade(),
        }
    }

    /// The capacity of the append queue.
    #[must_use]
    pub fn queue_capacity(&self) -> usize {
        self.tx.max_capacity()
    }

    /// Queues `signed` and waits until its batch is durable.
    ///
    /// # Errors
    /// [`SequencerError`] when the batch could not be written or the
    /// sequencer stopped.
    pub async fn append(&self, signed: SignedRecord) -> Result<Sequenced, SequencerError> {
        let (reply, rx) = oneshot::channel();
        // The deduplication key is hashed here, on the caller's task.
        let submission = Submission::new(signed);
        self.tx
            .send(Request { submission, reply })
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

/// Batches sequenced and waiting to be made durable, at most: the
/// sequencer decides batch N+1 while batch N is committed, and waits when
/// this many are ahead of the store.
pub const PIPELINE_DEPTH: usize = 2;

/// A sequenced batch on its way to the committing thread, with the callers
/// to answer once it is durable.
struct InFlight {
    staged: Staged,
    replies: Vec<Reply>,
    /// When its sequencing began.
    started: std::time::Instant,
}

/// Where one caller's answer goes.
type Reply = oneshot::Sender<Result<Sequenced, Arc<WriterError>>>;

fn run<B: Backend + Clone + 'static>(
    mut writer: LogWriter<B>,
    mut rx: mpsc::Receiver<Request>,
    head: watch::Sender<Head>,
    state: &watch::Sender<State>,
    max_batch: usize,
) -> LogStore<B> {
    let (to_commit, commits) = std::sync::mpsc::sync_channel::<InFlight>(PIPELINE_DEPTH - 1);
    let (done_tx, done) = std::sync::mpsc::channel::<Option<u64>>();
    let (wake_tx, wake) = std::sync::mpsc::sync_channel::<()>(1);
    let store = writer.store().clone();
    let archiver = store.defers_archiving().then(|| {
        let store = store.clone();
        std::thread::Builder::new()
            .name("vledger-archive".into())
            .spawn(move || archive_committed(&store, &wake))
            .unwrap_or_else(|e| panic!("cannot start the archiving thread: {e}"))
    });
    let committer = std::thread::Builder::new()
        .name("vledger-commit".into())
        .spawn({
            let state = state.clone();
            move || commit_in_order(&store, &commits, &head, &state, &done_tx, &wake_tx)
        })
        .unwrap_or_else(|e| panic!("cannot start the commit thread: {e}"));

    let mut batch: Vec<Submission> = Vec::with_capacity(max_batch);
    let mut replies: Vec<Reply> = Vec::with_capacity(max_batch);
    while let Some(first) = rx.blocking_recv() {
        let mut next = Some(first);
        while let Some(r) = next.take() {
            batch.push(r.submission);
            replies.push(r.reply);
            if batch.len() < max_batch {
                next = rx.try_recv().ok();
            }
        }
        // What the committing thread finished: the writer stops holding
        // those batches in memory, or stops after a failed commit.
        for finished in done.try_iter() {
            match finished {
                Some(size) => writer.committed(size),
                None => writer.poison(),
            }
        }
        let started = std::time::Instant::now();
        let records = batch.len();
        match writer.sequence(std::mem::take(&mut batch), now_ms()) {
            Ok(staged) => {
                let took = started.elapsed();
                crate::telemetry::batch_sequenced(records, took);
                tracing::debug!(
                    batch = records,
                    tree_size = staged.tree_size(),
                    micros = took.as_micros() as u64,
                    "batch sequenced"
                );
                let flight = InFlight {
                    staged,
                    replies: std::mem::take(&mut replies),
                    started,
                };
                if let Err(std::sync::mpsc::SendError(flight)) = to_commit.send(flight) {
                    refuse(flight.replies, &Arc::new(WriterError::Poisoned));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, batch = records, "batch not sequenced");
                if matches!(e, WriterError::Poisoned) {
                    state.send_replace(State::Failed);
                }
                refuse(std::mem::take(&mut replies), &Arc::new(e));
            }
        }
        batch = Vec::with_capacity(max_batch);
        replies = Vec::with_capacity(max_batch);
    }
    drop(to_commit);
    if committer.join().is_err() {
        tracing::error!("the commit thread panicked");
    }
    if let Some(archiver) = archiver
        && archiver.join().is_err()
    {
        tracing::error!("the archiving thread panicked");
    }
    tracing::info!(tree_size = writer.tree_size(), "sequencer stopped");
    writer.into_store()
}

/// The archiving thread: each time the commit thread wakes it, puts the
/// full tiles and bundles committed batches completed into their files
/// ([`LogStore::archive_committed`]); when the commit thread stops, archives
/// the last ones and removes them from the key-value store. A failure is
/// logged and tried again at the next wake: the items stay readable in the
/// key-value store meanwhile.
fn archive_committed<B: Backend>(store: &LogStore<B>, wake: &std::sync::mpsc::Receiver<()>) {
    let archive = || {
        if let Err(e) = store.archive_committed() {
            tracing::warn!(error = %e, "cannot archive full tiles; they stay in the store for now");
        }
    };
    while wake.recv().is_ok() {
        archive();
    }
    archive();
    if let Err(e) = store.remove_archived() {
        tracing::warn!(error = %e, "cannot remove archived tiles from the store");
    }
}

/// The committing thread: makes each sequenced batch durable, in order,
/// then publishes its checkpoint and answers its callers. After a failed
/// commit it commits nothing more and refuses every batch still coming.
/// After a batch that completed a tile or bundle, it wakes the archiving
/// thread.
fn commit_in_order<B: Backend>(
    store: &LogStore<B>,
    commits: &std::sync::mpsc::Receiver<InFlight>,
    head: &watch::Sender<Head>,
    state: &watch::Sender<State>,
    done: &std::sync::mpsc::Sender<Option<u64>>,
    wake: &std::sync::mpsc::SyncSender<()>,
) {
    let mut failed: Option<Arc<WriterError>> = None;
    let mut summary = Summary::new();
    for InFlight {
        staged,
        replies,
        started: sequencing,
    } in commits
    {
        if let Some(e) = &failed {
            refuse(replies, e);
            continue;
        }
        let started = std::time::Instant::now();
        let result = match staged.commit(store) {
            Ok(result) => result,
            Err(e) => {
                tracing::error!(error = %e, batch = replies.len(), "batch not written; refusing further appends");
                state.send_replace(State::Failed);
                let e = Arc::new(WriterError::from(e));
                refuse(replies, &e);
                failed = Some(e);
                let _ = done.send(None);
                continue;
            }
        };
        let new_head = Head {
            tree_size: result.tree_size,
            checkpoint: Arc::clone(&result.checkpoint),
        };
        if head.borrow().tree_size < new_head.tree_size {
            head.send_replace(new_head.clone());
        }
        crate::telemetry::batch_durable(started.elapsed(), sequencing, result.tree_size);
        tracing::debug!(
            batch = replies.len(),
            tree_size = result.tree_size,
            micros = started.elapsed().as_micros() as u64,
            "batch durable"
        );
        let _ = done.send(Some(result.tree_size));
        summary.add(replies.len(), result.tree_size);
        if store.archive_waiting() {
            let _ = wake.try_send(());
        }
        for (reply, outcome) in replies.into_iter().zip(result.outcomes) {
            // A caller that gave up no longer listens; its entry is logged
            // all the same.
            let _ = reply.send(Ok(Sequenced {
                outcome,
                head: new_head.clone(),
                receipts: Arc::clone(&result.receipts),
            }));
        }
    }
}

/// How often the commit thread logs, at info, what it made durable.
pub const SUMMARY_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// What the commit thread made durable since its last info line.
struct Summary {
    since: std::time::Instant,
    batches: u64,
    records: u64,
}

impl Summary {
    fn new() -> Self {
        Self {
            since: std::time::Instant::now(),
            batches: 0,
            records: 0,
        }
    }

    /// Counts a durable batch of `records`; once [`SUMMARY_EVERY`] has
    /// passed since the last line, logs one and starts again.
    fn add(&mut self, records: usize, tree_size: u64) {
        self.batches += 1;
        self.records += records as u64;
        let elapsed = self.since.elapsed();
        if elapsed >= SUMMARY_EVERY {
            let seconds = elapsed.as_secs_f64();
            tracing::info!(
                records = self.records,
                batches = self.batches,
                per_second = (self.records as f64 / seconds).round(),
                tree_size,
                "appended"
            );
            *self = Self::new();
        }
    }
}

/// Answers every caller in `replies` with `error`.
fn refuse(replies: Vec<Reply>, error: &Arc<WriterError>) {
    for reply in replies {
        let _ = reply.send(Err(Arc::clone(error)));
    }
}
