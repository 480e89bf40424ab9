// Hugging Face tokenizer.json: the shared cl100k tokenizer.json.gz, small synthetic files for each supported
// component, and the errors for unsupported ones.

import Foundation
import Testing
@testable import TesseraFormats
import TesseraBPE
import TesseraPreTokenizers
import TesseraTestSupport
import TesseraTokenizer

/// A small byte-level BPE tokenizer.json: 256 byte tokens, "Ġt" = 256, "he" = 257, "Ġthe" = 258.
func tokenizerJSON(merges: String = #"["Ġ t", "h e", "Ġt he"]"#, addedTokens: String = "[]", normalizer: String = "null",
                   preTokenizer: String = #"{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}"#,
                   modelExtras: String = "") -> String {
    """
    {"version": "1.0", "truncation": null, "padding": null, "added_tokens": \(addedTokens),
     "normalizer": \(normalizer), "pre_tokenizer": \(preTokenizer), "post_processor": null,
     "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
     "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
               "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, \(modelExtras)
               "vocab": \(byteLevelVocabJSON(extra: ["Ġt": 256, "he": 257, "Ġthe": 258, "<|end|>": 259])),
               "merges": \(merges)}}
    """
}

@Suite struct TokenizerJSONLoaderTests {
    @Test func sharedCl100kTokenizerJSONGz() throws {
        guard let url = Fixtures.shared("vocabularies/cl100k_tokenizer.json.gz") else {
            print("skipped: ../shared/vocabularies/cl100k_tokenizer.json.gz is absent")
            return
        }
        let loaded = try TokenizerJSONLoader.loadDetailed(path: url.path)
        let t = loaded.tokenizer
        #expect(t.vocabulary.count == 100_256)
        #expect(t.specialTokens.isEmpty)
        #expect(loaded.mergeCount == 100_000)
        #expect(loaded.decoderType == "ByteLevel")
        #expect(t.bpeModel?.rule != .rankOrder)
        #expect(t.preTokenizer is PatternScanner)   // Split(Regex = a builtin, Isolated) + ByteLevel(use_regex: false)
        #expect(try t.encode("hello") == [15_339])
        #expect(try t.encode(" world") == [1917])
        // The HF file uses the Llama 3 spelling of the cl100k regex; on ordinary text it agrees with tiktoken.
        let tiktoken = try #require(Loaded.cl100k)
        #expect(try t.encode(sampleText) == (try tiktoken.encode(sampleText)))
    }

    @Test func bothMergeShapesGiveTheSameTokenizer() throws {
        let folder = try scratchFolder()
        let legacy = try TokenizerJSONLoader.load(path: try write(tokenizerJSON(), "legacy.json", in: folder))
        let pairs = try TokenizerJSONLoader.load(path: try write(
            tokenizerJSON(merges: #"[["Ġ", "t"], ["h", "e"], ["Ġt", "he"]]"#), "pairs.json", in: folder))
        for t in [legacy, pairs] {
            #expect(t.vocabulary.count == 260)
            #expect(try t.encode("the the") == [UInt32(UInt8(ascii: "t")), 257, 258])
        }
    }

    @Test func addedTokensBecomeSpecialTokens() throws {
        let folder = try scratchFolder()
        let added = #"[{"id": 259, "content": "<|end|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}]"#
        let t = try TokenizerJSONLoader.load(path: try write(tokenizerJSON(addedTokens: added), "tokenizer.json", in: folder))
        #expect(t.vocabulary.count == 259)
        #expect(t.specialTokens.id(of: "<|end|>") == 259)
        #expect(try t.encode("he<|end|>", specials: .allow) == [257, 259])
        #expect(t.name == folder.lastPathComponent)
    }

    @Test func normalizersAndPrefixSpace() throws {
        let folder = try scratchFolder()
        let normalizer = #"{"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Lowercase"}, {"type": "Strip", "strip_left": true, "strip_right": true}]}"#
        let pre = #"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}"#
        let t = try TokenizerJSONLoader.load(path: try write(tokenizerJSON(normalizer: normalizer, preTokenizer: pre), "n.json", in: folder))
        // "  THE" → strip → "the" → prefix space → " the" = Ġthe.
        #expect(try t.encode("  THE  ") == [258])
        #expect(try t.encode(" the") == [258])
        #expect(t.normalizer?.summary.contains("prefix space") == true)
    }

    @Test func splitPreTokenizers() throws {
        let folder = try scratchFolder()
        let regexSplit = #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "MergedWithNext", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}"#
        let t = try TokenizerJSONLoader.load(path: try write(tokenizerJSON(preTokenizer: regexSplit), "r.json", in: folder))
        #expect(t.preTokenizer is RegexPreTokenizer)
        #expect(try t.encode("he the") == [257, 258])
        let stringSplit = #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"String": "."}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}]}"#
        let s = try TokenizerJSONLoader.load(path: try write(tokenizerJSON(preTokenizer: stringSplit), "s.json", in: folder))
        #expect(s.preTokenizer is PreTokenizerSequence)
        #expect(try s.encode("he.he") == [257, UInt32(UInt8(ascii: ".")), 257])   // "." is literal, not "any character"
    }

    @Test func unknownComponentTypesNameTheJSONPath() throws {
        let folder = try scratchFolder()
        let cases: [(String, String, [String])] = [
            ("pre.json", tokenizerJSON(preTokenizer: #"{"type": "Sequence", "pretokenizers": [{"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}, {"type": "Mystery", "x": 1}]}"#),
             ["pre.json", "pre_tokenizer.pretokenizers[1].type", "pre-tokenizer type \"Mystery\"", "Metaspace"]),
            ("norm.json", tokenizerJSON(normalizer: #"{"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Soundex"}]}"#),
             ["norm.json", "normalizer.normalizers[1].type", "normalizer type \"Soundex\"", "BertNormalizer"]),
            ("dec.json", tokenizerJSON().replacingOccurrences(of: #""decoder": {"type": "ByteLevel""#, with: #""decoder": {"type": "Rot13""#),
             ["dec.json", "decoder.type", "decoder type \"Rot13\""]),
            ("model.json", #"{"version": "1.0", "model": {"type": "Charformer", "vocab": {}}}"#,
             ["model.json", "model.type", "\"Charformer\"", "BPE, Unigram, WordPiece, WordLevel"]),
        ]
        for (name, text, parts) in cases {
            let path = try write(text, name, in: folder)
            let error = caught { try TokenizerJSONLoader.load(path: path) }
            expectMessage(error, contains: parts)
            #expect((error as? FormatError)?.kind == .unsupported)
        }
        let post = tokenizerJSON().replacingOccurrences(of: #""post_processor": null"#, with: #""post_processor": {"type": "Sequence", "processors": [{"type": "Prepender"}]}"#)
        expectMessage(caught { try TokenizerJSONLoader.load(path: try write(post, "post.json", in: folder)) },
                      contains: ["post.json", "post_processor.processors[0].type", "Prepender"])
    }

    @Test func formerlyUnsupportedComponentsNowLoad() throws {
        let folder = try scratchFolder()
        // Precompiled is applied (corpora/golden/tokenizer-json/unigram-precompiled.json checks its ids); a charsmap
        // too short to hold its trie size is named, as tokenizers refuses it too.
        let precompiled = try write(tokenizerJSON(normalizer: #"{"type": "Sequence", "normalizers": [{"type": "Precompiled", "precompiled_charsmap": "AAAA"}]}"#),
                                    "precompiled.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: precompiled) },
                      contains: ["precompiled.json", "normalizer.normalizers[0].precompiled_charsmap", "3 bytes"])
        let notBase64 = try write(tokenizerJSON(normalizer: #"{"type": "Precompiled", "precompiled_charsmap": "%%%"}"#), "b64.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: notBase64) }, contains: ["b64.json", "normalizer.precompiled_charsmap", "base64"])
        // byte_fallback, a suffix, no ByteLevel: a character-level model.
        let suffix = try write(tokenizerJSON().replacingOccurrences(of: #""end_of_word_suffix": null"#, with: #""end_of_word_suffix": "</w>""#),
                               "suffix.json", in: folder)
        #expect(try TokenizerJSONLoader.load(path: suffix).model is CharacterBPEModel)
        let fallback = try write(tokenizerJSON().replacingOccurrences(of: #""byte_fallback": false"#, with: #""byte_fallback": true"#),
                                 "fallback.json", in: folder)
        #expect(try TokenizerJSONLoader.load(path: fallback).model is BPEModel)   // every byte is a token: fallback never fires
        // A prefix space after a split: a rewriting pre-tokenizer.
        let late = try write(tokenizerJSON(preTokenizer: #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "a"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "use_regex": false, "add_prefix_space": true}]}"#),
                             "late.json", in: folder)
        let t = try TokenizerJSONLoader.load(path: late)
        #expect(t.preTokenizer is StagedPreTokenizer)
        // "heathe" → pieces "he", "a", "the", each with a space in front: " he" " a" " the" (checked with tokenizers).
        #expect(try t.encode("heathe") == [0x20, 257, 0x20, UInt32(UInt8(ascii: "a")), 258])
        // An unknown split behaviour is a typed error at its path.
        let behavior = try write(tokenizerJSON(preTokenizer: #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "a"}, "behavior": "Sideways", "invert": false}, {"type": "ByteLevel", "use_regex": false, "add_prefix_space": false}]}"#),
                                 "beh.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: behavior) }, contains: ["beh.json", "pre_tokenizer.pretokenizers[0].behavior"])
    }

    @Test func badMergesAndVocabularyEntriesAreNamed() throws {
        let folder = try scratchFolder()
        let oneField = try write(tokenizerJSON(merges: #"["Ġ t", "he"]"#), "m1.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: oneField) }, contains: ["m1.json", "model.merges[1]"])
        let unknown = try write(tokenizerJSON(merges: #"[["Ġ", "t"], ["Ġt", "zz"]]"#), "m2.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: unknown) }, contains: ["m2.json", "model.merges[1]", "\"zz\""])
        let triple = try write(tokenizerJSON(merges: #"[["Ġ", "t", "x"]]"#), "m3.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: triple) }, contains: ["m3.json", "model.merges[0]"])
        let mixed = try write(tokenizerJSON(merges: #"[["Ġ", "t"], "h e"]"#), "m4.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: mixed) }, contains: ["m4.json", "model.merges[1]", "cannot be mixed"])
        let noResult = try write(tokenizerJSON(merges: #"[["Ġ", "h"]]"#), "m5.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: noResult) }, contains: ["m5.json", "model.merges[0]", "not in the vocabulary"])
        // A token string that appears twice (tokenizers would silently keep the last) and an id given twice.
        let duplicateToken = try write(tokenizerJSON().replacingOccurrences(of: #""<|end|>": 259"#, with: #""<|end|>": 259, "he": 260"#),
                                       "dup.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: duplicateToken) }, contains: ["dup.json", "model.vocab[\"he\"]", "same bytes"])
        let duplicateID = try write(tokenizerJSON().replacingOccurrences(of: #""<|end|>": 259"#, with: #""<|end|>": 258"#),
                                    "dupid.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: duplicateID) }, contains: ["dupid.json", "model.vocab", "258"])
        let wrongType = try write(tokenizerJSON().replacingOccurrences(of: #""fuse_unk": false"#, with: #""fuse_unk": "no""#), "t.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: wrongType) }, contains: ["t.json", "model.fuse_unk", "true or false"])
        let negativeID = try write(tokenizerJSON().replacingOccurrences(of: #""<|end|>": 259"#, with: #""<|end|>": -1"#), "neg.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: negativeID) }, contains: ["neg.json", "model.vocab.<|end|>"])
        let truncated = try write(String(tokenizerJSON().prefix(300)), "cut.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: truncated) }, contains: ["cut.json", "not valid JSON", "byte offset"])
    }

    @Test func malformedDocumentsAndComponentsAreNamed() throws {
        let folder = try scratchFolder()
        let cases: [(String, [UInt8], [String])] = [
            ("utf8.json", Array(tokenizerJSON().utf8.prefix(40)) + [0xFF] + Array(tokenizerJSON().utf8.dropFirst(40)), ["utf8.json", "invalid UTF-8"]),
            ("trail.json", Array((tokenizerJSON() + " {}").utf8), ["trail.json", "after the top-level value"]),
            ("surrogate.json", Array(tokenizerJSON(addedTokens: #"[{"id": 259, "content": "\ud800x", "special": true}]"#).utf8),
             ["surrogate.json", "surrogate"]),
            ("version.json", Array(tokenizerJSON().replacingOccurrences(of: #""version": "1.0""#, with: #""version": "2.0""#).utf8),
             ["version.json", "at version", "2.0"]),
            ("dropout.json", Array(tokenizerJSON().replacingOccurrences(of: #""dropout": null"#, with: #""dropout": 0.1"#).utf8),
             ["dropout.json", "model.dropout", "random"]),
            ("regex.json", Array(tokenizerJSON(preTokenizer: #"{"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated", "invert": false}"#).utf8),
             ["regex.json", "pre_tokenizer.pattern.Regex"]),
            ("meta.json", Array(tokenizerJSON(preTokenizer: #"{"type": "Metaspace", "replacement": "ab", "prepend_scheme": "always", "split": true}"#).utf8),
             ["meta.json", "pre_tokenizer.replacement", "single character"]),
            ("legacy.json", Array(tokenizerJSON(preTokenizer: #"{"type": "Metaspace", "replacement": "▁", "add_prefix_space": false}"#).utf8),
             ["legacy.json", "pre_tokenizer.add_prefix_space", "never"]),
            ("template.json", Array(tokenizerJSON().replacingOccurrences(of: #""post_processor": null"#, with:
                #""post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [], "special_tokens": {}}"#).utf8),
             ["template.json", "post_processor.single[0]", "<s>"]),
            ("added.json", Array(tokenizerJSON(addedTokens: #"[{"id": 259, "content": "<|end|>", "special": true}, {"id": 259, "content": "<|x|>", "special": true}]"#).utf8),
             ["added.json", "added_tokens[1].id"]),
            ("addedtwice.json", Array(tokenizerJSON(addedTokens: #"[{"id": 259, "content": "<|end|>", "special": true}, {"id": 260, "content": "<|end|>", "special": true}]"#).utf8),
             ["addedtwice.json", "added_tokens[1].content"]),
            ("strip.json", Array(tokenizerJSON(normalizer: #"{"type": "Strip", "strip_left": true}"#).utf8), ["strip.json", "normalizer.strip_right", "missing"]),
            ("notype.json", Array(tokenizerJSON(normalizer: #"{"strip_left": true}"#).utf8), ["notype.json", "normalizer.type", "missing"]),
        ]
        for (name, bytes, parts) in cases {
            let path = try write(bytes, name, in: folder)
            expectMessage(caught { try TokenizerJSONLoader.load(path: path) }, contains: parts)
        }
    }
}
