//! Reading C2SP tlog-tiles over HTTP with an independent client,
//! cloudflare azul's `tlog_tiles` (a port of Go's `sumdb/tlog`).

use std::cell::RefCell;

use tlog_tiles::{Tile, TileReader};

use crate::http;

/// azul's tiles, fetched from the node by their C2SP paths (azul writes
/// Go's `tile/H/L/N` form; C2SP drops the height and calls level "data"
/// `entries`).
#[derive(Debug)]
pub struct HttpTiles {
    base: String,
    fetched: RefCell<u64>,
}

impl HttpTiles {
    /// A reader of the tiles under `base`.
    #[must_use]
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            fetched: RefCell::new(0),
        }
    }

    /// Tiles fetched so far.
    #[must_use]
    pub fn fetched(&self) -> u64 {
        *self.fetched.borrow()
    }
}

/// The C2SP path of azul's tile.
///
/// # Panics
/// For a tile of another height than 8.
#[must_use]
pub fn c2sp_path(tile: &Tile) -> String {
    let go = tile.path();
    let rest = go.strip_prefix("tile/8/").expect("height 8");
    match rest.strip_prefix("data/") {
        Some(n) => format!("tile/entries/{n}"),
        None => format!("tile/{rest}"),
    }
}

impl TileReader for HttpTiles {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        Ok(tiles
            .iter()
            .map(|t| {
                let r = http("GET", &self.base, &format!("/{}", c2sp_path(t)), b"");
                assert_eq!(r.status, 200, "{}: {}", c2sp_path(t), r.body);
                *self.fetched.borrow_mut() += 1;
                r.bytes
            })
            .collect())
    }

    fn save_tiles(&self, _tiles: &[Tile], _data: &[Vec<u8>]) {}
}

/// The entries of bundle `n` (a `u16` length before each), checking its
/// content type and cache header.
///
/// # Panics
/// When the server does not serve it as the spec says.
#[must_use]
pub fn bundle(base: &str, n: u64, width: u64) -> Vec<Vec<u8>> {
    let path = c2sp_path(&Tile::new(8, 0, n, u32::try_from(width).unwrap(), true));
    let r = http("GET", base, &format!("/{path}"), b"");
    assert_eq!(r.status, 200, "{path}");
    assert_eq!(r.content_type.as_deref(), Some("application/octet-stream"));
    let expected_cache = if width == 256 {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=2"
    };
    assert_eq!(r.cache_control.as_deref(), Some(expected_cache), "{path}");
    let mut out = Vec::new();
    let mut rest = &r.bytes[..];
    while !rest.is_empty() {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        out.push(rest[2..2 + len].to_vec());
        rest = &rest[2 + len..];
    }
    assert_eq!(out.len() as u64, width, "{path}");
    out
}
