#!/usr/bin/env python3
"""Golden pre-tokenizer splits for Tessera's built-in scanners, computed with Python's `regex` module.

Usage (from the package root; needs Python 3.11+ for possessive quantifiers and `pip install regex`):

  python3 scripts/make-golden-splits.py                  # corpora/golden/splits/<pattern>.json from inputs.json
  python3 scripts/make-golden-splits.py --random-inputs  # rewrite the seeded random part of inputs.json first
  python3 scripts/make-golden-splits.py --digests        # also corpora/golden/splits/corpus-digests.json (slow:
                                                         # about 400 MB of regex matching; reads ../shared)
  python3 scripts/make-golden-splits.py --class-delta    # print the Swift table of code points whose class in
                                                         # `regex` differs from the system utf8proc (then stop)

Every pattern has one reference string and possibly alternative strings (older or Hugging Face spellings).
The script asserts that all strings of a pattern split every input identically (and, with --digests, every
corpus), so that the one scanner per pattern stands for all of them. It also asserts that the pieces tile
the input.

Inputs that are not valid UTF-8 ("bytes" cases, hex in inputs.json) are decoded with `surrogateescape`: every
byte that is not part of a well-formed UTF-8 sequence becomes one lone surrogate U+DC80+byte, which `regex`
classifies as neither letter, number, mark nor whitespace. That is exactly the scanners' byte-by-byte rule.

Corpus digest: for the sequence of piece byte lengths L1, L2, ... (lengths of the UTF-8 encodings), the
64-bit FNV-1a hash over the concatenation of the 8-byte little-endian encodings of the lengths:
  h = 0xcbf29ce484222325; for each length, for each of its 8 LE bytes b: h = ((h ^ b) * 0x100000001b3) mod 2^64.
"""
import argparse
import json
import os
import random
import sys
from multiprocessing import Pool
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
SPLITS = ROOT / "corpora" / "golden" / "splits"
SHARED = ROOT.parent / "shared"

# name -> (reference string, [alternative strings proven to split identically])
PATTERNS = {
    # r50k_base / p50k_base / p50k_edit / gpt2 in tiktoken 0.14.0 (tiktoken_ext/openai_public.py).
    "gpt2": (
        r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s""",
        [
            # Hugging Face ByteLevel / GPT-2 encoder.py.
            r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
            # The form quoted in tiktoken's comment.
            r"""'s|'t|'re|'ve|'m|'ll|'d| ?[\p{L}]+| ?[\p{N}]+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
        ],
    ),
    # cl100k_base in tiktoken 0.14.0. NOTE: differs from the older/Hugging Face cl100k string (= `llama3` below)
    # on a final whitespace run that holds \r or \n followed by other whitespace ("a\n " -> "a","\n " here;
    # "a","\n"," " there).
    "cl100k": (
        r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
        [
            r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s+""",
        ],
    ),
    # o200k_base / o200k_harmony in tiktoken 0.14.0.
    "o200k": (
        "|".join([
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]),
        [],
    ),
    # Llama 3 tokenizer.json Split regex; also the Hugging Face / tiktoken <= 0.6 cl100k string.
    "llama3": (
        r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
        [
            # tiktoken's intermediate cl100k spelling (also minbpe's GPT4_SPLIT_PATTERN).
            r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+""",
            r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+""",
        ],
    ),
    # Qwen2 / Qwen2.5 / Qwen3 tokenizer.json Split regex.
    "qwen2": (
        r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
        [],
    ),
}

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK = (1 << 64) - 1


def fnv_lengths(lengths):
    h = FNV_OFFSET
    for n in lengths:
        for b in n.to_bytes(8, "little"):
            h = ((h ^ b) * FNV_PRIME) & MASK
    return h


def compiled(name):
    src, alts = PATTERNS[name]
    return [regex.compile(s) for s in [src] + alts]


def split(pat, text):
    pieces = [m.group() for m in pat.finditer(text)]
    assert "".join(pieces) == text, ("pieces do not tile", pat.pattern, text)
    return pieces


def split_all_forms(name, pats, text):
    ref = split(pats[0], text)
    for alt in pats[1:]:
        other = split(alt, text)
        if other != ref:
            raise SystemExit(f"{name}: alternative {alt.pattern!r} splits {text!r} differently:\n {ref}\n {other}")
    return ref


# ---------------------------------------------------------------------------------------------------------------
# Seeded random inputs over a biased alphabet of tricky characters.

TRICKY = (
    # whitespace: all of regex's \s, and look-alikes that are not \s
    [" "] * 8 + ["\t", "\n", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x85", "\xa0", "\u1680", "\u2000", "\u2009",
                  "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u180e", "\u200b", "\x1c", "\x1f", "\ufeff"]
    # letters, with contraction letters and their case variants, ſ (folds to s), Kelvin sign, Lt, Lm, Lo
    + list("aAbZsStTlLvVeErRdDmMkK") + ["\u017f", "\u212a", "\u01c5", "\u02b0", "\u3005", "\u4e2d", "\u00e9",
                                         "\u0130", "\u0131", "\u00df", "\u1e9e", "\u03a3", "\u0416", "\u05d0", "\u0627"]
    # marks: Mn, Mc, Me, Thai/Devanagari/Arabic/Hebrew, variation selectors
    + ["\u0301", "\u0308", "\u0903", "\u093f", "\u094d", "\u0e31", "\u0e48", "\u064e", "\u05b8", "\u20dd", "\ufe0f",
       "\U000e0100"]
    # numbers: Nd (ASCII, Arabic-Indic, Devanagari, fullwidth, Thai), Nl, No
    + list("0123456789") + ["\u0663", "\u0967", "\uff15", "\u0e52", "\u216b", "\u00bd", "\u00b2", "\u2460"]
    # punctuation and symbols; apostrophes; slash (o200k); quotes
    + list("'''\"/.,!?-_()[]{}#@$%^&*+=<>|\\:;`~") + ["\u2019", "\u02bc", "\u00b4", "\u2018", "\u201c", "\u00ab",
                                                    "\u3002", "\u060c", "\u2014"]
    # emoji: ZWJ sequences, skin tones, flags, keycaps
    + ["\U0001f600", "\u200d", "\U0001f3fd", "\U0001f1eb\U0001f1f7", "\U0001f468\u200d\U0001f469\u200d\U0001f467",
       "#\ufe0f\u20e3", "\u2764\ufe0f"]
    # code points whose class changed after Unicode 15 (regex's tables vs utf8proc 2.8), private use, noncharacters,
    # unassigned, replacement character
    + ["\u0295", "\u1c89", "\u1c8a", "\U00016ea0", "\U00011380", "\U0001e5d0", "\U00010d40", "\U0001e5ee",
       "\u0897", "\ue000", "\U0010ffff", "\ufffd", "\u0378", "\U000e0001"]
)

TRICKY_BYTES = (
    [b" ", b"a", b"A", b"'", b"s", b"1", b"\n", b"\r", b"\t", b"!", b"/"] * 2
    + [bytes([b]) for b in (0x80, 0x8F, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF)]
    + [b"\xc3\xa9", b"\xe4\xb8\xad", b"\xf0\x9f\x98\x80", b"\xc5\xbf", b"\xcc\x81", b"\xe3\x80\x80", b"\xc2\xa0",
       b"\xe2\x80\xa8", b"\xc2\x85"]
    + [b"\xe4\xb8", b"\xf0\x9f\x98", b"\xf0\x9f", b"\xc0\x80", b"\xe0\x80\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
       b"\xf8\x88\x80\x80\x80", b"\xe0\x9f\xbf", b"\xed\x9f\xbf", b"\xf0\x8f\xbf\xbf"]
)


def random_inputs(seed=20260509, count=300):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        n = rng.choice([1, 2, 3, 4, 6, 8, 12, 16, 24])
        out.append("".join(rng.choice(TRICKY) for _ in range(n)))
    return out


def random_byte_inputs(seed=97, count=200):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        n = rng.choice([1, 2, 3, 4, 6, 8, 12, 16])
        out.append(b"".join(rng.choice(TRICKY_BYTES) for _ in range(n)).hex())
    return out


# ---------------------------------------------------------------------------------------------------------------

def stamp():
    return {
        "regex_version": regex.__version__,
        "python_version": sys.version.split()[0],
        "generator": "scripts/make-golden-splits.py",
    }


def write_json(path, obj):
    """Pretty at the top level, one line per list element (keeps the files small and diffable)."""
    def dump(v, indent):
        pad = " " * indent
        if isinstance(v, dict) and indent < 4:
            items = [f'{pad} {json.dumps(k)}: {dump(x, indent + 1).lstrip()}' for k, x in v.items()]
            return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(v, list) and v and indent < 4:
            items = [pad + " " + json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in v]
            return pad + "[\n" + ",\n".join(items) + "\n" + pad + "]"
        return pad + json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    path.write_text(dump(obj, 0) + "\n", encoding="utf-8")


def make_golden(inputs):
    texts = [c["input"] for c in inputs["handwritten"]] + inputs["random"]["cases"]
    byte_cases = inputs["bytes"]["handwritten"] + inputs["bytes"]["random"]["cases"]
    for name in PATTERNS:
        pats = compiled(name)
        cases = [{"input": t, "pieces": split_all_forms(name, pats, t)} for t in texts]
        bcases = []
        for hx in byte_cases:
            s = bytes.fromhex(hx).decode("utf-8", "surrogateescape")
            pieces = split_all_forms(name, pats, s)
            bcases.append({"input_hex": hx,
                           "piece_lengths": [len(p.encode("utf-8", "surrogateescape")) for p in pieces]})
        src, alts = PATTERNS[name]
        write_json(SPLITS / f"{name}.json", {
            **stamp(), "pattern": name, "regex_source": src, "alternative_sources": alts,
            "cases": cases, "byte_cases": bcases,
        })
        print(f"{name}: {len(cases)} cases, {len(bcases)} byte cases", file=sys.stderr)


def corpus_files():
    files = [("corpora/english/en_bench_20MB.txt", [SHARED / "corpora/english/en_bench_20MB.txt"])]
    for p in sorted((SHARED / "corpora/code").glob("*.txt")):
        files.append((f"corpora/code/{p.name}", [p]))
    flores = sorted((SHARED / "corpora/flores200/dev").iterdir(), key=lambda p: p.name)
    files.append(("corpora/flores200/dev/*", flores))
    return files


def digest_job(args):
    name, label, paths = args
    data = b"".join(Path(p).read_bytes() for p in paths)
    text = data.decode("utf-8", "surrogateescape")
    pats = compiled(name)
    results = []
    for pat in pats:
        lengths = [len(m.group().encode("utf-8", "surrogateescape")) for m in pat.finditer(text)]
        assert sum(lengths) == len(data)
        results.append((len(lengths), fnv_lengths(lengths)))
    if any(r != results[0] for r in results[1:]):
        raise SystemExit(f"{name}: alternative forms disagree on {label}: {results}")
    print(f"{name} {label}: {results[0][0]} pieces", file=sys.stderr, flush=True)
    return name, label, len(data), results[0]


def make_digests(jobs):
    files = corpus_files()
    work = [(name, label, [str(p) for p in paths]) for name in PATTERNS for label, paths in files]
    with Pool(jobs) as pool:
        done = pool.map(digest_job, work, chunksize=1)
    out = {
        **stamp(),
        "hash": "FNV-1a 64 over the 8-byte little-endian encodings of the piece byte lengths, in order "
                "(offset basis 0xcbf29ce484222325, prime 0x100000001b3)",
        "paths": "relative to the shared folder (../shared beside the package); 'corpora/flores200/dev/*' is the "
                 "concatenation of all files in that folder, sorted by name, joined as raw bytes",
        "digests": {name: {} for name in PATTERNS},
    }
    for name, label, nbytes, (count, h) in done:
        out["digests"][name][label] = {"bytes": nbytes, "pieces": count, "fnv1a64": f"{h:016x}"}
    write_json(SPLITS / "corpus-digests.json", out)


def class_delta():
    """Code points whose class (Lu/Lt, Ll, Lm/Lo, M, N, whitespace, other) differs between regex and utf8proc."""
    import ctypes
    lib = ctypes.CDLL("libutf8proc.so.2")
    lib.utf8proc_unicode_version.restype = ctypes.c_char_p
    names = ["Lu", "Ll", "Lt", "Lm", "Lo", "M", "N"]
    pats = {k: regex.compile(r"\p{%s}" % k) for k in names}
    space = regex.compile(r"\s")

    def rx(cp):
        ch = chr(cp)
        if space.match(ch):
            return "S"
        for k in names:
            if pats[k].match(ch):
                return {"Lt": "Lu", "Lo": "Lm"}.get(k, k)
        return "O"

    ucat = {1: "Lu", 2: "Ll", 3: "Lu", 4: "Lm", 5: "Lm", 6: "M", 7: "M", 8: "M", 9: "N", 10: "N", 11: "N"}
    ws = {0x9, 0xA, 0xB, 0xC, 0xD, 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F,
          0x205F, 0x3000}

    def up(cp):
        return "S" if cp in ws else ucat.get(lib.utf8proc_category(cp), "O")

    ranges = []
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        a = rx(cp)
        if a != up(cp):
            if ranges and ranges[-1][1] == cp - 1 and ranges[-1][2] == a:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp, a])
    print(f"// regex {regex.__version__} vs utf8proc {lib.utf8proc_unicode_version().decode()}: "
          f"{len(ranges)} ranges")
    swift = {"Lu": ".upperOnly", "Ll": ".lowerOnly", "Lm": ".letterBoth", "M": ".mark", "N": ".number",
             "S": ".whitespace", "O": ".other"}
    for lo, hi, a in ranges:
        print(f"    (0x{lo:05X}, 0x{hi:05X}, {swift[a]}),")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--random-inputs", action="store_true", help="regenerate the seeded random cases in inputs.json")
    ap.add_argument("--digests", action="store_true", help="also compute corpus-digests.json from ../shared")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--class-delta", action="store_true", help="print the class delta table and stop")
    args = ap.parse_args()
    if args.class_delta:
        class_delta()
        return
    inputs_path = SPLITS / "inputs.json"
    inputs = json.loads(inputs_path.read_text(encoding="utf-8"))
    if args.random_inputs:
        inputs["random"] = {"seed": 20260509, "count": 300, "cases": random_inputs(20260509, 300)}
        inputs["bytes"]["random"] = {"seed": 97, "count": 200, "cases": random_byte_inputs(97, 200)}
        write_json(inputs_path, inputs)
    make_golden(inputs)
    if args.digests:
        if not SHARED.exists():
            raise SystemExit(f"--digests needs {SHARED}")
        make_digests(args.jobs)


if __name__ == "__main__":
    main()
