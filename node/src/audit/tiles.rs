//! `vledger audit --tiles URL`: a [`LogSource`] over a C2SP tile API — the
//! node's `--http-listen`, a `vledger mirror` behind any web server, or a
//! CDN in front of either.
//!
//! Entries come from entry bundles and consistency proofs are computed
//! from hash tiles. Nothing fetched is trusted: the audit recomputes the
//! tree from the entries and compares its root with the signed checkpoint,
//! and a consistency proof is checked against both signed roots.

use std::sync::Arc;

use tokio::runtime::Runtime;
use vledger_log::audit::{LogSource, SourceEntry};
use vledger_tlog::hash::Hash;
use vledger_tlog::merkle::{LeafIndex, TreeSize, consistency_proof, inclusion_proof};
use vledger_tlog::note::{Checkpoint, Note, TlogProof};
use vledger_tlog::tile::{
    TILE_WIDTH, TileHashes, TileId, TileSource, decode_bundle, decode_tile, entries_path,
    hash_tile_path,
};

use super::FetchError;
use crate::mirror::Fetcher;

/// A log read from its tiles over HTTP.
pub struct TilesSource {
    runtime: Runtime,
    fetcher: Fetcher,
    /// The tree size of the latest checkpoint read: the widths of the
    /// partial tiles and bundle at the right edge.
    size: u64,
    /// Entries fetched, for reports.
    pub fetched: u64,
}

impl std::fmt::Debug for TilesSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TilesSource")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

fn fetch_err(e: &anyhow::Error) -> FetchError {
    FetchError(format!("{e:#}"))
}

impl TilesSource {
    /// A source reading the tile API at `base` (`http://HOST:PORT[/path]`
    /// or `https://…`, trusting the CA certificates in `ca` beside the
    /// public roots).
    ///
    /// # Errors
    /// When `base` is not an `http://` or `https://` URL, `ca` cannot be
    /// read, or the runtime cannot start.
    pub fn new(base: &str, ca: Option<&std::path::Path>) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let fetcher = {
            let _entered = runtime.enter();
            Fetcher::new(base, ca)?
        };
        Ok(Self {
            runtime,
            fetcher,
            size: 0,
            fetched: 0,
        })
    }

    /// A tlog-proof of entry `index` against the tile API's latest
    /// checkpoint, built from its bundle and hash tiles (`vledger prove
    /// --tiles`); `vledger-verify proof` checks it like any other.
    ///
    /// # Errors
    /// When the tile API cannot be read, `index` is beyond its tree, or
    /// what it serves is malformed.
    pub fn tlog_proof(&mut self, index: u64) -> Result<String, FetchError> {
        let checkpoint = self.checkpoint()?;
        let size = self.size;
        if index >= size {
            return Err(FetchError(format!(
                "leaf index {index} is not in the tree of size {size}"
            )));
        }
        let entry = self
            .entries(index, index + 1)?
            .pop()
            .ok_or_else(|| FetchError(format!("entry {index} is missing")))?;
        let hashes = inclusion_proof(LeafIndex(index), TreeSize(size), &TileHashes(&*self))
            .map_err(|e| FetchError(format!("inclusion proof of {index}: {e}")))?;
        Ok(TlogProof {
            extra: Some(entry.bytes),
            index: LeafIndex(index),
            hashes,
            checkpoint,
        }
        .to_text())
    }

    fn get(&self, path: &str) -> Result<Vec<u8>, FetchError> {
        self.runtime
            .block_on(self.fetcher.get(path))
            .map_err(|e| fetch_err(&e))
    }
}

impl TileSource for TilesSource {
    type Error = FetchError;

    fn read_tiles(&self, tiles: &[(TileId, u16)]) -> Result<Vec<Arc<[Hash]>>, FetchError> {
        tiles
            .iter()
            .map(|&(tile, _)| {
                // The tile as wide as the latest checkpoint's tree has it.
                let path = hash_tile_path(tile, tile.width_at(TreeSize(self.size)));
                let hashes = decode_tile(&self.get(&path)?)
                    .ok_or_else(|| FetchError(format!("{path}: not a hash tile")))?;
                Ok(Arc::from(hashes))
            })
            .collect()
    }
}

impl LogSource for TilesSource {
    type Error = FetchError;

    fn checkpoint(&mut self) -> Result<String, FetchError> {
        let bytes = self.get("checkpoint")?;
        let note =
            String::from_utf8(bytes).map_err(|_| FetchError("checkpoint: not UTF-8".into()))?;
        // The size sets the widths read at the right edge; the audit opens
        // the note with the log key itself.
        let size = Note::parse(&note)
            .ok()
            .and_then(|n| Checkpoint::parse_text(&n.text).ok())
            .map(|c| c.size().0)
            .ok_or_else(|| FetchError("checkpoint: not a checkpoint note".into()))?;
        self.size = size;
        Ok(note)
    }

    fn checkpoint_at(&mut self, size: u64) -> Result<String, FetchError> {
        Err(FetchError(format!(
            "a tile API serves only its latest checkpoint, not the one at tree size {size}"
        )))
    }

    fn serves_old_checkpoints(&self) -> bool {
        false
    }

    fn entries(&mut self, start: u64, end: u64) -> Result<Vec<SourceEntry>, FetchError> {
        let end = end.min(self.size);
        if start >= end {
            return Err(FetchError(format!(
                "entry {start} is beyond the tree size {}",
                self.size
            )));
        }
        let n = start / TILE_WIDTH;
        // Bundle N is as wide as level-0 tile N.
        let level0 = TileId { level: 0, index: n };
        let path = entries_path(n, level0.width_at(TreeSize(self.size)));
        let bytes = self.get(&path)?;
        let entries = decode_bundle(&bytes).map_err(|e| FetchError(format!("{path}: {e}")))?;
        let first = usize::try_from(start - n * TILE_WIDTH).unwrap_or(usize::MAX);
        let last =
            usize::try_from(end.min((n + 1) * TILE_WIDTH) - n * TILE_WIDTH).unwrap_or(usize::MAX);
        let out: Vec<SourceEntry> = entries
            .get(first..last)
            .ok_or_else(|| {
                FetchError(format!(
                    "{path}: {} entries, not the {last} its width says",
                    entries.len()
                ))
            })?
            .iter()
            .map(|e| SourceEntry {
                bytes: e.to_vec(),
                stored_hashes: None,
            })
            .collect();
        self.fetched += out.len() as u64;
        Ok(out)
    }

    fn consistency_proof(&mut self, old: u64, new: u64) -> Result<Vec<Hash>, FetchError> {
        consistency_proof(TreeSize(old), TreeSize(new), &TileHashes(&*self))
            .map_err(|e| FetchError(format!("consistency proof {old} to {new}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use vledger_tlog::merkle::TreeSize;
    use vledger_tlog::tile::TileId;

    /// Bundle and tile widths at the right edge come from the tree size.
    fn width(index: u64, count: u64) -> u16 {
        TileId { level: 0, index }.width_at(TreeSize(count))
    }

    #[test]
    fn widths_follow_the_tree_size() {
        assert_eq!(width(0, 0), 0);
        assert_eq!(width(0, 10), 10);
        assert_eq!(width(0, 256), 256);
        assert_eq!(width(1, 256), 0);
        assert_eq!(width(1, 300), 44);
        assert_eq!(width(3, 2000), 256);
    }
}
