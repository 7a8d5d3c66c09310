//! Unary appends checked together: the requests that arrive while the
//! node is busy checking others are decoded and their signatures verified
//! in one batch (`SignedRecord::from_protos`, the same verdicts as one by
//! one, for about half the cost of the signatures).
//!
//! No task of its own: a request queues itself, and if fewer than
//! [`Checks::new`]'s `parallel` requests are checking, it takes the queue
//! (up to [`MAX_RUN`] requests) and checks it on its own task, then the
//! next run, until the queue is empty. Under light load each request is
//! a run of one (checked alone, as cheap as before); under heavy load the
//! queue fills while every checker is busy, and runs grow with the load.
//! The node lets half its cores check at once: with every core allowed, a
//! request would always find a checker's turn free (there are as many
//! runtime threads as cores) and every run would be a run of one.
//! A checker that finds the queue empty after giving its turn back looks
//! once more, so no request waits with no one to check it.

use std::sync::Mutex;

use tokio::sync::{Semaphore, oneshot};
use tonic::Status;
use vledger_proto::v1 as pb;

use super::{AppendError, Checked, check_many};

/// Most requests checked in one run.
pub const MAX_RUN: usize = 64;

/// A request waiting for its check, and where its answer goes.
type Waiting = (
    pb::AppendRequest,
    oneshot::Sender<Result<Checked, AppendError>>,
);

/// The queue of unary appends waiting for their check.
#[derive(Debug)]
pub struct Checks {
    queue: Mutex<Vec<Waiting>>,
    /// One permit per request task that may be checking at once.
    checkers: Semaphore,
}

impl Checks {
    /// At most `parallel` runs checked at once (one per core).
    #[must_use]
    pub fn new(parallel: usize) -> Self {
        Self {
            queue: Mutex::new(Vec::new()),
            checkers: Semaphore::new(parallel.max(1)),
        }
    }

    /// Decodes `request` and checks its signature, with whatever other
    /// requests are waiting.
    pub async fn check(&self, request: pb::AppendRequest) -> Result<Checked, AppendError> {
        let (answer, answered) = oneshot::channel();
        self.lock().push((request, answer));
        self.drain();
        answered.await.unwrap_or_else(|_| {
            Err(AppendError::Failed(Status::internal(
                "checking the record gave no answer",
            )))
        })
    }

    /// Checks runs from the queue while a checker's turn is free and the
    /// queue is not empty.
    fn drain(&self) {
        while let Ok(turn) = self.checkers.try_acquire() {
            let run: Vec<Waiting> = {
                let mut queue = self.lock();
                let n = queue.len().min(MAX_RUN);
                queue.drain(..n).collect()
            };
            if run.is_empty() {
                drop(turn);
                // A request queued after the run was taken, whose own
                // look found every turn taken, is checked here.
                if self.lock().is_empty() {
                    return;
                }
                continue;
            }
            let (requests, answers): (Vec<_>, Vec<_>) = run.into_iter().unzip();
            for (answer, checked) in answers.into_iter().zip(check_many(requests)) {
                // The caller may have gone (its connection closed).
                let _ = answer.send(checked);
            }
            drop(turn);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Waiting>> {
        // The queue holds no invariant a panicking holder could break.
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use vledger_records::{
        DistanceUnit, OdometerReading, OdometerSource, Record, RecordBody, SignedRecord, Vin,
    };

    fn request(i: u64, valid: bool) -> pb::AppendRequest {
        let record = Record {
            vin: Some(Vin::parse("WVWZZZ1JZ00000001").expect("VIN")),
            event_time: 1_735_689_600,
            nonce: i.to_be_bytes().to_vec(),
            attachments: Vec::new(),
            body: RecordBody::OdometerReading(OdometerReading {
                value: 1000 + i,
                unit: DistanceUnit::Km,
                source: OdometerSource::Service,
            }),
        };
        let key = SigningKey::from_bytes(&[3; 32]);
        let mut signed = SignedRecord::sign_for("checks.example/log", &record, &key)
            .expect("origin")
            .to_proto();
        if !valid {
            signed.signature[40] ^= 1;
        }
        pb::AppendRequest {
            signed: Some(signed),
            cosigned: false,
            wait_ms: u32::try_from(i).expect("small"),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_request_gets_its_own_answer_under_concurrency() {
        let checks = std::sync::Arc::new(Checks::new(2));
        let tasks: Vec<_> = (0..300u64)
            .map(|i| {
                let checks = std::sync::Arc::clone(&checks);
                tokio::spawn(async move { (i, checks.check(request(i, i % 7 != 3)).await) })
            })
            .collect();
        for task in tasks {
            let (i, answer) = task.await.expect("task");
            match answer {
                // The answer is this request's: `wait_ms` carries i.
                Ok(checked) => {
                    assert_ne!(i % 7, 3, "request {i}: a bad signature accepted");
                    assert_eq!(u64::from(checked.wait_ms), i);
                    assert_eq!(checked.signed.record().nonce, i.to_be_bytes());
                }
                Err(AppendError::Refused(status)) => {
                    assert_eq!(i % 7, 3, "request {i} refused: {status:?}");
                    assert!(status.message().contains("signed.signature"), "{status:?}");
                }
                Err(AppendError::Failed(status)) => panic!("request {i} failed: {status:?}"),
            }
        }
        assert!(checks.lock().is_empty());
        assert_eq!(checks.checkers.available_permits(), 2);
    }
}
