//! Known-answer vectors for the note layer, from public sources.
//!
//! - Go: `golang.org/x/mod/sumdb/note`, package documentation (`note.go`) and
//!   `note_test.go`, x/mod v0.7.0 as shipped by Debian's
//!   `golang-golang-x-mod-dev` (`/usr/share/gocode/src/golang.org/x/mod`).
//! - C2SP: `signed-note.md` ("Verifier keys", "Example"), `tlog-checkpoint.md`,
//!   `tlog-cosignature.md` and `tlog-proof.md` of github.com/C2SP/C2SP.

use vledger_tlog::merkle::TreeSize;
use vledger_tlog::note::{
    Checkpoint, CheckpointError, KeyError, Note, NoteError, NoteVerifyError, SignatureLineError,
    Signer, TlogProof, TlogProofError, VerifierKey, sign_note,
};

// Go note.go documentation and note_test.go.
const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n";
const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

fn vkey(s: &str) -> VerifierKey {
    VerifierKey::parse(s).unwrap()
}

#[test]
fn go_signer_reproduces_the_documented_note() {
    let signer = Signer::from_private_key(PETER_SKEY).unwrap();
    assert_eq!(signer.verifier_key().to_string(), PETER_VKEY);
    assert_eq!(
        sign_note(TEXT, &[&signer]).unwrap(),
        format!("{TEXT}\n{PETER_SIG}")
    );
}

#[test]
fn go_doubly_signed_note() {
    let msg = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    let note = Note::parse(&msg).unwrap();
    assert_eq!(note.text, TEXT);
    assert_eq!(note.signatures.len(), 2);
    assert_eq!(note.signatures[0].key_id, [0xc7, 0x4f, 0x20, 0xa3]);
    assert_eq!(note.signatures[1].name, "EnochRoot");
    assert_eq!(note.signatures[1].key_id, [0xaf, 0x0c, 0xfe, 0x78]);
    assert_eq!(note.to_string(), msg);

    let (peter, enoch) = (vkey(PETER_VKEY), vkey(ENOCH_VKEY));
    // One known key: the other signature is ignored.
    let keys = [peter.clone()];
    assert_eq!(note.verify(&keys).unwrap(), vec![&keys[0]]);
    let keys = [enoch.clone()];
    assert_eq!(note.verify(&keys).unwrap(), vec![&keys[0]]);
    // Both known: reported in signature order.
    let keys = [enoch.clone(), peter.clone()];
    assert_eq!(note.verify(&keys).unwrap(), vec![&keys[1], &keys[0]]);
    // None known.
    assert_eq!(
        note.verify(&[]),
        Err(NoteVerifyError::NoKnownSignature {
            signed_by: vec!["PeterNeumann".into(), "EnochRoot".into()]
        })
    );
}

#[test]
fn go_open_behaviour() {
    let (peter, enoch) = (vkey(PETER_VKEY), vkey(ENOCH_VKEY));

    // A configured key listed twice is not ambiguous; a different key with
    // the same name and id would be (tested in note_malformed.rs).
    let note = Note::parse(&format!("{TEXT}\n{ENOCH_SIG}")).unwrap();
    let keys = [enoch.clone(), peter.clone(), enoch.clone()];
    assert_eq!(note.verify(&keys).unwrap(), vec![&keys[0]]);

    // 101 signature lines are too many, whatever the keys.
    let many = format!("{TEXT}\n{}", PETER_SIG.repeat(101));
    assert_eq!(
        Note::parse(&many),
        Err(NoteError::TooManySignatures { max: 100 })
    );
    // 100 are fine, and repeated lines of a known key are all checked.
    let hundred = Note::parse(&format!("{TEXT}\n{}", PETER_SIG.repeat(100))).unwrap();
    let keys = [peter.clone()];
    assert_eq!(hundred.verify(&keys).unwrap(), vec![&keys[0]]);

    // A corrupted signature by a known key is an error.
    let bad = format!("{TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
    let note = Note::parse(&bad).unwrap();
    assert_eq!(
        note.verify(&keys),
        Err(NoteVerifyError::BadSignature {
            name: "PeterNeumann".into(),
            key_id: [0xc7, 0x4f, 0x20, 0xa3]
        })
    );
    assert_eq!(
        note.verify(&keys).unwrap_err().to_string(),
        "signature by PeterNeumann (key id c74f20a3) does not verify"
    );

    // Duplicated and corrupted signatures of unknown keys are ignored.
    let enoch_bad = format!("{}ABCD{}", &ENOCH_SIG[..60], &ENOCH_SIG[60..]);
    let msg = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}{enoch_bad}");
    let note = Note::parse(&msg).unwrap();
    assert_eq!(note.verify(&keys).unwrap(), vec![&keys[0]]);
    assert_eq!(note.to_string(), msg);
    // ... but not if the key is known.
    assert!(matches!(
        note.verify(&[enoch]),
        Err(NoteVerifyError::BadSignature { .. })
    ));

    // Go's malformed messages.
    let malformed: [(String, NoteError); 6] = [
        (TEXT.to_owned(), NoteError::MissingBlankLine),
        (format!("{TEXT}\n"), NoteError::NoSignatures),
        (
            format!("{TEXT}\n{}", PETER_SIG.trim_end()),
            NoteError::MissingFinalNewline,
        ),
        (
            format!("\x01{TEXT}\n{PETER_SIG}"),
            NoteError::ControlCharacter { line: 1, byte: 1 },
        ),
        (
            format!(
                "{TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
            ),
            NoteError::SignatureLine {
                line: 4,
                reason: SignatureLineError::NotBase64,
            },
        ),
        (
            format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
            NoteError::SignatureLine {
                line: 5,
                reason: SignatureLineError::MissingEmDash,
            },
        ),
    ];
    for (msg, want) in malformed {
        assert_eq!(Note::parse(&msg), Err(want), "{msg:?}");
    }
    let mut invalid = b"\xff".to_vec();
    invalid.extend_from_slice(format!("{TEXT}\n{PETER_SIG}").as_bytes());
    assert_eq!(
        Note::parse_bytes(&invalid),
        Err(NoteError::NotUtf8 { offset: 0 })
    );
}

#[test]
fn go_key_manglings_are_refused() {
    // As in Go's TestNewVerifier: every proper substring and every single
    // byte incremented must be refused.
    let b = PETER_VKEY.as_bytes();
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if (i, j) != (0, b.len()) {
                let s = std::str::from_utf8(&b[i..j]).unwrap();
                assert!(VerifierKey::parse(s).is_err(), "{s:?}");
            }
        }
    }
    for i in 0..b.len() {
        let mut m = b.to_vec();
        m[i] += 1;
        let s = String::from_utf8(m).unwrap();
        assert!(VerifierKey::parse(&s).is_err(), "{s:?}");
    }
    // Go's "wrong length key, with adjusted key hash". Its last base64 group
    // "EY==" has non-zero unused bits, which Go's decoder tolerates and ours
    // (canonical decoding) refuses before looking at the length.
    assert_eq!(
        VerifierKey::parse(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        ),
        Err(KeyError::KeyNotBase64)
    );
    // Go's "unknown algorithm, with adjusted key hash".
    assert_eq!(
        VerifierKey::parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(KeyError::UnsupportedKeyType(0x65))
    );
}

#[test]
fn c2sp_signed_note_vkey_example() {
    // signed-note.md, "Verifier keys" / "Example".
    let key = vkey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
    let msg = "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
    let note = Note::parse(msg).unwrap();
    assert_eq!(note.text, "This is an example message.\n");
    let keys = [key];
    assert_eq!(note.verify(&keys).unwrap(), vec![&keys[0]]);
    assert_eq!(
        keys[0].to_string(),
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    );
}

#[test]
fn c2sp_signed_note_intro_example_splits_at_the_last_blank_line() {
    // signed-note.md, the example at the top: the text has a blank line.
    let msg = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
    let note = Note::parse(msg).unwrap();
    assert_eq!(
        note.text,
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
    );
    assert_eq!(note.signatures[0].name, "quasimodo.example/salvatore");
    assert_eq!(note.to_string(), msg);
}

#[test]
fn c2sp_checkpoint_and_cosignature_examples() {
    // tlog-checkpoint.md and tlog-cosignature.md examples.
    let msg = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
    let note = Note::parse(msg).unwrap();
    assert_eq!(note.signatures.len(), 2);
    // The cosignature is 8 timestamp bytes and a 64-byte Ed25519 signature.
    assert_eq!(note.signatures[1].signature.len(), 72);
    let cp = Checkpoint::parse_text(&note.text).unwrap();
    assert_eq!(cp.origin(), "example.com/behind-the-sofa");
    assert_eq!(cp.size(), TreeSize(20_852_163));
    assert_eq!(cp.to_text(), note.text);
}

#[test]
fn c2sp_tlog_proof_example_is_elided_and_refused_precisely() {
    // tlog-proof.md: the example's signatures are shortened with "[...]",
    // which is not base64; the parser must say where.
    let proof = "c2sp.org/tlog-proof@v1\nextra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\nindex 73894\ngSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\nB95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\nEKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\nRoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\nAHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n\nexample.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n— example.com/fancylog hI2DJw[...]1roloI=\n— witness1.example mJirIklj[...]qY9v2B/5bg==\n";
    assert_eq!(
        TlogProof::parse(proof),
        Err(TlogProofError::Checkpoint(CheckpointError::Note(
            NoteError::SignatureLine {
                line: 5,
                reason: SignatureLineError::NotBase64
            }
        )))
    );
    assert_eq!(
        TlogProof::parse(proof).unwrap_err().to_string(),
        "tlog-proof checkpoint note line 5: signature is not valid base64"
    );
}
