#!/usr/bin/env python3
"""Sums `tessera mixture` tables (experiments/results/mixture-*.txt) into English / code / other
languages, for comparison with the paper's per-tokenizer totals."""
import glob, os, sys

for path in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "mixture-*.txt"))):
    groups, top = {"english": 0.0, "code": 0.0, "languages": 0.0}, []
    summary = ""
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if len(parts) == 4 and parts[0] != "category":
            name, share = parts[0], float(parts[1])
            key = "english" if name == "english" else "code" if name.startswith("code-") else "languages"
            groups[key] += share
            top.append((share, name))
        elif "LP" in line:
            summary = line.strip()
    top = ", ".join(f"{n} {s:.1f}" for s, n in sorted(top, reverse=True)[:5])
    print(f"{os.path.basename(path)}: English {groups['english']:.1f} %, code {groups['code']:.1f} %, "
          f"other languages {groups['languages']:.1f} % | top: {top}\n    {summary}")
