// StochasTok: the split table on GPT-2 (r50k) against counts computed from the .tiktoken file in Python,
// exact small oracles, the expansion's contract (lossless, ⌊p·n⌋ attempts, max expansions, seeds), its
// distribution against the reference's list-splicing process, and the FLORES English length growth.
import Foundation
import Testing
import TesseraBPE
import TesseraFormats
import TesseraStochastic
import TesseraTestSupport
import TesseraTokenizer

@Suite("StochasTok")
struct StochasTokTests {
    static let r50k = Fixtures.vocabulary("r50k_base.tiktoken").path

    /// A vocabulary of the 256 bytes plus `extra` (ids 256…).
    static func vocabulary(_ extra: [String]) throws -> Vocabulary {
        try Vocabulary(tokens: (0..<256).map { [UInt8($0)] } + extra.map { Array($0.utf8) })
    }

    @Test("GPT-2: every one of the 50,000 merged tokens has a split; 108,299 splits, at most 15")
    func gpt2SplitTable() throws {
        let tokenizer = try TokenizerLoader.load(path: Self.r50k)
        let table = SplitTable(tokenizer: tokenizer)
        let excluded = Set(tokenizer.specialTokens.entries.map(\.id))
        let s = table.statistics(vocabulary: tokenizer.vocabulary, excluding: excluded)
        // Python over the same file: 50,000 tokens with ≥ 1 split, 108,299 splits (mean 2.166), max 15.
        #expect(s.multiByteTokens == 50_000)
        #expect(s.tokensWithSplits == 50_000)
        #expect(s.splits == 108_299)
        #expect(s.maximumSplits == 15)
        #expect(abs(s.meanSplits - 2.16598) < 1e-5)
        let example = try #require(tokenizer.vocabulary.id(of: Array(" example".utf8)))
        let parts = table.splits(of: example).map { (tokenizer.vocabulary.bytes(of: $0.0)!, tokenizer.vocabulary.bytes(of: $0.1)!) }
        #expect(parts.map { String(decoding: $0.0, as: UTF8.self) } == [" ", " ex", " exam"])
        #expect(parts.map { String(decoding: $0.1, as: UTF8.self) } == ["example", "ample", "ple"])
        // The special token is never split and never a part.
        #expect(table.splits(of: 50_256).isEmpty)
    }

    @Test("split table oracle: vocabulary membership, not merge history")
    func smallTable() throws {
        let v = try Self.vocabulary(["ab", "bc", "abc", "abcd", "cd"])
        let t = SplitTable(vocabulary: v)
        func pairs(_ s: String) -> [[String]] {
            t.splits(of: v.id(of: Array(s.utf8))!).map { [$0.0, $0.1].map { String(decoding: v.bytes(of: $0)!, as: UTF8.self) } }
        }
        #expect(pairs("abc") == [["a", "bc"], ["ab", "c"]])
        #expect(pairs("abcd") == [["ab", "cd"], ["abc", "d"]])
        #expect(t.splits(of: v.id(of: Array("a".utf8))!).isEmpty)
        #expect(SplitTable(vocabulary: v, excluding: [v.id(of: Array("bc".utf8))!]).splits(of: v.id(of: Array("abc".utf8))!).count == 1)
    }

    @Test("expansion: lossless, ⌊p·n⌋ attempts, seeded, max expansions respected")
    func contract() throws {
        let tokenizer = try TokenizerLoader.load(path: Self.r50k)
        let table = SplitTable(tokenizer: tokenizer)
        let text = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-kjv.txt"), encoding: .utf8)
        let ids = try tokenizer.encode(String(text.prefix(20_000)))
        let original = try tokenizer.decode(ids)
        for p in [0.0, 0.05, 0.1, 0.5, 1.0, 3.0] {
            let expander = try StochasTokExpander(table: table, probability: p)
            for seed: UInt64 in [1, 2, 3] {
                let r = expander.expand(ids, seed: seed)
                #expect(try tokenizer.decode(r.ids) == original, "p \(p) seed \(seed)")
                #expect(r.attempts == Int(Double(ids.count) * p))
                #expect(r.successes <= r.attempts && r.ids.count == ids.count + r.successes)
                #expect(expander.expand(ids, seed: seed) == r)
            }
            if p > 0 { #expect(expander.expand(ids, seed: 1).ids != expander.expand(ids, seed: 2).ids) }
        }
        let capped = try StochasTokExpander(table: table, probability: 1, maxExpansions: 7).expand(ids, seed: 5)
        #expect(capped.successes == 7 && capped.ids.count == ids.count + 7)
        #expect(try StochasTokExpander(table: table, probability: 0.1).expand([], seed: 1).ids.isEmpty)
        #expect(throws: StochasticError.self) { try StochasTokExpander(table: table, probability: -1) }
        #expect(throws: StochasticError.self) { try StochasTokExpander(table: table, probability: .infinity) }
    }

    @Test("the linked-list sampler draws the reference's distribution (exact enumeration vs 40,000 runs)")
    func distribution() throws {
        // Vocabulary: bytes + ab, bc, abc. Input [abc, ab], p = 1: two attempts on a growing sequence.
        let v = try Self.vocabulary(["ab", "bc", "abc"])
        let table = SplitTable(vocabulary: v)
        let input: [TokenID] = [v.id(of: Array("abc".utf8))!, v.id(of: Array("ab".utf8))!]
        // The reference process (uniform position of the current list, uniform split, list splice),
        // enumerated exactly.
        var exact: [[TokenID]: Double] = [:]
        func walk(_ seq: [TokenID], _ left: Int, _ p: Double) {
            if left == 0 { exact[seq, default: 0] += p; return }
            for i in seq.indices {
                let splits = table.splits(of: seq[i])
                if splits.isEmpty { walk(seq, left - 1, p / Double(seq.count)); continue }
                for (a, b) in splits {
                    walk(Array(seq[..<i]) + [a, b] + Array(seq[(i + 1)...]), left - 1, p / Double(seq.count) / Double(splits.count))
                }
            }
        }
        walk(input, 2, 1)
        let expander = try StochasTokExpander(table: table, probability: 1)
        let runs = 40_000
        var counts: [[TokenID]: Int] = [:]
        for seed in 0..<runs { counts[expander.expand(input, seed: StochasticSeed.document(99, index: seed)).ids, default: 0] += 1 }
        #expect(Set(counts.keys).isSubset(of: Set(exact.keys)))
        for (outcome, probability) in exact {
            let observed = Double(counts[outcome] ?? 0) / Double(runs)
            let sigma = (probability * (1 - probability) / Double(runs)).squareRoot()
            #expect(abs(observed - probability) <= 5 * sigma + 1e-9, "\(outcome): \(observed) vs \(probability)")
        }
    }

    @Test("FLORES English, 200 sentences: length growth ≈ +8.7 % at p = 0.1 (20 seeds in 7–10 %)")
    func floresGrowth() throws {
        guard let url = Fixtures.shared("corpora/flores200/dev/eng_Latn.dev") else {
            print("skipping FLORES growth: ../shared/corpora/flores200 is absent")
            return
        }
        let tokenizer = try TokenizerLoader.load(path: Self.r50k)
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n").prefix(200)
        // The reference figure's setting: each sentence encoded alone, the ids concatenated (5,414 tokens).
        let ids = try lines.flatMap { try tokenizer.encode($0) }
        #expect(ids.count == 5_414)
        let expander = try StochasTokExpander(table: SplitTable(tokenizer: tokenizer), probability: 0.1)
        let growth = (0..<20).map { Double(expander.expand(ids, seed: UInt64($0)).ids.count - ids.count) / Double(ids.count) }
        let mean = growth.reduce(0, +) / 20
        #expect(mean > 0.07 && mean < 0.10, "mean growth \(mean)")
    }
}
