//! Opening a log reads a bounded amount, whatever its length: the tree
//! size, the latest checkpoint, the tiles under the checkpoint's root and
//! the bundle holding the last entry. A backend that counts every read
//! shows the same reads for a log of 2,000 entries and one of 20,000.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use ed25519_dalek::SigningKey;
use vledger_log::store::{Backend, LogStore, MemoryBackend, Pairs, StoreError, Writes};
use vledger_log::writer::LogWriter;
use vledger_records::{
    DistanceUnit, KeyEnrollment, OdometerReading, OdometerSource, Record, RecordBody, Role,
    SignedRecord, Vin,
};
use vledger_tlog::note::Signer;

/// Reads per key prefix (`'b'` bundles, `'t'` tiles, …), and entries read.
#[derive(Debug, Default, Clone)]
struct Reads {
    by_prefix: BTreeMap<char, u64>,
    bytes: u64,
}

/// A backend that counts what is read through it.
#[derive(Debug, Clone)]
struct Counting {
    inner: MemoryBackend,
    reads: Arc<Mutex<Reads>>,
}

impl Counting {
    fn count(&self, key: &[u8], bytes: usize) {
        let mut r = self.reads.lock().unwrap();
        *r.by_prefix.entry(char::from(key[0])).or_default() += 1;
        r.bytes += bytes as u64;
    }
}

impl Backend for Counting {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let v = self.inner.get(key)?;
        self.count(key, v.as_ref().map_or(0, Vec::len));
        Ok(v)
    }
    fn scan(&self, start: &[u8], end: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        let v = self.inner.scan(start, end, limit)?;
        self.count(start, v.iter().map(|(_, v)| v.len()).sum());
        Ok(v)
    }
    fn apply(&self, writes: Writes, expected_tree_size: Option<u64>) -> Result<(), StoreError> {
        self.inner.apply(writes, expected_tree_size)
    }
}

/// "Now" for the writer, after every record's date.
const NOW_MS: i64 = 1_800_000_000_000;

fn log_signer() -> Signer {
    Signer::new("startup.example/log", SigningKey::from_bytes(&[200; 32])).unwrap()
}

/// A log of about `entries` entries, in batches of 250 records.
fn log_of(entries: u64) -> MemoryBackend {
    let backend = MemoryBackend::new();
    let admin = SigningKey::from_bytes(&[201; 32]);
    let mut w = LogWriter::init(
        LogStore::new(backend.clone()).unwrap(),
        log_signer(),
        admin.verifying_key(),
        NOW_MS,
    )
    .unwrap();
    let ws = SigningKey::from_bytes(&[1; 32]);
    let enroll = Record::new(
        None,
        1_700_000_000,
        RecordBody::KeyEnrollment(KeyEnrollment {
            public_key: ws.verifying_key(),
            role: Role::Workshop,
            name: "W".into(),
        }),
    );
    w.append_batch(
        &[SignedRecord::sign_for("startup.example/log", &enroll, &admin).unwrap()],
        NOW_MS + 1,
    )
    .unwrap();
    // A hundred vehicles (German VINs, which carry no check digit).
    let vins: Vec<Vin> = (0..100)
        .map(|i| Vin::parse(&format!("WDB{i:014}")).unwrap())
        .collect();
    let mut value = 0;
    let mut n = NOW_MS + 2;
    while w.tree_size() < entries {
        let batch: Vec<SignedRecord> = (0..250)
            .map(|_| {
                value += 1;
                let r = Record::new(
                    Some(vins[(value % 100) as usize].clone()),
                    1_700_000_000,
                    RecordBody::OdometerReading(OdometerReading {
                        value,
                        unit: DistanceUnit::Km,
                        source: OdometerSource::Service,
                    }),
                );
                SignedRecord::sign_for("startup.example/log", &r, &ws).unwrap()
            })
            .collect();
        let before = w.tree_size();
        w.append_batch(&batch, n).unwrap();
        assert_eq!(w.tree_size(), before + 251, "every record logged");
        n += 1;
    }
    backend
}

fn reads_to_open(backend: MemoryBackend) -> (Reads, u64) {
    let counting = Counting {
        inner: backend,
        reads: Arc::default(),
    };
    let store = LogStore::new(counting.clone()).unwrap();
    let writer = LogWriter::open(store, log_signer()).unwrap();
    let reads = counting.reads.lock().unwrap().clone();
    (reads, writer.tree_size())
}

#[test]
fn opening_reads_the_same_whatever_the_length() {
    let (small, small_size) = reads_to_open(log_of(2_000));
    let (large, large_size) = reads_to_open(log_of(20_000));
    assert!(
        large_size >= 10 * small_size - 2_000,
        "{small_size} {large_size}"
    );
    // One bundle: the one holding the last entry.
    assert_eq!(small.by_prefix.get(&'b'), Some(&1), "{small:?}");
    assert_eq!(large.by_prefix.get(&'b'), Some(&1), "{large:?}");
    // A few tiles (those under the checkpoint's root), no entry scan.
    for r in [&small, &large] {
        let tiles = r.by_prefix.get(&'t').copied().unwrap_or(0);
        assert!((1..=8).contains(&tiles), "{r:?}");
        let total: u64 = r.by_prefix.values().sum();
        assert!(total <= 16, "{r:?}");
    }
    // Bytes read: at most one bundle and a few tiles, not the log.
    assert!(large.bytes < 256 * 1024, "{large:?}");
}
