// The Hugging Face parts of the pipeline on small hand-made tokenizers: added-token rules (tokenizers'
// added_vocabulary.rs), rewriting pre-tokenizers with offsets, decoders, post-processors and streaming decode
// with a decoder (tokenizers' DecodeStream documentation examples). The whole-file and per-component oracles
// computed with tokenizers itself are in TesseraFormatsTests (TokenizerJSONGoldenTests).

import Testing
import TesseraBPE
import TesseraPreTokenizers
import TesseraUnicode
@testable import TesseraTokenizer

/// Lowercases ASCII (enough for the normalized-token test).
struct ASCIILowercase: TextNormalizing {
    func normalizedBytes(_ text: [UInt8]) throws -> [UInt8] { text.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }
    var summary: String { "ASCII lowercase" }
}

@Suite("Hugging Face pipeline")
struct HuggingFacePipelineTests {
    /// Byte tokens only (id = byte), whole text as one piece, and these added tokens (ids 300…).
    static func byteTokenizer(_ added: [AddedToken], normalizer: (any TextNormalizing)? = nil) throws -> Tokenizer {
        let vocabulary = try Vocabulary(tokens: (0..<256).map { [UInt8($0)] })
        let model = try BPEModel(vocabulary: vocabulary, rule: .mergeList([], ignoreMerges: false))
        let specials = try SpecialTokens(added.map { ($0.content, $0.id) }, vocabulary: vocabulary)
        return Tokenizer(name: "added", normalizer: normalizer, preTokenizer: WholeTextPreTokenizer(), model: model,
                         specialTokens: specials, addedVocabulary: try AddedVocabulary(added, normalizer: normalizer))
    }

    static func bytes(_ s: String) -> [TokenID] { s.utf8.map { TokenID($0) } }

    @Test("special added tokens follow the policy; non-special ones always match")
    func policies() throws {
        let t = try Self.byteTokenizer([AddedToken(id: 300, content: "<sp>", special: true),
                                        AddedToken(id: 301, content: "hey", special: false)])
        #expect(throws: TokenizerError.disallowedSpecialToken(text: "<sp>", byteOffset: 1)) { try t.encode("x<sp>") }
        #expect(try t.encode("x<sp>", specials: .allow) == Self.bytes("x") + [300])
        #expect(try t.encode("x<sp>", specials: .asText) == Self.bytes("x<sp>"))
        #expect(try t.encode("hey!") == [301] + Self.bytes("!"))
        #expect(try t.encode("hey <sp>", specials: .asText) == [301] + Self.bytes(" <sp>"))
    }

    @Test("single_word: no word character may touch the token")
    func singleWord() throws {
        let t = try Self.byteTokenizer([AddedToken(id: 300, content: "hello", singleWord: true, special: false)])
        #expect(try t.encode("say hello, x") == Self.bytes("say ") + [300] + Self.bytes(", x"))
        #expect(try t.encode("ahello") == Self.bytes("ahello"))
        #expect(try t.encode("hello_") == Self.bytes("hello_"))   // "_" is a word character
        #expect(try t.encode("héllo hello") == Self.bytes("héllo ") + [300])
        #expect(try t.encode("ßhello") == Self.bytes("ßhello"))   // a non-ASCII letter is a word character too
    }

    @Test("lstrip and rstrip take the neighbouring whitespace; offsets show it")
    func strips() throws {
        let t = try Self.byteTokenizer([AddedToken(id: 300, content: "[M]", leftStrip: true, special: true),
                                        AddedToken(id: 301, content: "w", rightStrip: true, special: false)])
        let left = try t.encodeWithOffsets(Array("a \u{3000} [M]b".utf8), specials: .allow)
        #expect(left.ids == Self.bytes("a") + [300] + Self.bytes("b"))
        #expect(left.offsets[1] == 1..<9)      // " \u{3000} [M]": U+3000 is whitespace too
        let right = try t.encodeWithOffsets(Array("w \t x".utf8), specials: .allow)
        #expect(right.ids == [301] + Self.bytes("x"))
        #expect(right.offsets == [0..<4, 4..<5])
    }

    @Test("normalized tokens match their normalized form in normalized text, and decode to it")
    func normalizedTokens() throws {
        let t = try Self.byteTokenizer([AddedToken(id: 300, content: "DAY", normalized: true, special: false),
                                        AddedToken(id: 301, content: "RAW", normalized: false, special: false)],
                                       normalizer: ASCIILowercase())
        #expect(try t.encode("a day b DAY") == Self.bytes("a ") + [300] + Self.bytes(" b ") + [300])
        #expect(try t.encode("RAW raw") == [301] + Self.bytes(" raw"))
        #expect(t.decoderText(of: 300) == Array("day".utf8))
        #expect(t.decoderText(of: 301) == Array("RAW".utf8))
    }

    @Test("Metaspace rewrites pieces; offsets map back to the input")
    func metaspaceOffsets() throws {
        let tokens = ["▁", "a", "b", "▁a", "▁b"]
        let vocabulary = try Vocabulary(tokens: tokens.map { Array($0.utf8) })
        let model = try CharacterBPEModel(vocabulary: vocabulary, merges: [MergePair(0, 1), MergePair(0, 2)])
        for (scheme, expected) in [(MetaspaceRewriter.PrependScheme.always, [3, 4]), (.never, [1, 4])] {
            let staged = StagedPreTokenizer([.rewrite(MetaspaceRewriter(prependScheme: scheme)),
                                             .split(CharacterSplitter(.scalar(0x2581), behavior: .mergedWithNext))])
            let t = Tokenizer(name: "metaspace", preTokenizer: staged, model: model)
            let e = try t.encodeWithOffsets(Array("a b".utf8))
            #expect(e.ids == expected.map(TokenID.init), "\(scheme)")
            #expect(e.offsets == [0..<1, 1..<3], "\(scheme)")   // "▁a" covers "a" (the ▁ was inserted), "▁b" covers " b"
            #expect(!e.offsetsAreIntoNormalizedText)
        }
    }

    @Test("decoders: ByteFallback, Fuse, Strip, Replace, Metaspace, WordPiece, BPEDecoder, CTC")
    func decoders() throws {
        func run(_ d: any TokenDecoding, _ tokens: [String]) -> [String] {
            var t = tokens.map { Array($0.utf8) }
            d.decode(&t)
            return t.map { String(decoding: $0, as: UTF8.self) }
        }
        // A run of byte tokens is valid UTF-8 as a whole or becomes one U+FFFD per byte token.
        #expect(run(ByteFallbackDecoder(), ["a", "<0xC3>", "<0xA9>", "b", "<0xE2>", "<0x82>"]) == ["a", "é", "b", "\u{FFFD}", "\u{FFFD}"])
        #expect(run(ByteFallbackDecoder(), ["<0xC3>", "<0xA9>", "<0xE2>"]) == ["\u{FFFD}", "\u{FFFD}", "\u{FFFD}"])
        #expect(run(FuseDecoder(), ["a", "b", "c"]) == ["abc"])
        #expect(run(StripDecoder(content: " ", start: 1, stop: 0), ["  a ", " b"]) == [" a ", "b"])
        #expect(run(StripDecoder(content: "h", start: 1, stop: 1), ["h", "hah"]) == ["", "a"])   // tokenizers panics on "h"
        #expect(run(ReplaceDecoder(pattern: .literal(Array("▁".utf8)), content: [0x20]), ["▁a▁b"]) == [" a b"])
        #expect(run(MetaspaceDecoder(replacement: "▁", dropsInFirstToken: true), ["▁a▁b", "▁c"]) == ["ab", " c"])
        #expect(run(MetaspaceDecoder(replacement: "▁", dropsInFirstToken: false), ["▁a"]) == [" a"])
        // Tokens after the first get a space unless they have the prefix; cleanup then removes " n't"'s space.
        #expect(run(WordPieceDecoder(prefix: "##", cleanup: true), ["I", "do", "n't", "##s", "."]) == ["I", " do", "n't", "s", "."])
        #expect(run(WordPieceDecoder(prefix: "##", cleanup: false), ["I", "##s", "."]) == ["I", "s", " ."])
        #expect(run(SuffixDecoder(suffix: "</w>"), ["a</w>", "b</w>"]) == ["a ", "b"])
        #expect(run(CTCDecoder(padToken: "<pad>", wordDelimiter: "|", cleanup: true), ["h", "h", "<pad>", "i", "|", "|", "x"])
                == ["h", "i", " ", "x"])
        #expect(run(DecoderSequence([ReplaceDecoder(pattern: .literal(Array("▁".utf8)), content: [0x20]),
                                     StripDecoder(content: " ", start: 1, stop: 0)]), ["▁a", "▁b"]) == ["a", "b"])
    }

    @Test("post-processors add ids with empty offsets where they stand")
    func postProcessors() {
        let template = TemplatePostProcessor(items: [.special([1]), .sequence, .special([2, 3])])
        var ids: [TokenID] = [10, 11]
        var offsets = [0..<2, 2..<5]
        template.process(&ids, offsets: &offsets)
        #expect(ids == [1, 10, 11, 2, 3])
        #expect(offsets == [0..<0, 0..<2, 2..<5, 5..<5, 5..<5])
        var empty: [TokenID] = []
        PostProcessorSequence([IdentityPostProcessor(label: "ByteLevel"), template]).process(&empty, offsets: nil)
        #expect(empty == [1, 2, 3])
    }

    @Test("streaming with a decoder follows tokenizers' DecodeStream (its documented examples)")
    func decodeStream() throws {
        // Byte fallback: " " at once, then nothing until "é" is complete.
        let fallbackVocabulary = try Vocabulary(tokens: ["<0x20>", "<0xC3>", "<0xA9>", " This"].map { Array($0.utf8) })
        let fallback = Tokenizer(name: "fallback", preTokenizer: WholeTextPreTokenizer(),
                                 model: try CharacterBPEModel(vocabulary: fallbackVocabulary, merges: [], options: .init(byteFallback: true)),
                                 decoder: ByteFallbackDecoder())
        var s1 = StreamingDecoder(tokenizer: fallback)
        #expect(try [0, 1, 2].map { try s1.push($0) } == [" ", "", "é"])
        // Metaspace: decoding one token at a time would lose the space; the stream keeps it.
        let metaspace = Tokenizer(name: "metaspace", preTokenizer: WholeTextPreTokenizer(),
                                  model: try CharacterBPEModel(vocabulary: try Vocabulary(tokens: [Array("▁This".utf8)]), merges: []),
                                  decoder: MetaspaceDecoder(replacement: "▁", dropsInFirstToken: true))
        #expect(String(decoding: try metaspace.decode([0, 0]), as: UTF8.self) == "This This")
        var s2 = StreamingDecoder(tokenizer: metaspace)
        #expect(try s2.push(0) == "This")
        #expect(try s2.push(0) == " This")
        #expect(throws: TokenizerError.unknownTokenID(7, position: 0)) { try s2.push(7) }
    }
}
