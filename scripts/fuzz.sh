#!/usr/bin/env bash
# Fuzzes a parser: scripts/fuzz.sh [trust_yaml|trust_json|security_txt|page_policies] [seconds, default 120].
# Needs cargo-fuzz (`cargo install cargo-fuzz`); RUSTC_BOOTSTRAP lets the stable
# toolchain accept the sanitizer flags cargo-fuzz passes.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
TARGET=${1:-trust_yaml}
SECONDS_TO_RUN=${2:-120}
mkdir -p "corpus/$TARGET"
RUSTC_BOOTSTRAP=1 cargo fuzz run "$TARGET" "corpus/$TARGET" "seeds/$TARGET" -- -max_total_time="$SECONDS_TO_RUN"
