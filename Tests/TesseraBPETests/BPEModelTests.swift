import Dispatch
import Foundation
import Synchronization
import Testing
import TesseraTestSupport
@testable import TesseraBPE

@Suite("BPE model")
struct BPEModelTests {
    static let alphabet = Array("abcd ".utf8)

    @Test("rank order equals the naive reference on random text (short and long pieces)", arguments: [1, 2, 3, 4])
    func rankOrderMatchesReference(seed: UInt64) throws {
        let (tokens, _) = SyntheticVocabulary.random(alphabet: Self.alphabet, merges: 150, seed: seed)
        let model = try BPEModel(vocabulary: Vocabulary(tokens: tokens), rule: .rankOrder)
        var ranks: [[UInt8]: Int] = [:]
        for (i, t) in tokens.enumerated() { ranks[t] = i }
        var rng = SeededGenerator(seed: seed &* 77)
        for _ in 0..<300 {
            let length = Int(rng.next() % 200) + 1   // crosses the 64-byte switch to the heap path
            let text = (0..<length).map { _ in Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))] }
            let expected = SyntheticVocabulary.referenceRankOrder(text, ranks: ranks).map { TokenID($0) }
            #expect(model.encode(piece: text) == expected, "text \(text)")
        }
    }

    @Test("merge list equals the naive reference, with and without ignore_merges", arguments: [false, true])
    func mergeListMatchesReference(ignoreMerges: Bool) throws {
        let (tokens, merges) = SyntheticVocabulary.random(alphabet: Self.alphabet, merges: 150, seed: 9)
        let model = try BPEModel(vocabulary: Vocabulary(tokens: tokens), rule: .mergeList(merges, ignoreMerges: ignoreMerges))
        var rng = SeededGenerator(seed: 10)
        for _ in 0..<300 {
            let length = Int(rng.next() % 200) + 1
            let text = (0..<length).map { _ in Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))] }
            let expected = SyntheticVocabulary.referenceMergeList(text, tokens: tokens, merges: merges, ignoreMerges: ignoreMerges)
            #expect(model.encode(piece: text) == expected.map { TokenID($0) })
        }
    }

    @Test("the linear and heap merge paths agree on every length")
    func linearAndHeapAgree() throws {
        let (tokens, merges) = SyntheticVocabulary.random(alphabet: Self.alphabet, merges: 200, seed: 5)
        let vocabulary = try Vocabulary(tokens: tokens)
        for rule in [BPEModel.MergeRule.rankOrder, .mergeList(merges, ignoreMerges: false)] {
            let model = try BPEModel(vocabulary: vocabulary, rule: rule)
            var rng = SeededGenerator(seed: 6)
            for length in 2...64 {
                let text = (0..<length).map { _ in Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))] }
                var viaHeap: [TokenID] = []
                var viaLinear: [TokenID] = []
                // No piece cache here: both paths must compute the merges themselves.
                text.withUnsafeBufferPointer { buffer in
                    model.withEncoder { encoder in
                        let base = buffer.baseAddress!
                        if let pairs = encoder.pairs {
                            encoder.heapMerge(base, length, ListedPairRanking(pairs: pairs), into: &viaHeap)
                            encoder.mergeParts(base, length, ranking: ListedPairRanking(pairs: pairs), into: &viaLinear)
                        } else {
                            encoder.heapMerge(base, length, ConcatenationRanking(words: encoder.words), into: &viaHeap)
                            encoder.mergeParts(base, length, ranking: ConcatenationRanking(words: encoder.words), into: &viaLinear)
                        }
                    }
                }
                #expect(viaHeap == viaLinear, "length \(length)")
            }
        }
    }

    @Test("rank order and merge list differ where a token has several splits")
    func rulesDiffer() throws {
        // "bc" ranks before "ab"; "abc" is only listed as (ab, c).
        let tokens = SyntheticVocabulary.tokens(merged: ["bc", "ab", "abc"])
        let vocabulary = try Vocabulary(tokens: tokens)
        let a = TokenID(UInt8(ascii: "a")), b = TokenID(UInt8(ascii: "b")), c = TokenID(UInt8(ascii: "c"))
        let list = try BPEModel(vocabulary: vocabulary, rule: .mergeList([MergePair(b, c), MergePair(a, b), MergePair(257, c)],
                                                                          ignoreMerges: false))
        let ranked = try BPEModel(vocabulary: vocabulary, rule: .rankOrder)
        // Rank order: whole-piece hit. Merge list: (b,c) first, then (a, bc) is not listed.
        #expect(ranked.encode(piece: Array("abc".utf8)) == [258])
        #expect(list.encode(piece: Array("abc".utf8)) == [a, 256])
        // Rank order without a whole hit: "abcx" → (b,c) rank 256 first → a bc x; (a,bc) gives "abc" = 258.
        #expect(ranked.encode(piece: Array("abcx".utf8)) == [258, TokenID(UInt8(ascii: "x"))])
    }

    @Test("a 100 kB run of one letter encodes (heap path) and decodes back")
    func longRun() throws {
        let tokens = SyntheticVocabulary.tokens(merged: ["aa", "aaaa", "aaaaaaaa"])
        let model = try BPEModel(vocabulary: Vocabulary(tokens: tokens), rule: .rankOrder)
        let text = [UInt8](repeating: UInt8(ascii: "a"), count: 100_003)
        let ids = model.encode(piece: text)
        #expect(ids.count == 100_003 / 8 + 2)   // 12,500 × "aaaaaaaa", then "aa" + "a"
        #expect(try model.decode(ids) == text)
    }

    @Test("decode rejects unknown ids; build rejects bad vocabularies")
    func errors() throws {
        let model = try BPEModel(vocabulary: Vocabulary(tokens: SyntheticVocabulary.tokens(merged: [])), rule: .rankOrder)
        #expect(throws: BPEError.unknownTokenID(999)) { try model.decode([1, 999]) }
        #expect(throws: BPEError.self) { try Vocabulary(tokens: [[1], [1]]) }
        #expect(throws: BPEError.emptyToken(id: 1)) { try Vocabulary(tokens: [[1], []]) }
        #expect(throws: BPEError.missingByteTokens(Array(2...255))) {
            try BPEModel(vocabulary: Vocabulary(tokens: [[0], [1]]), rule: .rankOrder)
        }
        let vocabulary = try Vocabulary(tokens: SyntheticVocabulary.tokens(merged: ["ab"]))
        #expect(throws: BPEError.mergeReferencesUnknownID(mergeIndex: 0, id: 5000)) {
            try BPEModel(vocabulary: vocabulary, rule: .mergeList([MergePair(5000, 1)], ignoreMerges: false))
        }
        #expect(throws: BPEError.self) {
            try BPEModel(vocabulary: vocabulary, rule: .mergeList([MergePair(98, 99)], ignoreMerges: false))   // "bc" missing
        }
    }

    @Test("sparse ids: holes are not tokens")
    func sparseIDs() throws {
        var entries: [(bytes: [UInt8], id: TokenID)] = (0..<256).map { ([UInt8($0)], TokenID($0)) }
        entries.append((Array("hi".utf8), 1000))
        let vocabulary = try Vocabulary(entries: entries)
        #expect(vocabulary.count == 257)
        #expect(vocabulary.idUpperBound == 1001)
        #expect(vocabulary.id(of: Array("hi".utf8)) == 1000)
        #expect(!vocabulary.contains(500))
        #expect(vocabulary.bytes(of: 500) == nil)
    }

    @Test("every byte string round-trips", arguments: [11, 12, 13])
    func roundTrip(seed: UInt64) throws {
        let (tokens, merges) = SyntheticVocabulary.random(alphabet: Array(0...255), merges: 400, seed: seed)
        let vocabulary = try Vocabulary(tokens: tokens)
        let models = [try BPEModel(vocabulary: vocabulary, rule: .rankOrder),
                      try BPEModel(vocabulary: vocabulary, rule: .mergeList(merges, ignoreMerges: false))]
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<200 {
            let text = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            for model in models { #expect(try model.decode(model.encode(piece: text)) == text) }
        }
    }
}

@Suite("Per-thread piece cache")
struct PieceCacheTests {
    @Test("alternating between two models on one thread never mixes their ids")
    func modelsDoNotShareEntries() throws {
        let alphabet = Array("abcd ".utf8)
        let (tokensA, _) = SyntheticVocabulary.random(alphabet: alphabet, merges: 120, seed: 21)
        let (tokensB, _) = SyntheticVocabulary.random(alphabet: alphabet, merges: 120, seed: 22)
        let a = try BPEModel(vocabulary: Vocabulary(tokens: tokensA), rule: .rankOrder)
        let b = try BPEModel(vocabulary: Vocabulary(tokens: tokensB), rule: .rankOrder)
        var ranksA: [[UInt8]: Int] = [:], ranksB: [[UInt8]: Int] = [:]
        for (i, t) in tokensA.enumerated() { ranksA[t] = i }
        for (i, t) in tokensB.enumerated() { ranksB[t] = i }
        var rng = SeededGenerator(seed: 23)
        let pieces = (0..<200).map { _ in (0..<Int(rng.next() % 30 + 2)).map { _ in alphabet[Int(rng.next() % 5)] } }
        for round in 0..<3 {   // later rounds are served from the cache
            for piece in pieces {
                #expect(a.encode(piece: piece) == SyntheticVocabulary.referenceRankOrder(piece, ranks: ranksA).map { TokenID($0) },
                        "round \(round)")
                #expect(b.encode(piece: piece) == SyntheticVocabulary.referenceRankOrder(piece, ranks: ranksB).map { TokenID($0) },
                        "round \(round)")
            }
        }
    }
}

@Suite("Piece memo")
struct PieceMemoTests {
    /// Pieces of every length class the memo treats differently: short (hot level, 1–2 ids), inline
    /// (≤ 24 bytes, ≤ 6 ids), spilled keys (> 24 bytes), spilled ids (> 6 ids), and too long to memoize.
    static func pieces(count: Int, seed: UInt64, alphabet: [UInt8]) -> [[UInt8]] {
        var rng = SeededGenerator(seed: seed)
        let lengths = [2, 3, 5, 8, 9, 16, 24, 25, 40, 100, 128, 129, 300]
        return (0..<count).map { i in
            let n = lengths[i % lengths.count]
            return (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
        }
    }

    @Test("repeated encodings through the growing memo equal the reference, every round")
    func memoizedEncodingsAreExact() throws {
        let alphabet = Array("abcdefgh ".utf8)
        let (tokens, _) = SyntheticVocabulary.random(alphabet: alphabet, merges: 300, seed: 31)
        let model = try BPEModel(vocabulary: Vocabulary(tokens: tokens), rule: .rankOrder)
        var ranks: [[UInt8]: Int] = [:]
        for (i, t) in tokens.enumerated() { ranks[t] = i }
        // 12,000 distinct pieces: the memo grows from 4,096 slots through several doublings.
        let pieces = Self.pieces(count: 12_000, seed: 32, alphabet: alphabet)
        let expected = pieces.map { SyntheticVocabulary.referenceRankOrder($0, ranks: ranks).map { TokenID($0) } }
        for round in 0..<3 {
            var wrong = 0
            for (piece, want) in zip(pieces, expected) where model.encode(piece: piece) != want { wrong += 1 }
            #expect(wrong == 0, "round \(round): \(wrong) pieces encoded differently")
        }
    }

    @Test("the memo empties itself at its bound and stays exact afterwards")
    func memoClearsAtItsBound() {
        var memo = PieceMemo()
        defer { memo.release() }
        withUnsafeMutablePointer(to: &memo) { memoPointer in
            let view = PieceCacheView(hot: UnsafeMutablePointer<UInt64>.allocate(capacity: 2), memo: memoPointer)
            defer { view.hot.deallocate() }
            let limit = PieceMemo.maxSlots * 3 / 4
            var key: [UInt8] = Array("memo-key-0000000000".utf8)
            func store(_ i: Int) {
                var v = i
                for k in 0..<8 { key[key.count - 1 - k] = UInt8(48 + v % 10); v /= 10 }
                let id = TokenID(i % 1000)
                key.withUnsafeBufferPointer { k in
                    [id, id + 1, id + 2].withUnsafeBufferPointer { view.store(ByteHash.hash(k.baseAddress!, k.count), k.baseAddress!, k.count, $0) }
                }
            }
            for i in 0..<limit { store(i) }
            #expect(memoPointer.pointee.count == limit)
            #expect(memoPointer.pointee.mask + 1 == PieceMemo.maxSlots)
            store(limit)   // one past the bound: emptied, then this entry stored
            #expect(memoPointer.pointee.count == 1)
            var out: [TokenID] = []
            key.withUnsafeBufferPointer { k in
                #expect(view.lookup(ByteHash.hash(k.baseAddress!, k.count), k.baseAddress!, k.count, into: &out))
            }
            let id = TokenID(limit % 1000)
            #expect(out == [id, id + 1, id + 2])
        }
    }
}

@Suite("Shared piece memo")
struct SharedPieceMemoTests {
    @Test("a published entry answers only for its own bytes; the table stops taking entries at half load")
    func exactAndBounded() throws {
        let memo = SharedPieceMemo()
        let view = try #require(memo.view)
        func hashOf(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBufferPointer { ByteHash.hash($0.baseAddress!, $0.count) } }
        func lookup(_ bytes: [UInt8], hash: UInt64? = nil) -> [TokenID]? {
            var out: [TokenID] = []
            let hit = bytes.withUnsafeBufferPointer { view.lookup(hash ?? hashOf(bytes), $0.baseAddress!, $0.count, into: &out) }
            return hit ? out : nil
        }
        func insert(_ bytes: [UInt8], _ ids: [TokenID], hash: UInt64? = nil) {
            bytes.withUnsafeBufferPointer { b in ids.withUnsafeBufferPointer { view.insert(hash ?? hashOf(bytes), b.baseAddress!, b.count, $0) } }
        }
        let piece = Array(" mergedpiece".utf8)
        #expect(lookup(piece) == nil)
        insert(piece, [7, 8, 9])
        #expect(lookup(piece) == [7, 8, 9])
        // Same hash, other bytes or another length: no answer (keys are compared byte for byte).
        #expect(lookup(Array(" mergedpiecf".utf8), hash: hashOf(piece)) == nil)
        #expect(lookup(Array(" mergedpie".utf8), hash: hashOf(piece)) == nil)
        // A second insert of the same piece changes nothing; entries that do not fit inline are not shared.
        insert(piece, [1])
        #expect(lookup(piece) == [7, 8, 9])
        let long = Array(repeating: UInt8(ascii: "x"), count: SharedPieceMemo.inlineKeyBytes + 1)
        insert(long, [1, 2])
        #expect(lookup(long) == nil)
        insert(Array("ab".utf8), [1, 2, 3, 4, 5, 6, 7])
        #expect(lookup(Array("ab".utf8)) == nil)
        // Fill to half load: later pieces are no longer published, earlier ones still answer.
        var key = Array("shared-0000000".utf8)
        func numbered(_ i: Int) -> [UInt8] {
            var v = i
            for k in 0..<7 { key[key.count - 1 - k] = UInt8(48 + v % 10); v /= 10 }
            return key
        }
        // (A piece whose 16 probed slots are all taken is not published either, so count the published ones.)
        let half = UInt64(SharedPieceMemo.slotCount / 2)
        var inserted = 0
        while view.published.pointee < half && inserted < 4 * SharedPieceMemo.slotCount {
            insert(numbered(inserted), [TokenID(inserted % 5000) + 1])
            inserted += 1
        }
        #expect(view.published.pointee == half)
        let extra = numbered(9_999_999)
        insert(extra, [42])
        #expect(lookup(extra) == nil)
        #expect(lookup(numbered(0)) == [1])
        #expect(lookup(piece) == [7, 8, 9])
    }

    @Test("threads encoding with one model concurrently get the single-thread ids")
    func concurrentEncodingIsExact() throws {
        let alphabet = Array("abcdefgh ".utf8)
        let (tokens, _) = SyntheticVocabulary.random(alphabet: alphabet, merges: 400, seed: 51)
        let model = try BPEModel(vocabulary: Vocabulary(tokens: tokens), rule: .rankOrder)
        var ranks: [[UInt8]: Int] = [:]
        for (i, t) in tokens.enumerated() { ranks[t] = i }
        let pieces = PieceMemoTests.pieces(count: 6_000, seed: 52, alphabet: alphabet)
        let expected = pieces.map { SyntheticVocabulary.referenceRankOrder($0, ranks: ranks).map { TokenID($0) } }
        // Four threads of their own (so that the model counts four users and shares its memo) walk the same
        // pieces from different starting points, publishing and reading each other's entries as the table fills.
        let wrong = Atomic<Int>(0)
        let done = DispatchGroup()
        for t in 0..<4 {
            done.enter()
            Thread {
                for round in 0..<2 {
                    for k in 0..<pieces.count {
                        let i = (k + t * pieces.count / 4 + round * 997) % pieces.count
                        if model.encode(piece: pieces[i]) != expected[i] { wrong.add(1, ordering: .relaxed) }
                    }
                }
                done.leave()
            }.start()
        }
        done.wait()
        #expect(model.sharedMemo.viewWhenShared != nil)
        #expect(wrong.load(ordering: .relaxed) == 0)
    }
}
