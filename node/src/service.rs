//! The `vledger.v1.Log` gRPC service.

use std::pin::Pin;

use ledger::merkle::{LeafIndex, TreeSize, consistency_proof, inclusion_proof};
use ledger::note::TlogProof;
use ledger::record::SignedRecord;
use ledger::store::{LogStore, SledBackend};
use tokio_stream::Stream;
use tonic::{Request, Response, Status};
use vledger_proto::v1 as pb;
use vledger_proto::v1::log_server::Log;

use crate::sequencer::{Head, Sequencer, SequencerError};
use crate::status;

/// Most entries one `GetEntries` call returns; clients page.
pub const MAX_ENTRIES_PER_CALL: u64 = 1024;

/// The state behind the gRPC service.
#[derive(Debug, Clone)]
pub struct LogService {
    /// Queue into the sequencer, and the latest checkpoint.
    sequencer: Sequencer,
    /// Read-only view of the store, for entries and proofs.
    store: LogStore<SledBackend>,
}

impl LogService {
    /// A service reading `store` and appending through `sequencer`.
    #[must_use]
    pub const fn new(sequencer: Sequencer, store: LogStore<SledBackend>) -> Self {
        Self { sequencer, store }
    }

    /// A tlog-proof of entry `index` against the checkpoint `note` of `size`.
    fn tlog_proof(&self, index: u64, size: u64, note: &str) -> Result<String, Status> {
        if index >= size {
            return Err(Status::out_of_range(format!(
                "leaf index {index} is not in the tree of size {size}"
            )));
        }
        let entry = self
            .store
            .entry(index)
            .map_err(|e| status::store(&e))?
            .ok_or_else(|| Status::internal(format!("entry {index} is missing from the store")))?;
        let hashes = inclusion_proof(LeafIndex(index), TreeSize(size), &self.store)
            .map_err(|e| status::proof(&e))?;
        Ok(TlogProof {
            extra: Some(entry),
            index: LeafIndex(index),
            hashes,
            checkpoint: note.to_owned(),
        }
        .to_text())
    }

    /// The checkpoint at `size`, or the latest for 0.
    fn checkpoint_at(&self, size: u64) -> Result<Head, Status> {
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
        let note = self
            .store
            .checkpoint(size)
            .map_err(|e| status::store(&e))?
            .ok_or_else(|| {
                Status::not_found(format!("no checkpoint was signed at tree size {size}"))
            })?;
        Ok(Head {
            tree_size: size,
            checkpoint: note.into(),
        })
    }
}

type EntryStream = Pin<Box<dyn Stream<Item = Result<pb::LeafEntry, Status>> + Send>>;

#[tonic::async_trait]
impl Log for LogService {
    async fn append(
        &self,
        request: Request<pb::AppendRequest>,
    ) -> Result<Response<pb::AppendResponse>, Status> {
        let signed = request
            .into_inner()
            .signed
            .ok_or_else(|| Status::invalid_argument("signed: is missing"))?;
        // Signature checks run here, on the request's own task, so that
        // they spread over every core; the sequencer only decides.
        let signed = SignedRecord::from_proto(signed).map_err(|e| status::field(&e))?;
        let sequenced = self.sequencer.append(signed).await.map_err(|e| match e {
            SequencerError::Stopped => Status::unavailable("the node is shutting down"),
            SequencerError::Writer(w) => status::writer(&w),
        })?;
        let appended = sequenced.outcome.map_err(|e| status::refusal(&e))?;
        let head = sequenced.head;
        let proof = self.tlog_proof(appended.index, head.tree_size, &head.checkpoint)?;
        Ok(Response::new(pb::AppendResponse {
            index: appended.index,
            leaf_hash: appended.leaf_hash.0.to_vec(),
            proof,
            duplicate: appended.duplicate,
        }))
    }

    async fn get_checkpoint(
        &self,
        request: Request<pb::GetCheckpointRequest>,
    ) -> Result<Response<pb::GetCheckpointResponse>, Status> {
        let head = self.checkpoint_at(request.into_inner().tree_size)?;
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
        let mut out = Vec::with_capacity((end - req.start) as usize);
        let mut next = req.start;
        while next < end {
            let page = self
                .store
                .entries(next, end)
                .map_err(|e| status::store(&e))?;
            for data in page {
                out.push(Ok(pb::LeafEntry { index: next, data }));
                next += 1;
            }
        }
        Ok(Response::new(Box::pin(tokio_stream::iter(out))))
    }

    async fn get_inclusion_proof(
        &self,
        request: Request<pb::GetInclusionProofRequest>,
    ) -> Result<Response<pb::GetInclusionProofResponse>, Status> {
        let req = request.into_inner();
        let head = self.checkpoint_at(req.tree_size)?;
        let proof = self.tlog_proof(req.index, head.tree_size, &head.checkpoint)?;
        Ok(Response::new(pb::GetInclusionProofResponse { proof }))
    }

    async fn get_consistency_proof(
        &self,
        request: Request<pb::GetConsistencyProofRequest>,
    ) -> Result<Response<pb::GetConsistencyProofResponse>, Status> {
        let req = request.into_inner();
        let head = self.checkpoint_at(req.new_size)?;
        if req.old_size == 0 || req.old_size > head.tree_size {
            return Err(Status::out_of_range(format!(
                "old_size must be in 1..={}, not {}",
                head.tree_size, req.old_size
            )));
        }
        let hashes = consistency_proof(
            TreeSize(req.old_size),
            TreeSize(head.tree_size),
            &self.store,
        )
        .map_err(|e| status::proof(&e))?;
        Ok(Response::new(pb::GetConsistencyProofResponse {
            old_size: req.old_size,
            new_size: head.tree_size,
            hashes: hashes.iter().map(|h| h.0.to_vec()).collect(),
            checkpoint: head.checkpoint.to_string(),
        }))
    }
}
