#!/usr/bin/env bash
# Answering questionnaires from a knowledge base, measured against the vendor's
# own answers: Fimil's CAIQ answers and trust center as the knowledge base, VSA
# Core, VSA Full and MVSP answered (crates/candor-questionnaire/data/fimil, MIT).
# Prints per-file and per-class figures, the always-yes answerer on the same
# questions, the tuning (chosen on CAIQ alone, each question answered from the
# rest), the time for a 300-question workbook and the peak memory.
# Usage: scripts/bench-questionnaire.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p candor-questionnaire --example fimil_eval
echo "commit $(git rev-parse --short HEAD), $(nproc) cores, $(date -u +%F)"
target/release/examples/fimil_eval "$@"
