#!/usr/bin/env python3
"""BPE training speed and memory: Tessera against the peers, side by side in one run.

Each engine trains byte-level BPE on the same corpus (default: the 53 MB English corpus) with the GPT-2
regex, at each vocabulary size, `--repeat` times, each run in a fresh process. Reported per run:
  * wall_s      the whole process (start-up, reading the corpus, training, writing) — Tessera's CLI is
                timed this way;
  * train_s     the peer's training call alone (perf_counter around it; excludes the interpreter,
                imports and reading the file) — how the research notes measured the peers;
  * peak_rss_mb maximum resident set of the process (wait4).
Tessera has no interpreter to exclude, so its train_s is its wall_s (reading and writing included).
ffbpe uses its own default pre-tokenizer (its `train_bpe` takes no pattern) and sentencepiece splits on
whitespace only: both are timed as in the research notes, but they do not solve the identical task.

Usage: bench/train_bench.py [--corpus PATH] [--vocab 32000] [--repeat 3] [--engines ...] [--out DIR]
Writes OUT/train_bench.jsonl (one line per run) and OUT/train_bench.md (medians and ratios).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
BIN = os.path.join(ROOT, ".build", "release")

PEER = r'''
import json, sys, time
engine, path, vocab, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
PAT = %r
sys.path.insert(0, %r)
from train_parity import documents
text = open(path, encoding="utf-8", errors="surrogateescape").read()
docs = documents(text)
t0 = time.perf_counter()
if engine == "rustbpe":
    import rustbpe
    tok = rustbpe.Tokenizer(); tok.train_from_iterator(iter(docs), vocab, pattern=PAT)
elif engine == "hf_tokenizers":
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.train_from_iterator(docs, trainer=trainers.BpeTrainer(vocab_size=vocab, min_frequency=0, show_progress=False,
                            initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
elif engine == "bpeasy":
    import bpeasy
    bpeasy.train_bpe(iter(docs), PAT, 128, vocab)
elif engine == "ffbpe":
    import ffbpe
    ffbpe.train_bpe(iter(docs), vocab_size=vocab, unit="byte")
elif engine == "sentencepiece":
    import sentencepiece as spm
    spm.SentencePieceTrainer.train(sentence_iterator=iter(text.splitlines()), model_prefix=out, vocab_size=vocab,
                                   model_type="bpe", byte_fallback=True, character_coverage=1.0, num_threads=2,
                                   input_sentence_size=0, max_sentence_length=1 << 20, minloglevel=2)
print(json.dumps({"train_s": time.perf_counter() - t0}))
''' % (GPT2_PATTERN, os.path.join(ROOT, "bench"))


def measure(cmd):
    """Run `cmd` and return (stdout, wall seconds, peak RSS MB) using wait4 for the child's rusage."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit(f"{cmd[0]} failed: {err.decode()[-2000:]}")
    return out.decode(), wall, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--vocab", default="32000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--engines", default="tessera,ffbpe,sentencepiece,rustbpe,hf_tokenizers,bpeasy")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out"))
    ap.add_argument("--bin", default=BIN, help="folder holding the release tessera binary")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="tessera-train-bench-")
    corpus = args.corpus
    if corpus is None:
        import gzip
        corpus = os.path.join(scratch, "en_corpus.txt")
        with gzip.open(os.path.join(SHARED, "corpora", "english", "en_corpus.txt.gz"), "rb") as r, open(corpus, "wb") as w:
            w.write(r.read())
    size_mb = os.path.getsize(corpus) / 1e6
    rows = []
    with open(os.path.join(args.out, "train_bench.jsonl"), "w") as log:
        for vocab in [int(v) for v in args.vocab.split(",")]:
            for engine in args.engines.split(","):
                for rep in range(args.repeat):
                    out_path = os.path.join(scratch, f"{engine}-{vocab}")
                    if engine == "tessera":
                        cmd = [os.path.join(args.bin, "tessera"), "train", corpus, "--vocab-size", str(vocab), "-o", out_path + ".tiktoken",
                               "--threads", str(args.threads), "--progress", "none"]
                        _, wall, rss = measure(cmd)
                        train_s = wall
                    else:
                        out, wall, rss = measure([sys.executable, "-c", PEER, engine, corpus, str(vocab), out_path])
                        train_s = json.loads(out.strip().splitlines()[-1])["train_s"]
                    row = {"engine": engine, "vocab": vocab, "repeat": rep, "corpus_mb": round(size_mb, 1),
                           "wall_s": round(wall, 3), "train_s": round(train_s, 3), "peak_rss_mb": round(rss, 1)}
                    print(json.dumps(row), flush=True)
                    log.write(json.dumps(row) + "\n")
                    rows.append(row)
    with open(os.path.join(args.out, "train_bench.md"), "w") as w:
        w.write(f"# BPE training, {size_mb:.1f} MB, GPT-2 regex ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
                f"median of {args.repeat})\n\n")
        w.write("| engine | vocab | median train s | median wall s | median peak RSS MB | Tessera time / engine time |\n")
        w.write("|---|---:|---:|---:|---:|---:|\n")
        for vocab in sorted({r["vocab"] for r in rows}):
            med = {}
            for engine in args.engines.split(","):
                rs = [r for r in rows if r["engine"] == engine and r["vocab"] == vocab]
                if rs:
                    med[engine] = (statistics.median(r["train_s"] for r in rs), statistics.median(r["wall_s"] for r in rs),
                                   statistics.median(r["peak_rss_mb"] for r in rs))
            ours = med.get("tessera", (None,))[0]
            for engine, (t, wall, rss) in med.items():
                ratio = f"{ours / t:.2f}" if ours and engine != "tessera" else "–"
                w.write(f"| {engine} | {vocab} | {t:.2f} | {wall:.2f} | {rss:.0f} | {ratio} |\n")


if __name__ == "__main__":
    main()
