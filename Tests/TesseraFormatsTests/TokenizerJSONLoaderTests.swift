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

    @Test func unknownPreTokenizerTypeNamesTheJSONPath() throws {
        let folder = try scratchFolder()
        let pre = #"{"type": "Sequence", "pretokenizers": [{"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}, {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true}]}"#
        let path = try write(tokenizerJSON(preTokenizer: pre), "meta.json", in: folder)
        let error = caught { try TokenizerJSONLoader.load(path: path) }
        expectMessage(error, contains: ["meta.json", "pre_tokenizer.pretokenizers[1].type", "Metaspace"])
        #expect((error as? FormatError)?.kind == .unsupported)
    }

    @Test func unsupportedComponentsAndFieldsAreNamed() throws {
        let folder = try scratchFolder()
        let precompiled = try write(tokenizerJSON(normalizer: #"{"type": "Sequence", "normalizers": [{"type": "Precompiled", "precompiled_charsmap": "AAAA"}]}"#),
                                    "precompiled.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: precompiled) },
                      contains: ["precompiled.json", "normalizer.normalizers[0].type", "Precompiled"])
        let fallback = try write(tokenizerJSON(modelExtras: #""ignore_merges": false, "dropout_unused": 1,"#).replacingOccurrences(of: #""byte_fallback": false"#, with: #""byte_fallback": true"#),
                                 "fallback.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: fallback) }, contains: ["fallback.json", "model.byte_fallback"])
        let suffix = try write(tokenizerJSON().replacingOccurrences(of: #""end_of_word_suffix": null"#, with: #""end_of_word_suffix": "</w>""#),
                               "suffix.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: suffix) }, contains: ["suffix.json", "model.end_of_word_suffix"])
        let wordPiece = try write(#"{"version": "1.0", "model": {"type": "WordPiece", "vocab": {}}}"#, "wp.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: wordPiece) }, contains: ["wp.json", "model.type", "WordPiece"])
        let noByteLevel = try write(tokenizerJSON(preTokenizer: #"{"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Removed", "invert": false}"#),
                                    "nobl.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: noByteLevel) }, contains: ["nobl.json", "ByteLevel"])
        let behavior = try write(tokenizerJSON(preTokenizer: #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "a"}, "behavior": "Sideways", "invert": false}, {"type": "ByteLevel", "use_regex": false, "add_prefix_space": false}]}"#),
                                 "beh.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: behavior) }, contains: ["beh.json", "pre_tokenizer.pretokenizers[0].behavior"])
        let lateePrefix = try write(tokenizerJSON(preTokenizer: #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "a"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "use_regex": false, "add_prefix_space": true}]}"#),
                                    "late.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: lateePrefix) },
                      contains: ["late.json", "pre_tokenizer.pretokenizers[1].add_prefix_space"])
    }

    @Test func badMergesAndVocabularyEntriesAreNamed() throws {
        let folder = try scratchFolder()
        let oneField = try write(tokenizerJSON(merges: #"["Ġ t", "he"]"#), "m1.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: oneField) }, contains: ["m1.json", "model.merges[1]"])
        let unknown = try write(tokenizerJSON(merges: #"[["Ġ", "t"], ["Ġt", "zz"]]"#), "m2.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: unknown) }, contains: ["m2.json", "model.merges[1]", "\"zz\""])
        let triple = try write(tokenizerJSON(merges: #"[["Ġ", "t", "x"]]"#), "m3.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: triple) }, contains: ["m3.json", "model.merges[0]"])
        let literal = try write(tokenizerJSON().replacingOccurrences(of: #""<|end|>": 259"#, with: #""a b": 259"#), "lit.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: literal) }, contains: ["lit.json", "model.vocab[\"a b\"]"])
        let wrongType = try write(tokenizerJSON().replacingOccurrences(of: #""fuse_unk": false"#, with: #""fuse_unk": "no""#), "t.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: wrongType) }, contains: ["t.json", "model.fuse_unk"])
        let truncated = try write(String(tokenizerJSON().prefix(300)), "cut.json", in: folder)
        expectMessage(caught { try TokenizerJSONLoader.load(path: truncated) }, contains: ["cut.json", "not valid JSON"])
    }
}
