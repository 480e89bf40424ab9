// Hand-computed oracles for the segmentation rules: BPE by score (not by position), leftmost ties, UNUSED pieces
// resegmented, user-defined symbols frozen; Unigram Viterbi on a small lattice, ties, the unknown penalty;
// byte fallback and merged unknowns; the char and word models.
import Testing
import TesseraBPE
import TesseraTokenizer
import TesseraTestSupport
@testable import TesseraSentencePiece

@Suite("Segmentation oracles")
struct ModelOracleTests {
    func encode(_ proto: ModelProto, _ text: String) throws -> [String] {
        let t = try TestModels.tokenizer(proto)
        return TestModels.pieces(try t.encode(text, specials: .asText), proto)
    }

    // MARK: BPE

    @Test func bpeMergesTheHighestScoreFirst() throws {
        // Pairs of "abcd": ab −1, bc −0.5, cd −2 → bc; then abc −3 and bcd −1.5 → bcd; abcd is no piece.
        let proto = TestModels.proto([("a", -10, .normal), ("b", -10, .normal), ("c", -10, .normal), ("d", -10, .normal),
                                      ("ab", -1, .normal), ("bc", -0.5, .normal), ("cd", -2, .normal),
                                      ("abc", -3, .normal), ("bcd", -1.5, .normal)], model: .bpe)
        #expect(try encode(proto, "abcd") == ["a", "bcd"])
    }

    @Test func bpeTiesGoToTheLeftmostPair() throws {
        // "abab": both ab pairs score −1; merging the left one first makes "aba" (−0.5) possible.
        let proto = TestModels.proto([("a", -10, .normal), ("b", -10, .normal), ("ab", -1, .normal), ("aba", -0.5, .normal)],
                                     model: .bpe)
        #expect(try encode(proto, "abab") == ["aba", "b"])
    }

    @Test func bpeResegmentsUnusedPieces() throws {
        // "ab" is UNUSED: it may be merged through (to reach "abc") but is never output; alone it splits back.
        let proto = TestModels.proto([("a", -10, .normal), ("b", -10, .normal), ("c", -10, .normal),
                                      ("ab", -1, .unused), ("abc", -2, .normal)], model: .bpe)
        #expect(try encode(proto, "abc") == ["abc"])
        #expect(try encode(proto, "ab") == ["a", "b"])
        #expect(try encode(proto, "abab") == ["a", "b", "a", "b"])
    }

    @Test func bpeUserDefinedSymbolsAreFrozen() throws {
        // "<x>" is one symbol that never merges, although "a<" would otherwise be a better merge.
        let proto = TestModels.proto([("a", -10, .normal), ("<", -10, .normal), ("x", -10, .normal), (">", -10, .normal),
                                      ("a<", -0.1, .normal), ("<x>", 0, .userDefined)], model: .bpe)
        #expect(try encode(proto, "a<x>a<") == ["a", "<x>", "a<"])
    }

    @Test func bpeLongWordsUseTheHeapWithTheSameResult() throws {
        // A 300-character word (over the quadratic scan's limit) must match the same text cut into short words.
        let proto = TestModels.proto([("a", -10, .normal), ("b", -9, .normal), ("ab", -1, .normal), ("ba", -1.5, .normal),
                                      ("abab", -2, .normal), ("bab", -0.7, .normal)], model: .bpe)
        let long = String(repeating: "ab", count: 150) + "a"
        let t = try TestModels.tokenizer(proto)
        let ids = try t.encode(long, specials: .asText)
        // Reference: the naive algorithm on the same text.
        #expect(TestModels.pieces(ids, proto) == naiveBPE(long, proto))
    }

    /// The BPE rule written naively: repeatedly merge the best-scoring adjacent pair (leftmost on ties).
    func naiveBPE(_ text: String, _ proto: ModelProto) -> [String] {
        var score: [String: Float] = [:]
        for p in proto.pieces where p.kind == .normal { score[p.piece!] = p.scoreValue }
        var symbols = text.map { String($0) }
        while true {
            var best = -1
            for i in 0..<(symbols.count - 1) {
                guard let s = score[symbols[i] + symbols[i + 1]] else { continue }
                if best < 0 || s > score[symbols[best] + symbols[best + 1]]! { best = i }
            }
            if best < 0 { return symbols }
            symbols[best] += symbols[best + 1]
            symbols.remove(at: best + 1)
        }
    }

    @Test func bpeRandomTextsMatchTheNaiveRule() throws {
        let proto = TestModels.proto([("a", -10, .normal), ("b", -9, .normal), ("▁", -8, .normal), ("ab", -1, .normal),
                                      ("ba", -1.5, .normal), ("▁a", -0.5, .normal), ("▁▁", -3, .normal),
                                      ("aab", -2, .normal), ("bab", -0.7, .normal), ("a▁", -4, .normal)], model: .bpe)
        let t = try TestModels.tokenizer(proto)
        var rng = SeededGenerator(seed: 20260523)
        for _ in 0..<300 {
            let text = String((0..<Int.random(in: 1...80, using: &rng)).map { _ in "ab▁".randomElement(using: &rng)! })
            let got = TestModels.pieces(try t.encode(text, specials: .asText), proto)
            #expect(got == naiveBPE(text, proto), "\(text)")
        }
    }

    // MARK: Unigram

    @Test func viterbiPicksTheBestPath() throws {
        // "abcd": a b c d −12; ab c d −10; ab cd −8.5; a bc d −9.5; a bcd −9; abc d −10; a b cd −10.5 → ab cd.
        let proto = TestModels.proto([("a", -3, .normal), ("b", -3, .normal), ("c", -3, .normal), ("d", -3, .normal),
                                      ("ab", -4, .normal), ("bc", -3.5, .normal), ("cd", -4.5, .normal),
                                      ("abc", -7, .normal), ("bcd", -6, .normal)], model: .unigram)
        #expect(try encode(proto, "abcd") == ["ab", "cd"])
        #expect(try encode(proto, "bcd") == ["bcd"])
    }

    @Test func viterbiTieKeepsTheFirstCandidate() throws {
        // "ab" = −2 and a + b = −2: the candidate from the earlier start (ab) reaches the end first and stays.
        let proto = TestModels.proto([("a", -1, .normal), ("b", -1, .normal), ("ab", -2, .normal)], model: .unigram)
        #expect(try encode(proto, "ab") == ["ab"])
    }

    @Test func viterbiUnknownPenaltyAndMerging() throws {
        // x and y are unknown: each scores min(−1, −2) − 10 = −12; the run "xy" becomes one <unk>.
        let proto = TestModels.proto([("a", -1, .normal), ("b", -2, .normal)], model: .unigram)
        let t = try TestModels.tokenizer(proto)
        #expect(try t.encode("axyb", specials: .asText) == [1, 0, 2])
        let e = try t.encodeWithOffsets(Array("axyb".utf8), specials: .asText)
        #expect(e.offsets == [0..<1, 1..<3, 3..<4])
        // An unknown piece decodes to unk_surface.
        #expect(String(decoding: try t.decode([1, 0, 2]), as: UTF8.self) == "a \u{2047} b")
    }

    @Test func viterbiUserDefinedAlwaysWins() throws {
        // "ab" is user-defined: it scores (2 − 1) × 0.1 (sentencepiece 0.2.3), beating a + b whatever its own score.
        let proto = TestModels.proto([("a", -1, .normal), ("b", -1, .normal), ("ab", -100, .userDefined)], model: .unigram)
        #expect(try encode(proto, "abab") == ["ab", "ab"])
    }

    @Test func unigramSkipsUnusedPieces() throws {
        let proto = TestModels.proto([("a", -1, .normal), ("b", -1, .normal), ("ab", -0.1, .unused)], model: .unigram)
        #expect(try encode(proto, "ab") == ["a", "b"])
    }

    // MARK: Byte fallback, char, word

    @Test func byteFallbackSpellsUnknownCharacters() throws {
        let proto = TestModels.proto([("a", -1, .normal)], model: .bpe, byteFallback: true)
        let t = try TestModels.tokenizer(proto)
        let ids = try t.encode("aé", specials: .asText)
        #expect(TestModels.pieces(ids, proto) == ["a", "<0xC3>", "<0xA9>"])
        #expect(try t.decode(ids) == Array("aé".utf8))
        // An incomplete byte run decodes to U+FFFD per byte that starts no character.
        let c3 = TokenID(proto.pieces.firstIndex { $0.piece == "<0xC3>" }!)
        #expect(String(decoding: try t.decode([1, c3, 1]), as: UTF8.self) == "a\u{FFFD}a")
    }

    @Test func unknownRunsMergeWithoutByteFallback() throws {
        let proto = TestModels.proto([("a", -1, .normal)], model: .bpe)
        let t = try TestModels.tokenizer(proto)
        #expect(try t.encode("aéßa✓", specials: .asText) == [1, 0, 1, 0])
    }

    @Test func charAndWordModels() throws {
        let char = TestModels.proto([("a", -1, .normal), ("b", -1, .normal), ("<x>", 0, .userDefined)], model: .char)
        #expect(try encode(char, "ab<x>c") == ["a", "b", "<x>", "<unk>"])
        let word = TestModels.proto([("▁hello", -1, .normal), ("▁world", -1, .normal), ("▁", -2, .normal)],
                                    model: .word, dummyPrefix: true)
        #expect(try encode(word, "hello  world x") == ["▁hello", "▁", "▁world", "<unk>"])
    }
}
