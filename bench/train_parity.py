#!/usr/bin/env python3
"""Merge parity of Tessera's BPE trainer against rustbpe, bpeasy and Hugging Face tokenizers.

For each corpus and vocabulary size, every engine trains byte-level BPE with the GPT-2 regex on the
same documents (the corpus cut where a newline is followed by an ASCII letter: no GPT-2 pre-token
spans such a cut, so every engine counts exactly the pre-tokens of the whole file). Then:

* rustbpe and bpeasy: their tokens in rank order must equal Tessera's tokens in merge order.
* Hugging Face: its merge list is compared with Tessera's; where they differ, HF's list is replayed
  by Tessera (`TesseraBench replay`), which reports at every step the count of HF's pair and the
  highest count available. HF is "identical up to ties" when every step is greedy (count == best)
  and both lists make the same set of tokens.

Usage: bench/train_parity.py [--vocab 8000,32000] [--corpus flores-eng|en53|PATH]... [--out DIR]
Prints one JSON line per (corpus, vocab, engine) and writes a markdown summary to OUT/train_parity.md.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
BENCH = os.path.join(ROOT, ".build", "release", "TesseraBench")  # --bin overrides the folder


def corpus_path(name, scratch):
    if name == "flores-eng":
        base = os.path.join(SHARED, "corpora", "flores200")
        parts = [os.path.join(base, "dev", "eng_Latn.dev"), os.path.join(base, "devtest", "eng_Latn.devtest")]
        out = os.path.join(scratch, "flores-eng.txt")
        with open(out, "wb") as w:
            for p in parts:
                with open(p, "rb") as r:
                    w.write(r.read())
        return out
    if name == "en53":
        import gzip
        out = os.path.join(scratch, "en_corpus.txt")
        if not os.path.exists(out):
            with gzip.open(os.path.join(SHARED, "corpora", "english", "en_corpus.txt.gz"), "rb") as r, open(out, "wb") as w:
                w.write(r.read())
        return out
    return name


def documents(text, size=10000):
    """Cut after a '\n' that follows a visible ASCII character and precedes an ASCII letter, once a document
    has `size` characters: the cut Tessera's GPT-2 scanner accepts (`PatternScanner.canCut`). After '\n\n'
    a cut would change the pieces: at a text's end `\s+(?!\S)` takes the whole run."""
    docs, start = [], 0
    n = len(text)
    i = text.find("\n", start + size)
    while i != -1:
        if i + 1 < n and "a" <= text[i + 1].lower() <= "z" and i > 0 and "!" <= text[i - 1] <= "~":
            docs.append(text[start:i + 1])
            start = i + 1
            i = text.find("\n", start + size)
        else:
            i = text.find("\n", i + 1)
    docs.append(text[start:])
    return docs


def byte_level_decoder():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def tessera(path, vocab, scratch):
    out = os.path.join(scratch, f"tessera-{vocab}.txt")
    line = subprocess.run([BENCH, "train", "--corpus", path, "--vocab", str(vocab), "--threads", "2", "--merges-out", out],
                          check=True, capture_output=True, text=True).stdout
    info = json.loads(line)
    merges = []
    with open(out) as f:
        for l in f:
            a, b, c = l.split()
            merges.append((bytes.fromhex(a), bytes.fromhex(b), int(c)))
    return merges, info


def ranks_to_tokens(ranks):
    return [t for t, r in sorted(ranks.items(), key=lambda kv: kv[1]) if r >= 256]


def rustbpe_tokens(docs, vocab):
    import rustbpe
    tok = rustbpe.Tokenizer()
    t0 = time.perf_counter()
    tok.train_from_iterator(iter(docs), vocab, pattern=GPT2_PATTERN)
    seconds = time.perf_counter() - t0
    return ranks_to_tokens(dict(tok.get_mergeable_ranks())), seconds


def bpeasy_tokens(docs, vocab):
    import bpeasy
    t0 = time.perf_counter()
    ranks = bpeasy.train_bpe(iter(docs), GPT2_PATTERN, 10_000, vocab)
    seconds = time.perf_counter() - t0
    return ranks_to_tokens(ranks), seconds


def hf_merges(docs, vocab):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    trainer = trainers.BpeTrainer(vocab_size=vocab, min_frequency=0, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    t0 = time.perf_counter()
    tok.train_from_iterator(docs, trainer=trainer)
    seconds = time.perf_counter() - t0
    model = json.loads(tok.to_str())["model"]
    dec = byte_level_decoder()
    merges = []
    for m in model["merges"]:
        a, b = (m.split(" ") if isinstance(m, str) else m)
        merges.append((bytes(dec[c] for c in a), bytes(dec[c] for c in b)))
    return merges, seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", default="8000,32000")
    ap.add_argument("--corpus", action="append")
    ap.add_argument("--engines", default="rustbpe,bpeasy,hf")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out"))
    ap.add_argument("--bin", default=None, help="folder holding the release TesseraBench binary")
    args = ap.parse_args()
    global BENCH
    if args.bin:
        BENCH = os.path.join(args.bin, "TesseraBench")
    corpora = args.corpus or ["flores-eng", "en53"]
    engines = args.engines.split(",")
    os.makedirs(args.out, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="tessera-train-parity-")
    rows = []
    for cname in corpora:
        path = corpus_path(cname, scratch)
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        docs = documents(text)
        for vocab in [int(v) for v in args.vocab.split(",")]:
            ours, info = tessera(path, vocab, scratch)
            our_tokens = [a + b for a, b, _ in ours]
            row = {"corpus": cname, "vocab": vocab, "tessera_merges": len(ours), "tessera_s": round(info["train_s"], 3)}
            if "rustbpe" in engines:
                toks, s = rustbpe_tokens(docs, vocab)
                row["rustbpe_identical"] = toks == our_tokens
                row["rustbpe_first_diff"] = next((i + 1 for i, (x, y) in enumerate(zip(toks, our_tokens)) if x != y), None)
                row["rustbpe_s"] = round(s, 3)
            if "bpeasy" in engines:
                toks, s = bpeasy_tokens(docs, vocab)
                row["bpeasy_identical"] = toks == our_tokens
                row["bpeasy_first_diff"] = next((i + 1 for i, (x, y) in enumerate(zip(toks, our_tokens)) if x != y), None)
                row["bpeasy_s"] = round(s, 3)
            if "hf" in engines:
                merges, s = hf_merges(docs, vocab)
                ours_pairs = [(a, b) for a, b, _ in ours]
                row["hf_identical"] = merges == ours_pairs
                row["hf_first_diff"] = next((i + 1 for i, (x, y) in enumerate(zip(merges, ours_pairs)) if x != y), None)
                row["hf_same_token_set"] = set(a + b for a, b in merges) == set(our_tokens)
                hf_file = os.path.join(scratch, f"hf-{cname}-{vocab}.txt")
                with open(hf_file, "w") as w:
                    for a, b in merges:
                        w.write(a.hex() + " " + b.hex() + "\n")
                rep = json.loads(subprocess.run([BENCH, "replay", "--corpus", path, "--merges", hf_file],
                                                check=True, capture_output=True, text=True).stdout)
                row["hf_steps_not_greedy"] = rep["not_greedy"]
                row["hf_up_to_ties"] = rep["not_greedy"] == 0
                row["hf_s"] = round(s, 3)
            print(json.dumps(row), flush=True)
            rows.append(row)
    stamp = ", ".join(f"{p} {version(p)}" for p in ("tokenizers", "rustbpe", "bpeasy"))
    with open(os.path.join(args.out, "train_parity.md"), "w") as w:
        w.write(f"# Training merge parity ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {stamp})\n\n")
        w.write("| corpus | vocab | merges | rustbpe identical | bpeasy identical | HF identical | HF first diff | HF same tokens | HF steps not greedy |\n")
        w.write("|---|---:|---:|---|---|---|---:|---|---:|\n")
        for r in rows:
            w.write(f"| {r['corpus']} | {r['vocab']} | {r['tessera_merges']} | {r.get('rustbpe_identical')} | {r.get('bpeasy_identical')} | "
                    f"{r.get('hf_identical')} | {r.get('hf_first_diff')} | {r.get('hf_same_token_set')} | {r.get('hf_steps_not_greedy')} |\n")
    ok = all(r.get("rustbpe_identical", True) and r.get("bpeasy_identical", True) and r.get("hf_up_to_ties", True) for r in rows)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
