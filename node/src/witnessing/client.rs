//! A small HTTP/1.1 client for the witness protocol, on hyper-util's
//! connection-pooling client (which tonic already links): `http://` or
//! `https://` (rustls, [`crate::tls`]), keep-alive, one POST per call.
//!
//! Plain HTTP is enough for the protocol's safety: a cosignature is signed
//! and verified against the witness's key, so someone on the path can only
//! withhold answers, which a quorum tolerates. TLS keeps them from reading
//! or withholding them selectively.

use std::time::Duration;

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use vledger_tlog::note::{NoteSignature, parse_signature_lines};
use vledger_tlog::witness::{
    ADD_CHECKPOINT_PATH, AddCheckpoint, SIZE_CONTENT_TYPE, parse_size_body,
};

/// Largest answer read from a witness.
const MAX_RESPONSE: usize = 64 * 1024;

/// What a witness answered to `add-checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOutcome {
    /// 200: its signature lines (not verified yet).
    Cosigned(Vec<NoteSignature>),
    /// 409: the size of the latest checkpoint it cosigned.
    Conflict(u64),
    /// Any other answer.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The body, as text.
        body: String,
    },
}

/// Why a call got no answer.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The URL is not valid.
    #[error("bad witness URL {0:?}")]
    Url(String),
    /// No answer in time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// Connecting or sending failed.
    #[error("{0}")]
    Http(String),
    /// The answer is malformed.
    #[error("malformed answer: {0}")]
    Malformed(String),
}

/// Talks to witnesses.
#[derive(Debug, Clone)]
pub struct WitnessClient {
    /// The pooled HTTP/1.1 client.
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl WitnessClient {
    /// A client with keep-alive connections, checking `https://`
    /// witnesses' certificates with `tls`.
    #[must_use]
    pub fn new(tls: rustls::ClientConfig) -> Self {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        http.set_connect_timeout(Some(Duration::from_secs(5)));
        http.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Self {
            client: Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(60))
                .build(connector),
        }
    }

    /// `POST <prefix>/add-checkpoint` with `request`, waiting at most
    /// `timeout` for the whole answer.
    ///
    /// # Errors
    /// A [`CallError`] when there is no well-formed answer.
    pub async fn add_checkpoint(
        &self,
        prefix: &str,
        request: &AddCheckpoint,
        timeout: Duration,
    ) -> Result<AddOutcome, CallError> {
        let url = format!("{}{ADD_CHECKPOINT_PATH}", prefix.trim_end_matches('/'));
        let uri: hyper::Uri = url.parse().map_err(|_| CallError::Url(url.clone()))?;
        let req = hyper::Request::post(uri)
            .header(hyper::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Full::new(Bytes::from(request.to_body())))
            .map_err(|e| CallError::Url(format!("{url}: {e}")))?;
        let call = async {
            let resp = self
                .client
                .request(req)
                .await
                .map_err(|e| CallError::Http(error_chain(&e)))?;
            let status = resp.status().as_u16();
            let content_type = resp
                .headers()
                .get(hyper::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = Limited::new(resp.into_body(), MAX_RESPONSE)
                .collect()
                .await
                .map_err(|e| CallError::Http(e.to_string()))?
                .to_bytes();
            Ok::<_, CallError>((status, content_type, body))
        };
        let (status, content_type, body) = tokio::time::timeout(timeout, call)
            .await
            .map_err(|_| CallError::Timeout(timeout))??;
        let text = String::from_utf8_lossy(&body).into_owned();
        match status {
            200 => parse_signature_lines(&text)
                .map(AddOutcome::Cosigned)
                .map_err(|e| CallError::Malformed(e.to_string())),
            409 => {
                if !content_type.starts_with(SIZE_CONTENT_TYPE) {
                    return Err(CallError::Malformed(format!(
                        "409 with content type {content_type:?}, not {SIZE_CONTENT_TYPE}"
                    )));
                }
                parse_size_body(&body)
                    .map(AddOutcome::Conflict)
                    .ok_or_else(|| CallError::Malformed(format!("409 with body {text:?}")))
            }
            _ => Ok(AddOutcome::Refused {
                status,
                body: text.trim_end().to_owned(),
            }),
        }
    }
}

/// An error and its sources, as one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
