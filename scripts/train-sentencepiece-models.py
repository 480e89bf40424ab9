#!/usr/bin/env python3
"""Train the small SentencePiece models committed under vocabularies/sentencepiece/ (parity references for Tessera).

    bench/.venv/bin/python scripts/train-sentencepiece-models.py [--out vocabularies/sentencepiece]

Deterministic: sentencepiece's random generator is seeded, one training thread, no sampling or shuffling of the
input, and the input is built the same way every time:

  * the first 12,000 lines of ../shared/corpora/english/en_corpus.txt.gz (KJV/WEB Bible verses, GCIDE, Jargon
    File, fortunes; see ../shared/corpora/README.md), and
  * the FLORES-200 dev split (997 lines each) of 20 languages in 12 scripts (CC BY-SA 4.0, NLLB Team 2022),

about 4 MB of text. The other 184 FLORES languages are not in the training data, so their scripts exercise
`<unk>` and byte fallback. Models (all 0.2.3 trainer defaults unless listed):

  unigram.model      UNIGRAM, 8,000 pieces, nmt_nfkc, user_defined_symbols <sep> <cls> ☃☃, control_symbols <mask>
  bpe.model          BPE, 8,000 pieces, nmt_nfkc, byte_fallback, split_digits, remove_extra_whitespaces=false,
                     allow_whitespace_only_pieces (whitespace runs become pieces, as in Llama/Mistral)
  bpe-suffix.model   BPE, 2,000 pieces, identity normalization, treat_whitespace_as_suffix, no byte fallback,
                     character_coverage 0.98 (many unknown characters, merged into one <unk> per run)
  char.model         CHAR, 1,000 pieces, identity normalization, character_coverage 0.98
  word.model         WORD, 4,000 pieces, identity normalization

Each model's trainer_spec records the options; the script prints the sentencepiece version and each model's
size and sha256. Re-running it must reproduce the same bytes (checked with --check).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import sys
from pathlib import Path

import sentencepiece as spm

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
LANGUAGES = ["eng_Latn", "fra_Latn", "deu_Latn", "spa_Latn", "por_Latn", "pol_Latn", "tur_Latn", "vie_Latn",
             "swh_Latn", "fin_Latn", "ind_Latn", "rus_Cyrl", "ukr_Cyrl", "ell_Grek", "arb_Arab", "heb_Hebr",
             "hin_Deva", "zho_Hans", "jpn_Jpan", "kor_Hang"]
ENGLISH_LINES = 12_000
SEED = 20260509

MODELS = {
    "unigram": dict(model_type="unigram", vocab_size=8000, user_defined_symbols=["<sep>", "<cls>", "☃☃"],
                    control_symbols=["<mask>"]),
    "bpe": dict(model_type="bpe", vocab_size=8000, byte_fallback=True, split_digits=True,
                remove_extra_whitespaces=False, allow_whitespace_only_pieces=True),
    "bpe-suffix": dict(model_type="bpe", vocab_size=2000, normalization_rule_name="identity",
                       treat_whitespace_as_suffix=True, character_coverage=0.98),
    "char": dict(model_type="char", normalization_rule_name="identity", vocab_size=1000, character_coverage=0.98),
    "word": dict(model_type="word", vocab_size=4000, normalization_rule_name="identity"),
}


def training_text() -> str:
    lines: list[str] = []
    with gzip.open(SHARED / "corpora" / "english" / "en_corpus.txt.gz", "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= ENGLISH_LINES:
                break
            lines.append(line.rstrip("\n"))
    for lang in LANGUAGES:
        text = (SHARED / "corpora" / "flores200" / "dev" / f"{lang}.dev").read_text(encoding="utf-8")
        lines.extend(text.split("\n")[:-1])
    return "\n".join(line for line in lines if line.strip()) + "\n"


def train(name: str, options: dict, lines: list[str]) -> bytes:
    # Sentences come from an iterator, not a file: trainer_spec would record the input path, which differs per run.
    spm.set_random_generator_seed(SEED)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model, num_threads=1,
                                   seed_sentencepiece_size=1000000, shuffle_input_sentence=False, input_sentence_size=0,
                                   minloglevel=2, **options)
    return model.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "vocabularies" / "sentencepiece")
    ap.add_argument("--check", action="store_true", help="train again and compare with the files in --out")
    ap.add_argument("--only", default="", help="comma-separated model names")
    a = ap.parse_args()
    print(f"sentencepiece {spm.__version__}")
    names = [n for n in a.only.split(",") if n] or list(MODELS)
    text = training_text()
    lines = text.split("\n")[:-1]
    print(f"training text: {len(text.encode('utf-8')):,} bytes, {len(lines):,} lines")
    a.out.mkdir(parents=True, exist_ok=True)
    bad = 0
    for name in names:
        data = train(name, MODELS[name], lines)
        path = a.out / f"{name}.model"
        digest = hashlib.sha256(data).hexdigest()
        if a.check:
            same = path.exists() and path.read_bytes() == data
            bad += not same
            print(f"{name}.model: {'identical' if same else 'DIFFERS'} ({len(data):,} bytes, sha256 {digest})")
        else:
            path.write_bytes(data)
            print(f"{name}.model: {len(data):,} bytes, sha256 {digest}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
