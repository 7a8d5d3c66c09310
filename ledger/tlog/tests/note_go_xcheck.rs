//! Cross-check against an independent implementation: Go's
//! `golang.org/x/mod/sumdb/note` and `sumdb/tlog`, through the small program
//! in `tests/go/vledgerxcheck`.
//!
//! Needs the Debian packages `golang-go` and `golang-golang-x-mod-dev`; the
//! program is built offline (`GO111MODULE=off`, `GOPATH=/usr/share/gocode`).
//! Without them these tests fail, on purpose: a cross-check that silently
//! passes checks nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use vledger_tlog::leaf_hash;
use vledger_tlog::merkle::{
    LeafIndex, MemoryHashes, TreeSize, consistency_proof, inclusion_proof, tree_hash,
};
use vledger_tlog::note::{
    Checkpoint, Note, Signer, TlogProof, VerifierKey, open_checkpoint, sign_checkpoint, sign_note,
};

const GOPATH: &str = "/usr/share/gocode";
const INSTALL: &str = "install the Debian packages golang-go and golang-golang-x-mod-dev \
                       (apt-get install -y golang-go golang-golang-x-mod-dev)";
const LOG: &str = "log.example/xcheck";
const ENTRIES: u64 = 13;

/// Builds the Go program once per test binary and returns its path.
fn xcheck() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        match Command::new("go").arg("version").output() {
            Ok(out) if out.status.success() => {}
            _ => panic!("the Go toolchain is needed for this cross-check: {INSTALL}"),
        }
        let x_mod = Path::new(GOPATH).join("src/golang.org/x/mod/sumdb/note");
        assert!(
            x_mod.is_dir(),
            "{} is missing, so Go's note package is not installed: {INSTALL}",
            x_mod.display()
        );
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/go/vledgerxcheck");
        assert!(src.is_dir(), "{} is missing", src.display());
        let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("vledgerxcheck");
        let bin = out_dir.join("vledgerxcheck");
        let out = Command::new("go")
            .args(["build", "-o"])
            .arg(&bin)
            .arg(".")
            .current_dir(&src)
            .env("GO111MODULE", "off")
            .env("GOPATH", GOPATH)
            .env("GOCACHE", out_dir.join("gocache"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "go build failed ({INSTALL}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        bin
    })
}

fn go(args: &[&str]) -> Output {
    Command::new(xcheck()).args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn assert_go_ok(args: &[&str]) -> String {
    let out = go(args);
    assert!(
        out.status.success(),
        "Go refused {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

fn assert_go_refuses(args: &[&str], what: &str) {
    let out = go(args);
    assert!(
        !out.status.success(),
        "Go accepted {what}: {}",
        stdout(&out)
    );
}

struct Log {
    signer: Signer,
    vkey: String,
    entries: Vec<Vec<u8>>,
    tree: MemoryHashes,
    dir: tempfile::TempDir,
}

impl Log {
    fn new() -> Self {
        let signer = Signer::from_seed(LOG, &[0x5a; 32]).unwrap();
        let vkey = signer.verifier_key().to_string();
        let entries: Vec<Vec<u8>> = (0..ENTRIES)
            .map(|i| format!("vledger entry {i}").into_bytes())
            .collect();
        let tree = MemoryHashes::from_leaf_hashes(entries.iter().map(|e| leaf_hash(e)));
        Self {
            signer,
            vkey,
            entries,
            tree,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn signed_checkpoint(&self, size: u64) -> String {
        let root = tree_hash(TreeSize(size), &self.tree).unwrap();
        sign_checkpoint(
            &Checkpoint::new(LOG, TreeSize(size), root).unwrap(),
            &self.signer,
        )
    }

    fn proof(&self, index: u64) -> String {
        let i = usize::try_from(index).unwrap();
        TlogProof {
            extra: Some(self.entries[i].clone()),
            index: LeafIndex(index),
            hashes: inclusion_proof(LeafIndex(index), self.tree.size(), &self.tree).unwrap(),
            checkpoint: self.signed_checkpoint(ENTRIES),
        }
        .to_text()
    }

    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

fn flipped(text: &str, at: usize) -> Vec<u8> {
    let mut b = text.as_bytes().to_vec();
    b[at] ^= 0x01;
    b
}

#[test]
fn go_opens_rust_checkpoints() {
    let log = Log::new();
    for size in [0, 1, 7, ENTRIES] {
        let note = log.signed_checkpoint(size);
        let file = log.write("checkpoint", note.as_bytes());
        let cp = open_checkpoint(&note, &log.signer.verifier_key()).unwrap();
        assert_eq!(
            assert_go_ok(&["checkpoint", &log.vkey, &file]),
            format!("ok {size} {}\n", cp.root().to_base64())
        );
    }
    let note = log.signed_checkpoint(ENTRIES);
    // Origin, size, root, key name, key id and signature bytes.
    let sig_at = note.rfind(' ').unwrap();
    for at in [
        0,
        LOG.len() + 1,
        LOG.len() + 6,
        note.find('\u{2014}').unwrap() + 4,
        sig_at + 3,
        sig_at + 40,
    ] {
        let file = log.write("flipped", &flipped(&note, at));
        assert_go_refuses(
            &["checkpoint", &log.vkey, &file],
            &format!("byte {at} flipped"),
        );
    }
    let other = Signer::from_seed(LOG, &[1; 32])
        .unwrap()
        .verifier_key()
        .to_string();
    let file = log.write("checkpoint", note.as_bytes());
    assert_go_refuses(&["checkpoint", &other, &file], "another key");
}

#[test]
fn go_verifies_rust_tlog_proofs() {
    let log = Log::new();
    let key = log.signer.verifier_key();
    for index in 0..ENTRIES {
        let proof = log.proof(index);
        TlogProof::parse(&proof).unwrap().verify(&key).unwrap();
        let file = log.write("entry.tlog-proof", proof.as_bytes());
        assert_eq!(assert_go_ok(&["proof", &log.vkey, &file]), "ok\n");
    }
    // Extra (the entry), index, a proof hash, the checkpoint's root and
    // signature.
    let proof = log.proof(5);
    let index_at = proof.find("index ").unwrap() + 6;
    let extra_at = proof.find("extra ").unwrap() + 8;
    let first_hash = proof[index_at..].find('\n').unwrap() + index_at + 1;
    let root_at = proof.rfind("=\n\n").unwrap() - 5;
    let sig_at = proof.rfind(' ').unwrap() + 30;
    for at in [extra_at, index_at, first_hash + 10, root_at, sig_at] {
        let bad = flipped(&proof, at);
        assert!(!TlogProof::parse_bytes(&bad).is_ok_and(|p| p.verify(&key).is_ok()));
        let file = log.write("flipped.tlog-proof", &bad);
        assert_go_refuses(&["proof", &log.vkey, &file], &format!("byte {at} flipped"));
    }
}

#[test]
fn go_checks_rust_consistency_proofs() {
    let log = Log::new();
    let new = log.write("new", log.signed_checkpoint(ENTRIES).as_bytes());
    for old_size in 1..=ENTRIES {
        let proof = consistency_proof(TreeSize(old_size), TreeSize(ENTRIES), &log.tree).unwrap();
        let lines: String = proof.iter().map(|h| h.to_base64() + "\n").collect();
        let old = log.write("old", log.signed_checkpoint(old_size).as_bytes());
        let proof_file = log.write("proof", lines.as_bytes());
        assert_eq!(
            assert_go_ok(&["consistency", &log.vkey, &old, &new, &proof_file]),
            "ok\n"
        );
        if !lines.is_empty() {
            let bad = flipped(&lines, 3);
            let bad_file = log.write("bad-proof", &bad);
            assert_go_refuses(
                &["consistency", &log.vkey, &old, &new, &bad_file],
                &format!("a flipped proof from size {old_size}"),
            );
        }
    }
    // Old and new swapped.
    let proof = consistency_proof(TreeSize(7), TreeSize(ENTRIES), &log.tree).unwrap();
    let lines: String = proof.iter().map(|h| h.to_base64() + "\n").collect();
    let old = log.write("old", log.signed_checkpoint(7).as_bytes());
    let proof_file = log.write("proof", lines.as_bytes());
    assert_go_refuses(
        &["consistency", &log.vkey, &new, &old, &proof_file],
        "swapped checkpoints",
    );
}

#[test]
fn rust_reads_go_keys_and_notes() {
    // A key pair generated by Go.
    let out = assert_go_ok(&["keygen", "go.example/key"]);
    let mut lines = out.lines();
    let (skey, vkey) = (lines.next().unwrap(), lines.next().unwrap());
    let signer = Signer::from_private_key(skey).unwrap();
    assert_eq!(signer.to_private_key(), skey);
    assert_eq!(signer.verifier_key(), VerifierKey::parse(vkey).unwrap());
    assert_eq!(signer.verifier_key().to_string(), vkey);

    // A note signed by Go verifies in Rust and is byte for byte the note
    // Rust signs (Ed25519 signatures are deterministic).
    let log = Log::new();
    let text = "vledger cross-check\n\nwith a blank line, ünïcode and \u{7f}\n";
    let file = log.write("text", text.as_bytes());
    let go_note = assert_go_ok(&["sign", skey, &file]);
    let note = Note::parse(&go_note).unwrap();
    assert_eq!(note.text, text);
    let keys = [VerifierKey::parse(vkey).unwrap()];
    assert_eq!(note.verify(&keys).unwrap().len(), 1);
    assert_eq!(sign_note(text, &[&signer]).unwrap(), go_note);

    // Go's own documented example (golang.org/x/mod/sumdb/note), signed by
    // Go here and by Rust.
    let peter = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    let text = "If you think cryptography is the answer to your problem,\n\
                then you don't know what your problem is.\n";
    let file = log.write("peter", text.as_bytes());
    let go_note = assert_go_ok(&["sign", peter, &file]);
    let signer = Signer::from_private_key(peter).unwrap();
    assert_eq!(sign_note(text, &[&signer]).unwrap(), go_note);
    assert!(go_note.ends_with(
        "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    ));
}
