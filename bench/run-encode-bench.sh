#!/usr/bin/env bash
# Encode throughput of Tessera and its peers, side by side in one run (`make bench` runs this).
#
#   bench/run-encode-bench.sh [encode_bench.py options, e.g. --repeat 5 --engines tiktoken,fastokens]
#
# 1. creates/reuses the venv bench/.venv and installs bench/requirements-peers.txt (pinned; binary wheels;
#    a package that fails to install is skipped with a note, the run goes on);
# 2. fills bench/out/tiktoken-cache from vocabularies/ (sha1-of-URL names) and points TIKTOKEN_CACHE_DIR at it,
#    so tiktoken works offline;
# 3. builds Tessera in release (`swift build -c release --scratch-path ${TESSERA_SCRATCH:-.build}`;
#    TESSERA_SKIP_BUILD=1 uses what is there; TESSERA_BIN_DIR=DIR uses binaries from DIR);
# 4. runs bench/encode_bench.py -> bench/out/encode.md + bench/out/encode.json.
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
        swift build -c release --scratch-path "$SCRATCH" >&2 || echo "[build] FAILED: peers only" >&2
    fi
    BIN_DIR=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
fi

exec "$VENV/bin/python" bench/encode_bench.py --bin-dir "$BIN_DIR" \
    --command "bench/run-encode-bench.sh $*" "$@"
