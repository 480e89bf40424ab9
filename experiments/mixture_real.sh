#!/usr/bin/env bash
# Runs `tessera mixture` on real tokenizers with the categories this project holds: English prose
# (3 MB of ../shared/corpora/english/en_bench_20MB.txt: Bible, dictionary, Jargon File, fortunes), seven
# code languages (../shared/corpora/code, ~3 MB each) and 24 FLORES-200 languages (dev + devtest, ~260 KB
# each). Usage: experiments/mixture_real.sh MERGES [TOKENIZER...]; results go to experiments/results/.
# FROM_MERGE=K constrains only merges from index K on; FROM_RANKS=1 recovers the merges from the ranks
# (Llama 3*: FROM_RANKS=1 FROM_MERGE=99744 MERGES=100044).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$here/../shared"
tessera="${TESSERA:-$here/.build/release/tessera}"
merges="${1:-3000}"; shift || true
tokenizers=("$@")
[ ${#tokenizers[@]} -gt 0 ] || tokenizers=(r50k_base cl100k_base o200k_base
  "$shared/vocabularies/llama.cpp-vectors/ggml-vocab-llama-bpe.gguf" "$shared/vocabularies/llama.cpp-vectors/ggml-vocab-qwen2.gguf")
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
source "$here/experiments/mixture_categories.sh"
mixture_categories 24
extra=(); suffix=""
if [ -n "${FROM_MERGE:-}" ]; then extra=(--from-merge "$FROM_MERGE"); suffix="-from$FROM_MERGE"; fi
if [ -n "${FROM_RANKS:-}" ]; then extra+=(--merges-from-ranks); suffix="$suffix-ranks"; fi
mkdir -p "$here/experiments/results"
for t in "${tokenizers[@]}"; do
  name="$(basename "$t" | sed 's/ggml-vocab-//; s/\.gguf$//')"
  echo "== $name, $merges merges"
  /usr/bin/time -f "wall %e s, max RSS %M KB" "$tessera" mixture -t "$t" --merges "$merges" "${extra[@]}" "${cats[@]}" --threads 2 \
    --chart "$here/experiments/results/mixture-$name-$merges$suffix.svg" -o "$here/experiments/results/mixture-$name-$merges$suffix.txt"
  cat "$here/experiments/results/mixture-$name-$merges$suffix.txt"
done
