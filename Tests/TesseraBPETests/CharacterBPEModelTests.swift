// CharacterBPEModel: Hugging Face's BPE over characters — a differential test against the naive merge-list
// reference, and small exact cases for byte fallback, unknown tokens, fusing, prefixes, suffixes, ignore_merges,
// repeated merges and offsets (each expectation worked out by hand from tokenizers' model.rs / word.rs rules).

import Testing
import TesseraTestSupport
@testable import TesseraBPE

@Suite("Character BPE model")
struct CharacterBPEModelTests {
    /// A vocabulary of strings (ids in order) and merges by string.
    static func model(_ tokens: [String], merges: [(String, String)], options: CharacterBPEModel.Options = .init()) throws -> CharacterBPEModel {
        let vocabulary = try Vocabulary(tokens: tokens.map { Array($0.utf8) })
        let pairs = merges.map { m in
            MergePair(TokenID(tokens.firstIndex(of: m.0) ?? -1), TokenID(tokens.firstIndex(of: m.1) ?? -1))
        }
        return try CharacterBPEModel(vocabulary: vocabulary, merges: pairs, options: options)
    }

    static func ids(_ m: CharacterBPEModel, _ text: String) -> [TokenID] { m.encode(piece: Array(text.utf8)) }

    @Test("on ASCII text it equals the naive merge-list reference", arguments: [false, true])
    func matchesReference(ignoreMerges: Bool) throws {
        let alphabet = Array("abcd ".utf8)
        let (tokens, merges) = SyntheticVocabulary.random(alphabet: alphabet, merges: 150, seed: 21)
        // Only ASCII tokens: every character is one byte, so characters and bytes coincide.
        let model = try CharacterBPEModel(vocabulary: Vocabulary(tokens: tokens), merges: merges,
                                          options: .init(ignoreMerges: ignoreMerges))
        var rng = SeededGenerator(seed: 22)
        for _ in 0..<300 {
            let text = (0..<Int(rng.next() % 120 + 1)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let expected = SyntheticVocabulary.referenceMergeList(text, tokens: tokens, merges: merges, ignoreMerges: ignoreMerges)
            #expect(model.encode(piece: text) == expected.map { TokenID($0) }, "text \(text)")
        }
    }

    @Test("merge order: lowest rank first, leftmost among equals")
    func mergeOrder() throws {
        let m = try Self.model(["a", "b", "c", "ab", "bc", "aa"], merges: [("b", "c"), ("a", "b"), ("a", "a")])
        #expect(Self.ids(m, "abc") == [0, 4])          // b+c (rank 0) before a+b (rank 1)
        #expect(Self.ids(m, "aaa") == [5, 0])          // leftmost pair first
    }

    @Test("a repeated merge counts at its last position, as in tokenizers")
    func repeatedMerge() throws {
        let m = try Self.model(["a", "b", "c", "ab", "bc"], merges: [("a", "b"), ("b", "c"), ("a", "b")])
        #expect(Self.ids(m, "abc") == [0, 4])          // (a, b) now ranks 2, after (b, c)
    }

    @Test("multi-byte characters are symbols; merges join them")
    func characters() throws {
        let m = try Self.model(["é", "t", "ét", "▁", "▁ét"], merges: [("é", "t"), ("▁", "ét")])
        #expect(Self.ids(m, "▁ét") == [4])
        #expect(Self.ids(m, "té") == [1, 0])
    }

    @Test("unknown characters: unk, fused or not, or dropped without one")
    func unknown() throws {
        let tokens = ["<unk>", "a", "b"]
        let plain = try Self.model(tokens, merges: [], options: .init(unknownToken: "<unk>"))
        #expect(Self.ids(plain, "axyb") == [1, 0, 0, 2])
        let fused = try Self.model(tokens, merges: [], options: .init(unknownToken: "<unk>", fuseUnknown: true))
        #expect(Self.ids(fused, "axyb") == [1, 0, 2])
        #expect(Self.ids(fused, "xyzaq") == [0, 1, 0])
        let none = try Self.model(tokens, merges: [])
        #expect(Self.ids(none, "axyb") == [1, 2])
        // Offsets: the dropped characters' bytes join the next token, so spans still tile the piece.
        var ids: [TokenID] = []
        var spans: [Int] = []
        Array("axyb".utf8).withUnsafeBufferPointer { none.encode(piece: $0, into: &ids, spans: &spans) }
        #expect(spans == [1, 3])
        #expect(throws: BPEError.missingToken(role: "unknown token", text: "<oops>")) {
            try Self.model(tokens, merges: [], options: .init(unknownToken: "<oops>"))
        }
    }

    @Test("byte fallback: <0xNN> tokens for a missing character, unk when a byte token is missing too")
    func byteFallback() throws {
        let tokens = ["<unk>", "a", "<0xC3>", "<0xA9>", "<0xE2>"]
        let m = try Self.model(tokens, merges: [], options: .init(unknownToken: "<unk>", byteFallback: true))
        #expect(Self.ids(m, "aé") == [1, 2, 3])        // é = C3 A9
        #expect(Self.ids(m, "a€") == [1, 0])           // € = E2 82 AC: 82 and AC have no token
        var ids: [TokenID] = []
        var spans: [Int] = []
        Array("éa".utf8).withUnsafeBufferPointer { m.encode(piece: $0, into: &ids, spans: &spans) }
        #expect(ids == [2, 3, 1])
        #expect(spans == [1, 1, 1])
        // A byte that is not UTF-8 is a character of its own.
        #expect(m.encode(piece: [0x61, 0xC3]) == [1, 2])
        #expect(CharacterBPEModel.byteTokenText(0x0A) == "<0x0A>")
        #expect(CharacterBPEModel.byteOfTokenText(Array("<0x0a>".utf8)) == 0x0A)
        #expect(CharacterBPEModel.byteOfTokenText(Array("<0x+A>".utf8)) == 0x0A)   // Rust's from_str_radix accepts '+'
        #expect(CharacterBPEModel.byteOfTokenText(Array("<0xG0>".utf8)) == nil)
    }

    @Test("continuing_subword_prefix and end_of_word_suffix")
    func prefixAndSuffix() throws {
        // With "##": "abc" starts as a, ##b, ##c; merging a + ##b gives "ab" (the right side loses its prefix).
        let prefixed = try Self.model(["a", "##b", "##c", "ab", "abc", "[UNK]"], merges: [("a", "##b"), ("ab", "##c")],
                                      options: .init(unknownToken: "[UNK]", continuingSubwordPrefix: "##"))
        #expect(Self.ids(prefixed, "abc") == [4])
        #expect(Self.ids(prefixed, "ba") == [5, 5])    // "b" (first) and "##a" are not tokens
        let suffixed = try Self.model(["a", "b", "b</w>", "ab</w>"], merges: [("a", "b</w>")],
                                      options: .init(endOfWordSuffix: "</w>"))
        #expect(Self.ids(suffixed, "ab") == [3])
        #expect(Self.ids(suffixed, "ba") == [1])       // "a</w>" is no token: dropped (no unk)
    }

    @Test("ignore_merges emits a whole-piece token without merging")
    func ignoreMerges() throws {
        let tokens = ["a", "b", "c", "ab", "abc"]
        let merging = try Self.model(tokens, merges: [("a", "b")])
        #expect(Self.ids(merging, "abc") == [3, 2])
        let ignoring = try Self.model(tokens, merges: [("a", "b")], options: .init(ignoreMerges: true))
        #expect(Self.ids(ignoring, "abc") == [4])
    }

    @Test("a merge whose result is not a token is an error naming it")
    func badMerge() throws {
        #expect(throws: BPEError.mergeResultNotInVocabulary(mergeIndex: 0, bytes: Array("ab".utf8))) {
            try Self.model(["a", "b"], merges: [("a", "b")])
        }
    }

    @Test("long pieces (heap path) and the per-thread cache give the same ids")
    func longPieces() throws {
        let m = try Self.model(["a", "b", "ab", "abab"], merges: [("a", "b"), ("ab", "ab")])
        let text = String(repeating: "ab", count: 5_000) + "a"
        let first = Self.ids(m, text)
        #expect(first == Array(repeating: 3, count: 2_500) + [0])
        #expect(Self.ids(m, "ababa") == [3, 0])
        #expect(Self.ids(m, "ababa") == [3, 0])        // now from the cache
    }

    @Test("long pieces are cut before boundary characters only where no merge can cross (same ids as one piece)")
    func boundaries() throws {
        // "▁" is a boundary: the only merge whose right side starts with "▁" has a left side ending in "▁".
        let tokens = ["▁", "a", "b", "▁a", "▁b", "▁▁", "ab", "▁ab", "<unk>"]
        let merges: [(String, String)] = [("▁", "a"), ("▁", "b"), ("▁", "▁"), ("a", "b"), ("▁a", "b")]
        let m = try Self.model(tokens, merges: merges, options: .init(unknownToken: "<unk>", fuseUnknown: true))
        #expect(m.boundaries?.contains(0x2581) == true)
        #expect(m.boundaries?.contains(UInt32(UInt8(ascii: "b"))) == false)   // ("▁", "b") joins across "b"
        let text = String(repeating: "▁ab▁▁a▁b▁xyz", count: 20)
        let cut = Self.ids(m, text)
        // The same model without boundaries (a suffix disables them) but the same merges gives the reference.
        var whole: [TokenID] = []
        var word = Word(capacity: 0)
        Array(text.utf8).withUnsafeBufferPointer { m.buildSymbols($0, into: &word) }
        m.mergeAll(&word)
        var i = 0
        while i >= 0 && i < word.symbols.count { whole.append(word.symbols[i].id); i = Int(word.symbols[i].next) }
        #expect(cut == whole)
        // A merge joining a non-"▁" character with "▁…" takes the boundary away.
        let crossing = try Self.model(["▁", "a", "a▁"], merges: [("a", "▁")])
        #expect(crossing.boundaries?.contains(0x2581) != true)
    }
}
