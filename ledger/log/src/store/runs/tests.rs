use super::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// `n` random keys with indexes in `[start, end)`.
fn keys(rng: &mut StdRng, n: usize, start: u64, end: u64) -> Vec<([u8; 32], u64)> {
    (0..n)
        .map(|_| (rng.r#gen(), rng.gen_range(start..end)))
        .collect()
}

/// Checks that `runs` answers exactly `expected` and nothing for `absent`.
fn assert_answers(runs: &DedupRuns, expected: &[([u8; 32], u64)], absent: &[[u8; 32]]) {
    for (key, index) in expected {
        assert_eq!(runs.candidates(key).unwrap(), [*index]);
    }
    for key in absent {
        assert!(runs.candidates(key).unwrap().is_empty());
    }
    let mut records: Vec<_> = runs.records().unwrap().map(Result::unwrap).collect();
    records.sort();
    let mut want: Vec<_> = expected
        .iter()
        .map(|(k, i)| decode(&encode(k, *i)))
        .collect();
    want.sort();
    assert_eq!(records, want);
    assert_eq!(runs.stats().1, want.len() as u64);
}

#[test]
fn random_keys_over_many_pushes() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(6962);
    let mut runs = DedupRuns::open(dir.path()).unwrap();
    let mut expected = Vec::new();
    for push in 1..=50u32 {
        let start = runs.covered();
        let end = start + rng.gen_range(1..=1000);
        let n = rng.gen_range(1..=1000);
        let batch = keys(&mut rng, n, start, end);
        expected.extend_from_slice(&batch);
        runs.push(end, batch).unwrap();
        assert_eq!(runs.covered(), end);
        let (count, records) = runs.stats();
        assert!(
            count <= push.ilog2() as usize + 2,
            "{count} runs after {push}"
        );
        assert!(count <= (records + 1).ilog2() as usize + 1);
        assert_eq!(names(dir.path()).len(), count);
    }
    let absent: Vec<[u8; 32]> = (0..10_000).map(|_| rng.r#gen()).collect();
    assert_answers(&runs, &expected, &absent);
    let stats = runs.stats();
    let covered = runs.covered();
    drop(runs);
    let runs = DedupRuns::open(dir.path()).unwrap();
    assert_eq!((runs.stats(), runs.covered()), (stats, covered));
    assert_answers(&runs, &expected, &absent);
}

#[test]
fn keys_sharing_a_prefix_are_all_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = DedupRuns::open(dir.path()).unwrap();
    let (mut a, mut b, mut c) = ([7; 32], [7; 32], [7; 32]);
    a[PREFIX] = 1;
    b[PREFIX] = 2;
    c[PREFIX - 1] = 8;
    runs.push(10, vec![(a, 4), (b, 2), (c, 3)]).unwrap();
    assert_eq!(runs.candidates(&a).unwrap(), [2, 4]);
    assert_eq!(runs.candidates(&c).unwrap(), [3]);
    // A small run stays apart, and is searched first.
    let big = (0..100).map(|i| ([9; 32], 10 + i)).collect();
    runs.push(110, big).unwrap();
    runs.push(111, vec![(b, 110)]).unwrap();
    assert_eq!(runs.stats().0, 2);
    assert_eq!(runs.candidates(&b).unwrap(), [110, 2, 4]);
}

#[test]
fn equal_prefixes_straddle_blocks() {
    let mut rng = StdRng::seed_from_u64(256);
    let shared = [0x80; 32];
    for before in [0, 1, 255, 256, 257, 511] {
        for equal in [1, 255, 256, 300] {
            let dir = tempfile::tempdir().unwrap();
            let mut runs = DedupRuns::open(dir.path()).unwrap();
            let n = before + equal + 200;
            let mut indexes: Vec<u64> = (0..n as u64).collect();
            indexes.shuffle(&mut rng);
            let mut pairs = Vec::new();
            for (i, index) in indexes.into_iter().enumerate() {
                let mut key: [u8; 32] = rng.r#gen();
                if i < before {
                    key[0] = 0x00;
                } else if i < before + equal {
                    key[..PREFIX].copy_from_slice(&shared[..PREFIX]);
                } else {
                    key[0] = 0xff;
                }
                pairs.push((key, index));
            }
            runs.push(n as u64, pairs.clone()).unwrap();
            let mut want: Vec<u64> = pairs[before..before + equal].iter().map(|p| p.1).collect();
            want.sort_unstable();
            assert_eq!(runs.candidates(&shared).unwrap(), want, "{before} {equal}");
            for (key, index) in pairs[..before.min(3)].iter().chain(&pairs[n - 3..]) {
                assert_eq!(runs.candidates(key).unwrap(), [*index]);
            }
            let mut near = shared;
            near[PREFIX - 1] = 0x7f;
            assert!(runs.candidates(&near).unwrap().is_empty());
            near[PREFIX - 1] = 0x81;
            assert!(runs.candidates(&near).unwrap().is_empty());
        }
    }
}

#[test]
fn a_leftover_temporary_file_is_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = DedupRuns::open(dir.path()).unwrap();
    runs.push(5, vec![([1; 32], 3)]).unwrap();
    drop(runs);
    let tmp = format!("{}.tmp", run_name(0, 9));
    fs::write(dir.path().join(&tmp), b"half a run").unwrap();
    let runs = DedupRuns::open(dir.path()).unwrap();
    assert_eq!(names(dir.path()), [run_name(0, 5)]);
    assert_eq!(
        (runs.covered(), runs.candidates(&[1; 32]).unwrap()),
        (5, vec![3])
    );
}

#[test]
fn a_merged_run_beside_its_inputs_replaces_them() {
    let (a, crashed) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut rng = StdRng::seed_from_u64(2);
    let mut runs = DedupRuns::open(a.path()).unwrap();
    let mut expected = keys(&mut rng, 100, 0, 10);
    runs.push(10, expected.clone()).unwrap();
    let second = keys(&mut rng, 40, 10, 20);
    expected.extend_from_slice(&second);
    runs.push(20, second).unwrap();
    assert_eq!(runs.stats(), (2, 140));
    let copy = |name: String| fs::copy(a.path().join(&name), crashed.path().join(name)).unwrap();
    copy(run_name(0, 10));
    copy(run_name(10, 20));
    runs.merge_newest().unwrap();
    assert_eq!(names(a.path()), [run_name(0, 20)]);
    copy(run_name(0, 20));

    let reopened = DedupRuns::open(crashed.path()).unwrap();
    assert_eq!(names(crashed.path()), [run_name(0, 20)]);
    assert_eq!((reopened.covered(), reopened.stats()), (20, (1, 140)));
    assert_answers(&reopened, &expected, &[[0; 32]]);
}

#[test]
fn a_damaged_run_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = DedupRuns::open(dir.path()).unwrap();
    runs.push(10, vec![([1; 32], 1), ([2; 32], 2)]).unwrap();
    drop(runs);
    let name = run_name(0, 10);
    let path = dir.path().join(&name);
    let bytes = fs::read(&path).unwrap();
    for damaged in [
        &bytes[..bytes.len() - 1],
        &bytes[..bytes.len() - RECORD],
        &bytes[..20],
    ] {
        fs::write(&path, damaged).unwrap();
        let e = DedupRuns::open(dir.path()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains(&name), "{e}");
    }
    let mut wrong = bytes.clone();
    wrong[0] = b'V';
    fs::write(&path, &wrong).unwrap();
    let e = DedupRuns::open(dir.path()).unwrap_err();
    assert!(
        e.to_string().contains(&name) && e.to_string().contains("magic"),
        "{e}"
    );
    // Refused, not deleted.
    assert_eq!(names(dir.path()), [name]);
}

#[test]
fn a_gap_in_the_chain_ends_what_is_covered() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = DedupRuns::open(dir.path()).unwrap();
    let key = |run: u8, i: u64| {
        let mut key = [run; 32];
        key[1..9].copy_from_slice(&i.to_be_bytes());
        key
    };
    runs.push(10, (0..100).map(|i| (key(1, i), i % 10)).collect())
        .unwrap();
    runs.push(20, (0..40).map(|i| (key(2, i), 10 + i % 10)).collect())
        .unwrap();
    runs.push(30, vec![([3; 32], 25)]).unwrap();
    assert_eq!(runs.stats(), (3, 100 + 40 + 1));
    drop(runs);
    fs::remove_file(dir.path().join(run_name(10, 20))).unwrap();
    let mut runs = DedupRuns::open(dir.path()).unwrap();
    assert_eq!(runs.covered(), 10);
    assert_eq!(names(dir.path()), [run_name(0, 10)]);
    assert_eq!(runs.candidates(&key(1, 57)).unwrap(), [7]);
    assert!(runs.candidates(&key(2, 7)).unwrap().is_empty());
    assert!(runs.candidates(&[3; 32]).unwrap().is_empty());
    // Indexing resumes from the end of the chain.
    runs.push(30, vec![([3; 32], 25)]).unwrap();
    assert_eq!(runs.candidates(&[3; 32]).unwrap(), [25]);
}

#[test]
fn bad_pushes_are_refused_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = DedupRuns::open(dir.path()).unwrap();
    runs.push(10, vec![([1; 32], 9)]).unwrap();
    let refused = [
        (9, vec![]),
        (20, vec![([2; 32], 9)]),
        (20, vec![([2; 32], 20)]),
        (MAX_INDEX + 2, vec![([2; 32], MAX_INDEX)]),
    ];
    for (end, keys) in refused {
        let e = runs.push(end, keys).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{e}");
    }
    runs.push(10, vec![]).unwrap();
    assert_eq!((runs.covered(), runs.stats()), (10, (1, 1)));
    assert_eq!(names(dir.path()), [run_name(0, 10)]);
}

#[test]
fn runs_without_keys_stay_few() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = DedupRuns::open(dir.path()).unwrap();
    runs.push(100, (0..100).map(|i| ([1; 32], i)).collect())
        .unwrap();
    for end in 101..=120 {
        runs.push(end, vec![]).unwrap();
        assert!(runs.stats().0 <= 2);
    }
    assert_eq!((runs.covered(), runs.stats()), (120, (2, 100)));
    drop(runs);
    let runs = DedupRuns::open(dir.path()).unwrap();
    assert_eq!(runs.covered(), 120);
    assert_eq!(runs.candidates(&[1; 32]).unwrap().len(), 100);
}
