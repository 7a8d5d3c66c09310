//! History pages, as a node sends them: any JSON array of pages either
//! fails to parse, fails to join with an error, or joins into a bundle
//! whose verification and each page's own verification never panic.
#![no_main]

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;
use vledger_tlog::note::{Signer, VerifierKey};
use vledger_verification::history::verify_history;
use vledger_verification::pages::{HistoryPage, merge_pages, verify_page};

fn key() -> &'static VerifierKey {
    static KEY: OnceLock<VerifierKey> = OnceLock::new();
    KEY.get_or_init(|| {
        Signer::new("fuzz.example/log", SigningKey::from_bytes(&[7; 32]))
            .expect("signer")
            .verifier_key()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(pages) = serde_json::from_slice::<Vec<HistoryPage>>(data) else {
        return;
    };
    for page in &pages {
        let _ = verify_page(page, key());
    }
    if let Ok(bundle) = merge_pages(pages) {
        let _ = verify_history(&bundle, key());
    }
});
