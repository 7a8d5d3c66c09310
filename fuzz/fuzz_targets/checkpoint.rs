//! Checkpoint texts and signed checkpoints: parsing never panics, and a
//! parsed checkpoint prints back to the input.
#![no_main]

use vledger_tlog::note::{Checkpoint, Signer, open_checkpoint};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(checkpoint) = Checkpoint::parse_text(text) {
        assert_eq!(checkpoint.to_text(), text);
    }
    if let Ok(key) = Signer::from_seed("fuzz.example", &[7; 32]) {
        let _ = open_checkpoint(text, &key.verifier_key());
    }
});
