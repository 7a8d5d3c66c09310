//! Disclosure files (`vledger-disclosure/v1`): parsing and verifying
//! arbitrary bytes never panic, and a parsed file prints back to one that
//! parses to the same disclosure.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vledger_tlog::note::Signer;
use vledger_verification::disclosure::{Disclosure, verify_disclosure};

fuzz_target!(|data: &[u8]| {
    let Ok(disclosure) = Disclosure::parse(data) else {
        return;
    };
    let again = Disclosure::parse(disclosure.to_json().as_bytes());
    assert_eq!(again.ok().as_ref(), Some(&disclosure));
    let Ok(log) = Signer::from_seed("fuzz.example/log", &[7; 32]) else {
        return;
    };
    let _ = verify_disclosure(&disclosure, &log.verifier_key());
});
