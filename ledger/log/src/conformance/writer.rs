//! Writer-level conformance cases: the log writer, the rules and the
//! whole-store check on the backend under test, fault injection at every
//! write of a batch, and the fence against a second writer.

use ed25519_dalek::SigningKey;
use vledger_records::{
    AuthError, DistanceUnit, Entry, EntryBody, KeyEnrollment, KeyRevocation, OdometerReading,
    OdometerSource, Record, RecordBody, Role, SignedRecord, Vin,
};
use vledger_rules::Refusal;
use vledger_tlog::merkle::{LeafIndex, TreeSize, inclusion_proof, verify_inclusion};
use vledger_tlog::note::{Signer, open_checkpoint};
use vledger_tlog::tile::TileId;

use super::{Open, damage};
use crate::check::{CheckError, check_store};
use crate::store::layout::INDEX_TILE;
use crate::store::{Backend, FaultyBackend, LogStore, StoreError};
use crate::writer::{LogWriter, WriterError};

/// "Now" for the writer: after every record's event time.
const T: i64 = 1_770_000_000_000;
const ORIGIN: &str = "test.example/log";
const VIN_A: &str = "1M8GDM9AXKP042788";
const VIN_B: &str = "LVSHFFAL5DF123456";

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn log_signer() -> Signer {
    Signer::new(ORIGIN, key(200)).unwrap()
}

fn admin() -> SigningKey {
    key(201)
}

fn odometer(vin: &str, value: u64) -> Record {
    Record {
        vin: Some(Vin::parse(vin).unwrap()),
        event_time: 1_760_000_000,
        nonce: vec![],
        attachments: Vec::new(),
        body: RecordBody::OdometerReading(OdometerReading {
            value,
            unit: DistanceUnit::Km,
            source: OdometerSource::Service,
        }),
    }
}

fn enroll(k: &SigningKey, role: Role) -> SignedRecord {
    let r = Record {
        vin: None,
        event_time: 1_760_000_000,
        nonce: vec![],
        attachments: Vec::new(),
        body: RecordBody::KeyEnrollment(KeyEnrollment {
            public_key: k.verifying_key(),
            role,
            name: "Test Org".into(),
        }),
    };
    SignedRecord::sign_for(ORIGIN, &r, &admin()).unwrap()
}

fn revoke(k: &SigningKey) -> SignedRecord {
    let r = Record {
        vin: None,
        event_time: 1_760_000_001,
        nonce: vec![],
        attachments: Vec::new(),
        body: RecordBody::KeyRevocation(KeyRevocation {
            public_key: k.verifying_key(),
            reason: "lost".into(),
        }),
    };
    SignedRecord::sign_for(ORIGIN, &r, &admin()).unwrap()
}

pub(super) fn new_log<B: Backend>(backend: B) -> LogWriter<B> {
    LogWriter::init(
        LogStore::new(backend).unwrap(),
        log_signer(),
        admin().verifying_key(),
        1000,
    )
    .unwrap()
}

pub(super) fn appends_verify_and_survive_reopen(open: Open<'_>) {
    let backend = open();
    let mut log = new_log(backend.clone());
    let ws = key(1);
    let r = log
        .append_batch(&[enroll(&ws, Role::Workshop)], T + 2000)
        .unwrap();
    assert_eq!(r.tree_size, 4);
    let batch: Vec<_> = (0..10u64)
        .map(|i| {
            SignedRecord::sign_for(
                ORIGIN,
                &odometer(if i % 2 == 0 { VIN_A } else { VIN_B }, 1000 * i),
                &ws,
            )
            .unwrap()
        })
        .collect();
    let r = log.append_batch(&batch, T + 3000).unwrap();
    assert_eq!(r.tree_size, 15);
    let cp = open_checkpoint(&r.checkpoint, &log_signer().verifier_key()).unwrap();
    assert_eq!(cp.size(), TreeSize(15));
    for (i, o) in r.outcomes.iter().enumerate() {
        let a = o.as_ref().unwrap();
        assert_eq!(a.index, 4 + i as u64);
        assert!(!a.duplicate);
        let proof = inclusion_proof(LeafIndex(a.index), TreeSize(15), log.store()).unwrap();
        verify_inclusion(
            &a.leaf_hash,
            LeafIndex(a.index),
            TreeSize(15),
            &proof,
            cp.root(),
        )
        .unwrap();
    }
    // VIN chains: A holds entries 2,4,6,8,10; B holds 3,5,7,9,11.
    let head = log
        .store()
        .vin_head(&Vin::parse(VIN_A).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!((head.index, head.count), (12, 5));
    let head = log
        .store()
        .vin_head(&Vin::parse(VIN_B).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!((head.index, head.count), (13, 5));

    let store = log.into_store();
    let report = check_store(&store, &log_signer().verifier_key(), |_| ()).unwrap();
    assert_eq!(
        (report.entries, report.checkpoints, report.vins),
        (15, 3, 2)
    );

    let mut log = LogWriter::open(LogStore::new(backend.clone()).unwrap(), log_signer()).unwrap();
    assert_eq!(log.tree_size(), 15);
    let r = log
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &odometer(VIN_A, 99_999), &ws).unwrap()],
            T + 4000,
        )
        .unwrap();
    assert_eq!(r.outcomes[0].as_ref().unwrap().index, 15);
    check_store(log.store(), &log_signer().verifier_key(), |_| ()).unwrap();
}

pub(super) fn duplicates_return_the_first_entry(open: Open<'_>) {
    let backend = open();
    let mut log = new_log(backend.clone());
    let ws = key(1);
    log.append_batch(&[enroll(&ws, Role::Workshop)], T + 2000)
        .unwrap();
    let rec = SignedRecord::sign_for(ORIGIN, &odometer(VIN_A, 5), &ws).unwrap();
    let r = log
        .append_batch(&[rec.clone(), rec.clone()], T + 3000)
        .unwrap();
    let (a, b) = (
        r.outcomes[0].clone().unwrap(),
        r.outcomes[1].clone().unwrap(),
    );
    assert_eq!(
        (a.index, a.duplicate, b.index, b.duplicate),
        (4, false, 4, true)
    );
    assert_eq!(a.leaf_hash, b.leaf_hash);
    assert_eq!(r.tree_size, 6);
    let before = log.checkpoint();
    let r = log.append_batch(&[rec], T + 4000).unwrap();
    let c = r.outcomes[0].clone().unwrap();
    assert_eq!((c.index, c.duplicate, c.leaf_hash), (4, true, a.leaf_hash));
    assert_eq!(r.tree_size, 6);
    assert_eq!(
        log.checkpoint(),
        before,
        "a batch of duplicates signs no new checkpoint"
    );
}

pub(super) fn refusals_change_nothing(open: Open<'_>) {
    let backend = open();
    let mut log = new_log(backend.clone());
    let (ws, customs, stranger) = (key(1), key(2), key(3));
    let before = log.checkpoint();
    // Not enrolled.
    let r = log
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &odometer(VIN_A, 1), &stranger).unwrap()],
            T + 2000,
        )
        .unwrap();
    assert!(matches!(
        r.outcomes[0],
        Err(Refusal::Unauthorized(AuthError::NotEnrolled { .. }))
    ));
    assert_eq!((r.tree_size, log.checkpoint()), (2, before.clone()));
    // Only an admin enrolls.
    let mut self_enroll = enroll(&stranger, Role::Workshop).record().clone();
    self_enroll.nonce = vec![1];
    let r = log
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &self_enroll, &stranger).unwrap()],
            T + 2000,
        )
        .unwrap();
    assert!(matches!(
        r.outcomes[0],
        Err(Refusal::Unauthorized(AuthError::NotEnrolled { .. }))
    ));
    // A role that may not sign odometer readings.
    log.append_batch(
        &[enroll(&customs, Role::Customs), enroll(&ws, Role::Workshop)],
        T + 2000,
    )
    .unwrap();
    let r = log
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &odometer(VIN_A, 1), &customs).unwrap()],
            T + 2000,
        )
        .unwrap();
    assert!(matches!(
        r.outcomes[0],
        Err(Refusal::Unauthorized(AuthError::RoleMayNotSign {
            role: Role::Customs,
            ..
        }))
    ));
    // Enrolling twice, revoking twice, revoking the unknown.
    let mut again = enroll(&ws, Role::Exporter).record().clone();
    again.nonce = vec![2];
    let r = log
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &again, &admin()).unwrap()],
            T + 2000,
        )
        .unwrap();
    assert!(matches!(
        r.outcomes[0],
        Err(Refusal::Unauthorized(AuthError::AlreadyEnrolled { .. }))
    ));
    let r = log.append_batch(&[revoke(&stranger)], T + 2000).unwrap();
    assert!(matches!(
        r.outcomes[0],
        Err(Refusal::Unauthorized(AuthError::RevokeUnknown { .. }))
    ));
    // Revocation takes effect for records sequenced after it, even in the
    // same batch. (Every batch ends with an index entry: the two records of
    // the previous batch are entries 2 and 3, its index entry 4.)
    let ok = SignedRecord::sign_for(ORIGIN, &odometer(VIN_A, 10), &ws).unwrap();
    let late = SignedRecord::sign_for(ORIGIN, &odometer(VIN_A, 20), &ws).unwrap();
    let r = log
        .append_batch(&[ok, revoke(&ws), late], T + 3000)
        .unwrap();
    assert!(r.outcomes[0].is_ok() && r.outcomes[1].is_ok());
    assert!(matches!(
        r.outcomes[2],
        Err(Refusal::Unauthorized(AuthError::Revoked { at: 6, .. }))
    ));
    assert_eq!(r.tree_size, 8);
    // An admin may not revoke itself; the log always keeps an admin.
    let own = revoke(&admin());
    let r = log.append_batch(&[own], T + 3000).unwrap();
    assert!(matches!(
        r.outcomes[0],
        Err(Refusal::Unauthorized(AuthError::SelfRevocation { .. }))
    ));
    // A revoked key cannot come back.
    let mut back = enroll(&ws, Role::Workshop).record().clone();
    back.nonce = vec![3];
    let r = log
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &back, &admin()).unwrap()],
            T + 3000,
        )
        .unwrap();
    assert!(matches!(
        r.outcomes[0],
        Err(Refusal::Unauthorized(AuthError::ReEnrollRevoked {
            at: 6,
            ..
        }))
    ));
    // A record dated after the moment it is logged.
    let mut future = odometer(VIN_A, 30);
    future.event_time = T / 1000 + 3600;
    let r = log
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &future, &customs).unwrap()],
            T + 3000,
        )
        .unwrap();
    assert!(matches!(&r.outcomes[0], Err(Refusal::Invalid(e)) if e.field == "record.event_time"));
    let r = log.append_batch(&[revoke(&ws)], T + 3000).unwrap();
    assert!(r.outcomes[0].is_ok(), "identical revocation is a duplicate");
    assert!(r.outcomes[0].as_ref().unwrap().duplicate);
    check_store(log.store(), &log_signer().verifier_key(), |_| ()).unwrap();
}

pub(super) fn check_names_what_was_tampered_with(open: Open<'_>) {
    let backend = open();
    let mut log = new_log(backend.clone());
    let ws = key(1);
    log.append_batch(&[enroll(&ws, Role::Workshop)], T + 2000)
        .unwrap();
    let batch: Vec<_> = (0..6)
        .map(|i| SignedRecord::sign_for(ORIGIN, &odometer(VIN_A, i), &ws).unwrap())
        .collect();
    log.append_batch(&batch, T + 3000).unwrap();
    let store = log.into_store();
    let vkey = log_signer().verifier_key();
    let b = store.backend();

    // A changed entry.
    let original = damage::entry(b, 4);
    let mut changed = original.clone();
    let n = changed.len();
    changed[n - 3] ^= 0x40;
    damage::set_entry(b, 4, &changed);
    let err = check_store(&store, &vkey, |_| ()).unwrap_err();
    assert!(err.to_string().contains("entry 4"), "{err}");
    damage::set_entry(b, 4, &original);
    check_store(&store, &vkey, |_| ()).unwrap();

    // An index entry whose root is not the VIN index of the entries before
    // it (re-encoded, so it still decodes: only the root is wrong).
    let original = damage::entry(b, 10);
    let mut entry = Entry::decode(&original).unwrap();
    let EntryBody::Index(ref mut commitment) = entry.body else {
        panic!("entry 10 should be the batch's index entry")
    };
    commitment.root.0[0] ^= 1;
    damage::set_entry(b, 10, &entry.encode());
    let err = check_store(&store, &vkey, |_| ()).unwrap_err();
    assert!(
        err.to_string().contains("entry 10: index entry: root"),
        "{err}"
    );
    damage::set_entry(b, 10, &original);

    // A stored hash cut off its tile, anywhere: the full check names it.
    let tile = TileId { level: 0, index: 0 };
    let saved = damage::tile(b, tile).unwrap();
    damage::set_tile(b, tile, Some(saved[..3 * 32].to_vec()));
    let err = check_store(&store, &vkey, |_| ()).unwrap_err();
    assert!(err.to_string().contains("level 0 index 3"), "{err}");
    // A changed stored hash.
    let mut changed = saved.clone();
    changed[3 * 32] ^= 1;
    damage::set_tile(b, tile, Some(changed.clone()));
    let err = check_store(&store, &vkey, |_| ()).unwrap_err();
    assert!(
        matches!(err, CheckError::HashMismatch { level: 0, index: 3 }),
        "{err}"
    );
    // A tile wider than the tree.
    let mut wider = saved.clone();
    wider.extend_from_slice(&[7; 32]);
    damage::set_tile(b, tile, Some(wider));
    let err = check_store(&store, &vkey, |_| ()).unwrap_err();
    assert!(
        matches!(
            err,
            CheckError::TileWidth {
                found: 12,
                expected: 11,
                ..
            }
        ),
        "{err}"
    );
    damage::set_tile(b, tile, Some(saved.clone()));
    check_store(&store, &vkey, |_| ()).unwrap();

    // The quick open check reads the hashes under the checkpoint root and
    // catches their loss or change.
    damage::set_tile(b, tile, None);
    let Err(err) = LogWriter::open(store.clone(), log_signer()) else {
        panic!("opened a store with a missing hash")
    };
    assert!(err.to_string().contains("level 0 index 0"), "{err}");
    damage::set_tile(b, tile, Some(changed));
    assert!(matches!(
        LogWriter::open(store.clone(), log_signer()),
        Err(WriterError::Mismatch(_))
    ));
    damage::set_tile(b, tile, Some(saved));
    LogWriter::open(store, log_signer()).unwrap();
}

/// The full check recomputes every stored VIN index tile, so damage that
/// the next batch might never touch is found now.
pub(super) fn check_recomputes_the_stored_vin_index(open: Open<'_>) {
    let backend = open();
    let mut log = new_log(backend);
    let ws = key(1);
    log.append_batch(&[enroll(&ws, Role::Workshop)], T + 2000)
        .unwrap();
    let batch: Vec<_> = (0..40)
        .map(|i| {
            SignedRecord::sign_for(ORIGIN, &odometer(&format!("WVWZZZ1KZ8W1{i:05}"), 10), &ws)
                .unwrap()
        })
        .collect();
    let r = log.append_batch(&batch, T + 3000).unwrap();
    assert!(r.outcomes.iter().all(Result::is_ok));
    let store = log.into_store();
    let vkey = log_signer().verifier_key();
    check_store(&store, &vkey, |_| ()).unwrap();
    let b = store.backend();
    let tiles = b.scan(&[INDEX_TILE], &[INDEX_TILE + 1], 1000).unwrap();
    assert!(tiles.len() > 5, "40 VINs fill several tiles");

    // A changed byte in every tile, one at a time: a hash or a leaf.
    for (k, original) in &tiles {
        let mut changed = original.clone();
        let n = changed.len();
        changed[n - 1] ^= 0x01;
        b.apply(vec![(k.clone(), Some(changed))], None).unwrap();
        let err = check_store(&store, &vkey, |_| ()).unwrap_err();
        assert!(err.to_string().contains("stored VIN index"), "{err}");
        b.apply(vec![(k.clone(), Some(original.clone()))], None)
            .unwrap();
    }
    // A deleted tile, and a tile that does not decode.
    let (k, original) = &tiles[tiles.len() / 2];
    b.apply(vec![(k.clone(), None)], None).unwrap();
    let err = check_store(&store, &vkey, |_| ()).unwrap_err();
    assert!(err.to_string().contains("is missing"), "{err}");
    b.apply(
        vec![(k.clone(), Some(original[..original.len() - 1].to_vec()))],
        None,
    )
    .unwrap();
    let err = check_store(&store, &vkey, |_| ()).unwrap_err();
    assert!(err.to_string().contains("VIN index tile"), "{err}");
    b.apply(vec![(k.clone(), Some(original.clone()))], None)
        .unwrap();
    check_store(&store, &vkey, |_| ()).unwrap();
}

pub(super) fn a_failed_commit_poisons_the_writer_and_loses_nothing(open: Open<'_>) {
    let backend = open();
    let faulty = FaultyBackend::new(backend.clone(), 2);
    let mut log = new_log(faulty.clone()); // apply 1: init
    let ws = key(1);
    log.append_batch(&[enroll(&ws, Role::Workshop)], T + 2000)
        .unwrap(); // apply 2
    let acknowledged = log.checkpoint();
    let err = log
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &odometer(VIN_A, 1), &ws).unwrap()],
            T + 3000,
        )
        .unwrap_err();
    assert!(matches!(err, WriterError::Store(_)), "{err}");
    faulty.set_applies_left(100);
    let err = log
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &odometer(VIN_A, 2), &ws).unwrap()],
            T + 3000,
        )
        .unwrap_err();
    assert!(matches!(err, WriterError::Poisoned));
    // A restarted writer sees exactly what was acknowledged.
    let log = LogWriter::open(LogStore::new(backend.clone()).unwrap(), log_signer()).unwrap();
    assert_eq!(log.tree_size(), 4);
    assert_eq!(log.checkpoint(), acknowledged);
    check_store(log.store(), &log_signer().verifier_key(), |_| ()).unwrap();
}

/// A batch that fails at any one of its writes, inside the engine, leaves
/// the store at the last acknowledged batch: it reopens there, passes the
/// whole-store check, and a fresh writer continues from it.
pub(super) fn a_failure_at_any_write_of_a_batch_loses_nothing_acknowledged(open: Open<'_>) {
    let ws = key(1);
    {
        let mut log = new_log(open());
        log.append_batch(&[enroll(&ws, Role::Workshop)], T + 2000)
            .unwrap();
    }
    let mut acknowledged = 4;
    let mut value = 0;
    let mut write = 0;
    // A two-record batch (two VINs) makes about a dozen writes: each of
    // them fails once, then the same batch applies.
    loop {
        assert!(write < 64, "a batch of two records made {write} writes?");
        let faulty = FaultyBackend::new(open(), u64::MAX);
        let mut log = LogWriter::open(LogStore::new(faulty.clone()).unwrap(), log_signer())
            .expect("the store reopens at the last acknowledged batch");
        assert_eq!(log.tree_size(), acknowledged);
        let before = log.checkpoint();
        faulty.fail_next_apply_at(write);
        value += 1;
        let batch = [
            SignedRecord::sign_for(ORIGIN, &odometer(VIN_A, value), &ws).unwrap(),
            SignedRecord::sign_for(ORIGIN, &odometer(VIN_B, value), &ws).unwrap(),
        ];
        match log.append_batch(&batch, T + 3000) {
            Err(WriterError::Store(_)) => {
                drop((log, faulty));
                let log = LogWriter::open(LogStore::new(open()).unwrap(), log_signer())
                    .expect("the store reopens after a failed batch");
                assert_eq!(log.tree_size(), acknowledged, "write {write} failed");
                assert_eq!(log.checkpoint(), before, "write {write} failed");
                check_store(log.store(), &log_signer().verifier_key(), |_| ()).unwrap();
                write += 1;
            }
            Ok(r) => {
                assert!(write > 5, "a batch makes more than {write} writes");
                assert!(r.outcomes.iter().all(Result::is_ok));
                acknowledged = r.tree_size;
                break;
            }
            Err(e) => panic!("write {write}: {e}"),
        }
    }
    assert_eq!(acknowledged, 7);
    let mut log = LogWriter::open(LogStore::new(open()).unwrap(), log_signer()).unwrap();
    assert_eq!(log.tree_size(), 7);
    let r = log
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &odometer(VIN_A, 10_000), &ws).unwrap()],
            T + 4000,
        )
        .unwrap();
    assert_eq!(r.tree_size, 9);
    let head = log
        .store()
        .vin_head(&Vin::parse(VIN_A).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!((head.index, head.count), (7, 2));
    check_store(log.store(), &log_signer().verifier_key(), |_| ()).unwrap();
}

/// Two writers opened on one store: once one has committed, the other's
/// batches are refused whole (the tree-size fence), whatever they hold,
/// and it stays refused; the store holds the first writer's log only.
pub(super) fn a_second_writer_is_fenced(open: Open<'_>) {
    let ws = key(1);
    let mut first = new_log(open());
    first
        .append_batch(&[enroll(&ws, Role::Workshop)], T + 2000)
        .unwrap();
    let mut second = LogWriter::open(LogStore::new(open()).unwrap(), log_signer()).unwrap();
    assert_eq!(second.tree_size(), 4);
    let r = first
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &odometer(VIN_A, 1), &ws).unwrap()],
            T + 3000,
        )
        .unwrap();
    assert_eq!(r.tree_size, 6);
    let err = second
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &odometer(VIN_B, 2), &ws).unwrap()],
            T + 3000,
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            WriterError::Store(StoreError::Fenced {
                expected: 4,
                found: 6
            })
        ),
        "{err}"
    );
    assert!(matches!(
        second.append_batch(
            &[SignedRecord::sign_for(ORIGIN, &odometer(VIN_B, 3), &ws).unwrap()],
            T + 3000
        ),
        Err(WriterError::Poisoned)
    ));
    // A fresh init on a store that holds a log is fenced too.
    let init = LogWriter::init(
        LogStore::new(FreshView(open())).unwrap(),
        log_signer(),
        admin().verifying_key(),
        1000,
    );
    assert!(
        matches!(
            init,
            Err(WriterError::Store(StoreError::Fenced {
                expected: 0,
                found: 6
            }))
        ),
        "{init:?}"
    );
    let r = first
        .append_batch(
            &[SignedRecord::sign_for(ORIGIN, &odometer(VIN_B, 4), &ws).unwrap()],
            T + 4000,
        )
        .unwrap();
    assert_eq!(r.tree_size, 8);
    let store = LogStore::new(open()).unwrap();
    assert_eq!(
        store
            .vin_head(&Vin::parse(VIN_B).unwrap())
            .unwrap()
            .unwrap()
            .index,
        6
    );
    check_store(&store, &log_signer().verifier_key(), |_| ()).unwrap();
}

/// A view of a store that does not see its tree size, as a second `init`
/// that checked an empty store just before another node wrote it would.
#[derive(Debug)]
struct FreshView(std::sync::Arc<dyn Backend>);

impl Backend for FreshView {
    fn close(&self) -> Result<(), StoreError> {
        self.0.close()
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        if key == crate::store::layout::META_TREE_SIZE {
            return Ok(None);
        }
        self.0.get(key)
    }

    fn scan(
        &self,
        start: &[u8],
        end: &[u8],
        limit: usize,
    ) -> Result<crate::store::Pairs, StoreError> {
        self.0.scan(start, end, limit)
    }

    fn apply(&self, writes: crate::store::Writes, expected: Option<u64>) -> Result<(), StoreError> {
        self.0.apply(writes, expected)
    }
}
