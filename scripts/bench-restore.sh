#!/usr/bin/env bash
# The restore drill on the demo data set, timed: serve the demo, back up,
# publish two more revisions per org that readers see (a mirror keeps the
# public log), lose the database, then restore, recover every org's log from
# the mirror and serve again. The recovery time (RTO) is from the loss to the
# first trust page served again. Prints a Markdown table.
# Usage: scripts/bench-restore.sh [runs, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}

# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
cargo build --release --locked -p candor >&2
BIN=$PWD/target/release/candor
WORK=$(mktemp -d /tmp/candor-bench-restore.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export CANDOR_MASTER_KEY_FILE=$WORK/master.key CANDOR_DATABASE_URL=sqlite://$WORK/candor.db CANDOR_LOG=warn
ORGS=(quillfeather harborlight)

now() { date +%s.%N; }
serve() { # port [flags…]; prints the pid
    "$BIN" serve --listen "127.0.0.1:$1" "${@:2}" >/dev/null 2>>"$WORK/serve.log" &
    echo $!
}
until_page() { # port
    until curl -sf "http://127.0.0.1:$1/quillfeather" >/dev/null; do sleep 0.01; done
}
mirror() { # base dir org
    local size i
    size=$(curl -sf "$1/$3/log/checkpoint" | sed -n 2p)
    mkdir -p "$2/$3/log/entries" "$2/api/v1/orgs/$3/revisions"
    curl -sf "$1/$3/log/checkpoint" -o "$2/$3/log/checkpoint"
    for ((i = 0; i < size; i++)); do
        curl -sf "$1/$3/log/entries/$i" -o "$2/$3/log/entries/$i"
        curl -sf "$1/api/v1/orgs/$3/revisions/$((i + 1))" -o "$2/api/v1/orgs/$3/revisions/$((i + 1))"
    done
}

rows=()
for run in $(seq 1 "$RUNS"); do
    rm -rf "$WORK/candor.db"* "$WORK/mirror" "$WORK/backup.json"
    port=$(free_port)
    pid=$(serve "$port" --demo)
    pids+=("$pid")
    until_page "$port"
    "$BIN" backup create -o "$WORK/backup.json" >/dev/null
    for org in "${ORGS[@]}"; do
        "$BIN" export --org "$org" > "$WORK/$org.yaml"
        for n in 1 2; do
            sed "s/^\(\s*\)rto_minutes: [0-9]*/\1rto_minutes: $((run * 10 + n))/" "$WORK/$org.yaml" > "$WORK/next.yaml"
            "$BIN" apply "$WORK/next.yaml" --org "$org" >/dev/null
            "$BIN" publish --org "$org" >/dev/null
        done
        mirror "http://127.0.0.1:$port" "$WORK/mirror" "$org"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
    mirror_port=$(free_port)
    python3 -m http.server "$mirror_port" --bind 127.0.0.1 --directory "$WORK/mirror" >/dev/null 2>&1 &
    mirror_pid=$!
    pids+=("$mirror_pid")
    until curl -sf "http://127.0.0.1:$mirror_port/quillfeather/log/checkpoint" >/dev/null; do sleep 0.05; done

    # The loss, and the recovery.
    rm -f "$WORK/candor.db" "$WORK/candor.db-wal" "$WORK/candor.db-shm"
    t0=$(now)
    "$BIN" backup restore "$WORK/backup.json" >/dev/null
    t1=$(now)
    for org in "${ORGS[@]}"; do
        "$BIN" log recover --org "$org" --from "http://127.0.0.1:$mirror_port" >/dev/null
    done
    t2=$(now)
    port=$(free_port)
    pid=$(serve "$port")
    pids+=("$pid")
    until_page "$port"
    t3=$(now)
    kill "$pid" "$mirror_pid"; wait "$pid" "$mirror_pid" 2>/dev/null || true
    for org in "${ORGS[@]}"; do "$BIN" log verify --org "$org" >/dev/null; done
    rows+=("$(python3 -c "print(f'| {$run} | {($t1-$t0)*1000:.0f} ms | {($t2-$t1)*1000:.0f} ms | {($t3-$t2)*1000:.0f} ms | **{($t3-$t0)*1000:.0f} ms** |')")")
done

cat <<REPORT
Restore drill on the demo data set (2 orgs, 4 revisions in the backup, 4 more recovered from a mirror), $(nproc) cores, $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD)

| run | restore (verify + write + hold) | recover both logs from the mirror | serve the first page | RTO |
|---|---:|---:|---:|---:|
$(printf '%s\n' "${rows[@]}")
REPORT
