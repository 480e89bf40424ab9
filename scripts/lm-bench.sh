#!/usr/bin/env bash
# Training and sampling throughput of `tessera lm` (docs/benchmarks.md, "Transformer runtime").
# Usage: scripts/lm-bench.sh [TESSERA] [TEXT]   (defaults: .build/release/tessera, 3 MB of the English corpus)
# Trains 4 layers × width 256 × 4 heads, context 256, batch 8, on raw bytes for 20 steps with 1 and 2 threads,
# measuring the sgemm peak before, during and after; then samples 200 tokens with the KV cache.
set -euo pipefail
TESSERA=${1:-.build/release/tessera}
TEXT=${2:-/tmp/tessera-lm-bench.txt}
if [ ! -f "$TEXT" ]; then head -c 3000000 ../shared/corpora/english/en_bench_20MB.txt > "$TEXT"; fi
MODEL=$(mktemp -d)/bench.safetensors
for threads in 2 1; do
    "$TESSERA" lm train -t bytes --data "$TEXT" -o "$MODEL" --layers 4 --width 256 --heads 4 --context 256 \
        --batch 8 --steps 20 --threads "$threads" --measure-peak --log-every 100 2>&1 | grep -v '^step'
    "$TESSERA" lm sample -m "$MODEL" --prompt "The " --tokens 200 --seed 1 --threads "$threads" 2>&1 >/dev/null | tail -1
done
