#!/usr/bin/env python3
"""Token-id parity: `tessera encode --output json` versus tiktoken and Hugging Face `tokenizers`.

Usage (normally through bench/run-parity.sh):
    python bench/parity.py --tessera .build/release/tessera [--tokenizers a,b] [--corpora flores,en_docs,code,vectors]
    python bench/parity.py --reference-only      # no Tessera: reference figures + reference-vs-reference cross-checks

Tokenizers (reference -> the Tessera tokenizer argument):
    r50k_base    tiktoken r50k_base                          -> r50k_base
    cl100k_base  tiktoken cl100k_base                        -> cl100k_base
    o200k_base   tiktoken o200k_base                         -> o200k_base (embedded default)
    gpt2-hf      HF BPE(vocab.json, merges.txt) + ByteLevel   -> vocabularies/gpt2 (vocab.json + merges.txt)
    cl100k-hf    HF from cl100k_tokenizer.json.gz             -> that same .json.gz
    gpt2-gguf    HF built from ggml-vocab-gpt-2.gguf         -> that .gguf
    llama3-gguf  HF built from ggml-vocab-llama-bpe.gguf     -> that .gguf
    qwen2-gguf   HF built from ggml-vocab-qwen2.gguf (NFC)   -> that .gguf
Converted tokenizers (not in the default list; name them with --tokenizers), proving `tessera convert`:
    SRC@FMT      reference tiktoken SRC (ids mapped to FMT's fixed layout for minbpe/tekken, see CONVERTED)
                 -> the file `tessera convert SRC OUT --to FMT` writes at start-up (report + time in the output),
                 e.g. cl100k_base@gpt2 = merge-list semantics with the merges recovered from the ranks
    tekken_240718  mistral-common Tekkenizer on vocabularies/tekken_240718.json -> that file
    tekken_240718@gpt2 / @tiktoken  the same reference -> the file converted to that format
    *-json       tokenizer.json files written by HF tokenizers (bench/hf_json.py: gpt2, cl100k, o200k, qwen2, llama3,
                 mistral legacy and Metaspace forms, a BERT-style BPE) -> that same file; HF encodes with
                 encode_special_tokens = True, the counterpart of `tessera --special as-text` (non-special added
                 tokens are still matched by both)
Corpora: flores (204 languages, Petrov et al.'s dev+devtest convention, one text each), en_docs (the 1,993
documents of en_bench_20MB.txt), code (each shared/corpora/code/*.txt whole), vectors (llama.cpp's .inp strings;
Tessera is also compared with the .out ids directly). Special-token strings are plain text on both sides
(tiktoken encode_ordinary; `tessera --special as-text`).
Writes bench/out/parity.md + parity.json; exits 1 on any mismatch (2 when Tessera could not run).
"""
from __future__ import annotations

import argparse
import array
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hf_json  # noqa: E402
import peers  # noqa: E402

# FLORES figures that must come out of the references (shared/corpora/flores200/README.md)
FLORES_EXPECTED = [("eng_Latn", "r50k_base", 52_567), ("eng_Latn", "cl100k_base", 52_835),
                   ("zho_Hans", "r50k_base", 168_850), ("zho_Hans", "cl100k_base", 101_138),
                   ("shn_Mymr", "r50k_base", 986_091), ("shn_Mymr", "cl100k_base", 795_074)]

ALL_TOKENIZERS = ["r50k_base", "cl100k_base", "o200k_base", "gpt2-hf", "cl100k-hf", "gpt2-gguf", "llama3-gguf",
                  "qwen2-gguf"] + hf_json.ALL
VECTORS_FOR = {"r50k_base": "gpt-2", "gpt2-hf": "gpt-2", "gpt2-gguf": "gpt-2", "llama3-gguf": "llama-bpe",
               "qwen2-gguf": "qwen2", "gpt2-json": "gpt-2", "llama3-json": "llama-bpe", "qwen2-json": "qwen2"}
GGUF_NAME = {"gpt2-gguf": "gpt-2", "llama3-gguf": "llama-bpe", "qwen2-gguf": "qwen2"}
# reference-vs-reference cross-checks (--reference-only): tokenizers whose references must agree
CROSS = [("gpt2-hf", "r50k_base"), ("cl100k-hf", "cl100k_base"), ("gpt2-gguf", "r50k_base")]
# `tessera convert` targets: SRC@FMT is checked against SRC's reference; FMT in CONVERT_FORMATS.
CONVERT_FORMATS = ("gpt2", "minbpe", "tekken", "tiktoken")
TEKKEN_FILE = Path(__file__).resolve().parent.parent / "vocabularies" / "tekken_240718.json"
CONVERTED: dict[str, dict] = {}     # name -> {"path", "report", "seconds"}, filled by prepare_conversions


def split_converted(name: str) -> tuple[str, str | None]:
    if "@" in name:
        src, fmt = name.rsplit("@", 1)
        if fmt in CONVERT_FORMATS:
            return src, fmt
    return name, None


def layout_map(ranks: dict[bytes, int], n_specials: int, fmt: str) -> dict[int, int]:
    """The id renumbering of a fixed-layout format (docs/formats.md), computed from the reference vocabulary
    itself: minbpe puts byte b at id b and merge k at 256 + k (merges in rank order); tekken puts the S special
    tokens first, then byte b at S + b, then the other tokens in rank order."""
    multi = sorted(r for t, r in ranks.items() if len(t) > 1)
    out = {}
    base = 0 if fmt == "minbpe" else n_specials
    for t, r in ranks.items():
        if len(t) == 1:
            out[r] = base + t[0]
    for j, r in enumerate(multi):
        out[r] = base + 256 + j
    return out


def prepare_conversions(binary: Path, names: list[str], tmp: Path) -> None:
    """Runs `tessera convert` once per converted tokenizer (the report and its wall time go into the output)."""
    for name in names:
        src, fmt = split_converted(name)
        if fmt is None:
            continue
        source = str(TEKKEN_FILE) if src == "tekken_240718" else src
        out = tmp / f"converted-{src}" / ({"gpt2": src, "minbpe": f"{src}.model", "tekken": f"{src}.tekken.json",
                                            "tiktoken": f"{src}.tiktoken"}[fmt])
        out.parent.mkdir(parents=True, exist_ok=True)
        cmd = [str(binary), "convert", source, str(out), "--to", fmt]
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True)
        CONVERTED[name] = {"path": str(out), "command": shlex.join(cmd), "seconds": time.time() - t0,
                           "report": (p.stdout + p.stderr).strip(), "rc": p.returncode}
        print(f"[convert] {name}: rc={p.returncode} in {CONVERTED[name]['seconds']:.2f} s", file=sys.stderr)


class Reference:
    """encode_many(list[str]) -> list[list[int]]; describe(ids) -> printable pieces."""

    def __init__(self, name: str):
        self.name = name
        self.id_map = None
        src, fmt = split_converted(name)
        if fmt is not None:
            base = Reference(src)
            self.__dict__.update({k: v for k, v in base.__dict__.items() if k != "name"})
            if fmt in ("minbpe", "tekken") and base.kind == "tiktoken":
                n_specials = len(base.enc._special_tokens)
                self.id_map = layout_map(base.enc._mergeable_ranks, n_specials, fmt)
                self.tool += f" (ids mapped to the {fmt} layout)"
            return
        if name == "tekken_240718":
            from mistral_common.tokens.tokenizers.tekken import Tekkenizer
            import mistral_common
            self.kind = "tekken"
            self.tok = Tekkenizer.from_file(str(TEKKEN_FILE))
            self.tool = f"mistral-common {mistral_common.__version__}"
            return
        if name in ("r50k_base", "cl100k_base", "o200k_base"):
            import tiktoken
            peers.ensure_tiktoken_env()
            self.kind = "tiktoken"
            self.enc = tiktoken.get_encoding(name)
            self.tool = f"tiktoken {peers.versions()['tiktoken']}"
        else:
            import tokenizers
            self.kind = "hf"
            if name == "gpt2-hf":
                self.tok = peers.hf_gpt2()
            elif name == "cl100k-hf":
                self.tok = peers.hf_from_json(peers.cl100k_tokenizer_json())
            elif name in hf_json.ALL:
                self.tok = peers.hf_from_json(hf_json.path_for(name))
                self.tok.encode_special_tokens = True
            else:
                self.tok = hf_from_gguf_cached(GGUF_NAME[name])
            self.tool = f"tokenizers {tokenizers.__version__}"

    def encode_many(self, texts: list[str]) -> list[list[int]]:
        out: list[list[int]] = []
        step = 16
        for i in range(0, len(texts), step):
            chunk = texts[i:i + step]
            if self.kind == "tiktoken":
                out.extend(self.enc.encode_ordinary_batch(chunk, num_threads=os.cpu_count() or 2))
            elif self.kind == "tekken":
                out.extend(self.tok.encode(t, bos=False, eos=False) for t in chunk)
            else:
                out.extend(e.ids for e in self.tok.encode_batch(chunk, add_special_tokens=False))
        if self.id_map is not None:
            m = self.id_map
            out = [[m[i] for i in ids] for ids in out]
        return out

    def describe(self, ids: list[int]) -> list[str]:
        if self.id_map is not None:
            return [str(i) for i in ids]
        if self.kind == "tekken":
            return [repr(self.tok.id_to_byte_piece(i))[1:] for i in ids]
        if self.kind == "tiktoken":
            return [repr(self.enc.decode_single_token_bytes(i))[1:] for i in ids]
        return [repr(self.tok.id_to_token(i)) for i in ids]


def hf_from_gguf_cached(name: str):
    """hf_from_gguf is slow (the GGUF reader); keep the built tokenizer as JSON under bench/out/cache."""
    from tokenizers import Tokenizer
    peers.CACHE.mkdir(parents=True, exist_ok=True)
    src = peers.gguf_file(name)
    dst = peers.CACHE / f"gguf-{name}-{int(src.stat().st_mtime)}-{src.stat().st_size}.tokenizer.json"
    if dst.exists():
        return Tokenizer.from_file(str(dst))
    tok = peers.hf_from_gguf(name)
    tok.save(str(dst))
    return tok


def tessera_spec(name: str) -> str:
    if name in CONVERTED:
        return CONVERTED[name]["path"]
    if name == "tekken_240718":
        return str(TEKKEN_FILE)
    if name in ("r50k_base", "cl100k_base", "o200k_base"):
        return name
    if name == "gpt2-hf":
        return str(peers.gpt2_hf_dir())
    if name == "cl100k-hf":
        return str(peers.cl100k_tokenizer_json())
    if name in hf_json.ALL:
        return str(hf_json.path_for(name))
    return str(peers.gguf_file(GGUF_NAME[name]))


# ---------------------------------------------------------------------------------------------
# corpora: name -> list of (text name, text, path of the file holding exactly its UTF-8 bytes)
# ---------------------------------------------------------------------------------------------
def build_corpora(which: list[str], tmp: Path) -> dict[str, dict]:
    corpora: dict[str, dict] = {}
    if "flores" in which:
        d = tmp / "flores"
        d.mkdir()
        items = []
        for lang in peers.flores_languages():
            text = peers.flores_text(lang)
            p = d / f"{lang}.txt"
            p.write_bytes(text.encode("utf-8"))
            items.append((lang, p))
        corpora["flores"] = {"paths": [d], "items": items}
    if "en_docs" in which:
        d = tmp / "en_docs"
        d.mkdir()
        items = []
        for i, doc in enumerate(peers.split_documents(peers.bench_corpus().read_bytes())):
            p = d / f"doc{i:05d}.txt"
            p.write_bytes(doc)
            items.append((p.stem, p))
        corpora["en_docs"] = {"paths": [d], "items": items}
    if "code" in which:
        files = peers.code_files()
        corpora["code"] = {"paths": files, "items": [(f.stem, f) for f in files]}
    if "vectors" in which:
        for vname in sorted(set(VECTORS_FOR.values())):
            texts, expected = peers.llama_cpp_vectors(vname)
            d = tmp / f"vectors-{vname}"
            d.mkdir()
            items = []
            for i, t in enumerate(texts):
                p = d / f"v{i:03d}.txt"
                p.write_bytes(t.encode("utf-8"))
                items.append((p.stem, p))
            corpora[f"vectors:{vname}"] = {"paths": [d], "items": items, "expected": expected}
    return corpora


def read_text(p: Path) -> str:
    return p.read_bytes().decode("utf-8")


# ---------------------------------------------------------------------------------------------
# tessera
# ---------------------------------------------------------------------------------------------
def start_tessera(binary: Path, spec: str, paths: list[Path], out_file: Path) -> tuple[subprocess.Popen, list[str], object]:
    cmd = [str(binary), "encode", "--tokenizer", spec, "--output", "json", "--special", "as-text"] + [str(p) for p in paths]
    fo = open(out_file, "wb")
    fe = open(str(out_file) + ".err", "wb")
    return subprocess.Popen(cmd, stdout=fo, stderr=fe), cmd, (fo, fe)


def read_tessera(out_file: Path) -> dict[str, list[int]]:
    got: dict[str, list[int]] = {}
    with open(out_file, "rb") as f:
        for line in f:
            line = line.strip()
            if not line.startswith(b"{"):
                continue
            j = json.loads(line)
            got[Path(j["file"]).stem] = j["ids"]
    return got


def compare(names: list[str], ref: list[list[int]], got: dict[str, list[int]] | list[list[int]], describe) -> dict:
    res = {"texts": len(names), "identical": 0, "ref_tokens": 0, "other_tokens": 0, "missing": 0,
           "mismatched": [], "first_mismatch": None}
    for i, name in enumerate(names):
        r = ref[i]
        g = got[i] if isinstance(got, list) else got.get(name)
        res["ref_tokens"] += len(r)
        if g is None:
            res["missing"] += 1
            res["mismatched"].append(name)
            if res["first_mismatch"] is None:
                res["first_mismatch"] = {"text": name, "error": "no output for this text"}
            continue
        res["other_tokens"] += len(g)
        if r == g:
            res["identical"] += 1
            continue
        res["mismatched"].append(name)
        if res["first_mismatch"] is None:
            pos = next((k for k in range(min(len(r), len(g))) if r[k] != g[k]), min(len(r), len(g)))
            lo = max(0, pos - 5)
            res["first_mismatch"] = {
                "text": name, "position": pos, "ref_len": len(r), "other_len": len(g), "window_start": lo,
                "ref_ids": list(r[lo:pos + 6]), "other_ids": list(g[lo:pos + 6]),
                "ref_pieces": describe(list(r[lo:pos + 6])), "other_pieces": safe_describe(describe, list(g[lo:pos + 6]))}
    return res


def safe_describe(describe, ids):
    try:
        return describe(ids)
    except Exception:  # noqa: BLE001 - ids out of the reference's range
        return [str(i) for i in ids]


# ---------------------------------------------------------------------------------------------
def fmt_mm(m: dict | None) -> str:
    if not m:
        return ""
    if "error" in m:
        return f"{m['text']}: {m['error']}"
    return (f"{m['text']} @ token {m['position']:,} (lengths {m['ref_len']:,} vs {m['other_len']:,}): "
            f"ref {m['ref_ids']} vs {m['other_ids']}")


def render(report: dict) -> str:
    L = []
    A = L.append
    meta = report["meta"]
    A("# Token-id parity: Tessera vs tiktoken / Hugging Face tokenizers")
    A("")
    A(f"Command: `{meta['command']}` ({meta['started']}, {meta['elapsed_s']:.0f} s). Tessera: "
      f"`{meta.get('tessera') or 'not run (reference only)'}`.  ")
    A(f"Versions: {', '.join(f'{k} {v}' for k, v in meta['versions'].items() if v and k in ('python', 'tiktoken', 'tokenizers', 'gguf'))}. "
      f"Machine: nproc={meta['machine']['nproc']}, {meta['machine']['cpu_model']}.")
    A("")
    if report["flores_figures"]:
        A("## FLORES-200 reference figures (Petrov et al. convention)")
        A("")
        A("| language | encoding | expected | reference | tessera |")
        A("|---|---|---:|---:|---:|")
    for f in report["flores_figures"]:
        ok = "" if f["reference"] == f["expected"] else " **≠**"
        ts = "–" if f.get("tessera") is None else (f"{f['tessera']:,}" + ("" if f["tessera"] == f["expected"] else " **≠**"))
        A(f"| {f['lang']} | {f['encoding']} | {f['expected']:,} | {f['reference']:,}{ok} | {ts} |")
    if report["flores_figures"]:
        A("")
    if report.get("conversions"):
        A("## Conversions (`tessera convert`, run before encoding)")
        A("")
        for name, c in report["conversions"].items():
            A(f"- **{name}** ({c['seconds']:.2f} s wall, rc {c['rc']}): `{c['command']}`")
            A("")
            A("  ```")
            for line in c["report"].splitlines():
                A("  " + line)
            A("  ```")
        A("")
    if report["rows"]:
        A("## Tessera vs reference")
        A("")
        A("| tokenizer | corpus | reference | texts | identical | ref tokens | tessera tokens | first mismatch |")
        A("|---|---|---|---:|---:|---:|---:|---|")
        for r in report["rows"]:
            if "error" in r:
                A(f"| {r['tokenizer']} | {r['corpus']} | {r.get('reference', '')} | | | | | **{r['error'][:300]}** |")
                continue
            flag = "" if r["identical"] == r["texts"] else "**"
            A(f"| {r['tokenizer']} | {r['corpus']} | {r['reference']} | {r['texts']:,} | {flag}{r['identical']:,}{flag} | "
              f"{r['ref_tokens']:,} | {r['other_tokens']:,} | {fmt_mm(r['first_mismatch'])} |")
        A("")
    if report["cross"]:
        A("## Reference vs reference (sanity of the references themselves)")
        A("")
        A("| reference A | reference B | corpus | texts | identical | tokens A | tokens B | first mismatch |")
        A("|---|---|---|---:|---:|---:|---:|---|")
        for r in report["cross"]:
            A(f"| {r['a']} | {r['b']} | {r['corpus']} | {r['texts']:,} | {r['identical']:,} | {r['ref_tokens']:,} | "
              f"{r['other_tokens']:,} | {fmt_mm(r['first_mismatch'])} |")
        A("")
    mm = [r for r in report["rows"] if "error" in r or r["identical"] != r["texts"]]
    if mm:
        A("## Mismatch details")
        A("")
        for r in mm:
            if "error" in r:
                continue
            m = r["first_mismatch"]
            A(f"- **{r['tokenizer']} / {r['corpus']}** ({r['reference']}): {len(r['mismatched'])} texts differ "
              f"({', '.join(r['mismatched'][:12])}{' …' if len(r['mismatched']) > 12 else ''}).")
            if m and "position" in m:
                A(f"  first at `{m['text']}` token {m['position']:,}: reference `{' '.join(m['ref_pieces'])}` "
                  f"vs tessera `{' '.join(m['other_pieces'])}`")
        A("")
    A(f"**Result: {report['verdict']}**")
    return "\n".join(L) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tessera", type=Path, help="path of the tessera binary")
    ap.add_argument("--reference-only", action="store_true")
    ap.add_argument("--tokenizers", default=",".join(ALL_TOKENIZERS))
    ap.add_argument("--corpora", default="flores,en_docs,code,vectors")
    ap.add_argument("--cross-check", action="store_true", help="also compare references with each other")
    ap.add_argument("--out", type=Path, default=peers.OUT)
    ap.add_argument("--keep", action="store_true", help="keep the temporary text files")
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--command", default=None)
    a = ap.parse_args()
    t0 = time.time()
    toks = [t for t in a.tokenizers.split(",") if t]
    which = [c for c in a.corpora.split(",") if c]
    run_tessera = not a.reference_only
    a.cross_check = a.cross_check or a.reference_only
    if run_tessera and (a.tessera is None or not a.tessera.exists()):
        print(f"tessera binary not found: {a.tessera}", file=sys.stderr)
        return 2
    meta = {"command": a.command or shlex.join([sys.executable] + sys.argv), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "versions": peers.versions(), "machine": peers.machine_facts(),
            "tessera": str(a.tessera) if run_tessera else None}
    report = {"meta": meta, "flores_figures": [], "rows": [], "cross": []}
    tmp = Path(tempfile.mkdtemp(prefix="tessera-parity-"))
    try:
        corpora = build_corpora(which, tmp)
        if run_tessera:
            prepare_conversions(a.tessera, toks, tmp)
            report["conversions"] = {k: {x: v[x] for x in ("command", "seconds", "rc", "report")} for k, v in CONVERTED.items()}
        summary = ", ".join("%s: %d" % (k, len(v["items"])) for k, v in corpora.items())
        print(f"[texts] {summary} under {tmp}", file=sys.stderr)
        texts_cache: dict[str, list[str]] = {}
        ref_cache: dict[tuple[str, str], list[list[int]]] = {}

        def texts_of(cname):
            if cname not in texts_cache:
                texts_cache[cname] = [read_text(p) for _, p in corpora[cname]["items"]]
            return texts_cache[cname]

        def corpora_for(tok):
            return [c for c in corpora if not c.startswith("vectors:") or c == f"vectors:{VECTORS_FOR.get(split_converted(tok)[0])}"]

        refs: dict[str, Reference] = {}
        for tok in toks:
            print(f"[tokenizer] {tok}", file=sys.stderr, flush=True)
            try:
                refs[tok] = ref = Reference(tok)
            except Exception as e:  # noqa: BLE001
                report["rows"].append({"tokenizer": tok, "corpus": "*", "error": f"reference failed: {e!r}"})
                continue
            spec = tessera_spec(tok) if run_tessera else None
            for cname in corpora_for(tok):
                c = corpora[cname]
                names = [n for n, _ in c["items"]]
                proc = None
                if run_tessera:
                    out_file = tmp / f"out-{tok}-{cname.replace(':', '_')}.jsonl"
                    proc, cmd, files = start_tessera(a.tessera, spec, c["paths"], out_file)
                t1 = time.time()
                ref_ids = ref.encode_many(texts_of(cname))
                if a.cross_check:
                    if any(tok == y for _, y in CROSS):
                        ref_cache[(tok, cname)] = [array.array("I", x) for x in ref_ids]
                    for x, y in CROSS:
                        if tok == x and (y, cname) in ref_cache:
                            rr = compare(names, ref_cache[(y, cname)], [array.array("I", i) for i in ref_ids],
                                         refs[y].describe)
                            report["cross"].append({"a": f"{y} ({refs[y].tool})", "b": f"{x} ({ref.tool})",
                                                    "corpus": cname, **rr})
                ref_s = time.time() - t1
                if cname == "flores":
                    for lang, enc, exp in FLORES_EXPECTED:
                        if enc == tok:
                            report["flores_figures"].append({"lang": lang, "encoding": enc, "expected": exp,
                                                             "reference": len(ref_ids[names.index(lang)])})
                if "expected" in c and ref.id_map is None:      # llama.cpp .out: check the reference too
                    rr = compare(names, c["expected"], ref_ids, ref.describe)
                    report["cross"].append({"a": ".out", "b": f"{tok} ({ref.tool})", "corpus": cname, **rr})
                if not run_tessera:
                    print(f"  {cname}: {len(names)} texts, {sum(map(len, ref_ids)):,} tokens (ref {ref_s:.1f} s)",
                          file=sys.stderr)
                    continue
                try:
                    rc = proc.wait(timeout=a.timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    rc = proc.wait()
                for f in files:
                    f.close()
                row = {"tokenizer": tok, "corpus": cname, "reference": ref.tool, "tessera_cmd": shlex.join(cmd[:8]) + " …"}
                if rc != 0:
                    err = Path(str(out_file) + ".err").read_text(errors="replace").strip()
                    row["error"] = f"tessera rc={rc}: {err[-400:]}"
                    report["rows"].append(row)
                    print(f"  {cname}: {row['error']}", file=sys.stderr)
                    continue
                got = read_tessera(out_file)
                row.update(compare(names, ref_ids, got, ref.describe))
                report["rows"].append(row)
                if cname == "flores":
                    for f in report["flores_figures"]:
                        if f["encoding"] == tok and f["lang"] in got:
                            f["tessera"] = len(got[f["lang"]])
                if "expected" in c and ref.id_map is None:
                    rr = compare(names, c["expected"], got, ref.describe)
                    report["rows"].append({"tokenizer": tok, "corpus": cname, "reference": "llama.cpp .out", **rr})
                print(f"  {cname}: {row['identical']}/{row['texts']} identical, {row['ref_tokens']:,} vs "
                      f"{row['other_tokens']:,} tokens", file=sys.stderr)
                del got
                os.remove(out_file)
    finally:
        if a.keep:
            print(f"[kept] {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    bad_fig = [f for f in report["flores_figures"] if f["reference"] != f["expected"]]
    bad_rows = [r for r in report["rows"] if "error" in r or r["identical"] != r["texts"]]
    bad_cross = [r for r in report["cross"] if r["identical"] != r["texts"]]
    if bad_fig or bad_rows or bad_cross:
        report["verdict"] = (f"MISMATCH — {len(bad_rows)} tessera rows, {len(bad_cross)} reference cross-checks, "
                             f"{len(bad_fig)} FLORES reference figures differ")
    elif run_tessera:
        report["verdict"] = (f"all identical: {sum(r['texts'] for r in report['rows']):,} texts, "
                             f"{sum(r['ref_tokens'] for r in report['rows']):,} tokens")
    else:
        report["verdict"] = "references OK (Tessera not run)"
    meta["elapsed_s"] = time.time() - t0
    for r in report["rows"] + report["cross"]:
        r["mismatched"] = r.get("mismatched", [])[:200]
    a.out.mkdir(parents=True, exist_ok=True)
    suffix = "-reference" if a.reference_only else ""
    (a.out / f"parity{suffix}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    md = render(report)
    (a.out / f"parity{suffix}.md").write_text(md)
    print(md)
    return 1 if (bad_fig or bad_rows or bad_cross) else 0


if __name__ == "__main__":
    sys.exit(main())
