//! Succession proofs and the checkpoints checked against the keys they
//! hand on to: following and opening never panic, and a refused proof
//! leaves the keys as they were.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vledger_tlog::note::Signer;
use vledger_verification::succession::LogKeys;

fuzz_target!(|data: &[u8]| {
    let Ok(log) = Signer::from_seed("fuzz.example/log", &[7; 32]) else {
        return;
    };
    let mut keys = LogKeys::new(log.verifier_key());
    let before = keys.clone();
    if keys.follow(data).is_err() {
        assert_eq!(keys, before);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = keys.open(text);
    }
});
