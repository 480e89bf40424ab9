#!/usr/bin/env python3
"""Same-compute comparison of tokenizers on English text with Tessera's runtime (issue 8's real-text experiment).

Splits a corpus by lines (every --holdout-th line held out), trains a BPE of each requested size with
`tessera train` on the training part, optionally expands one BPE's tokenization of the training text with
StochasTok (`tessera expand`, the shards `lm train` reads directly), then trains one GPT model per arm with
`tessera lm train` for the same training FLOPs (3 × forward FLOPs per token, the runtime's own count, so a
large vocabulary's output head buys fewer tokens), evaluating held-out bits per byte (always on the
deterministic tokenization of the held-out text) at --evals points. Arms run --jobs at a time, each with
--threads OpenBLAS/backend threads. Writes results.json and bpb.svg (bits/byte vs training FLOPs) into --out,
and prints a Markdown table.

Usage (issue 8's setting):
  swift build -c release --product tessera
  python3 scripts/text-experiment.py --tessera .build/release/tessera \
      --corpus ../shared/corpora/english/en_bench_20MB.txt --out docs/experiments/text-4x256 \
      --bpe 8192 32768 --stochastok 8192:0.1 --tokenizers bytes --layers 4 --width 256 --heads 4 --context 256 \
      --batch 8 --flops 1.2e13 --evals 6 --jobs 2 --threads 1
"""
import argparse
import json
import math
import os
import re
import subprocess
import time


def forward_flops_per_token(V, T, L, C):
    # GPTConfig.forwardFLOPsPerToken: matmuls + full T×T attention as computed.
    return 2 * L * (12 * C * C) + 2 * C * V + 2 * L * 2 * T * C


def svg(runs, path, title):
    W, H, L, R, T, B = 640, 380, 60, 20, 30, 40
    xs = [p[0] for r in runs for p in r["curve"]]
    ys = [p[1] for r in runs for p in r["curve"]]
    xmax = max(xs)
    ylo = math.floor(min(ys) * 10) / 10
    yhi = math.ceil(min(max(ys), min(ys) + 2.5) * 10) / 10
    X = lambda x: L + (W - L - R) * x / xmax
    Y = lambda y: T + (H - T - B) * (yhi - min(max(y, ylo), yhi)) / (yhi - ylo)
    colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<text x="{(W + L) / 2}" y="16" text-anchor="middle">{title}</text>']
    ticks = 5
    for i in range(ticks + 1):
        y = ylo + (yhi - ylo) * i / ticks
        parts.append(f'<line x1="{L}" x2="{W-R}" y1="{Y(y):.1f}" y2="{Y(y):.1f}" stroke="#eee"/>'
                     f'<text x="{L-6}" y="{Y(y)+4:.1f}" text-anchor="end">{y:.2f}</text>')
        x = xmax * i / ticks
        parts.append(f'<text x="{X(x):.1f}" y="{H-B+16}" text-anchor="middle">{x/1e12:.1f}</text>')
    for i, r in enumerate(runs):
        c = colors[i % len(colors)]
        pts = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in r["curve"])
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="1.5"/>')
        parts.extend(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="2.5" fill="{c}"/>' for x, y in r["curve"])
        parts.append(f'<text x="{W-R-190}" y="{T+14+14*i}" fill="{c}">{r["arm"]} (V = {r["vocab"]})</text>')
    parts.append(f'<text x="{(W+L)/2}" y="{H-6}" text-anchor="middle">training TFLOPs</text>'
                 f'<text x="14" y="{H/2}" transform="rotate(-90 14 {H/2})" text-anchor="middle">held-out bits / byte</text></svg>')
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def vocabulary_size(a, tok, probe_text):
    if tok == "bytes":
        return 256
    probe = subprocess.run([a.tessera, "lm", "train", "-t", tok, "--data", probe_text, "-o", f"{a.work}/probe.safetensors",
                            "--layers", "1", "--width", "8", "--heads", "1", "--context", "8", "--batch", "1",
                            "--steps", "1"], capture_output=True, text=True).stderr
    return int(re.search(r"V (\d+)\)", probe).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", default="docs/experiments/text")
    ap.add_argument("--work", default="/tmp/tessera-text")
    ap.add_argument("--holdout", type=int, default=400, help="every N-th line is held out")
    ap.add_argument("--bpe", type=int, nargs="*", default=[4096])
    ap.add_argument("--stochastok", nargs="*", default=[], help="SIZE:P — StochasTok (p = P) over the BPE of SIZE ids")
    ap.add_argument("--tokenizers", nargs="*", default=["bytes"])
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--context", type=int, default=128)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--flops", type=float, default=2e13)
    ap.add_argument("--evals", type=int, default=6)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1, help="model initialisation, batches and StochasTok")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    train, val = f"{a.work}/train.txt", f"{a.work}/val.txt"
    with open(a.corpus, "rb") as f, open(train, "wb") as tr, open(val, "wb") as va:
        for i, line in enumerate(f):
            (va if i % a.holdout == 0 else tr).write(line)
    arms = [(t, t, [train]) for t in a.tokenizers]   # (name, tokenizer, training data)
    bpe = {}
    for v in a.bpe:
        path = f"{a.work}/bpe{v}.tiktoken"
        if not os.path.exists(path):
            subprocess.run([a.tessera, "train", train, "--vocab-size", str(v), "-o", path, "--threads", str(a.threads)],
                           check=True, capture_output=True)
        bpe[v] = path
        arms.append((f"BPE {v // 1024}k", path, [train]))
    for spec in a.stochastok:
        size, p = spec.split(":")
        tok = bpe[int(size)]
        shards = f"{a.work}/stochastok{size}-{p}"
        subprocess.run([a.tessera, "expand", "-t", tok, "--stochastok", p, "--seed", str(a.seed), "--separator", "none",
                        "-o", shards, train], check=True, capture_output=True)
        files = sorted(os.path.join(shards, n) for n in os.listdir(shards) if n.endswith(".tokens"))
        arms.append((f"StochasTok-BPE {int(size) // 1024}k (p = {p})", tok, files))
    plans = []
    for name, tok, data in arms:
        V = vocabulary_size(a, tok, val)
        per_step = 3 * forward_flops_per_token(V, a.context, a.layers, a.width) * a.batch * a.context
        steps = max(a.evals, int(a.flops / per_step) // a.evals * a.evals)   # evaluations at exact fractions
        every = max(1, steps // a.evals)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        cmd = [a.tessera, "lm", "train", "-t", tok, "--data", *data, "--validation", val, "-o", f"{a.work}/{slug}.safetensors",
               "--layers", str(a.layers), "--width", str(a.width), "--heads", str(a.heads), "--context", str(a.context),
               "--batch", str(a.batch), "--steps", str(steps), "--lr", str(a.lr), "--min-lr", str(a.lr / 10),
               "--warmup", str(max(1, steps // 20)), "--eval-every", str(every), "--log-every", str(every),
               "--threads", str(a.threads), "--seed", str(a.seed), "--measure-peak"]
        plans.append(dict(arm=name, tokenizer=tok, vocab=V, steps=steps, per_step=per_step, cmd=cmd, log=f"{a.work}/{slug}.log"))
    running, pending = [], list(plans)
    while pending or running:
        while pending and len(running) < a.jobs:
            p = pending.pop(0)
            print("start", p["arm"], p["steps"], "steps", flush=True)
            p["started"] = time.time()
            p["proc"] = subprocess.Popen(p["cmd"], stderr=open(p["log"], "w"), stdout=subprocess.DEVNULL)
            running.append(p)
        time.sleep(5)
        for p in list(running):
            if p["proc"].poll() is not None:
                running.remove(p)
                p["seconds"] = time.time() - p["started"]
                print("done", p["arm"], p["proc"].returncode, f"{p['seconds']:.0f} s", flush=True)
    runs = []
    for p in plans:
        log = open(p["log"]).read()
        if p["proc"].returncode != 0:
            raise SystemExit(f"{p['arm']} failed:\n{log[-2000:]}")
        curve = [(int(m.group(1)) * p["per_step"], float(m.group(2)))
                 for m in re.finditer(r"step (\d+)/\d+ .*held-out [\d.]+ nats/token, ([\d.]+) bits/byte", log)]
        bpt = re.search(r"\(([\d.]+) bytes/token\)", log)
        tps = re.search(r"lm train: ([\d.]+) tokens/s, ([\d.]+) GFLOP/s = ([\d.]+)% of the sgemm peak", log)
        runs.append({"arm": p["arm"], "tokenizer": os.path.basename(p["tokenizer"]), "vocab": p["vocab"], "steps": p["steps"],
                     "flops_per_step": p["per_step"], "wall_seconds": round(p["seconds"]),
                     "train_bytes_per_token": float(bpt.group(1)) if bpt else None,
                     "tokens_per_second": float(tps.group(1)) if tps else None,
                     "gflops": float(tps.group(2)) if tps else None, "peak_fraction": float(tps.group(3)) if tps else None,
                     "curve": curve})
    setup = {k: v for k, v in vars(a).items()}
    with open(f"{a.out}/results.json", "w") as f:
        json.dump({"setup": setup, "runs": runs}, f, indent=1)
    svg(runs, f"{a.out}/bpb.svg", f"{a.layers} layers, width {a.width}, context {a.context}: held-out bits/byte at equal FLOPs")
    # Evaluations fall at (nearly) the same fractions of the budget in every arm: label columns by those.
    print("| arm | V | bytes/token (train) | steps | tokens/s | " + " | ".join(
        f"{(k + 1) / a.evals * a.flops / 1e12:.1f} TF" for k in range(len(runs[0]["curve"]))) + " |")
    for r in runs:
        print(f"| {r['arm']} | {r['vocab']} | {r['train_bytes_per_token']} | {r['steps']} | {r['tokens_per_second']} | "
              + " | ".join(f"{y:.3f}" for _, y in r["curve"]) + " |")


if __name__ == "__main__":
    main()
