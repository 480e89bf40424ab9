#!/usr/bin/env bash
# Token-id parity of Tessera against tiktoken and Hugging Face tokenizers.
#
#   bench/run-parity.sh [parity.py options, e.g. --tokenizers cl100k_base,o200k_base --corpora flores,vectors]
#
# Same venv and offline tiktoken cache as bench/run-encode-bench.sh; builds Tessera in release
# (`swift build -c release --scratch-path ${TESSERA_SCRATCH:-.build}`; TESSERA_SKIP_BUILD=1 / TESSERA_BIN_DIR=DIR
# as there), then runs bench/parity.py -> bench/out/parity.md + bench/out/parity.json.
# Exit status: 0 all identical, 1 any mismatch, 2 Tessera missing (then only the references are checked,
# into bench/out/parity-reference.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

if [[ ! -x $BIN_DIR/tessera ]]; then
    echo "[parity] $BIN_DIR/tessera not found: checking the references only" >&2
    "$VENV/bin/python" bench/parity.py --reference-only --command "bench/run-parity.sh $*" "$@" || true
    exit 2
fi
exec "$VENV/bin/python" bench/parity.py --tessera "$BIN_DIR/tessera" --command "bench/run-parity.sh $*" "$@"
