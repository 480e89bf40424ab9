// The merge loop against a naive reference trainer (recount every pair after every merge), small
// hand-checked oracles, limits, continued training and the trained tokenizer's round trip.

import Testing
import TesseraBPE
import TesseraPreTokenizers
import TesseraTestSupport
import TesseraTokenizer
@testable import TesseraTraining

/// The definition, computed the slow way: recount all pairs, take the highest count, ties to the
/// smallest (left, right), merge left to right without overlap.
func referenceTrain(_ words: [([UInt32], UInt64)], merges maxMerges: Int, maxTokenLength: Int = .max) -> [(UInt32, UInt32)] {
    var words = words
    var length = [Int](repeating: 1, count: 256)
    var result: [(UInt32, UInt32)] = []
    var next: UInt32 = 256
    while result.count < maxMerges {
        var counts: [UInt64: UInt64] = [:]
        for (w, c) in words where w.count > 1 {
            for i in 0..<(w.count - 1) { counts[UInt64(w[i]) << 32 | UInt64(w[i + 1]), default: 0] += c }
        }
        var best: (count: UInt64, key: UInt64)? = nil
        for (k, c) in counts where length[Int(k >> 32)] + length[Int(k & 0xffff_ffff)] <= maxTokenLength {
            if let b = best, c < b.count || (c == b.count && k > b.key) { continue }
            best = (c, k)
        }
        guard let b = best else { break }
        let a = UInt32(b.key >> 32), r = UInt32(b.key & 0xffff_ffff)
        result.append((a, r))
        length.append(length[Int(a)] + length[Int(r)])
        for j in 0..<words.count {
            var out: [UInt32] = []
            var i = 0
            let w = words[j].0
            while i < w.count {
                if i + 1 < w.count && w[i] == a && w[i + 1] == r { out.append(next); i += 2 } else { out.append(w[i]); i += 1 }
            }
            words[j].0 = out
        }
        next += 1
    }
    return result
}

func trainPairs(_ words: [([UInt32], UInt64)], merges: Int, maxTokenBytes: Int? = nil) -> [(UInt32, UInt32)] {
    let engine = BPEMergeEngine(baseTokens: BPEMergeEngine.byteAlphabet, maxTokenBytes: maxTokenBytes)
    for (w, c) in words { engine.addWord(w, count: c) }
    engine.countPairs()
    engine.run(maxMerges: merges)
    return engine.merges.map { ($0.left, $0.right) }
}

@Suite struct TrainerTests {
    @Test func handOracle() {
        // "aaa"×1: pairs (a,a)=2 → merge → [A, a]: (A,a)=1 → merge.
        #expect(trainPairs([([97, 97, 97], 1)], merges: 5).map { [$0.0, $0.1] } == [[97, 97], [256, 97]])
        // Equal counts: (a,b) and (c,d) both 1 → smaller pair (97,98) first.
        #expect(trainPairs([([99, 100], 1), ([97, 98], 1)], merges: 1).map { [$0.0, $0.1] } == [[97, 98]])
        // "abab"×3 + "ab"×1: (a,b)=7 first; then (A,A)=3.
        #expect(trainPairs([([97, 98, 97, 98], 3), ([97, 98], 1)], merges: 3).map { [$0.0, $0.1] } == [[97, 98], [256, 256]])
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func agreesWithReferenceOnRandomCorpora(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var words: [([UInt32], UInt64)] = []
        let alphabet: [UInt32] = [97, 98, 99, 100, 32]
        for _ in 0..<200 {
            let n = Int(rng.next() % 9) + 1
            let w = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            words.append((w, rng.next() % 5 + 1))
        }
        let expected = referenceTrain(words, merges: 60)
        let got = trainPairs(words, merges: 60)
        #expect(got.map { [$0.0, $0.1] } == expected.map { [$0.0, $0.1] })
        let limited = trainPairs(words, merges: 60, maxTokenBytes: 3)
        #expect(limited.map { [$0.0, $0.1] } == referenceTrain(words, merges: 60, maxTokenLength: 3).map { [$0.0, $0.1] })
    }

    @Test func trainedTokenizerRoundTripsAndHasTheSize() throws {
        let pre = PatternScanner(.gpt2)
        let counts = try PretokenCounter(preTokenizer: pre, preTokenizerName: "gpt2").count(demoText)
        let trained = try BPETrainer.train(counts, parameters: .init(vocabularySize: 600, specialTokens: ["<|endoftext|>"]))
        #expect(trained.tokens.count + trained.specialTokens.count == 600)
        #expect(trained.specialTokens.map(\.id) == [599])
        let tokenizer = try trained.tokenizer(name: "demo", preTokenizer: pre)
        let ids = try tokenizer.encode(demoText)
        #expect(try tokenizer.decode(ids) == demoText)
        #expect(ids.count < demoText.count / 2)   // it learned something
        // Trained greedily on this text, the first merge is its most frequent pair.
        let first = trained.merges[0]
        #expect(first.count > 1000)
    }

    @Test func sameResultForAnyThreadCount() throws {
        let pre = PatternScanner(.gpt2)
        let one = try PretokenCounter(preTokenizer: pre, preTokenizerName: "gpt2").count(demoText)
        var twoCounter = try PretokenCounter(preTokenizer: pre, preTokenizerName: "gpt2", threads: 2)
        twoCounter.chunkBytes = 5000
        let two = try twoCounter.count(demoText)
        let a = try BPETrainer.train(one, parameters: .init(vocabularySize: 512))
        let b = try BPETrainer.train(two, parameters: .init(vocabularySize: 512))
        #expect(a.merges == b.merges)
        #expect(a.tokens == b.tokens)
    }

    @Test func continuedTrainingKeepsEveryIdAndMerge() throws {
        let pre = PatternScanner(.gpt2)
        let counter = try PretokenCounter(preTokenizer: pre, preTokenizerName: "gpt2")
        let half = Array(demoText.prefix(demoText.count / 2))
        let base = try BPETrainer.train(counter.count(half), parameters: .init(vocabularySize: 400, specialTokens: ["<|endoftext|>"]))
        let baseTokenizer = try base.tokenizer(name: "base", preTokenizer: pre)
        let more = try BPETrainer.continueTraining(baseTokenizer, counts: counter.count(demoText),
                                                   parameters: .init(vocabularySize: 500))
        // Old ids keep their bytes; the old special keeps its id; new ids come after it.
        for id in 0..<base.tokens.count { #expect(more.tokens[id] == base.tokens[id]) }
        #expect(more.specialTokens.map(\.id) == [399])
        #expect(more.mergePairs.prefix(base.merges.count) == base.mergePairs[...])
        let newIDs = more.merges.map(\.merged).filter { Int($0) >= base.tokens.count }
        #expect(newIDs.allSatisfy { $0 >= 400 })
        #expect(more.tokens.count == 500)
        let tokenizer = try more.tokenizer(name: "more", preTokenizer: pre)
        #expect(try tokenizer.decode(tokenizer.encode(demoText, specials: .allow)) == demoText)
    }

    @Test func rejectsImpossibleSizes() throws {
        let counts = try PretokenCounter(preTokenizer: PatternScanner(.gpt2), preTokenizerName: "gpt2").count(Array("ab".utf8))
        #expect(throws: TrainingError.self) { try BPETrainer.train(counts, parameters: .init(vocabularySize: 100)) }
        #expect(throws: TrainingError.self) {
            try BPETrainer.train(counts, parameters: .init(vocabularySize: 300, specialTokens: ["x", "x"]))
        }
    }
}
