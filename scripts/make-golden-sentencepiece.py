#!/usr/bin/env python3
"""Write the SentencePiece golden fixtures used by the Swift tests: corpora/golden/sentencepiece/<model>.json.

    bench/.venv/bin/python scripts/make-golden-sentencepiece.py     # needs sentencepiece (bench/requirements-peers.txt)

Reference: sentencepiece's SentencePieceProcessor: `encode(text)` (no BOS/EOS; control-symbol text such as `<s>` is
plain text) and `decode(ids)`. Models: mistral (vocabularies/mistral-7b-v0.1.spm.model), the five trained models of
vocabularies/sentencepiece/ (scripts/train-sentencepiece-models.py), and llama-spm-gguf (llama.cpp's
ggml-vocab-llama-spm.gguf, whose reference is sentencepiece with a ModelProto rebuilt from the GGUF; see
bench/parity_sentencepiece.py).

Cases (the same in every file, in the same order):
  * the named tricky strings of scripts/make-golden-ids.py (whitespace runs, CR/LF, digits, combining marks, many
    scripts, emoji, special-token strings, code, long repeats…);
  * SentencePiece-specific strings: `▁` in the input, whitespace-only text, U+FFFD, NUL, control-symbol and
    user-defined-symbol text (`<s>`, `<unk>`, `<0x41>`, `<sep>`, `☃☃`), NFKC-sensitive characters (full-width, ①,
    ligatures, Hangul jamo), whitespace variants;
  * 80 strings drawn with random.Random(20260510) from an alphabet of those characters;
  * invalid UTF-8 as hex (`text_hex`): the 25 hand-written byte strings and the first 40 seeded random ones of
    corpora/golden/splits/inputs.json (sentencepiece's Python API accepts bytes);
  * the first line of the FLORES-200 dev split of 30 languages (CC BY-SA 4.0, NLLB Team 2022).

Format: inputs.json holds the cases once: {"about", "cases": [{"name", "text" | "text_hex"}]}. Each <model>.json:
{"tool", "tool_version", "python", "model", "model_file", "model_sha256", "bos_id", "eos_id", "method",
"results": [{"ids", "decoded"? | "decoded_hex"?}]}, one result per line, results[i] for case i. "decoded" is
sentencepiece's decode(ids), given only when it differs from the input ("decoded_hex" when it is not valid UTF-8).
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import sys
from pathlib import Path

import sentencepiece as spm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import parity_sentencepiece as psp  # noqa: E402
import peers  # noqa: E402

OUT_DIR = ROOT / "corpora" / "golden" / "sentencepiece"
MODELS = ["mistral", "unigram", "bpe", "bpe-suffix", "char", "word", "llama-spm-gguf"]

SPM_CASES: list[tuple[str, str]] = [
    ("spm-space-symbol-input", "a▁b ▁ c▁"),
    ("spm-only-space-symbols", "▁▁▁"),
    ("spm-space-symbol-then-space", "▁ "),
    ("spm-only-spaces", "     "),
    ("spm-only-tabs-newlines", "\t\n\t\n"),
    ("spm-leading-trailing", "   lead and trail   "),
    ("spm-inner-runs", "a  b   c    d"),
    ("spm-space-newline-space", "a \n b"),
    ("spm-replacement-char", "\ufffd and \ufffd\ufffd"),
    ("spm-nul", "a\x00b\x00\x00c"),
    ("spm-control-text", "<s> hello </s>"),
    ("spm-unk-text", "<unk><unk> <pad>"),
    ("spm-byte-piece-text", "<0x41><0xFF> <0x0A>"),
    ("spm-user-defined", "x<sep>y <cls> ☃☃☃ <sep><sep>"),
    ("spm-control-mask", "a <mask> b<mask>"),
    ("spm-fullwidth", "ＡＢＣ　１２３！？"),
    ("spm-circled", "①②③ ⑴ ㈱ ㍻"),
    ("spm-ligature-roman", "ﬁﬂ Ⅳ ⅸ ½ ¼"),
    ("spm-hangul-jamo", "\u1112\u1161\u11ab\u1100\u116e\u11a8 한국"),
    ("spm-nfkc-compat", "ｶﾀｶﾅ ﾊﾟ ㌀ ㎏ ℃ ™ µ"),
    ("spm-whitespace-variants", "a\u00a0b\u2002c\u2003d\u2009e\u200af\u3000g\u205fh"),
    ("spm-line-separators", "a\u2028b\u2029c\u0085d\x0be\x0cf"),
    ("spm-digits", "0123456789 3.14 1,000,000 ٠١٢ ०१२"),
    ("spm-unknown-scripts", "ᚠᛇᚻ ꓚꓳ 𓀀𓀁 ꦲꦏ"),
    ("spm-emoji-mix", "🙂🙃 👩‍🚀 a🙂b"),
    ("spm-long-word", "Donaudampfschifffahrtsgesellschaftskapitänsmützenband"),
    ("spm-mixed-newlines", "line one\r\nline two\rline three\n"),
    ("spm-single-space", " "),
    ("spm-single-newline", "\n"),
    ("spm-single-char", "x"),
]

ALPHABET = (list("aeiouxyz AEZ09.,!?'\"-_") + ["  ", "   ", "\t", "\n", "\r\n", "▁", "\u3000", "\u00a0", "\ufffd",
            "é", "e\u0301", "ß", "ﬁ", "①", "Ａ", "ｶ", "ﾞ", "한", "\u1100", "中", "文", "日", "я", "Ω", "ا", "ע", "क",
            "्", "ไ", "🙂", "👍🏽", "‍", "<s>", "</s>", "<unk>", "<sep>", "☃", "☃☃", "<mask>", "<0x41>", "\x00", "\x1b"])


def random_cases() -> list[tuple[str, str]]:
    rng = random.Random(20260510)
    out = []
    for i in range(80):
        n = rng.randint(1, 24)
        out.append((f"random:{i}", "".join(rng.choice(ALPHABET) for _ in range(n))))
    return out


def byte_cases() -> list[tuple[str, bytes]]:
    inputs = json.loads((ROOT / "corpora" / "golden" / "splits" / "inputs.json").read_text(encoding="utf-8"))
    hand = inputs["bytes"]["handwritten"]
    rand = inputs["bytes"]["random"]["cases"][:40]
    return [(f"bytes:hand:{i}", bytes.fromhex(h)) for i, h in enumerate(hand)] + \
           [(f"bytes:random:{i}", bytes.fromhex(h)) for i, h in enumerate(rand)]


def write_results(path: Path, header: dict, results: list[dict]) -> int:
    parts = ["{"] + [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in header.items()]
    parts.append(' "results": [')
    parts += ["  " + json.dumps(r, ensure_ascii=False, separators=(",", ":")) + ("," if i + 1 < len(results) else "")
              for i, r in enumerate(results)]
    parts += [" ]", "}"]
    data = ("\n".join(parts) + "\n").encode("utf-8")
    json.loads(data)
    path.write_bytes(data)
    return len(data)


def golden_ids_module():
    spec = importlib.util.spec_from_file_location("make_golden_ids", ROOT / "scripts" / "make-golden-ids.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    gid = golden_ids_module()
    text_cases = list(gid.TRICKY) + SPM_CASES + random_cases() + gid.flores_cases()
    names = [n for n, _ in text_cases] + [n for n, _ in byte_cases()]
    assert len(names) == len(set(names)), "duplicate case names"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    inputs = [{"name": n, "text": t} for n, t in text_cases] + [{"name": n, "text_hex": raw.hex()} for n, raw in byte_cases()]
    total = gid.write(OUT_DIR / "inputs.json", {"about": "inputs of the SentencePiece golden fixtures; see "
                                                         "scripts/make-golden-sentencepiece.py"}, inputs)
    raw_inputs = [t for _, t in text_cases] + [raw for _, raw in byte_cases()]
    for model in MODELS:
        sp = psp.reference(model)
        path = psp.model_path(model)
        header = {"tool": "sentencepiece", "tool_version": spm.__version__, "python": sys.version.split()[0],
                  "model": model, "model_file": path.name, "model_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                  "bos_id": sp.bos_id(), "eos_id": sp.eos_id(),
                  "method": "SentencePieceProcessor.encode(text) (no BOS/EOS) and .decode(ids); results[i] is for "
                            "inputs.json case i; `decoded` is omitted when it equals the input text"
                            + ("; ModelProto rebuilt from the GGUF tokens/scores/types" if model == "llama-spm-gguf" else "")}
        results = []
        for text in raw_inputs:
            ids = sp.encode(text)
            decoded = sp.decode(ids).encode("utf-8", "surrogatepass")
            original = text if isinstance(text, bytes) else text.encode("utf-8")
            r = {"ids": ids}
            if decoded != original:
                try:
                    r["decoded"] = decoded.decode("utf-8")
                except UnicodeDecodeError:
                    r["decoded_hex"] = decoded.hex()
            results.append(r)
        total += write_results(OUT_DIR / f"{model}.json", header, results)
    print(f"{len(names)} cases x {len(MODELS)} models -> {OUT_DIR} ({total:,} bytes), sentencepiece {spm.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
