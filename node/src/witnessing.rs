//! The node's side of witnessing: a task that submits every new checkpoint
//! to the configured witnesses (C2SP `tlog-witness`), gathers their
//! cosignatures, and publishes the latest checkpoint a quorum cosigned.
//!
//! It runs beside the sequencer and only reads: it follows the sequencer's
//! latest checkpoint through a `watch` channel (so a busy log is witnessed
//! at the newest checkpoint, skipping those in between) and reads the
//! stored hashes for consistency proofs. Appends never wait for it; callers
//! that want a cosigned checkpoint wait on [`CosignedView`].
//!
//! Per witness it remembers the size the witness last cosigned. It starts
//! unknown and is sent as 0; a witness that has cosigned before answers 409
//! with its size, and the node proves consistency from there (a few times
//! at most per checkpoint). A witness that refuses (403, 404, 422) or
//! cannot be reached is not asked again for a growing pause (0.25 s,
//! doubling up to 32 s), whatever new checkpoints come; a 422 means the
//! witness holds a checkpoint of this log that the node's tree does not
//! extend, a split view, and is logged as an error.
//!
//! A witness's state changes are logged once each: a warning when it
//! stops cosigning (with the reason), an info line when it cosigns again;
//! the failures in between are logged at debug and counted in the metrics
//! ([`crate::telemetry::WitnessMetrics`]), which also tell whether a
//! quorum is up and the latest cosigned tree size. A split view is logged
//! as an error every time.
//!
//! The latest cosigned checkpoint is also saved in the data directory
//! ([`SAVED_NAME`]), so that after a restart the node serves it at once
//! instead of waiting for the witnesses. On start the saved note counts
//! only if its checkpoint is the one the store holds at that size and a
//! quorum of the configured witnesses validly cosigned it.

pub mod client;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::datadir::NodeStore;
use tokio::sync::watch;
use tokio::task::JoinSet;
use vledger_tlog::merkle::{TreeSize, consistency_proof};
use vledger_tlog::note::{Checkpoint, Note, NoteSignature, VerifierKey, add_signatures};
use vledger_tlog::witness::AddCheckpoint;

use crate::sequencer::Head;
use client::{AddOutcome, WitnessClient};

/// One witness the node submits to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessSpec {
    /// Its submission prefix, e.g. `http://witness.example:7380`.
    pub url: String,
    /// Its cosigning verifier key.
    pub key: VerifierKey,
}

/// Which witnesses, and how many must cosign.
#[derive(Debug, Clone)]
pub struct WitnessingConfig {
    /// The witnesses.
    pub witnesses: Vec<WitnessSpec>,
    /// Cosignatures needed before a checkpoint counts as cosigned.
    pub quorum: usize,
    /// How long one call to a witness may take.
    pub timeout: Duration,
    /// TLS for `https://` witnesses (the roots they are checked against).
    pub tls: rustls::ClientConfig,
}

/// A checkpoint with the cosignatures of at least a quorum of witnesses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosigned {
    /// Its tree size.
    pub tree_size: u64,
    /// The note: the log's signature and the witnesses' cosignatures.
    pub note: Arc<str>,
    /// How many witnesses cosigned it.
    pub cosigners: usize,
}

/// Read access to the latest cosigned checkpoint.
#[derive(Debug, Clone)]
pub struct CosignedView {
    /// The latest cosigned checkpoint, once there is one.
    rx: watch::Receiver<Option<Cosigned>>,
    /// The quorum, for messages.
    pub quorum: usize,
    /// Number of witnesses, for messages.
    pub witnesses: usize,
}

impl CosignedView {
    /// The latest cosigned checkpoint.
    #[must_use]
    pub fn latest(&self) -> Option<Cosigned> {
        self.rx.borrow().clone()
    }

    /// The latest cosigned checkpoint once its tree size is at least
    /// `min_size`, waiting up to `wait`; `None` if none came in time.
    pub async fn wait_for(&self, min_size: u64, wait: Duration) -> Option<Cosigned> {
        let mut rx = self.rx.clone();
        let covered = |c: &Option<Cosigned>| c.as_ref().is_some_and(|c| c.tree_size >= min_size);
        match tokio::time::timeout(wait, rx.wait_for(covered)).await {
            Ok(Ok(c)) => c.clone(),
            _ => None,
        }
    }
}

/// What the node knows of one witness.
#[derive(Debug, Default, Clone)]
struct WitnessState {
    /// The size it last cosigned, if known.
    known: Option<u64>,
    /// Its latest valid cosignature, with the tree size it is for.
    cosignature: Option<(u64, NoteSignature)>,
    /// Consecutive failures, for the retry pause.
    failures: u32,
    /// Not to be asked again before this instant (after a failure).
    retry_at: Option<tokio::time::Instant>,
}

/// File in the data directory that holds the latest cosigned checkpoint.
pub const SAVED_NAME: &str = "cosigned.note";

/// Starts the witnessing task, serving at once the cosigned checkpoint
/// saved in `data` if it still counts. It stops when the sequencer's
/// checkpoint channel closes.
pub fn spawn(
    config: WitnessingConfig,
    store: NodeStore,
    head: watch::Receiver<Head>,
    data: PathBuf,
) -> (CosignedView, tokio::task::JoinHandle<()>) {
    let saved = load_saved(&data, &config, &store);
    crate::telemetry::cosigned_tree_size(saved.as_ref().map_or(0, |c| c.tree_size));
    crate::telemetry::quorum_met(false);
    let (tx, rx) = watch::channel(saved.clone());
    let view = CosignedView {
        rx,
        quorum: config.quorum,
        witnesses: config.witnesses.len(),
    };
    let task = tokio::spawn(run(config, store, head, tx, data, saved));
    (view, task)
}

/// The cosigned checkpoint saved in `data`, if its checkpoint is the one
/// `store` holds at its size and a quorum of `config`'s witnesses validly
/// cosigned it; rebuilt from the stored note and those cosignatures alone.
pub fn load_saved(data: &Path, config: &WitnessingConfig, store: &NodeStore) -> Option<Cosigned> {
    let path = data.join(SAVED_NAME);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read the saved cosigned checkpoint");
            return None;
        }
    };
    let ignore = |why: &str| {
        tracing::warn!(path = %path.display(), why, "ignoring the saved cosigned checkpoint");
    };
    let Ok(note) = Note::parse(&text) else {
        ignore("not a signed note");
        return None;
    };
    let Ok(checkpoint) = Checkpoint::parse_text(&note.text) else {
        ignore("not a checkpoint");
        return None;
    };
    let size = checkpoint.size().0;
    let stored = match store.checkpoint(size) {
        Ok(Some(stored)) => stored,
        Ok(None) => {
            ignore("the store has no checkpoint of its size");
            return None;
        }
        Err(e) => {
            ignore(&format!("reading the store: {e}"));
            return None;
        }
    };
    if Note::parse(&stored).map(|n| n.text).ok().as_deref() != Some(note.text.as_str()) {
        ignore("its checkpoint is not the one the store holds at its size");
        return None;
    }
    let mut lines: Vec<NoteSignature> = Vec::new();
    for spec in &config.witnesses {
        let valid = note.signatures.iter().find(|l| {
            l.name == spec.key.name()
                && l.key_id == spec.key.key_id()
                && spec.key.verify(note.text.as_bytes(), &l.signature)
        });
        if let Some(line) = valid
            && !lines.contains(line)
        {
            lines.push(line.clone());
        }
    }
    if lines.len() < config.quorum {
        ignore(&format!(
            "{} of the configured witnesses cosigned it, quorum {}",
            lines.len(),
            config.quorum
        ));
        return None;
    }
    let note = match add_signatures(&stored, &lines) {
        Ok(n) => n,
        Err(e) => {
            ignore(&e.to_string());
            return None;
        }
    };
    tracing::info!(
        size,
        cosigners = lines.len(),
        "serving the saved cosigned checkpoint"
    );
    Some(Cosigned {
        tree_size: size,
        note: note.into(),
        cosigners: lines.len(),
    })
}

async fn run(
    config: WitnessingConfig,
    store: NodeStore,
    mut head: watch::Receiver<Head>,
    tx: watch::Sender<Option<Cosigned>>,
    data: PathBuf,
    mut saved: Option<Cosigned>,
) {
    let client = WitnessClient::new(config.tls.clone());
    let config = Arc::new(config);
    let mut states = vec![WitnessState::default(); config.witnesses.len()];
    let meters: Vec<_> = config
        .witnesses
        .iter()
        .map(|w| crate::telemetry::WitnessMetrics::new(w.key.name()))
        .collect();
    loop {
        let current = head.borrow_and_update().clone();
        round(
            &config,
            &client,
            &store,
            &current,
            &mut states,
            &tx,
            &meters,
        )
        .await;
        save(&data, &tx, &mut saved).await;
        // Wait for a new checkpoint, or until a witness that failed may be
        // asked again.
        let retry = states
            .iter()
            .filter(|s| {
                s.cosignature
                    .as_ref()
                    .is_none_or(|c| c.0 != current.tree_size)
            })
            .filter_map(|s| s.retry_at)
            .min();
        tokio::select! {
            changed = head.changed() => if changed.is_err() { break },
            () = sleep_until_or_never(retry) => {}
        }
    }
    tracing::info!("witnessing stopped");
}

/// Saves the latest cosigned checkpoint in `data` when it changed since
/// `saved`. Saves happen one after another, so the file only moves forward;
/// a failed save is logged and costs only a wait for the witnesses after a
/// restart.
async fn save(data: &Path, tx: &watch::Sender<Option<Cosigned>>, saved: &mut Option<Cosigned>) {
    let latest = tx.borrow().clone();
    let Some(latest) = latest.filter(|l| saved.as_ref() != Some(l)) else {
        return;
    };
    let (dir, note) = (data.to_path_buf(), Arc::clone(&latest.note));
    let written = tokio::task::spawn_blocking(move || {
        crate::witness::store::write_durably(&dir, SAVED_NAME, note.as_bytes())
    })
    .await;
    match written {
        Ok(Ok(())) => *saved = Some(latest),
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot save the cosigned checkpoint"),
        Err(e) => tracing::warn!(error = %e, "cannot save the cosigned checkpoint"),
    }
}

async fn sleep_until_or_never(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Submits `head` to every witness that has not cosigned it, publishing the
/// cosigned checkpoint as soon as a quorum has.
async fn round(
    config: &Arc<WitnessingConfig>,
    client: &WitnessClient,
    store: &NodeStore,
    head: &Head,
    states: &mut [WitnessState],
    tx: &watch::Sender<Option<Cosigned>>,
    meters: &[crate::telemetry::WitnessMetrics],
) {
    let Ok(note) = Note::parse(&head.checkpoint) else {
        tracing::error!("the node's checkpoint is not a note");
        return;
    };
    let text: Arc<str> = note.text.into();
    let mut tasks = JoinSet::new();
    let now = tokio::time::Instant::now();
    for (i, state) in states.iter().enumerate() {
        let cosigned = state
            .cosignature
            .as_ref()
            .is_some_and(|(size, _)| *size == head.tree_size);
        if cosigned || state.retry_at.is_some_and(|at| at > now) {
            continue;
        }
        let (config, client, store) = (Arc::clone(config), client.clone(), store.clone());
        let (head, text, known) = (head.clone(), Arc::clone(&text), state.known);
        tasks.spawn(async move {
            let spec = &config.witnesses[i];
            let outcome = submit(&client, spec, &store, &head, &text, known, config.timeout).await;
            (i, outcome)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((i, outcome)) = joined else { continue };
        let spec = &config.witnesses[i];
        let state = &mut states[i];
        match outcome {
            Ok(line) => {
                if state.failures > 0 {
                    tracing::info!(witness = %spec.url, size = head.tree_size, failures = state.failures, "witness cosigns again");
                }
                state.known = Some(head.tree_size);
                state.cosignature = Some((head.tree_size, line));
                state.failures = 0;
                state.retry_at = None;
                meters[i].cosigned(head.tree_size);
                publish(config, head, states, tx);
            }
            Err(Failure {
                known,
                reason,
                split_view,
            }) => {
                state.known = known;
                state.failures = state.failures.saturating_add(1);
                meters[i].failed();
                // 0.25 s after the first failure, doubling up to 32 s.
                let pause = Duration::from_millis(250 << (state.failures - 1).min(7));
                state.retry_at = Some(tokio::time::Instant::now() + pause);
                if split_view {
                    tracing::error!(witness = %spec.url, size = head.tree_size, %reason, "a witness holds a checkpoint this log does not extend (split view?)");
                } else if state.failures == 1 {
                    tracing::warn!(witness = %spec.url, size = head.tree_size, %reason, "witness did not cosign; asking it again with growing pauses, logged when it cosigns again");
                } else {
                    tracing::debug!(witness = %spec.url, size = head.tree_size, failures = state.failures, %reason, "witness did not cosign");
                }
            }
        }
    }
    let up = states
        .iter()
        .filter(|s| s.failures == 0 && s.cosignature.is_some())
        .count();
    crate::telemetry::quorum_met(up >= config.quorum);
}

/// Publishes `head` with every cosignature for it, if a quorum cosigned.
fn publish(
    config: &WitnessingConfig,
    head: &Head,
    states: &[WitnessState],
    tx: &watch::Sender<Option<Cosigned>>,
) {
    let lines: Vec<NoteSignature> = states
        .iter()
        .filter_map(|s| s.cosignature.as_ref())
        .filter(|(size, _)| *size == head.tree_size)
        .map(|(_, line)| line.clone())
        .collect();
    if lines.len() < config.quorum {
        return;
    }
    let note = match add_signatures(&head.checkpoint, &lines) {
        Ok(note) => note,
        Err(e) => {
            tracing::error!(error = %e, "cannot add the cosignatures to the checkpoint");
            return;
        }
    };
    let cosigned = Cosigned {
        tree_size: head.tree_size,
        note: note.into(),
        cosigners: lines.len(),
    };
    tx.send_if_modified(|latest| {
        let newer = latest.as_ref().is_none_or(|l| {
            l.tree_size < cosigned.tree_size
                || (l.tree_size == cosigned.tree_size && l.cosigners < cosigned.cosigners)
        });
        if newer {
            crate::telemetry::cosigned_tree_size(cosigned.tree_size);
            tracing::debug!(
                size = cosigned.tree_size,
                cosigners = cosigned.cosigners,
                "checkpoint cosigned"
            );
            *latest = Some(cosigned.clone());
        }
        newer
    });
}

/// Why a witness did not cosign.
struct Failure {
    /// What the node now knows of the witness's size.
    known: Option<u64>,
    /// Why, as one line.
    reason: String,
    /// Whether the witness holds a checkpoint this log does not extend.
    split_view: bool,
}

/// Submits `head` to one witness, following its 409 answers; returns its
/// verified cosignature line.
async fn submit(
    client: &WitnessClient,
    spec: &WitnessSpec,
    store: &NodeStore,
    head: &Head,
    text: &str,
    mut known: Option<u64>,
    timeout: Duration,
) -> Result<NoteSignature, Failure> {
    let size = head.tree_size;
    let fail = |known, reason: String, split_view| Failure {
        known,
        reason,
        split_view,
    };
    for _ in 0..3 {
        let old = known.unwrap_or(0);
        if old > size {
            return Err(fail(
                known,
                format!("it has cosigned tree size {old}, larger than this log's {size}"),
                true,
            ));
        }
        let proof = if old == 0 || old == size {
            Vec::new()
        } else {
            match consistency_proof(TreeSize(old), TreeSize(size), store) {
                Ok(p) => p,
                Err(e) => {
                    return Err(fail(
                        known,
                        format!("consistency proof from {old}: {e}"),
                        false,
                    ));
                }
            }
        };
        let request = AddCheckpoint {
            old_size: old,
            proof,
            note: head.checkpoint.to_string(),
        };
        match client.add_checkpoint(&spec.url, &request, timeout).await {
            Err(e) => return Err(fail(known, e.to_string(), false)),
            Ok(AddOutcome::Conflict(theirs)) => known = Some(theirs),
            Ok(AddOutcome::Refused { status, body }) => {
                return Err(fail(known, format!("{status}: {body}"), status == 422));
            }
            Ok(AddOutcome::Cosigned(lines)) => {
                let valid = lines.into_iter().find(|l| {
                    l.name == spec.key.name()
                        && l.key_id == spec.key.key_id()
                        && spec.key.verify(text.as_bytes(), &l.signature)
                });
                return valid.ok_or_else(|| {
                    fail(
                        Some(size),
                        "its answer holds no valid cosignature by its key".to_owned(),
                        false,
                    )
                });
            }
        }
    }
    Err(fail(known, "it keeps answering 409".to_owned(), false))
}

/// Longest a request may wait for a cosigned checkpoint.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// For the gRPC service: the view, for a request that asks for a cosigned
/// checkpoint.
///
/// # Errors
/// `FAILED_PRECONDITION` when the node has no witnesses.
pub fn require(view: Option<&CosignedView>) -> Result<&CosignedView, tonic::Status> {
    view.ok_or_else(|| {
        tonic::Status::failed_precondition("cosigned: this node is configured with no witnesses")
    })
}

/// For the gRPC service: the latest cosigned checkpoint of at least
/// `min_size` entries, waiting up to `wait_ms` (at most [`MAX_WAIT`]);
/// `Ok(None)` if none came in time.
///
/// # Errors
/// `FAILED_PRECONDITION` when the node has no witnesses.
pub async fn wait_covering(
    view: Option<&CosignedView>,
    min_size: u64,
    wait_ms: u32,
) -> Result<Option<Cosigned>, tonic::Status> {
    let view = require(view)?;
    let wait = Duration::from_millis(wait_ms.into()).min(MAX_WAIT);
    Ok(view.wait_for(min_size, wait).await)
}

/// The `UNAVAILABLE` status for a cosigned checkpoint that did not come.
#[must_use]
pub fn not_cosigned(view: Option<&CosignedView>, what: &str, wait_ms: u32) -> tonic::Status {
    let (quorum, witnesses) = view.map_or((0, 0), |v| (v.quorum, v.witnesses));
    tonic::Status::unavailable(format!(
        "no checkpoint {what} was cosigned by {quorum} of the node's {witnesses} witnesses within {wait_ms} ms"
    ))
}
