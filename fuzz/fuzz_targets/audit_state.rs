//! Audit state files and replayer states: decoding never panics, and a
//! decoded state encodes back to the same bytes.
#![no_main]

use vledger_log::audit::AuditState;
use vledger_log::replay::Replayer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(state) = AuditState::decode(data) {
        assert_eq!(state.encode(), data);
    }
    if let Ok(r) = Replayer::decode_state(data) {
        assert_eq!(r.encode_state(), data);
    }
});
