#!/usr/bin/env python3
"""Write the golden tokenizer.json fixtures and their oracles, computed with Hugging Face `tokenizers`:
corpora/golden/tokenizer-json/.

    bench/.venv/bin/python scripts/make-hf-golden.py

Files (every tokenizer.json here is written by tokenizers itself, `save(path)`, pretty-printed):
- bytelevel-added.json — a byte-level BPE trained here (ByteLevelBPETokenizer, 400 tokens) with NFC + Lowercase,
  ByteLevel(add_prefix_space), RobertaProcessing, and added tokens covering special/non-special, normalized,
  single_word, lstrip and rstrip;
- llama2-legacy.json, llama2-metaspace.json — the first 1,000 pieces of mistral-7b-v0.1.spm.model (byte pieces
  <0x00>…<0xFF> included) and the single-character pieces the case texts use (original ids) with the merges of transformers' SentencePieceExtractor, byte_fallback, unk, fuse_unk, in
  the two shapes transformers writes (Prepend + Replace normalizer; Metaspace pre-tokenizer), their decoders and
  TemplateProcessing(<s> $A);
- bert-bpe.json — BPE trained here with BertNormalizer, BertPreTokenizer, "##" prefix, "</w>" suffix, [UNK],
  BertProcessing and the BPEDecoder;
- components.json — one small character BPE (trained here, with [UNK]; "base", tokenizers' JSON) and many variants
  that each replace one component (each normalizer, pre-tokenizer, decoder and post-processor type, and model
  options); a variant stores only the components that differ from the base;
- unigram-precompiled.json — a SentencePiece Unigram model trained here (sentencepiece, 500 pieces, byte fallback)
  with a small custom normalization rule table (full-width letters, ligatures, circled digits, a combining accent,
  half-width katakana with and without their voiced mark), converted as tokenizers' SentencePieceUnigramTokenizer.from_spm
  does: Unigram + Sequence[Precompiled(charsmap), Replace(/ {2,}/, " ")] + Metaspace;
- bert-wordpiece.json — a WordPiece model trained here (BertWordPieceTokenizer on FLORES English, 1,500 tokens,
  lowercase, strip accents): BertNormalizer, BertPreTokenizer, WordPiece(## , [UNK], 100 characters), BERT's
  TemplateProcessing and the WordPiece decoder;
- wordlevel.json — a WordLevel model trained here (WordLevelTrainer, 600 words, [UNK]) after NFKC + Whitespace;
- cases.json — the seven files above; for every tokenizer, one result per text of "texts": tokenizers' ids, the ids
  with add_special_tokens and with special tokens encoded as text (encode_special_tokens = true) when they differ,
  decode(ids) and the DecodeStream steps.

Stamp: {"tool": "tokenizers", "tool_version", "python"} in cases.json and components.json.
"""
from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import tokenizers
from tokenizers import (AddedToken, ByteLevelBPETokenizer, Regex, Tokenizer, decoders, models, normalizers,
                        pre_tokenizers, processors, trainers)
from tokenizers.decoders import DecodeStream

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import hf_json  # noqa: E402
import peers  # noqa: E402

OUT = ROOT / "corpora" / "golden" / "tokenizer-json"

TRAINING_TEXT = [
    "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs away!",
    "Hello world, hello there. Tokenizers split text into pieces, then merge pieces into tokens.",
    "Numbers 123 4567 89, dates 2024-05-17 and prices $3.50 or €12,99 appear too.",
    "Café, naïve, résumé, École and Ærøskøbing keep their accents until a normalizer strips them.",
    "日本語のテキストと中文文本 mix with English words and emoji 🎉.",
]

TEXTS = [
    "", " ", "a", "Hello, world!", " Hello world", "hello  world", "   leading spaces", "trailing spaces   ",
    "line1\nline2\n\nline3", "tabs\tand\r\nCRLF", "The quick brown fox jumps over the lazy dog.",
    "Numbers 123 4567 89 and 2024-05-17.", "don't can't I'm", "Café naïve résumé École ÆRØ",
    "cafe\u0301 combining", "ｆｕｌｌｗｉｄｔｈ ﬁ ① ²", "日本語のテキスト", "中文文本，标点。", "emoji 🎉🎉 ok",
    "control\x00\x01\x7f chars", "zero\u200bwidth\ufeff space", "a\u00a0b\u2003c", "x-y--z", "!!!???...",
    "Ελληνικά Русский עברית العربية", "<s>Hello</s>", "<|special|> [MASK] hello wor",
    "say hello, ahello helloa hello", "wor   x  wor", "ÉCOLE école", " [MASK]  x", "<unk> [UNK] [CLS]",
    "a" * 40, "ab" * 25 + " " + "xyz" * 10, "ｶﾞｷﾞ ｱｲｳ ﬃ ＡＢＣ ②③ e\u0301ｶ",
]

# Rules of the Unigram golden's charsmap: source code points → target code points. "FF76 FF9E" and "FF76" are
# both rules, so the grapheme ｶﾞ exercises tokenizers' shortest-rule lookup.
UNIGRAM_RULES = ([(f"{0xFF21 + i:X}", f"{0x41 + i:X}") for i in range(26)] + [(f"{0xFF41 + i:X}", f"{0x61 + i:X}") for i in range(26)]
                 + [("FB01", "66 69"), ("FB03", "66 66 69"), ("2460", "31"), ("2461", "32"), ("2462", "33"), ("65 301", "E9"),
                    ("FF76", "30AB"), ("FF76 FF9E", "30AC"), ("FF77", "30AD"), ("FF77 FF9E", "30AE"), ("FF9E", "3099"),
                    ("FF71", "30A2"), ("FF72", "30A4"), ("FF73", "30A6"), ("3000", "20")])


def stamp() -> dict:
    return {"tool": "tokenizers", "tool_version": tokenizers.__version__, "python": platform.python_version()}


# ---------------------------------------------------------------------------------------------------------------
def bytelevel_added() -> Tokenizer:
    bl = ByteLevelBPETokenizer(add_prefix_space=True)
    bl.train_from_iterator(TRAINING_TEXT * 3, vocab_size=400, min_frequency=1, show_progress=False,
                           special_tokens=["<s>", "</s>"])
    tok = Tokenizer.from_str(bl._tokenizer.to_str())
    tok.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Lowercase()])
    tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")))
    tok.add_tokens([
        AddedToken("<|special|>", special=True, normalized=False),
        AddedToken("[MASK]", special=True, normalized=False, lstrip=True),
        AddedToken("hello", special=False, normalized=True, single_word=True),
        AddedToken("wor", special=False, normalized=False, rstrip=True),
        AddedToken("ÉCOLE", special=False, normalized=True),
    ])
    return tok


def llama2(metaspace: bool) -> Tokenizer:
    _, every = hf_json._spm_pieces()
    # The first 1,000 pieces (specials, the 256 byte pieces, the commonest merges) plus the single-character pieces
    # the case texts use, with their original (so non-contiguous) ids.
    wanted = set("".join(TEXTS)) | {"▁"}
    keep = [i for i, (p, _) in enumerate(every) if i < 1000 or (len(p) == 1 and p in wanted)]
    pieces = [every[i] for i in keep]
    vocab = {every[i][0]: i for i in keep}
    merges = [(a, b) for a, b in hf_json._spm_merges(vocab, pieces) if a + b in vocab]
    return hf_json.llama2_style(vocab, merges, metaspace)


def unigram_precompiled() -> Tokenizer:
    import tempfile

    import sentencepiece as spm
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.tsv"
        rules.write_text("".join(f"{a}\t{b}\n" for a, b in UNIGRAM_RULES), encoding="utf-8")
        dev = (peers.flores_dir() / "dev" / "eng_Latn.dev").read_text(encoding="utf-8").splitlines()
        lines = [t for t in dev if t][:800] + [t for t in TEXTS if t.strip()]
        spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_prefix=f"{tmp}/u", model_type="unigram",
                                       vocab_size=500, byte_fallback=True, normalization_rule_tsv=str(rules),
                                       num_threads=1, minloglevel=2, character_coverage=1.0, seed_sentencepiece_size=20000)
        return hf_json._unigram_from_spm(Path(f"{tmp}/u.model"))


def bert_wordpiece() -> Tokenizer:
    from tokenizers import BertWordPieceTokenizer
    tok = BertWordPieceTokenizer(lowercase=True, strip_accents=True)
    tok.train_from_iterator([peers.flores_text("eng_Latn")], vocab_size=1500, min_frequency=2, show_progress=False,
                            special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    return tok._tokenizer


def wordlevel() -> Tokenizer:
    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.WordLevelTrainer(vocab_size=600, special_tokens=["[UNK]"], show_progress=False)
    tok.train_from_iterator([peers.flores_text("eng_Latn")], trainer=trainer)
    return tok


def bert_bpe() -> Tokenizer:
    tok = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", end_of_word_suffix="</w>"))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.BpeTrainer(vocab_size=300, min_frequency=1, special_tokens=["[UNK]", "[CLS]", "[SEP]"],
                                  continuing_subword_prefix="##", end_of_word_suffix="</w>", show_progress=False)
    tok.train_from_iterator(TRAINING_TEXT * 3, trainer=trainer)
    tok.post_processor = processors.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    tok.decoder = decoders.BPEDecoder(suffix="</w>")
    return tok


def base_model() -> Tokenizer:
    """A small character BPE (Whitespace-trained) with [UNK], the model of every component variant."""
    tok = Tokenizer(models.BPE(unk_token="[UNK]", fuse_unk=False))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    alphabet = sorted(set("".join(TRAINING_TEXT) + " ▁-!?.,;:'\"()#0123456789abcdefghijklmnopqrstuvwxyz"))
    trainer = trainers.BpeTrainer(vocab_size=220, min_frequency=1, special_tokens=["[UNK]", "<s>", "</s>"],
                                  initial_alphabet=alphabet, show_progress=False)
    tok.train_from_iterator(TRAINING_TEXT * 3, trainer=trainer)
    tok.pre_tokenizer = None
    return tok


def variants() -> list[tuple[str, Tokenizer]]:
    out = []

    def make(name, normalizer=None, pre=None, decoder=None, post=None, model=None):
        tok = Tokenizer.from_str(base.to_str())
        if model is not None:
            tok = Tokenizer(model)
        tok.normalizer = normalizer
        tok.pre_tokenizer = pre
        tok.decoder = decoder
        tok.post_processor = post
        out.append((name, tok))

    base = base_model()
    ws = pre_tokenizers.WhitespaceSplit()
    # normalizers
    for name, n in [("nfc", normalizers.NFC()), ("nfd", normalizers.NFD()), ("nfkc", normalizers.NFKC()),
                    ("nfkd", normalizers.NFKD()), ("lowercase", normalizers.Lowercase()),
                    ("strip", normalizers.Strip(left=True, right=False)), ("strip-accents", normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents()])),
                    ("replace-string", normalizers.Replace("o", "0")), ("replace-regex", normalizers.Replace(Regex(r"\s+"), " ")),
                    ("replace-empty", normalizers.Replace(Regex("x*"), "-")),
                    ("prepend", normalizers.Prepend("▁")), ("nmt", normalizers.Nmt()),
                    ("bert-normalizer", normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=False)),
                    ("byte-level-normalizer", normalizers.ByteLevel()),
                    ("sequence", normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase(), normalizers.Strip()]))]:
        make("normalizer-" + name, normalizer=n, pre=ws)
    # pre-tokenizers
    for name, p in [("whitespace", pre_tokenizers.Whitespace()), ("whitespace-split", ws),
                    ("punctuation", pre_tokenizers.Punctuation()), ("punctuation-contiguous", pre_tokenizers.Punctuation("contiguous")),
                    ("digits", pre_tokenizers.Digits(individual_digits=False)), ("digits-individual", pre_tokenizers.Digits(individual_digits=True)),
                    ("bert", pre_tokenizers.BertPreTokenizer()), ("unicode-scripts", pre_tokenizers.UnicodeScripts()),
                    ("delimiter", pre_tokenizers.CharDelimiterSplit("-")), ("fixed-length", pre_tokenizers.FixedLength(4)),
                    ("metaspace-always", pre_tokenizers.Metaspace(prepend_scheme="always", split=True)),
                    ("metaspace-first", pre_tokenizers.Metaspace(prepend_scheme="first", split=True)),
                    ("metaspace-never-nosplit", pre_tokenizers.Metaspace(prepend_scheme="never", split=False)),
                    ("split-string", pre_tokenizers.Split("o", behavior="merged_with_previous")),
                    ("split-regex-removed", pre_tokenizers.Split(Regex(r"\s+"), behavior="removed")),
                    ("split-regex-invert", pre_tokenizers.Split(Regex(r"\w+"), behavior="removed", invert=True)),
                    ("split-contiguous", pre_tokenizers.Split(Regex(r"[aeiou]"), behavior="contiguous")),
                    ("split-merged-next", pre_tokenizers.Split(Regex(r"\s"), behavior="merged_with_next")),
                    ("byte-level-then-split", pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(r"\s"), behavior="isolated"),
                                                                       pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=False)])),
                    ("sequence", pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Digits(True),
                                                          pre_tokenizers.Punctuation("merged_with_next")]))]:
        make("pre-" + name, pre=p)
    # decoders (on whitespace-split encodings)
    for name, d in [("byte-fallback", decoders.ByteFallback()), ("fuse", decoders.Fuse()),
                    ("strip", decoders.Strip(content="h", left=1, right=1)), ("replace", decoders.Replace("o", "0")),
                    ("metaspace", decoders.Metaspace()), ("wordpiece", decoders.WordPiece(prefix="e", cleanup=True)),
                    ("bpe-decoder", decoders.BPEDecoder(suffix="e")), ("ctc", decoders.CTC(pad_token="<s>", word_delimiter_token="d")),
                    ("sequence", decoders.Sequence([decoders.Replace("▁", " "), decoders.Strip(content=" ", left=1, right=0)]))]:
        make("decoder-" + name, pre=pre_tokenizers.Metaspace(prepend_scheme="always", split=True) if name in ("metaspace", "sequence") else ws,
             decoder=d)
    # post-processors
    s_id, e_id = base.token_to_id("<s>"), base.token_to_id("</s>")
    for name, p in [("template", processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> $B:1 </s>:1",
                                                               special_tokens=[("<s>", s_id), ("</s>", e_id)])),
                    ("roberta", processors.RobertaProcessing(("</s>", e_id), ("<s>", s_id))),
                    ("bert", processors.BertProcessing(("</s>", e_id), ("<s>", s_id))),
                    ("byte-level", processors.ByteLevel(trim_offsets=True)),
                    ("sequence", processors.Sequence([processors.ByteLevel(trim_offsets=False),
                                                      processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B",
                                                                                    special_tokens=[("</s>", e_id)])]))]:
        make("post-" + name, pre=ws, post=p)
    # model options on the same vocabulary
    vocab = base.get_vocab()
    merges = json.loads(base.to_str())["model"]["merges"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in merges]
    make("model-no-unk", pre=ws, model=models.BPE(vocab=vocab, merges=merges))
    make("model-fuse-unk", pre=ws, model=models.BPE(vocab=vocab, merges=merges, unk_token="[UNK]", fuse_unk=True))
    make("model-ignore-merges", pre=ws, model=models.BPE(vocab=vocab, merges=merges, unk_token="[UNK]", ignore_merges=True))
    return out


def oracle(tok: Tokenizer, decoding: bool = True) -> list[dict]:
    """One result per text of TEXTS (same order): ids, and only when they differ from ids, the ids with
    add_special_tokens and with special tokens encoded as text; with `decoding`, decode(ids) and the DecodeStream
    steps (only meaningful with a decoder: without one tokenizers joins tokens with spaces, which Tessera does not)."""
    cases = []
    for text in TEXTS:
        enc = tok.encode(text, add_special_tokens=False)
        case = {"ids": enc.ids}
        special = tok.encode(text, add_special_tokens=True).ids
        if special != enc.ids:
            case["ids_with_special_tokens"] = special
        tok.encode_special_tokens = True
        as_text = tok.encode(text, add_special_tokens=False).ids
        tok.encode_special_tokens = False
        if as_text != enc.ids:
            case["ids_specials_as_text"] = as_text
        if not decoding:
            cases.append(case)
            continue
        # tokenizers can panic in a decoder (Strip on a token shorter than start + stop): such cases record null
        # and the Swift tests only check that Tessera does not crash on them.
        try:
            case["decoded"] = tok.decode(enc.ids, skip_special_tokens=False)
        except BaseException:  # noqa: BLE001 - pyo3 PanicException derives from BaseException
            case["decoded"] = None
        try:
            stream = DecodeStream(skip_special_tokens=False)
            case["stream"] = [s if s is not None else "" for s in (stream.step(tok, i) for i in enc.ids)]
        except BaseException:  # noqa: BLE001
            case["stream"] = None
        cases.append(case)
    return cases


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    files = {"bytelevel-added": bytelevel_added(), "llama2-legacy": llama2(False), "llama2-metaspace": llama2(True),
             "bert-bpe": bert_bpe(), "unigram-precompiled": unigram_precompiled(),
             "bert-wordpiece": bert_wordpiece(), "wordlevel": wordlevel()}
    report = {**stamp(), "tokenizers": {}}
    for name, tok in files.items():
        path = OUT / f"{name}.json"
        tok.save(str(path))
        # Cases come from the file as tokenizers reads it back (what Tessera will read).
        # Without a decoder tokenizers joins token strings with spaces, which Tessera does not copy (decoding is
        # lossless: token bytes are concatenated; docs/formats.md), so such files have no decode oracle.
        report["tokenizers"][name] = oracle(Tokenizer.from_file(str(path)), decoding=tok.decoder is not None)
    base = json.loads(base_model().to_str())
    components = {**stamp(), "texts": TEXTS, "base": base, "variants": []}
    for name, tok in variants():
        js = json.loads(tok.to_str())
        entry = {"name": name}
        for key in ("added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder", "model"):
            if js[key] != base[key]:
                entry[key] = js[key]
        entry["cases"] = oracle(Tokenizer.from_str(tok.to_str()), decoding=js["decoder"] is not None)
        components["variants"].append(entry)
    report["texts"] = TEXTS
    (OUT / "cases.json").write_text(json.dumps(report, ensure_ascii=False, indent=None) + "\n", encoding="utf-8")
    (OUT / "components.json").write_text(json.dumps(components, ensure_ascii=False, indent=None) + "\n", encoding="utf-8")
    for p in sorted(OUT.iterdir()):
        print(f"{p.stat().st_size:>9,}  {p.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
