#!/usr/bin/env python3
"""Write the golden token-id fixtures used by the Swift unit tests: corpora/golden/ids/<tokenizer>.json.

    bench/.venv/bin/python scripts/make-golden-ids.py        # (the venv of bench/run-parity.sh)

Tokenizers: r50k_base, cl100k_base, o200k_base (tiktoken, encode_ordinary: special-token strings are plain
text), gpt2-hf (Hugging Face tokenizers: BPE from vocab.json + merges.txt with the ByteLevel pre-tokenizer,
exactly like HF's GPT-2; special strings plain text too) and tekken_240718 (mistral-common's Tekkenizer on
vocabularies/tekken_240718.json, encode(bos=False, eos=False): special strings are plain text there too). Cases: a fixed list of tricky strings, then the
first FLORES_LINES line(s) (joined with "\\n") of the FLORES-200 dev split of 30 languages in diverse scripts
(CC BY-SA 4.0, NLLB Team 2022; see corpora/golden/README.md). FLORES_LINES = 1 keeps the four files at about
290 KB; 3 lines would make them about 700 KB, over the 400 KB budget for committed fixtures.

File format: {"tool", "tool_version", "python", "tokenizer", "method", "cases": [{"name", "text", "ids"}]},
one case per line. Offline: the vocabularies come from vocabularies/ or ../shared/vocabularies.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import peers  # noqa: E402

OUT_DIR = ROOT / "corpora" / "golden" / "ids"

# (name, text). Keep this list stable: the Swift tests index cases by name.
TRICKY: list[tuple[str, str]] = [
    ("empty", ""),
    ("single-letter", "a"),
    ("hello", "Hello, world!"),
    ("leading-space", " Hello world"),
    ("double-space", "hello  world"),
    ("leading-spaces", "   leading spaces"),
    ("trailing-spaces", "trailing spaces   "),
    ("tab-quote-well", "\t\"Well"),
    ("tab-quote-well-sentence", "\t\"Well, I never!\" she said.\n"),
    ("newlines", "line1\nline2\n\nline3"),
    ("crlf", "crlf\r\nline\r\n"),
    ("crlf-only", "\r\n\r\n\r\n"),
    ("lf-only", "\n\n\n"),
    ("space-newline-mix", " \n \n "),
    ("tabs-spaces", "tabs\t\tand\t spaces \t"),
    ("ten-spaces", "          "),
    ("space-run-between", "a" + " " * 50 + "b"),
    ("space-run-300", "x" + " " * 300 + "y"),
    ("whitespace-mixture", "   \t  \n  \t\n"),
    ("control-whitespace", "a\tb\nc\rd\x0be\x0cf\x85g"),
    ("control-chars", "\x00\x01\x02 control \x1b[0m chars\x7f"),
    ("unicode-line-separators", "\u2028line separator\u2029paragraph"),
    ("digits", "1234567890"),
    ("long-digits", "12345678901234567890123"),
    ("decimals", "3.14159 2.71828 1,000,000 -42 +7"),
    ("year-percent", "Year 2024: 99.9% of 1e10"),
    ("non-ascii-digits", "٣٤٥ ௧௨௩ ၁၂၃ 𝟙𝟚𝟛 Ⅻ ⅷ ① ²³"),
    ("currency", "$100.00 €50 ¥1000 £5 ₹20"),
    ("contractions", "don't won't I'm you're we've they'll he'd it's"),
    ("contractions-upper", "DON'T WON'T I'M YOU'RE WE'VE THEY'LL HE'D IT'S"),
    ("apostrophe-names", "O'Neil's l'homme rock'n'roll"),
    ("bare-contractions", "'s 's 're 've 'S'T'RE"),
    ("curly-apostrophe", "don’t it’s ‘quoted’"),
    ("llama-cpp-vector", "ied 4 ½ months"),
    ("german", "Äpfel Größe Straße Donaudampfschifffahrtsgesellschaftskapitän"),
    ("french-nfc", "café naïve résumé Noël"),
    ("combining-nfd", "cafe\u0301 nai\u0308ve re\u0301sume\u0301"),
    ("combining-stack", "e\u0301\u0301\u0301 a\u0300\u0301\u0302\u0303"),
    ("combining-leading", "\u0301abc \u0308"),
    ("zalgo", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇"),
    ("hindi", "नमस्ते दुनिया, क्षत्रिय"),
    ("russian", "Здравствуй, мир! ПРИВЕТ"),
    ("greek", "Γειά σου Κόσμε ΑΒΓ"),
    ("arabic", "مرحبا بالعالم ١٢٣"),
    ("hebrew", "שלום עולם"),
    ("chinese", "你好，世界！中文分词测试。"),
    ("japanese", "こんにちは世界。カタカナとひらがなと漢字"),
    ("korean", "안녕하세요 세계"),
    ("korean-jamo", "\u1100\u1161\u11a8 \u1112\u1161\u11ab"),
    ("thai", "สวัสดีชาวโลก"),
    ("amharic", "ሰላም ልዑል"),
    ("georgian-armenian", "გამარჯობა Բարեւ"),
    ("cherokee", "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ"),
    ("tamil", "வணக்கம் உலகம்"),
    ("mixed-scripts", "Mixed中文English混合text русский"),
    ("math-alphanumerics", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙 𝐁𝐨𝐥𝐝"),
    ("emoji", "👋🌍 😀😃😄😁"),
    ("emoji-zwj-family", "👨‍👩‍👧‍👦 family"),
    ("emoji-zwj-flag", "🏳️‍🌈 flag 🏴‍☠️"),
    ("emoji-skin-tone", "👍🏽 thumbs 👩🏿‍💻"),
    ("emoji-flags", "🇺🇸🇯🇵🇩🇪"),
    ("zero-width", "\u200b zero width\u200bspace\u200d\u200c"),
    ("nbsp", "\u00a0nbsp\u00a0\u00a0x 10\u202f000"),
    ("ideographic-space", "\u3000ideographic\u3000space"),
    ("bom", "\ufeffBOM at start"),
    ("soft-hyphen", "soft\u00adhyphen"),
    ("ligatures", "ﬁ ligature ﬀ ﬃ"),
    ("punctuation-runs", "!!!!!!!!!!??????...... ---- ==== ****"),
    ("quotes", "I'm  'quoted' \"double\" «guillemets» „German“"),
    ("case-mix", "ALLCAPS WORDS AND lowercase words MiXeD CamelCase"),
    ("identifiers", "camelCaseIdentifier snake_case_name SCREAMING_CASE __dunder__"),
    ("special-endoftext", "<|endoftext|>"),
    ("special-in-text", "hello <|endoftext|> world"),
    ("special-fim", "<|fim_prefix|><|fim_middle|><|fim_suffix|><|endofprompt|>"),
    ("special-chatml", "<|im_start|>user\nhi<|im_end|>"),
    ("special-llama3", "<|begin_of_text|><|start_header_id|>system<|end_header_id|>"),
    ("code-python", "def f(x):\n    return [i**2 for i in range(100)]  # 1+2+3==6\n"),
    ("code-c", "int main(void) {\n\tprintf(\"%d\\n\", 42);\n\treturn 0;\n}\n"),
    ("code-swift", "let x: [Int] = (0..<10).map { $0 * 2 }\n"),
    ("code-json", "{\"key\": [1, 2, 3], \"nested\": {\"a\": null, \"b\": true}}"),
    ("code-html", "<div class=\"x\">&amp;&lt;&#39;</div>"),
    ("code-indent", "    indented four\n        indented eight\n\t\ttabbed\n"),
    ("url-email", "https://example.com/path?q=1&r=two#frag user.name+tag@example.co.uk"),
    ("repeat-a-2000", "a" * 2000),
    ("repeat-ab-500", "ab" * 500),
    ("repeat-no-space-word", "supercalifragilisticexpialidocious" * 3),
    ("repeat-newlines-100", "\n" * 100),
    ("repeat-emoji", "😀" * 50),
]

FLORES_LANGS = ["eng_Latn", "fra_Latn", "deu_Latn", "vie_Latn", "tur_Latn", "pol_Latn", "yor_Latn", "rus_Cyrl",
                "ell_Grek", "arb_Arab", "pes_Arab", "heb_Hebr", "hin_Deva", "ben_Beng", "tam_Taml", "tel_Telu",
                "mal_Mlym", "guj_Gujr", "tha_Thai", "lao_Laoo", "khm_Khmr", "mya_Mymr", "kat_Geor", "hye_Armn",
                "amh_Ethi", "zho_Hans", "jpn_Jpan", "kor_Hang", "bod_Tibt", "taq_Tfng"]


FLORES_LINES = 1


def flores_cases() -> list[tuple[str, str]]:
    d = peers.flores_dir() / "dev"
    out = []
    for lang in FLORES_LANGS:
        lines = (d / f"{lang}.dev").read_text(encoding="utf-8").split("\n")[:FLORES_LINES]
        span = "1" if FLORES_LINES == 1 else f"1-{FLORES_LINES}"
        out.append((f"flores200:{lang}:dev:{span}", "\n".join(lines)))
    return out


def write(path: Path, header: dict, cases: list[dict]) -> int:
    parts = ["{"]
    for k, v in header.items():
        parts.append(f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    parts.append(' "cases": [')
    for i, c in enumerate(cases):
        sep = "," if i + 1 < len(cases) else ""
        parts.append("  " + json.dumps(c, ensure_ascii=False, separators=(",", ":")) + sep)
    parts.append(" ]")
    parts.append("}")
    data = ("\n".join(parts) + "\n").encode("utf-8")
    json.loads(data)                                   # well-formed
    path.write_bytes(data)
    return len(data)


def main() -> int:
    names = [n for n, _ in TRICKY]
    assert len(names) == len(set(names)), "duplicate case names"
    cases = TRICKY + flores_cases()
    vers = peers.versions()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    import tiktoken
    peers.ensure_tiktoken_env()
    total = 0
    for enc_name in ("r50k_base", "cl100k_base", "o200k_base"):
        enc = tiktoken.get_encoding(enc_name)
        header = {"tool": "tiktoken", "tool_version": vers["tiktoken"], "python": vers["python"],
                  "tokenizer": enc_name, "method": "Encoding.encode_ordinary (special-token strings are plain text)"}
        out = [{"name": n, "text": t, "ids": enc.encode_ordinary(t)} for n, t in cases]
        total += write(OUT_DIR / f"{enc_name}.json", header, out)
    tok = peers.hf_gpt2()
    header = {"tool": "tokenizers", "tool_version": vers["tokenizers"], "python": vers["python"],
              "tokenizer": "gpt2-hf",
              "method": "Tokenizer(BPE(vocab.json, merges.txt)) + ByteLevel(add_prefix_space=False, use_regex=True); "
                        "encode(text, add_special_tokens=False) with encode_special_tokens=True",
              "vocabulary": "GPT-2 vocab.json + merges.txt (openai-whisper 20230124 sdist, whisper/assets/gpt2)"}
    out = [{"name": n, "text": t, "ids": tok.encode(t, add_special_tokens=False).ids} for n, t in cases]
    total += write(OUT_DIR / "gpt2-hf.json", header, out)
    # the GPT-2 fixtures from the two tools must agree (same vocabulary)
    a = json.loads((OUT_DIR / "r50k_base.json").read_text(encoding="utf-8"))["cases"]
    b = json.loads((OUT_DIR / "gpt2-hf.json").read_text(encoding="utf-8"))["cases"]
    diff = [x["name"] for x, y in zip(a, b) if x["ids"] != y["ids"]]
    print(f"{len(cases)} cases x 4 tokenizers -> {OUT_DIR} ({total:,} bytes); r50k vs gpt2-hf differ on: {diff or 'none'}")
    if total > 400_000:
        print("fixtures exceed 400 KB", file=sys.stderr)
        return 1
    tekken = write_tekken(cases, vers)
    if tekken > 120_000:
        print("the tekken fixture exceeds 120 KB", file=sys.stderr)
        return 1
    return 1 if diff else 0


def write_tekken(cases: list[tuple[str, str]], vers: dict) -> int:
    """The tekken fixture (its own budget: the four above already use most of theirs)."""
    import mistral_common
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer
    tok = Tekkenizer.from_file(str(ROOT / "vocabularies" / "tekken_240718.json"))
    header = {"tool": "mistral-common", "tool_version": mistral_common.__version__, "python": vers["python"],
              "tokenizer": "tekken_240718",
              "method": "Tekkenizer.from_file(vocabularies/tekken_240718.json).encode(text, bos=False, eos=False) "
                        "(special-token strings are plain text)"}
    out = [{"name": n, "text": t, "ids": tok.encode(t, bos=False, eos=False)} for n, t in cases]
    size = write(OUT_DIR / "tekken_240718.json", header, out)
    print(f"{len(cases)} cases -> {OUT_DIR / 'tekken_240718.json'} ({size:,} bytes)")
    return size


if __name__ == "__main__":
    sys.exit(main())
