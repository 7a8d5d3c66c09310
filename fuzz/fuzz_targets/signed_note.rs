//! Signed notes: parsing never panics, a parsed note prints back to the
//! input, and verification with a fixed key never panics.
#![no_main]

use vledger_tlog::note::{Note, Signer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(note) = Note::parse_bytes(data) else {
        return;
    };
    assert_eq!(note.to_string().as_bytes(), data);
    if let Ok(key) = Signer::from_seed("fuzz.example", &[7; 32]) {
        let _ = note.verify(&[key.verifier_key()]);
    }
});
