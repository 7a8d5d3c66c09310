//! The witness's HTTP server (axum).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use anyhow::Context as _;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::Mutex;
use vledger_tlog::witness::{
    MAX_REQUEST_SIZE, SIZE_CONTENT_TYPE, WitnessRefusal, check_consistency, verify_request,
    witnessed_note,
};

use super::config::WitnessConfig;
use super::store::{Kept, MAX_EVIDENCE_PER_LOG, StateDir, Witnessed, origin_hash};

/// A witness's shared state.
#[derive(Debug)]
pub struct Witness {
    /// Key, logs and state directory.
    config: WitnessConfig,
    /// Where cosigned checkpoints are kept.
    state: StateDir,
    /// For each followed origin, the latest cosigned checkpoint. The lock is
    /// held from the consistency check until the new checkpoint is durable,
    /// so that two requests cannot roll each other back.
    latest: HashMap<String, Arc<Mutex<Option<Witnessed>>>>,
    /// Origin hash to origin, for the monitoring API.
    by_hash: HashMap<String, String>,
}

impl Witness {
    /// Opens the state directory and loads every followed log's latest
    /// cosigned checkpoint.
    ///
    /// # Errors
    /// When the state cannot be read, or does not verify with the keys.
    pub fn open(config: WitnessConfig) -> anyhow::Result<Self> {
        let state = StateDir::open(&config.state_dir)?;
        let mut latest = HashMap::new();
        let mut by_hash = HashMap::new();
        for (origin, keys) in config.logs.iter() {
            let witnessed = state.load(origin, keys)?;
            latest.insert(origin.clone(), Arc::new(Mutex::new(witnessed)));
            by_hash.insert(origin_hash(origin), origin.clone());
        }
        Ok(Self {
            config,
            state,
            latest,
            by_hash,
        })
    }

    /// The axum router of the witness.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/add-checkpoint", post(add_checkpoint))
            .route("/{origin_hash}/checkpoint", get(monitor_checkpoint))
            .route("/", get(about))
            .layer(DefaultBodyLimit::max(MAX_REQUEST_SIZE))
            .with_state(self)
    }
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

fn refusal(r: &WitnessRefusal) -> Response {
    let status = StatusCode::from_u16(r.status()).unwrap_or(StatusCode::BAD_REQUEST);
    match r {
        WitnessRefusal::Conflict { latest, .. } => (
            status,
            [(header::CONTENT_TYPE, SIZE_CONTENT_TYPE)],
            format!("{latest}\n"),
        )
            .into_response(),
        other => text(status, format!("{other}\n")),
    }
}

async fn add_checkpoint(State(w): State<Arc<Witness>>, body: Bytes) -> Response {
    let verified = match verify_request(&body, |origin| w.config.logs.keys(origin)) {
        Ok(v) => v,
        Err(r) => {
            tracing::info!(status = r.status(), reason = %r, "add-checkpoint refused");
            return refusal(&r);
        }
    };
    let origin = verified.checkpoint.origin().to_owned();
    let Some(slot) = w.latest.get(&origin) else {
        return refusal(&WitnessRefusal::UnknownOrigin(origin));
    };
    if let Err(e) = w
        .config
        .logs
        .check_key_range(&origin, &verified.request.note)
    {
        tracing::info!(%origin, reason = %e, "add-checkpoint refused");
        return text(StatusCode::FORBIDDEN, format!("{e}\n"));
    }
    let mut latest = slot.lock().await;
    if let Err(r) = check_consistency(&verified, latest.as_ref().map(|l| &l.checkpoint)) {
        let size = verified.checkpoint.size().0;
        if matches!(r, WitnessRefusal::Inconsistent(_)) {
            let evidence = format!(
                "{}\n--- the witness's latest cosigned checkpoint\n{}",
                verified.request.to_body(),
                latest.as_ref().map_or("", |l| l.note.as_str())
            );
            let (state, o, cp) = (w.state.clone(), origin.clone(), verified.text.clone());
            let kept = tokio::task::spawn_blocking(move || {
                state.keep_evidence(&o, &cp, &evidence, MAX_EVIDENCE_PER_LOG)
            })
            .await;
            match kept {
                Ok(Ok(Kept::New)) => {
                    tracing::warn!(%origin, size, reason = %r, "refused a validly signed, inconsistent checkpoint; kept it as evidence")
                }
                Ok(Ok(Kept::Repeat)) => {
                    tracing::debug!(%origin, size, "refused an inconsistent checkpoint already kept as evidence")
                }
                Ok(Ok(Kept::Full)) => {
                    tracing::warn!(%origin, size, reason = %r, cap = MAX_EVIDENCE_PER_LOG, "refused a validly signed, inconsistent checkpoint; this log's evidence is full, not keeping it")
                }
                _ => tracing::error!(%origin, "cannot keep the evidence"),
            }
        } else {
            tracing::info!(%origin, status = r.status(), reason = %r, "add-checkpoint refused");
        }
        return refusal(&r);
    }
    let cosignature = w.config.cosigner.cosign(&verified.text, now_unix());
    let note = match witnessed_note(&verified, std::slice::from_ref(&cosignature)) {
        Ok(note) => note,
        Err(e) => return text(StatusCode::BAD_REQUEST, format!("checkpoint {e}\n")),
    };
    // Durable before answering, under the origin's lock.
    let (state, o, n) = (w.state.clone(), origin.clone(), note.clone());
    match tokio::task::spawn_blocking(move || state.save(&o, &n)).await {
        Ok(Ok(())) => {}
        failed => {
            tracing::error!(%origin, ?failed, "cannot persist the cosigned checkpoint");
            return text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot persist the checkpoint\n".to_owned(),
            );
        }
    }
    tracing::info!(
        %origin,
        size = verified.checkpoint.size().0,
        old = verified.request.old_size,
        "cosigned"
    );
    *latest = Some(Witnessed {
        checkpoint: verified.checkpoint,
        note,
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{cosignature}\n"),
    )
        .into_response()
}

async fn monitor_checkpoint(State(w): State<Arc<Witness>>, Path(hash): Path<String>) -> Response {
    let Some(slot) = w.by_hash.get(&hash).and_then(|o| w.latest.get(o)) else {
        return text(StatusCode::NOT_FOUND, "unknown log\n".to_owned());
    };
    match slot.lock().await.as_ref() {
        Some(l) => text(StatusCode::OK, l.note.clone()),
        None => text(
            StatusCode::NOT_FOUND,
            "no checkpoint of this log was cosigned yet\n".to_owned(),
        ),
    }
}

async fn about(State(w): State<Arc<Witness>>) -> Response {
    let mut body = format!(
        "vledger witness\nkey {}\n",
        w.config.cosigner.verifier_key()
    );
    for (origin, keys) in w.config.logs.iter() {
        for key in keys {
            body.push_str(&format!("log {origin} {key}\n"));
        }
    }
    text(StatusCode::OK, body)
}

/// Serves the witness of `config` on `listener` until `shutdown` completes.
///
/// # Errors
/// When the state cannot be loaded or the server fails.
pub async fn run(
    listener: crate::listen::Listener,
    config: WitnessConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let name = config.cosigner.name().to_owned();
    let witness = Arc::new(Witness::open(config)?);
    tracing::info!(
        addr = %listener.tcp.local_addr()?,
        tls = listener.tls.is_some(),
        max_connections = listener.limits.max_connections,
        witness = %name,
        logs = witness.latest.len(),
        "witness serving"
    );
    crate::listen::serve(
        listener,
        crate::listen::Protocol::Http1,
        witness.router(),
        shutdown,
    )
    .await
    .context("the witness server failed")
}
