//! Entries and signed records: decoding arbitrary leaf bytes never panics,
//! and whatever decodes re-encodes to exactly the input (the canonical-
//! encoding rule). A signed record's origin decides its signature version:
//! whatever decodes with an origin names a well-formed one, and the checks
//! of which log it may be in never panic.
#![no_main]

use prost::Message as _;
use vledger_records::{Entry, Record, SignedRecord, check_origin};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = Entry::decode(data) {
        assert_eq!(entry.encode(), data);
        let _ = entry.check_logged_in("fuzz.example/log");
    }
    if let Ok(record) = Record::decode(data) {
        assert_eq!(record.encode(), data);
    }
    if let Ok(msg) = vledger_proto::v1::SignedRecord::decode(data)
        && let Ok(signed) = SignedRecord::from_proto(msg)
    {
        if let Some(origin) = signed.origin() {
            assert!(check_origin(origin).is_ok());
            assert!(signed.check_for_append(origin).is_ok());
        } else {
            assert!(signed.check_for_append("fuzz.example/log").is_err());
        }
    }
});
