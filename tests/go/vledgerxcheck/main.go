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
//
// Any failure prints one line to standard error and exits with status 1.
package main

import (
	"crypto/rand"
	"encoding/base64"
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
