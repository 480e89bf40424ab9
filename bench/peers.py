#!/usr/bin/env python3
"""Shared helpers for Tessera's Python-side benchmarks and parity checks.

Used by bench/encode_bench.py, bench/parity.py and scripts/make-golden-ids.py.
Everything here works offline: vocabulary files come from the repository's
vocabularies/ folder (or ../shared/vocabularies), never from the network.

Command line (used by the shell drivers):
    python bench/peers.py tiktoken-cache DIR   # fill DIR with sha1(url)-named files for TIKTOKEN_CACHE_DIR
    python bench/peers.py versions             # JSON: python + peer package versions
"""
from __future__ import annotations

import array
import base64
import gzip
import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent          # the Swift package root
SHARED = Path(os.environ.get("TESSERA_SHARED", ROOT.parent / "shared")).resolve()
OUT = ROOT / "bench" / "out"
CACHE = OUT / "cache"                                    # derived files (ignored by git via bench/out/)

# ---------------------------------------------------------------------------------------------
# Documents: the one split rule every engine (Python peers and TesseraBench) uses.
# ---------------------------------------------------------------------------------------------
DOC_BYTES = 10_000


def split_documents(data: bytes, min_bytes: int = DOC_BYTES) -> list[bytes]:
    """Split at line ends: accumulate whole lines (each keeping its b"\\n") until the document
    holds >= min_bytes bytes, then start a new one; the remainder is the last document.
    Only b"\\n" ends a line (b"\\r" is ordinary content). en_bench_20MB.txt -> 1,993 documents."""
    docs: list[bytes] = []
    start = 0
    n = len(data)
    while start < n:
        # the first line end at or after start + min_bytes - 1 closes the document
        probe = start + min_bytes - 1
        if probe >= n:
            docs.append(data[start:])
            break
        nl = data.find(b"\n", probe)
        if nl < 0:
            docs.append(data[start:])
            break
        docs.append(data[start:nl + 1])
        start = nl + 1
    return docs


def _split_documents_reference(data: bytes, min_bytes: int = DOC_BYTES) -> list[bytes]:
    """Line-by-line statement of the same rule (used by the self-check)."""
    docs, cur, size = [], [], 0
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        end = len(data) if nl < 0 else nl + 1
        cur.append(data[pos:end])
        size += end - pos
        pos = end
        if size >= min_bytes:
            docs.append(b"".join(cur))
            cur, size = [], 0
    if cur:
        docs.append(b"".join(cur))
    return docs


def bench_corpus() -> Path:
    for p in (ROOT / "corpora" / "english" / "en_bench_20MB.txt",
              SHARED / "corpora" / "english" / "en_bench_20MB.txt"):
        if p.exists():
            return p
    raise FileNotFoundError("en_bench_20MB.txt not found under corpora/english or ../shared/corpora/english")


# ---------------------------------------------------------------------------------------------
# Vocabulary files
# ---------------------------------------------------------------------------------------------
TIKTOKEN_URLS = {
    "r50k_base": "https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}
TIKTOKEN_SHA256 = {
    "r50k_base": "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}
# where each encoding's ranks may be found (first hit wins; .gz is decompressed)
_TIKTOKEN_CANDIDATES = {
    "r50k_base": ["vocabularies/r50k_base.tiktoken", "vocabularies/r50k_base.tiktoken.gz",
                  "@shared/vocabularies/r50k_base_gpt2.tiktoken"],
    "cl100k_base": ["vocabularies/cl100k_base.tiktoken", "vocabularies/cl100k_base.tiktoken.gz",
                    "@shared/vocabularies/cl100k_base.tiktoken.gz"],
    "o200k_base": ["vocabularies/o200k_base.tiktoken", "vocabularies/o200k_base.tiktoken.gz",
                   "Sources/TesseraFormats/Resources/o200k_base.tiktoken",
                   "@shared/vocabularies/o200k_base.tiktoken.gz"],
}


def _resolve(rel: str) -> Path:
    return SHARED / rel[len("@shared/"):] if rel.startswith("@shared/") else ROOT / rel


def find_file(candidates: list[str]) -> Path | None:
    for c in candidates:
        p = _resolve(c)
        if p.exists():
            return p
    return None


def read_maybe_gz(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def tiktoken_file(name: str) -> Path:
    p = find_file(_TIKTOKEN_CANDIDATES[name])
    if p is None:
        raise FileNotFoundError(f"no ranks file for {name}: looked for {_TIKTOKEN_CANDIDATES[name]}")
    return p


def tiktoken_bytes(name: str) -> bytes:
    data = read_maybe_gz(tiktoken_file(name))
    got = hashlib.sha256(data).hexdigest()
    if got != TIKTOKEN_SHA256[name]:
        raise ValueError(f"{name}: sha256 {got} != tiktoken's expected {TIKTOKEN_SHA256[name]}")
    return data


def plain_tiktoken_path(name: str) -> Path:
    """A plain (not gzipped) copy of the ranks file, for engines that only read plain files."""
    p = tiktoken_file(name)
    if not p.name.endswith(".gz") and read_maybe_gz(p)[:2] != b"\x1f\x8b":
        return p
    CACHE.mkdir(parents=True, exist_ok=True)
    dst = CACHE / f"{name}.tiktoken"
    if not dst.exists():
        dst.write_bytes(tiktoken_bytes(name))
    return dst


def setup_tiktoken_cache(cache_dir: Path) -> dict[str, str]:
    """Place every ranks file under sha1(its public URL) so tiktoken works offline."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    placed = {}
    for name, url in TIKTOKEN_URLS.items():
        dst = cache_dir / hashlib.sha1(url.encode()).hexdigest()
        if not (dst.exists() and hashlib.sha256(dst.read_bytes()).hexdigest() == TIKTOKEN_SHA256[name]):
            tmp = dst.with_suffix(".tmp")
            tmp.write_bytes(tiktoken_bytes(name))
            tmp.replace(dst)
        placed[name] = str(dst)
    return placed


def ensure_tiktoken_env() -> None:
    """Point TIKTOKEN_CACHE_DIR at a filled cache (bench/out/tiktoken-cache unless already set)."""
    d = os.environ.get("TIKTOKEN_CACHE_DIR")
    if not d:
        d = str(OUT / "tiktoken-cache")
        os.environ["TIKTOKEN_CACHE_DIR"] = d
    setup_tiktoken_cache(Path(d))


def load_ranks(name: str) -> dict[bytes, int]:
    ranks = {}
    for line in tiktoken_bytes(name).splitlines():
        if line:
            tok, rank = line.split()
            ranks[base64.b64decode(tok)] = int(rank)
    return ranks


def gpt2_hf_dir() -> Path:
    for c in ("vocabularies/gpt2", "@shared/vocabularies/gpt2-hf"):
        p = _resolve(c)
        if (p / "vocab.json").exists() and (p / "merges.txt").exists():
            return p
    raise FileNotFoundError("GPT-2 vocab.json+merges.txt not found (vocabularies/gpt2 or ../shared/vocabularies/gpt2-hf)")


def cl100k_tokenizer_json() -> Path:
    p = find_file(["vocabularies/cl100k_tokenizer.json.gz", "vocabularies/cl100k_tokenizer.json",
                   "@shared/vocabularies/cl100k_tokenizer.json.gz"])
    if p is None:
        raise FileNotFoundError("cl100k_tokenizer.json(.gz) not found")
    return p


def gguf_file(name: str) -> Path:
    """name: gpt-2 | llama-bpe | qwen2 (the llama.cpp vocab-only GGUF)."""
    p = find_file([f"vocabularies/llama.cpp/ggml-vocab-{name}.gguf",
                   f"@shared/vocabularies/llama.cpp-vectors/ggml-vocab-{name}.gguf"])
    if p is None:
        raise FileNotFoundError(f"ggml-vocab-{name}.gguf not found")
    return p


def llama_cpp_vectors(name: str) -> tuple[list[str], list[list[int]]]:
    """The llama.cpp conformance vectors: strings (.inp, separated by "\\n__ggml_vocab_test__\\n")
    and the expected ids (.out, one line per string, space-separated)."""
    g = gguf_file(name)
    inp = Path(str(g) + ".inp").read_bytes().decode("utf-8")
    out = Path(str(g) + ".out").read_text(encoding="utf-8")
    texts = inp.split("\n__ggml_vocab_test__\n")
    if texts and texts[-1] == "":
        texts.pop()                      # the file ends with the separator
    lines = out.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != len(texts):
        raise ValueError(f"{name}: {len(texts)} strings but {len(lines)} id lines")
    return texts, [[int(x) for x in ln.split()] for ln in lines]


# ---------------------------------------------------------------------------------------------
# FLORES-200 (Petrov et al.'s convention, exactly)
# ---------------------------------------------------------------------------------------------
def flores_dir() -> Path:
    p = SHARED / "corpora" / "flores200"
    if not (p / "dev").is_dir():
        raise FileNotFoundError(f"FLORES-200 not found at {p}")
    return p


def flores_languages() -> list[str]:
    return sorted(f.name[:-len(".dev")] for f in (flores_dir() / "dev").glob("*.dev"))


def flores_text(lang: str) -> str:
    d = flores_dir()
    with open(d / "dev" / f"{lang}.dev", encoding="utf-8") as f1, \
            open(d / "devtest" / f"{lang}.devtest", encoding="utf-8") as f2:
        return " ".join(f1.read().split("\n") + f2.read().split("\n"))


def code_files() -> list[Path]:
    return sorted((SHARED / "corpora" / "code").glob("*.txt"))


# ---------------------------------------------------------------------------------------------
# Hugging Face `tokenizers` builders (references)
# ---------------------------------------------------------------------------------------------
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte -> printable character map (the ByteLevel alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def hf_gpt2():
    """GPT-2 exactly as HF's GPT2TokenizerFast builds it: BPE(vocab, merges) + ByteLevel(add_prefix_space=False,
    use_regex=True) pre-tokenizer and decoder. <|endoftext|> is added as a special token, and
    encode_special_tokens=True makes it (like every special string) plain text = tiktoken's encode_ordinary."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors
    d = gpt2_hf_dir()
    model = models.BPE.from_file(str(d / "vocab.json"), str(d / "merges.txt"))
    tok = Tokenizer(model)
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.add_special_tokens([AddedToken("<|endoftext|>", special=True)])
    tok.encode_special_tokens = True
    return tok


def hf_from_json(path: Path):
    from tokenizers import Tokenizer
    return Tokenizer.from_str(read_maybe_gz(path).decode("utf-8"))


def recover_merges(ranks: dict[bytes, int]) -> list[tuple[bytes, bytes]]:
    """Recover the merge list of a tiktoken ranks table: each multi-byte token is the merge of the two
    parts that BPE (restricted to lower ranks) leaves when run on its bytes."""
    merges = []
    for tok, rank in sorted(ranks.items(), key=lambda kv: kv[1]):
        if len(tok) < 2:
            continue
        parts = [tok[i:i + 1] for i in range(len(tok))]
        while len(parts) > 2:
            best_rank, best_i = None, -1
            for i in range(len(parts) - 1):
                r = ranks.get(parts[i] + parts[i + 1])
                if r is not None and r < rank and (best_rank is None or r < best_rank):
                    best_rank, best_i = r, i
            if best_rank is None:
                break
            parts[best_i:best_i + 2] = [parts[best_i] + parts[best_i + 1]]
        if len(parts) == 2:
            merges.append((parts[0], parts[1]))
    return merges


def tiktoken_to_hf_json(name: str) -> Path:
    """An HF tokenizer.json for a tiktoken encoding (merges recovered from ranks; ignore_merges=True,
    Split(pattern, Isolated) + ByteLevel(use_regex=False)), cached under bench/out/cache/."""
    CACHE.mkdir(parents=True, exist_ok=True)
    dst = CACHE / f"{name}_tokenizer.json"
    if dst.exists():
        return dst
    if name == "cl100k_base":
        dst.write_bytes(read_maybe_gz(cl100k_tokenizer_json()))
        return dst
    import tiktoken
    ensure_tiktoken_env()
    pattern = tiktoken.get_encoding(name)._pat_str
    ranks = load_ranks(name)
    b2u = bytes_to_unicode()
    s = lambda b: "".join(b2u[x] for x in b)  # noqa: E731
    vocab = {s(t): r for t, r in ranks.items()}
    merges = [[s(a), s(b)] for a, b in recover_merges(ranks)]
    j = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                  "vocab": vocab, "merges": merges},
    }
    tmp = dst.with_suffix(".tmp")
    tmp.write_text(json.dumps(j, ensure_ascii=False), encoding="utf-8")
    tmp.replace(dst)
    return dst


def read_gguf_vocab(path: Path) -> dict:
    import gguf
    r = gguf.GGUFReader(str(path))

    def strings(key):
        f = r.fields[key]
        return [bytes(f.parts[i]).decode("utf-8") for i in f.data]

    def scalar_str(key):
        f = r.fields.get(key)
        return bytes(f.parts[f.data[0]]).decode("utf-8") if f is not None else None

    tt = r.fields["tokenizer.ggml.token_type"]
    return {"model": scalar_str("tokenizer.ggml.model"), "pre": scalar_str("tokenizer.ggml.pre"),
            "tokens": strings("tokenizer.ggml.tokens"), "merges": strings("tokenizer.ggml.merges"),
            "token_type": [int(tt.parts[i][0]) for i in tt.data]}


def hf_from_gguf(name: str):
    """HF reference for a llama.cpp vocab GGUF: models.BPE(tokens, merges) + Split(regex, Isolated) +
    ByteLevel(add_prefix_space=False, use_regex=False). llama-bpe (Llama 3): ignore_merges=True;
    qwen2: ignore_merges=False and an NFC normalizer; gpt-2: the GPT-2 ByteLevel regex. No added tokens
    (special strings are plain text, as tiktoken's encode_ordinary)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    v = read_gguf_vocab(gguf_file(name))
    vocab = {t: i for i, t in enumerate(v["tokens"])}
    merges = [tuple(m.split(" ", 1)) for m in v["merges"]]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=(name == "llama-bpe")))
    if name == "gpt-2":
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)
    else:
        pattern = {"llama-bpe": LLAMA3_PATTERN, "qwen2": QWEN2_PATTERN}[name]
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)])
    if name == "qwen2":
        tok.normalizer = normalizers.NFC()
    tok.decoder = decoders.ByteLevel()
    return tok


# ---------------------------------------------------------------------------------------------
# misc
# ---------------------------------------------------------------------------------------------
PEER_PACKAGES = ["tiktoken", "tokenizers", "bpe-openai", "toktok-rs", "splintr-rs", "fastokens", "rs-bpe",
                 "riptoken", "quicktok-v1", "tokie", "gguf", "sentencepiece"]


def versions() -> dict[str, str | None]:
    from importlib import metadata
    out: dict[str, str | None] = {"python": sys.version.split()[0]}
    for p in PEER_PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def ids_digest(seq_of_ids) -> str:
    """sha256 over the little-endian uint32 ids of a sequence of id lists (a cheap exactness fingerprint)."""
    h = hashlib.sha256()
    for ids in seq_of_ids:
        h.update(array.array("I", ids).tobytes())
        h.update(b"\xff\xff\xff\xff")   # document separator
    return h.hexdigest()


def machine_facts() -> dict:
    model = None
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "sched_affinity": len(os.sched_getaffinity(0)), "cpu_model": model,
            "mem_gib": mem, "loadavg": list(os.getloadavg()), "kernel": os.uname().release}


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "tiktoken-cache":
        print(json.dumps(setup_tiktoken_cache(Path(argv[1])), indent=1))
        return 0
    if argv[:1] == ["versions"]:
        print(json.dumps(versions()))
        return 0
    if argv[:1] == ["self-check"]:
        data = bench_corpus().read_bytes()
        a, b = split_documents(data), _split_documents_reference(data)
        assert a == b and b"".join(a) == data, "split rule mismatch"
        print(json.dumps({"docs": len(a), "bytes": len(data)}))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
