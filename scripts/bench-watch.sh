#!/usr/bin/env bash
# `candor watch` from scratch over a long log, reading it as C2SP tiles and
# through the proof endpoints (requests, bytes, time, peak memory, measured in
# this run), and its peak memory against hostile servers (an endless
# checkpoint, an endless trust.json, a server that drips one byte at a time).
# Prints a Markdown table for BENCHMARKS.md.
# Usage: scripts/bench-watch.sh [entries, default 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
ENTRIES=${1:-10000}
WORK=$(mktemp -d /tmp/candor-bench-watch.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

cargo build --release --locked -q -p candor
cargo build --release --locked -q --example fill_log -p candor-store-sqlite
CANDOR=$PWD/target/release/candor
target/release/examples/fill_log "$WORK/candor.db" bench "$ENTRIES" >/dev/null

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CANDOR_DATABASE_URL="sqlite://$WORK/candor.db" CANDOR_MASTER_KEY_FILE="$WORK/master.key" \
    "$CANDOR" serve --listen "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
pids+=($!)
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# One watch run: its JSON report plus wall time and peak RSS from GNU time.
watch() {
    local name=$1; shift
    /usr/bin/time -f '{"wall_s":%e,"max_rss_kib":%M}' -o "$WORK/$name.time" \
        "$CANDOR" watch "$@" --state "$WORK/$name.state" --json >"$WORK/$name.json" 2>"$WORK/$name.err" || true
}
watch proofs "http://127.0.0.1:$PORT/bench" --no-tiles
watch tiles "http://127.0.0.1:$PORT/bench"

# Hostile servers, a few lines of Python each: an endless checkpoint body, and
# one that drips a byte every 200 ms; anything else is passed to the real server.
cat >"$WORK/hostile.py" <<'PY'
import http.server, socketserver, sys, time, urllib.request
port, upstream, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        try:
            if mode == "endless" and self.path.endswith("/log/checkpoint"):
                self.send_response(200); self.send_header("Transfer-Encoding", "chunked"); self.end_headers()
                chunk = b"a" * 65536
                while True:
                    self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            if mode == "drip":
                self.send_response(200); self.send_header("Content-Length", "1000"); self.end_headers()
                while True:
                    self.wfile.write(b"a"); self.wfile.flush(); time.sleep(0.2)
        except OSError:
            return
        with urllib.request.urlopen(f"http://127.0.0.1:{upstream}{self.path}") as r:
            body = r.read()
        self.send_response(r.status); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
S(("127.0.0.1", port), H).serve_forever()
PY
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ENDLESS=$(free_port); python3 "$WORK/hostile.py" "$ENDLESS" "$PORT" endless & pids+=($!)
DRIP=$(free_port); python3 "$WORK/hostile.py" "$DRIP" "$PORT" drip & pids+=($!)
sleep 0.5
watch endless "http://127.0.0.1:$ENDLESS/bench"
watch drip "http://127.0.0.1:$DRIP/bench" --deadline 10

python3 - "$WORK" "$ENTRIES" <<'PY'
import json, os, sys
work, entries = sys.argv[1], int(sys.argv[2])
def load(name):
    # GNU time puts "Command exited with non-zero status N" first on failure.
    t = json.loads(open(f"{work}/{name}.time").read().strip().splitlines()[-1])
    try:
        r = json.load(open(f"{work}/{name}.json"))
    except Exception:
        r = {}
    r["err"] = open(f"{work}/{name}.err").read().strip().splitlines()[-1:] or [""]
    return r, t
print(f"`candor watch` from scratch over a log of {entries:,} revisions on loopback, {os.cpu_count()} cores (release build)\n")
print("| mode | exit | requests | bytes read | wall time | peak memory |")
print("|---|---|---:|---:|---:|---:|")
for name, label in [("proofs", "proof endpoints (`--no-tiles`)"), ("tiles", "C2SP tiles")]:
    r, t = load(name)
    ok = "0 verified" if r.get("ok") else r["err"][0][:60]
    print(f"| {label} | {ok} | {r.get('requests', 0):,} | {r.get('bytes', 0)/1e6:,.1f} MB | {t['wall_s']:.1f} s | {t['max_rss_kib']/1024:.1f} MiB |")
print("\nAgainst hostile servers (each run must stay under 64 MiB):\n")
print("| server | outcome | wall time | peak memory |")
print("|---|---|---:|---:|")
for name, label in [("endless", "endless checkpoint body"), ("drip", "one byte every 200 ms (`--deadline 10`)")]:
    r, t = load(name)
    print(f"| {label} | {r['err'][0][:90]} | {t['wall_s']:.1f} s | {t['max_rss_kib']/1024:.1f} MiB |")
PY
