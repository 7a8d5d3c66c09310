//! The JSON form of records (`vledger submit` input): parsing never panics,
//! and a parsed record encodes to bytes that decode back to it.
#![no_main]

use vledger_records::Record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(record) = serde_json::from_slice::<Record>(data) else {
        return;
    };
    let bytes = record.encode();
    if let Ok(back) = Record::decode(&bytes) {
        assert_eq!(back, record);
    }
});
