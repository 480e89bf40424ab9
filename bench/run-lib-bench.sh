#!/usr/bin/env bash
# LiB and StochasTok / BPE-dropout against their reference code (bench/lib_bench.py, bench/stochastok_bench.py).
#
#   bench/run-lib-bench.sh [lib|stochastok|all] [extra options for the chosen script]
#
# The reference checkouts (Python, run as they are, never copied into Tessera) are looked up in
# $LIB_REFERENCE, $STOCHASTOK_REFERENCE, $DROPOUT_REFERENCE, else bench/out/refs/<name>:
#   git clone https://github.com/ray306/The-Less-is-Better-Model bench/out/refs/The-Less-is-Better-Model  # f301b47
#   git clone https://github.com/anyasims/stochastok bench/out/refs/stochastok                           # 7061534
#   git clone https://github.com/VProv/BPE-Dropout bench/out/refs/BPE-Dropout                           # 9e571a9
# Same venv and release build as the other benchmarks (bench/common.sh). Results: bench/out/lib_bench.md,
# bench/out/stochastok_bench.md (+ .jsonl). Needs the shared corpora (../shared or $TESSERA_SHARED).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
mode=${1:-all}
[[ $# -gt 0 ]] && shift
refs=bench/out/refs
lib_ref=${LIB_REFERENCE:-$refs/The-Less-is-Better-Model}
stochastok_ref=${STOCHASTOK_REFERENCE:-$refs/stochastok}
dropout_ref=${DROPOUT_REFERENCE:-$refs/BPE-Dropout}
need() { [[ -d $1 ]] || { echo "missing reference checkout $1 (see the header of $0)" >&2; exit 1; }; }
if [[ $mode == lib || $mode == all ]]; then
    need "$lib_ref"
    "$VENV/bin/python" bench/lib_bench.py --bin "$BIN_DIR" --reference "$lib_ref" --compare "$@"
fi
if [[ $mode == stochastok || $mode == all ]]; then
    need "$stochastok_ref"
    extra=()
    [[ -d $dropout_ref ]] && extra=(--dropout-reference "$dropout_ref")
    "$VENV/bin/python" bench/stochastok_bench.py --bin "$BIN_DIR" --stochastok-reference "$stochastok_ref" "${extra[@]}" "$@"
fi
