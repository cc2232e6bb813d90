#!/usr/bin/env bash
# Benchmark: candor-verify scanning many hosts concurrently (bounded time and
# memory), against one host scanned alone in the same run. One local TLS server
# (tests/support/corpus_server.py) stands in for every host.
#
#   scripts/bench-scan.sh [HOSTS=200] [IN_FLIGHT=50]
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${1:-200}
IN_FLIGHT=${2:-50}
WORK=$(mktemp -d /tmp/candor-bench-scan.XXXXXX)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 tests/support/corpus_server.py certs "$WORK/certs"
cat > "$WORK/server.json" <<JSON
{"cert": "$WORK/certs/good.pem", "key": "$WORK/certs/good.key",
 "headers": [["Strict-Transport-Security", "max-age=63072000; includeSubDomains"],
             ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"]]}
JSON
mkfifo "$WORK/in"
python3 tests/support/corpus_server.py serve "$WORK/server.json" < "$WORK/in" > "$WORK/ports" &
SERVER=$!
exec 3> "$WORK/in"
for _ in $(seq 50); do [ -s "$WORK/ports" ] && break; sleep 0.1; done
PORT=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['https'])" "$WORK/ports")
cargo run --quiet --release -p candor-verify --example scan_many -- "$HOSTS" "$IN_FLIGHT" "$WORK/certs/ca.pem" "127.0.0.1:$PORT"
