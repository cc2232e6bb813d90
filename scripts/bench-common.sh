# Shell helpers the benchmark scripts share (sourced, not run).

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# CPU time (user + system, clock ticks) the given processes have used so far.
# Requests per second move with whatever else the shared machine runs; CPU time
# per request served holds up far better, so both are reported.
cpu_ticks() {
    local total=0 p
    for p in "$@"; do
        [ -r "/proc/$p/stat" ] || continue
        # Fields after the command name, which is in parentheses: utime is the
        # 12th and stime the 13th of them (fields 14 and 15 of the line).
        total=$((total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
    done
    echo "$total"
}
TICKS=$(getconf CLK_TCK)

# A throwaway PostgreSQL under $WORK/pg, as scripts/test.sh starts one, with an
# app role and a `candor` database: sets PG_BIN, PG_PORT, PG_CTL (stop it with
# "${PG_CTL[@]}" -m immediate stop), PG_APP and PG_OWNER (the two URLs).
start_throwaway_postgres() {
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    PG_PORT=$(free_port)
    mkdir -p "$WORK/pg"
    local run=()
    if [ "$(id -u)" = 0 ]; then chown postgres "$WORK/pg"; run=(runuser -u postgres --); fi
    "${run[@]}" "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust --no-sync >/dev/null
    "${run[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -o \
        "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $WORK/pg" start >/dev/null
    PG_CTL=("${run[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data")
    local admin="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    psql "$admin" -v ON_ERROR_STOP=1 -qc "CREATE ROLE candor_app LOGIN NOSUPERUSER NOBYPASSRLS"
    psql "$admin" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE candor"
    PG_APP="postgres://candor_app@127.0.0.1:$PG_PORT/candor"
    PG_OWNER="postgres://postgres@127.0.0.1:$PG_PORT/candor"
}
