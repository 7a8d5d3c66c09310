//! VIN index proofs (outside input, inside history bundles) and stored
//! index tiles (a damaged store): decoding never panics, what decodes
//! encodes back to the same bytes, and verifying a decoded proof never
//! panics.
#![no_main]

use vledger_tlog::Hash;
use vledger_records::vindex::{IndexKey, IndexProof};
use vledger_rules::index_tree::Tile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(proof) = IndexProof::decode(data) {
        assert_eq!(proof.encode(), data);
        let _ = proof.verify(&IndexKey([0x5a; 32]), &Hash([7; 32]));
        if let vledger_records::vindex::Terminal::Leaf { key, .. } = proof.terminal {
            let _ = proof.verify(&key, &Hash([7; 32]));
        }
    }
    if let Ok(tile) = Tile::decode(data) {
        assert_eq!(tile.encode(), data);
        for slot in 0..30 {
            let _ = tile.get(slot);
        }
    }
});
