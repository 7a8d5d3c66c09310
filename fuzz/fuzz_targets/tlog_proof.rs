//! tlog-proof@v1: parsing never panics, a parsed proof prints back to the
//! input, and verification with a fixed key never panics.
#![no_main]

use vledger_tlog::note::{Signer, TlogProof};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(proof) = TlogProof::parse_bytes(data) else {
        return;
    };
    assert_eq!(proof.to_text().as_bytes(), data);
    if let Ok(key) = Signer::from_seed("fuzz.example", &[7; 32]) {
        let _ = proof.verify(&key.verifier_key());
    }
});
