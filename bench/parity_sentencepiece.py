#!/usr/bin/env python3
"""Token-id parity of Tessera's SentencePiece support with the `sentencepiece` library.

Usage (normally through bench/run-parity.sh, which runs bench/parity.py first):
    python bench/parity_sentencepiece.py --tessera .build/release/tessera [--models a,b] [--corpora flores,code,vectors,en_docs]

Models (reference: sentencepiece's SentencePieceProcessor.encode(text) and .decode(ids), no BOS/EOS):
    mistral         ../shared/vocabularies/mistral-7b-v0.1.spm.model (BPE, 32,000 pieces, byte fallback, identity)
    unigram         vocabularies/sentencepiece/unigram.model   (trained by scripts/train-sentencepiece-models.py)
    bpe             vocabularies/sentencepiece/bpe.model
    bpe-suffix      vocabularies/sentencepiece/bpe-suffix.model
    char, word      vocabularies/sentencepiece/{char,word}.model
    llama-spm-gguf  llama.cpp's ggml-vocab-llama-spm.gguf, loaded by Tessera as GGUF; the reference is sentencepiece
                    with a ModelProto rebuilt from the GGUF's tokens, scores and types (BPE, identity, dummy prefix,
                    whitespace kept, byte fallback), and on the vectors also llama.cpp's own .out ids.
Corpora: flores (all FLORES-200 languages, Petrov et al.'s dev+devtest convention, one text each), code (each
../shared/corpora/code/*.txt whole), vectors (llama.cpp's 46 conformance strings), en_docs (the 1,993 documents of
en_bench_20MB.txt). Tessera runs `tessera encode --tokenizer MODEL --output json --special as-text DIR` (control
symbols such as `<s>` are plain text, as in sentencepiece) and, for flores, code and vectors,
`tessera decode --tokenizer MODEL` on each text's ids, compared with sentencepiece's decode.
Writes bench/out/parity-sentencepiece.md + .json; exits 1 on any mismatch.
"""
from __future__ import annotations

import argparse
import json
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import parity  # noqa: E402  (compare and fmt_mm are shared with the tiktoken/HF parity run)
import peers  # noqa: E402

import sentencepiece as spm  # noqa: E402

ALL_MODELS = ["mistral", "unigram", "bpe", "bpe-suffix", "char", "word", "llama-spm-gguf"]
# Models whose decode is compared (char and word decode trivially; the others cover the decoder's rules).
DECODE_MODELS = {"mistral", "unigram", "bpe", "bpe-suffix", "llama-spm-gguf"}


def model_path(name: str) -> Path:
    if name == "mistral":
        p = peers.find_file(["vocabularies/mistral-7b-v0.1.spm.model", "@shared/vocabularies/mistral-7b-v0.1.spm.model"])
    elif name == "llama-spm-gguf":
        p = peers.find_file(["vocabularies/llama.cpp/ggml-vocab-llama-spm.gguf",
                             "@shared/vocabularies/llama.cpp-vectors/ggml-vocab-llama-spm.gguf"])
    else:
        p = peers.find_file([f"vocabularies/sentencepiece/{name}.model"])
    if p is None:
        raise FileNotFoundError(f"model {name} not found")
    return p


# ---------------------------------------------------------------------------------------------
# A ModelProto rebuilt from a llama.cpp GGUF (hand-written protobuf: the venv has no google.protobuf)
# ---------------------------------------------------------------------------------------------
def _varint(v: int) -> bytes:
    if v < 0:
        v += 1 << 64
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def _field(number: int, wire: int, payload: bytes) -> bytes:
    tag = _varint(number << 3 | wire)
    if wire == 2:
        return tag + _varint(len(payload)) + payload
    return tag + payload


def gguf_model_proto(path: Path) -> bytes:
    import gguf
    r = gguf.GGUFReader(str(path))

    def scalar(key, default=None):
        f = r.fields.get(key)
        return default if f is None else f.parts[f.data[0]][0]

    def array(key):
        f = r.fields[key]
        return [f.parts[i] for i in f.data]
    tokens = [bytes(t).decode("utf-8") for t in array("tokenizer.ggml.tokens")]
    scores = [float(x[0]) for x in array("tokenizer.ggml.scores")]
    types = [int(x[0]) for x in array("tokenizer.ggml.token_type")]
    v = {"tokens": tokens}
    out = bytearray()
    for tok, score, typ in zip(tokens, scores, types):
        body = _field(1, 2, tok.encode("utf-8")) + _field(2, 5, struct.pack("<f", score))
        if typ not in (0, 1):
            body += _field(3, 0, _varint(int(typ)))
        out += _field(1, 2, body)
    byte_fallback = any(t == 6 for t in types)
    trainer = _field(3, 0, _varint(2)) + _field(35, 0, _varint(1 if byte_fallback else 0))
    bos, eos = scalar("tokenizer.ggml.bos_token_id"), scalar("tokenizer.ggml.eos_token_id")
    if bos is not None:
        trainer += _field(46, 2, v["tokens"][int(bos)].encode("utf-8"))
    if eos is not None:
        trainer += _field(47, 2, v["tokens"][int(eos)].encode("utf-8"))
    add_prefix = scalar("tokenizer.ggml.add_space_prefix", True)
    normalizer = (_field(1, 2, b"identity") + _field(3, 0, _varint(1 if add_prefix else 0))
                  + _field(4, 0, _varint(0)) + _field(5, 0, _varint(1)))
    out += _field(2, 2, trainer) + _field(3, 2, normalizer)
    return bytes(out)


def reference(name: str) -> spm.SentencePieceProcessor:
    if name == "llama-spm-gguf":
        return spm.SentencePieceProcessor(model_proto=gguf_model_proto(model_path(name)))
    return spm.SentencePieceProcessor(model_file=str(model_path(name)))


# ---------------------------------------------------------------------------------------------
def build_corpora(which: list[str], tmp: Path) -> dict[str, dict]:
    corpora: dict[str, dict] = {}

    def folder(cname: str, items: list[tuple[str, str]]) -> None:
        d = tmp / cname
        d.mkdir()
        out = []
        for name, text in items:
            p = d / f"{name}.txt"
            p.write_bytes(text.encode("utf-8"))
            out.append((name, p, text))
        corpora[cname] = {"dir": d, "items": out}

    if "flores" in which:
        folder("flores", [(lang, peers.flores_text(lang)) for lang in peers.flores_languages()])
    if "code" in which:
        folder("code", [(f.stem, f.read_bytes().decode("utf-8")) for f in peers.code_files()])
    if "vectors" in which:
        texts, expected = peers.llama_cpp_vectors("llama-spm")
        folder("vectors", [(f"v{i:03d}", t) for i, t in enumerate(texts)])
        corpora["vectors"]["expected"] = expected
    if "en_docs" in which:
        docs = peers.split_documents(peers.bench_corpus().read_bytes())
        folder("en_docs", [(f"doc{i:05d}", d.decode("utf-8")) for i, d in enumerate(docs)])
    return corpora


def run_tessera(binary: Path, model: Path, folder: Path, out_file: Path, timeout: float) -> dict[str, list[int]]:
    cmd = [str(binary), "encode", "--tokenizer", str(model), "--output", "json", "--special", "as-text", str(folder)]
    with open(out_file, "wb") as fo:
        p = subprocess.run(cmd, stdout=fo, stderr=subprocess.PIPE, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"tessera rc={p.returncode}: {p.stderr.decode(errors='replace')[-400:]}")
    got = {}
    with open(out_file, "rb") as f:
        for line in f:
            if line.startswith(b"{"):
                j = json.loads(line)
                got[Path(j["file"]).stem] = j["ids"]
    return got


def tessera_decode(binary: Path, model: Path, ids: list[int]) -> bytes:
    p = subprocess.run([str(binary), "decode", "--tokenizer", str(model)], input=" ".join(map(str, ids)).encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"tessera decode rc={p.returncode}: {p.stderr.decode(errors='replace')[-300:]}")
    return p.stdout


def describer(sp: spm.SentencePieceProcessor):
    return lambda ids: [sp.id_to_piece(i) if 0 <= i < sp.get_piece_size() else str(i) for i in ids]


def render(report: dict) -> str:
    L = ["# Token-id parity: Tessera vs sentencepiece", ""]
    m = report["meta"]
    L.append(f"Command: `{m['command']}` ({m['started']}, {m['elapsed_s']:.0f} s). Tessera: `{m['tessera']}`. "
             f"sentencepiece {m['sentencepiece']}, python {m['python']}. Machine: nproc={m['machine']['nproc']}, "
             f"{m['machine']['cpu_model']}.")
    L += ["", "| model | corpus | reference | texts | identical | ref tokens | tessera tokens | decode identical | first mismatch |",
          "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for r in report["rows"]:
        if "error" in r:
            L.append(f"| {r['model']} | {r['corpus']} | {r.get('reference', '')} | | | | | | **{r['error'][:300]}** |")
            continue
        fm_s = parity.fmt_mm(r["first_mismatch"])
        dec = "–" if r.get("decode_checked") is None else f"{r['decode_identical']:,}/{r['decode_checked']:,}"
        flag = "" if r["identical"] == r["texts"] else "**"
        L.append(f"| {r['model']} | {r['corpus']} | {r['reference']} | {r['texts']:,} | {flag}{r['identical']:,}{flag} | "
                 f"{r['ref_tokens']:,} | {r['other_tokens']:,} | {dec} | {fm_s} |")
    L += ["", f"**Result: {report['verdict']}**", ""]
    return "\n".join(L)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tessera", type=Path, required=True)
    ap.add_argument("--models", default=",".join(ALL_MODELS))
    ap.add_argument("--corpora", default="flores,code,vectors,en_docs")
    ap.add_argument("--no-decode", action="store_true")
    ap.add_argument("--out", type=Path, default=peers.OUT)
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--command", default=None)
    a = ap.parse_args()
    t0 = time.time()
    meta = {"command": a.command or shlex.join([sys.executable] + sys.argv), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "tessera": str(a.tessera), "sentencepiece": spm.__version__, "python": sys.version.split()[0],
            "machine": peers.machine_facts()}
    report = {"meta": meta, "rows": []}
    tmp = Path(tempfile.mkdtemp(prefix="tessera-spm-parity-"))
    try:
        corpora = build_corpora([c for c in a.corpora.split(",") if c], tmp)
        print("[texts] " + ", ".join(f"{k}: {len(v['items'])}" for k, v in corpora.items()), file=sys.stderr)
        for model in [m for m in a.models.split(",") if m]:
            try:
                sp, path = reference(model), model_path(model)
            except Exception as e:  # noqa: BLE001
                report["rows"].append({"model": model, "corpus": "*", "error": f"reference failed: {e!r}"})
                continue
            print(f"[model] {model}: {path}", file=sys.stderr, flush=True)
            for cname, c in corpora.items():
                names = [n for n, _, _ in c["items"]]
                row = {"model": model, "corpus": cname, "reference": f"sentencepiece {spm.__version__}"}
                try:
                    got = run_tessera(a.tessera, path, c["dir"], tmp / "out.jsonl", a.timeout)
                except Exception as e:  # noqa: BLE001
                    row["error"] = str(e)
                    report["rows"].append(row)
                    continue
                ref = [sp.encode(t) for _, _, t in c["items"]]
                row.update(parity.compare(names, ref, got, describer(sp)))
                if model in DECODE_MODELS and cname != "en_docs" and not a.no_decode:
                    ok = 0
                    bad = []
                    for (name, _, _), r in zip(c["items"], ref):
                        want = sp.decode(r).encode("utf-8")
                        have = tessera_decode(a.tessera, path, got.get(name, r))
                        ok += want == have
                        if want != have:
                            bad.append(name)
                    row["decode_checked"], row["decode_identical"], row["decode_mismatched"] = len(names), ok, bad[:50]
                report["rows"].append(row)
                print(f"  {cname}: {row['identical']}/{row['texts']} identical, {row['ref_tokens']:,} tokens"
                      + (f", decode {row['decode_identical']}/{row['decode_checked']}" if "decode_checked" in row else ""),
                      file=sys.stderr, flush=True)
                if model == "llama-spm-gguf" and "expected" in c:
                    out_row = {"model": model, "corpus": cname, "reference": "llama.cpp .out"}
                    out_row.update(parity.compare(names, c["expected"], got, describer(sp)))
                    report["rows"].append(out_row)
                    print(f"  {cname} vs .out: {out_row['identical']}/{out_row['texts']}", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    bad = [r for r in report["rows"] if "error" in r or r["identical"] != r["texts"]
           or r.get("decode_identical", 0) != r.get("decode_checked", 0)]
    texts = sum(r.get("texts", 0) for r in report["rows"] if r.get("reference", "").startswith("sentencepiece"))
    tokens = sum(r.get("ref_tokens", 0) for r in report["rows"] if r.get("reference", "").startswith("sentencepiece"))
    report["verdict"] = (f"MISMATCH in {len(bad)} rows" if bad else
                         f"all identical: {texts:,} texts, {tokens:,} tokens compared with sentencepiece")
    meta["elapsed_s"] = time.time() - t0
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "parity-sentencepiece.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    md = render(report)
    (a.out / "parity-sentencepiece.md").write_text(md)
    print(md)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
