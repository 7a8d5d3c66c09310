//! Notes with cosignatures, cosignature answer blocks and consistency proof
//! files: checking them never panics.
#![no_main]

use vledger_tlog::note::{ConsistencyProofText, Cosigner, Note, WitnessPolicy, parse_signature_lines};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_signature_lines(text);
    if let Ok(p) = ConsistencyProofText::parse(text) {
        assert_eq!(p.to_text(), text);
    }
    let Ok(note) = Note::parse(text) else {
        return;
    };
    let keys: Vec<_> = (1..4u8)
        .filter_map(|i| Cosigner::from_seed(format!("w{i}.fuzz"), &[i; 32]).ok())
        .map(|c| c.verifier_key())
        .collect();
    if let Ok(policy) = WitnessPolicy::new(keys, 2) {
        let report = policy.check(&note);
        assert!(report.valid() <= 3);
    }
});
