#!/usr/bin/env python3
"""StochasTok and BPE-dropout: Tessera side by side with the reference code.

1. Split table: Tessera's build time and counts for r50k_base, cl100k_base, o200k_base; the reference's
   `StochastokProcessor.build_expansions` (anyasims/stochastok) timed on --ref-build-tokens merged GPT-2
   tokens spread evenly over the ranks (it tests membership against a Python list of all 50,257 tokens, so
   the full build is |V|^2-like) and extrapolated; its splits on those tokens are checked equal to Tessera's.
2. Length growth on FLORES English (first 200 dev sentences, each encoded alone, ids concatenated: 5,414
   GPT-2 tokens, the setting of the research notes) at p = 0.05, 0.1, 0.2, 0.5, 1.0: Tessera over --seeds
   seeds and the reference `expand` over as many seeds (np.random / random seeded), mean ± sd.
3. Expansion speed at p = 0.1: the reference and Tessera on the same ids (FLORES English dev + devtest,
   2,009 sentences), and Tessera's one-core throughput on the 20 MB English corpus.
4. BPE-dropout on FLORES English dev (997 sentences, GPT-2 vocab.json + merges.txt): Tessera (`tessera encode
   --dropout`), the authors' reference (VProv/BPE-Dropout bpe.py `tokenize_word` over the same byte-level
   words) and Hugging Face `tokenizers` BPE(dropout=p): token growth mean ± sd and time per pass.

Usage (from the package root; bench/run-stochastok-bench.sh sets up the venv, cache and build):
    python bench/stochastok_bench.py --bin .build/release --stochastok-reference PATH --dropout-reference PATH
Writes bench/out/stochastok_bench.md and .jsonl.
"""
import argparse
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import peers  # noqa: E402

SHARED = os.environ.get("TESSERA_SHARED", os.path.join("..", "shared"))


def tessera_bench(bin_dir, *args):
    out = subprocess.run([os.path.join(bin_dir, "TesseraBench"), "stochastok", *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def flores_lines(lang, split):
    return open(os.path.join(SHARED, "corpora", "flores200", split, f"{lang}.{split}"), encoding="utf-8").read().split("\n")[:-1]


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mean_sd(xs):
    return statistics.mean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


class SampledRanks(dict):
    """A ranks dict whose items() yields the 256 byte tokens and an evenly spaced sample of the merged ones
    while keys() lists them all: the reference's build loop then covers only the sample, each token tested
    against the whole vocabulary list as in the full build (its cost grows with the token's rank, since a
    Python list membership test scans from the start)."""

    def __init__(self, ranks, sample):
        super().__init__(ranks)
        everything = list(super().items())
        merged = everything[256:]
        step = max(1, len(merged) // sample)
        self.sample = everything[:256] + merged[::step][:sample]

    def items(self):
        return self.sample


def split_table_section(args, out, enc):
    lines = ["## Split table", "",
             "| vocabulary | tokens with ≥ 1 split / multi-byte tokens | splits (mean, max) | Tessera build |",
             "|---|---|---|---|"]
    corpus = os.path.join("bench", "out", "stochastok", "flores-eng-dev.txt")
    for name in ["r50k_base", "cl100k_base", "o200k_base"]:
        r = tessera_bench(args.bin, "--tokenizer", name, "--corpus", corpus, "--p", "0.1", "--seeds", "1", "--repeat", "5", "--lines", "10")
        out.write(json.dumps(dict(section="split-table", vocabulary=name, tessera=r)) + "\n")
        lines.append(f"| {name} | {r['tokens_with_splits']:,} / {r['multi_byte_tokens']:,} | {r['mean_splits']:.3f}, {r['max_splits']} | "
                     f"{1000 * r['table_seconds']:.0f} ms |")
    # The reference's build on a prefix of GPT-2's merged tokens.
    module = load_module(os.path.join(args.stochastok_reference, "stochastok_processor.py"), "stochastok_processor")
    ranks = enc._mergeable_ranks
    sampled = SampledRanks(ranks, args.ref_build_tokens)

    class Fake:
        _mergeable_ranks = sampled

    proc = module.StochastokProcessor.__new__(module.StochastokProcessor)
    proc.tokenizer = Fake()
    t = time.perf_counter()
    built = proc.build_expansions()
    seconds = time.perf_counter() - t
    mine = tessera_splits(ranks)
    same = all(sorted(built.get(tid, [])) == sorted(mine.get(tid, [])) for _, tid in sampled.sample[256:])
    merged = len(ranks) - 256
    out.write(json.dumps(dict(section="split-table-reference", tokens=args.ref_build_tokens, seconds=seconds, same=same)) + "\n")
    lines += ["", f"Reference `build_expansions` on {args.ref_build_tokens:,} merged GPT-2 tokens spread evenly over the ranks: {seconds:.1f} s "
              f"(splits {'identical to' if same else 'DIFFERENT FROM'} Tessera's), so ≈ {seconds * merged / args.ref_build_tokens / 60:.0f} min "
              f"for all {merged:,}."]
    return lines, mine


def tessera_splits(ranks):
    """The split table by the definition (a set-based Python build), in the reference's dict format."""
    table = {}
    for token, tid in ranks.items():
        if len(token) < 2:
            continue
        pairs = [(ranks[token[:j]], ranks[token[j:]]) for j in range(1, len(token)) if token[:j] in ranks and token[j:] in ranks]
        if pairs:
            table[tid] = pairs
    return table


def growth_section(args, out, enc, expansions):
    module = load_module(os.path.join(args.stochastok_reference, "stochastok_processor.py"), "stochastok_processor")
    import numpy as np
    proc = module.StochastokProcessor.__new__(module.StochastokProcessor)
    proc.expansions = expansions
    lines = flores_lines("eng_Latn", "dev")
    corpus = os.path.join("bench", "out", "stochastok", "flores-eng-dev.txt")
    ids = [i for l in lines[:200] for i in enc.encode_ordinary(l)]
    report = ["## Length growth, FLORES English, 200 sentences (5,414 GPT-2 tokens)", "",
              f"| p | Tessera ({args.seeds} seeds) | reference ({args.seeds} seeds) |", "|---|---|---|"]
    for p in [0.05, 0.1, 0.2, 0.5, 1.0]:
        r = tessera_bench(args.bin, "--tokenizer", "r50k_base", "--corpus", corpus, "--p", str(p), "--seeds", str(args.seeds),
                          "--repeat", "1", "--lines", "200")
        assert r["ids"] == len(ids), (r["ids"], len(ids))
        ref = []
        for s in range(args.seeds):
            np.random.seed(s)
            random.seed(s)
            ref.append(len(proc.expand(list(ids), expand_prop=p)) / len(ids) - 1)
        t, f = mean_sd(r["growth"]), mean_sd(ref)
        out.write(json.dumps(dict(section="growth", p=p, tessera=r["growth"], reference=ref)) + "\n")
        report.append(f"| {p} | +{100 * t[0]:.1f} % ± {100 * t[1]:.1f} | +{100 * f[0]:.1f} % ± {100 * f[1]:.1f} |")
    return report


def speed_section(args, out, enc, expansions):
    module = load_module(os.path.join(args.stochastok_reference, "stochastok_processor.py"), "stochastok_processor")
    import numpy as np
    proc = module.StochastokProcessor.__new__(module.StochastokProcessor)
    proc.expansions = expansions
    both = flores_lines("eng_Latn", "dev") + flores_lines("eng_Latn", "devtest")
    corpus = os.path.join("bench", "out", "stochastok", "flores-eng.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("\n".join(both) + "\n")
    ids = [i for l in both for i in enc.encode_ordinary(l)]
    r = tessera_bench(args.bin, "--tokenizer", "r50k_base", "--corpus", corpus, "--p", "0.1", "--seeds", "5", "--repeat", "5",
                      "--lines", str(len(both)))
    times = []
    for s in range(3):
        np.random.seed(s)
        random.seed(s)
        t = time.perf_counter()
        proc.expand(list(ids), expand_prop=0.1)
        times.append(time.perf_counter() - t)
    ref = min(times)
    big = os.path.join(SHARED, "corpora", "english", "en_bench_20MB.txt")
    large = tessera_bench(args.bin, "--tokenizer", "r50k_base", "--corpus", big, "--p", "0.1", "--seeds", "3", "--repeat", "5")
    out.write(json.dumps(dict(section="speed", ids=len(ids), reference_seconds=times, tessera=r, tessera_large=large)) + "\n")
    return ["## Expansion speed, p = 0.1 (one core)", "",
            "| input | ids | reference `expand` | Tessera | speed-up |", "|---|---|---|---|---|",
            f"| FLORES English dev + devtest (sentences encoded alone, concatenated) | {len(ids):,} | {1000 * ref:.0f} ms | "
            f"{1000 * r['expand_seconds']:.2f} ms ({r['ids_per_second'] / 1e6:.0f} M ids/s) | {ref / r['expand_seconds']:,.0f}× |",
            f"| en_bench_20MB.txt (one sequence) | {large['ids']:,} | – | {1000 * large['expand_seconds']:.0f} ms "
            f"({large['ids_per_second'] / 1e6:.0f} M ids/s; CPU {1000 * large['expand_cpu_seconds']:.0f} ms) | – |"]


def dropout_section(args, out):
    bpe = load_module(os.path.join(args.dropout_reference, "bpe.py"), "bpe_dropout_reference")
    import numpy as np
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    gpt2 = os.path.join("vocabularies", "gpt2")
    lines = flores_lines("eng_Latn", "dev")
    corpus = os.path.join("bench", "out", "stochastok", "flores-eng-dev.txt")
    pre = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    merges = [tuple(l.rstrip("\n").split(" ")) for l in open(os.path.join(gpt2, "merges.txt"), encoding="utf-8") if not l.startswith("#version")]
    rules = {m: i for i, m in enumerate(merges) if len(m) == 2}
    words = [w for l in lines for (w, _) in pre.pre_tokenize_str(l)]

    def reference(p, seed):
        rng = np.random.RandomState(seed)
        return sum(len(bpe.tokenize_word(rules, w, p, rng, sentinels=["", ""], regime="begin", bpe_symbol="",
                                         always_merge_sentinels=False)) for w in words)

    def hf(p):
        t = Tokenizer(models.BPE.from_file(os.path.join(gpt2, "vocab.json"), os.path.join(gpt2, "merges.txt"), dropout=p))
        t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        t.decoder = decoders.ByteLevel()
        return sum(len(e.ids) for e in t.encode_batch(lines))

    def tessera(p, seed):
        o = subprocess.run([os.path.join(args.bin, "tessera"), "encode", "-t", gpt2, "--dropout", str(p), "--seed", str(seed), "--lines",
                            "-o", "count", "--threads", "1", corpus], capture_output=True, text=True, check=True).stdout
        return sum(int(l.split("\t")[0]) for l in o.splitlines())

    base = tessera(0.0, 0)
    assert base == reference(0.0, 0) == hf(None), "deterministic counts differ"
    report = ["## BPE-dropout, FLORES English dev (997 sentences, GPT-2 merges)", "",
              f"| p | Tessera | authors' reference (VProv/BPE-Dropout) | Hugging Face tokenizers | time per pass: Tessera CLI / reference / HF |",
              "|---|---|---|---|---|"]
    for p in [0.05, 0.1, 0.2]:
        runs = {"tessera": [], "reference": [], "hf": []}
        secs = {"tessera": [], "reference": [], "hf": []}
        for s in range(args.dropout_seeds):
            for who, fn in [("tessera", lambda: tessera(p, s)), ("reference", lambda: reference(p, s)), ("hf", lambda: hf(p))]:
                t = time.perf_counter()
                n = fn()
                secs[who].append(time.perf_counter() - t)
                runs[who].append(n / base - 1)
        out.write(json.dumps(dict(section="dropout", p=p, base=base, growth=runs, seconds=secs)) + "\n")
        cells = [f"+{100 * mean_sd(runs[w])[0]:.1f} % ± {100 * mean_sd(runs[w])[1]:.1f}" for w in ["tessera", "reference", "hf"]]
        report.append(f"| {p} | {cells[0]} | {cells[1]} | {cells[2]} | "
                      f"{min(secs['tessera']):.2f} s / {min(secs['reference']):.2f} s / {min(secs['hf']):.2f} s |")
    report += ["", f"Deterministic count (all three): {base:,} tokens. Tessera's time includes starting the CLI and loading GPT-2."]
    return report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--stochastok-reference", required=True, help="checkout of anyasims/stochastok")
    ap.add_argument("--dropout-reference", help="checkout of VProv/BPE-Dropout (section 4 is skipped without it)")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--dropout-seeds", type=int, default=5)
    ap.add_argument("--ref-build-tokens", type=int, default=1000)
    args = ap.parse_args()
    peers.ensure_tiktoken_env()
    import tiktoken
    enc = tiktoken.get_encoding("r50k_base")
    folder = os.path.join("bench", "out", "stochastok")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "flores-eng-dev.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(flores_lines("eng_Latn", "dev")) + "\n")
    report = [f"# StochasTok / BPE-dropout benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
              f"load {os.getloadavg()[0]:.1f}; tiktoken {tiktoken.__version__})", ""]
    with open(os.path.join("bench", "out", "stochastok_bench.jsonl"), "w") as out:
        lines, expansions = split_table_section(args, out, enc)
        report += lines + [""]
        report += growth_section(args, out, enc, expansions) + [""]
        report += speed_section(args, out, enc, expansions) + [""]
        if args.dropout_reference:
            report += dropout_section(args, out) + [""]
    with open(os.path.join("bench", "out", "stochastok_bench.md"), "w") as f:
        f.write("\n".join(report) + "\n")
    print("\n".join(report))


if __name__ == "__main__":
    main()
