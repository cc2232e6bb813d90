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
