#!/usr/bin/env bash
# BPE training: merge parity against rustbpe / bpeasy / Hugging Face (bench/train_parity.py) and speed +
# memory against the peers (bench/train_bench.py), on FLORES English and the 53 MB English corpus.
#
#   bench/run-train-bench.sh [parity|speed|all] [extra options for the chosen script]
#
# Same venv and release build as bench/run-encode-bench.sh (bench/common.sh). Results: bench/out/train_parity.md,
# bench/out/train_bench.md (+ .jsonl).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
mode=${1:-all}
[[ $# -gt 0 ]] && shift
export TESSERA_BENCH_BIN=$BIN_DIR
if [[ $mode == parity || $mode == all ]]; then
    "$VENV/bin/python" bench/train_parity.py --bin "$BIN_DIR" "$@"
fi
if [[ $mode == speed || $mode == all ]]; then
    "$VENV/bin/python" bench/train_bench.py --bin "$BIN_DIR" "$@"
fi
