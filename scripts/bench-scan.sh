#!/usr/bin/env bash
# Benchmark: candor-verify scanning many hosts concurrently (bounded time and
# memory), against one host scanned alone in the same run. nginx serves every
# host name hN.candor.test as its own virtual host (HTTPS with security headers
# and security.txt, plain HTTP redirecting to it), so the figure is the scanner's:
# every check runs, with the Observatory-rules grade's redirect-following sessions.
#
#   scripts/bench-scan.sh [HOSTS=200] [IN_FLIGHT=50]
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${1:-200}
IN_FLIGHT=${2:-50}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d /tmp/candor-bench-scan.XXXXXX)
# nginx workers run as an unprivileged user and must read the files.
chmod 755 "$WORK"
NGINX_PID=
cleanup() { [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
python3 tests/support/corpus_server.py certs "$WORK/certs"
mkdir -p "$WORK/www"
echo '<!doctype html><title>host</title><p>ok' > "$WORK/www/index.html"
EXPIRES=$(date -u -d '+30 days' +%Y-%m-%dT00:00:00Z)
printf 'Contact: mailto:security@candor.test\nExpires: %s\n' "$EXPIRES" > "$WORK/www/security.txt"
chmod -R a+rX "$WORK/www"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HTTPS_PORT=$(free_port)
HTTP_PORT=$(free_port)
cat > "$WORK/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$HTTP_PORT;
        server_name *.candor.test;
        return 301 https://\$host:$HTTPS_PORT\$request_uri;
    }
    server {
        listen 127.0.0.1:$HTTPS_PORT ssl;
        server_name *.candor.test;
        ssl_certificate $WORK/certs/good.pem;
        ssl_certificate_key $WORK/certs/good.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $WORK/www;
        add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
        add_header Content-Security-Policy "default-src 'none'; frame-ancestors 'none'" always;
        add_header X-Content-Type-Options nosniff always;
        add_header Referrer-Policy no-referrer always;
        location = / { default_type text/html; try_files /index.html =404; }
        location = /.well-known/security.txt { default_type "text/plain; charset=utf-8"; try_files /security.txt =404; }
    }
}
CONF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" &
NGINX_PID=$!
for _ in $(seq 1 100); do curl -sfk "https://127.0.0.1:$HTTPS_PORT/" -H 'Host: h0.candor.test' >/dev/null && break; sleep 0.1; done
cargo run --quiet --release -p candor-verify --example scan_many -- \
    "$HOSTS" "$IN_FLIGHT" "$WORK/certs/ca.pem" "127.0.0.1:$HTTPS_PORT" "$HTTP_PORT"
