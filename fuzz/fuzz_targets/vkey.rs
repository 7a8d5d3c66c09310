//! Verifier keys and private keys: parsing never panics, and a parsed key
//! prints back to the input.
#![no_main]

use vledger_tlog::note::{Signer, VerifierKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = VerifierKey::parse(text) {
        assert_eq!(key.to_string(), text);
    }
    if let Ok(signer) = Signer::from_private_key(text) {
        assert_eq!(signer.to_private_key(), text);
    }
});
