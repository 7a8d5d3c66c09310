//! Paged histories: a long history built page by page under a byte bound
//! (no page over it, each page one page's work), every page verifies
//! alone, later pages are built at the first page's tree size while the
//! log grows, and the pages join into the same complete history
//! `build_history` gives. Pages that do not fit together — one left out,
//! two swapped, one from another checkpoint, a record dropped — are
//! refused with a message that names the page or the record.

use ed25519_dalek::SigningKey;
use vledger_log::bundle::build_history;
use vledger_log::pages::{PageError, PageStart, build_page};
use vledger_log::store::{LogStore, MemoryBackend};
use vledger_log::writer::LogWriter;
use vledger_records::{
    DistanceUnit, KeyEnrollment, OdometerReading, OdometerSource, Record, RecordBody, Role,
    SignedRecord, Vin,
};
use vledger_tlog::note::Signer;
use vledger_verification::history::verify_history;
use vledger_verification::pages::{HistoryPage, PageError as JoinError, merge_pages, verify_page};

const T: i64 = 1_770_000_000_000;
const ORIGIN: &str = "pages.example/log";
const LONG: &str = "1M8GDM9AXKP042788";
const OTHER: &str = "LVSHFFAL5DF123456";
/// Records of the long history.
const RECORDS: u64 = 240;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn log_signer() -> Signer {
    Signer::new(ORIGIN, key(200)).unwrap()
}

fn signed(vin: Option<&str>, body: RecordBody, nonce: u64, by: &SigningKey) -> SignedRecord {
    let r = Record {
        vin: vin.map(|v| Vin::parse(v).unwrap()),
        event_time: 1_760_000_000 + i64::try_from(nonce).unwrap(),
        nonce: nonce.to_be_bytes().to_vec(),
        attachments: Vec::new(),
        body,
    };
    SignedRecord::sign_for(ORIGIN, &r, by).unwrap()
}

fn reading(vin: &str, value: u64, by: &SigningKey) -> SignedRecord {
    let body = RecordBody::OdometerReading(OdometerReading {
        value,
        unit: DistanceUnit::Km,
        source: OdometerSource::Service,
    });
    signed(Some(vin), body, value, by)
}

/// Two enrolled workshops, then [`RECORDS`] readings of [`LONG`] signed by
/// either, with readings of [`OTHER`] between them, in batches of 16.
fn long_log() -> LogWriter<MemoryBackend> {
    let store = LogStore::new(MemoryBackend::new()).unwrap();
    let mut log = LogWriter::init(store, log_signer(), key(201).verifying_key(), T).unwrap();
    let workshops = [key(1), key(2)];
    let enroll: Vec<_> = workshops
        .iter()
        .enumerate()
        .map(|(n, k)| {
            let body = RecordBody::KeyEnrollment(KeyEnrollment {
                public_key: k.verifying_key(),
                role: Role::Workshop,
                name: format!("Workshop {n}"),
            });
            signed(None, body, n as u64, &key(201))
        })
        .collect();
    log.append_batch(&enroll, T).unwrap();
    let records: Vec<_> = (0..RECORDS)
        .flat_map(|i| {
            let by = &workshops[usize::from(i % 3 == 0)];
            let mut r = vec![reading(LONG, 1000 + i, by)];
            if i % 5 == 0 {
                r.push(reading(OTHER, 1000 + i, by));
            }
            r
        })
        .collect();
    for (n, batch) in records.chunks(16).enumerate() {
        log.append_batch(batch, T + n as i64).unwrap();
    }
    log
}

/// Every page of `vin` from the head, at most `bound` bytes of JSON each;
/// `between` runs after the first page (the log may grow).
fn pages(
    log: &mut LogWriter<MemoryBackend>,
    vin: &Vin,
    bound: usize,
    mut between: impl FnMut(&mut LogWriter<MemoryBackend>),
) -> Vec<HistoryPage> {
    let key = log_signer().verifier_key();
    let mut out: Vec<HistoryPage> = Vec::new();
    let mut start = PageStart::Head;
    loop {
        let page = build_page(log.store(), vin, start, bound).unwrap();
        let text = serde_json::to_string(&page).unwrap();
        assert!(
            text.len() <= bound,
            "a page of {} > {bound} bytes",
            text.len()
        );
        let cp = verify_page(&page, &key).unwrap();
        let next = page.next;
        out.push(page);
        if out.len() == 1 {
            between(log);
        }
        match next {
            Some(next) => {
                start = PageStart::After {
                    tree_size: cp.size().0,
                    next,
                };
            }
            None => return out,
        }
    }
}

#[test]
fn pages_are_bounded_and_join_into_the_complete_history() {
    let mut log = long_log();
    let log_key = log_signer().verifier_key();
    let vin = Vin::parse(LONG).unwrap();
    let whole = build_history(log.store(), &vin).unwrap();
    for bound in [6 << 10, 16 << 10, 64 << 10, 1 << 20] {
        let pages = pages(&mut log, &vin, bound, |_| {});
        if bound < 64 << 10 {
            assert!(pages.len() >= 3, "{} pages of {bound} bytes", pages.len());
        }
        let joined = merge_pages(pages).unwrap();
        assert_eq!(joined, whole, "pages of {bound} bytes");
    }
    // The log grows after the first page: the later pages are built at the
    // first page's tree size, and the history is complete as of it.
    let workshop = key(1);
    let mut value = 10_000;
    let pages = pages(&mut log, &vin, 16 << 10, |log| {
        value += 1;
        log.append_batch(&[reading(LONG, value, &workshop)], T + 999)
            .unwrap();
    });
    let verified = verify_history(&merge_pages(pages).unwrap(), &log_key).unwrap();
    assert_eq!(verified.records.len() as u64, RECORDS);
    assert!(verified.checkpoint.size().0 < log.tree_size());
}

#[test]
fn the_bound_is_a_cost_cap() {
    let log = long_log();
    let vin = Vin::parse(LONG).unwrap();
    // Too small for the header and one record: refused, nothing built.
    let err = build_page(log.store(), &vin, PageStart::Head, 2048).unwrap_err();
    assert!(matches!(err, PageError::TooSmall { .. }), "{err}");
    // A page holds what fits and names where the chain goes on.
    let page = build_page(log.store(), &vin, PageStart::Head, 8 << 10).unwrap();
    assert!(
        !page.records.is_empty() && page.records.len() < 10,
        "{}",
        page.records.len()
    );
    let next = page.next.unwrap();
    let size = log.tree_size();
    // A later page must end with a record of the VIN under its tree size.
    let other = build_page(
        log.store(),
        &vin,
        PageStart::After {
            tree_size: size,
            next: 1,
        },
        8 << 10,
    );
    assert!(
        matches!(other, Err(PageError::NotOfVin { index: 1, .. })),
        "{other:?}"
    );
    let beyond = build_page(
        log.store(),
        &vin,
        PageStart::After {
            tree_size: size,
            next: size,
        },
        8 << 10,
    );
    assert!(
        matches!(beyond, Err(PageError::NotOfVin { .. })),
        "{beyond:?}"
    );
    let unsigned = build_page(
        log.store(),
        &vin,
        PageStart::After {
            tree_size: size - 1,
            next,
        },
        8 << 10,
    );
    assert!(
        matches!(unsigned, Err(PageError::NoCheckpoint(_))),
        "{unsigned:?}"
    );
}

/// `page` with its second record left out.
fn thinned_page(page: &HistoryPage) -> HistoryPage {
    let mut page = page.clone();
    page.records.remove(1);
    page
}

#[test]
fn pages_that_do_not_fit_together_are_refused() {
    let mut log = long_log();
    let log_key = log_signer().verifier_key();
    let vin = Vin::parse(LONG).unwrap();
    let pages = pages(&mut log, &vin, 12 << 10, |_| {});
    assert!(pages.len() >= 4, "{} pages", pages.len());

    // A page left out.
    let mut dropped = pages.clone();
    dropped.remove(2);
    let err = merge_pages(dropped).unwrap_err();
    assert!(matches!(err, JoinError::Gap { page: 3, .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("page 3 does not continue page 2: the chain goes on at entry"),
        "{err}"
    );
    // The last page left out.
    let mut short = pages.clone();
    short.pop();
    let err = merge_pages(short).unwrap_err();
    assert!(matches!(err, JoinError::Gap { .. }), "{err}");
    // Two pages swapped.
    let mut swapped = pages.clone();
    swapped.swap(1, 2);
    let err = merge_pages(swapped).unwrap_err();
    assert!(matches!(err, JoinError::Gap { page: 2, .. }), "{err}");
    // A page from another checkpoint.
    log.append_batch(&[reading(OTHER, 99_999, &key(1))], T + 1000)
        .unwrap();
    let later = self::pages(&mut log, &vin, 12 << 10, |_| {});
    let mut mixed = pages.clone();
    mixed[1] = later[1].clone();
    let err = merge_pages(mixed).unwrap_err();
    assert!(
        matches!(err, JoinError::Checkpoint { page: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("than page 1"), "{err}");
    // A page from another checkpoint with the first one's note pasted on:
    // its proofs do not verify against that note.
    let mut pasted = pages.clone();
    pasted[1] = later[1].clone();
    pasted[1].checkpoint = pages[0].checkpoint.clone();
    match merge_pages(pasted) {
        Ok(b) => {
            let err = verify_history(&b, &log_key).unwrap_err();
            assert!(
                err.to_string()
                    .contains("not included in the log at tree size"),
                "{err}"
            );
        }
        Err(err) => assert!(matches!(err, JoinError::Gap { .. }), "{err}"),
    }
    // A record dropped from the middle of a page.
    let mut thinned = pages.clone();
    thinned[1] = thinned_page(&pages[1]);
    let err = verify_history(&merge_pages(thinned).unwrap(), &log_key).unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("the index counts {RECORDS} records")),
        "{err}"
    );
    // Each page alone: a record dropped from it breaks its run, a `next`
    // changed is not where its oldest record links.
    let err = verify_page(&thinned_page(&pages[1]), &log_key).unwrap_err();
    assert!(
        err.to_string()
            .contains("of the VIN, but stands at position"),
        "{err}"
    );
    let mut renamed = pages[1].clone();
    renamed.next = renamed.next.map(|n| n - 1);
    let err = verify_page(&renamed, &log_key).unwrap_err();
    assert!(
        err.to_string()
            .contains("as the next record, its oldest record links to entry"),
        "{err}"
    );
    let mut headless = pages[0].clone();
    headless.index_proof = None;
    let err = verify_page(&headless, &log_key).unwrap_err();
    assert!(
        err.to_string()
            .contains("index entry without the index proof"),
        "{err}"
    );
    // The index proof on a later page.
    let mut header = pages;
    header[2].index_proof = header[0].index_proof.clone();
    let err = merge_pages(header).unwrap_err();
    assert!(matches!(err, JoinError::Header { page: 3, .. }), "{err}");
}
