//! Entries and signed records: decoding arbitrary leaf bytes never panics,
//! and whatever decodes re-encodes to exactly the input (the canonical-
//! encoding rule).
#![no_main]

use vledger_records::{Entry, Record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = Entry::decode(data) {
        assert_eq!(entry.encode(), data);
    }
    if let Ok(record) = Record::decode(data) {
        assert_eq!(record.encode(), data);
    }
});
