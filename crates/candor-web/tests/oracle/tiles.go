// A client of Candor's C2SP tlog-tiles that Candor did not write: Go's
// golang.org/x/mod/sumdb/tlog (Debian's golang-golang-x-mod-dev, built
// offline) reads the hash tiles through its TileHashReader, which checks every
// tile it reads against the signed tree head, and the entry bundles are split
// by hand per the spec.
//
// x/mod names tiles tile/H/L/NNN[.p/W] with the height in the path; C2SP has
// no height element (it is always 8), so this reader drops it.
//
// Usage: tiles BASE VKEY [OLD_SIZE:OLD_ROOT_BASE64 ...]
// BASE is https://host/org/log. Prints "ok <size> <records> <old trees>" or
// the first failure, and exits non-zero on failure. With TILES_EVERY=N in the
// environment, only every Nth record (and the last) is read and proven, for
// logs too long to prove whole (the benchmark's million entries).
package main

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...any) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

func get(url string) []byte {
	resp, err := http.Get(url)
	if err != nil {
		fail("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		fail("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return body
}

type reader struct {
	base     string
	requests int
	cache    map[string][]byte
}

func (r *reader) Height() int { return 8 }

// c2sp is the C2SP path of an x/mod tile: without the height element, and
// "entries" for x/mod's "data".
func c2sp(t tlog.Tile) string {
	parts := strings.SplitN(t.Path(), "/", 3) // tile, H, rest
	rest := parts[2]
	if strings.HasPrefix(rest, "data/") {
		rest = "entries/" + strings.TrimPrefix(rest, "data/")
	}
	return "tile/" + rest
}

func (r *reader) fetch(path string) []byte {
	if data, ok := r.cache[path]; ok {
		return data
	}
	r.requests++
	data := get(r.base + "/" + path)
	r.cache[path] = data
	return data
}

func (r *reader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		out[i] = r.fetch(c2sp(t))
	}
	return out, nil
}

func (r *reader) SaveTiles([]tlog.Tile, [][]byte) {}

func hash(s string) tlog.Hash {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		fail("bad hash %q", s)
	}
	var h tlog.Hash
	copy(h[:], b)
	return h
}

func main() {
	if len(os.Args) < 3 {
		fail("usage: tiles BASE VKEY [OLD_SIZE:OLD_ROOT ...]")
	}
	base, vkey := os.Args[1], os.Args[2]
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		fail("vkey: %v", err)
	}
	n, err := note.Open(get(base+"/checkpoint"), note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		fail("checkpoint body %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("size %q", lines[1])
	}
	tree := tlog.Tree{N: size, Hash: hash(lines[2])}
	r := &reader{base: base, cache: map[string][]byte{}}
	hr := tlog.TileHashReader(tree, r)

	th, err := tlog.TreeHash(size, hr)
	if err != nil || th != tree.Hash {
		fail("tree hash of size %d from the tiles: %v", size, err)
	}
	// Every record: its bytes from the entry bundles, proven in the tree.
	every := int64(1)
	if e, err := strconv.ParseInt(os.Getenv("TILES_EVERY"), 10, 64); err == nil && e > 0 {
		every = e
	}
	wanted := func(index int64) bool { return index%every == 0 || index == size-1 }
	records := int64(0)
	for start := int64(0); start < size; start += 256 {
		width := size - start
		if width > 256 {
			width = 256
		}
		any := false
		for i := start; i < start+width; i++ {
			any = any || wanted(i)
		}
		if !any {
			continue
		}
		tile := tlog.Tile{H: 8, L: -1, N: start / 256, W: int(width)}
		data := r.fetch(c2sp(tile))
		for i := int64(0); i < width; i++ {
			if len(data) < 2 {
				fail("entry bundle %s ends early", c2sp(tile))
			}
			l := int(binary.BigEndian.Uint16(data))
			if len(data) < 2+l {
				fail("entry bundle %s is truncated", c2sp(tile))
			}
			record := data[2 : 2+l]
			data = data[2+l:]
			index := start + i
			if !wanted(index) {
				continue
			}
			proof, err := tlog.ProveRecord(size, index, hr)
			if err != nil {
				fail("proving record %d: %v", index, err)
			}
			if err := tlog.CheckRecord(proof, size, tree.Hash, index, tlog.RecordHash(record)); err != nil {
				fail("record %d: %v", index, err)
			}
			records++
		}
		if len(data) != 0 {
			fail("entry bundle %s has %d bytes too many", c2sp(tile), len(data))
		}
	}
	// Earlier signed trees are prefixes of this one.
	for _, arg := range os.Args[3:] {
		sizeRoot := strings.SplitN(arg, ":", 2)
		old, err := strconv.ParseInt(sizeRoot[0], 10, 64)
		if err != nil || len(sizeRoot) != 2 {
			fail("old tree %q", arg)
		}
		proof, err := tlog.ProveTree(size, old, hr)
		if err != nil {
			fail("proving size %d in size %d: %v", old, size, err)
		}
		if err := tlog.CheckTree(proof, size, tree.Hash, old, hash(sizeRoot[1])); err != nil {
			fail("size %d is not a prefix of size %d: %v", old, size, err)
		}
	}
	fmt.Printf("ok %d %d %d\n", size, records, len(os.Args)-3)
}
