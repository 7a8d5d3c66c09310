//! The auditor over an in-memory log: an honest log passes; a resumed
//! audit reads only the new entries and ends in exactly the state of a full
//! one; every kind of damage is named (entry, stored hash, checkpoint,
//! fork); the state file survives a round trip and refuses damage.

use std::convert::Infallible;

use base64::Engine as _;
use ed25519_dalek::SigningKey;
use vledger_log::audit::{
    AuditError, AuditOptions, AuditReport, AuditState, AuditStateError, LogSource, SourceEntry,
    audit, completed_nodes,
};
use vledger_log::store::{LogStore, MemoryBackend};
use vledger_log::writer::LogWriter;
use vledger_records::{Entry, Record, SignedRecord};
use vledger_tlog::Hash;
use vledger_tlog::merkle::{Frontier, HashReader, TreeSize, consistency_proof};
use vledger_tlog::note::{Signer, VerifierKey};
use vledger_verification::succession::LogKeys;

const ORIGIN: &str = "audit.example/log";
const VINS: [&str; 3] = [
    "1M8GDM9AXKP042788",
    "LVSHFFAL5DF123456",
    "WVWZZZ1JZ00000007",
];

struct Log {
    writer: LogWriter<MemoryBackend>,
    workshop: SigningKey,
    key: VerifierKey,
    records: u64,
    now: i64,
}

fn record(json: &str) -> Record {
    Record::from_json(json).unwrap()
}

impl Log {
    /// A log with an enrolled workshop key.
    fn new() -> Self {
        let signer = Signer::from_seed(ORIGIN, &[1; 32]).unwrap();
        let key = signer.verifier_key();
        let admin = SigningKey::from_bytes(&[2; 32]);
        let workshop = SigningKey::from_bytes(&[3; 32]);
        let store = LogStore::new(MemoryBackend::new()).unwrap();
        let now = 1_800_000_000_000;
        let mut writer = LogWriter::init(store, signer, admin.verifying_key(), now).unwrap();
        let pk =
            base64::engine::general_purpose::STANDARD.encode(workshop.verifying_key().as_bytes());
        let enroll = record(&format!(
            r#"{{"event_time":"2026-01-01","key_enrollment":{{"public_key":"{pk}","role":"workshop","name":"W"}}}}"#
        ));
        let out = writer
            .append_batch(
                &[SignedRecord::sign_for(ORIGIN, &enroll, &admin).unwrap()],
                now + 1000,
            )
            .unwrap();
        assert!(out.outcomes[0].is_ok(), "{:?}", out.outcomes);
        Self {
            writer,
            workshop,
            key,
            records: 0,
            now: now + 1000,
        }
    }

    /// Appends `n` odometer readings in batches of `batch`, each batch ten
    /// seconds after the previous one.
    fn grow(&mut self, n: u64, batch: u64) {
        let mut pending = Vec::new();
        for _ in 0..n {
            let i = self.records;
            self.records += 1;
            let vin = VINS[(i % 3) as usize];
            pending.push(SignedRecord::sign_for(ORIGIN, &record(&format!(
                    r#"{{"vin":"{vin}","event_time":"2026-01-02","odometer_reading":{{"value":{i},"unit":"km","source":"service"}}}}"#
                )),
                &self.workshop).unwrap());
            if pending.len() as u64 == batch {
                self.flush(&mut pending);
            }
        }
        self.flush(&mut pending);
    }

    fn flush(&mut self, pending: &mut Vec<SignedRecord>) {
        if pending.is_empty() {
            return;
        }
        self.now += 10_000;
        let out = self.writer.append_batch(pending, self.now).unwrap();
        assert!(out.outcomes.iter().all(Result::is_ok), "{:?}", out.outcomes);
        pending.clear();
    }

    fn store(&self) -> &LogStore<MemoryBackend> {
        self.writer.store()
    }

    fn size(&self) -> u64 {
        self.writer.tree_size()
    }
}

/// What a source may do wrong.
#[derive(Default, Clone)]
struct Damage {
    /// Serve other bytes for an entry.
    entry: Option<(u64, Vec<u8>)>,
    /// Report another stored hash: (entry, position in its list).
    stored_hash: Option<(u64, usize)>,
    /// Serve this note as the latest checkpoint.
    latest: Option<String>,
    /// Serve this note as the checkpoint at a size.
    at: Option<(u64, String)>,
}

/// A log served from its store, counting the entries read.
struct Source<'a> {
    store: &'a LogStore<MemoryBackend>,
    damage: Damage,
    read: u64,
}

impl<'a> Source<'a> {
    fn new(log: &'a Log) -> Self {
        Self {
            store: log.store(),
            damage: Damage::default(),
            read: 0,
        }
    }
}

impl LogSource for Source<'_> {
    type Error = Infallible;

    fn checkpoint(&mut self) -> Result<String, Infallible> {
        if let Some(note) = &self.damage.latest {
            return Ok(note.clone());
        }
        let size = self.store.tree_size().unwrap();
        Ok(self.store.checkpoint(size).unwrap().unwrap())
    }

    fn checkpoint_at(&mut self, size: u64) -> Result<String, Infallible> {
        if let Some((s, note)) = &self.damage.at
            && *s == size
        {
            return Ok(note.clone());
        }
        // A log without a checkpoint at that size serves something that is
        // not one.
        Ok(self
            .store
            .checkpoint(size)
            .unwrap()
            .unwrap_or_else(|| "no checkpoint\n".to_owned()))
    }

    fn entries(&mut self, start: u64, end: u64) -> Result<Vec<SourceEntry>, Infallible> {
        let end = end.min(start + 100);
        let entries = self.store.entries(start, end).unwrap();
        self.read += entries.len() as u64;
        Ok(entries
            .into_iter()
            .enumerate()
            .map(|(i, mut bytes)| {
                let index = start + i as u64;
                if let Some((at, other)) = &self.damage.entry
                    && *at == index
                {
                    bytes.clone_from(other);
                }
                let mut hashes = self.store.read_hashes(&completed_nodes(index)).unwrap();
                if let Some((at, pos)) = self.damage.stored_hash
                    && at == index
                {
                    hashes[pos].0[0] ^= 1;
                }
                SourceEntry {
                    bytes,
                    stored_hashes: Some(hashes),
                }
            })
            .collect())
    }

    fn consistency_proof(&mut self, old: u64, new: u64) -> Result<Vec<Hash>, Infallible> {
        Ok(consistency_proof(TreeSize(old), TreeSize(new), self.store).unwrap())
    }
}

type Outcome = Result<(AuditReport, AuditState), AuditError<Infallible>>;

fn run(source: &mut Source<'_>, key: &VerifierKey, previous: Option<AuditState>) -> Outcome {
    let options = AuditOptions {
        threads: 2,
        page: 64,
    };
    audit(
        source,
        &LogKeys::new(key.clone()),
        previous,
        &options,
        |_| {},
    )
}

#[test]
fn completed_nodes_are_what_appending_stores() {
    let mut f = Frontier::new();
    for i in 0..200u64 {
        let ids: Vec<_> = f
            .append(vledger_tlog::leaf_hash(&i.to_be_bytes()))
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(completed_nodes(i), ids, "leaf {i}");
    }
}

#[test]
fn honest_log_passes_and_resumes_reading_only_new_entries() {
    let mut log = Log::new();
    log.grow(40, 7);
    let mut source = Source::new(&log);
    let (report, state) = run(&mut source, &log.key, None).unwrap();
    assert_eq!(report.tree_size, log.size());
    assert_eq!(report.entries_read, log.size());
    assert_eq!(source.read, log.size());
    assert_eq!(report.records, 41);
    assert!(report.index_entries >= 6, "{report:?}");
    assert_eq!(report.vins, 3);
    assert_eq!(report.keys, 2);
    assert!(!report.consistency_proved);
    assert!(report.stored_hashes_checked >= report.entries_read);

    // The state survives a file round trip.
    let bytes = state.encode();
    let state = AuditState::decode(&bytes).unwrap();
    assert_eq!(state.encode(), bytes);

    // Nothing new: nothing read.
    let mut source = Source::new(&log);
    let (report, state) = run(&mut source, &log.key, Some(state)).unwrap();
    assert_eq!((report.entries_read, source.read), (0, 0));
    assert!(report.consistency_proved);

    // New entries: only they are read, and the state equals a full audit's.
    let old = log.size();
    log.grow(25, 4);
    let mut source = Source::new(&log);
    let (report, resumed) = run(&mut source, &log.key, Some(state)).unwrap();
    assert_eq!(report.from_size, old);
    assert_eq!(report.entries_read, log.size() - old);
    assert_eq!(source.read, log.size() - old);
    let (_, full) = run(&mut Source::new(&log), &log.key, None).unwrap();
    assert_eq!(resumed.encode(), full.encode());
    // On one thread (no workers) the audit ends in the same state.
    let one = AuditOptions {
        threads: 1,
        page: 1024,
    };
    let (_, single) = audit(
        &mut Source::new(&log),
        &LogKeys::new(log.key.clone()),
        None,
        &one,
        |_| {},
    )
    .unwrap();
    assert_eq!(single.encode(), full.encode());
}

#[test]
fn a_changed_entry_is_named() {
    let mut log = Log::new();
    log.grow(30, 6);
    let size = log.size();
    // The key enrollment: no VIN chain link and no index entry commits to
    // its leaf hash, and it is the first of its batch, so moving its time
    // back by a millisecond keeps the log's time order.
    let decode = |i| Entry::decode(&log.store().entry(i).unwrap().unwrap()).unwrap();
    let target = (1..size)
        .find(|&i| {
            decode(i)
                .record()
                .is_some_and(|r| r.signed.record().vin.is_none())
        })
        .unwrap();
    assert!(decode(target - 1).logged_at_ms < decode(target).logged_at_ms - 1);
    // A byte of the signed record: the signature breaks.
    let mut bytes = log.store().entry(target).unwrap().unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let mut source = Source::new(&log);
    source.damage.entry = Some((target, bytes));
    let err = run(&mut source, &log.key, None).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!("entry {target}: ")),
        "{err}"
    );

    // Its time, earlier but still in order: every rule holds, only the
    // tree differs, and the bisection over consistency proofs names it.
    let mut entry = Entry::decode(&log.store().entry(target).unwrap().unwrap()).unwrap();
    entry.logged_at_ms -= 1;
    let mut source = Source::new(&log);
    source.damage.entry = Some((target, entry.encode()));
    // Report the recomputed hashes as stored, so only the root can tell.
    let err = run_without_hashes(&mut source, &log.key).unwrap_err();
    assert!(
        matches!(err, AuditError::Leaf { index, size: s } if index == target && s == size),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "entry {target}: the checkpoint at tree size {size} commits to other bytes at this index than the log serves"
        )
    );
}

/// An audit whose source reports no stored hashes.
fn run_without_hashes(source: &mut Source<'_>, key: &VerifierKey) -> Outcome {
    struct NoHashes<'s, 'a>(&'s mut Source<'a>);
    impl LogSource for NoHashes<'_, '_> {
        type Error = Infallible;
        fn checkpoint(&mut self) -> Result<String, Infallible> {
            self.0.checkpoint()
        }
        fn checkpoint_at(&mut self, size: u64) -> Result<String, Infallible> {
            self.0.checkpoint_at(size)
        }
        fn entries(&mut self, start: u64, end: u64) -> Result<Vec<SourceEntry>, Infallible> {
            let mut page = self.0.entries(start, end)?;
            for e in &mut page {
                e.stored_hashes = None;
            }
            Ok(page)
        }
        fn consistency_proof(&mut self, old: u64, new: u64) -> Result<Vec<Hash>, Infallible> {
            self.0.consistency_proof(old, new)
        }
    }
    audit(
        &mut NoHashes(source),
        &LogKeys::new(key.clone()),
        None,
        &AuditOptions::default(),
        |_| {},
    )
}

#[test]
fn a_changed_stored_hash_is_named() {
    let mut log = Log::new();
    log.grow(20, 5);
    // Entry 11 completes (0, 11), (1, 5) and (2, 2).
    let mut source = Source::new(&log);
    source.damage.stored_hash = Some((11, 1));
    let err = run(&mut source, &log.key, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "stored hash at level 1 index 5 (completed by entry 11) differs from the hash recomputed from the entries"
    );
}

#[test]
fn checkpoints_that_are_not_the_logs_are_named() {
    let mut log = Log::new();
    log.grow(12, 4);
    let (_, state) = run(&mut Source::new(&log), &log.key, None).unwrap();
    let audited = state.tree_size();
    let note = state.checkpoint().to_owned();
    log.grow(8, 4);

    // A latest checkpoint with a broken signature.
    let latest = log.store().checkpoint(log.size()).unwrap().unwrap();
    let mut source = Source::new(&log);
    source.damage.latest = Some(latest.replacen(ORIGIN, "audit.example/other", 1));
    let err = run(&mut source, &log.key, None).unwrap_err();
    assert!(err.to_string().starts_with("latest checkpoint: "), "{err}");

    // The log serves another checkpoint at the audited size.
    let other_root = note.lines().nth(2).unwrap();
    let forged_text = note.replacen(other_root, &Hash([7; 32]).to_base64(), 1);
    let mut source = Source::new(&log);
    source.damage.at = Some((audited, forged_text));
    let state = AuditState::decode(&state.encode()).unwrap();
    let err = run(&mut source, &log.key, Some(state)).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("checkpoint at tree size {audited}: ")),
        "{err}"
    );

    // An older checkpoint as the latest: the log went back.
    let (_, state) = run(&mut Source::new(&log), &log.key, None).unwrap();
    let mut source = Source::new(&log);
    source.damage.latest = Some(note);
    let err = run(&mut source, &log.key, Some(state)).unwrap_err();
    assert!(matches!(err, AuditError::Shrunk { .. }), "{err}");
}

#[test]
fn a_fork_is_refused_on_resume() {
    // Two logs with one key and one start, then different records.
    let mut a = Log::new();
    let mut b = Log::new();
    a.grow(6, 3);
    b.grow(6, 3);
    assert_eq!(
        a.store().checkpoint(a.size()).unwrap(),
        b.store().checkpoint(b.size()).unwrap()
    );
    a.grow(3, 3);
    let (_, state) = run(&mut Source::new(&a), &a.key, None).unwrap();
    let audited = state.tree_size();
    let note = state.checkpoint().to_owned();
    b.records += 100;
    b.grow(10, 2);
    assert!(b.size() > audited);
    // The fork serves what it has at the audited size.
    let err = run(
        &mut Source::new(&b),
        &b.key,
        Some(AuditState::decode(&state.encode()).unwrap()),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("checkpoint at tree size {audited}: ")),
        "{err}"
    );
    // It serves the audited checkpoint itself: its consistency proof fails.
    let mut source = Source::new(&b);
    source.damage.at = Some((audited, note));
    let err = run(&mut source, &b.key, Some(state)).unwrap_err();
    assert!(
        matches!(err, AuditError::Inconsistent { old, .. } if old == audited),
        "{err}"
    );
    assert!(
        err.to_string().starts_with(&format!("checkpoint at tree size {} is not consistent with the audited checkpoint at tree size {audited}", b.size())),
        "{err}"
    );
}

#[test]
fn damaged_state_files_are_refused() {
    let mut log = Log::new();
    log.grow(5, 5);
    let (_, state) = run(&mut Source::new(&log), &log.key, None).unwrap();
    let bytes = state.encode();
    for pos in [0, 30, bytes.len() / 2, bytes.len() - 1] {
        let mut bad = bytes.clone();
        bad[pos] ^= 1;
        assert!(AuditState::decode(&bad).is_err(), "byte {pos}");
    }
    assert_eq!(
        AuditState::decode(b"nope").unwrap_err(),
        AuditStateError::Magic
    );
    assert!(AuditState::decode(&bytes[..bytes.len() - 1]).is_err());
}

#[test]
fn another_logs_key_is_refused() {
    let mut log = Log::new();
    log.grow(3, 3);
    let other = Signer::from_seed(ORIGIN, &[9; 32]).unwrap().verifier_key();
    let err = run(&mut Source::new(&log), &other, None).unwrap_err();
    assert!(err.to_string().starts_with("latest checkpoint: "), "{err}");
}

#[test]
fn replayer_state_round_trips_after_every_entry() {
    use vledger_log::replay::Replayer;
    let mut log = Log::new();
    log.grow(14, 5);
    let entries = log.store().entries(0, log.size()).unwrap();
    let mut full = Replayer::new();
    for e in &entries {
        full.apply(e).unwrap();
    }
    let want = full.encode_state();
    for k in 0..entries.len() {
        let mut r = Replayer::new();
        for e in &entries[..k] {
            r.apply(e).unwrap();
        }
        // Mid-batch states carry VIN heads not yet in an index entry.
        let mut back = Replayer::decode_state(&r.encode_state()).unwrap();
        assert_eq!(back.encode_state(), r.encode_state(), "after {k} entries");
        for e in &entries[k..] {
            back.apply(e)
                .unwrap_or_else(|e| panic!("resumed after {k} entries: {e}"));
        }
        assert_eq!(back.encode_state(), want, "resumed after {k} entries");
    }
}

#[test]
fn a_bad_signature_mid_page_is_named_alike_on_one_thread_and_on_several() {
    let mut log = Log::new();
    log.grow(200, 16);
    let size = log.size();
    // A record entry in the middle of the second page of 64.
    let target = (64 + 20..size)
        .find(|&i| {
            Entry::decode(&log.store().entry(i).unwrap().unwrap())
                .unwrap()
                .record()
                .is_some()
        })
        .unwrap();
    let mut bytes = log.store().entry(target).unwrap().unwrap();
    let entry = Entry::decode(&bytes).unwrap();
    let signature = entry.record().unwrap().signed.signature().to_bytes();
    let at = bytes
        .windows(64)
        .position(|w| w == signature)
        .expect("the signature's bytes in the entry");
    // A bit of s: the entry still decodes, the signature no longer verifies.
    bytes[at + 40] ^= 4;
    let expected = format!(
        "entry {target}: {}",
        vledger_records::FieldError::new("signed.signature", vledger_records::Reason::BadSignature)
    );
    for threads in [1, 2, 3] {
        let mut source = Source::new(&log);
        source.damage.entry = Some((target, bytes.clone()));
        let options = AuditOptions { threads, page: 64 };
        let err = audit(
            &mut source,
            &LogKeys::new(log.key.clone()),
            None,
            &options,
            |_| {},
        )
        .unwrap_err();
        assert!(
            matches!(&err, AuditError::Entry(e) if e.index == target),
            "{err}"
        );
        assert_eq!(err.to_string(), expected, "{threads} threads");
    }
}
