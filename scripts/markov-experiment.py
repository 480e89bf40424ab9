#!/usr/bin/env python3
"""Rajaraman, Jiao & Ramchandran (NeurIPS 2024) tokenization experiment, run on Tessera's runtime.

Source: order-k switching binary Markov process, P(x_t = 1 | x_{t-k} = 0) = p, P(x_t = 0 | x_{t-k} = 1) = q
(other history ignored), first k symbols from the stationary law. Two arms, trained with
`tessera lm train` on .tokens shards (docs/formats.md) and evaluated in nats per character on an
independent test stream:
  chars: ids 0/1 (vocabulary 2);
  bpe:   plain BPE without pre-tokenization trained on the training stream (most frequent adjacent
         pair, ties to the smallest pair id, non-overlapping left-to-right replacement) up to d ids;
         the test stream is encoded by applying the merges in rank order.
Model and optimiser (research notes, section 5.3): 1 layer, 1 head, width 16, context 128, batch 32,
AdamW β (0.9, 0.95), lr 1e-3, 50 warm-up steps, cosine to 1e-4 at the last step, no weight decay,
no clipping.

Usage: python scripts/markov-experiment.py --tessera .build/release/tessera --out docs/experiments/markov
Writes shards into --work, results.json and markov.svg into --out.  (NumPy 2.3.5)
"""
import argparse
import json
import math
import os
import re
import struct
import zlib
import subprocess
import sys

import numpy as np


def switching_stream(n, k, p, q, rng):
    x = np.empty(n, dtype=np.uint8)
    pi1 = p / (p + q)
    x[:k] = rng.random(k) < pi1
    u = rng.random(n)
    for t in range(k, n):
        prev = x[t - k]
        x[t] = (u[t] < p) if prev == 0 else not (u[t] < q)
    return x


def replace_pair(seq, a, b, new):
    """Non-overlapping left-to-right replacement of (a, b) by new."""
    m = np.flatnonzero((seq[:-1] == a) & (seq[1:] == b))
    if m.size == 0:
        return seq
    if a == b:  # runs of a: keep every other match, starting with the first of each run
        keep = np.ones(m.size, dtype=bool)
        last = -2
        for i, pos in enumerate(m):
            if pos == last + 1:
                keep[i] = False
            else:
                last = pos
        m = m[keep]
    out = seq.copy()
    out[m] = new
    drop = np.zeros(seq.size, dtype=bool)
    drop[m + 1] = True
    return out[~drop]


def train_bpe(seq, d):
    merges = []
    seq = seq.astype(np.int64)
    v = 2
    while v < d:
        pairs = seq[:-1] * d + seq[1:]
        counts = np.bincount(pairs, minlength=d * d)
        best = int(np.argmax(counts))
        if counts[best] < 2:
            break
        a, b = divmod(best, d)
        merges.append((a, b))
        seq = replace_pair(seq, a, b, v)
        v += 1
    return merges, seq


def encode(seq, merges):
    seq = seq.astype(np.int64)
    for i, (a, b) in enumerate(merges):
        seq = replace_pair(seq, a, b, 2 + i)
    return seq


def write_shard(path, ids, vocab, nbytes):
    """A token-id shard, version 2 (docs/formats.md, "Token-id shards"): 128-byte header with CRC-32s."""
    width = 2
    payload = ids.astype("<u2").tobytes()
    fields = b"TESSTOKS" + struct.pack("<IIIIQQQdQ", 2, width, vocab, 0xFFFFFFFF, ids.size, 1, 0, 0.0, nbytes)
    fields += struct.pack("<I", zlib.crc32(payload))
    header = fields + struct.pack("<I", zlib.crc32(fields)) + b"\0" * 56
    assert len(header) == 128
    with open(path + ".tmp", "wb") as f:
        f.write(header + payload)
    os.replace(path + ".tmp", path)


def h(u):
    return 0.0 if u in (0, 1) else -u * math.log(u) - (1 - u) * math.log(1 - u)


def unigram_bound(train_ids, test_ids, test_chars, vocab):
    """Plug-in unigram over tokens (frequencies from train, add-0.5), nats per test character."""
    c = np.bincount(train_ids, minlength=vocab) + 0.5
    logp = np.log(c / c.sum())
    return float(-logp[test_ids].sum() / test_chars)


def run_arm(tessera, shard_train, shard_test, model, seed, steps, eval_every):
    cmd = [tessera, "lm", "train", "--data", shard_train, "--validation", shard_test, "-o", model,
           "--layers", "1", "--heads", "1", "--width", "16", "--context", "128", "--batch", "32",
           "--steps", str(steps), "--lr", "1e-3", "--min-lr", "1e-4", "--warmup", "50", "--clip", "0",
           "--seed", str(seed), "--eval-every", str(eval_every), "--log-every", str(eval_every), "--threads", "1"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stderr
    curve = {}
    for line in out.splitlines():
        m = re.match(r"step (\d+)/\d+ .*held-out [\d.]+ nats/token, ([\d.]+) bits/byte", line)
        if m:
            curve[int(m.group(1))] = float(m.group(2)) * math.log(2)
    return curve, out


def svg(results, entropy_rate, floor, path):
    W, H, L, R, T, B = 640, 360, 60, 20, 20, 40
    steps = sorted({s for r in results for s in r["curve"]})
    xmax = max(steps)
    ylo, yhi = 0.48, 0.72
    X = lambda s: L + (W - L - R) * s / xmax
    Y = lambda v: T + (H - T - B) * (yhi - min(max(v, ylo), yhi)) / (yhi - ylo)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
             f'<rect width="{W}" height="{H}" fill="white"/>']
    for v in np.arange(0.50, 0.72, 0.04):
        parts.append(f'<line x1="{L}" x2="{W-R}" y1="{Y(v):.1f}" y2="{Y(v):.1f}" stroke="#eee"/>'
                     f'<text x="{L-6}" y="{Y(v)+4:.1f}" text-anchor="end">{v:.2f}</text>')
    for s in steps[1::2] if len(steps) > 10 else steps:
        parts.append(f'<text x="{X(s):.1f}" y="{H-B+16}" text-anchor="middle">{s}</text>')
    for v, label, color in ((entropy_rate, "entropy rate 0.5004", "#888"), (floor, "unigram floor ln 2", "#888")):
        parts.append(f'<line x1="{L}" x2="{W-R}" y1="{Y(v):.1f}" y2="{Y(v):.1f}" stroke="{color}" stroke-dasharray="4 3"/>'
                     f'<text x="{W-R-4}" y="{Y(v)-4:.1f}" text-anchor="end" fill="{color}">{label}</text>')
    colors = {"chars": "#d62728", "bpe": "#1f77b4"}
    for r in results:
        pts = " ".join(f"{X(s):.1f},{Y(v):.1f}" for s, v in sorted(r["curve"].items()))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colors[r["arm"]]}" stroke-width="1.5"/>')
    parts.append(f'<text x="{W-R-160}" y="{Y(0.675):.1f}" fill="{colors["chars"]}">characters (V = 2), 3 seeds</text>'
                 f'<text x="{W-R-160}" y="{Y(0.675)+14:.1f}" fill="{colors["bpe"]}">BPE (V = 64), 3 seeds</text>'
                 f'<text x="{(W+L)/2}" y="{H-6}" text-anchor="middle">training step</text>'
                 f'<text x="14" y="{H/2}" transform="rotate(-90 14 {H/2})" text-anchor="middle">held-out nats / character</text></svg>')
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--out", default="docs/experiments/markov")
    ap.add_argument("--work", default="/tmp/tessera-markov")
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--p", type=float, default=0.8)
    ap.add_argument("--q", type=float, default=0.8)
    ap.add_argument("--vocab", type=int, default=64)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--plot-only", action="store_true", help="redraw markov.svg from results.json")
    a = ap.parse_args()
    if a.plot_only:
        with open(f"{a.out}/results.json") as f:
            saved = json.load(f)
        runs = [dict(r, curve={int(s): v for s, v in r["curve"].items()}) for r in saved["runs"]]
        svg(runs, saved["setup"]["entropy_rate"], saved["setup"]["unigram_floor"], f"{a.out}/markov.svg")
        return
    os.makedirs(a.work, exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    rng = np.random.default_rng(12345)
    train = switching_stream(2_000_000, a.k, a.p, a.q, rng)
    test = switching_stream(200_000, a.k, a.p, a.q, rng)
    merges, train_bpe_ids = train_bpe(train, a.vocab)
    test_bpe_ids = encode(test, merges)
    shards = {
        "chars": (f"{a.work}/chars-train.tokens", f"{a.work}/chars-test.tokens"),
        "bpe": (f"{a.work}/bpe-train.tokens", f"{a.work}/bpe-test.tokens"),
    }
    write_shard(shards["chars"][0], train, 2, train.size)
    write_shard(shards["chars"][1], test, 2, test.size)
    write_shard(shards["bpe"][0], train_bpe_ids, a.vocab, train.size)
    write_shard(shards["bpe"][1], test_bpe_ids, a.vocab, test.size)
    pi0 = a.q / (a.p + a.q)
    entropy_rate = pi0 * h(a.p) + (1 - pi0) * h(a.q)
    floor = h(a.p / (a.p + a.q))
    info = {"k": a.k, "p": a.p, "q": a.q, "entropy_rate": entropy_rate, "unigram_floor": floor,
            "bpe_vocab": 2 + len(merges), "bpe_chars_per_token_test": test.size / test_bpe_ids.size,
            "bpe_unigram_bound_test": unigram_bound(train_bpe_ids, test_bpe_ids, test.size, a.vocab),
            "numpy": np.__version__}
    print(json.dumps(info), file=sys.stderr)
    results = []
    for arm in ("chars", "bpe"):
        for seed in a.seeds:
            curve, log = run_arm(a.tessera, *shards[arm], f"{a.work}/{arm}-{seed}.safetensors", seed, a.steps, a.eval_every)
            results.append({"arm": arm, "seed": seed, "curve": curve})
            print(arm, seed, {s: round(v, 4) for s, v in sorted(curve.items())}, file=sys.stderr)
    with open(f"{a.out}/results.json", "w") as f:
        json.dump({"setup": info, "runs": results}, f, indent=1)
    svg(results, entropy_rate, floor, f"{a.out}/markov.svg")


if __name__ == "__main__":
    main()
