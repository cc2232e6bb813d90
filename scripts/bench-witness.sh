#!/usr/bin/env bash
# Witness cosigning throughput (`candor witness serve`, release build): a log
# grown one entry at a time, each checkpoint submitted with its consistency
# proof (state synced to disk before each cosignature), then the same
# checkpoint submitted again (the refresh that keeps cosignatures fresh). And
# Go's x/mod tlog reading a log of a million entries as C2SP tiles, served by
# Candor's tile encoding. Prints Markdown for BENCHMARKS.md.
# Usage: scripts/bench-witness.sh [checkpoints, default 2000] [tile log entries, default 1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
ENTRIES=${2:-1000000}
WORK=$(mktemp -d /tmp/candor-bench-witness.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

cargo build --release --locked -q -p candor
cargo build --release --locked -q -p candor-log --example witness_load --example tile_server
LOAD=target/release/examples/witness_load
LOG_KEY=$("$LOAD" key)
target/release/candor witness serve --listen 127.0.0.1:0 --state-dir "$WORK/witness" \
    --name bench.example/witness --log "$LOG_KEY" --master-key-file "$WORK/master.key" \
    2>"$WORK/witness.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "serving on" "$WORK/witness.log" 2>/dev/null && break; sleep 0.1; done
line=$(grep "serving on" "$WORK/witness.log")
URL=$(echo "$line" | sed -E 's/.*serving on (http:[^ ]*) as .*/\1/')
WITNESS_KEY=${line##* as }
witness=$("$LOAD" run "$URL" "$WITNESS_KEY" "$N")

GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$WORK/gocache" CGO_ENABLED=0 GOFLAGS= \
    go build -o "$WORK/tiles" crates/candor-web/tests/oracle/tiles.go
target/release/examples/tile_server "$ENTRIES" >"$WORK/tiles.addr" &
pids+=($!)
for _ in $(seq 600); do [ -s "$WORK/tiles.addr" ] && break; sleep 0.1; done
read -r TILES_URL TILES_KEY <"$WORK/tiles.addr"
start=$(date +%s.%N)
# Every bundle's length is checked; every 997th record (and the last) is proven.
go_said=$(TILES_EVERY=997 "$WORK/tiles" "$TILES_URL" "$TILES_KEY")
go_secs=$(echo "$(date +%s.%N) - $start" | bc)

python3 - "$witness" "$go_said" "$go_secs" <<'PY'
import json, os, sys
w = json.loads(sys.argv[1])
go, secs = sys.argv[2].split(), float(sys.argv[3])
print(f"`candor witness serve` on loopback, one client, {os.cpu_count()} cores (release build)\n")
print("| submission | cosignatures per second |")
print("|---|---:|")
print(f"| a new checkpoint with its consistency proof ({w['checkpoints']:,}, each synced to disk before cosigning) | {w['adds_per_sec']:,.0f} |")
print(f"| the same checkpoint again (refreshing a cosignature) | {w['refreshes_per_sec']:,.0f} |")
print(f"\nGo's x/mod tlog reading a log of {int(go[1]):,} entries as C2SP tiles (the tree hash from the hash tiles, and every 997th record and the last, {int(go[2]):,} in all, read from its entry bundle and proven): `{' '.join(go)}` in {secs:.1f} s")
PY
