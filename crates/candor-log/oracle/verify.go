// An independent check of candor-log's output, using Go's golang.org/x/mod
// sumdb/tlog and sumdb/note (Debian's golang-golang-x-mod-dev, built offline).
// Reads one JSON document on stdin, prints "ok <count>" or the first failure.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusion struct {
	Index int64    `json:"index"`
	Size  int64    `json:"size"`
	Leaf  string   `json:"leaf"`
	Proof []string `json:"proof"`
	Root  string   `json:"root"`
}

type consistency struct {
	Old     int64    `json:"old"`
	New     int64    `json:"new"`
	OldRoot string   `json:"old_root"`
	NewRoot string   `json:"new_root"`
	Proof   []string `json:"proof"`
}

type input struct {
	VerifierKey string        `json:"vkey"`
	Notes       []string      `json:"notes"`
	Inclusion   []inclusion   `json:"inclusion"`
	Consistency []consistency `json:"consistency"`
	// Cases that must FAIL: a wrong answer here means the oracle checks nothing.
	BadInclusion []inclusion `json:"bad_inclusion"`
	BadNotes     []string    `json:"bad_notes"`
}

func hash(s string) tlog.Hash {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		fail("bad hash %q", s)
	}
	var h tlog.Hash
	copy(h[:], b)
	return h
}

func hashes(list []string) []tlog.Hash {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		out[i] = hash(s)
	}
	return out
}

func fail(format string, args ...any) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail("reading input: %v", err)
	}
	count := 0
	verifier, err := note.NewVerifier(in.VerifierKey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	for _, msg := range in.Notes {
		if _, err := note.Open([]byte(msg), note.VerifierList(verifier)); err != nil {
			fail("note did not verify: %v\n%s", err, msg)
		}
		count++
	}
	for _, msg := range in.BadNotes {
		if _, err := note.Open([]byte(msg), note.VerifierList(verifier)); err == nil {
			fail("a tampered note verified:\n%s", msg)
		}
	}
	for _, c := range in.Inclusion {
		if err := tlog.CheckRecord(hashes(c.Proof), c.Size, hash(c.Root), c.Index, hash(c.Leaf)); err != nil {
			fail("inclusion index=%d size=%d: %v", c.Index, c.Size, err)
		}
		count++
	}
	for _, c := range in.BadInclusion {
		if err := tlog.CheckRecord(hashes(c.Proof), c.Size, hash(c.Root), c.Index, hash(c.Leaf)); err == nil {
			fail("a wrong inclusion proof verified: index=%d size=%d", c.Index, c.Size)
		}
	}
	for _, c := range in.Consistency {
		if err := tlog.CheckTree(hashes(c.Proof), c.New, hash(c.NewRoot), c.Old, hash(c.OldRoot)); err != nil {
			fail("consistency %d -> %d: %v", c.Old, c.New, err)
		}
		count++
	}
	fmt.Printf("ok %d\n", count)
}
