#!/usr/bin/env python3
"""Encode throughput: Tessera side by side with peer BPE engines, in one run, on the same documents.

Usage (normally through bench/run-encode-bench.sh, which prepares the venv and the tiktoken cache):
    python bench/encode_bench.py --bin-dir .build/release [--repeat 3] [--corpus FILE] [--engines a,b] [--vocabs cl100k,o200k]

Every (engine, vocab, mode) runs in a FRESH subprocess (`--worker ...`), so peak RSS and load time are
per engine. Modes:
  single : one thread, a Python loop calling the engine once per document (RAYON_NUM_THREADS=1);
  batch2 : the engine's own batch API with 2 threads, fed chunks of 512 documents (RAYON_NUM_THREADS=2).
Tessera runs as `TesseraBench encode --threads 1` (≙ single) and `--threads 2` (≙ batch2).
Documents: peers.split_documents (whole lines up to >= 10,000 bytes; en_bench_20MB.txt -> 1,993).
MB = 10^6 bytes of UTF-8 input. Results: bench/out/encode.md and bench/out/encode.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

BATCH_CHUNK = 512
VOCABS = {"gpt2": "r50k_base", "cl100k": "cl100k_base", "o200k": "o200k_base"}


# ---------------------------------------------------------------------------------------------
# Engines: load(vocab) -> (single(str) -> n_tokens, batch(list[str], threads) -> n_tokens, ids(str) -> list)
# ---------------------------------------------------------------------------------------------
def _tiktoken(vocab):
    import tiktoken
    peers.ensure_tiktoken_env()
    enc = tiktoken.get_encoding(VOCABS[vocab])
    return (lambda s: len(enc.encode_ordinary(s)),
            lambda c, t: sum(len(x) for x in enc.encode_ordinary_batch(c, num_threads=t)),
            enc.encode_ordinary)


def _hf(vocab):
    if vocab == "gpt2":
        tok = peers.hf_gpt2()
    else:
        tok = peers.hf_from_json(peers.tiktoken_to_hf_json(VOCABS[vocab]))
    return (lambda s: len(tok.encode(s, add_special_tokens=False).ids),
            lambda c, t: sum(len(e.ids) for e in tok.encode_batch(c, add_special_tokens=False)),
            lambda s: tok.encode(s, add_special_tokens=False).ids)


def _bpe_openai(vocab):
    import bpe_openai
    enc = bpe_openai.get_encoding(VOCABS[vocab])
    return (lambda s: len(enc.encode_ordinary(s)),
            lambda c, t: sum(len(x) for x in enc.encode_ordinary_batch(c, num_threads=t)),
            enc.encode_ordinary)


def _rs_bpe(vocab):
    from rs_bpe import bpe
    tok = {"cl100k": bpe.openai.cl100k_base, "o200k": bpe.openai.o200k_base}[vocab]()
    opts = {}

    def batch(c, t):
        if t not in opts:
            opts[t] = bpe.openai.ParallelOptions(1, 64, t)   # min_batch_size, chunk_size (texts/thread), max_threads
        return sum(len(x) for x in tok.encode_batch_parallel(c, opts[t])[0])
    return (lambda s: len(tok.encode(s)), batch, tok.encode)


def _riptoken(vocab):
    import riptoken
    peers.ensure_tiktoken_env()
    enc = riptoken.get_encoding(VOCABS[vocab])
    return (lambda s: len(enc.encode_ordinary(s)),
            lambda c, t: sum(len(x) for x in enc.encode_ordinary_batch(c)),   # rayon: RAYON_NUM_THREADS
            enc.encode_ordinary)


def _quicktok(vocab):
    import quicktok
    enc = quicktok.get_encoding(VOCABS[vocab])
    return (lambda s: len(enc.encode_ordinary(s)),
            lambda c, t: len(enc.encode_batch(c, t, False)[0]),
            enc.encode_ordinary)


def _toktok(vocab):
    import toktok
    enc = toktok._encoding(VOCABS[vocab])   # the full encode surface (toktok's public API is count-only)
    return (lambda s: len(enc.encode_ordinary(s)),
            lambda c, t: len(enc.encode_batch(c, t, False)[0]) // 4,
            enc.encode_ordinary)


def _splintr(vocab):
    import splintr
    tok = splintr.Tokenizer.from_pretrained(VOCABS[vocab])
    return (lambda s: len(tok.encode_ordinary(s)),
            lambda c, t: len(tok.encode_batch_flat(c)[0]) // 4,                # rayon: RAYON_NUM_THREADS
            tok.encode_ordinary)


def _fastokens(vocab):
    import fastokens
    tok = fastokens.Tokenizer.from_tiktoken(str(peers.plain_tiktoken_path(VOCABS[vocab])), encoding=VOCABS[vocab])
    return (lambda s: len(tok.encode_ordinary(s).ids),
            lambda c, t: len(tok.encode_batch_flat(c)[0]) // 4,                # rayon: RAYON_NUM_THREADS
            lambda s: tok.encode_ordinary(s).ids)


def _tokie(vocab):
    import tokie
    tok = tokie.Tokenizer.from_json(str(peers.tiktoken_to_hf_json(VOCABS[vocab])))
    return (lambda s: len(tok.encode(s, add_special_tokens=False).ids),
            lambda c, t: sum(len(e.ids) for e in tok.encode_batch(c, add_special_tokens=False)),
            lambda s: tok.encode(s, add_special_tokens=False).ids)


# name -> (loader, vocabs, PyPI package)
ENGINES = {
    "tiktoken": (_tiktoken, ["gpt2", "cl100k", "o200k"], "tiktoken"),
    "hf_tokenizers": (_hf, ["gpt2", "cl100k", "o200k"], "tokenizers"),
    "bpe_openai": (_bpe_openai, ["cl100k", "o200k"], "bpe-openai"),
    "rs_bpe": (_rs_bpe, ["cl100k", "o200k"], "rs-bpe"),
    "riptoken": (_riptoken, ["cl100k", "o200k"], "riptoken"),
    "quicktok": (_quicktok, ["cl100k", "o200k"], "quicktok-v1"),
    "toktok": (_toktok, ["cl100k", "o200k"], "toktok-rs"),
    "splintr": (_splintr, ["cl100k", "o200k"], "splintr-rs"),
    "fastokens": (_fastokens, ["cl100k", "o200k"], "fastokens"),
    "tokie": (_tokie, ["cl100k", "o200k"], "tokie"),
}


def maxrss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ---------------------------------------------------------------------------------------------
# worker: one engine x vocab x mode, in its own process
# ---------------------------------------------------------------------------------------------
def worker(engine: str, vocab: str, mode: str, corpus: Path, repeat: int, digest: bool) -> dict:
    data = corpus.read_bytes()
    docs_b = peers.split_documents(data)
    docs = [d.decode("utf-8") for d in docs_b]
    nbytes = sum(len(d) for d in docs_b)
    del data, docs_b
    base_rss = maxrss_mb()
    t0 = time.perf_counter()
    single, batch, ids = ENGINES[engine][0](vocab)
    single("warm up: Hello, world! 12345")                 # lazy init counts as load
    load_ms = (time.perf_counter() - t0) * 1000
    chunks = [docs[i:i + BATCH_CHUNK] for i in range(0, len(docs), BATCH_CHUNK)]
    walls, cpus, tokens = [], [], None
    for _ in range(repeat):
        n = 0
        c0, w0 = time.process_time(), time.perf_counter()
        if mode == "single":
            for d in docs:
                n += single(d)
        else:
            for c in chunks:
                n += batch(c, 2)
        w1, c1 = time.perf_counter(), time.process_time()
        walls.append(w1 - w0)
        cpus.append(c1 - c0)
        if tokens is not None and tokens != n:
            raise RuntimeError(f"token count changed between repeats: {tokens} vs {n}")
        tokens = n
    out = {"engine": engine, "vocab": vocab, "mode": mode, "docs": len(docs), "bytes": nbytes, "tokens": tokens,
           "seconds": walls, "cpu_seconds": cpus, "load_ms": load_ms, "base_rss_mb": base_rss}
    if digest:
        out["ids_sha256"] = peers.ids_digest(ids(d) for d in docs)
    out["self_peak_rss_mb"] = maxrss_mb()
    return out


# ---------------------------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------------------------
def run_child(cmd: list[str], env: dict, timeout: float) -> tuple[int, str, str, dict]:
    """Run cmd, return (rc, stdout, stderr, rusage of that child alone) via wait4."""
    import tempfile
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, env=env)
        rc, ru = None, None
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid == p.pid:
                rc = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() - t0 > timeout:
                p.kill()
                _, status, ru = os.wait4(p.pid, 0)
                rc = 124
                break
            time.sleep(0.02)
        p.returncode = rc
        fo.seek(0)
        fe.seek(0)
        usage = {"maxrss_mb": ru.ru_maxrss / 1024.0, "utime": ru.ru_utime, "stime": ru.ru_stime,
                 "wall": time.perf_counter() - t0}
        return rc, fo.read().decode("utf-8", "replace"), fe.read().decode("utf-8", "replace"), usage


def last_json_line(text: str) -> dict | None:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return None


def all_json_lines(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def child_env(threads: int) -> dict:
    env = dict(os.environ)
    env["RAYON_NUM_THREADS"] = str(threads)
    env["RAYON_RS_NUM_CPUS"] = str(threads)
    env["TOKENIZERS_PARALLELISM"] = "true" if threads > 1 else "false"
    return env


def summarize(r: dict) -> dict:
    mbs = [r["bytes"] / 1e6 / s for s in r["seconds"] if s > 0]
    r["median_mb_s"] = statistics.median(mbs) if mbs else None
    r["min_mb_s"], r["max_mb_s"] = (min(mbs), max(mbs)) if mbs else (None, None)
    cpus = r.get("cpu_seconds")
    if cpus:
        r["median_mb_cpu_s"] = statistics.median(r["bytes"] / 1e6 / c for c in cpus if c > 0)
    return r


def run_tessera_encode(bench: Path, vocab: str, threads: int, corpus: Path, repeat: int, timeout: float) -> dict:
    tok = VOCABS[vocab]
    cmd = [str(bench), "encode", "--tokenizer", tok, "--corpus", str(corpus), "--doc-bytes", str(peers.DOC_BYTES),
           "--threads", str(threads), "--repeat", str(repeat)]
    rc, so, se, ru = run_child(cmd, child_env(threads), timeout)
    j = last_json_line(so)
    mode = "single" if threads == 1 else f"batch{threads}"
    base = {"engine": "tessera", "vocab": vocab, "mode": mode, "cmd": shlex.join(cmd)}
    if rc != 0 or j is None:
        return {**base, "error": f"rc={rc}: {(se or so).strip()[-800:]}"}
    r = {**base, "docs": j.get("docs"), "bytes": j.get("bytes"), "tokens": j.get("tokens"),
         "seconds": j.get("seconds", []), "load_ms": j.get("load_ms"), "raw": j,
         "peak_rss_mb": j.get("peak_rss_mb") or ru["maxrss_mb"], "child_maxrss_mb": ru["maxrss_mb"]}
    summarize(r)
    # CPU seconds are not reported per repeat: estimate from the process's rusage minus the load phase
    cpu = ru["utime"] + ru["stime"] - (r["load_ms"] or 0) / 1000.0
    if cpu > 0 and r["bytes"]:
        r["median_mb_cpu_s"] = r["bytes"] * len(r["seconds"]) / 1e6 / cpu
        r["cpu_estimated"] = True
    if j.get("median_mb_s") is not None:
        r["median_mb_s_reported"] = j["median_mb_s"]
    return r


def fmt(x, nd=2):
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def render(results: list[dict], extra: dict) -> str:
    ref = {(r["vocab"]): r for r in results if r["engine"] == "tiktoken" and r["mode"] == "single" and "error" not in r}
    ref_digest = {v: r.get("ids_sha256") for v, r in ref.items()}
    tess = {(r["vocab"], r["mode"]): r for r in results if r["engine"] == "tessera" and "error" not in r}
    lines = []
    A = lines.append
    A("# Encode throughput: Tessera vs peers")
    A("")
    m = extra["machine"]
    A(f"Machine: nproc={m['nproc']} (affinity {m['sched_affinity']}), CPU: {m['cpu_model']}, {m['mem_gib']} GiB, "
      f"kernel {m['kernel']}; load average before {extra['loadavg_before']}, after {extra['loadavg_after']}.  ")
    A(f"Corpus: `{extra['corpus']}` ({extra['bytes']:,} bytes, {extra['docs']:,} documents of >= {peers.DOC_BYTES:,} "
      f"bytes split at line ends); {extra['repeat']} repeats per row, each row in a fresh process.  ")
    A(f"Command: `{extra['command']}` ({extra['started']}, {extra['elapsed_s']:.0f} s).  ")
    A(f"Versions: {', '.join(f'{k} {v}' for k, v in extra['versions'].items() if v)}; "
      f"tessera {extra.get('tessera_commit') or '(uncommitted tree)'}.")
    A("")
    A("MB = 10^6 bytes. *single*: one thread, a loop over documents (RAYON_NUM_THREADS=1); *batch2*: the engine's "
      "own batch API with 2 threads (Tessera: `TesseraBench encode --threads 2`). MB/CPU-s = bytes / CPU time of "
      "the process (all threads; ≈ for Tessera: rusage minus load). Ratio = Tessera's median MB/s in the same vocab "
      "and mode ÷ the row's. *1st run*: the first of the repeats (engines with piece caches warm up after it). exact?: `ids` = sha256 of all ids equals tiktoken's, `count` = total tokens equal "
      "tiktoken's, **MISMATCH** = differs.")
    A("")
    A("| engine | vocab | mode | median MB/s | min–max MB/s | 1st run MB/s | MB/CPU-s | tokens | exact? | peak RSS MB "
      "| load ms | ratio: tessera / engine |")
    A("|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    order = {"gpt2": 0, "cl100k": 1, "o200k": 2}
    rows = sorted(results, key=lambda r: (order.get(r["vocab"], 9), r["mode"] != "single", r["engine"] != "tessera",
                                         -(r.get("median_mb_s") or 0)))
    for r in rows:
        if "error" in r:
            A(f"| {r['engine']} | {r['vocab']} | {r['mode']} | failed | | | | | | | | |")
            continue
        rt = ref.get(r["vocab"])
        if r["engine"] == "tiktoken" and r["mode"] == "single":
            exact = "reference"
        elif rt is None:
            exact = "? (no tiktoken ref)"
        elif r["tokens"] != rt["tokens"]:
            exact = f"**MISMATCH {r['tokens'] - rt['tokens']:+,}**"
        elif r.get("ids_sha256") and ref_digest.get(r["vocab"]):
            exact = "ids" if r["ids_sha256"] == ref_digest[r["vocab"]] else "**MISMATCH (ids)**"
        else:
            exact = "count"
        t = tess.get((r["vocab"], r["mode"]))
        ratio = "–" if r["engine"] == "tessera" or not t or not r.get("median_mb_s") else \
            f"{t['median_mb_s'] / r['median_mb_s']:.2f}×"
        cpu = fmt(r.get("median_mb_cpu_s")) + ("≈" if r.get("cpu_estimated") else "")
        first = r["bytes"] / 1e6 / r["seconds"][0] if r.get("seconds") and r["seconds"][0] > 0 else None
        A(f"| {r['engine']} | {r['vocab']} | {r['mode']} | {fmt(r.get('median_mb_s'))} | "
          f"{fmt(r.get('min_mb_s'))}–{fmt(r.get('max_mb_s'))} | {fmt(first)} | {cpu} | {fmt(r.get('tokens'))} | {exact} | "
          f"{fmt(r.get('peak_rss_mb'), 0)} | {fmt(r.get('load_ms'), 0)} | {ratio} |")
    A("")
    base = [r.get("base_rss_mb") for r in results if r.get("base_rss_mb")]
    if base:
        A(f"Peer RSS includes the Python interpreter and the {extra['docs']:,} documents as str "
          f"(≈ {statistics.median(base):.0f} MB before any engine is imported).")
        A("")
    bad = [r for r in results if "error" not in r and r["engine"] != "tiktoken" and ref.get(r["vocab"])
           and (r["tokens"] != ref[r["vocab"]]["tokens"]
                or (r.get("ids_sha256") and ref_digest.get(r["vocab"]) and r["ids_sha256"] != ref_digest[r["vocab"]]))]
    if bad:
        A("**Token mismatches against tiktoken:** " + "; ".join(
            f"{r['engine']} {r['vocab']} {r['mode']}: {r['tokens']:,} vs {ref[r['vocab']]['tokens']:,}" for r in bad))
        A("")
    for r in results:
        if r["engine"] == "tessera" and "error" not in r and r.get("docs") != extra["docs"]:
            A(f"**Tessera split the corpus into {r.get('docs')} documents, this script into {extra['docs']}.**")
            A("")
    if extra.get("skipped"):
        A("Skipped: " + "; ".join(f"{k}: {v}" for k, v in extra["skipped"].items()))
        A("")
    errs = [r for r in results if "error" in r]
    if errs:
        A("Failures: " + "; ".join(f"{r['engine']} {r['vocab']} {r['mode']}: {r['error'][:300]}" for r in errs))
        A("")
    if extra.get("scan"):
        A("## Pre-tokenizer only (`TesseraBench scan`)")
        A("")
        A("| pattern | median MB/s | details |")
        A("|---|---:|---|")
        for s in extra["scan"]:
            if "error" in s:
                A(f"| {s['pattern']} | failed | {s['error'][:200]} |")
            else:
                det = ", ".join(f"{k}={v}" for k, v in s["raw"].items() if k not in ("median_mb_s",))
                A(f"| {s['pattern']} | {fmt(s['raw'].get('median_mb_s'))} | {det} |")
        A("")
    if extra.get("worst_case"):
        A("## Worst cases (`TesseraBench worst-case --tokenizer o200k_base`)")
        A("")
        wc = extra["worst_case"]
        if "error" in wc:
            A(f"failed: {wc['error'][:400]}")
        else:
            A("| case | bytes | tokens | seconds | MB/s | other |")
            A("|---|---:|---:|---:|---:|---|")
            for j in wc["lines"]:
                name = j.get("case") or j.get("name") or "?"
                secs = j.get("seconds")
                if isinstance(secs, list):
                    secs = statistics.median(secs) if secs else None
                mbs = j["bytes"] / 1e6 / secs if secs and j.get("bytes") else None
                other = ", ".join(f"{k}={v}" for k, v in j.items()
                                  if k not in ("case", "name", "engine", "bytes", "tokens", "seconds"))
                A(f"| {name} | {fmt(j.get('bytes'))} | {fmt(j.get('tokens'))} | {fmt(secs, 3)} | {fmt(mbs)} | {other} |")
        if extra.get("worst_case_tiktoken"):
            A("")
            A("tiktoken o200k_base on the same shapes ('a' × 2^20 and × 2^22 bytes), for scale (seconds, one run): " + ", ".join(
                f"{k}: {fmt(v, 3)}" for k, v in extra["worst_case_tiktoken"].items()))
        A("")
    return "\n".join(lines) + "\n"


def tiktoken_worst_case() -> dict:
    import tiktoken
    peers.ensure_tiktoken_env()
    enc = tiktoken.get_encoding("o200k_base")
    out = {}
    for label, text in (("one letter x 1 MB", "a" * (1 << 20)), ("one letter x 4 MB", "a" * (4 << 20))):
        t0 = time.perf_counter()
        enc.encode_ordinary(text)
        out[label] = time.perf_counter() - t0
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", type=Path, help="directory holding TesseraBench (swift build --show-bin-path)")
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma list of peer engines")
    ap.add_argument("--vocabs", default="gpt2,cl100k,o200k")
    ap.add_argument("--modes", default="single,batch2")
    ap.add_argument("--no-digest", action="store_true", help="skip the (untimed) ids fingerprint pass")
    ap.add_argument("--timeout", type=float, default=1200.0, help="seconds per subprocess")
    ap.add_argument("--out", type=Path, default=peers.OUT)
    ap.add_argument("--command", default=None, help="command line to record in the report")
    ap.add_argument("--render-only", action="store_true", help="re-render encode.md from an existing encode.json")
    ap.add_argument("--worker", nargs=3, metavar=("ENGINE", "VOCAB", "MODE"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    corpus = a.corpus or peers.bench_corpus()

    if a.render_only:
        d = json.loads((a.out / "encode.json").read_text())
        md = render(d["results"], d["meta"])
        (a.out / "encode.md").write_text(md)
        print(md)
        return 0
    if a.worker:
        res = worker(*a.worker, corpus=corpus, repeat=a.repeat, digest=not a.no_digest and a.worker[2] == "single")
        print(json.dumps(res))
        return 0

    t_start = time.time()
    vocabs = [v for v in a.vocabs.split(",") if v]
    modes = [m for m in a.modes.split(",") if m]
    data = corpus.read_bytes()
    docs = peers.split_documents(data)
    extra = {"machine": peers.machine_facts(), "loadavg_before": [round(x, 2) for x in os.getloadavg()],
             "corpus": str(corpus), "bytes": len(data), "docs": len(docs), "repeat": a.repeat,
             "command": a.command or shlex.join([sys.executable] + sys.argv), "versions": peers.versions(),
             "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "skipped": {}}
    del data, docs
    try:
        extra["tessera_commit"] = subprocess.run(["git", "-C", str(peers.ROOT), "rev-parse", "--short", "HEAD"],
                                                 capture_output=True, text=True).stdout.strip() or None
    except OSError:
        extra["tessera_commit"] = None
    results: list[dict] = []
    me = str(Path(__file__).resolve())

    bench = (a.bin_dir / "TesseraBench") if a.bin_dir else None
    if bench is not None and not bench.exists():
        extra["skipped"]["tessera"] = f"{bench} not found"
        bench = None
    elif bench is None:
        extra["skipped"]["tessera"] = "no --bin-dir given"

    # peers
    for eng in [e for e in a.engines.split(",") if e]:
        if eng not in ENGINES:
            extra["skipped"][eng] = "unknown engine"
            continue
        _, evocabs, pkg = ENGINES[eng]
        if extra["versions"].get(pkg) is None:
            extra["skipped"][eng] = f"package {pkg} not installed"
            print(f"[skip] {eng}: {pkg} not installed", file=sys.stderr)
            continue
        for vocab in [v for v in vocabs if v in evocabs]:
            for mode in modes:
                threads = 1 if mode == "single" else 2
                cmd = [sys.executable, me, "--worker", eng, vocab, mode, "--corpus", str(corpus),
                       "--repeat", str(a.repeat)] + (["--no-digest"] if a.no_digest else [])
                print(f"[run] {eng} {vocab} {mode}", file=sys.stderr, flush=True)
                rc, so, se, ru = run_child(cmd, child_env(threads), a.timeout)
                j = last_json_line(so)
                if rc != 0 or j is None:
                    msg = (se or so).strip().splitlines()
                    r = {"engine": eng, "vocab": vocab, "mode": mode,
                         "error": f"rc={rc}: " + (msg[-1] if msg else "no output")}
                    print(f"[fail] {r['error']}", file=sys.stderr)
                else:
                    r = summarize(j)
                    r["peak_rss_mb"] = ru["maxrss_mb"]
                    print(f"       {r['median_mb_s']:.2f} MB/s, {r['tokens']:,} tokens, {r['peak_rss_mb']:.0f} MB",
                          file=sys.stderr)
                results.append(r)

    # tessera, same run
    if bench is not None:
        for vocab in vocabs:
            for mode in modes:
                threads = 1 if mode == "single" else 2
                print(f"[run] tessera {vocab} threads={threads}", file=sys.stderr, flush=True)
                r = run_tessera_encode(bench, vocab, threads, corpus, a.repeat, a.timeout)
                print("       " + (r.get("error") or f"{r['median_mb_s']:.2f} MB/s, {r['tokens']} tokens"),
                      file=sys.stderr)
                results.append(r)
        extra["scan"] = []
        for pat in ("cl100k", "o200k"):
            cmd = [str(bench), "scan", "--pattern", pat, "--corpus", str(corpus), "--repeat", str(a.repeat)]
            rc, so, se, ru = run_child(cmd, child_env(1), a.timeout)
            j = last_json_line(so)
            extra["scan"].append({"pattern": pat, "cmd": shlex.join(cmd), "raw": j} if rc == 0 and j else
                                 {"pattern": pat, "cmd": shlex.join(cmd), "error": f"rc={rc}: {(se or so)[-400:]}"})
        cmd = [str(bench), "worst-case", "--tokenizer", "o200k_base"]
        rc, so, se, ru = run_child(cmd, child_env(1), a.timeout)
        lines = all_json_lines(so)
        extra["worst_case"] = {"cmd": shlex.join(cmd), "lines": lines} if rc == 0 and lines else \
            {"cmd": shlex.join(cmd), "error": f"rc={rc}: {(se or so)[-400:]}"}
        try:
            extra["worst_case_tiktoken"] = tiktoken_worst_case()
        except Exception as e:  # noqa: BLE001
            extra["worst_case_tiktoken_error"] = repr(e)

    extra["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    extra["elapsed_s"] = time.time() - t_start
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "encode.json").write_text(json.dumps({"meta": extra, "results": results}, indent=1) + "\n")
    md = render(results, extra)
    (a.out / "encode.md").write_text(md)
    print(md)
    mism = [r for r in results if "error" not in r and r["engine"] not in ("tiktoken", "tokie")
            and any(t["engine"] == "tiktoken" and t["vocab"] == r["vocab"] and t["mode"] == "single"
                    and "error" not in t and t["tokens"] != r["tokens"] for t in results)]
    if mism:
        print("TOKEN COUNT MISMATCH vs tiktoken: " + ", ".join(f"{r['engine']}/{r['vocab']}/{r['mode']}" for r in mism),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
