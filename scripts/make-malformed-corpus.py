#!/usr/bin/env python3
"""Write Tests/Malformed/: one small malformed file (or folder) per way a tokenizer file can be broken, for every
format Tessera reads, and Tests/Malformed/cases.tsv, which says what each must produce.

    python3 scripts/make-malformed-corpus.py          (needs only the committed vocabularies/; no third-party module)

Each case starts from a small valid file of its format (built here from the first ranks of vocabularies/r50k_base.tiktoken,
vocabularies/gpt2/, or vocabularies/sentencepiece/char.model) and breaks one thing: truncation, a wrong JSON type, a
duplicate token, a merge naming a missing token, bad base64, a bad protobuf varint or length, a bad GGUF length or
type, a corrupt gzip stream, invalid UTF-8, an unknown version… The valid seeds are written too (`valid-*`), so the
test also proves that the breakage, not the seed, causes each error.

cases.tsv columns: path (relative to Tests/Malformed), expected FormatError kind (or `ok` for a valid seed), and the
substrings the error message must contain (separated by ` | `): always the file name and where the problem is
(line, JSON field path, byte offset or key), usually a word of the problem. Every message must also carry a fix,
which the test checks separately. Tests: Tests/TesseraFormatsTests/MalformedCorpusTests.swift.
"""
from __future__ import annotations

import base64
import gzip
import json
import shutil
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Malformed"
CASES: list[tuple[str, str, list[str]]] = []


def case(path: str, kind: str, *expect: str) -> None:
    CASES.append((path, kind, list(expect)))


def write(path: str, data: bytes | str) -> Path:
    p = OUT / path
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


# ----------------------------------------------------------------------------------------------------------------
# Seeds
R50K = (ROOT / "vocabularies" / "r50k_base.tiktoken").read_bytes().split(b"\n")
N = 300
TIKTOKEN = b"\n".join(R50K[:N]) + b"\n"
SIDECAR = json.dumps({"name": "small", "pattern": "gpt2", "special_tokens": {"<|endoftext|>": N}}).encode()

GPT2_VOCAB = {k: v for k, v in json.loads((ROOT / "vocabularies" / "gpt2" / "vocab.json").read_text("utf-8")).items() if v < N}
GPT2_MERGES = (ROOT / "vocabularies" / "gpt2" / "merges.txt").read_text("utf-8").split("\n")[: N - 256 + 1]


def gpt2_files(vocab: dict | str | bytes | None = None, merges: list[str] | str | None = None) -> dict[str, bytes]:
    v = vocab if vocab is not None else GPT2_VOCAB
    m = merges if merges is not None else GPT2_MERGES
    vb = v if isinstance(v, bytes) else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)).encode("utf-8")
    mb = (m if isinstance(m, str) else "\n".join(m) + "\n").encode("utf-8")
    return {"vocab.json": vb, "merges.txt": mb}


def tokenizer_json(**changes) -> dict:
    model = {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
             "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
             "vocab": dict(GPT2_VOCAB), "merges": [m.split(" ") for m in GPT2_MERGES[1:]]}
    doc = {"version": "1.0", "truncation": None, "padding": None,
           "added_tokens": [{"id": N, "content": "<|endoftext|>", "single_word": False, "lstrip": False, "rstrip": False,
                             "normalized": False, "special": True}],
           "normalizer": None, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
           "post_processor": None, "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
           "model": model}
    for k, v in changes.items():
        if k.startswith("model_"):
            model[k[6:]] = v
        else:
            doc[k] = v
    return doc


def dumps(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1)


# A GGUF v3 vocabulary-only file.
GGUF_STRING, GGUF_ARRAY, GGUF_INT32, GGUF_UINT32 = 8, 9, 5, 4


def gguf(kvs: list[tuple[str, int, object]], version: int = 3) -> bytes:
    out = bytearray(b"GGUF") + struct.pack("<IQQ", version, 0, len(kvs))

    def string(s: str | bytes) -> None:
        b = s.encode("utf-8") if isinstance(s, str) else s
        out.extend(struct.pack("<Q", len(b)) + b)

    for key, vtype, value in kvs:
        string(key)
        out.extend(struct.pack("<I", vtype))
        if vtype == GGUF_STRING:
            string(value)
        elif vtype == GGUF_ARRAY:
            etype, items = value
            out.extend(struct.pack("<IQ", etype, len(items)))
            for it in items:
                if etype == GGUF_STRING:
                    string(it)
                else:
                    out.extend(struct.pack("<i", it))
        elif vtype == GGUF_UINT32:
            out.extend(struct.pack("<I", value))
    return bytes(out)


GGUF_TOKENS = [k for k, _ in sorted(GPT2_VOCAB.items(), key=lambda kv: kv[1])]
GGUF_KVS = [("tokenizer.ggml.model", GGUF_STRING, "gpt2"), ("tokenizer.ggml.pre", GGUF_STRING, "gpt-2"),
            ("tokenizer.ggml.tokens", GGUF_ARRAY, (GGUF_STRING, GGUF_TOKENS)),
            ("tokenizer.ggml.merges", GGUF_ARRAY, (GGUF_STRING, GPT2_MERGES[1:])),
            ("tokenizer.ggml.token_type", GGUF_ARRAY, (GGUF_INT32, [1] * len(GGUF_TOKENS)))]

SPM = (ROOT / "vocabularies" / "sentencepiece" / "char.model").read_bytes()


def minbpe(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


MINBPE = ["minbpe v1", "", "1", "<|endoftext|> 259", "104 101", "256 108", "257 111"]   # he, hel, hello


def tekken(vocab: list[dict] | None = None, **config) -> str:
    cfg = {"pattern": r"[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s+", "num_vocab_tokens": 260,
           "default_vocab_size": 263, "default_num_special_tokens": 3, "version": "v7"}
    cfg.update(config)
    if vocab is None:
        vocab = [{"rank": b, "token_bytes": base64.b64encode(bytes([b])).decode(), "token_str": None} for b in range(256)]
        vocab += [{"rank": 256 + i, "token_bytes": base64.b64encode(t).decode(), "token_str": t.decode()}
                  for i, t in enumerate([b"he", b"ll", b"hell", b"hello"])]
    specials = [{"rank": i, "token_str": s, "is_control": True} for i, s in enumerate(["<unk>", "<s>", "</s>"])]
    return json.dumps({"config": cfg, "vocab": vocab, "special_tokens": specials})


def lib(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


LIB = ["tessera-lib v1", "# trained on nothing", "deeper 0", "tokens 3", "the", " of", "and"]


def main() -> int:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)

    # --- .tiktoken (+ sidecar) ---
    def tik(name: str, body: bytes, sidecar: bytes | None = SIDECAR) -> str:
        write(f"tiktoken/{name}", body)
        if sidecar is not None:
            write(f"tiktoken/{name.removesuffix('.gz')}.json", sidecar)
        return f"tiktoken/{name}"

    case(tik("valid-small.tiktoken", TIKTOKEN), "ok")
    lines = TIKTOKEN.split(b"\n")
    case(tik("bad-base64.tiktoken", b"\n".join(lines[:4] + [b"!!== 4"] + lines[5:])), "syntax", "bad-base64.tiktoken:5", "base64")
    case(tik("missing-rank.tiktoken", b"\n".join(lines[:2] + [lines[2].split(b" ")[0]] + lines[3:])), "syntax", "missing-rank.tiktoken:3")
    case(tik("duplicate-token.tiktoken", b"\n".join(lines[:7] + [lines[3].split(b" ")[0] + b" 7"] + lines[8:])), "invalidValue",
         "duplicate-token.tiktoken:8")
    case(tik("rank-too-large.tiktoken", TIKTOKEN + b"IUE= 99999999999\n"), "invalidValue", "rank-too-large.tiktoken:301")
    case(tik("truncated.tiktoken.gz", gzip.compress(TIKTOKEN, mtime=0)[:-20]), "corruptCompression", "truncated.tiktoken.gz")
    case(tik("unknown-name.tiktoken", TIKTOKEN, sidecar=None), "unknownEncoding", "unknown-name.tiktoken", "sidecar")
    case(tik("sidecar-wrong-type.tiktoken", TIKTOKEN, sidecar=b'{"pattern": 17}'), "syntax", "sidecar-wrong-type.tiktoken.json", "pattern")
    case(tik("sidecar-special-clash.tiktoken", TIKTOKEN, sidecar=b'{"pattern": "gpt2", "special_tokens": {"<|endoftext|>": 5}}'),
         "invalidValue", "sidecar-special-clash.tiktoken", "special_tokens")
    case(tik("invalid-utf8-line.tiktoken", TIKTOKEN + b"\xff\xfe 300\n"), "syntax", "invalid-utf8-line.tiktoken:301")

    # --- GPT-2 vocab.json + merges.txt (folders) ---
    def pair(name: str, files: dict[str, bytes]) -> str:
        for f, b in files.items():
            write(f"gpt2/{name}/{f}", b)
        return f"gpt2/{name}"

    case(pair("valid-small", gpt2_files()), "ok")
    m = list(GPT2_MERGES)
    m[5] = "Ġ zzzz"
    case(pair("merge-names-missing-token", gpt2_files(merges=m)), "invalidValue", "merges.txt:6", "zzzz")
    m = list(GPT2_MERGES)
    m[3] = "Ġt"
    case(pair("merge-with-one-side", gpt2_files(merges=m)), "syntax", "merges.txt:4")
    v = dict(GPT2_VOCAB)
    v["Ġt"] = "7"
    case(pair("vocab-id-is-a-string", gpt2_files(vocab=v)), "syntax", "vocab.json", "Ġt")
    v = dict(GPT2_VOCAB)
    v["Ġa"] = v["Ġt"]
    case(pair("duplicate-id", gpt2_files(vocab=v)), "invalidValue", "vocab.json", "assigned twice")
    case(pair("vocab-truncated", gpt2_files(vocab=json.dumps(GPT2_VOCAB)[:-40])), "syntax", "vocab.json")
    case(pair("vocab-is-a-list", gpt2_files(vocab="[1, 2, 3]")), "syntax", "vocab.json")
    v = {k: v for k, v in GPT2_VOCAB.items() if k != "!"}
    case(pair("missing-byte-token", gpt2_files(vocab=v)), "invalidValue", "vocab.json", "256")
    write("gpt2/merges-missing/vocab.json", gpt2_files()["vocab.json"])
    case("gpt2/merges-missing", "fileNotFound", "merges.txt")

    # --- tokenizer.json ---
    def tj(name: str, text: str | bytes) -> str:
        write(f"tokenizer-json/{name}", text)
        return f"tokenizer-json/{name}"

    valid = dumps(tokenizer_json())
    case(tj("valid-small.json", valid), "ok")
    case(tj("truncated.json", valid[: len(valid) // 2]), "syntax", "truncated.json", "byte offset")
    v = dict(GPT2_VOCAB)
    v["Ġt"] = -3
    case(tj("vocab-negative-id.json", dumps(tokenizer_json(model_vocab=v))), "syntax", "vocab-negative-id.json", "model.vocab")
    merges = [m.split(" ") for m in GPT2_MERGES[1:]]
    merges[10] = ["Ġ", "nowhere"]
    case(tj("merge-names-missing-token.json", dumps(tokenizer_json(model_merges=merges))), "invalidValue",
         "merge-names-missing-token.json", "model.merges[10]", "nowhere")
    merges = [m.split(" ") for m in GPT2_MERGES[1:]]
    merges[2] = ["Ġ"]
    case(tj("merge-not-a-pair.json", dumps(tokenizer_json(model_merges=merges))), "syntax", "merge-not-a-pair.json", "model.merges[2]")
    case(tj("model-type-unknown.json", dumps(tokenizer_json(model_type="Charformer"))), "unsupported", "model-type-unknown.json",
         "model.type", "Charformer")
    case(tj("wrong-type-normalizer.json", dumps(tokenizer_json(normalizer={"type": 17}))),
         "syntax", "wrong-type-normalizer.json", "normalizer.type")
    case(tj("precompiled-bad-base64.json", dumps(tokenizer_json(normalizer={"type": "Precompiled", "precompiled_charsmap": "@@@"}))),
         "invalidValue", "precompiled-bad-base64.json", "normalizer.precompiled_charsmap", "base64")
    unigram = {"type": "Unigram", "unk_id": 9, "vocab": [["<unk>", 0.0], ["▁a", -1.5]], "byte_fallback": False}
    case(tj("unigram-unk-out-of-range.json", dumps(tokenizer_json(model=unigram))), "invalidValue", "unigram-unk-out-of-range.json",
         "model.unk_id")
    unigram = {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["▁a", "high"]], "byte_fallback": False}
    case(tj("unigram-score-not-a-number.json", dumps(tokenizer_json(model=unigram))), "syntax", "unigram-score-not-a-number.json",
         "model.vocab", "byte offset")
    case(tj("invalid-utf8.json", valid.encode("utf-8").replace(b'"ByteLevel"', b'"Byte\xffLevel"', 1)), "syntax", "invalid-utf8.json",
         "UTF-8")
    case(tj("version-2.json", dumps(tokenizer_json(version="2.0"))), "unsupported", "version-2.json", "version")
    wordpiece = {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                 "vocab": {"a": 0, "##b": 1}}
    case(tj("wordpiece-unk-missing.json", dumps(tokenizer_json(model=wordpiece, pre_tokenizer=None, decoder=None, added_tokens=[]))),
         "invalidValue", "wordpiece-unk-missing.json", "model.unk_token", "[UNK]")
    wordpiece["max_input_chars_per_word"] = "long"
    case(tj("wordpiece-max-not-a-number.json", dumps(tokenizer_json(model=wordpiece))), "syntax", "wordpiece-max-not-a-number.json",
         "model.max_input_chars_per_word")
    added = [{"id": 5, "content": "<|endoftext|>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
              "special": True}]
    added[0]["id"] = -1
    case(tj("added-token-negative-id.json", dumps(tokenizer_json(added_tokens=added))), "syntax", "added-token-negative-id.json",
         "added_tokens[0].id")
    case(tj("dropout.json", dumps(tokenizer_json(model_dropout=0.1))), "unsupported", "dropout.json", "model.dropout")

    # --- GGUF ---
    def gg(name: str, data: bytes) -> str:
        write(f"gguf/{name}", data)
        return f"gguf/{name}"

    good = gguf(GGUF_KVS)
    case(gg("valid-small.gguf", good), "ok")
    case(gg("truncated-header.gguf", good[:14]), "syntax", "truncated-header.gguf", "byte offset")
    case(gg("truncated-tokens.gguf", good[: len(good) // 2]), "syntax", "truncated-tokens.gguf", "byte offset")
    case(gg("version-1.gguf", gguf(GGUF_KVS, version=1)), "unsupported", "version-1.gguf", "version")
    huge = bytearray(good)
    huge[24:32] = struct.pack("<Q", 1 << 60)     # the first key's length
    case(gg("key-length-beyond-file.gguf", bytes(huge)), "syntax", "key-length-beyond-file.gguf", "byte offset 24")
    kvs = list(GGUF_KVS)
    kvs[2] = ("tokenizer.ggml.tokens", GGUF_ARRAY, (GGUF_INT32, list(range(len(GGUF_TOKENS)))))
    case(gg("tokens-wrong-type.gguf", gguf(kvs)), "invalidValue", "tokens-wrong-type.gguf", "tokenizer.ggml.tokens")
    case(gg("no-tokenizer.gguf", gguf([("general.name", GGUF_STRING, "x")])), "invalidValue", "no-tokenizer.gguf", "tokenizer.ggml.model")
    kvs = list(GGUF_KVS)
    kvs[3] = ("tokenizer.ggml.merges", GGUF_ARRAY, (GGUF_STRING, GPT2_MERGES[1:5] + ["Ġ nowhere"]))
    case(gg("merge-names-missing-token.gguf", gguf(kvs)), "invalidValue", "merge-names-missing-token.gguf", "tokenizer.ggml.merges[4]")
    case(gg("bad-magic.gguf", b"GGUX" + good[4:]), "unknownFormat", "bad-magic.gguf")

    # --- SentencePiece .model (protobuf) ---
    def sp(name: str, data: bytes) -> str:
        write(f"sentencepiece/{name}", data)
        return f"sentencepiece/{name}"

    case(sp("valid-char.model", SPM), "ok")
    # Cut inside the 20th top-level field (a piece), not at a field boundary (a prefix of whole fields is a valid proto).
    offset = 0
    for _ in range(19):
        offset += 1
        length, shift = 0, 0
        while True:
            b = SPM[offset]
            offset += 1
            length |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        offset += length
    case(sp("truncated.model", SPM[: offset + 3]), "syntax", "truncated.model", "byte offset")
    case(sp("bad-varint-inside.model", SPM[:offset] + b"\x0a" + b"\xff" * 11 + SPM[offset:]), "syntax", "bad-varint-inside.model",
         f"byte offset {offset + 1}", "varint")
    case(sp("bad-varint.model", b"\x0a" + b"\xff" * 11 + SPM), "syntax", "bad-varint.model", "byte offset 1", "varint")
    case(sp("length-beyond-data.model", b"\x0a\xff\xff\x03" + SPM[:100]), "syntax", "length-beyond-data.model", "byte offset")
    case(sp("wrong-wire-type.model", b"\x0d\x00\x00\x00\x00" + SPM), "syntax", "wrong-wire-type.model", "wire type")
    first = SPM.index(b"\x0a", 0)
    # The first field is pieces[0] (field 1, length-delimited); repeat it so a piece appears twice.
    length = SPM[first + 1]
    piece = SPM[first: first + 2 + length]
    case(sp("duplicate-piece.model", piece + SPM), "invalidValue", "duplicate-piece.model", "pieces[")

    # --- minbpe ---
    def mb(name: str, lines: list[str]) -> str:
        write(f"minbpe/{name}", minbpe(lines))
        return f"minbpe/{name}"

    case(mb("valid-small.model", MINBPE), "ok")
    case(mb("version-2.model", ["minbpe v2"] + MINBPE[1:]), "syntax", "version-2.model:1", "minbpe v1")
    case(mb("count-not-a-number.model", MINBPE[:2] + ["one"] + MINBPE[3:]), "syntax", "count-not-a-number.model:3")
    case(mb("merge-uses-undefined-id.model", MINBPE[:5] + ["999 108"] + MINBPE[6:]), "invalidValue", "merge-uses-undefined-id.model:6",
         "999")
    case(mb("merge-one-id.model", MINBPE[:5] + ["256"] + MINBPE[6:]), "syntax", "merge-one-id.model:6")
    case(mb("special-is-a-byte-id.model", MINBPE[:3] + ["<|endoftext|> 65"] + MINBPE[4:]), "invalidValue", "special-is-a-byte-id.model:4")

    # --- tekken ---
    def tk(name: str, text: str) -> str:
        write(f"tekken/{name}", text)
        return f"tekken/{name}"

    case(tk("valid-small.tekken.json", tekken()), "ok")
    vocab = json.loads(tekken())["vocab"]
    vocab[257]["token_bytes"] = "!!not base64!!"
    case(tk("bad-token-bytes.tekken.json", tekken(vocab)), "syntax", "bad-token-bytes.tekken.json", "vocab[257]")
    vocab = json.loads(tekken())["vocab"]
    vocab[258]["rank"] = 7
    case(tk("rank-out-of-order.tekken.json", tekken(vocab)), "invalidValue", "rank-out-of-order.tekken.json", "vocab[258]")
    vocab = json.loads(tekken())["vocab"]
    del vocab[300 - 44]["token_bytes"]
    case(tk("entry-without-bytes.tekken.json", tekken(vocab)), "syntax", "entry-without-bytes.tekken.json", "vocab[256]", "token_bytes")
    vocab = json.loads(tekken())["vocab"]
    vocab[3]["rank"] = "3"
    case(tk("rank-is-a-string.tekken.json", tekken(vocab)), "syntax", "rank-is-a-string.tekken.json", "vocab[3].rank")
    case(tk("huge-special-count.tekken.json", tekken(default_num_special_tokens=4294967296)), "invalidValue",
         "huge-special-count.tekken.json", "config.default_vocab_size")
    case(tk("unknown-version.tekken.json", tekken(version="v99")), "invalidValue", "unknown-version.tekken.json", "config.version")

    # --- LiB lexicon ---
    def lb(name: str, lines: list[str] | bytes) -> str:
        write(f"lib/{name}", lines if isinstance(lines, bytes) else lib(lines))
        return f"lib/{name}"

    case(lb("valid-small.model", LIB), "ok")
    case(lb("count-differs.model", LIB[:-1]), "invalidValue", "count-differs.model")
    case(lb("repeated-chunk.model", LIB[:-1] + ["the"]), "invalidValue", "repeated-chunk.model:7", "line 5")
    case(lb("bad-escape.model", LIB[:-1] + ["a\\q"]), "syntax", "bad-escape.model:7")
    case(lb("invalid-utf8.model", lib(LIB[:-1]).encode() + b"\xc3\x28\n"), "invalidValue", "invalid-utf8.model:7", "UTF-8")

    rows = ["# path\tkind\texpected substrings (' | '-separated). Written by scripts/make-malformed-corpus.py."]
    rows += [f"{p}\t{k}\t{' | '.join(e)}" for p, k, e in CASES]
    (OUT / "cases.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(CASES)} cases under {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
