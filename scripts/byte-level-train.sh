#!/usr/bin/env bash
# Trains the two English models of the byte-level experiment (docs/algorithms/byte-probabilities.md):
# BPE 4k and 16k tokenizers with `tessera train`, one small GPT per tokenizer with `tessera lm train`.
# Usage: scripts/byte-level-train.sh TESSERA_BINARY WORK_DIR [CORPUS]
set -euo pipefail
TESSERA=${1:?tessera binary}; WORK=${2:?work dir}
CORPUS=${3:-../shared/corpora/english/en_bench_20MB.txt}
mkdir -p "$WORK"
# Every 200th line is held out (as scripts/text-experiment.py does).
awk -v tr="$WORK/train.txt" -v va="$WORK/val.txt" '{ if ((NR-1) % 200 == 0) print > va; else print > tr }' "$CORPUS"
for V in 4096 16384; do
  "$TESSERA" train "$WORK/train.txt" --vocab-size $V -o "$WORK/bpe$V.tiktoken" --threads 1 --progress none
done
# Same architecture for both; steps sized to ~10 minutes each on one loaded core.
train() { # V STEPS
  "$TESSERA" lm train -t "$WORK/bpe$1.tiktoken" --data "$WORK/train.txt" --validation "$WORK/val.txt" \
    -o "$WORK/lm$1.safetensors" --layers 2 --width 128 --heads 4 --context 128 --batch 16 --steps $2 \
    --lr 3e-3 --min-lr 3e-4 --warmup $(( $2 / 20 )) --eval-every $2 --log-every 50 --threads 1 --seed 1
}
train 4096 900 2> "$WORK/lm4096.log"
train 16384 350 2> "$WORK/lm16384.log"
echo done > "$WORK/trained"
