// SentencePieceNormalizer: the whitespace rules on an identity spec (hand-written oracles), invalid UTF-8, and the
// nmt_nfkc charsmap of the trained models against sentencepiece 0.2.3's `normalize` (values recorded from it).
import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraSentencePiece

@Suite("SentencePiece normalization")
struct NormalizerTests {
    func normalizer(dummy: Bool = true, removeExtra: Bool = true, escape: Bool = true, suffix: Bool = false,
                    user: [String] = [], charsmapFrom model: String? = nil) throws -> SentencePieceNormalizer {
        var spec = NormalizerSpec()
        if let model {
            let proto = try ModelProto(serialized: [UInt8](Data(contentsOf: Fixtures.vocabulary("sentencepiece/\(model).model"))))
            spec = try #require(proto.normalizerSpec)
        }
        spec.addDummyPrefix = dummy
        spec.removeExtraWhitespaces = removeExtra
        spec.escapeWhitespaces = escape
        return try SentencePieceNormalizer(spec: spec, treatWhitespaceAsSuffix: suffix, userDefinedSymbols: user)
    }

    func run(_ n: SentencePieceNormalizer, _ text: String) -> String {
        String(decoding: n.normalizedBytes(Array(text.utf8)), as: UTF8.self)
    }

    @Test func whitespaceRules() throws {
        #expect(run(try normalizer(), "  Hello   world  ") == "▁Hello▁world")
        #expect(run(try normalizer(), "   \t ") == "▁\t")
        #expect(run(try normalizer(), "    ").isEmpty)
        #expect(run(try normalizer(), "").isEmpty)
        #expect(run(try normalizer(removeExtra: false), " a  b ") == "▁▁a▁▁b▁")
        #expect(run(try normalizer(escape: false), "a  b") == " a b")
        #expect(run(try normalizer(dummy: false), "a b") == "a▁b")
        #expect(run(try normalizer(suffix: true), "a b") == "a▁b▁")
        // Trailing ▁ characters of the input are removed too, and ▁ alone vanishes with the dummy prefix.
        #expect(run(try normalizer(), "a▁▁") == "▁a")
        #expect(run(try normalizer(), "▁").isEmpty)
    }

    @Test func invalidUTF8BecomesReplacementCharacters() throws {
        let n = try normalizer(removeExtra: false)
        #expect(n.normalizedBytes([0x61, 0xFF, 0x62]) == Array("▁a\u{FFFD}b".utf8))
        #expect(n.normalizedBytes([0x61, 0xE2, 0x96]) == Array("▁a\u{FFFD}\u{FFFD}".utf8))
        #expect(n.normalizedBytes([0xED, 0xA0, 0x80]) == Array("▁\u{FFFD}\u{FFFD}\u{FFFD}".utf8))   // a surrogate
        #expect(n.normalizedBytes([0xEF, 0xBF, 0xBD]) == Array("▁\u{FFFD}".utf8))                    // U+FFFD itself
    }

    /// sentencepiece 0.2.3 `SentencePieceProcessor(unigram.model).normalize(text)`.
    @Test func nmtNFKCCharsmap() throws {
        let n = try normalizer(charsmapFrom: "unigram")
        let cases: [(String, String)] = [
            ("ＡＢＣ①", "▁ABC1"), ("ﬁx  y", "▁fix▁y"), ("a\tb\nc", "▁a▁b▁c"), ("  ｶﾞ  ", "▁ガ"),
            ("\u{3000}x\u{00A0}y", "▁x▁y"), ("a\u{0}b", "▁a\u{0}b"), ("x\u{200B}y", "▁x▁y"),
        ]
        for (input, expected) in cases { #expect(run(n, input) == expected, "\(input.debugDescription)") }
        // User-defined symbols are copied unchanged (the model's PrefixMatcher): <sep> stays, ﬁ is rewritten…
        #expect(run(try normalizer(user: ["<sep>"], charsmapFrom: "unigram"), "<sep>ﬁ") == "▁<sep>fi")
        // …unless it is a user-defined symbol itself.
        #expect(run(try normalizer(user: ["ﬁ"], charsmapFrom: "unigram"), "ﬁx") == "▁ﬁx")
    }

    @Test func charsmapKeepsWhitespaceRunsWhenAsked() throws {
        // bpe.model: nmt_nfkc with remove_extra_whitespaces = false (sentencepiece: '▁▁▁a▁▁b▁▁', '▁a▁b').
        let proto = try ModelProto(serialized: [UInt8](Data(contentsOf: Fixtures.vocabulary("sentencepiece/bpe.model"))))
        let n = try SentencePieceNormalizer(spec: try #require(proto.normalizerSpec))
        #expect(run(n, "  a  b  ") == "▁▁▁a▁▁b▁▁")
        #expect(run(n, "a\tb") == "▁a▁b")
    }
}
