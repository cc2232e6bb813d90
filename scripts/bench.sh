#!/usr/bin/env bash
# Throughput of GET /{org} against nginx serving the same page as a static file,
# both measured in this run on loopback with wrk. Prints a Markdown table.
# Usage: scripts/bench.sh [seconds per run, default 15] [connections, default 64]
# With CANDOR_BENCH_BASELINE=REV (a commit), that commit is built too (release, in
# its own worktree and target dir, kept for the next run) and measured in the same
# run, so a change's cost is read against its base on the same machine state.
# CANDOR_BENCH_SERVE_ARGS: extra `candor serve` flags for this commit's server only
# (e.g. "--metrics-listen 127.0.0.1:0", to price a feature against the baseline).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
CONNECTIONS=${2:-64}
THREADS=2

# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release --locked -p candor >&2
BASELINE=${CANDOR_BENCH_BASELINE:-}
if [ -n "$BASELINE" ]; then
    BASELINE_REV=$(git rev-parse --short "$BASELINE^{commit}")
    BASELINE_TREE=target/bench-baseline/tree-$BASELINE_REV
    [ -d "$BASELINE_TREE" ] || git worktree add --detach "$BASELINE_TREE" "$BASELINE_REV" >&2
    CARGO_TARGET_DIR=$PWD/target/bench-baseline/target cargo build --release --locked -p candor \
        --manifest-path "$BASELINE_TREE/Cargo.toml" >&2
    BASELINE_BIN=$PWD/target/bench-baseline/target/release/candor
fi
WORK=$(mktemp -d /tmp/candor-bench.XXXXXX)
# nginx workers run as an unprivileged user and must read the page.
chmod 755 "$WORK"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

CANDOR_PORT=$(free_port)
NGINX_PORT=$(free_port)

start_candor() { # binary port name [extra serve flags…]; prints the pid
    CANDOR_LOG=warn CANDOR_MASTER_KEY_FILE="$WORK/$3.key" "$1" --database-url "sqlite://$WORK/$3.db" \
        serve --demo --listen "127.0.0.1:$2" "${@:4}" >/dev/null 2>"$WORK/$3.log" &
    echo $!
}
# shellcheck disable=SC2086 # the extra flags are separate words on purpose
CANDOR_PID=$(start_candor target/release/candor "$CANDOR_PORT" candor ${CANDOR_BENCH_SERVE_ARGS:-})
pids+=($CANDOR_PID)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$CANDOR_PORT/healthz" >/dev/null && break; sleep 0.1; done
if [ -n "$BASELINE" ]; then
    BASELINE_PORT=$(free_port)
    BASELINE_PID=$(start_candor "$BASELINE_BIN" "$BASELINE_PORT" baseline)
    pids+=($BASELINE_PID)
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$BASELINE_PORT/healthz" >/dev/null && break; sleep 0.1; done
fi

mkdir -p "$WORK/www"
curl -sf "http://127.0.0.1:$CANDOR_PORT/quillfeather" -o "$WORK/www/quillfeather.html"
cat > "$WORK/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types { text/html html; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/www;
        location = /quillfeather { default_type text/html; try_files /quillfeather.html =404; }
    }
}
CONF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$NGINX_PORT/quillfeather" >/dev/null && break; sleep 0.1; done
cmp <(curl -s "http://127.0.0.1:$NGINX_PORT/quillfeather") "$WORK/www/quillfeather.html"


run() { # name url pid…
    local name=$1 url=$2
    shift 2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$url" >/dev/null # warm-up
    local before after
    before=$(cpu_ticks "$@")
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" > "$WORK/$name.txt"
    after=$(cpu_ticks "$@")
    local rps p50 p99 requests cpu_us
    rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/$name.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$WORK/$name.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$WORK/$name.txt")
    requests=$(awk '/requests in/ {print $1}' "$WORK/$name.txt")
    if grep -q "Non-2xx" "$WORK/$name.txt"; then echo "bench: $name answered non-2xx responses" >&2; cat "$WORK/$name.txt" >&2; exit 1; fi
    cpu_us=$(python3 -c "print(f'{($after - $before) / $TICKS * 1e6 / $requests:.1f}')")
    echo "$rps $p50 $p99 $cpu_us"
}
NGINX_MASTER=$(cat "$WORK/nginx.pid")
# shellcheck disable=SC2046 # the worker pids are separate words on purpose
read -r n_rps n_p50 n_p99 n_cpu < <(run nginx "http://127.0.0.1:$NGINX_PORT/quillfeather" "$NGINX_MASTER" $(pgrep -P "$NGINX_MASTER"))
read -r c_rps c_p50 c_p99 c_cpu < <(run candor "http://127.0.0.1:$CANDOR_PORT/quillfeather" "$CANDOR_PID")
if [ -n "$BASELINE" ]; then
    read -r b_rps b_p50 b_p99 b_cpu < <(run baseline "http://127.0.0.1:$BASELINE_PORT/quillfeather" "$BASELINE_PID")
fi
bytes=$(wc -c < "$WORK/www/quillfeather.html")
ratio=$(python3 -c "print(f'{$c_rps / $n_rps:.2f}')")
cpu_ratio=$(python3 -c "print(f'{$c_cpu / $n_cpu:.2f}')")

cat <<REPORT
GET /quillfeather ($bytes bytes), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on 127.0.0.1, $(nproc) cores, $(date -u +%Y-%m-%d)

| server | requests/s | p50 | p99 | CPU per request |
|---|---:|---:|---:|---:|
| nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') (static file) | $n_rps | $n_p50 | $n_p99 | $n_cpu µs |
| candor (SQLite, release${CANDOR_BENCH_SERVE_ARGS:+, $CANDOR_BENCH_SERVE_ARGS}) | $c_rps | $c_p50 | $c_p99 | $c_cpu µs |

candor / nginx requests per second: **$ratio**; CPU per request: **$cpu_ratio** (commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown))
REPORT
if [ -n "$BASELINE" ]; then
    b_ratio=$(python3 -c "print(f'{$b_cpu / $n_cpu:.2f}')")
    change=$(python3 -c "print(f'{($c_cpu / $b_cpu - 1) * 100:+.1f}')")
    cat <<REPORT

| candor at $BASELINE_REV (baseline, same run) | $b_rps | $b_p50 | $b_p99 | $b_cpu µs |

baseline / nginx CPU per request: **$b_ratio**; this commit against the baseline: **$change %** CPU per request
REPORT
fi
