#!/usr/bin/env python3
"""Same-compute comparison of tokenizers on English text with Tessera's runtime.

Splits a corpus by lines (every 200th line held out), trains a BPE of each requested size with
`tessera train` on the training part, then trains one GPT model per tokenizer with `tessera lm train`
for the same training FLOPs (3 × forward FLOPs per token, the runtime's own count, so a large
vocabulary's output head buys fewer tokens), evaluating held-out bits per byte along the way.
Writes results.json and bpb.svg (bits/byte vs training FLOPs) into --out.

Usage: python scripts/text-experiment.py --tessera .build/release/tessera \
         --corpus ../shared/corpora/english/en_bench_20MB.txt --flops 2e13
"""
import argparse
import json
import math
import os
import re
import subprocess


def forward_flops_per_token(V, T, L, C):
    # GPTConfig.forwardFLOPsPerToken: matmuls + full T×T attention as computed.
    return 2 * L * (12 * C * C) + 2 * C * V + 2 * L * 2 * T * C


def svg(runs, path):
    W, H, L, R, T, B = 640, 360, 60, 20, 20, 40
    xs = [p[0] for r in runs for p in r["curve"]]
    ys = [p[1] for r in runs for p in r["curve"]]
    xmax, ylo, yhi = max(xs), math.floor(min(ys) * 10) / 10, math.ceil(min(max(ys), min(ys) + 2) * 10) / 10
    X = lambda x: L + (W - L - R) * x / xmax
    Y = lambda y: T + (H - T - B) * (yhi - min(max(y, ylo), yhi)) / (yhi - ylo)
    colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
             f'<rect width="{W}" height="{H}" fill="white"/>']
    steps = 5
    for i in range(steps + 1):
        y = ylo + (yhi - ylo) * i / steps
        parts.append(f'<line x1="{L}" x2="{W-R}" y1="{Y(y):.1f}" y2="{Y(y):.1f}" stroke="#eee"/>'
                     f'<text x="{L-6}" y="{Y(y)+4:.1f}" text-anchor="end">{y:.2f}</text>')
        x = xmax * i / steps
        parts.append(f'<text x="{X(x):.1f}" y="{H-B+16}" text-anchor="middle">{x/1e12:.1f}</text>')
    for i, r in enumerate(runs):
        c = colors[i % len(colors)]
        pts = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in r["curve"])
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="1.5"/>'
                     f'<text x="{W-R-150}" y="{T+14+14*i}" fill="{c}">{r["tokenizer"]} (V = {r["vocab"]})</text>')
    parts.append(f'<text x="{(W+L)/2}" y="{H-6}" text-anchor="middle">training TFLOPs</text>'
                 f'<text x="14" y="{H/2}" transform="rotate(-90 14 {H/2})" text-anchor="middle">held-out bits / byte</text></svg>')
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", default="docs/experiments/text")
    ap.add_argument("--work", default="/tmp/tessera-text")
    ap.add_argument("--bpe", type=int, nargs="*", default=[4096])
    ap.add_argument("--tokenizers", nargs="*", default=["bytes", "r50k_base"])
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--context", type=int, default=128)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--flops", type=float, default=2e13)
    ap.add_argument("--evals", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    train, val = f"{a.work}/train.txt", f"{a.work}/val.txt"
    with open(a.corpus, "rb") as f, open(train, "wb") as tr, open(val, "wb") as va:
        for i, line in enumerate(f):
            (va if i % 200 == 0 else tr).write(line)
    tokenizers = list(a.tokenizers)
    for v in a.bpe:
        path = f"{a.work}/bpe{v}.tiktoken"
        subprocess.run([a.tessera, "train", train, "--vocab-size", str(v), "-o", path, "--threads", str(a.threads)],
                       check=True, capture_output=True)
        tokenizers.append(path)
    runs = []
    for tok in tokenizers:
        V = 256 if tok == "bytes" else None
        if V is None:  # the vocabulary size the runtime will use, from a 1-step probe run's header line
            probe = subprocess.run([a.tessera, "lm", "train", "-t", tok, "--data", val, "-o", f"{a.work}/probe.safetensors",
                                    "--layers", "1", "--width", "8", "--heads", "1", "--context", "8", "--batch", "1",
                                    "--steps", "1"], capture_output=True, text=True).stderr
            V = int(re.search(r"V (\d+)\)", probe).group(1))
        per_step = 3 * forward_flops_per_token(V, a.context, a.layers, a.width) * a.batch * a.context
        steps = max(10, int(a.flops / per_step))
        every = max(1, steps // a.evals)
        cmd = [a.tessera, "lm", "train", "-t", tok, "--data", train, "--validation", val, "-o", f"{a.work}/m.safetensors",
               "--layers", str(a.layers), "--width", str(a.width), "--heads", str(a.heads), "--context", str(a.context),
               "--batch", str(a.batch), "--steps", str(steps), "--lr", "3e-3", "--min-lr", "3e-4",
               "--warmup", str(max(1, steps // 20)), "--eval-every", str(every), "--log-every", str(every),
               "--threads", str(a.threads), "--seed", "1"]
        log = subprocess.run(cmd, check=True, capture_output=True, text=True).stderr
        curve = []
        for line in log.splitlines():
            m = re.match(r"step (\d+)/\d+ .*held-out [\d.]+ nats/token, ([\d.]+) bits/byte", line)
            if m:
                curve.append((int(m.group(1)) * per_step, float(m.group(2))))
        bpt = re.search(r"\(([\d.]+) bytes/token\)", log)
        tps = re.search(r"lm train: ([\d.]+) tokens/s", log)
        name = "bytes" if tok == "bytes" else os.path.basename(tok).replace(".tiktoken", "")
        runs.append({"tokenizer": name, "vocab": V, "steps": steps, "flops_per_step": per_step,
                     "train_bytes_per_token": float(bpt.group(1)) if bpt else None,
                     "tokens_per_second": float(tps.group(1)) if tps else None, "curve": curve})
        print(name, V, steps, curve[-1] if curve else None, flush=True)
    setup = vars(a)
    with open(f"{a.out}/results.json", "w") as f:
        json.dump({"setup": setup, "runs": runs}, f, indent=1)
    svg(runs, f"{a.out}/bpb.svg")


if __name__ == "__main__":
    main()
