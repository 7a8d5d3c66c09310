//! The node's read path: the tile cache that gRPC proofs and receipts and
//! the HTTP tile API share, the task that keeps its right edge at the
//! sequencer's latest tree size, and the one way handlers run store reads
//! off the runtime's threads.
//!
//! A handler first asks the cache from memory only
//! ([`vledger_log::tile_cache::TileCache::cached`]); that is no blocking
//! call, so a hit is answered on the runtime thread at once. A miss goes
//! to [`blocking`], which reads the store through the cache on tokio's
//! blocking pool.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tonic::Status;
use vledger_log::tile_cache::TileCache;

use crate::datadir::NodeBackend;
use crate::sequencer::Head;

/// The tile cache over the node's store.
pub type NodeTiles = TileCache<NodeBackend>;

/// The default bound of the tile cache, in MiB (`vledger serve
/// --tile-cache-mb`).
pub const DEFAULT_TILE_CACHE_MB: usize = 64;

/// Runs `read` on the blocking pool and returns what it returned; a read
/// that panicked is `INTERNAL`.
///
/// # Errors
/// What `read` returned, or `INTERNAL` if it panicked.
pub async fn blocking<T, F>(read: F) -> Result<T, Status>
where
    F: FnOnce() -> Result<T, Status> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(read).await.map_err(|e| {
        tracing::error!(error = %e, "a store read failed on the blocking pool");
        Status::internal(format!("store read failed: {e}"))
    })?
}

/// The least time between two reads of the right edge by
/// [`follow_heads`]. Reading it costs a store read of each partial tile
/// and of the partial bundle, whatever the batch added: with a thousand
/// small batches a second, following every head would cost more than the
/// batches. A reader that needs a newer edge than the one held reads it
/// itself ([`TileCache::advance`]), once for every reader after it.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(20);

/// Keeps the right edge of `tiles` at the tree size of the latest head
/// seen on `heads`, until the sequencer stops, reading it at most every
/// [`FOLLOW_EVERY`]. A head that arrives meanwhile is taken next; the ones
/// in between are skipped.
pub async fn follow_heads(tiles: Arc<NodeTiles>, mut heads: watch::Receiver<Head>) {
    loop {
        let started = tokio::time::Instant::now();
        let size = heads.borrow_and_update().tree_size;
        let t = Arc::clone(&tiles);
        match tokio::task::spawn_blocking(move || t.advance(size)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %e, tree_size = size, "cannot read the right edge of the tiles");
            }
            Err(e) => tracing::error!(error = %e, "reading the right edge of the tiles failed"),
        }
        tokio::time::sleep_until(started + FOLLOW_EVERY).await;
        if heads.changed().await.is_err() {
            return;
        }
    }
}
