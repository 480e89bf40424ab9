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
ROOT=$PWD
VENV=bench/.venv
REQ=bench/requirements-peers.txt

setup_venv() {
    local py=${PYTHON:-}
    if [[ -z $py ]]; then py=$(command -v python3.11 || command -v python3); fi
    if [[ ! -x $VENV/bin/python ]]; then
        echo "[venv] creating $VENV with $py" >&2
        "$py" -m venv "$VENV"
        "$VENV/bin/python" -m pip install -q --upgrade pip >&2 || true
    fi
    local want have=""
    want=$(sha256sum "$REQ" | cut -d' ' -f1)
    [[ -f $VENV/.requirements.sha256 ]] && have=$(cat "$VENV/.requirements.sha256")
    if [[ $want != "$have" ]]; then
        echo "[venv] pip install -r $REQ" >&2
        if ! "$VENV/bin/python" -m pip install -q --only-binary=:all: -r "$REQ" >&2; then
            echo "[venv] bulk install failed; installing one package at a time (failures are skipped)" >&2
            grep -Ev '^\s*(#|$)' "$REQ" | while read -r spec; do
                "$VENV/bin/python" -m pip install -q --only-binary=:all: "$spec" >&2 \
                    || echo "[venv] SKIPPED $spec (install failed)" >&2
            done
        fi
        echo "$want" > "$VENV/.requirements.sha256"
    fi
}

setup_venv
export TIKTOKEN_CACHE_DIR=$ROOT/bench/out/tiktoken-cache
"$VENV/bin/python" bench/peers.py tiktoken-cache "$TIKTOKEN_CACHE_DIR" >/dev/null

BIN_DIR=${TESSERA_BIN_DIR:-}
if [[ -z $BIN_DIR ]]; then
    SCRATCH=${TESSERA_SCRATCH:-.build}
    if [[ ${TESSERA_SKIP_BUILD:-0} != 1 ]]; then
        echo "[build] swift build -c release --scratch-path $SCRATCH" >&2
        swift build -c release --scratch-path "$SCRATCH" >&2 || echo "[build] FAILED" >&2
    fi
    BIN_DIR=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
fi

if [[ ! -x $BIN_DIR/tessera ]]; then
    echo "[parity] $BIN_DIR/tessera not found: checking the references only" >&2
    "$VENV/bin/python" bench/parity.py --reference-only --command "bench/run-parity.sh $*" "$@" || true
    exit 2
fi
exec "$VENV/bin/python" bench/parity.py --tessera "$BIN_DIR/tessera" --command "bench/run-parity.sh $*" "$@"
