//! The storage conformance suite (feature `test-backends`): one set of
//! tests that every [`Backend`] passes, run by this crate's tests on the
//! memory and sled backends and by the end-to-end tests on PostgreSQL.
//!
//! A case gets an opener: each call opens the store under test again, the
//! same store every time (a fresh one per case). Backend cases check the
//! seam itself — reads in byte order, scan limits, atomic batches, the
//! tree-size fence, reopening; writer cases run the log writer, the rules
//! and the whole-store check on it, and inject a failure at every write of
//! a batch in turn ([`FaultyBackend`](crate::store::FaultyBackend)).
//!
//! Every case panics on the first property that does not hold.

// A test suite: a failed expectation is a panic that names it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod damage;
mod writer;

use std::sync::Arc;

use crate::store::layout::META_TREE_SIZE;
use crate::store::{Backend, Pairs, StoreError};

/// Opens the store under test again: the same store at every call.
pub type Open<'a> = &'a dyn Fn() -> Arc<dyn Backend>;

/// One conformance case.
pub type Case = fn(Open<'_>);

/// Every case, by name.
pub const CASES: &[(&str, Case)] = &[
    ("get_and_scan_in_byte_order", get_and_scan_in_byte_order),
    ("scan_limits_and_empty_ranges", scan_limits_and_empty_ranges),
    ("a_batch_applies_whole", a_batch_applies_whole),
    (
        "a_fenced_batch_changes_nothing",
        a_fenced_batch_changes_nothing,
    ),
    ("reopening_keeps_everything", reopening_keeps_everything),
    (
        "appends_verify_and_survive_reopen",
        writer::appends_verify_and_survive_reopen,
    ),
    (
        "duplicates_return_the_first_entry",
        writer::duplicates_return_the_first_entry,
    ),
    ("refusals_change_nothing", writer::refusals_change_nothing),
    (
        "check_names_what_was_tampered_with",
        writer::check_names_what_was_tampered_with,
    ),
    (
        "check_recomputes_the_stored_vin_index",
        writer::check_recomputes_the_stored_vin_index,
    ),
    (
        "a_failed_commit_poisons_the_writer_and_loses_nothing",
        writer::a_failed_commit_poisons_the_writer_and_loses_nothing,
    ),
    (
        "a_failure_at_any_write_of_a_batch_loses_nothing_acknowledged",
        writer::a_failure_at_any_write_of_a_batch_loses_nothing_acknowledged,
    ),
    (
        "a_second_writer_is_fenced",
        writer::a_second_writer_is_fenced,
    ),
];

/// Instantiates every [`CASES`] entry as a `#[test]`, given an expression
/// that makes a fresh store for one case and an opener for it:
/// `conformance_tests!(|| { ...; (guard, opener) })`, where the guard (a
/// temporary directory, say) lives as long as the case.
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:expr) => {
        $crate::conformance_tests!(@each $fresh;
            get_and_scan_in_byte_order,
            scan_limits_and_empty_ranges,
            a_batch_applies_whole,
            a_fenced_batch_changes_nothing,
            reopening_keeps_everything,
            appends_verify_and_survive_reopen,
            duplicates_return_the_first_entry,
            refusals_change_nothing,
            check_names_what_was_tampered_with,
            check_recomputes_the_stored_vin_index,
            a_failed_commit_poisons_the_writer_and_loses_nothing,
            a_failure_at_any_write_of_a_batch_loses_nothing_acknowledged,
            a_second_writer_is_fenced,
        );
    };
    (@each $fresh:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let (_guard, open) = ($fresh)();
                $crate::conformance::run(stringify!($name), &open);
            }
        )*
    };
}

/// Runs the case called `name`.
///
/// # Panics
/// When there is no such case, or the case fails.
pub fn run(name: &str, open: Open<'_>) {
    let (_, case) = CASES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no conformance case {name}"));
    case(open);
}

fn set(k: &[u8], v: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
    (k.to_vec(), Some(v.to_vec()))
}

fn all(b: &dyn Backend) -> Pairs {
    b.scan(&[], &[0xff; 64], usize::MAX).unwrap()
}

/// Keys come back in byte order (unsigned, shorter prefix first), whatever
/// order they were written in, with their exact values; many read together
/// come back as each read alone.
fn get_and_scan_in_byte_order(open: Open<'_>) {
    let b = open();
    assert_eq!(b.get(b"absent").unwrap(), None);
    assert!(all(&*b).is_empty());
    let keys: Vec<Vec<u8>> = vec![
        vec![0xff],
        vec![0x80, 0x00],
        b"b".to_vec(),
        vec![0x00],
        vec![0x00, 0x00],
        b"a\x00".to_vec(),
        b"a".to_vec(),
        vec![0x7f, 0xff, 0xff],
        vec![0x80],
    ];
    let writes = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), Some(vec![u8::try_from(i).unwrap(); i * 7])))
        .collect();
    b.apply(writes, None).unwrap();
    let mut sorted = keys.clone();
    sorted.sort();
    let scanned = all(&*b);
    assert_eq!(
        scanned.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
        sorted,
        "scan is in unsigned byte order"
    );
    for (i, k) in keys.iter().enumerate() {
        let want = vec![u8::try_from(i).unwrap(); i * 7];
        assert_eq!(b.get(k).unwrap(), Some(want.clone()), "get {k:?}");
        assert!(scanned.contains(&(k.clone(), want)));
    }
    // A value of every byte, and an empty one.
    let every: Vec<u8> = (0..=255).collect();
    b.apply(vec![set(b"every", &every), set(b"empty", b"")], None)
        .unwrap();
    assert_eq!(b.get(b"every").unwrap(), Some(every.clone()));
    assert_eq!(b.get(b"empty").unwrap(), Some(Vec::new()));
    // Many keys read together answer as one `get` each, in the order
    // asked, absent and repeated keys included.
    let asked: Vec<Vec<u8>> = vec![
        b"every".to_vec(),
        b"absent".to_vec(),
        keys[3].clone(),
        b"empty".to_vec(),
        b"every".to_vec(),
    ];
    assert_eq!(
        b.get_many(&asked).unwrap(),
        vec![
            Some(every.clone()),
            None,
            Some(vec![3; 21]),
            Some(Vec::new()),
            Some(every)
        ]
    );
    assert!(b.get_many(&[]).unwrap().is_empty());
    // The first pair of many ranges, read together, is each one's.
    let ranges: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (b"a".to_vec(), b"b".to_vec()),
        (b"c".to_vec(), b"e".to_vec()),
        (vec![0x00], vec![0x00, 0x01]),
        (b"e".to_vec(), b"ev".to_vec()),
        (b"e".to_vec(), b"f".to_vec()),
        (b"a".to_vec(), b"b".to_vec()),
    ];
    let expected: Vec<_> = ranges
        .iter()
        .map(|(s, e)| b.scan(s, e, 1).unwrap().into_iter().next())
        .collect();
    assert_eq!(b.first_in_ranges(&ranges).unwrap(), expected);
    assert_eq!(expected[0], Some((b"a".to_vec(), vec![6; 42])));
    assert_eq!(expected[1], None);
    assert!(b.first_in_ranges(&[]).unwrap().is_empty());
}

/// A scan is `start <= key < end`, at most `limit` pairs, the first ones.
fn scan_limits_and_empty_ranges(open: Open<'_>) {
    let b = open();
    let writes = (0u16..300)
        .map(|i| {
            let mut k = vec![b'n'];
            k.extend_from_slice(&i.to_be_bytes());
            (k, Some(i.to_le_bytes().to_vec()))
        })
        .collect();
    b.apply(writes, None).unwrap();
    let key = |i: u16| {
        let mut k = vec![b'n'];
        k.extend_from_slice(&i.to_be_bytes());
        k
    };
    let page = b.scan(&key(10), &key(200), 50).unwrap();
    assert_eq!(page.len(), 50);
    assert_eq!(page[0].0, key(10));
    assert_eq!(page[49].0, key(59));
    assert_eq!(page[49].1, 59u16.to_le_bytes().to_vec());
    let rest = b.scan(&key(190), &key(200), 50).unwrap();
    assert_eq!(rest.len(), 10, "end is exclusive");
    assert_eq!(rest.last().unwrap().0, key(199));
    assert_eq!(b.scan(&key(5), &key(5), 10).unwrap(), Vec::new());
    assert_eq!(b.scan(&key(9), &key(5), 10).unwrap(), Vec::new());
    assert_eq!(b.scan(&key(0), &key(299), 0).unwrap(), Vec::new());
    assert_eq!(b.scan(b"n", b"o", 1000).unwrap().len(), 300);
    assert_eq!(b.scan(b"o", b"p", 1000).unwrap(), Vec::new());
}

/// Sets, overwrites and deletes of one batch all land; a key written twice
/// in a batch keeps its last write.
fn a_batch_applies_whole(open: Open<'_>) {
    let b = open();
    b.apply(
        vec![set(b"a", b"1"), set(b"b", b"2"), set(b"c", b"3")],
        None,
    )
    .unwrap();
    b.apply(
        vec![
            set(b"a", b"one"),
            (b"b".to_vec(), None),
            (b"absent".to_vec(), None),
            set(b"d", b"4"),
            set(b"d", b"four"),
            set(b"e", b"5"),
            (b"e".to_vec(), None),
            (b"c".to_vec(), None),
            set(b"c", b"three"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(
        all(&*b),
        vec![
            (b"a".to_vec(), b"one".to_vec()),
            (b"c".to_vec(), b"three".to_vec()),
            (b"d".to_vec(), b"four".to_vec()),
        ]
    );
    b.apply(Vec::new(), None).unwrap();
    assert_eq!(all(&*b).len(), 3);
}

/// A batch whose expected tree size is not the stored one writes nothing
/// and says what it found; an absent tree size is 0.
fn a_fenced_batch_changes_nothing(open: Open<'_>) {
    let b = open();
    let size = |n: u64| (META_TREE_SIZE.to_vec(), Some(n.to_be_bytes().to_vec()));
    let err = b
        .apply(vec![set(b"x", b"1"), size(9)], Some(3))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Fenced {
                expected: 3,
                found: 0
            }
        ),
        "{err}"
    );
    assert!(all(&*b).is_empty(), "a fenced batch writes nothing");
    b.apply(vec![set(b"x", b"1"), size(4)], Some(0)).unwrap();
    let before = all(&*b);
    // A second writer that last saw size 0 is refused, whole.
    let err = b
        .apply(
            vec![
                set(b"x", b"2"),
                (b"x".to_vec(), None),
                set(b"y", b"2"),
                size(6),
            ],
            Some(0),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Fenced {
                expected: 0,
                found: 4
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("another sequencer") && text.contains('4') && text.contains('0'),
        "{text}"
    );
    assert_eq!(all(&*b), before);
    // The writer that committed 4 goes on.
    b.apply(vec![set(b"y", b"3"), size(7)], Some(4)).unwrap();
    assert_eq!(b.get(b"y").unwrap(), Some(b"3".to_vec()));
    // Unfenced writes (tools on a stopped store) ignore the size.
    b.apply(vec![set(b"z", b"4")], None).unwrap();
    // Another handle on the same store sees the same fence.
    let other = open();
    assert!(matches!(
        other.apply(vec![size(8)], Some(4)),
        Err(StoreError::Fenced {
            expected: 4,
            found: 7
        })
    ));
    other.apply(vec![size(8)], Some(7)).unwrap();
    assert!(matches!(
        b.apply(vec![size(9)], Some(7)),
        Err(StoreError::Fenced {
            expected: 7,
            found: 8
        })
    ));
}

/// Everything applied is there, byte for byte, after every handle is
/// dropped and the store is opened again.
fn reopening_keeps_everything(open: Open<'_>) {
    let b = open();
    let mut writes = Vec::new();
    for i in 0u32..2000 {
        let mut k = vec![b'r'];
        k.extend_from_slice(&i.to_be_bytes());
        writes.push((k, Some(i.to_be_bytes().repeat(1 + (i % 50) as usize))));
    }
    // Large values, as full entry bundles are.
    writes.push(set(b"big", &vec![0xa5; 200_000]));
    b.apply(writes, None).unwrap();
    b.apply(
        vec![(vec![b'r', 0, 0, 0, 7], None), set(b"late", b"yes")],
        None,
    )
    .unwrap();
    let before = all(&*b);
    assert_eq!(before.len(), 2001);
    drop(b);
    let b = open();
    assert_eq!(all(&*b), before);
    assert_eq!(b.get(b"big").unwrap(), Some(vec![0xa5; 200_000]));
    assert_eq!(b.get(&[b'r', 0, 0, 0, 7]).unwrap(), None);
}
