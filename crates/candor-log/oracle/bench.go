// Times Go's golang.org/x/mod/sumdb/tlog.CheckRecord on the proofs written by
// candor-log's log_bench example, for BENCHMARKS.md. Prints {"verify_ns": N}.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

type proofs struct {
	Size   int64  `json:"size"`
	Root   string `json:"root"`
	Proofs []struct {
		Index int64    `json:"index"`
		Leaf  string   `json:"leaf"`
		Proof []string `json:"proof"`
	} `json:"proofs"`
}

func hash(s string) tlog.Hash {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		panic("bad hash")
	}
	var h tlog.Hash
	copy(h[:], b)
	return h
}

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	var in proofs
	if err := json.NewDecoder(f).Decode(&in); err != nil {
		panic(err)
	}
	root := hash(in.Root)
	type prepared struct {
		index int64
		leaf  tlog.Hash
		proof tlog.RecordProof
	}
	cases := make([]prepared, len(in.Proofs))
	for i, p := range in.Proofs {
		proof := make(tlog.RecordProof, len(p.Proof))
		for j, h := range p.Proof {
			proof[j] = hash(h)
		}
		cases[i] = prepared{p.Index, hash(p.Leaf), proof}
	}
	start := time.Now()
	for _, c := range cases {
		if err := tlog.CheckRecord(c.proof, in.Size, root, c.index, c.leaf); err != nil {
			panic(err)
		}
	}
	fmt.Printf("{\"verify_ns\":%d}\n", time.Since(start).Nanoseconds()/int64(len(cases)))
}
