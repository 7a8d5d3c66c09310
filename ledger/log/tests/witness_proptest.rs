//! The parsers of the witness protocol, cosignature answers, consistency
//! proof files and audit states never panic on arbitrary input, and what
//! they accept prints back to the same bytes (the fuzz targets in `fuzz/`
//! go further; these run with every `cargo test`).

use proptest::prelude::*;
use vledger_log::audit::AuditState;
use vledger_log::replay::Replayer;
use vledger_tlog::note::{ConsistencyProofText, parse_signature_lines};
use vledger_tlog::witness::{AddCheckpoint, parse_size_body, verify_request};

/// Bytes that look like protocol text often enough to get past the first line.
fn texty() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        "(old (0|[1-9][0-9]{0,3})\n)?([A-Za-z0-9+/=]{0,44}\n){0,3}\n?[a-z./]{0,12}\n[0-9]{0,3}\n[A-Za-z0-9+/=]{0,44}\n\n(\u{2014} [a-z.]{1,8} [A-Za-z0-9+/=]{0,100}\n){0,3}"
            .prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn witness_parsers_never_panic(data in texty()) {
        if let Ok(req) = AddCheckpoint::parse(&data) {
            prop_assert_eq!(req.to_body().into_bytes(), data.clone());
        }
        let _ = parse_size_body(&data);
        let _ = verify_request(&data, |_| None);
        if let Ok(text) = std::str::from_utf8(&data) {
            let _ = parse_signature_lines(text);
            if let Ok(p) = ConsistencyProofText::parse(text) {
                prop_assert_eq!(p.to_text(), text);
            }
        }
    }

    #[test]
    fn state_decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = AuditState::decode(&data);
        let mut prefixed = b"vledger/replayer-state/v2\n".to_vec();
        prefixed.extend_from_slice(&data);
        if let Ok(r) = Replayer::decode_state(&prefixed) {
            prop_assert_eq!(r.encode_state(), prefixed);
        }
    }
}
