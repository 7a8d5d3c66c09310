//! tlog-witness `add-checkpoint` bodies: parsing and the witness's decision
//! never panic, and a parsed body prints back to the input.
#![no_main]

use vledger_tlog::note::{Checkpoint, Signer};
use vledger_tlog::witness::{AddCheckpoint, check_consistency, parse_size_body, verify_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = AddCheckpoint::parse(data) {
        assert_eq!(req.to_body().as_bytes(), data);
    }
    let _ = parse_size_body(data);
    let Ok(log) = Signer::from_seed("fuzz.example/log", &[7; 32]) else {
        return;
    };
    let keys = [log.verifier_key()];
    if let Ok(verified) = verify_request(data, |o| (o == "fuzz.example/log").then_some(&keys[..])) {
        let latest = Checkpoint::new(
            "fuzz.example/log",
            vledger_tlog::merkle::TreeSize(3),
            vledger_tlog::Hash([1; 32]),
        );
        let _ = check_consistency(&verified, latest.as_ref().ok());
        let _ = check_consistency(&verified, None);
    }
});
