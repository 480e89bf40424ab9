#!/usr/bin/env bash
# tokenizer.json load time of Tessera next to Hugging Face tokenizers, in the same run.
#
#   bench/run-load-bench.sh [load_bench.py options, e.g. --tokenizers o200k-json,llama3-json --repeat 7]
#
# Same venv and build as bench/run-parity.sh (TESSERA_SKIP_BUILD=1 / TESSERA_BIN_DIR=DIR work the same way);
# the tokenizer.json files come from bench/hf_json.py (cached in bench/out/cache/). Writes bench/out/load.md + .json.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

if [[ ! -x $BIN_DIR/TesseraBench ]]; then
    echo "[load] $BIN_DIR/TesseraBench not found" >&2
    exit 2
fi
exec "$VENV/bin/python" bench/load_bench.py --bench "$BIN_DIR/TesseraBench" --command "bench/run-load-bench.sh $*" "$@"
