#!/usr/bin/env bash
# Transparency-log benchmarks: durable publishes on SQLite, and Merkle proofs at a
# million entries, with Go's x/mod tlog verifying the very same proofs.
# Prints a Markdown table for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "bench-log.sh: needs golang-go and golang-golang-x-mod-dev" >&2; exit 1; }
WORK=$(mktemp -d /tmp/candor-bench-log.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

cargo build --release --locked -q --example log_bench -p candor-log
cargo build --release --locked -q --example publish_bench -p candor-store-sqlite
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$WORK/cache" CGO_ENABLED=0 GOFLAGS= \
    go build -o "$WORK/gobench" crates/candor-log/oracle/bench.go

rust=$(target/release/examples/log_bench "$WORK/proofs.json")
gov=$("$WORK/gobench" "$WORK/proofs.json")
publish=$(target/release/examples/publish_bench)

python3 - "$rust" "$gov" "$publish" <<'PY'
import json, sys
rust, go, pub = (json.loads(a) for a in sys.argv[1:4])
print(f"Merkle log of {rust['entries']:,} entries, 10,000 inclusion proofs spread over it, {__import__('os').cpu_count()} cores\n")
print("| measure | candor-log (Rust) | Go x/mod tlog | candor / Go time |")
print("|---|---:|---:|---:|")
print(f"| verify one inclusion proof | {rust['verify_ns']/1000:.2f} µs | {go['verify_ns']/1000:.2f} µs | {rust['verify_ns']/go['verify_ns']:.2f} |")
print(f"| generate one inclusion proof (from stored subtree hashes) | {rust['prove_ns']/1000:.2f} µs | — | — |")
print(f"| append (in memory, hashing only) | {rust['appends_per_sec']:,.0f} /s | — | — |")
print(f"| durable publish on SQLite (revision + log entry + Merkle nodes + audit entry, one fsync'd transaction) | {pub['per_sec']:,.0f} /s | — | — |")
PY
