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
//! Tiles and bundles are `application/octet-stream`. A full one never
//! changes and is served `immutable` for a year, so any CDN, proxy or
//! `vledger mirror` can keep it; a partial one (`.p/<W>`) is served with a
//! short max-age. A partial tile of width `W` is the first `W` hashes of the
//! stored tile, which is at least that wide once a checkpoint of a tree that
//! needs it was signed; anything else is `404`. Store reads run on the
//! blocking pool, never on the runtime's threads.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use vledger_tlog::tile::{TILE_WIDTH, TilePath, decode_bundle, encode_tile, push_bundle_entry};

use vledger_tlog::note::VerifierKey;

use crate::datadir::NodeStore;
use crate::http_state::Api;
use crate::witnessing::CosignedView;

/// `Cache-Control` of full tiles and bundles.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of the checkpoint and of partial tiles and bundles.
pub const SHORT: &str = "public, max-age=2";

/// The router of the HTTP side over `store`: the tile API (whose
/// `/checkpoint` serves the latest cosigned checkpoint of `cosigned` when
/// given) and the buyer's report page for a VIN
/// ([`crate::report_page`]).
pub fn router(store: NodeStore, cosigned: Option<CosignedView>, log_key: VerifierKey) -> Router {
    Router::new()
        .route("/checkpoint", get(checkpoint))
        .route("/tile/{*path}", get(tile))
        .route("/vin/{vin}", get(crate::report_page::page))
        .with_state(Api {
            store,
            cosigned,
            log_key,
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
    let store = api.store;
    let read = tokio::task::spawn_blocking(move || {
        let size = store.tree_size()?;
        store.checkpoint(size)
    })
    .await;
    match read {
        Ok(Ok(Some(note))) => with_cache(
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response(),
            SHORT,
        ),
        Ok(Ok(None)) => not_found("no checkpoint"),
        Ok(Err(e)) => unavailable(&e),
        Err(e) => unavailable(&e),
    }
}

/// The first `width` items of a stored tile or bundle, if it holds them.
enum Body {
    Found(Vec<u8>),
    Missing,
}

fn read(store: &NodeStore, path: TilePath) -> Result<Body, vledger_log::store::StoreError> {
    Ok(match path {
        TilePath::Hash { tile, width } => match store.tile(tile)? {
            Some(hashes) if hashes.len() >= usize::from(width) => {
                Body::Found(encode_tile(&hashes[..usize::from(width)]))
            }
            _ => Body::Missing,
        },
        TilePath::Entries { index, width } => match store.bundle(index)? {
            None => Body::Missing,
            Some(bytes) => {
                let entries = decode_bundle(&bytes)
                    .map_err(|_| vledger_log::store::StoreError::Corrupt("entry bundle"))?;
                if entries.len() < usize::from(width) {
                    Body::Missing
                } else if entries.len() == usize::from(width) {
                    Body::Found(bytes)
                } else {
                    let mut out = Vec::new();
                    for e in &entries[..usize::from(width)] {
                        push_bundle_entry(&mut out, e)
                            .map_err(|_| vledger_log::store::StoreError::Corrupt("entry bundle"))?;
                    }
                    Body::Found(out)
                }
            }
        },
    })
}

async fn tile(State(api): State<Api>, Path(path): Path<String>) -> Response {
    let store = api.store;
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
    match tokio::task::spawn_blocking(move || read(&store, parsed)).await {
        Ok(Ok(Body::Found(bytes))) => with_cache(
            ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response(),
            cache,
        ),
        Ok(Ok(Body::Missing)) => not_found("no such tile"),
        Ok(Err(e)) => unavailable(&e),
        Err(e) => unavailable(&e),
    }
}
