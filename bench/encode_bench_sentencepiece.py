#!/usr/bin/env python3
"""Encode throughput and load time: Tessera's SentencePiece models next to the `sentencepiece` library, one run.

Usage:
    python bench/encode_bench_sentencepiece.py --bin-dir .build/release [--repeat 3] [--models mistral,unigram,bpe]

Documents: en_bench_20MB.txt split by peers.split_documents (whole lines up to >= 10,000 bytes: 1,993 documents),
the same documents as bench/encode_bench.py. Every row runs in a fresh process:

  sentencepiece single : SentencePieceProcessor.encode(doc) in a Python loop, one thread;
  sentencepiece batch2 : SentencePieceProcessor.encode(list of 512 docs, num_threads=2);
  tessera single/2 thr : `TesseraBench encode --tokenizer MODEL --threads 1|2` (Tokenizer.encode per document, or
                         encodeBatch on 2 threads), special-token text as text (sentencepiece never matches it).

Reported: median MB/s over the repeats (MB = 10^6 bytes), min–max, MB per CPU-second (user+system of the process,
the robust figure on a shared machine; for Tessera the rusage minus the load phase, marked ≈), total tokens (must be
equal for both engines: the ids themselves are the parity run's job), and load time: sentencepiece's
SentencePieceProcessor(model_file=…) and Tessera's TokenizerLoader.load (`TesseraBench load`), each repeated in one
process (the first load reads a cold file; the median is reported). Writes bench/out/encode-sentencepiece.md + .json.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import encode_bench as eb  # noqa: E402  (run_child, child_env, summarize, last_json_line)
import parity_sentencepiece as psp  # noqa: E402  (model paths)
import peers  # noqa: E402

MODELS = ["mistral", "unigram", "bpe"]


def worker(model: str, mode: str, repeat: int, corpus: Path) -> dict:
    import resource

    import sentencepiece as spm
    docs = [d.decode("utf-8") for d in peers.split_documents(corpus.read_bytes())]
    total = sum(len(d.encode("utf-8")) for d in docs)
    path = str(psp.model_path(model))
    loads = []
    for _ in range(5):
        t = time.perf_counter()
        sp = spm.SentencePieceProcessor(model_file=path)
        loads.append((time.perf_counter() - t) * 1000)
    seconds, cpus, tokens = [], [], 0
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        if mode == "single":
            tokens = sum(len(sp.encode(d)) for d in docs)
        else:
            tokens = 0
            for i in range(0, len(docs), eb.BATCH_CHUNK):
                tokens += sum(len(x) for x in sp.encode(docs[i:i + eb.BATCH_CHUNK], num_threads=2))
        seconds.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return {"engine": "sentencepiece", "model": model, "mode": mode, "docs": len(docs), "bytes": total,
            "tokens": tokens, "seconds": seconds, "cpu_seconds": cpus, "load_ms_all": loads,
            "load_ms": statistics.median(loads), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_sentencepiece(model: str, mode: str, repeat: int, corpus: Path, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--worker", model, mode, str(repeat), str(corpus)]
    rc, so, se, ru = eb.run_child(cmd, eb.child_env(2 if mode == "batch2" else 1), timeout)
    j = eb.last_json_line(so)
    if rc != 0 or j is None:
        return {"engine": "sentencepiece", "model": model, "mode": mode, "error": f"rc={rc}: {(se or so)[-600:]}"}
    return eb.summarize(j)


def run_tessera(bench: Path, model: str, threads: int, repeat: int, corpus: Path, timeout: float) -> dict:
    path = str(psp.model_path(model))
    cmd = [str(bench), "encode", "--tokenizer", path, "--corpus", str(corpus), "--doc-bytes", str(peers.DOC_BYTES),
           "--threads", str(threads), "--repeat", str(repeat)]
    rc, so, se, ru = eb.run_child(cmd, eb.child_env(threads), timeout)
    j = eb.last_json_line(so)
    mode = "single" if threads == 1 else "batch2"
    if rc != 0 or j is None:
        return {"engine": "tessera", "model": model, "mode": mode, "error": f"rc={rc}: {(se or so)[-600:]}"}
    r = {"engine": "tessera", "model": model, "mode": mode, "docs": j["docs"], "bytes": j["bytes"], "tokens": j["tokens"],
         "seconds": j["seconds"], "peak_rss_mb": j.get("peak_rss_mb"), "cmd": shlex.join(cmd)}
    eb.summarize(r)
    cpu = ru["utime"] + ru["stime"] - (j.get("load_ms") or 0) / 1000.0
    if cpu > 0:
        r["median_mb_cpu_s"] = r["bytes"] * len(r["seconds"]) / 1e6 / cpu
        r["cpu_estimated"] = True
    rc, so, se, _ = eb.run_child([str(bench), "load", "--tokenizer", path, "--repeat", "5"], eb.child_env(1), timeout)
    lj = eb.last_json_line(so)
    if lj:
        r["load_ms_all"] = lj["load_ms"]
        r["load_ms"] = lj["median_load_ms"]
    return r


def fmt(x, nd=1):
    return "–" if x is None else (f"{x:,.{nd}f}" if isinstance(x, float) else f"{x:,}")


def render(rows: list[dict], meta: dict) -> str:
    L = ["# Encode throughput: Tessera vs sentencepiece", ""]
    m = meta["machine"]
    L.append(f"Machine: nproc={m['nproc']}, {m['cpu_model']}; load average before {meta['loadavg_before']}, after "
             f"{meta['loadavg_after']}. Corpus `{meta['corpus']}`, {meta['docs']:,} documents, {meta['repeat']} repeats per "
             f"row, each row a fresh process. sentencepiece {meta['sentencepiece']}. Command: `{meta['command']}` "
             f"({meta['started']}, {meta['elapsed_s']:.0f} s).")
    L += ["", "| model | engine | mode | median MB/s | min–max | MB/CPU-s | tokens | load ms (median of 5) | ratio tessera/sp (MB/s, MB/CPU-s) |",
          "|---|---|---|---:|---:|---:|---:|---:|---|"]
    by = {(r["model"], r["engine"], r["mode"]): r for r in rows}
    for r in rows:
        if "error" in r:
            L.append(f"| {r['model']} | {r['engine']} | {r['mode']} | | | | | | **{r['error'][:200]}** |")
            continue
        ratio = ""
        if r["engine"] == "tessera":
            sp = by.get((r["model"], "sentencepiece", r["mode"]))
            if sp and "error" not in sp and sp.get("median_mb_s"):
                ratio = f"{r['median_mb_s'] / sp['median_mb_s']:.1f}× , {r.get('median_mb_cpu_s', 0) / sp['median_mb_cpu_s']:.1f}×"
                if sp["tokens"] != r["tokens"]:
                    ratio += " **token totals differ**"
        cpu = fmt(r.get("median_mb_cpu_s")) + (" ≈" if r.get("cpu_estimated") else "")
        L.append(f"| {r['model']} | {r['engine']} | {r['mode']} | {fmt(r.get('median_mb_s'))} | "
                 f"{fmt(r.get('min_mb_s'))}–{fmt(r.get('max_mb_s'))} | {cpu} | {fmt(r.get('tokens'))} | "
                 f"{fmt(r.get('load_ms'), 1)} | {ratio} |")
    return "\n".join(L) + "\n"


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        model, mode, repeat, corpus = sys.argv[2], sys.argv[3], int(sys.argv[4]), Path(sys.argv[5])
        print(json.dumps(worker(model, mode, repeat, corpus)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=peers.OUT)
    ap.add_argument("--timeout", type=float, default=1800.0)
    a = ap.parse_args()
    import sentencepiece as spm
    corpus = a.corpus or peers.bench_corpus()
    t0 = time.time()
    meta = {"command": shlex.join([sys.executable] + sys.argv), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "machine": peers.machine_facts(), "loadavg_before": [round(x, 2) for x in os.getloadavg()],
            "corpus": str(corpus), "repeat": a.repeat, "sentencepiece": spm.__version__,
            "docs": len(peers.split_documents(corpus.read_bytes()))}
    bench = a.bin_dir / "TesseraBench"
    rows = []
    for model in [m for m in a.models.split(",") if m]:
        for mode, threads in (("single", 1), ("batch2", 2)):
            print(f"[{model} {mode}] sentencepiece", file=sys.stderr, flush=True)
            rows.append(run_sentencepiece(model, mode, a.repeat, corpus, a.timeout))
            print(f"[{model} {mode}] tessera", file=sys.stderr, flush=True)
            rows.append(run_tessera(bench, model, threads, a.repeat, corpus, a.timeout))
    meta["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    meta["elapsed_s"] = time.time() - t0
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "encode-sentencepiece.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    md = render(rows, meta)
    (a.out / "encode-sentencepiece.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
