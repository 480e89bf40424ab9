#!/usr/bin/env python3
"""LiB: Tessera's learner side by side with the 2023 reference (ray306/The-Less-is-Better-Model, LiB.py).

1. BR corpus (../shared/corpora/br-text/br-text.txt), demo settings (alpha .25, omega .01, tau0 3, Delta .1),
   200 steps of 200 sentences, seeds 0-4, two corpus formats: "words+space" (the reference Quick_Demo's
   Corpus(token_divider=' '): every word followed by a space) and "no spaces" (remove_token_divider=True).
   For each: tokens and types of segmenting the whole corpus with the final lexicon, lexicon size, and the
   training time of both (wall and CPU; corpus already in memory for both), plus `tessera train lib` wall time.
2. (--compare) LiB vs byte-level BPE vs whitespace words on FLORES-200 English and Chinese at equal
   vocabulary size: tokens, types, description length DL = DL_lex + DL_corp (research notes, section 1a:
   DL_lex over the characters spelling the distinct types used, DL_corp over the token occurrences, both
   -sum f log2 f/N), bytes/token.

Usage (from the package root; run through bench/run-lib-bench.sh for the venv and release build):
    python bench/lib_bench.py --bin .build/release --reference PATH/The-Less-is-Better-Model [--compare]
Writes bench/out/lib_bench.md and bench/out/lib_bench.jsonl.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections import Counter

SHARED = os.environ.get("TESSERA_SHARED", os.path.join("..", "shared"))


def run_reference(reference, path, variant, seed, steps, sentences):
    """Runs the reference in a fresh process (its module-level random state); returns a dict."""
    code = r'''
import sys, time, json
sys.path.insert(0, sys.argv[1])
import LiB
path = sys.argv[2]
variant, seed, steps, per = sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
# A file path, as the Quick_Demo passes it: the reference then strips the file (a string would keep the
# final newline as one more, empty sentence).
if variant == "words+space":
    corpus = LiB.Corpus(path, sentence_divider="\n", token_divider=" ")
else:
    corpus = LiB.Corpus(path, sentence_divider="\n", token_divider=" ", remove_token_divider=True)
m = LiB.Model(corpus, in_rate=0.25, out_rate=0.01, update_rate=0.1, life=3, inspect_context=True, random_seed=seed)
t, c = time.perf_counter(), time.process_time()
for s in range(steps):
    m.learn(s, article_length_max=per, report_interval=None)
m.clean_lexicon()
wall, cpu = time.perf_counter() - t, time.process_time() - c
chunks = m.apply(LiB.merge_token_list(corpus.train), flatten=True)
print(json.dumps(dict(wall=wall, cpu=cpu, lexicon=len(m.lexicon), tokens=len(chunks), types=len(set(chunks)))))
'''
    out = subprocess.run([sys.executable, "-c", code, reference, path, variant, str(seed), str(steps), str(sentences)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def prepare(br, variant, folder):
    """The corpus file fed to Tessera: the reference's sentences, one per line."""
    lines = open(br, encoding="utf-8").read().strip().split("\n")
    if variant == "words+space":
        lines = ["".join(w + " " for w in line.strip().split(" ")) for line in lines]
    else:
        lines = [line.strip().replace(" ", "") for line in lines]
    path = os.path.join(folder, f"br-{variant.replace('+', '-').replace(' ', '-')}.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def run_tessera(bin_dir, corpus, seed, steps, sentences, repeat):
    out = subprocess.run([os.path.join(bin_dir, "TesseraBench"), "lib", "--corpus", corpus, "--steps", str(steps),
                          "--sentences", str(sentences), "--seed", str(seed), "--repeat", str(repeat)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def cli_time(bin_dir, corpus, seed, steps, folder):
    model = os.path.join(folder, "cli.model")
    t = time.perf_counter()
    subprocess.run([os.path.join(bin_dir, "tessera"), "train", "lib", corpus, "--preset", "demo", "--steps", str(steps),
                    "--seed", str(seed), "-o", model, "--progress", "none"], check=True, capture_output=True)
    return time.perf_counter() - t


def mean_sd(xs):
    return (statistics.mean(xs), statistics.stdev(xs) if len(xs) > 1 else 0.0)


def br_section(args, out):
    br = os.path.join(SHARED, "corpora", "br-text", "br-text.txt")
    folder = os.path.join("bench", "out", "lib")
    os.makedirs(folder, exist_ok=True)
    rows = []
    lines = ["## BR corpus, demo settings, 200 steps × 200 sentences: reference vs Tessera", "",
             "| corpus format | seed | ref tokens | ref types | ref lexicon | Tessera tokens | Tessera types | Tessera lexicon | "
             "ref train wall / CPU s | Tessera train wall / CPU ms | `tessera train lib` wall ms | speed-up (CPU) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for variant in ["words+space", "no spaces"]:
        corpus = prepare(br, variant, folder)
        for seed in range(args.seeds):
            ref = run_reference(args.reference, br, variant, seed, args.steps, args.sentences)
            tes = run_tessera(args.bin, corpus, seed, args.steps, args.sentences, args.repeat)
            cli = min(cli_time(args.bin, corpus, seed, args.steps, folder) for _ in range(3))
            row = dict(variant=variant, seed=seed, reference=ref, tessera=tes, cli_wall=cli)
            rows.append(row)
            out.write(json.dumps(row) + "\n")
            lines.append(f"| {variant} | {seed} | {ref['tokens']:,} | {ref['types']:,} | {ref['lexicon']:,} | {tes['tokens']:,} | "
                         f"{tes['types']:,} | {tes['lexicon']:,} | {ref['wall']:.2f} / {ref['cpu']:.2f} | "
                         f"{1000 * tes['min_seconds']:.1f} / {1000 * tes['min_cpu_seconds']:.1f} | {1000 * cli:.0f} | "
                         f"{ref['cpu'] / tes['min_cpu_seconds']:.0f}× |")
    lines.append("")
    for variant in ["words+space", "no spaces"]:
        sel = [r for r in rows if r["variant"] == variant]
        for who in ["reference", "tessera"]:
            t = mean_sd([r[who]["tokens"] for r in sel])
            y = mean_sd([r[who]["types"] for r in sel])
            lines.append(f"- {variant}, {who}: tokens {t[0]:,.0f} ± {t[1]:,.0f}, types {y[0]:,.0f} ± {y[1]:,.0f} ({len(sel)} seeds)")
        ratio_wall = statistics.median(r["reference"]["wall"] / r["tessera"]["min_seconds"] for r in sel)
        ratio_cpu = statistics.median(r["reference"]["cpu"] / r["tessera"]["min_cpu_seconds"] for r in sel)
        lines.append(f"- {variant}: median speed-up {ratio_wall:.0f}× (wall), {ratio_cpu:.0f}× (CPU)")
    return lines


# ---- FLORES comparison -------------------------------------------------------------------------------

def description_length(token_lists):
    """DL_lex + DL_corp in bits over token strings (see the module docstring)."""
    counts = Counter(t for tokens in token_lists for t in tokens)
    n = sum(counts.values())
    corp = -sum(c * math.log2(c / n) for c in counts.values())
    spelled = Counter(ch for t in counts for ch in t)
    m = sum(spelled.values())
    lex = -sum(c * math.log2(c / m) for c in spelled.values())
    return lex, corp


def decode_tokens(vocab, ids):
    return [vocab[i].decode("utf-8", errors="surrogateescape") for i in ids]


def unescape(raw):
    """A chunk line of a LiB model file (docs/formats.md): \\\\, \\n, \\t, \\r and \\xNN escapes."""
    out, i = bytearray(), 0
    while i < len(raw):
        b = raw[i]
        if b != 0x5C:
            out.append(b); i += 1; continue
        e = raw[i + 1]
        if e == ord("x"):
            out.append(int(raw[i + 2:i + 4], 16)); i += 4; continue
        out.append({ord("\\"): 0x5C, ord("n"): 0x0A, ord("t"): 0x09, ord("r"): 0x0D}[e]); i += 2
    return bytes(out)


def load_lib_vocab(path):
    lines = open(path, "rb").read().split(b"\n")
    i = lines.index(next(l for l in lines if l.startswith(b"tokens ")))
    count = int(lines[i].split()[1])
    vocab = {}
    for k, raw in enumerate(lines[i + 1:i + 1 + count]):
        vocab[k] = unescape(raw)
    # byte fallbacks after the lexicon
    singles = {v[0] for v in vocab.values() if len(v) == 1}
    nxt = count
    for b in range(256):
        if b not in singles:
            vocab[nxt] = bytes([b]); nxt += 1
    return vocab, count


def load_tiktoken_vocab(path):
    import base64
    vocab = {}
    for line in open(path, "rb"):
        if line.strip():
            t, r = line.split()
            vocab[int(r)] = base64.b64decode(t)
    return vocab


def encode_lines(bin_dir, tokenizer, corpus):
    out = subprocess.run([os.path.join(bin_dir, "tessera"), "encode", "-t", tokenizer, "--lines", "-o", "json", corpus],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(l)["ids"] for l in out.splitlines() if l.strip()]


def compare_section(args, out):
    folder = os.path.join("bench", "out", "lib")
    os.makedirs(folder, exist_ok=True)
    lines = ["## LiB vs BPE vs whitespace words on FLORES-200 (dev + devtest), equal vocabulary size", "",
             "| language | method | vocabulary | tokens | types used | DL_lex kb | DL_corp kb | DL kb | bytes/token |",
             "|---|---|---|---|---|---|---|---|---|"]
    for lang, vocab_size, steps in [("eng_Latn", args.vocab_en, args.lib_steps), ("zho_Hans", args.vocab_zh, args.lib_steps)]:
        text = []
        for split in ["dev", "devtest"]:
            text += open(os.path.join(SHARED, "corpora", "flores200", split, f"{lang}.{split}"), encoding="utf-8").read().split("\n")[:-1]
        corpus = os.path.join(folder, f"flores-{lang}.txt")
        with open(corpus, "w", encoding="utf-8") as f:
            f.write("\n".join(text) + "\n")
        total_bytes = sum(len(l.encode("utf-8")) for l in text)
        results = []
        # LiB (reference defaults, 500 sentences a step), pruned to the vocabulary size.
        model = os.path.join(folder, f"flores-{lang}.model")
        t = time.perf_counter()
        subprocess.run([os.path.join(args.bin, "tessera"), "train", "lib", corpus, "--steps", str(steps),
                        "--vocab-size", str(vocab_size), "-o", model, "--progress", "none"], check=True, capture_output=True)
        lib_seconds = time.perf_counter() - t
        vocab, _ = load_lib_vocab(model)
        results.append(("LiB", vocab_size, [decode_tokens(vocab, ids) for ids in encode_lines(args.bin, model, corpus)]))
        # Byte-level BPE (GPT-2 pre-tokenizer), the same number of ids.
        bpe = os.path.join(folder, f"flores-{lang}.tiktoken")
        subprocess.run([os.path.join(args.bin, "tessera"), "train", corpus, "--vocab-size", str(vocab_size), "-o", bpe,
                        "--progress", "none"], check=True, capture_output=True)
        vocab = load_tiktoken_vocab(bpe)
        results.append(("BPE", vocab_size, [decode_tokens(vocab, ids) for ids in encode_lines(args.bin, bpe, corpus)]))
        words = [l.split() for l in text]
        results.append(("words", len({w for ws in words for w in ws}), words))
        for method, v, segs in results:
            lex, corp = description_length(segs)
            tokens = sum(len(s) for s in segs)
            types = len({t for s in segs for t in s})
            row = dict(language=lang, method=method, vocabulary=v, tokens=tokens, types=types, dl_lex=lex, dl_corp=corp,
                       bytes_per_token=total_bytes / tokens, lib_train_seconds=lib_seconds if method == "LiB" else None)
            out.write(json.dumps(row) + "\n")
            lines.append(f"| {lang} | {method} | {v:,} | {tokens:,} | {types:,} | {lex / 1000:.1f} | {corp / 1000:.1f} | "
                         f"{(lex + corp) / 1000:.1f} | {total_bytes / tokens:.2f} |")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="folder with the release tessera and TesseraBench")
    ap.add_argument("--reference", help="checkout of ray306/The-Less-is-Better-Model (commit f301b47)")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--sentences", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5, help="Tessera repetitions (the minimum is reported)")
    ap.add_argument("--compare", action="store_true", help="also the FLORES LiB / BPE / words table")
    ap.add_argument("--only-compare", action="store_true")
    ap.add_argument("--vocab-en", type=int, default=8000)
    ap.add_argument("--vocab-zh", type=int, default=8000)
    ap.add_argument("--lib-steps", type=int, default=200)
    args = ap.parse_args()
    os.makedirs(os.path.join("bench", "out"), exist_ok=True)
    report = [f"# LiB benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})", ""]
    with open(os.path.join("bench", "out", "lib_bench.jsonl"), "w") as out:
        if not args.only_compare:
            if not args.reference:
                sys.exit("--reference PATH (a checkout of ray306/The-Less-is-Better-Model) is needed for the BR comparison")
            report += br_section(args, out) + [""]
        if args.compare or args.only_compare:
            report += compare_section(args, out) + [""]
    with open(os.path.join("bench", "out", "lib_bench.md"), "w") as f:
        f.write("\n".join(report) + "\n")
    print("\n".join(report))


if __name__ == "__main__":
    main()
