//! The `vledger.v1.Log` gRPC service.

mod checks;
mod stream;

pub use stream::{STREAM_CHECK_AHEAD, STREAM_CHECK_RUN, STREAM_IN_FLIGHT};

use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use crate::budget::Budgets;
use crate::datadir::NodeStore;
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};
use vledger_log::bundle::witnessed_part;
use vledger_log::pages::{FRAME_BYTES, MAX_PAGE_BYTES, PageStart, WITNESSED_RESERVE, build_page};
use vledger_log::writer::BatchReceipts;
use vledger_proto::v1 as pb;
use vledger_proto::v1::log_server::Log;
use vledger_records::{SignedRecord, Vin};
use vledger_tlog::hash::Hash;
use vledger_tlog::merkle::{LeafIndex, TreeSize, consistency_proof, inclusion_proof};
use vledger_tlog::note::{Checkpoint, TlogProof, VerifierKey};
use vledger_verification::history::{Witnessed, verify_witnessed};
use vledger_verification::pages::{HistoryPage, merge_pages, verify_page};

use crate::reads::{self, NodeTiles};
use crate::refusals;
use crate::sequencer::{Head, Sequencer, SequencerError};
use crate::status;
use crate::telemetry::{self, Outcome};
use crate::witnessing::{self, Cosigned, CosignedView};

/// Most entries one `GetEntries` call returns; clients page.
pub const MAX_ENTRIES_PER_CALL: u64 = 1024;

/// The state behind the gRPC service.
#[derive(Debug, Clone)]
pub struct LogService {
    /// Queue into the sequencer, and the latest checkpoint.
    sequencer: Sequencer,
    /// Read-only view of the store, for entries and proofs.
    store: NodeStore,
    /// The log's verifier key: the node checks every history bundle it
    /// builds before sending it.
    log_key: VerifierKey,
    /// The latest checkpoint a quorum of witnesses cosigned, when the node
    /// has witnesses.
    cosigned: Option<CosignedView>,
    /// The tiles and bundles that proofs and receipts are read from.
    tiles: Arc<NodeTiles>,
    /// The append budgets of signers and of the node.
    budgets: Arc<Budgets>,
    /// Unary appends waiting to be checked together.
    checks: Arc<checks::Checks>,
}

impl LogService {
    /// A service reading `store` and appending through `sequencer`, with
    /// proofs and receipts read through `tiles` (a cache over `store`).
    #[must_use]
    pub fn new(
        sequencer: Sequencer,
        store: NodeStore,
        log_key: VerifierKey,
        tiles: Arc<NodeTiles>,
    ) -> Self {
        Self {
            sequencer,
            store,
            log_key,
            cosigned: None,
            tiles,
            budgets: Arc::new(Budgets::unlimited()),
            // Half the cores check at once, so that requests queue behind
            // them and are checked together (see `checks`).
            checks: Arc::new(checks::Checks::new(
                std::thread::available_parallelism().map_or(1, |n| n.get() / 2),
            )),
        }
    }

    /// Refuses appends beyond `budgets` ([`crate::budget`]).
    #[must_use]
    pub fn with_budgets(mut self, budgets: Arc<Budgets>) -> Self {
        self.budgets = budgets;
        self
    }

    /// Serves cosigned checkpoints from `view` (see [`crate::witnessing`]).
    #[must_use]
    pub fn with_witnessing(mut self, view: CosignedView) -> Self {
        self.cosigned = Some(view);
        self
    }

    /// A receipt for entry `index`, logged in the batch `receipts` holds
    /// or before it at `head`: against a cosigned checkpoint that covers it
    /// when asked for and one comes within `wait_ms`, else against `head`.
    /// Says whether it is cosigned.
    async fn receipt(
        &self,
        index: u64,
        head: &Head,
        receipts: &BatchReceipts,
        cosigned: bool,
        wait_ms: u32,
    ) -> Result<(String, bool), Status> {
        if cosigned {
            let view = self.cosigned.as_ref();
            if let Some(c) = witnessing::wait_covering(view, index + 1, wait_ms).await? {
                return Ok((self.tlog_proof(index, c.tree_size, c.note).await?, true));
            }
        }
        // An entry of this batch: its receipt is in memory.
        if receipts.tree_size() == head.tree_size
            && let Some((entry, hashes)) = receipts.receipt(index)
        {
            return Ok((
                tlog_proof_text(index, entry.to_vec(), hashes, receipts.checkpoint()),
                false,
            ));
        }
        let note = Arc::clone(&head.checkpoint);
        Ok((self.tlog_proof(index, head.tree_size, note).await?, false))
    }

    /// Appends one record and builds its receipt: the work of `Append`.
    async fn append_one(
        &self,
        request: pb::AppendRequest,
    ) -> Result<pb::AppendResponse, AppendError> {
        let checked = self.checks.check(request).await?;
        self.sequence(checked).await
    }

    /// Appends a checked record and builds its receipt. Its first step
    /// queues the record into the sequencer, so records whose futures are
    /// first polled in some order are sequenced in that order.
    async fn sequence(&self, checked: Checked) -> Result<pb::AppendResponse, AppendError> {
        // Only records signed for this very log: a record copied from
        // another log, or one that names no log, is refused here, before
        // it reaches the sequencer. The log key is named after the origin.
        let signer = *checked.signed.public_key().as_bytes();
        let refused = |status: Status, reason: refusals::Reason| {
            refusals::log(Some(&signer), &status, reason);
            AppendError::Refused(status)
        };
        checked
            .signed
            .check_for_append(self.log_key.name())
            .map_err(|e| refused(status::field(&e), refusals::Reason::of_field(&e)))?;
        // Within the signer's budget and the node's, counted only for a
        // record whose signature checked.
        self.budgets
            .take(&signer, Instant::now())
            .map_err(|e| refused(status::exhausted(&e), refusals::Reason::of_budget(&e)))?;
        let sequenced = self.sequencer.append(checked.signed).await.map_err(|e| {
            telemetry::append(Outcome::Failed);
            AppendError::Failed(match e {
                SequencerError::Stopped => Status::unavailable("the node is shutting down"),
                SequencerError::Writer(w) => status::writer(&w),
            })
        })?;
        let appended = sequenced
            .outcome
            .map_err(|e| refused(status::refusal(&e), refusals::Reason::of_refusal(&e)))?;
        telemetry::append(if appended.duplicate {
            Outcome::Duplicate
        } else {
            Outcome::Appended
        });
        let head = sequenced.head;
        let (proof, cosigned) = self
            .receipt(
                appended.index,
                &head,
                &sequenced.receipts,
                checked.cosigned,
                checked.wait_ms,
            )
            .await
            .map_err(AppendError::Failed)?;
        Ok(pb::AppendResponse {
            index: appended.index,
            leaf_hash: appended.leaf_hash.0.to_vec(),
            proof,
            duplicate: appended.duplicate,
            cosigned,
            flags: appended.flags.iter().map(Into::into).collect(),
        })
    }

    /// Builds and checks one page of `vin`'s history from `start`, its
    /// JSON text at most `max_json` bytes; returns it with its verified
    /// checkpoint. The work is one page's, whatever the history's length.
    fn history_page(
        &self,
        vin: &Vin,
        start: PageStart,
        max_json: usize,
    ) -> Result<(HistoryPage, Checkpoint), Status> {
        let page = build_page(&self.store, vin, start, max_json)
            .map_err(|e| status::history_page(vin, &e))?;
        let checkpoint = verify_page(&page, &self.log_key).map_err(|e| {
            tracing::error!(error = %e, %vin, "built a history page that does not verify");
            Status::internal(format!("history of {vin} does not verify: {e}"))
        })?;
        Ok((page, checkpoint))
    }

    /// The witnessed part for a history of `vin` against `checkpoint`
    /// (verified, its note `note`) for the cosigned checkpoint `cosigned`:
    /// its note and the consistency proof from the history's tree size to
    /// its own, checked.
    fn witnessed_part(
        &self,
        vin: &Vin,
        note: &str,
        checkpoint: &Checkpoint,
        cosigned: &Cosigned,
    ) -> Result<Witnessed, Status> {
        let part = witnessed_part(&self.store, note, &cosigned.note).map_err(|e| {
            tracing::error!(error = %e, %vin, "cannot add the witnessed checkpoint to a history");
            Status::internal(format!(
                "cannot add the witnessed checkpoint to the history of {vin}: {e}"
            ))
        })?;
        if let Err(e) = verify_witnessed(checkpoint, &part, &self.log_key) {
            tracing::error!(error = %e, %vin, "built a witnessed part that does not verify");
            return Err(Status::internal(format!("history of {vin}: {e}")));
        }
        Ok(part)
    }

    /// A tlog-proof of entry `index` against the checkpoint `note` of
    /// `size`: from memory when the tile cache holds the entry's bundle and
    /// every tile the proof reads, else read through the cache on the
    /// blocking pool.
    async fn tlog_proof(&self, index: u64, size: u64, note: Arc<str>) -> Result<String, Status> {
        if index >= size {
            return Err(Status::out_of_range(format!(
                "leaf index {index} is not in the tree of size {size}"
            )));
        }
        if let Some(entry) = self.tiles.cached_entry(index)
            && let Ok(hashes) =
                inclusion_proof(LeafIndex(index), TreeSize(size), &self.tiles.cached())
        {
            return Ok(tlog_proof_text(index, entry, hashes, &note));
        }
        let tiles = Arc::clone(&self.tiles);
        reads::blocking(move || {
            // A proof may come before the cache has followed the new head
            // (it does at most every FOLLOW_EVERY): read its right edge
            // once for all.
            if let Err(e) = tiles.advance(size) {
                tracing::debug!(error = %e, tree_size = size, "right edge not read");
            }
            let entry = tiles
                .entry(index)
                .map_err(|e| status::store(&e))?
                .ok_or_else(|| {
                    Status::internal(format!("entry {index} is missing from the store"))
                })?;
            let hashes = inclusion_proof(LeafIndex(index), TreeSize(size), &*tiles)
                .map_err(|e| status::proof(&e))?;
            Ok(tlog_proof_text(index, entry, hashes, &note))
        })
        .await
    }

    /// The checkpoint at `size`, or the latest for 0.
    async fn checkpoint_at(&self, size: u64) -> Result<Head, Status> {
        let head = self.sequencer.head();
        if size == 0 || size == head.tree_size {
            return Ok(head);
        }
        if size > head.tree_size {
            return Err(Status::out_of_range(format!(
                "tree size {size} is beyond the log's size {}",
                head.tree_size
            )));
        }
        let store = self.store.clone();
        let note = reads::blocking(move || store.checkpoint(size).map_err(|e| status::store(&e)))
            .await?
            .ok_or_else(|| {
                Status::not_found(format!("no checkpoint was signed at tree size {size}"))
            })?;
        Ok(Head {
            tree_size: size,
            checkpoint: note.into(),
        })
    }

    /// The consistency proof from `old` to `new`: from memory when the tile
    /// cache holds every tile it reads, else read through the cache on the
    /// blocking pool.
    async fn consistency(&self, old: u64, new: u64) -> Result<Vec<Hash>, Status> {
        let (old, new) = (TreeSize(old), TreeSize(new));
        if let Ok(hashes) = consistency_proof(old, new, &self.tiles.cached()) {
            return Ok(hashes);
        }
        let tiles = Arc::clone(&self.tiles);
        reads::blocking(move || {
            // The cache follows the head at most every FOLLOW_EVERY: a
            // proof to a newer head reads the right edge once for all.
            if let Err(e) = tiles.advance(new.0) {
                tracing::debug!(error = %e, tree_size = new.0, "right edge not read");
            }
            consistency_proof(old, new, &*tiles).map_err(|e| status::proof(&e))
        })
        .await
    }
}

/// Why one append has no receipt.
#[derive(Debug)]
enum AppendError {
    /// The record is refused and nothing changed: `Append` fails with the
    /// status, `AppendStream` answers it and goes on.
    Refused(Status),
    /// The node cannot append now (it is shutting down, a write failed) or
    /// cannot build the receipt: `Append` fails and `AppendStream` ends
    /// with the status.
    Failed(Status),
}

impl From<AppendError> for Status {
    fn from(e: AppendError) -> Self {
        match e {
            AppendError::Refused(s) | AppendError::Failed(s) => s,
        }
    }
}

/// An append request whose record decoded and whose signature verifies.
#[derive(Debug)]
struct Checked {
    signed: SignedRecord,
    cosigned: bool,
    wait_ms: u32,
}

/// Decodes the record of each request and checks its signature, the
/// signatures together (`SignedRecord::from_protos`): the same answers as
/// one by one, for about half the cost of the signatures.
fn check_many(requests: Vec<pb::AppendRequest>) -> Vec<Result<Checked, AppendError>> {
    let mut answers: Vec<Option<Result<Checked, AppendError>>> = Vec::new();
    let mut signed = Vec::with_capacity(requests.len());
    let mut rest = Vec::with_capacity(requests.len());
    for request in requests {
        match request.signed {
            None => {
                let status = Status::invalid_argument("signed: is missing");
                refusals::log(None, &status, refusals::Reason::Malformed);
                answers.push(Some(Err(AppendError::Refused(status))));
            }
            Some(s) => {
                // The key the request names, for the log line of a refusal.
                let named = <[u8; 32]>::try_from(s.public_key.as_slice()).ok();
                signed.push(s);
                rest.push((answers.len(), named, request.cosigned, request.wait_ms));
                answers.push(None);
            }
        }
    }
    // Signature checks run here, on the request's own task, so that they
    // spread over every core; the sequencer only decides.
    let checked = SignedRecord::from_protos(signed);
    for (result, (at, named, cosigned, wait_ms)) in checked.into_iter().zip(rest) {
        answers[at] = Some(match result {
            Ok(signed) => Ok(Checked {
                signed,
                cosigned,
                wait_ms,
            }),
            Err(e) => {
                let status = status::field(&e);
                refusals::log(
                    named.as_ref().map(<[u8; 32]>::as_slice),
                    &status,
                    refusals::Reason::of_field(&e),
                );
                Err(AppendError::Refused(status))
            }
        });
    }
    answers.into_iter().flatten().collect()
}

/// The text of a tlog-proof.
fn tlog_proof_text(index: u64, entry: Vec<u8>, hashes: Vec<Hash>, note: &str) -> String {
    TlogProof {
        extra: Some(entry),
        index: LeafIndex(index),
        hashes,
        checkpoint: note.to_owned(),
    }
    .to_text()
}

/// The entries `[start, end)` of the store, with the stored hashes each
/// completes when `with_hashes`.
fn read_entries(
    store: &NodeStore,
    start: u64,
    end: u64,
    with_hashes: bool,
) -> Result<Vec<Result<pb::LeafEntry, Status>>, Status> {
    let mut out = Vec::with_capacity(usize::try_from(end - start).unwrap_or(0));
    let mut next = start;
    while next < end {
        let page = store.entries(next, end).map_err(|e| status::store(&e))?;
        for data in page {
            let hashes = if with_hashes {
                crate::audit::stored_hashes(store, next)?
            } else {
                Vec::new()
            };
            out.push(Ok(pb::LeafEntry {
                index: next,
                data,
                hashes,
            }));
            next += 1;
        }
    }
    Ok(out)
}

type EntryStream = Pin<Box<dyn Stream<Item = Result<pb::LeafEntry, Status>> + Send>>;

#[tonic::async_trait]
impl Log for LogService {
    async fn append(
        &self,
        request: Request<pb::AppendRequest>,
    ) -> Result<Response<pb::AppendResponse>, Status> {
        let response = self.append_one(request.into_inner()).await?;
        Ok(Response::new(response))
    }

    type AppendStreamStream = stream::AppendStream;

    async fn append_stream(
        &self,
        request: Request<Streaming<pb::AppendRequest>>,
    ) -> Result<Response<stream::AppendStream>, Status> {
        Ok(Response::new(stream::answers(
            self.clone(),
            request.into_inner(),
        )))
    }

    async fn get_checkpoint(
        &self,
        request: Request<pb::GetCheckpointRequest>,
    ) -> Result<Response<pb::GetCheckpointResponse>, Status> {
        let req = request.into_inner();
        if req.cosigned {
            if req.tree_size != 0 {
                return Err(Status::invalid_argument(
                    "tree_size: must be 0 with cosigned (the latest cosigned checkpoint)",
                ));
            }
            let view = self.cosigned.as_ref();
            let size = self.sequencer.head().tree_size;
            let latest = match witnessing::wait_covering(view, size, req.wait_ms).await? {
                Some(c) => Some(c),
                None => view.and_then(CosignedView::latest),
            };
            let c = latest.ok_or_else(|| witnessing::not_cosigned(view, "at all", req.wait_ms))?;
            return Ok(Response::new(pb::GetCheckpointResponse {
                checkpoint: c.note.to_string(),
            }));
        }
        let head = self.checkpoint_at(req.tree_size).await?;
        Ok(Response::new(pb::GetCheckpointResponse {
            checkpoint: head.checkpoint.to_string(),
        }))
    }

    type GetEntriesStream = EntryStream;

    async fn get_entries(
        &self,
        request: Request<pb::GetEntriesRequest>,
    ) -> Result<Response<EntryStream>, Status> {
        let req = request.into_inner();
        let size = self.sequencer.head().tree_size;
        if req.start >= size {
            return Err(Status::out_of_range(format!(
                "start {} is not below the tree size {size}",
                req.start
            )));
        }
        if req.end <= req.start {
            return Err(Status::invalid_argument("end: must be greater than start"));
        }
        let end = req.end.min(size).min(req.start + MAX_ENTRIES_PER_CALL);
        let store = self.store.clone();
        let out =
            reads::blocking(move || read_entries(&store, req.start, end, req.with_hashes)).await?;
        Ok(Response::new(Box::pin(tokio_stream::iter(out))))
    }

    async fn get_inclusion_proof(
        &self,
        request: Request<pb::GetInclusionProofRequest>,
    ) -> Result<Response<pb::GetInclusionProofResponse>, Status> {
        let req = request.into_inner();
        if req.cosigned {
            if req.tree_size != 0 {
                return Err(Status::invalid_argument(
                    "tree_size: must be 0 with cosigned (the latest cosigned checkpoint)",
                ));
            }
            if req.index >= self.sequencer.head().tree_size {
                return Err(Status::out_of_range(format!(
                    "leaf index {} is not in the tree of size {}",
                    req.index,
                    self.sequencer.head().tree_size
                )));
            }
            let view = self.cosigned.as_ref();
            let c = witnessing::wait_covering(view, req.index + 1, req.wait_ms)
                .await?
                .ok_or_else(|| {
                    witnessing::not_cosigned(
                        view,
                        &format!("covering entry {}", req.index),
                        req.wait_ms,
                    )
                })?;
            let proof = self.tlog_proof(req.index, c.tree_size, c.note).await?;
            return Ok(Response::new(pb::GetInclusionProofResponse { proof }));
        }
        let head = self.checkpoint_at(req.tree_size).await?;
        let proof = self
            .tlog_proof(req.index, head.tree_size, head.checkpoint)
            .await?;
        Ok(Response::new(pb::GetInclusionProofResponse { proof }))
    }

    async fn get_consistency_proof(
        &self,
        request: Request<pb::GetConsistencyProofRequest>,
    ) -> Result<Response<pb::GetConsistencyProofResponse>, Status> {
        let req = request.into_inner();
        let head = self.checkpoint_at(req.new_size).await?;
        if req.old_size == 0 || req.old_size > head.tree_size {
            return Err(Status::out_of_range(format!(
                "old_size must be in 1..={}, not {}",
                head.tree_size, req.old_size
            )));
        }
        let hashes = self.consistency(req.old_size, head.tree_size).await?;
        Ok(Response::new(pb::GetConsistencyProofResponse {
            old_size: req.old_size,
            new_size: head.tree_size,
            hashes: hashes.iter().map(|h| h.0.to_vec()).collect(),
            checkpoint: head.checkpoint.to_string(),
        }))
    }

    async fn get_vin_history(
        &self,
        request: Request<pb::GetVinHistoryRequest>,
    ) -> Result<Response<pb::GetVinHistoryResponse>, Status> {
        let req = request.into_inner();
        let vin =
            Vin::parse(&req.vin).map_err(|e| Status::invalid_argument(format!("vin: {e}")))?;
        let start = history_start(&req)?;
        if let PageStart::After { tree_size, .. } = start {
            let latest = self.sequencer.head().tree_size;
            if tree_size > latest {
                return Err(Status::out_of_range(format!(
                    "tree_size: {tree_size} is beyond the tree size {latest}"
                )));
            }
        }
        let view = self.cosigned.as_ref();
        if req.cosigned {
            // Refuse before building when the node has no witnesses.
            witnessing::require(view)?;
        }
        // The cost cap: one page's worth of work and bytes, whatever the
        // history's length.
        let bound = match usize::try_from(req.page_bytes) {
            Ok(b) if req.paged && b > 0 => b.min(MAX_PAGE_BYTES),
            _ => MAX_PAGE_BYTES,
        };
        let mut max_json = bound.saturating_sub(FRAME_BYTES);
        if req.cosigned {
            max_json = max_json.saturating_sub(WITNESSED_RESERVE);
        }
        let this = self.clone();
        let for_vin = vin.clone();
        let (mut page, checkpoint) =
            tokio::task::spawn_blocking(move || this.history_page(&for_vin, start, max_json))
                .await
                .map_err(|e| Status::internal(e.to_string()))??;
        if !req.paged && page.next.is_some() {
            return Err(too_long(&vin));
        }
        if req.cosigned {
            // The index exists only at the latest size, so the first page
            // is built there and tied by a consistency proof to the first
            // cosigned checkpoint that covers it.
            let size = checkpoint.size().0;
            let cosigned = witnessing::wait_covering(view, size, req.wait_ms)
                .await?
                .ok_or_else(|| {
                    witnessing::not_cosigned(
                        view,
                        &format!("covering tree size {size} (the history of {vin})"),
                        req.wait_ms,
                    )
                })?;
            let this = self.clone();
            let for_vin = vin.clone();
            let note = page.checkpoint.clone();
            let part = tokio::task::spawn_blocking(move || {
                this.witnessed_part(&for_vin, &note, &checkpoint, &cosigned)
            })
            .await
            .map_err(|e| Status::internal(e.to_string()))??;
            page.witnessed = Some(part);
        }
        let text = if req.paged {
            serde_json::to_string(&page)
        } else {
            // The whole history, in the page: the bundle as before pages.
            let bundle = merge_pages(vec![page])
                .map_err(|e| Status::internal(format!("history of {vin}: {e}")))?;
            serde_json::to_string_pretty(&bundle)
        }
        .map_err(|e| Status::internal(e.to_string()))?;
        if text.len() + FRAME_BYTES > bound {
            if !req.paged {
                return Err(too_long(&vin));
            }
            tracing::error!(%vin, bytes = text.len(), bound, "built a history page over its bound");
            return Err(Status::internal(format!(
                "history of {vin}: a page of {} bytes, over the bound of {bound}",
                text.len()
            )));
        }
        Ok(Response::new(pb::GetVinHistoryResponse { bundle: text }))
    }
}

/// Where the page a history request asks for starts; `INVALID_ARGUMENT`
/// for fields that do not go together.
fn history_start(req: &pb::GetVinHistoryRequest) -> Result<PageStart, Status> {
    if !req.paged && (req.tree_size != 0 || req.next != 0 || req.page_bytes != 0) {
        return Err(Status::invalid_argument(
            "paged: tree_size, next and page_bytes ask for a page; set paged",
        ));
    }
    if req.tree_size == 0 {
        if req.next != 0 {
            return Err(Status::invalid_argument(
                "next: only for a later page, with the first page's tree_size",
            ));
        }
        return Ok(PageStart::Head);
    }
    if req.cosigned {
        return Err(Status::invalid_argument(
            "cosigned: only the first page (tree_size 0) carries the witnessed part",
        ));
    }
    Ok(PageStart::After {
        tree_size: req.tree_size,
        next: req.next,
    })
}

/// `RESOURCE_EXHAUSTED` for an unpaged request whose history does not fit
/// in one message.
fn too_long(vin: &Vin) -> Status {
    Status::resource_exhausted(format!(
        "the history of {vin} does not fit in one message of {MAX_PAGE_BYTES} bytes; \
         ask for it in pages (paged), as `vledger history` does"
    ))
}
