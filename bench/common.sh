# Shared set-up of bench/run-encode-bench.sh and bench/run-parity.sh (sourced from the package root):
# the venv with the pinned peers, the offline tiktoken cache, and the release build of Tessera.
# Sets VENV and BIN_DIR and exports TIKTOKEN_CACHE_DIR.
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
