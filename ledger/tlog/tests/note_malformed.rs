//! Every malformed key, note, checkpoint and tlog-proof gets its own error.

use vledger_tlog::merkle::{LeafIndex, MemoryHashes, TreeSize, inclusion_proof};
use vledger_tlog::note::{
    Checkpoint, CheckpointError, HashError, KeyError, KeyType, MAX_NOTE_SIZE, NameError, Note,
    NoteError, NoteVerifyError, NumberError, ProofLineError, SignError, SignatureLineError, Signer,
    TlogProof, TlogProofError, VerifierKey, key_id, open_checkpoint, open_checkpoint_for_origin,
    sign_checkpoint, sign_note,
};
use vledger_tlog::{Hash, leaf_hash, sha256};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::VerifyingKey;

const LOG: &str = "log.example/vledger";

fn signer(name: &str, seed: u8) -> Signer {
    Signer::from_seed(name, &[seed; 32]).unwrap()
}

/// A vkey string with any type byte and key bytes, and the key id computed
/// from them, so that only the property under test is wrong.
fn vkey_string(name: &str, type_byte: u8, key: &[u8]) -> String {
    let mut data = vec![type_byte];
    data.extend_from_slice(key);
    let mut preimage = format!("{name}\n").into_bytes();
    preimage.extend_from_slice(&data);
    let id = &sha256(&preimage).0[..4];
    format!("{name}+{}+{}", hex::encode(id), B64.encode(&data))
}

#[test]
fn malformed_verifier_keys() {
    let good = signer(LOG, 1).verifier_key();
    let pk = *good.public_key().as_bytes();
    let id = hex::encode(good.key_id());
    let data = B64.encode([&[1u8][..], &pk].concat());
    let cases: Vec<(String, KeyError)> = vec![
        (LOG.into(), KeyError::MissingParts),
        (format!("{LOG}+{id}"), KeyError::MissingParts),
        (format!("+{id}+{data}"), KeyError::Name(NameError::Empty)),
        (
            format!("log example+{id}+{data}"),
            KeyError::Name(NameError::ContainsSpace),
        ),
        (
            format!("{LOG}+{}+{data}", id.to_uppercase()),
            KeyError::MalformedKeyId,
        ),
        (
            format!("{LOG}+{}+{data}", &id[..7]),
            KeyError::MalformedKeyId,
        ),
        (format!("{LOG}+0{id}+{data}"), KeyError::MalformedKeyId),
        (format!("{LOG}+zzzzzzzz+{data}"), KeyError::MalformedKeyId),
        (format!("{LOG}+{id}+{data} "), KeyError::KeyNotBase64),
        (
            format!("{LOG}+{id}+{}", &data[..data.len() - 1]),
            KeyError::KeyNotBase64,
        ),
        (format!("{LOG}+{id}+"), KeyError::EmptyKey),
        (
            vkey_string(LOG, 0x02, &pk),
            KeyError::UnsupportedKeyType(0x02),
        ),
        (
            vkey_string(LOG, 0x01, &pk[..31]),
            KeyError::WrongKeyLength(31),
        ),
        (
            vkey_string(LOG, 0x01, &[&pk[..], &[0]].concat()),
            KeyError::WrongKeyLength(33),
        ),
        (
            format!("{LOG}+00000000+{data}"),
            KeyError::KeyIdMismatch {
                found: [0; 4],
                computed: good.key_id(),
            },
        ),
    ];
    for (text, want) in cases {
        assert_eq!(VerifierKey::parse(&text), Err(want), "{text:?}");
    }
    assert_eq!(key_id(LOG, KeyType::Ed25519, &pk), good.key_id());
    assert_eq!(VerifierKey::parse(&vkey_string(LOG, 1, &pk)), Ok(good));
    // The cosignature type (tlog-cosignature, 0x04) parses, as a key of its
    // own type with its own key id; callers that need a log key check the type.
    let cosigner = VerifierKey::parse(&vkey_string(LOG, 0x04, &pk)).unwrap();
    assert_eq!(cosigner.key_type(), KeyType::CosignatureV1);
    assert_eq!(cosigner.key_id(), key_id(LOG, KeyType::CosignatureV1, &pk));
    assert_ne!(cosigner.key_id(), key_id(LOG, KeyType::Ed25519, &pk));
}

#[test]
fn weak_and_invalid_points_are_refused() {
    // The identity point (y = 1) has small order.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(
        VerifierKey::parse(&vkey_string(LOG, 1, &identity)),
        Err(KeyError::WeakKey)
    );
    let weak = VerifyingKey::from_bytes(&identity).unwrap();
    assert_eq!(
        VerifierKey::new(LOG, KeyType::Ed25519, weak),
        Err(KeyError::WeakKey)
    );
    // Some y for which no x exists: not a point at all.
    let not_a_point = (2u8..)
        .map(|y| {
            let mut b = [0u8; 32];
            b[0] = y;
            b
        })
        .find(|b| VerifyingKey::from_bytes(b).is_err())
        .unwrap();
    assert_eq!(
        VerifierKey::parse(&vkey_string(LOG, 1, &not_a_point)),
        Err(KeyError::InvalidPoint)
    );
}

#[test]
fn malformed_private_keys() {
    let s = signer(LOG, 2);
    let skey = s.to_private_key();
    assert_eq!(
        Signer::from_private_key(&skey).unwrap().verifier_key(),
        s.verifier_key()
    );
    let rest = skey.strip_prefix("PRIVATE+KEY+").unwrap();
    assert_eq!(
        Signer::from_private_key(rest).err(),
        Some(KeyError::NotPrivateKey)
    );
    assert_eq!(
        Signer::from_private_key(&format!("private+key+{rest}")).err(),
        Some(KeyError::NotPrivateKey)
    );
    let id = hex::encode(s.key_id());
    assert!(matches!(
        Signer::from_private_key(&skey.replace(&id, "00000000")),
        Err(KeyError::KeyIdMismatch { .. })
    ));
    // The key id of a private key is that of the public key (Go's form).
    let other_name = skey.replace(LOG, "log.example/other");
    assert!(matches!(
        Signer::from_private_key(&other_name),
        Err(KeyError::KeyIdMismatch { .. })
    ));
    let seed = B64.encode([&[4u8][..], &[2u8; 32]].concat());
    assert_eq!(
        Signer::from_private_key(&format!("PRIVATE+KEY+{LOG}+{id}+{seed}")).err(),
        Some(KeyError::UnsupportedKeyType(4))
    );
    assert_eq!(
        Signer::from_seed("a+b", &[0; 32]).unwrap_err().to_string(),
        "key name contains '+'"
    );
}

fn signed(text: &str) -> String {
    sign_note(text, &[&signer(LOG, 1)]).unwrap()
}

#[test]
fn malformed_notes() {
    let good = signed("hello\n");
    let sig_line = good.lines().nth(2).unwrap().to_owned();
    let sig_b64 = sig_line.rsplit(' ').next().unwrap().to_owned();
    let line3 = |reason| NoteError::SignatureLine { line: 3, reason };
    let cases: Vec<(String, NoteError)> = vec![
        ("hello\n".into(), NoteError::MissingBlankLine),
        (format!("hello\n{sig_line}\n"), NoteError::MissingBlankLine),
        ("hello\n\n".into(), NoteError::NoSignatures),
        (good.trim_end().into(), NoteError::MissingFinalNewline),
        (
            format!("hello\n\n- {LOG} {sig_b64}\n"),
            line3(SignatureLineError::MissingEmDash),
        ),
        (
            format!("hello\n\n\u{2013} {LOG} {sig_b64}\n"),
            line3(SignatureLineError::MissingEmDash),
        ),
        (
            format!("hello\n\n\u{2014}{LOG} {sig_b64}\n"),
            line3(SignatureLineError::MissingEmDash),
        ),
        (
            format!("hello\n\n\u{2014} {LOG}\n"),
            line3(SignatureLineError::MissingSignature),
        ),
        (
            format!("hello\n\n\u{2014}  {LOG} {sig_b64}\n"),
            line3(SignatureLineError::Name(NameError::Empty)),
        ),
        (
            format!("hello\n\n\u{2014} a+b {sig_b64}\n"),
            line3(SignatureLineError::Name(NameError::ContainsPlus)),
        ),
        (
            format!("hello\n\n\u{2014} a\u{a0}b {sig_b64}\n"),
            line3(SignatureLineError::Name(NameError::ContainsSpace)),
        ),
        (
            format!("hello\n\n\u{2014} {LOG} {sig_b64} \n"),
            line3(SignatureLineError::NotBase64),
        ),
        (
            format!(
                "hello\n\n\u{2014} {LOG} {}\n",
                sig_b64.trim_end_matches('=')
            ),
            line3(SignatureLineError::NotBase64),
        ),
        (
            format!("hello\n\n\u{2014} {LOG} AAAAAA==\n"),
            line3(SignatureLineError::TooShort(4)),
        ),
        (
            format!("hello\n\n\u{2014} {LOG} \n"),
            line3(SignatureLineError::TooShort(0)),
        ),
        (
            good.replace('\n', "\r\n"),
            NoteError::ControlCharacter {
                line: 1,
                byte: b'\r',
            },
        ),
        (
            format!("a\nb\tc\n\n{sig_line}\n"),
            NoteError::ControlCharacter {
                line: 2,
                byte: b'\t',
            },
        ),
        (
            format!("{good}{sig_line}\0\n"),
            NoteError::ControlCharacter { line: 4, byte: 0 },
        ),
    ];
    for (text, want) in cases {
        assert_eq!(Note::parse(&text), Err(want), "{text:?}");
    }

    // The text ends at the *last* blank line: a second blank line and
    // signature moves the first signature line into the text, which the
    // signature then no longer covers.
    let shifted = Note::parse(&format!("{good}\n{sig_line}\n")).unwrap();
    assert_eq!(shifted.text, format!("hello\n\n{sig_line}\n"));
    assert!(matches!(
        shifted.verify(&[signer(LOG, 1).verifier_key()]),
        Err(NoteVerifyError::BadSignature { .. })
    ));

    // DEL (0x7f) is not below U+0020 and is allowed.
    assert!(Note::parse(&signed("a\u{7f}b\n")).is_ok());

    let big = format!("{}\n{good}", "a".repeat(MAX_NOTE_SIZE));
    assert_eq!(
        Note::parse(&big),
        Err(NoteError::TooLarge {
            size: big.len(),
            max: MAX_NOTE_SIZE
        })
    );
    let mut bytes = good.clone().into_bytes();
    bytes[3] = 0xc3; // a lone UTF-8 lead byte
    assert_eq!(
        Note::parse_bytes(&bytes),
        Err(NoteError::NotUtf8 { offset: 3 })
    );
    assert_eq!(
        Note::parse("hello\n\n\u{2014} a b\n")
            .unwrap_err()
            .to_string(),
        "note line 3: signature is not valid base64"
    );
}

#[test]
fn sign_note_input_errors() {
    let s = signer(LOG, 1);
    assert_eq!(
        sign_note("no newline", &[&s]),
        Err(SignError::MissingFinalNewline)
    );
    assert_eq!(
        sign_note("a\r\n", &[&s]),
        Err(SignError::ControlCharacter {
            line: 1,
            byte: b'\r'
        })
    );
    assert_eq!(sign_note("a\n", &[]), Err(SignError::NoSigners));
    let many: Vec<&Signer> = std::iter::repeat_n(&s, 101).collect();
    assert_eq!(
        sign_note("a\n", &many),
        Err(SignError::TooManySigners { max: 100 })
    );
}

fn checkpoint(origin: &str, size: u64) -> Checkpoint {
    Checkpoint::new(origin, TreeSize(size), sha256(&size.to_be_bytes())).unwrap()
}

#[test]
fn checkpoint_signature_errors() {
    let log = signer(LOG, 1);
    let key = log.verifier_key();
    let note = sign_checkpoint(&checkpoint(LOG, 7), &log);
    assert_eq!(open_checkpoint(&note, &key).unwrap(), checkpoint(LOG, 7));

    // Another key, and a key with the log's name but another secret.
    for other in [signer("other.example", 2), signer(LOG, 3)] {
        let err = open_checkpoint(&note, &other.verifier_key()).unwrap_err();
        assert_eq!(
            err,
            CheckpointError::Signature(NoteVerifyError::NoKnownSignature {
                signed_by: vec![LOG.into()]
            })
        );
    }
    // A signature by the log key over other text.
    let other = sign_checkpoint(&checkpoint(LOG, 8), &log);
    let forged = format!(
        "{}\n{}",
        checkpoint(LOG, 7).to_text(),
        other.lines().last().unwrap()
    ) + "\n";
    assert_eq!(
        open_checkpoint(&forged, &key).unwrap_err().to_string(),
        format!(
            "checkpoint: signature by {LOG} (key id {}) does not verify",
            hex::encode(key.key_id())
        )
    );
    // Witness cosignatures and other unknown signatures are ignored.
    let cosigned = sign_note(
        &checkpoint(LOG, 7).to_text(),
        &[&log, &signer("w.example", 9)],
    )
    .unwrap();
    assert!(open_checkpoint(&cosigned, &key).is_ok());
    // The spec does not make verifiers compare origin and key name.
    let named_apart = sign_checkpoint(&checkpoint("origin.example", 7), &log);
    assert_eq!(
        open_checkpoint(&named_apart, &key).unwrap().origin(),
        "origin.example"
    );
    assert_eq!(
        open_checkpoint_for_origin(&named_apart, LOG, &key),
        Err(CheckpointError::WrongOrigin {
            expected: LOG.into(),
            found: "origin.example".into()
        })
    );
    assert!(open_checkpoint_for_origin(&note, LOG, &key).is_ok());
}

#[test]
fn signed_checkpoint_text_errors() {
    let log = signer(LOG, 1);
    let key = log.verifier_key();
    let root = Hash([5; 32]).to_base64();
    let cases: Vec<(String, CheckpointError)> = vec![
        (
            format!("{LOG}\n7\n{root}\nextension\n"),
            CheckpointError::ExtensionLine { line: 4 },
        ),
        (
            format!("{LOG}\n7\n{root}\n\n"),
            CheckpointError::ExtensionLine { line: 4 },
        ),
        (
            format!("{LOG}\n007\n{root}\n"),
            CheckpointError::Size(NumberError::LeadingZero),
        ),
        (
            format!("{LOG}\n-7\n{root}\n"),
            CheckpointError::Size(NumberError::NotDecimal),
        ),
        (
            format!("{LOG}\n18446744073709551616\n{root}\n"),
            CheckpointError::Size(NumberError::TooLarge),
        ),
        (format!("{LOG}\n7\n"), CheckpointError::MissingRoot),
        (
            format!("{LOG}\n7\nAAAA\n"),
            CheckpointError::Root(HashError::WrongLength(3)),
        ),
        (
            format!("{LOG}\n7\n{}\n", root.trim_end_matches('=')),
            CheckpointError::Root(HashError::NotBase64),
        ),
        (format!("\n7\n{root}\n"), CheckpointError::EmptyOrigin),
    ];
    for (text, want) in cases {
        let note = sign_note(&text, &[&log]).unwrap();
        assert_eq!(open_checkpoint(&note, &key), Err(want), "{text:?}");
    }
    let note = sign_note(&format!("{LOG}\n7\n{root}\next\n"), &[&log]).unwrap();
    assert_eq!(
        open_checkpoint(&note, &key).unwrap_err().to_string(),
        "checkpoint line 4: extension lines are not allowed in vledger checkpoints"
    );
    assert_eq!(
        open_checkpoint("garbage", &key),
        Err(CheckpointError::Note(NoteError::MissingBlankLine))
    );
}

#[test]
fn tlog_proof_errors() {
    let log = signer(LOG, 1);
    let entries: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 3]).collect();
    let tree = MemoryHashes::from_leaf_hashes(entries.iter().map(|e| leaf_hash(e)));
    let cp = Checkpoint::new(LOG, tree.size(), tree.root()).unwrap();
    let proof = TlogProof {
        extra: Some(entries[3].clone()),
        index: LeafIndex(3),
        hashes: inclusion_proof(LeafIndex(3), tree.size(), &tree).unwrap(),
        checkpoint: sign_checkpoint(&cp, &log),
    };
    let text = proof.to_text();
    assert_eq!(
        TlogProof::parse(&text)
            .unwrap()
            .verify(&log.verifier_key())
            .unwrap()
            .index,
        LeafIndex(3)
    );

    let other = signer("other.example", 2).verifier_key();
    assert!(matches!(
        proof.verify(&other),
        Err(TlogProofError::Checkpoint(CheckpointError::Signature(
            NoteVerifyError::NoKnownSignature { .. }
        )))
    ));
    assert_eq!(
        TlogProof::parse(&text.replace('\n', "\r\n")),
        Err(TlogProofError::BadHeader)
    );
    assert_eq!(
        TlogProof::parse(&text.replacen("index 3", "index 3 ", 1)),
        Err(TlogProofError::Line {
            line: 3,
            reason: ProofLineError::Index(NumberError::NotDecimal)
        })
    );
    assert_eq!(
        TlogProof::parse(&text.replacen("extra ", "extra\t", 1)),
        Err(TlogProofError::Line {
            line: 2,
            reason: ProofLineError::ExpectedIndex
        })
    );
    let mut bytes = text.clone().into_bytes();
    bytes[30] = 0xff;
    assert_eq!(
        TlogProof::parse_bytes(&bytes),
        Err(TlogProofError::NotUtf8 { offset: 30 })
    );
    let cut = text.find("\n\n").unwrap();
    assert_eq!(
        TlogProof::parse(&text[..cut + 1]),
        Err(TlogProofError::MissingBlankLine)
    );
    assert_eq!(
        TlogProof::parse(&format!("{}\n", &text[..cut + 1])),
        Err(TlogProofError::Checkpoint(CheckpointError::Note(
            NoteError::MissingBlankLine
        )))
    );
    let big = format!(
        "{text}{}",
        " ".repeat(vledger_tlog::note::MAX_TLOG_PROOF_SIZE)
    );
    assert!(matches!(
        TlogProof::parse(&big),
        Err(TlogProofError::TooLarge { .. })
    ));
    assert_eq!(
        TlogProofError::Line {
            line: 3,
            reason: ProofLineError::Index(NumberError::LeadingZero)
        }
        .to_string(),
        "tlog-proof line 3: index has a leading zero"
    );
}
