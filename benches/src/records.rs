//! Keys, VINs and records for benches: deterministic, cheap to make, and
//! accepted by the log's rules.

use std::ops::Range;

use ed25519_dalek::{SigningKey, VerifyingKey};
use vledger_log::store::{Backend, LogStore};
use vledger_log::writer::{LogWriter, WriterError};
use vledger_records::{
    DistanceUnit, KeyEnrollment, MAX_ODOMETER, OdometerReading, OdometerSource, Record, RecordBody,
    Role, SignedRecord, Vin,
};
use vledger_tlog::note::Signer;

/// Origin of the logs that benches create.
pub const ORIGIN: &str = "bench.vledger.example/log";

/// `event_time` of every generated record, in seconds since the epoch:
/// 2025-01-01, in the past of every clock the benches use (the log refuses
/// records from the future).
pub const EVENT_TIME: i64 = 1_735_689_600;

/// A signing key derived from `seed`: the same seed gives the same key in
/// every run, so that benches see the same bytes.
#[must_use]
pub fn signing_key(seed: u64) -> SigningKey {
    let mut material = b"vledger-bench-key/".to_vec();
    material.extend_from_slice(&seed.to_be_bytes());
    SigningKey::from_bytes(&vledger_tlog::sha256(&material).0)
}

/// The `i`-th benchmark VIN: `WVWZZZ1JZ` followed by `i` in eight decimal
/// digits (modulo 10^8). A European VIN (first character `W`), so that
/// position 9 is no check digit and any eight digits are valid.
///
/// # Panics
/// Never: every such string is a valid VIN.
#[must_use]
pub fn vin(i: u64) -> Vin {
    let text = format!("WVWZZZ1JZ{:08}", i % 100_000_000);
    Vin::parse(&text).unwrap_or_else(|e| panic!("{text} is not a valid VIN: {e}"))
}

/// `record` signed with `key` for the log `origin`.
///
/// # Panics
/// When `origin` cannot be a log's origin (empty, or holding a control
/// character).
#[must_use]
pub fn sign_for(origin: &str, record: &Record, key: &SigningKey) -> SignedRecord {
    SignedRecord::sign_for(origin, record, key)
        .unwrap_or_else(|e| panic!("{origin:?} cannot be an origin: {e}"))
}

/// `record` signed with `key` for the benches' log ([`ORIGIN`]).
#[must_use]
pub fn sign(record: &Record, key: &SigningKey) -> SignedRecord {
    sign_for(ORIGIN, record, key)
}

/// The admin's record enrolling `key` with `role` in the benches' log
/// ([`ORIGIN`]).
#[must_use]
pub fn enrollment(admin: &SigningKey, key: &VerifyingKey, role: Role) -> SignedRecord {
    enrollment_for(ORIGIN, admin, key, role)
}

/// The admin's record enrolling `key` with `role` in the log `origin`.
#[must_use]
pub fn enrollment_for(
    origin: &str,
    admin: &SigningKey,
    key: &VerifyingKey,
    role: Role,
) -> SignedRecord {
    let record = Record {
        vin: None,
        event_time: EVENT_TIME,
        nonce: Vec::new(),
        attachments: Vec::new(),
        body: RecordBody::KeyEnrollment(KeyEnrollment {
            public_key: *key,
            role,
            name: "Bench Workshop GmbH".to_owned(),
        }),
    };
    sign_for(origin, &record, admin)
}

/// An endless, deterministic stream of distinct odometer readings over a
/// fixed number of VINs, taken round-robin: record `i` is about
/// [`vin`]`(i % vins)` and is that VIN's reading number `s = i / vins`,
/// which reads `7 s` km. So each VIN's readings only go up (no rollback
/// flags) and every record's bytes differ. Past the largest reading the log
/// accepts ([`MAX_ODOMETER`]) readings stay there and a nonce (`i`) keeps
/// the records distinct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OdometerStream {
    /// Number of distinct VINs the records cycle through.
    pub vins: u64,
}

impl OdometerStream {
    /// A stream over `vins` VINs (at least one).
    #[must_use]
    pub fn new(vins: u64) -> Self {
        Self { vins: vins.max(1) }
    }

    /// Record `i` of the stream.
    #[must_use]
    pub fn record(&self, i: u64) -> Record {
        let reading = (i / self.vins).saturating_mul(7);
        let (value, nonce) = if reading <= MAX_ODOMETER {
            (reading, Vec::new())
        } else {
            (MAX_ODOMETER, i.to_be_bytes().to_vec())
        };
        Record {
            vin: Some(vin(i % self.vins)),
            event_time: EVENT_TIME,
            nonce,
            attachments: Vec::new(),
            body: RecordBody::OdometerReading(OdometerReading {
                value,
                unit: DistanceUnit::Km,
                source: OdometerSource::Service,
            }),
        }
    }

    /// Records `range` of the stream, signed with `key` for the benches'
    /// log ([`ORIGIN`]), spread over `threads` threads (signing costs about
    /// as much as verifying, so this is the slow part of every bench
    /// set-up).
    #[must_use]
    pub fn sign(&self, key: &SigningKey, range: Range<u64>, threads: usize) -> Vec<SignedRecord> {
        self.sign_for(ORIGIN, key, range, threads)
    }

    /// [`OdometerStream::sign`] for the log `origin`.
    #[must_use]
    pub fn sign_for(
        &self,
        origin: &str,
        key: &SigningKey,
        range: Range<u64>,
        threads: usize,
    ) -> Vec<SignedRecord> {
        let len = range.end.saturating_sub(range.start);
        let threads = (threads.max(1) as u64).min(len.max(1));
        let chunk = len.div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let start = range.start + t * chunk;
                    let end = (start + chunk).min(range.end);
                    s.spawn(move || {
                        (start..end)
                            .map(|i| sign_for(origin, &self.record(i), key))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join()
                        .unwrap_or_else(|_| panic!("a signing thread panicked"))
                })
                .collect()
        })
    }
}

/// Number of threads worth using for CPU-bound set-up work.
#[must_use]
pub fn cpu_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// The keys of a bench log: the log's checkpoint key, its admin, and one
/// enrolled workshop key that signs the records.
#[derive(Debug, Clone)]
pub struct BenchKeys {
    /// Signs checkpoints.
    pub log: Signer,
    /// The genesis admin key.
    pub admin: SigningKey,
    /// A key enrolled with role workshop, which may sign odometer readings.
    pub workshop: SigningKey,
}

impl Default for BenchKeys {
    fn default() -> Self {
        Self::new()
    }
}

impl BenchKeys {
    /// The fixed keys of every bench log.
    ///
    /// # Panics
    /// Never: [`ORIGIN`] is a valid key name.
    #[must_use]
    pub fn new() -> Self {
        Self {
            log: Signer::new(ORIGIN, signing_key(0))
                .unwrap_or_else(|e| panic!("{ORIGIN} cannot name a key: {e}")),
            admin: signing_key(1),
            workshop: signing_key(2),
        }
    }

    /// Creates a log in the empty `backend` at time `now_ms` (after
    /// [`EVENT_TIME`]) and enrolls the workshop key.
    ///
    /// # Errors
    /// When the backend fails or already holds a log.
    ///
    /// # Panics
    /// If the log refuses the enrollment (a bug in the rules or here).
    pub fn new_log<B: Backend>(
        &self,
        backend: B,
        now_ms: i64,
    ) -> Result<LogWriter<B>, WriterError> {
        let mut writer = LogWriter::init(
            LogStore::new(backend)?,
            self.log.clone(),
            self.admin.verifying_key(),
            now_ms,
        )?;
        let enroll = enrollment(&self.admin, &self.workshop.verifying_key(), Role::Workshop);
        let result = writer.append_batch(&[enroll], now_ms)?;
        if let Some(Err(e)) = result.outcomes.first() {
            panic!("the log refused the bench's key enrollment: {e}");
        }
        Ok(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vledger_log::store::MemoryBackend;

    #[test]
    fn stream_records_are_distinct_valid_and_accepted() {
        let keys = BenchKeys::new();
        let mut writer = keys
            .new_log(MemoryBackend::new(), EVENT_TIME * 1000)
            .unwrap();
        let stream = OdometerStream::new(3);
        let signed = stream.sign(&keys.workshop, 0..10, 2);
        assert_eq!(signed.len(), 10);
        let before = writer.tree_size();
        let now_ms = (EVENT_TIME + 60) * 1000;
        let result = writer.append_batch(&signed, now_ms).unwrap();
        assert!(
            result
                .outcomes
                .iter()
                .all(|o| matches!(o, Ok(a) if !a.duplicate))
        );
        assert!(result.tree_size >= before + 10);
        // Each signed record survives the node's strict decoding.
        for s in &signed {
            assert_eq!(&SignedRecord::from_proto(s.to_proto()).unwrap(), s);
        }
    }

    #[test]
    fn vins_are_valid_and_distinct() {
        assert_eq!(vin(7).as_str(), "WVWZZZ1JZ00000007");
        assert_ne!(vin(1), vin(2));
        assert_eq!(vin(100_000_001), vin(1));
    }

    #[test]
    fn readings_go_up_per_vin_and_stay_valid_past_the_largest() {
        let stream = OdometerStream::new(2);
        let value = |i| match stream.record(i).body {
            RecordBody::OdometerReading(o) => o.value,
            _ => unreachable!(),
        };
        assert_eq!((value(0), value(1), value(2), value(3)), (0, 0, 7, 7));
        let far = 2 * (MAX_ODOMETER / 7 + 5);
        assert_eq!(value(far), MAX_ODOMETER);
        assert_ne!(stream.record(far), stream.record(far + 2));
        let keys = BenchKeys::new();
        for i in [0, 1, far, far + 2] {
            let s = stream.sign(&keys.workshop, i..i + 1, 1).remove(0);
            assert!(SignedRecord::from_proto(s.to_proto()).is_ok(), "record {i}");
        }
    }

    #[test]
    fn signing_splits_ranges_without_losing_records() {
        let keys = BenchKeys::new();
        let stream = OdometerStream::new(5);
        for threads in [1, 2, 3, 8] {
            let signed = stream.sign(&keys.workshop, 4..11, threads);
            let expected: Vec<_> = (4..11).map(|i| stream.record(i)).collect();
            let records: Vec<_> = signed.iter().map(|s| s.record().clone()).collect();
            assert_eq!(records, expected);
        }
        assert!(stream.sign(&keys.workshop, 3..3, 2).is_empty());
    }
}
