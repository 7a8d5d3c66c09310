//! Property tests: the parsers never panic, and printing then parsing any
//! valid value gives it back (and parsing then printing gives back the text).

use proptest::prelude::*;
use vledger_tlog::merkle::{LeafIndex, TreeSize};
use vledger_tlog::note::{
    Checkpoint, KeyType, Note, NoteSignature, Signer, TlogProof, VerifierKey, open_checkpoint,
    sign_checkpoint, sign_note,
};
use vledger_tlog::{Hash, note};

/// Strings made of the pieces the formats are built from, so that the
/// parsers get past their first checks.
fn note_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n".to_owned()),
        Just("\n\n".to_owned()),
        Just("\u{2014} ".to_owned()),
        Just(" ".to_owned()),
        Just("+".to_owned()),
        Just("=".to_owned()),
        Just("index ".to_owned()),
        Just("extra ".to_owned()),
        Just(note::TLOG_PROOF_HEADER.to_owned()),
        Just("PRIVATE+KEY+".to_owned()),
        Just("0".to_owned()),
        "[0-9]{1,20}",
        "[a-f0-9]{8}",
        "[A-Za-z0-9+/]{0,90}={0,2}",
        "\\PC{0,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

/// A valid key name: no spaces, no '+', no control characters.
fn name() -> impl Strategy<Value = String> {
    "[a-z0-9./:_é-]{1,40}"
}

/// A valid note text: lines without control characters, ending in newline.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec("[^\\p{Cc}]{0,30}", 1..6).prop_map(|lines| {
        let mut t = lines.join("\n");
        t.push('\n');
        t
    })
}

fn hash() -> impl Strategy<Value = Hash> {
    any::<[u8; 32]>().prop_map(Hash)
}

fn checkpoint() -> impl Strategy<Value = Checkpoint> {
    ("[^\\p{Cc}]{1,40}", any::<u64>(), hash())
        .prop_map(|(origin, size, root)| Checkpoint::new(origin, TreeSize(size), root).unwrap())
}

fn signed_checkpoint() -> String {
    let log = Signer::from_seed("log.example", &[3; 32]).unwrap();
    let cp = Checkpoint::new("log.example", TreeSize(9), Hash([1; 32])).unwrap();
    sign_checkpoint(&cp, &log)
}

proptest! {
    #[test]
    fn parsers_never_panic_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Note::parse_bytes(&bytes);
        let _ = TlogProof::parse_bytes(&bytes);
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = Checkpoint::parse_text(s);
            let _ = VerifierKey::parse(s);
            let _ = Signer::from_private_key(s);
        }
    }

    #[test]
    fn parsers_never_panic_on_note_like_text(s in note_like()) {
        let key = Signer::from_seed("k", &[1; 32]).unwrap().verifier_key();
        if let Ok(n) = Note::parse(&s) {
            prop_assert_eq!(n.to_string(), s.clone());
            let _ = n.verify(std::slice::from_ref(&key));
        }
        if let Ok(p) = TlogProof::parse(&s) {
            prop_assert_eq!(p.to_string(), s.clone());
            let _ = p.verify(&key);
        }
        if let Ok(c) = Checkpoint::parse_text(&s) {
            prop_assert_eq!(c.to_text(), s.clone());
        }
        if let Ok(k) = VerifierKey::parse(&s) {
            prop_assert_eq!(k.to_string(), s.clone());
        }
        let _ = open_checkpoint(&s, &key);
        let _ = Signer::from_private_key(&s);
    }

    #[test]
    fn note_round_trip(
        text in text(),
        sigs in prop::collection::vec(
            (name(), any::<[u8; 4]>(), prop::collection::vec(any::<u8>(), 1..80)),
            1..5,
        ),
    ) {
        let note = Note {
            text,
            signatures: sigs
                .into_iter()
                .map(|(name, key_id, signature)| NoteSignature { name, key_id, signature })
                .collect(),
        };
        let printed = note.to_string();
        let parsed = Note::parse(&printed).unwrap();
        prop_assert_eq!(&parsed, &note);
        prop_assert_eq!(parsed.to_string(), printed);
    }

    #[test]
    fn sign_then_verify(text in text(), name in name(), seed in any::<[u8; 32]>()) {
        let signer = Signer::from_seed(name, &seed).unwrap();
        let msg = sign_note(&text, &[&signer]).unwrap();
        let note = Note::parse(&msg).unwrap();
        prop_assert_eq!(&note.text, &text);
        let keys = [signer.verifier_key()];
        prop_assert_eq!(note.verify(&keys).unwrap(), vec![&keys[0]]);
    }

    #[test]
    fn checkpoint_round_trip(cp in checkpoint()) {
        let text = cp.to_text();
        prop_assert_eq!(Checkpoint::parse_text(&text).unwrap(), cp.clone());
        let log = Signer::from_seed("log", &[9; 32]).unwrap();
        let note = sign_checkpoint(&cp, &log);
        prop_assert_eq!(open_checkpoint(&note, &log.verifier_key()).unwrap(), cp);
    }

    #[test]
    fn tlog_proof_round_trip(
        extra in prop::option::of(prop::collection::vec(any::<u8>(), 0..100)),
        index in any::<u64>(),
        hashes in prop::collection::vec(hash(), 0..10),
    ) {
        let proof = TlogProof { extra, index: LeafIndex(index), hashes, checkpoint: signed_checkpoint() };
        let text = proof.to_text();
        let parsed = TlogProof::parse(&text).unwrap();
        prop_assert_eq!(&parsed, &proof);
        prop_assert_eq!(parsed.to_text(), text);
    }

    #[test]
    fn keys_round_trip(name in name(), seed in any::<[u8; 32]>()) {
        let signer = Signer::from_seed(name, &seed).unwrap();
        let skey = signer.to_private_key();
        let again = Signer::from_private_key(&skey).unwrap();
        prop_assert_eq!(again.to_private_key(), skey);
        let vkey = signer.verifier_key();
        let printed = vkey.to_string();
        let parsed: VerifierKey = printed.parse().unwrap();
        prop_assert_eq!(&parsed, &vkey);
        prop_assert_eq!(parsed.to_string(), printed);
        prop_assert_eq!(parsed.key_type(), KeyType::Ed25519);
    }
}
