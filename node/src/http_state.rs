//! What the HTTP side's handlers read ([`crate::tiles`],
//! [`crate::report_page`]).

use std::sync::Arc;

use tokio::sync::watch;
use vledger_tlog::note::VerifierKey;

use crate::datadir::NodeStore;
use crate::reads::NodeTiles;
use crate::sequencer::Head;
use crate::witnessing::CosignedView;

/// What the HTTP side reads.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    /// The store, for tiles, bundles, the latest checkpoint and histories.
    pub(crate) store: NodeStore,
    /// The latest cosigned checkpoint, on a node with witnesses.
    pub(crate) cosigned: Option<CosignedView>,
    /// The log's verifier key, to verify a history before rendering it.
    pub(crate) log_key: VerifierKey,
    /// The tiles and bundles the tile API serves, through a cache over
    /// `store`.
    pub(crate) tiles: Arc<NodeTiles>,
    /// The latest signed checkpoint, for `/checkpoint` on a node without
    /// witnesses.
    pub(crate) head: watch::Receiver<Head>,
}
