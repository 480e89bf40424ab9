#!/usr/bin/env python3
"""tokenizer.json load time: Tessera (TesseraBench load) versus Hugging Face tokenizers (Tokenizer.from_file), in the
same run, on the files of bench/hf_json.py (each written by tokenizers 0.23.3).

Usage (normally through bench/run-load-bench.sh):
    python bench/load_bench.py --bench .build/release/TesseraBench [--tokenizers o200k-json,llama3-json] [--repeat 7]

Each engine loads each file `--repeat` times after one untimed warm-up load, in a fresh subprocess per engine and
file (so neither benefits from the other's page cache state more than the first warm-up gives both); the report
shows the median and the minimum. Tessera's time is split into reading the file, parsing the typed model and
building the runtime tokenizer. Writes bench/out/load.md and bench/out/load.json.
"""
from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hf_json  # noqa: E402
import peers  # noqa: E402

HF_SNIPPET = """
import json, sys, time
from tokenizers import Tokenizer
path, repeat = sys.argv[1], int(sys.argv[2])
Tokenizer.from_file(path)
times = []
for _ in range(repeat):
    t = time.perf_counter()
    tok = Tokenizer.from_file(path)
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"times": times, "vocabulary": tok.get_vocab_size(with_added_tokens=False)}))
"""


def run_hf(path: Path, repeat: int) -> dict:
    out = subprocess.run([sys.executable, "-c", HF_SNIPPET, str(path), str(repeat)], check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    return {"median": statistics.median(r["times"]), "min": min(r["times"]), "vocabulary": r["vocabulary"]}


def run_tessera(bench: Path, path: Path, repeat: int) -> dict:
    out = subprocess.run([str(bench), "load", "--tokenizer", str(path), "--repeat", str(repeat)], check=True,
                         capture_output=True, text=True)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")][-1]
    return json.loads(line)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, required=True, help="path of the TesseraBench binary")
    ap.add_argument("--tokenizers", default=",".join(hf_json.ALL))
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--out", type=Path, default=peers.OUT)
    ap.add_argument("--command", default=None)
    a = ap.parse_args()
    import tokenizers
    rows = []
    for name in [t for t in a.tokenizers.split(",") if t]:
        path = hf_json.path_for(name)
        print(f"[load] {name}", file=sys.stderr, flush=True)
        hf = run_hf(path, a.repeat)
        ts = run_tessera(a.bench, path, a.repeat)
        rows.append({"tokenizer": name, "file": str(path), "bytes": path.stat().st_size, "vocabulary": ts["vocabulary"],
                     "hf_median_ms": hf["median"], "hf_min_ms": hf["min"],
                     "tessera_median_ms": ts["total_ms_median"], "tessera_min_ms": ts["total_ms_min"],
                     "tessera_read_ms": ts["read_ms_median"], "tessera_parse_ms": ts["parse_ms_median"],
                     "tessera_build_ms": ts["build_ms_median"], "tessera_peak_rss_mb": ts["peak_rss_mb"]})
    meta = {"command": a.command or shlex.join([sys.executable] + sys.argv), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "tokenizers": tokenizers.__version__, "machine": peers.machine_facts(), "repeat": a.repeat}
    lines = ["# tokenizer.json load time: Tessera vs Hugging Face tokenizers", "",
             f"Command: `{meta['command']}` ({meta['started']}); tokenizers {meta['tokenizers']}; "
             f"nproc={meta['machine']['nproc']}, {meta['machine']['cpu_model']}; {a.repeat} loads each after one warm-up.", "",
             "| tokenizer.json | MB | tokens | HF median ms | Tessera median ms | speed-up | Tessera read / parse / build ms |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['tokenizer']} | {r['bytes'] / 1e6:.1f} | {r['vocabulary']:,} | {r['hf_median_ms']:.1f} | "
                     f"{r['tessera_median_ms']:.1f} | {r['hf_median_ms'] / r['tessera_median_ms']:.2f}× | "
                     f"{r['tessera_read_ms']:.1f} / {r['tessera_parse_ms']:.1f} / {r['tessera_build_ms']:.1f} |")
    md = "\n".join(lines) + "\n"
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "load.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    (a.out / "load.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
