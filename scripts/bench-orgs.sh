#!/usr/bin/env bash
# Many orgs: N orgs (10,000 by default), each with small content and one
# revision, on SQLite and on PostgreSQL. For each backend, one `candor serve`
# (no worker) is measured for: its memory before and after every org's page was
# requested once; the first request's latency per org (cold: the page is
# rendered), every org once in random order over one keep-alive connection;
# then steady-state throughput over all orgs in random order (wrk) against
# nginx serving the same N pages as files. The same with a page cache bounded
# below N shows memory staying flat. Prints Markdown tables.
# Usage: scripts/bench-orgs.sh [orgs, default 10000] [seconds per run, default 15] [bounded cache, default 1000]
set -euo pipefail
cd "$(dirname "$0")/.."
ORGS=${1:-10000}
DURATION=${2:-15}
BOUND=${3:-1000}
CONNECTIONS=64

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
cargo build --release --locked -p candor --bin candor --example seed_orgs >&2
CANDOR=$PWD/target/release/candor
SEED=$PWD/target/release/examples/seed_orgs

WORK=$(mktemp -d /tmp/candor-orgs.XXXXXX)
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
export CANDOR_MASTER_KEY_FILE="$WORK/master.key" CANDOR_LOG=warn

start_throwaway_postgres
SQLITE="sqlite://$WORK/candor.db"

CANDOR_DATABASE_OWNER_URL=$PG_OWNER CANDOR_DATABASE_URL=$PG_APP "$CANDOR" db migrate >/dev/null
echo "bench: seeding $ORGS orgs on SQLite and on PostgreSQL" >&2
t0=$(date +%s.%N); "$SEED" "$SQLITE" "$ORGS" >/dev/null; t1=$(date +%s.%N)
SEED_SQLITE=$(python3 -c "print(f'{$t1 - $t0:.0f}')")
t0=$(date +%s.%N); "$SEED" "$PG_APP" "$ORGS" "$PG_OWNER" >/dev/null; t1=$(date +%s.%N)
SEED_PG=$(python3 -c "print(f'{$t1 - $t0:.0f}')")

cat > "$WORK/random.lua" <<'LUA'
local orgs = tonumber(os.getenv("ORGS"))
math.randomseed(7)
request = function()
    return wrk.format("GET", "/org-" .. math.random(1, orgs))
end
LUA

# Every org's page once, in random order, over one keep-alive connection:
# the latency of each first request; with a directory, the pages are saved.
cold() { # port [dir]
    python3 - "$1" "$ORGS" "${2:-}" <<'PY'
import http.client, random, sys, time, os
port, orgs, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
order = list(range(1, orgs + 1))
random.Random(11).shuffle(order)
conn = http.client.HTTPConnection("127.0.0.1", port)
times = []
for n in order:
    t = time.perf_counter()
    conn.request("GET", f"/org-{n}")
    r = conn.getresponse()
    body = r.read()
    times.append(time.perf_counter() - t)
    if r.status != 200:
        sys.exit(f"org-{n}: {r.status}")
    if out:
        with open(os.path.join(out, f"org-{n}.html"), "wb") as f:
            f.write(body)
times.sort()
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000
print(f"{pick(0.5):.2f} {pick(0.99):.2f} {times[-1] * 1000:.1f}")
PY
}
rss_mib() { python3 -c "print(f'{$(ps -o rss= -p "$1") / 1024:.0f}')"; }

wrk_run() { # name port pid…; prints "rps p50 p99 cpu"
    local name=$1 port=$2
    shift 2
    ORGS=$ORGS wrk -t2 -c"$CONNECTIONS" -d2s -s "$WORK/random.lua" "http://127.0.0.1:$port" >/dev/null
    local before after
    before=$(cpu_ticks "$@")
    ORGS=$ORGS wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/random.lua" "http://127.0.0.1:$port" > "$WORK/$name.txt"
    after=$(cpu_ticks "$@")
    if grep -q "Non-2xx" "$WORK/$name.txt"; then echo "bench: $name answered non-2xx" >&2; cat "$WORK/$name.txt" >&2; exit 1; fi
    local rps p50 p99 requests
    rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/$name.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$WORK/$name.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$WORK/$name.txt")
    requests=$(awk '/requests in/ {print $1}' "$WORK/$name.txt")
    echo "$rps $p50 $p99 $(python3 -c "print(f'{($after - $before) / $TICKS * 1e6 / $requests:.1f}')")"
}

rows=()
measure() { # label url cache-entries revalidate-ms [pages dir]
    local label=$1 url=$2 entries=$3 revalidate=$4 dir=${5:-}
    local port pid idle after_all
    port=$(free_port)
    CANDOR_DATABASE_URL=$url "$CANDOR" serve --no-worker --listen "127.0.0.1:$port" \
        --page-cache-entries "$entries" --page-revalidate-ms "$revalidate" >/dev/null 2>"$WORK/serve.log" &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    idle=$(rss_mib "$pid")
    read -r c50 c99 cmax < <(cold "$port" "$dir")
    after_all=$(rss_mib "$pid")
    read -r rps p50 p99 cpu < <(wrk_run "$label" "$port" "$pid")
    local after_wrk
    after_wrk=$(rss_mib "$pid")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rows+=("| $label | $entries | $revalidate ms | $idle MiB | $after_all MiB | $after_wrk MiB | $c50 / $c99 / $cmax ms | $rps | $p50 | $p99 | $cpu µs |")
}

mkdir -p "$WORK/www"
measure "candor, SQLite" "$SQLITE" "$ORGS" 1000 "$WORK/www"
measure "candor, SQLite, checked every 10 s" "$SQLITE" "$ORGS" 10000
measure "candor, SQLite, bounded cache" "$SQLITE" "$BOUND" 1000
measure "candor, PostgreSQL" "$PG_APP" "$ORGS" 1000
measure "candor, PostgreSQL, checked every 10 s" "$PG_APP" "$ORGS" 10000
measure "candor, PostgreSQL, bounded cache" "$PG_APP" "$BOUND" 1000

NGINX_PORT=$(free_port)
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
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/www;
        location ~ ^/(org-[0-9]+)\$ { default_type text/html; try_files /\$1.html =404; }
    }
}
CONF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$NGINX_PORT/org-1" >/dev/null && break; sleep 0.1; done
cmp <(curl -s "http://127.0.0.1:$NGINX_PORT/org-$ORGS") "$WORK/www/org-$ORGS.html"
NGINX_MASTER=$(cat "$WORK/nginx.pid")
# shellcheck disable=SC2046 # the worker pids are separate words on purpose
read -r n_rps n_p50 n_p99 n_cpu < <(wrk_run nginx "$NGINX_PORT" "$NGINX_MASTER" $(pgrep -P "$NGINX_MASTER"))
bytes=$(du -sk "$WORK/www" | awk '{print $1}')

cat <<REPORT
$ORGS orgs (one revision each, pages of $(wc -c < "$WORK/www/org-1.html") bytes, $((bytes / 1024)) MiB in all), wrk -t2 -c$CONNECTIONS -d${DURATION}s over every org in random order, $(nproc) cores, commit $(git rev-parse --short HEAD), $(date -u +%F). Seeding took ${SEED_SQLITE} s on SQLite and ${SEED_PG} s on PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}').

| server | page cache entries | page checked every | memory at start | after every org once | after the wrk run | first request per org: p50 / p99 / max | requests/s | p50 | p99 | CPU per request |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(printf '%s\n' "${rows[@]}")
| nginx (the same $ORGS pages as files) | | | | | | | $n_rps | $n_p50 | $n_p99 | $n_cpu µs |
REPORT
