#!/usr/bin/env bash
# Re-runs the peer scanners nobody here wrote on the local corpus of servers and
# writes their verdicts as golden files, which the normal test run compares with
# Candor's (crates/candor-verify/tests/peers.rs) without installing the tools.
#
#   scripts/peer-check.sh
#
# Peers: the MDN HTTP Observatory (npm @mdn/mdn-http-observatory, installed with
# --ignore-scripts into .peer-tools/), on every corpus server and on Candor's own
# demo served over its own TLS; sslyze (PyPI, into .peer-tools/py) on every corpus
# server's TLS. PyPI sectxt is run by the test itself.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=$ROOT/.peer-tools
OBS=$TOOLS/node_modules/@mdn/mdn-http-observatory
if [ ! -d "$OBS" ]; then
    mkdir -p "$TOOLS"
    (cd "$TOOLS" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error @mdn/mdn-http-observatory)
fi
# Its install script would download the HSTS preload list; local hosts are on no list.
[ -f "$OBS/conf/hsts-preload.json" ] || echo '{}' > "$OBS/conf/hsts-preload.json"
# sslyze (PyPI) for TLS: protocols accepted and the certificate's validation.
SSLYZE=$TOOLS/py
if ! PYTHONPATH=$SSLYZE python3 -c 'import sslyze' 2>/dev/null; then
    python3 -m pip install --quiet --target "$SSLYZE" sslyze
fi

cargo build --quiet -p candor
WORK=$(mktemp -d /tmp/candor-peers.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 tests/support/corpus_server.py certs "$WORK/certs"
OUT=crates/candor-verify/corpus/golden/observatory.json
mkdir -p "$(dirname "$OUT")"
TLS_OUT=crates/candor-verify/corpus/golden/sslyze.json
python3 - "$WORK" "$OBS" "$OUT" "$SSLYZE" "$TLS_OUT" <<'PY'
import datetime, json, os, subprocess, sys
work, obs, out, sslyze_path, tls_out = sys.argv[1:]
cases = json.load(open("crates/candor-verify/corpus/servers.json"))
golden = {"_tool": "MDN HTTP Observatory " + json.load(open(os.path.join(obs, "package.json")))["version"]}
sslyze_version = subprocess.run(["python3", "-c", "import importlib.metadata as m; print(m.version('sslyze'))"],
                                env=dict(os.environ, PYTHONPATH=sslyze_path), capture_output=True, text=True).stdout.strip()
tls_golden = {"_tool": "sslyze " + sslyze_version}
PROTOCOLS = ["ssl_2_0", "ssl_3_0", "tls_1_0", "tls_1_1", "tls_1_2", "tls_1_3"]


def sslyze(port):
    """sslyze's verdicts, normalised: protocols accepted, whether the chain
    validates (with the host name) against the test CA, and how far expiry is."""
    path = f"{work}/sslyze.json"
    subprocess.run(["python3", "-m", "sslyze", "--sslv2", "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2",
                    "--tlsv1_3", "--certinfo", "--certinfo_ca_file", f"{work}/certs/ca.pem",
                    "--mozilla_config", "disable", "--quiet", "--json_out", path, f"127.0.0.1:{port}"],
                   env=dict(os.environ, PYTHONPATH=sslyze_path), check=True, timeout=300)
    result = json.load(open(path))["server_scan_results"][0]["scan_result"]
    accepted = [p for p in PROTOCOLS
                if (result[p + "_cipher_suites"].get("result") or {}).get("accepted_cipher_suites")]
    deployment = result["certificate_info"]["result"]["certificate_deployments"][0]
    trusted = any(v["was_validation_successful"] for v in deployment["path_validation_results"]
                  if v["trust_store"]["name"] == "Supplied CA file")
    not_after = datetime.datetime.fromisoformat(
        deployment["received_certificate_chain"][0]["not_valid_after"].replace("Z", "+00:00"))
    days = (not_after - datetime.datetime.now(datetime.timezone.utc)).days
    expiry = "expired" if days < 0 else "under_30_days" if days < 30 else "ok"
    return {"accepted": accepted, "trusted": trusted, "expiry": expiry}

for case in cases:
    config = {"cert": f"{work}/certs/{case['cert']}.pem", "key": f"{work}/certs/{case['cert']}.key",
              "headers": case["headers"], "http": case["http"],
              "files": case.get("files", {}), "options_headers": case.get("options_headers", [])}
    for key in ("tls_min", "tls_max"):
        if key in case:
            config[key] = case[key]
    path = f"{work}/{case['name']}.json"
    json.dump(config, open(path, "w"))
    server = subprocess.Popen(["python3", "tests/support/corpus_server.py", "serve", path],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ports = json.loads(server.stdout.readline())
    env = dict(os.environ, NODE_EXTRA_CA_CERTS=f"{work}/certs/ca.pem")
    result = subprocess.run(["node", "scripts/peers/observatory.mjs", obs, "127.0.0.1",
                             str(ports["http"] or "-"), str(ports["https"])],
                            capture_output=True, text=True, env=env, timeout=120)
    tls_golden[case["name"]] = sslyze(ports["https"])
    print(case["name"], tls_golden[case["name"]], file=sys.stderr)
    server.kill()
    try:
        golden[case["name"]] = json.loads(result.stdout)
    except json.JSONDecodeError:
        golden[case["name"]] = {"error": (result.stderr or result.stdout).strip()[-300:]}
    print(case["name"], golden[case["name"]].get("grade", golden[case["name"]].get("error")), file=sys.stderr)
# Candor itself: the demo over its own TLS with its plain-HTTP redirect, the org on
# the host it is scanned as.
db = f"{work}/candor.db"
env = dict(os.environ, CANDOR_DATABASE_URL=f"sqlite://{db}", CANDOR_MASTER_KEY_FILE=f"{work}/master.key")
binary = "target/debug/candor"
subprocess.run([binary, "org", "create", "quillfeather", "--name", "Quillfeather Analytics"], env=env, check=True, capture_output=True)
subprocess.run([binary, "org", "set-host", "quillfeather", "127.0.0.1"], env=env, check=True, capture_output=True)
server = subprocess.Popen([binary, "serve", "--demo", "--listen", "127.0.0.1:0",
                           "--tls-cert", f"{work}/certs/good.pem", "--tls-key", f"{work}/certs/good.key",
                           "--http-redirect-listen", "127.0.0.1:0"],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
http_port = "-"
for line in server.stderr:
    if line.startswith("candor: redirecting http://"):
        http_port = line.split("/")[2].rsplit(":", 1)[1]
    if line.startswith("candor: serving on "):
        port = line.strip().rsplit(":", 1)[1].rstrip("/")
        break
result = subprocess.run(["node", "scripts/peers/observatory.mjs", obs, "127.0.0.1", http_port, port],
                        capture_output=True, text=True,
                        env=dict(os.environ, NODE_EXTRA_CA_CERTS=f"{work}/certs/ca.pem"), timeout=120)
server.terminate()
server.wait()
golden["candor-demo"] = json.loads(result.stdout)
print("candor-demo", golden["candor-demo"].get("grade"), file=sys.stderr)
for path, data in ((out, golden), (tls_out, tls_golden)):
    json.dump(data, open(path, "w"), indent=1, sort_keys=True)
    open(path, "a").write("\n")
PY
echo "peer-check: wrote $OUT and $TLS_OUT" >&2
