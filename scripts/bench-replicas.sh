#!/usr/bin/env bash
# Page throughput on PostgreSQL: GET /quillfeather from one `candor serve`
# directly, then through nginx (round robin, keep-alive) to one replica and to
# two replicas sharing one PostgreSQL, all in the same run, with wrk on
# loopback. Prints a Markdown table: requests/s, p50, p99 and Candor's CPU per
# request (all replicas' user + system time over the requests served).
# Usage: scripts/bench-replicas.sh [seconds per run, default 15] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
CONNECTIONS=${2:-64}

# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
cargo build --release --locked -p candor >&2
CANDOR=$PWD/target/release/candor

WORK=$(mktemp -d /tmp/candor-replicas.XXXXXX)
chmod 755 "$WORK"
pids=()
PG_CTL=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ ${#PG_CTL[@]} -gt 0 ] && "${PG_CTL[@]}" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

start_throwaway_postgres
export CANDOR_DATABASE_URL=$PG_APP
export CANDOR_MASTER_KEY_FILE="$WORK/master.key"
CANDOR_DATABASE_OWNER_URL=$PG_OWNER "$CANDOR" db migrate >/dev/null

start_replica() { # port name [args…]; prints the pid
    local port=$1 name=$2
    shift 2
    CANDOR_LOG=warn "$CANDOR" serve --listen "127.0.0.1:$port" "$@" >/dev/null 2>"$WORK/$name.log" &
    echo $!
}
wait_up() { for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done; echo "bench: replica on $1 did not start" >&2; exit 1; }
A_PORT=$(free_port)
A_PID=$(start_replica "$A_PORT" a --demo)
pids+=("$A_PID")
wait_up "$A_PORT"
B_PORT=$(free_port)
B_PID=$(start_replica "$B_PORT" b --no-worker)
pids+=("$B_PID")
wait_up "$B_PORT"

ONE_PORT=$(free_port)
TWO_PORT=$(free_port)
cat > "$WORK/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    upstream one { server 127.0.0.1:$A_PORT; keepalive 64; }
    upstream two { server 127.0.0.1:$A_PORT; server 127.0.0.1:$B_PORT; keepalive 64; }
    server { listen 127.0.0.1:$ONE_PORT; location / { proxy_pass http://one; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host; } }
    server { listen 127.0.0.1:$TWO_PORT; location / { proxy_pass http://two; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host; } }
}
CONF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$TWO_PORT/quillfeather" >/dev/null && break; sleep 0.1; done
# Both replicas serve the same page.
cmp <(curl -s "http://127.0.0.1:$A_PORT/quillfeather") <(curl -s "http://127.0.0.1:$B_PORT/quillfeather")

run() { # name url pid…
    local name=$1 url=$2
    shift 2
    wrk -t2 -c"$CONNECTIONS" -d2s "$url" >/dev/null
    local before after
    before=$(cpu_ticks "$@")
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" > "$WORK/$name.txt"
    after=$(cpu_ticks "$@")
    if grep -q "Non-2xx" "$WORK/$name.txt"; then echo "bench: $name answered non-2xx" >&2; cat "$WORK/$name.txt" >&2; exit 1; fi
    local rps p50 p99 requests
    rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/$name.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$WORK/$name.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$WORK/$name.txt")
    requests=$(awk '/requests in/ {print $1}' "$WORK/$name.txt")
    echo "| $name | $rps | $p50 | $p99 | $(python3 -c "print(f'{($after - $before) / $TICKS * 1e6 / $requests:.1f}')") µs |"
}
echo "GET /quillfeather on PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), wrk -t2 -c$CONNECTIONS -d${DURATION}s, $(nproc) cores, commit $(git rev-parse --short HEAD), $(date -u +%F)"
echo
echo "| setup | requests/s | p50 | p99 | Candor CPU per request |"
echo "|---|---:|---:|---:|---:|"
run "one replica, direct" "http://127.0.0.1:$A_PORT/quillfeather" "$A_PID"
run "one replica, via nginx" "http://127.0.0.1:$ONE_PORT/quillfeather" "$A_PID"
run "two replicas, via nginx" "http://127.0.0.1:$TWO_PORT/quillfeather" "$A_PID" "$B_PID"
