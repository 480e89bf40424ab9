// The small oracles of the LiB port: Python's random stream, the trie's two longest matches, the
// rank-move arithmetic, the `abcd` lookahead example, the deeper split, and lossless segmentation.
import Foundation
import Testing
@testable import TesseraLiB
import TesseraTokenizer

@Suite("LiB oracles")
struct LiBUnitTests {
    @Test("PythonRandom reproduces random.seed(n); random.random()")
    func pythonRandom() {
        // Values printed by CPython 3.11: random.seed(n); [random.random() for _ in range(3)].
        let expected: [(UInt64, [Double])] = [
            (0, [0.8444218515250481, 0.7579544029403025, 0.420571580830845]),
            (1, [0.13436424411240122, 0.8474337369372327, 0.763774618976614]),
            (12345, [0.41661987254534116, 0.010169169457068361, 0.8252065092537432]),
            ((1 << 40) + 7, [0.6137037779936511, 0.8149162973309487, 0.9450115087592873]),
        ]
        for (seed, values) in expected {
            var r = PythonRandom(seed: seed)
            #expect((0..<3).map { _ in r.random() } == values, "seed \(seed)")
        }
        // Past the first 624-word block.
        var r = PythonRandom(seed: 0)
        for _ in 0..<1000 { _ = r.random() }
        #expect(r.random() == 0.9466893945947962)
    }

    @Test("the trie returns the longest and second-longest prefix matches")
    func trieTwoLongest() {
        let trie = ChunkTrie()
        let handles = ["h", "he", "hel", "hello"].map { w in Array(w.utf8).withUnsafeBufferPointer { trie.insert($0.baseAddress!, $0.count)! } }
        let text = Array("hello world".utf8)
        let m = text.withUnsafeBufferPointer { trie.match2($0.baseAddress!, $0.count) }
        #expect(m.len1 == 5 && m.h1 == handles[3])   // hello
        #expect(m.len2 == 3 && m.h2 == handles[2])   // hel
        let help = Array("help".utf8)
        let n = help.withUnsafeBufferPointer { trie.match2($0.baseAddress!, $0.count) }
        #expect(n.len1 == 3 && n.len2 == 2)   // hel, he
        // Removing "hello" prunes its private nodes: the walk over "hello" now stops after "hel".
        trie.remove(handles[3])
        let after = text.withUnsafeBufferPointer { trie.match2($0.baseAddress!, $0.count) }
        #expect(after.len1 == 3 && after.len2 == 2)
        #expect(text.withUnsafeBufferPointer { trie.lookup($0.baseAddress!, 4) } == -1)
        #expect(text.withUnsafeBufferPointer { trie.lookup($0.baseAddress!, 2) } == handles[1])
        // Removing "he", which has descendants, keeps the path: "hel" still matches.
        trie.remove(handles[1])
        #expect(text.withUnsafeBufferPointer { trie.lookup($0.baseAddress!, 3) } == handles[2])
        #expect(text.withUnsafeBufferPointer { trie.lookup($0.baseAddress!, 2) } == -1)
    }

    @Test("InMemoryArticles serves consecutive sentences, stops at the corpus end and wraps")
    func inMemoryArticles() {
        let sentences = ["ab", "", "cde", "f"].map { Array($0.utf8) }
        var articles = InMemoryArticles(sentences: sentences)
        var article = LiBArticle()
        func texts() -> [String] { (0..<article.count).map { String(decoding: article.bytes[article.range($0)], as: UTF8.self) } }
        articles.next(3, into: &article)
        #expect(texts() == ["ab", "", "cde"])
        articles.next(3, into: &article)
        #expect(texts() == ["f"])
        articles.next(2, into: &article)
        #expect(texts() == ["ab", ""])
        var empty = InMemoryArticles(sentences: [])
        empty.next(3, into: &article)
        #expect(article.isEmpty)
    }

    @Test("rank-move arithmetic: ⌊rank·Δ⌋+1 places, head clamp, deletion past the tail")
    func rankMoves() {
        // Reward at rank 9 with Δ = .5 moves ⌊9·.5⌋+1 = 5 places toward the head.
        #expect(LiBLearner.rankMove(rank: 9, sign: -1, updateRate: 0.5, count: 20) == .move(to: 4))
        #expect(LiBLearner.rankMove(rank: 9, sign: 1, updateRate: 0.5, count: 20) == .move(to: 14))
        // Past the end: deleted; exactly to the last slot: kept.
        #expect(LiBLearner.rankMove(rank: 9, sign: 1, updateRate: 0.5, count: 14) == .delete)
        #expect(LiBLearner.rankMove(rank: 9, sign: 1, updateRate: 0.5, count: 15) == .move(to: 14))
        #expect(LiBLearner.rankMove(rank: 0, sign: -1, updateRate: 0.5, count: 15) == .stay)
        #expect(LiBLearner.rankMove(rank: 1, sign: -1, updateRate: 0.1, count: 15) == .move(to: 0))
        #expect(LiBLearner.rankMove(rank: 30, sign: -1, updateRate: 0.1, count: 40) == .move(to: 26))
    }

    @Test("the abcd lookahead: equal chunk counts, the rank sum decides")
    func abcdLookahead() throws {
        // Default path [abc, d] and alternative [ab, cd] both have two chunks.
        let text = Array("abcd".utf8)
        func pieces(_ lexicon: [String]) throws -> [String] {
            try LiBModel(lexicon: lexicon.map { Array($0.utf8) }).segment(text).map { String(decoding: $0, as: UTF8.self) }
        }
        // abc(3) + d(6) = 9 > ab(2) + cd(5) = 7: the alternative wins.
        #expect(try pieces(["a", "b", "ab", "abc", "c", "cd", "d"]) == ["ab", "cd"])
        // abc(0) + d(1) = 1 < ab(4) + cd(6) = 10: the default stays.
        #expect(try pieces(["abc", "d", "a", "b", "ab", "c", "cd"]) == ["abc", "d"])
        // Fewer chunks always win: with "abcd" gone and "bcd" present, [a, bcd] (2) beats nothing shorter.
        #expect(try pieces(["a", "ab", "bcd", "b", "c", "d"]) == ["a", "bcd"])
    }

    @Test("deeper split: two lower-ranked parts, two levels")
    func deeper() throws {
        let lexicon = ["a", "b", "c", "d", "ab", "cd", "abcd"].map { Array($0.utf8) }
        let model = try LiBModel(lexicon: lexicon, deeper: true)
        let ids = model.encode(Array("abcd".utf8))
        #expect(ids == [0, 1, 2, 3])   // abcd(6) → ab(4) + cd(5) → a b c d
        // A chunk ranked better than every split stays whole.
        let whole = try LiBModel(lexicon: ["abcd", "ab", "cd", "a", "b", "c", "d"].map { Array($0.utf8) }, deeper: true)
        #expect(whole.encode(Array("abcd".utf8)) == [0])
    }

    @Test("segmentation is lossless on any bytes (unknown characters, invalid UTF-8, newlines)")
    func lossless() throws {
        let model = try LiBModel(lexicon: ["the ", "th", "e", "t", "h", " ", "cat", "c", "a", "é", "猫"].map { Array($0.utf8) })
        let tokenizer = Tokenizer(name: "lib", preTokenizer: LineSplitter(), model: model)
        var rng = SplitMix64(seed: 9)
        let alphabet: [[UInt8]] = ["t", "h", "e", " ", "c", "a", "é", "猫", "ß", "\n", "x"].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE7, 0x8C]]
        for _ in 0..<300 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0..<40, using: &rng) { text += alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
            let ids = try tokenizer.encode(text)
            #expect(try tokenizer.decode(ids) == text)
            let e = try tokenizer.encodeWithOffsets(text)
            #expect(e.ids == ids)
            #expect(e.offsets.map(\.count).reduce(0, +) == text.count)
        }
        // Unknown character → its bytes as fallback ids after the lexicon.
        let ids = model.encode(Array("ß".utf8))
        #expect(ids.count == 2 && ids.allSatisfy { Int($0) >= model.lexiconCount })
    }

    @Test("LineSplitter: lines and single newlines, cut points after newlines")
    func lineSplitter() {
        let text = Array("ab\n\ncd\ne".utf8)
        #expect(LineSplitter().pieces(of: text) == [0..<2, 2..<3, 3..<4, 4..<6, 6..<7, 7..<8])
        text.withUnsafeBufferPointer { p in
            #expect(LineSplitter().canCut(p, before: 4))
            #expect(!LineSplitter().canCut(p, before: 5))
        }
    }

    @Test("a lexicon with a duplicate, an empty or an invalid entry is refused")
    func invalidLexicon() {
        #expect(throws: LiBError.self) { try LiBModel(lexicon: [Array("a".utf8), Array("a".utf8)]) }
        #expect(throws: LiBError.self) { try LiBModel(lexicon: [[]]) }
        #expect(throws: LiBError.self) { try LiBModel(lexicon: [[0xFF]]) }
        #expect(throws: LiBError.self) { try LiBModel(lexicon: []) }
    }
}

@Suite("ChunkTrie")
struct ChunkTrieTests {
    @Test("random inserts and removals agree with a set of strings (matches, lookups, spelling)", arguments: [1 as UInt64, 2])
    func differential(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let trie = ChunkTrie()
        trie.compactionMinimum = 256
        var live: [[UInt8]: Int32] = [:]
        let alphabet: [UInt8] = Array("ab c".utf8)
        func randomString() -> [UInt8] {
            (0..<Int.random(in: 1...9, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
        }
        for round in 0..<6000 {
            let s = randomString()
            if let h = live[s], Int.random(in: 0..<3, using: &rng) > 0 {
                trie.remove(h)
                live[s] = nil
            } else if let h = live[s] {
                // Finding a chunk that is there changes nothing.
                let found = s.withUnsafeBufferPointer { trie.findOrInsert($0.baseAddress!, $0.count) }
                #expect(found?.node == h && found?.inserted == false)
            } else {
                // Half of the inserts continue a known chunk (`from:`), as the learner's memorize does.
                let prefix = live.keys.filter { s.starts(with: $0) }.max { $0.count < $1.count }
                let h: Int32?
                if let prefix, Bool.random(using: &rng) {
                    h = s.withUnsafeBufferPointer { trie.insert($0.baseAddress! + prefix.count, s.count - prefix.count, from: live[prefix]!) }
                } else {
                    h = s.withUnsafeBufferPointer { trie.insert($0.baseAddress!, $0.count) }
                }
                live[s] = h
            }
            if round % 50 == 0 {
                for (string, h) in live {
                    #expect(trie.bytes(ofNode: h) == string)
                    #expect(string.withUnsafeBufferPointer { trie.lookup($0.baseAddress!, $0.count) } == h)
                }
                for _ in 0..<20 {
                    let text = randomString() + randomString()
                    let prefixes = live.keys.filter { text.starts(with: $0) }.sorted { $0.count > $1.count }
                    let m = text.withUnsafeBufferPointer { trie.match2($0.baseAddress!, $0.count) }
                    #expect(m.len1 == (prefixes.first?.count ?? 0))
                    #expect(m.h1 == (prefixes.first.map { live[$0]! } ?? -1))
                    #expect(m.len2 == (prefixes.dropFirst().first?.count ?? 0))
                    let missing = text.withUnsafeBufferPointer { trie.lookup($0.baseAddress!, $0.count) }
                    #expect(missing == (live[text] ?? -1))
                }
            }
        }
    }
}
