//! The log's read API over HTTP, as C2SP `tlog-tiles` serves it:
//!
//! - `GET /checkpoint`: the latest signed checkpoint (`text/plain;
//!   charset=utf-8`, cached for at most a few seconds); on a node with
//!   witnesses, the latest checkpoint a quorum cosigned, with their
//!   cosignatures, so that mirrors and clients can apply a witness policy;
//! - `GET /tile/<L>/<N>[.p/<W>]`: hash tiles;
//! - `GET /tile/entries/<N>[.p/<W>]`: entry bundles;
//! - `GET /vin/<VIN>`: the buyer's report page ([`crate::report_page`]).
//!
//! The node adds the operator's `/metrics`, `/healthz` and `/readyz` beside
//! them ([`crate::telemetry::http`]).
//!
//! Tiles and bundles are `application/octet-stream`. A full one never
//! changes and is served `immutable` for a year, so any CDN, proxy or
//! `vledger mirror` can keep it; a partial one (`.p/<W>`) is served with a
//! short max-age. A partial tile of width `W` is the first `W` hashes of the
//! stored tile, which is at least that wide once a checkpoint of a tree that
//! needs it was signed; anything else is `404`.
//!
//! Tiles and bundles are read through the node's tile cache
//! ([`crate::reads`]): a hit is answered from memory on the runtime's
//! thread, a miss reads the store on the blocking pool, never on the
//! runtime's threads. `/checkpoint` comes from the sequencer's latest head,
//! in memory.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::watch;
use vledger_log::store::StoreError;
use vledger_log::tile_cache::Bundle;
use vledger_tlog::tile::{TILE_WIDTH, TilePath, encode_tile};

use vledger_tlog::note::VerifierKey;

use crate::datadir::NodeStore;
use crate::http_state::Api;
use crate::reads::NodeTiles;
use crate::sequencer::Head;
use crate::witnessing::CosignedView;

/// `Cache-Control` of full tiles and bundles.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of the checkpoint and of partial tiles and bundles.
pub const SHORT: &str = "public, max-age=2";

/// The router of the HTTP side over `store`: the tile API, read through
/// `tiles` (a cache over `store`), whose `/checkpoint` serves the latest
/// checkpoint of `head`, or the latest cosigned one of `cosigned` when
/// given; and the buyer's report page for a VIN ([`crate::report_page`]).
pub fn router(
    store: NodeStore,
    tiles: Arc<NodeTiles>,
    head: watch::Receiver<Head>,
    cosigned: Option<CosignedView>,
    log_key: VerifierKey,
) -> Router {
    Router::new()
        .route("/checkpoint", get(checkpoint))
        .route("/tile/{*path}", get(tile))
        .route("/vin/{vin}", get(crate::report_page::page))
        .with_state(Api {
            store,
            cosigned,
            log_key,
            tiles,
            head,
        })
}

fn with_cache(mut response: Response, cache: &'static str) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

fn not_found(what: &str) -> Response {
    (StatusCode::NOT_FOUND, format!("{what}\n")).into_response()
}

fn unavailable(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "cannot read the store for the tile API");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the store cannot be read\n",
    )
        .into_response()
}

async fn checkpoint(State(api): State<Api>) -> Response {
    if let Some(view) = &api.cosigned {
        return match view.latest() {
            Some(c) => with_cache(
                (
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    c.note.to_string(),
                )
                    .into_response(),
                SHORT,
            ),
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                "no checkpoint has been cosigned by a quorum of witnesses yet\n",
            )
                .into_response(),
        };
    }
    let note = api.head.borrow().checkpoint.to_string();
    with_cache(
        ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response(),
        SHORT,
    )
}

/// The first `width` entries of a bundle, sharing its bytes.
struct BundlePrefix {
    bytes: Arc<[u8]>,
    len: usize,
}

impl AsRef<[u8]> for BundlePrefix {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// The body for `path` out of the tile or bundle read (at least `width`
/// wide), or `None` when it is not that wide.
fn body_of_tile(hashes: Option<&[vledger_tlog::Hash]>, width: u16) -> Option<Bytes> {
    let hashes = hashes?.get(..usize::from(width))?;
    Some(Bytes::from(encode_tile(hashes)))
}

fn body_of_bundle(bundle: Option<Bundle>, width: u16) -> Option<Bytes> {
    let bundle = bundle?;
    let len = bundle.prefix(width)?.len();
    Some(Bytes::from_owner(BundlePrefix {
        bytes: bundle.bytes,
        len,
    }))
}

/// The body of `path` from memory only; `None` on a miss.
fn cached(tiles: &NodeTiles, path: TilePath) -> Option<Bytes> {
    match path {
        TilePath::Hash { tile, width } => {
            body_of_tile(tiles.cached_tile(tile, width).as_deref(), width)
        }
        TilePath::Entries { index, width } => {
            body_of_bundle(tiles.cached_bundle(index, width), width)
        }
    }
}

/// The body of `path` read through the cache; `None` when the store does
/// not hold it that wide.
fn read(tiles: &NodeTiles, path: TilePath) -> Result<Option<Bytes>, StoreError> {
    Ok(match path {
        TilePath::Hash { tile, width } => body_of_tile(tiles.tile(tile, width)?.as_deref(), width),
        TilePath::Entries { index, width } => body_of_bundle(tiles.bundle(index, width)?, width),
    })
}

async fn tile(State(api): State<Api>, Path(path): Path<String>) -> Response {
    let Ok(parsed) = TilePath::parse(&format!("tile/{path}")) else {
        return not_found("not a tile path");
    };
    let width = match parsed {
        TilePath::Hash { width, .. } | TilePath::Entries { width, .. } => width,
    };
    let cache = if u64::from(width) == TILE_WIDTH {
        IMMUTABLE
    } else {
        SHORT
    };
    let body = match cached(&api.tiles, parsed) {
        Some(bytes) => Some(bytes),
        None => {
            let tiles = api.tiles;
            match tokio::task::spawn_blocking(move || read(&tiles, parsed)).await {
                Ok(Ok(body)) => body,
                Ok(Err(e)) => return unavailable(&e),
                Err(e) => return unavailable(&e),
            }
        }
    };
    match body {
        Some(bytes) => with_cache(
            ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response(),
            cache,
        ),
        None => not_found("no such tile"),
    }
}
