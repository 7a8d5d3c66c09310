// Command vledgerxcheck checks vledger's signed checkpoints, tlog-proofs and
// consistency proofs with Go's golang.org/x/mod/sumdb/note and sumdb/tlog
// packages: an implementation of C2SP signed notes and RFC 6962 proofs that
// shares no code with vledger's Rust implementation.
//
// It is built by the Rust test ledger/tests/note_go_xcheck.rs, offline, with
// the Debian packages golang-go and golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o vledgerxcheck .
//
// Usage:
//
//	vledgerxcheck checkpoint VKEY FILE
//	    open the signed checkpoint in FILE with VKEY; print "ok SIZE ROOT"
//	vledgerxcheck proof VKEY FILE.tlog-proof
//	    verify a c2sp.org/tlog-proof@v1 whose extra line holds the entry; print "ok"
//	vledgerxcheck consistency VKEY OLD_CHECKPOINT NEW_CHECKPOINT PROOF_FILE
//	    check the consistency proof (one base64 hash per line) between two
//	    signed checkpoints; print "ok"
//	vledgerxcheck sign SKEY TEXT_FILE
//	    sign the note text in TEXT_FILE with the private key SKEY; print the note
//	vledgerxcheck keygen NAME
//	    generate a key pair; print the private key and the verifier key, one a line
//	vledgerxcheck cosignature VKEY FILE
//	    check the C2SP tlog-cosignature v1 (type 0x04) cosignatures by the
//	    witness key VKEY on the signed checkpoint in FILE; print "ok TIMESTAMP"
//	vledgerxcheck cosign NAME TIMESTAMP FILE
//	    make a new witness key NAME and cosign the checkpoint note in FILE at
//	    TIMESTAMP; print the witness's verifier key, then the note with the
//	    cosignature added
//
// The cosignature subcommands follow c2sp.org/tlog-cosignature directly
// with crypto/ed25519 (x/mod v0.7.0's note package predates type 0x04):
// key id SHA-256(name || "\n" || 0x04 || public key)[:4], signature
// timestamp (8 bytes, big-endian) || Ed25519 signature over
// "cosignature/v1\ntime <timestamp>\n" || note text.
//
// Any failure prints one line to standard error and exits with status 1.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/ioutil"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const proofHeader = "c2sp.org/tlog-proof@v1"

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "vledgerxcheck:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: vledgerxcheck checkpoint|proof|consistency VKEY FILE...")
	}
	switch {
	case args[0] == "checkpoint" && len(args) == 3:
		cp, err := openCheckpointFile(args[1], args[2])
		if err != nil {
			return err
		}
		fmt.Printf("ok %d %s\n", cp.size, base64.StdEncoding.EncodeToString(cp.root[:]))
		return nil
	case args[0] == "proof" && len(args) == 3:
		data, err := ioutil.ReadFile(args[2])
		if err != nil {
			return err
		}
		if err := checkProof(args[1], string(data)); err != nil {
			return err
		}
		fmt.Println("ok")
		return nil
	case args[0] == "consistency" && len(args) == 5:
		old, err := openCheckpointFile(args[1], args[2])
		if err != nil {
			return fmt.Errorf("old checkpoint: %v", err)
		}
		cur, err := openCheckpointFile(args[1], args[3])
		if err != nil {
			return fmt.Errorf("new checkpoint: %v", err)
		}
		data, err := ioutil.ReadFile(args[4])
		if err != nil {
			return err
		}
		var proof []tlog.Hash
		if len(data) > 0 {
			proof, err = parseHashLines(strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"))
			if err != nil {
				return err
			}
		}
		if err := tlog.CheckTree(tlog.TreeProof(proof), cur.size, cur.root, old.size, old.root); err != nil {
			return fmt.Errorf("consistency proof: %v", err)
		}
		fmt.Println("ok")
		return nil
	case args[0] == "sign" && len(args) == 3:
		signer, err := note.NewSigner(args[1])
		if err != nil {
			return fmt.Errorf("private key: %v", err)
		}
		text, err := ioutil.ReadFile(args[2])
		if err != nil {
			return err
		}
		msg, err := note.Sign(&note.Note{Text: string(text)}, signer)
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(msg)
		return err
	case args[0] == "cosignature" && len(args) == 3:
		data, err := ioutil.ReadFile(args[2])
		if err != nil {
			return err
		}
		ts, err := checkCosignature(args[1], string(data))
		if err != nil {
			return err
		}
		fmt.Printf("ok %d\n", ts)
		return nil
	case args[0] == "cosign" && len(args) == 4:
		ts, err := strconv.ParseUint(args[2], 10, 63)
		if err != nil {
			return fmt.Errorf("bad timestamp %q", args[2])
		}
		data, err := ioutil.ReadFile(args[3])
		if err != nil {
			return err
		}
		vkey, note, err := cosign(args[1], ts, string(data))
		if err != nil {
			return err
		}
		fmt.Printf("%s\n%s", vkey, note)
		return nil
	case args[0] == "keygen" && len(args) == 2:
		skey, vkey, err := note.GenerateKey(rand.Reader, args[1])
		if err != nil {
			return err
		}
		fmt.Printf("%s\n%s\n", skey, vkey)
		return nil
	}
	return fmt.Errorf("bad arguments %q", args)
}

func openCheckpointFile(vkey, file string) (checkpoint, error) {
	data, err := ioutil.ReadFile(file)
	if err != nil {
		return checkpoint{}, err
	}
	return openCheckpoint(vkey, data)
}

// openCheckpoint verifies the signed note with the log key, then parses the
// C2SP tlog-checkpoint text (vledger checkpoints have no extension lines).
func openCheckpoint(vkey string, msg []byte) (checkpoint, error) {
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return checkpoint{}, fmt.Errorf("verifier key: %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return checkpoint{}, fmt.Errorf("note: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) != 3 {
		return checkpoint{}, fmt.Errorf("checkpoint has %d lines, want 3", len(lines))
	}
	if lines[0] == "" {
		return checkpoint{}, errors.New("checkpoint origin is empty")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("bad tree size %q", lines[1])
	}
	root, err := parseHash(lines[2])
	if err != nil {
		return checkpoint{}, err
	}
	return checkpoint{origin: lines[0], size: size, root: root}, nil
}

func parseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize || base64.StdEncoding.EncodeToString(b) != s {
		return h, fmt.Errorf("bad hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}

func parseHashLines(lines []string) ([]tlog.Hash, error) {
	var hashes []tlog.Hash
	for _, line := range lines {
		h, err := parseHash(line)
		if err != nil {
			return nil, err
		}
		hashes = append(hashes, h)
	}
	return hashes, nil
}

// checkProof parses and verifies a c2sp.org/tlog-proof@v1 text.
func checkProof(vkey, text string) error {
	split := strings.Index(text, "\n\n")
	if split < 0 {
		return errors.New("tlog-proof: no empty line before the checkpoint")
	}
	lines := strings.Split(text[:split], "\n")
	if lines[0] != proofHeader {
		return errors.New("tlog-proof: bad header line")
	}
	lines = lines[1:]
	var extra []byte
	if len(lines) > 0 && strings.HasPrefix(lines[0], "extra ") {
		b64 := strings.TrimPrefix(lines[0], "extra ")
		var err error
		extra, err = base64.StdEncoding.DecodeString(b64)
		if err != nil || base64.StdEncoding.EncodeToString(extra) != b64 {
			return errors.New("tlog-proof: bad extra line")
		}
		lines = lines[1:]
	} else {
		return errors.New("tlog-proof: no extra line with the entry")
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "index ") {
		return errors.New("tlog-proof: missing index line")
	}
	idx := strings.TrimPrefix(lines[0], "index ")
	index, err := strconv.ParseInt(idx, 10, 64)
	if err != nil || index < 0 || strconv.FormatInt(index, 10) != idx {
		return fmt.Errorf("tlog-proof: bad index %q", idx)
	}
	var proof tlog.RecordProof
	for _, line := range lines[1:] {
		h, err := parseHash(line)
		if err != nil {
			return fmt.Errorf("tlog-proof: %v", err)
		}
		proof = append(proof, h)
	}
	cp, err := openCheckpoint(vkey, []byte(text[split+2:]))
	if err != nil {
		return fmt.Errorf("tlog-proof checkpoint: %v", err)
	}
	if index >= cp.size {
		return fmt.Errorf("tlog-proof: index %d not below tree size %d", index, cp.size)
	}
	if err := tlog.CheckRecord(proof, cp.size, cp.root, index, tlog.RecordHash(extra)); err != nil {
		return fmt.Errorf("tlog-proof inclusion proof: %v", err)
	}
	return nil
}

const cosigAlg = 0x04

func cosigKeyID(name string, pub []byte) []byte {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', cosigAlg})
	h.Write(pub)
	return h.Sum(nil)[:4]
}

func cosigMessage(ts uint64, text string) []byte {
	return []byte(fmt.Sprintf("cosignature/v1\ntime %d\n%s", ts, text))
}

// splitNote splits a signed note at its last blank line into the text
// (with its final newline) and the signature lines.
func splitNote(note string) (string, []string, error) {
	i := strings.LastIndex(note, "\n\n")
	if i < 0 || !strings.HasSuffix(note, "\n") {
		return "", nil, errors.New("not a signed note")
	}
	sigs := strings.Split(strings.TrimSuffix(note[i+2:], "\n"), "\n")
	return note[:i+1], sigs, nil
}

// checkCosignature verifies the v1 cosignatures of the witness key vkey
// (name+hex id+base64(0x04||key)) on a checkpoint note; at least one must be
// there and all must verify. It returns the latest timestamp.
func checkCosignature(vkey, note string) (uint64, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return 0, errors.New("witness key: not name+id+key")
	}
	name := parts[0]
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 33 || key[0] != cosigAlg {
		return 0, errors.New("witness key: not a type 0x04 Ed25519 key")
	}
	pub := key[1:]
	id := cosigKeyID(name, pub)
	if hex.EncodeToString(id) != parts[1] {
		return 0, errors.New("witness key: key id does not match")
	}
	text, sigs, err := splitNote(note)
	if err != nil {
		return 0, err
	}
	var latest uint64
	found := false
	for _, line := range sigs {
		if !strings.HasPrefix(line, "\u2014 ") {
			return 0, fmt.Errorf("bad signature line %q", line)
		}
		fields := strings.SplitN(strings.TrimPrefix(line, "\u2014 "), " ", 2)
		if len(fields) != 2 || fields[0] != name {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(fields[1])
		if err != nil || len(sig) < 4 || !bytes.Equal(sig[:4], id) {
			continue
		}
		if len(sig) != 4+8+ed25519.SignatureSize {
			return 0, errors.New("cosignature has the wrong length")
		}
		ts := binary.BigEndian.Uint64(sig[4:12])
		if ts > 1<<63-1 {
			return 0, errors.New("cosignature timestamp above 2^63-1")
		}
		if !ed25519.Verify(ed25519.PublicKey(pub), cosigMessage(ts, text), sig[12:]) {
			return 0, fmt.Errorf("cosignature by %s at %d does not verify", name, ts)
		}
		found = true
		if ts > latest {
			latest = ts
		}
	}
	if !found {
		return 0, fmt.Errorf("no cosignature by %s", name)
	}
	return latest, nil
}

// cosign makes a witness key named name and adds its v1 cosignature at ts
// to the note; it returns the witness's verifier key and the new note.
func cosign(name string, ts uint64, note string) (string, string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	text, _, err := splitNote(note)
	if err != nil {
		return "", "", err
	}
	id := cosigKeyID(name, pub)
	sig := make([]byte, 0, 4+8+ed25519.SignatureSize)
	sig = append(sig, id...)
	sig = binary.BigEndian.AppendUint64(sig, ts)
	sig = append(sig, ed25519.Sign(priv, cosigMessage(ts, text))...)
	vkey := fmt.Sprintf("%s+%s+%s", name, hex.EncodeToString(id),
		base64.StdEncoding.EncodeToString(append([]byte{cosigAlg}, pub...)))
	line := fmt.Sprintf("\u2014 %s %s\n", name, base64.StdEncoding.EncodeToString(sig))
	return vkey, note + line, nil
}
