#!/usr/bin/env python3
"""tokenizer.json files for the tokenizer.json parity and load-time runs, built and saved by Hugging Face
`tokenizers` itself (so every file is exactly what tokenizers writes), cached under bench/out/cache/.

    python bench/hf_json.py [NAME ...]        # build (or reuse) the files and print their paths

Names (all offline, from vocabularies/ or ../shared/vocabularies):
    gpt2-json          BPE(vocab.json, merges.txt), ByteLevel pre-tokenizer/decoder/post-processor, <|endoftext|> special
    cl100k-json        ../shared/vocabularies/cl100k_tokenizer.json.gz re-saved by tokenizers
    o200k-json         o200k_base.tiktoken → merges recovered from the ranks (peers.tiktoken_to_hf_json), re-saved
    qwen2-json         ggml-vocab-qwen2.gguf: NFC, Split(Qwen2 regex)+ByteLevel, control tokens special and the
                       290 user-defined [PAD…] tokens as non-special added tokens
    llama3-json        ggml-vocab-llama-bpe.gguf: Split(Llama 3 regex)+ByteLevel, ignore_merges, 256 special added
                       tokens, post-processor Sequence[ByteLevel, TemplateProcessing(<|begin_of_text|> $A)]
    mistral-json       mistral-7b-v0.1.spm.model as the Llama-2 / Mistral tokenizer.json of transformers' LlamaConverter
                       (legacy form): normalizer Sequence[Prepend("▁"), Replace(" ", "▁")], no pre-tokenizer, BPE with
                       byte_fallback + unk <unk> + fuse_unk, decoder Sequence[Replace("▁"," "), ByteFallback, Fuse,
                       Strip(" ", 1, 0)], TemplateProcessing(<s> $A)
    mistral-metaspace-json  the same model with the newer form: pre-tokenizer Metaspace(prepend_scheme "first",
                       split false), no normalizer, decoder Sequence[Metaspace, ByteFallback, Fuse]
    bert-bpe-json      a small BPE trained here by tokenizers on FLORES English (4,000 tokens): BertNormalizer
                       (lowercase, strip accents, CJK padding), BertPreTokenizer, continuing_subword_prefix "##",
                       end_of_word_suffix "</w>", unk [UNK], BertProcessing, BPEDecoder — no WordPiece anywhere
    unigram-json       vocabularies/sentencepiece/unigram.model as tokenizers' SentencePieceUnigramTokenizer.from_spm
                       builds it (the T5 / ALBERT converter shape): Unigram(vocab, unk_id), normalizer
                       Sequence[Precompiled(nmt_nfkc charsmap), Replace(/ {2,}/, " ")], Metaspace(prepend "always")
    unigram-fallback-json  a Unigram model trained here by sentencepiece on FLORES (12 languages, 6,000 pieces,
                       byte_fallback, nmt_nfkc), in the same shape with byte_fallback true
    wordpiece-json     a multilingual BERT-style WordPiece trained here by tokenizers (BertWordPieceTokenizer on the
                       dev sets of the same 12 FLORES languages, 20,000 tokens, cased, accents kept): BertNormalizer,
                       BertPreTokenizer, WordPiece(##, [UNK], 100), BERT template, WordPiece decoder
    wordlevel-json     a WordLevel model trained here (WordLevelTrainer on the same text, 20,000 words, [UNK]) after
                       NFKC + Whitespace
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

ALL = ["gpt2-json", "cl100k-json", "o200k-json", "qwen2-json", "llama3-json", "mistral-json", "mistral-metaspace-json",
       "bert-bpe-json", "unigram-json", "unigram-fallback-json", "wordpiece-json", "wordlevel-json"]


def path_for(name: str) -> Path:
    """The cached tokenizer.json of `name`, built on first use."""
    import tokenizers
    peers.CACHE.mkdir(parents=True, exist_ok=True)
    dst = peers.CACHE / f"{name}-tokenizers-{tokenizers.__version__}.tokenizer.json"
    if not dst.exists():
        tok = BUILDERS[name]()
        tmp = dst.with_suffix(".tmp")
        tok.save(str(tmp))
        tmp.replace(dst)
    return dst


def _gpt2():
    return peers.hf_gpt2()


def _from_json(path: Path):
    from tokenizers import Tokenizer
    return Tokenizer.from_str(peers.read_maybe_gz(path).decode("utf-8"))


def _cl100k():
    return _from_json(peers.cl100k_tokenizer_json())


def _o200k():
    return _from_json(peers.tiktoken_to_hf_json("o200k_base"))


def _gguf(name: str):
    """peers.hf_from_gguf plus the GGUF's added tokens (control = special, user-defined = not special) and, for
    Llama 3, its post-processor."""
    from tokenizers import AddedToken, processors
    tok = peers.hf_from_gguf(name)
    v = peers.read_gguf_vocab(peers.gguf_file(name))
    tok.add_tokens([AddedToken(t, special=(ty == 3), normalized=False)
                    for t, ty in zip(v["tokens"], v["token_type"]) if ty in (3, 4)])
    if name == "llama-bpe":
        tok.post_processor = processors.Sequence([
            processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B:1",
                                          special_tokens=[("<|begin_of_text|>", 128000)])])
    return tok


def _spm_pieces():
    import sentencepiece as spm
    p = peers.SHARED / "vocabularies" / "mistral-7b-v0.1.spm.model"
    sp = spm.SentencePieceProcessor(model_file=str(p))
    return sp, [(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())]


def _spm_merges(vocab: dict[str, int], scores: list[tuple[str, float]]) -> list[tuple[str, str]]:
    """transformers' SentencePieceExtractor: every split of a piece into two pieces, ordered by the merged piece's
    score (then by the ids of the two sides)."""
    merges = []
    for piece, score in scores:
        local = [(piece[:i], piece[i:], score) for i in range(1, len(piece)) if piece[:i] in vocab and piece[i:] in vocab]
        local.sort(key=lambda x: (vocab[x[0]], vocab[x[1]]))
        merges.extend(local)
    merges.sort(key=lambda x: x[2], reverse=True)
    return [(a, b) for a, b, _ in merges]


def llama2_style(vocab: dict[str, int], merges: list[tuple[str, str]], metaspace: bool):
    """A Llama 2 / Mistral tokenizer.json as transformers' LlamaConverter writes it: BPE with byte_fallback, unk
    <unk> and fuse_unk; either the legacy normalizer Sequence[Prepend("▁"), Replace(" ", "▁")] and decoder
    Sequence[Replace("▁", " "), ByteFallback, Fuse, Strip(" ", 1, 0)], or the Metaspace(prepend_scheme "first",
    split false) pre-tokenizer and decoder Sequence[Metaspace, ByteFallback, Fuse]; TemplateProcessing(<s> $A)."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True, byte_fallback=True))
    if metaspace:
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
        tok.decoder = decoders.Sequence([decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False),
                                         decoders.ByteFallback(), decoders.Fuse()])
    else:
        tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
        tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                         decoders.Strip(content=" ", left=1, right=0)])
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in ("<unk>", "<s>", "</s>")])
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", 1)])
    return tok


def _mistral(metaspace: bool):
    _, pieces = _spm_pieces()
    vocab = {p: i for i, (p, _) in enumerate(pieces)}
    return llama2_style(vocab, _spm_merges(vocab, pieces), metaspace)


def _bert_bpe():
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    tok = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", end_of_word_suffix="</w>"))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.BpeTrainer(vocab_size=4000, min_frequency=2, special_tokens=["[UNK]", "[CLS]", "[SEP]"],
                                  continuing_subword_prefix="##", end_of_word_suffix="</w>", show_progress=False)
    tok.train_from_iterator([peers.flores_text("eng_Latn")], trainer=trainer)
    tok.post_processor = processors.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    tok.decoder = decoders.BPEDecoder(suffix="</w>")
    return tok


def _unigram_from_spm(path: Path):
    """tokenizers' SentencePieceUnigramTokenizer.from_spm, which reads the proto with sentencepiece's own
    sentencepiece_model_pb2 (protobuf is in bench/requirements-peers.txt)."""
    from sentencepiece import sentencepiece_model_pb2 as pb
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    m = pb.ModelProto()
    m.ParseFromString(path.read_bytes())
    tok = Tokenizer(models.Unigram([(p.piece, p.score) for p in m.pieces], m.trainer_spec.unk_id, m.trainer_spec.byte_fallback))
    stages = [normalizers.Precompiled(m.normalizer_spec.precompiled_charsmap)] if m.normalizer_spec.precompiled_charsmap else []
    tok.normalizer = normalizers.Sequence(stages + [normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    return tok


def _unigram_fallback():
    import sentencepiece as spm
    out = peers.CACHE / "unigram-fallback"
    out.parent.mkdir(parents=True, exist_ok=True)
    langs = ["eng_Latn", "fra_Latn", "deu_Latn", "rus_Cyrl", "zho_Hans", "jpn_Jpan", "arb_Arab", "hin_Deva", "tha_Thai",
             "kor_Hang", "ell_Grek", "heb_Hebr"]
    d = peers.flores_dir() / "dev"
    lines = [line for lang in langs for line in (d / f"{lang}.dev").read_text(encoding="utf-8").splitlines() if line]
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_prefix=str(out), model_type="unigram",
                                   vocab_size=6000, byte_fallback=True, character_coverage=0.995, num_threads=2,
                                   minloglevel=2)
    return _unigram_from_spm(Path(str(out) + ".model"))


PARITY_LANGS = ["eng_Latn", "fra_Latn", "deu_Latn", "rus_Cyrl", "zho_Hans", "jpn_Jpan", "arb_Arab", "hin_Deva", "tha_Thai",
                "kor_Hang", "ell_Grek", "heb_Hebr"]


def _dev_lines(langs: list[str]) -> list[str]:
    d = peers.flores_dir() / "dev"
    return [line for lang in langs for line in (d / f"{lang}.dev").read_text(encoding="utf-8").splitlines() if line]


def _wordpiece():
    from tokenizers import BertWordPieceTokenizer
    tok = BertWordPieceTokenizer(lowercase=False, strip_accents=False)
    tok.train_from_iterator(_dev_lines(PARITY_LANGS), vocab_size=20000, min_frequency=2, show_progress=False,
                            special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    return tok._tokenizer


def _wordlevel():
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(_dev_lines(PARITY_LANGS), trainer=trainers.WordLevelTrainer(vocab_size=20000, special_tokens=["[UNK]"],
                                                                                        show_progress=False))
    return tok


BUILDERS = {
    "gpt2-json": _gpt2,
    "cl100k-json": _cl100k,
    "o200k-json": _o200k,
    "qwen2-json": lambda: _gguf("qwen2"),
    "llama3-json": lambda: _gguf("llama-bpe"),
    "mistral-json": lambda: _mistral(False),
    "mistral-metaspace-json": lambda: _mistral(True),
    "bert-bpe-json": _bert_bpe,
    "unigram-json": lambda: _unigram_from_spm(Path(__file__).resolve().parent.parent / "vocabularies" / "sentencepiece" / "unigram.model"),
    "unigram-fallback-json": _unigram_fallback,
    "wordpiece-json": _wordpiece,
    "wordlevel-json": _wordlevel,
}


def main() -> int:
    for name in sys.argv[1:] or ALL:
        p = path_for(name)
        print(f"{name}\t{p}\t{json.loads(p.read_text())['model']['type']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
