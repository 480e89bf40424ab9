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
source bench/common.sh

exec "$VENV/bin/python" bench/encode_bench.py --bin-dir "$BIN_DIR" \
    --command "bench/run-encode-bench.sh $*" "$@"
