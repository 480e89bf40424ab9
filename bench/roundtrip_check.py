#!/usr/bin/env python3
"""tokenizer.json writer checks: Tessera's TokenizerJSONWriter against Python's json and Hugging Face tokenizers.

    bench/.venv/bin/python bench/roundtrip_check.py --bench .build/release/TesseraBench [--corpora flores,code]

1. Round trip: every file of bench/hf_json.py is read and written back by Tessera (`TesseraBench write-json`,
   the typed model); the output must be byte-identical to the file tokenizers saved, and equal after `json.load`.
2. Conversion: tokenizers loaded from other formats (o200k_base and cl100k_base .tiktoken, GPT-2 vocab.json +
   merges.txt, the Llama 3 and Qwen2 GGUF vocabularies) are written as tokenizer.json by Tessera
   (`TokenizerJSONWriter.data(for:)`); tokenizers loads each and must give the reference's ids (tiktoken for the
   .tiktoken files, tokenizers' own builders for the others) on the chosen corpora, special tokens as text.
Writes bench/out/roundtrip.md; exits 1 on any difference.
"""
from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hf_json  # noqa: E402
import peers  # noqa: E402


def texts(corpora: list[str]) -> list[tuple[str, str]]:
    out = []
    if "flores" in corpora:
        out += [(lang, peers.flores_text(lang)) for lang in peers.flores_languages()]
    if "code" in corpora:
        out += [(f.stem, f.read_bytes().decode("utf-8")) for f in peers.code_files()]
    return out


def write_json(bench: Path, source: str, output: Path, mode: str) -> None:
    subprocess.run([str(bench), "write-json", "--tokenizer", source, "--output", str(output), "--from", mode], check=True,
                   capture_output=True, text=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, required=True)
    ap.add_argument("--corpora", default="flores,code")
    ap.add_argument("--out", type=Path, default=peers.OUT)
    a = ap.parse_args()
    import tiktoken
    import tokenizers
    from tokenizers import Tokenizer
    peers.ensure_tiktoken_env()
    sample = texts([c for c in a.corpora.split(",") if c])
    lines = ["# tokenizer.json writer: round trip and conversion", "",
             f"Command: `{shlex.join([sys.executable] + sys.argv)}` ({time.strftime('%Y-%m-%d %H:%M:%S %Z')}); "
             f"tokenizers {tokenizers.__version__}, tiktoken {peers.versions()['tiktoken']}; {len(sample)} texts ({a.corpora}).", "",
             "## Round trip (read → write of the typed model)", "",
             "| file | bytes | byte-identical | equal after json.load |", "|---|---:|---|---|"]
    failures = 0
    with tempfile.TemporaryDirectory(prefix="tessera-roundtrip-") as tmp:
        for name in hf_json.ALL:
            src = hf_json.path_for(name)
            dst = Path(tmp) / f"{name}.json"
            write_json(a.bench, str(src), dst, "file")
            same_bytes = src.read_bytes() == dst.read_bytes()
            same_json = json.loads(src.read_text()) == json.loads(dst.read_text())
            failures += (not same_bytes) + (not same_json)
            lines.append(f"| {name} | {src.stat().st_size:,} | {'yes' if same_bytes else '**no**'} | {'yes' if same_json else '**no**'} |")
        lines += ["", "## Conversion (Tessera tokenizer → tokenizer.json → tokenizers)", "",
                  "| source | reference | texts | identical | tokens |", "|---|---|---:|---:|---:|"]
        conversions = [
            ("o200k_base", "tiktoken o200k_base", lambda: tiktoken.get_encoding("o200k_base")),
            (str(peers.plain_tiktoken_path("cl100k_base")), "tiktoken cl100k_base", lambda: tiktoken.get_encoding("cl100k_base")),
            (str(peers.gpt2_hf_dir()), "tokenizers GPT-2", peers.hf_gpt2),
            (str(peers.gguf_file("llama-bpe")), "tokenizers llama3-json", lambda: hf_json.BUILDERS["llama3-json"]()),
            (str(peers.gguf_file("qwen2")), "tokenizers qwen2-json", lambda: hf_json.BUILDERS["qwen2-json"]()),
        ]
        for source, label, make_reference in conversions:
            dst = Path(tmp) / (Path(source).name + ".tokenizer.json")
            write_json(a.bench, source, dst, "tokenizer")
            converted = Tokenizer.from_file(str(dst))
            converted.encode_special_tokens = True
            ref = make_reference()
            identical = tokens = 0
            for _, text in sample:
                if isinstance(ref, Tokenizer):
                    ref.encode_special_tokens = True
                    want = ref.encode(text, add_special_tokens=False).ids
                else:
                    want = ref.encode_ordinary(text)
                got = converted.encode(text, add_special_tokens=False).ids
                identical += want == got
                tokens += len(want)
            failures += identical != len(sample)
            flag = "" if identical == len(sample) else "**"
            lines.append(f"| {Path(source).name} | {label} | {len(sample)} | {flag}{identical}{flag} | {tokens:,} |")
    lines += ["", f"**Result: {'all identical' if failures == 0 else f'{failures} differences'}**"]
    md = "\n".join(lines) + "\n"
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "roundtrip.md").write_text(md)
    print(md)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
