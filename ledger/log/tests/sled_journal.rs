//! The sled backend's journal: every batch `apply` acknowledged is there
//! after a crash, whether sled had it yet or not, and reads always see the
//! newest writes, across background folds into sled and reopens.

use std::collections::BTreeMap;
use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use vledger_log::store::{Backend, JOURNAL_FILE, SledBackend, StoreError, Writes};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

fn key(i: u32) -> Vec<u8> {
    format!("k{i:05}").into_bytes()
}

/// A batch of puts and removals over a small keyspace, applied to `model`.
fn random_batch(rng: &mut StdRng, model: &mut Model, n: usize) -> Writes {
    (0..n)
        .map(|_| {
            let k = key(rng.gen_range(0..400));
            if rng.gen_bool(0.2) {
                model.remove(&k);
                (k, None)
            } else {
                let len = rng.gen_range(0..300);
                let v: Vec<u8> = (0..len).map(|_| rng.r#gen()).collect();
                model.insert(k.clone(), v.clone());
                (k, Some(v))
            }
        })
        .collect()
}

fn assert_matches(backend: &SledBackend, model: &Model, rng: &mut StdRng) {
    for i in 0..400 {
        assert_eq!(
            backend.get(&key(i)).unwrap().as_ref(),
            model.get(&key(i)),
            "key {i}"
        );
    }
    for _ in 0..20 {
        let (a, b) = (rng.gen_range(0..420), rng.gen_range(0..420));
        let (start, end) = (key(a.min(b)), key(a.max(b)));
        let limit = rng.gen_range(1..500);
        let want: Vec<(Vec<u8>, Vec<u8>)> = model
            .range(start.clone()..end.clone())
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(backend.scan(&start, &end, limit).unwrap(), want);
    }
}

#[test]
fn reads_see_the_newest_writes_across_folds_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let mut rng = StdRng::seed_from_u64(7);
    let mut model = Model::new();
    let mut backend = SledBackend::open(&path).unwrap();
    for round in 0..300 {
        // A small limit: the journal rotates and folds every few batches.
        backend.set_journal_limit(4 << 10).unwrap();
        let n = rng.gen_range(1..40);
        let batch = random_batch(&mut rng, &mut model, n);
        backend.apply(batch, None).unwrap();
        if round % 7 == 0 {
            assert_matches(&backend, &model, &mut rng);
        }
        if round % 50 == 49 {
            drop(backend);
            backend = SledBackend::open(&path).unwrap();
            assert_matches(&backend, &model, &mut rng);
        }
    }
    backend.checkpoint().unwrap();
    assert_eq!(std::fs::metadata(path.join(JOURNAL_FILE)).unwrap().len(), 0);
    assert_matches(&backend, &model, &mut rng);
}

/// Copies every file of directory `from` into `to`: what a crash leaves.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Applies `batches` random batches to a fresh store that never folds
/// (only the journal holds them), and returns the model after each.
fn journal_only(path: &Path, batches: usize, rng: &mut StdRng) -> (SledBackend, Vec<Model>) {
    let backend = SledBackend::open(path).unwrap();
    backend.set_journal_limit(u64::MAX).unwrap();
    let mut model = Model::new();
    let mut after = Vec::new();
    for _ in 0..batches {
        let n = rng.gen_range(1..30);
        let batch = random_batch(rng, &mut model, n);
        backend.apply(batch, None).unwrap();
        after.push(model.clone());
    }
    (backend, after)
}

#[test]
fn a_crash_keeps_every_acknowledged_batch_and_drops_a_torn_last_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(11);
    let (backend, after) = journal_only(&dir.path().join("store"), 40, &mut rng);
    // The process dies: sled has none of the batches, the journal all.
    let crashed = dir.path().join("crashed");
    copy_dir(&dir.path().join("store"), &crashed);
    drop(backend);
    let journal = std::fs::read(crashed.join(JOURNAL_FILE)).unwrap();
    assert!(!journal.is_empty());

    let reopened = SledBackend::open(&crashed).unwrap();
    assert_matches(&reopened, &after[39], &mut rng);
    drop(reopened);

    // The last frame cut short anywhere: the batch before it is what
    // stands (the cut frame was never acknowledged).
    // Where the last frame starts, from the frames' length prefixes.
    let mut last_frame_start = 0;
    let mut at = 0usize;
    while at < journal.len() {
        last_frame_start = at;
        at += 12 + u32::from_be_bytes(journal[at..at + 4].try_into().unwrap()) as usize;
    }
    for cut_at in [
        last_frame_start + 1,
        last_frame_start + 11,
        journal.len() - 1,
    ] {
        let torn = dir.path().join(format!("torn-{cut_at}"));
        copy_dir(&dir.path().join("store"), &torn);
        std::fs::write(torn.join(JOURNAL_FILE), &journal[..cut_at]).unwrap();
        let reopened = SledBackend::open(&torn).unwrap();
        assert_matches(&reopened, &after[38], &mut rng);
        // And the store goes on from there.
        reopened
            .apply(vec![(b"after".to_vec(), Some(b"x".to_vec()))], None)
            .unwrap();
        drop(reopened);
        let again = SledBackend::open(&torn).unwrap();
        assert_eq!(again.get(b"after").unwrap(), Some(b"x".to_vec()));
    }
}

#[test]
fn a_damaged_frame_before_the_last_is_refused_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(13);
    let (backend, _) = journal_only(&dir.path().join("store"), 10, &mut rng);
    let damaged = dir.path().join("damaged");
    copy_dir(&dir.path().join("store"), &damaged);
    drop(backend);
    let mut journal = std::fs::read(damaged.join(JOURNAL_FILE)).unwrap();
    journal[20] ^= 1;
    std::fs::write(damaged.join(JOURNAL_FILE), &journal).unwrap();
    let e = SledBackend::open(&damaged).unwrap_err();
    assert!(matches!(e, StoreError::Corrupt("journal frame")), "{e:?}");
}

#[test]
fn a_crash_during_a_fold_replays_the_rotated_journal_then_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(17);
    let path = dir.path().join("store");
    let (backend, after) = journal_only(&path, 30, &mut rng);
    // The journal after batch 30, then after batch 60.
    let first = std::fs::read(path.join(JOURNAL_FILE)).unwrap();
    let mut model = after[29].clone();
    for _ in 0..30 {
        let n = rng.gen_range(1..30);
        let batch = random_batch(&mut rng, &mut model, n);
        backend.apply(batch, None).unwrap();
    }
    let crashed = dir.path().join("crashed");
    copy_dir(&path, &crashed);
    drop(backend);
    let both = std::fs::read(crashed.join(JOURNAL_FILE)).unwrap();
    assert!(both.starts_with(&first));
    // As a crash mid-fold leaves it: batches 1–30 in the rotated journal,
    // 31–60 in the current one, sled with none of them.
    std::fs::write(crashed.join("vledger-journal.old"), &first).unwrap();
    std::fs::write(crashed.join(JOURNAL_FILE), &both[first.len()..]).unwrap();
    let reopened = SledBackend::open(&crashed).unwrap();
    assert_matches(&reopened, &model, &mut rng);
    assert!(!crashed.join("vledger-journal.old").exists());
}

#[test]
fn the_fence_sees_the_tree_size_the_journal_holds() {
    let dir = tempfile::tempdir().unwrap();
    let backend = SledBackend::open(&dir.path().join("store")).unwrap();
    backend.set_journal_limit(u64::MAX).unwrap();
    let size = vledger_log::store::layout::META_TREE_SIZE.to_vec();
    backend
        .apply(
            vec![(size.clone(), Some(5u64.to_be_bytes().to_vec()))],
            Some(0),
        )
        .unwrap();
    let e = backend
        .apply(vec![(b"x".to_vec(), Some(vec![1]))], Some(0))
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Fenced {
                expected: 0,
                found: 5
            }
        ),
        "{e:?}"
    );
    assert_eq!(backend.get(b"x").unwrap(), None);
    backend
        .apply(vec![(b"x".to_vec(), Some(vec![1]))], Some(5))
        .unwrap();
}

#[test]
fn closing_puts_the_journal_into_sled() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(19);
    let path = dir.path().join("store");
    let (backend, after) = journal_only(&path, 20, &mut rng);
    assert!(std::fs::metadata(path.join(JOURNAL_FILE)).unwrap().len() > 0);
    backend.close().unwrap();
    assert_eq!(std::fs::metadata(path.join(JOURNAL_FILE)).unwrap().len(), 0);
    assert_matches(&backend, &after[19], &mut rng);
    drop(backend);
    let reopened = SledBackend::open(&path).unwrap();
    assert_matches(&reopened, &after[19], &mut rng);
}

/// Dropping a store waits for its fold, and stores of one process fold,
/// close and reopen side by side: sled's one lock for every database of a
/// process once left a store closing while another folded waiting for
/// ever.
#[test]
fn stores_side_by_side_fold_and_close_without_waiting_on_each_other() {
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|scope| {
        for seed in 0..3u64 {
            let path = dir.path().join(format!("store-{seed}"));
            scope.spawn(move || {
                let mut rng = StdRng::seed_from_u64(100 + seed);
                let mut model = Model::new();
                for _ in 0..8 {
                    let backend = SledBackend::open(&path).unwrap();
                    backend.set_journal_limit(2 << 10).unwrap();
                    for _ in 0..25 {
                        let n = rng.gen_range(20..60);
                        let batch = random_batch(&mut rng, &mut model, n);
                        backend.apply(batch, None).unwrap();
                    }
                    drop(backend);
                    assert!(
                        !path.join("vledger-journal.old").exists(),
                        "a dropped store's fold was still running"
                    );
                }
                let reopened = SledBackend::open(&path).unwrap();
                assert_matches(&reopened, &model, &mut rng);
            });
        }
    });
}
