#!/usr/bin/env bash
# The cost of watermarking a reader's PDF: a 50-page PDF stamped on every page,
# timed over 20 runs, against only parsing and writing it back (the floor any
# PDF library pays). Prints the median and the ratio; figures in BENCHMARKS.md.
# Usage: scripts/bench-watermark.sh [PAGES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p candor-watermark --example watermark_bench
echo "commit $(git rev-parse --short HEAD), $(nproc) cores, $(date -u +%F)"
target/release/examples/watermark_bench "${1:-50}" "${2:-20}"
