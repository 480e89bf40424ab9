#!/usr/bin/env bash
# Token-id parity of Tessera against tiktoken and Hugging Face tokenizers (bench/parity.py), then against
# sentencepiece (bench/parity_sentencepiece.py).
#
#   bench/run-parity.sh [parity.py options, e.g. --tokenizers cl100k_base,o200k_base --corpora flores,vectors]
#   PARITY_SUITES=sentencepiece bench/run-parity.sh      # only one suite (tiktoken-hf | sentencepiece | all)
#   SPM_PARITY_ARGS="--models mistral --corpora flores" bench/run-parity.sh   # options for the sentencepiece suite
#
# Same venv and offline tiktoken cache as bench/run-encode-bench.sh; builds Tessera in release
# (`swift build -c release --scratch-path ${TESSERA_SCRATCH:-.build}`; TESSERA_SKIP_BUILD=1 / TESSERA_BIN_DIR=DIR
# as there), then runs bench/parity.py -> bench/out/parity.md + .json and bench/parity_sentencepiece.py ->
# bench/out/parity-sentencepiece.md + .json.
# Exit status: 0 all identical, 1 any mismatch, 2 Tessera missing (then only the tiktoken/HF references are
# checked, into bench/out/parity-reference.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

if [[ ! -x $BIN_DIR/tessera ]]; then
    echo "[parity] $BIN_DIR/tessera not found: checking the references only" >&2
    "$VENV/bin/python" bench/parity.py --reference-only --command "bench/run-parity.sh $*" "$@" || true
    exit 2
fi
suites=${PARITY_SUITES:-all}
status=0
if [[ $suites == all || $suites == tiktoken-hf ]]; then
    "$VENV/bin/python" bench/parity.py --tessera "$BIN_DIR/tessera" --command "bench/run-parity.sh $*" "$@" || status=$?
fi
if [[ $suites == all || $suites == sentencepiece ]]; then
    rc=0
    # shellcheck disable=SC2086  # SPM_PARITY_ARGS is a list of options
    "$VENV/bin/python" bench/parity_sentencepiece.py --tessera "$BIN_DIR/tessera" \
        --command "PARITY_SUITES=$suites bench/run-parity.sh ${SPM_PARITY_ARGS:-}" ${SPM_PARITY_ARGS:-} || rc=$?
    if (( rc > status )); then status=$rc; fi
fi
exit $status
