#!/usr/bin/env bash
# The speed case of issue 7: cl100k_base (merges recovered from its ranks), the first MERGES (default
# 30,000) merges, 30 categories — English prose (3 MB of ../shared/corpora/english/en_bench_20MB.txt),
# seven code languages (../shared/corpora/code, ~3 MB each) and 22 FLORES-200 languages (dev + devtest,
# ~300 KB each), 31 MB in all. Extra arguments go to `tessera mixture` (e.g. --max-rounds 2).
# Usage: experiments/mixture_speed.sh [MERGES] [ARGS...]; prints the table and `time`'s wall/CPU line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$here/../shared"
tessera="${TESSERA:-$here/.build/release/tessera}"
merges="${1:-30000}"; shift || true
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
source "$here/experiments/mixture_categories.sh"
mixture_categories 22
/usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KB" \
  "$tessera" mixture -t cl100k_base --merges-from-ranks --merges "$merges" "${cats[@]}" --threads 2 "$@"
