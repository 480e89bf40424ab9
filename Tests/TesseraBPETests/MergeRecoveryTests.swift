// Merge recovery (BPEModel+MergeRecovery.swift): exact small oracles, unreachable tokens, thread independence,
// and the differential property on synthetic vocabularies.
import Testing
import TesseraTestSupport
@testable import TesseraBPE

@Suite("Merge recovery from ranks")
struct MergeRecoveryTests {
    static func model(_ merged: [String]) throws -> BPEModel {
        try BPEModel(vocabulary: Vocabulary(tokens: SyntheticVocabulary.tokens(merged: merged)), rule: .rankOrder)
    }

    static func byte(_ c: Character) -> TokenID { TokenID(c.asciiValue!) }

    @Test("each token's merge is the two parts rank order leaves with lower ranks only")
    func smallOracle() throws {
        // ab 256, bc 257, abc 258: "abc" with ranks < 258 becomes [ab, c] (ab is the lowest pair), so its merge is ab + c.
        let m = try Self.model(["ab", "bc", "abc", "bcd", "abcd"])
        let r = m.recoverMerges()
        #expect(r.unreachable.isEmpty)
        #expect(r.merges == [MergePair(Self.byte("a"), Self.byte("b")), MergePair(Self.byte("b"), Self.byte("c")),
                             MergePair(256, Self.byte("c")), MergePair(257, Self.byte("d")),
                             // "abcd" with ranks < 260: a b c d → ab (256) c d → abc (258) d → stop: abc + d.
                             MergePair(258, Self.byte("d"))])
        #expect(r.results == [256, 257, 258, 259, 260])
        #expect(try m.recoveredMergeList() == r.merges)
    }

    @Test("tokens that lower ranks cannot build are reported with their parts, and the typed error lists them")
    func unreachable() throws {
        // "xyz" has no two-part split among lower ranks; "pq" after "pqr" can never be used to build it.
        let m = try Self.model(["ab", "xyz", "pqr", "pq"])
        let r = m.recoverMerges()
        #expect(r.unreachable == [
            UnreachableToken(id: 257, parts: [Self.byte("x"), Self.byte("y"), Self.byte("z")]),
            UnreachableToken(id: 258, parts: [Self.byte("p"), Self.byte("q"), Self.byte("r")]),
        ])
        #expect(r.results == [256, 259])
        #expect(throws: MergeRecoveryError.unreachableTokens(r.unreachable)) { try m.recoveredMergeList() }
        #expect(MergeRecoveryError.unreachableTokens(r.unreachable).description.contains("2 token(s)"))
    }

    @Test("holes in the id space and long tokens (heap path) are handled", arguments: [70, 130])
    func holesAndLongTokens(length: Int) throws {
        var entries: [(bytes: [UInt8], id: TokenID)] = (0..<256).map { ([UInt8($0)], TokenID($0) + 10) }
        // "a" runs of 2, 4, 8, … up to `length` bytes, each built from two halves; ids with gaps.
        var run = 2
        var id: TokenID = 400
        var expected: [MergePair] = []
        var previous = TokenID(10 + 97)
        while run <= length {
            entries.append((Array(repeating: 97, count: run), id))
            expected.append(MergePair(previous, previous))
            previous = id
            id += 7
            run *= 2
        }
        let m = try BPEModel(vocabulary: Vocabulary(entries: entries), rule: .rankOrder)
        let r = m.recoverMerges()
        #expect(r.unreachable.isEmpty)
        #expect(r.merges == expected)
    }

    @Test("the result does not depend on the thread count", arguments: [1, 2, 3, 8])
    func threads(count: Int) throws {
        let (tokens, _) = SyntheticVocabulary.random(alphabet: Array("abcde ".utf8), merges: 3000, seed: 42)
        let m = try BPEModel(vocabulary: Vocabulary(tokens: tokens), rule: .rankOrder)
        let one = m.recoverMerges(threads: 1)
        let many = m.recoverMerges(threads: count)
        #expect(one.merges == many.merges && one.results == many.results && one.unreachable == many.unreachable)
        #expect(m.tokensNotReproduced(threads: count) == [])
    }

    @Test("recovery equals a naive reference on arbitrary (untrained) vocabularies, unreachable tokens included",
          arguments: [3, 4, 5, 6])
    func naiveReference(seed: UInt64) throws {
        let (tokens, _) = SyntheticVocabulary.random(alphabet: Array("abcd ".utf8), merges: 400, seed: seed)
        let m = try BPEModel(vocabulary: Vocabulary(tokens: tokens), rule: .rankOrder)
        let r = m.recoverMerges(threads: 2)
        var merges: [MergePair] = []
        var unreachable: [UnreachableToken] = []
        var ranks: [[UInt8]: Int] = [:]
        for (id, token) in tokens.enumerated() {
            defer { ranks[token] = id }
            if token.count < 2 { continue }
            let parts = SyntheticVocabulary.referenceRankOrder(token, ranks: ranks).map { TokenID($0) }
            if parts.count == 2 { merges.append(MergePair(parts[0], parts[1])) } else { unreachable.append(UnreachableToken(id: TokenID(id), parts: parts)) }
        }
        #expect(r.merges == merges)
        #expect(r.unreachable == unreachable)
        // Random joins are not what training makes: some tokens are reachable only as whole pieces.
        #expect(!unreachable.isEmpty)
    }

    /// A BPE vocabulary as training makes one: repeatedly merge the most frequent adjacent pair of the current
    /// segmentation of `words` (ties: the smallest pair), so every merge is one that encoding would make.
    static func trained(words: [[UInt8]], merges count: Int) -> [[UInt8]] {
        var tokens: [[UInt8]] = (0..<256).map { [UInt8($0)] }
        var segmented = words.map { $0.map(Int.init) }
        for _ in 0..<count {
            var counts: [Int: Int] = [:]
            for w in segmented where w.count > 1 {
                for i in 0..<(w.count - 1) { counts[w[i] << 20 | w[i + 1], default: 0] += 1 }
            }
            guard let best = counts.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }) else { break }
            let (l, r) = (best.key >> 20, best.key & 0xFFFFF)
            let id = tokens.count
            tokens.append(tokens[l] + tokens[r])
            segmented = segmented.map { w in
                var out: [Int] = []
                var i = 0
                while i < w.count {
                    if i + 1 < w.count && w[i] == l && w[i + 1] == r { out.append(id); i += 2 } else { out.append(w[i]); i += 1 }
                }
                return out
            }
        }
        return tokens
    }

    @Test("on a trained vocabulary, merge-list encoding with the recovered merges equals rank order", arguments: [7, 8, 9])
    func trainedDifferential(seed: UInt64) throws {
        let alphabet = Array("abcde".utf8)
        var rng = SeededGenerator(seed: seed)
        let words = (0..<400).map { _ in (0..<Int(rng.next() % 9 + 2)).map { _ in alphabet[Int(rng.next() % 5)] } }
        let tokens = Self.trained(words: words, merges: 300)
        let vocabulary = try Vocabulary(tokens: tokens)
        let ranks = try BPEModel(vocabulary: vocabulary, rule: .rankOrder)
        let recovered = ranks.recoverMerges()
        let unreachable = Set(recovered.unreachable.map(\.id))
        let list = try BPEModel(vocabulary: vocabulary, rule: .mergeList(recovered.merges, ignoreMerges: false))
        #expect(list.tokensNotReproduced().filter { !unreachable.contains($0) } == [])
        var compared = 0
        for _ in 0..<400 {
            let length = Int(rng.next() % 40) + 1
            let text = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let byRank = ranks.encode(piece: text)
            // Pieces that hit an unreachable token are where the two rules may part; the rest must agree.
            if byRank.contains(where: { unreachable.contains($0) }) { continue }
            compared += 1
            #expect(list.encode(piece: text) == byRank, "text \(String(decoding: text, as: UTF8.self))")
        }
        #expect(compared >= 300, "only \(compared) of 400 pieces avoid the \(unreachable.count) unreachable tokens")
    }

    @Test("a merge list that skips a split rank order would use is caught by tokensNotReproduced")
    func notReproduced() throws {
        // abc is listed as a + bc, but ab merges first, so merge-list BPE on "abc" stops at [ab, c].
        let vocabulary = try Vocabulary(tokens: SyntheticVocabulary.tokens(merged: ["ab", "bc", "abc"]))
        let a = Self.byte("a"), b = Self.byte("b"), c = Self.byte("c")
        let list = try BPEModel(vocabulary: vocabulary, rule: .mergeList([MergePair(a, b), MergePair(b, c), MergePair(a, 257)],
                                                                         ignoreMerges: false))
        #expect(list.tokensNotReproduced() == [258])
        let ranks = try BPEModel(vocabulary: vocabulary, rule: .rankOrder)
        #expect(ranks.tokensNotReproduced() == [])
    }
}
