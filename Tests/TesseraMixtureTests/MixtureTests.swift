// Data-mixture inference: exact recovery on a tokenizer's own training counts, the replay invariant,
// invariances (permutation, duplication) and typed errors.
import Foundation
import Testing
import TesseraMixture
import TesseraPreTokenizers
import TesseraTokenizer
import TesseraTraining

/// Whether HiGHS can be loaded (tests that solve skip with a message otherwise).
let highsAvailable: Bool = (try? HiGHSLibrary.load()) != nil

/// Synthetic "languages": each category draws words from its own syllable inventory (overlapping
/// letters, different frequencies), so their pair statistics differ the way languages' do.
enum SyntheticText {
    static let inventories: [[String]] = [
        ["ka", "ta", "na", "ri", "mo", "su", "ke", "to"],
        ["sch", "ein", "er", "ung", "die", "und", "ch", "en"],
        ["qu", "ou", "le", "la", "es", "ai", "on", "tre"],
        ["th", "ing", "an", "the", "ed", "of", "wh", "ly"],
        ["zz", "ia", "io", "ell", "are", "ino", "tti", "gli"],
        ["x", "yo", "px", "void", "int", "();", "=>", "{}"],
    ]

    static func make(category: Int, seed: UInt64, words: Int) -> [UInt8] {
        var rng = SplitMix64(seed: seed &* 1_000_003 &+ UInt64(category))
        let syllables = inventories[category % inventories.count]
        // A per-category lexicon with Zipf-like use.
        var lexicon: [String] = []
        var lexRNG = SplitMix64(seed: UInt64(category) &+ 77)
        for _ in 0..<200 {
            let n = 1 + Int(lexRNG.next() % 3)
            lexicon.append((0..<n).map { _ in syllables[Int(lexRNG.next() % UInt64(syllables.count))] }.joined())
        }
        var out = ""
        for k in 0..<words {
            let u = Double(rng.next() % 1_000_000) / 1_000_000
            let index = min(lexicon.count - 1, Int(pow(u, 3) * Double(lexicon.count)))
            out += (k == 0 ? "" : (k % 12 == 0 ? ".\n" : " ")) + lexicon[index]
        }
        return Array(out.utf8)
    }
}

func counter() throws -> PretokenCounter { try PretokenCounter(preTokenizer: PatternScanner(.gpt2), preTokenizerName: "gpt2") }

/// Trains a small BPE on the weighted sum of `texts` (text i counted `weights[i]` times).
func trainMixture(_ texts: [[UInt8]], weights: [Int], merges: Int) throws -> ByteMergeList {
    var all: [[UInt8]] = []
    for (t, w) in zip(texts, weights) { all += Array(repeating: t, count: w) }
    let counts = try counter().count(texts: all)
    let trained = try BPETrainer.train(counts, parameters: .init(vocabularySize: 256 + merges))
    return try ByteMergeList(merges: trained.merges.map { (trained.tokens[Int($0.left)], trained.tokens[Int($0.right)]) })
}

/// Solves with the default strategy (primal LP, one row per step, row ageing) unless told otherwise.
func solve(_ samples: [SampleReplay], _ merges: ByteMergeList, _ formulation: LPFormulation = .primal,
           rowsPerStep: Int = MixtureParameters().rowsPerStep, dropAfter: Int = MixtureParameters().dropAfter) throws -> MixtureResult {
    var parameters = MixtureParameters()
    parameters.formulation = formulation
    parameters.rowsPerStep = rowsPerStep
    parameters.dropAfter = dropAfter
    return try MixtureInference.infer(samples: samples, merges: merges, solver: HiGHSSolver(library: HiGHSLibrary.load()), parameters: parameters)
}

func log10MSE(_ predicted: [Double], _ truth: [Double]) -> Double {
    log10(zip(predicted, truth).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(truth.count))
}

@Suite("Data-mixture inference")
struct MixtureTests {
    @Test("replay deltas reproduce the counts, and on its own training data each merge is the arg-max pair")
    func replayInvariant() throws {
        let texts = (0..<3).map { SyntheticText.make(category: $0, seed: 1, words: 3000) }
        let merges = try trainMixture(texts, weights: [2, 1, 3], merges: 120)
        var all: [[UInt8]] = []
        for (t, w) in zip(texts, [2, 1, 3]) { all += Array(repeating: t, count: w) }
        let counts = try counter().count(texts: all)
        let replay = try SampleReplay(name: "train", counts: counts, merges: merges)
        #expect(replay.steps == 120)
        // Re-count from scratch after the first k merges: encode each word by applying merges in order.
        for k in [0, 1, 17, 60, 120] {
            let fromDeltas = replay.counts(beforeStep: k)
            var direct: [UInt64: Int64] = [:]
            for i in 0..<counts.count {
                var word = counts.key(i).map { UInt32($0) }
                for (s, m) in merges.pairs.prefix(k).enumerated() {
                    var out: [UInt32] = []
                    var j = 0
                    while j < word.count {
                        if j + 1 < word.count && word[j] == m.left && word[j + 1] == m.right { out.append(UInt32(256 + s)); j += 2 } else { out.append(word[j]); j += 1 }
                    }
                    word = out
                }
                for j in 0..<max(0, word.count - 1) { direct[UInt64(word[j]) << 32 | UInt64(word[j + 1]), default: 0] += Int64(counts.counts[i]) }
            }
            #expect(fromDeltas == direct, "counts before step \(k)")
            // The merge of step k is a most frequent pair at that point (training is greedy).
            if k < merges.count {
                let m = merges.pairs[k]
                let top = direct.values.max() ?? 0
                #expect(direct[UInt64(m.left) << 32 | UInt64(m.right)] == top, "step \(k)")
            }
        }
    }

    @Test("exact recovery: samples = the tokenizer's own training counts → zero slack, log10 MSE < −6",
          .enabled(if: highsAvailable, "HiGHS not installed (run `make deps`)"))
    func exactRecovery() throws {
        let texts = (0..<5).map { SyntheticText.make(category: $0, seed: 3, words: 4000 + 500 * $0) }
        let weights = [5, 1, 3, 2, 4]
        let merges = try trainMixture(texts, weights: weights, merges: 300)
        let samples = try texts.enumerated().map { i, t in try SampleReplay(name: "c\(i)", counts: counter().count(t), merges: merges) }
        let result = try solve(samples, merges)
        let totalBytes = zip(texts, weights).map { Double($0.count * $1) }.reduce(0, +)
        let truth = zip(texts, weights).map { Double($0.count * $1) / totalBytes }
        let predicted = result.shares.map(\.byteShare)
        #expect(result.converged)
        #expect(result.objective < 1e-6, "objective \(result.objective)")
        #expect(log10MSE(predicted, truth) < -6, "predicted \(predicted), truth \(truth)")
        #expect(abs(predicted.reduce(0, +) - 1) < 1e-9)
        #expect(result.rows > 1 && result.rounds >= 1)
    }

    @Test("held-out estimate beats the uniform guess by orders of magnitude", .enabled(if: highsAvailable, "HiGHS not installed (run `make deps`)"))
    func heldOut() throws {
        let train = (0..<4).map { SyntheticText.make(category: $0, seed: 10, words: 6000) }
        let weights = [6, 1, 2, 3]
        let merges = try trainMixture(train, weights: weights, merges: 250)
        let test = (0..<4).map { SyntheticText.make(category: $0, seed: 11, words: 6000) }
        let samples = try test.enumerated().map { i, t in try SampleReplay(name: "c\(i)", counts: counter().count(t), merges: merges) }
        let result = try solve(samples, merges)
        let total = zip(train, weights).map { Double($0.count * $1) }.reduce(0, +)
        let truth = zip(train, weights).map { Double($0.count * $1) / total }
        let uniform = [Double](repeating: 0.25, count: 4)
        #expect(log10MSE(result.shares.map(\.byteShare), truth) < log10MSE(uniform, truth) - 2)
        #expect(result.objective > 0)   // held-out counts need slack
        // The dual LP reaches the same optimum as the paper's LP solved as written.
        let dual = try solve(samples, merges, .dual)
        #expect(abs(dual.objective - result.objective) < 1e-6 * max(1, result.objective), "\(dual.objective) vs \(result.objective)")
        for (a, b) in zip(dual.shares, result.shares) { #expect(abs(a.byteShare - b.byteShare) < 1e-6, "\(dual.shares) vs \(result.shares)") }
    }

    @Test("differential: one row per step with row ageing reaches the optimum of the reference's full lazy loop",
          .enabled(if: highsAvailable, "HiGHS not installed (run `make deps`)"))
    func ageingMatchesFullLoop() throws {
        let train = (0..<5).map { SyntheticText.make(category: $0, seed: 40, words: 5000) }
        let merges = try trainMixture(train, weights: [3, 1, 4, 1, 5], merges: 300)
        let test = (0..<5).map { SyntheticText.make(category: $0, seed: 41, words: 5000) }
        let samples = try test.enumerated().map { i, t in try SampleReplay(name: "c\(i)", counts: counter().count(t), merges: merges) }
        // The reference's loop: 10 competitors per step, every row kept.
        let full = try solve(samples, merges, rowsPerStep: 10, dropAfter: 0)
        let aged = try solve(samples, merges, rowsPerStep: 1, dropAfter: 1)
        #expect(full.converged && aged.converged)
        #expect(full.rowsDropped == 0 && full.rows == full.rowsAdded + 1)
        // Ageing did act: rows were deleted and the final LP is smaller than the full loop's.
        #expect(aged.rowsDropped > 0 && aged.rows == aged.rowsAdded - aged.rowsDropped + 1 && aged.rows < full.rows)
        #expect(full.objective > 1, "held-out counts need slack: \(full.objective)")
        #expect(abs(aged.objective - full.objective) < 1e-6 * max(1, full.objective), "\(aged.objective) vs \(full.objective)")
        for (a, b) in zip(aged.shares, full.shares) { #expect(abs(a.byteShare - b.byteShare) < 1e-6, "\(aged.shares) vs \(full.shares)") }
        // Two rows per step, rows once tight kept for 5 inactive solves: the same optimum.
        var parameters = MixtureParameters()
        parameters.dropAfterTight = 5
        parameters.rowsPerStep = 2
        let eager = try MixtureInference.infer(samples: samples, merges: merges, solver: HiGHSSolver(library: HiGHSLibrary.load()),
                                               parameters: parameters)
        #expect(eager.converged && abs(eager.objective - full.objective) < 1e-6 * max(1, full.objective))
    }

    @Test("HiGHS keeps the optimal basis when inactive rows are deleted (the next solve needs no iteration)",
          .enabled(if: highsAvailable, "HiGHS not installed (run `make deps`)"))
    func deleteKeepsBasis() throws {
        let solver = try HiGHSSolver(library: HiGHSLibrary.load())
        let inf = solver.infinity
        // min x + 2y s.t. x + y ≥ 1 (binds), x − y ≥ −10 (inactive), x + 3y ≥ 0.5 (inactive at x = 1).
        try solver.addColumns(costs: [1, 2], [LinearVector](repeating: LinearVector(lower: 0, upper: inf, indices: [], values: []), count: 2))
        try solver.addRows([LinearVector(lower: 1, upper: inf, indices: [0, 1], values: [1, 1]),
                            LinearVector(lower: -10, upper: inf, indices: [0, 1], values: [1, -1]),
                            LinearVector(lower: 0.5, upper: inf, indices: [0, 1], values: [1, 3])])
        let first = try solver.solve()
        #expect(abs(first.objective - 1) < 1e-9 && first.rowValues.count == 3)
        #expect(first.rowValues[1] > -10 + 1e-6 && first.rowValues[2] > 0.5 + 1e-6)
        try solver.deleteRows([1, 2])
        #expect(solver.rowCount == 1)
        let second = try solver.solve()
        #expect(abs(second.objective - 1) < 1e-9)
        #expect(second.iterations == 0, "re-solve after deleting inactive rows took \(second.iterations) iterations")
        // A new violated row is then a warm dual-simplex start from that basis.
        try solver.addRows([LinearVector(lower: 0.5, upper: inf, indices: [1], values: [1])])
        let third = try solver.solve()
        #expect(abs(third.objective - 1.5) < 1e-9 && third.iterations >= 1)
    }

    @Test("permuting categories permutes the output; duplicating a sample leaves α unchanged",
          .enabled(if: highsAvailable, "HiGHS not installed (run `make deps`)"))
    func invariances() throws {
        let train = (0..<4).map { SyntheticText.make(category: $0, seed: 20, words: 5000) }
        let merges = try trainMixture(train, weights: [1, 4, 2, 3], merges: 200)
        let test = (0..<4).map { SyntheticText.make(category: $0, seed: 21, words: 5000) }
        let counts = try test.map { try counter().count($0) }
        let samples = try counts.enumerated().map { i, c in try SampleReplay(name: "c\(i)", counts: c, merges: merges) }
        let base = try solve(samples, merges)
        let order = [2, 0, 3, 1]
        let permuted = try solve(order.map { samples[$0] }, merges)
        for (k, i) in order.enumerated() {
            #expect(permuted.shares[k].name == base.shares[i].name)
            #expect(abs(permuted.shares[k].byteShare - base.shares[i].byteShare) < 1e-7)
        }
        // Category 1's sample twice over: counts and Z double, normalised counts and bytes/Z do not change.
        let doubled = try counter().count(texts: [test[1], test[1]])
        var twice = samples
        twice[1] = try SampleReplay(name: "c1", counts: doubled, merges: merges)
        let again = try solve(twice, merges)
        #expect(again.shares.map(\.pairWeight) == base.shares.map(\.pairWeight))
        #expect(again.shares.map(\.byteShare) == base.shares.map(\.byteShare))
    }

    @Test("merges recovered from the ranks equal the trained list; constraints start at firstConstrainedMerge",
          .enabled(if: highsAvailable, "HiGHS not installed (run `make deps`)"))
    func ranksAndFirstMerge() throws {
        let texts = (0..<3).map { SyntheticText.make(category: $0, seed: 30, words: 3000) }
        let counts = try counter().count(texts: texts)
        let trained = try BPETrainer.train(counts, parameters: .init(vocabularySize: 256 + 150))
        let tokenizer = try trained.tokenizer(name: "t", preTokenizer: PatternScanner(.gpt2))
        let listed = try ByteMergeList(tokenizer: tokenizer)
        let ranked = try ByteMergeList(tokenizer: tokenizer, fromRanks: true)
        #expect(listed.count == 150 && ranked.unreachableSkipped == 0)
        #expect(listed.pairs.map { [$0.left, $0.right] } == ranked.pairs.map { [$0.left, $0.right] })
        let samples = try texts.enumerated().map { i, t in try SampleReplay(name: "c\(i)", counts: counter().count(t), merges: listed) }
        var parameters = MixtureParameters()
        parameters.firstConstrainedMerge = 150
        let none = try MixtureInference.infer(samples: samples, merges: listed, solver: HiGHSSolver(library: HiGHSLibrary.load()),
                                              parameters: parameters)
        #expect(none.rows == 1 && none.rounds == 0 && none.activeSteps == 0 && none.converged)
        #expect(none.shares.allSatisfy { abs($0.pairWeight - 1.0 / 3) < 1e-12 })
        parameters.firstConstrainedMerge = 100
        let late = try MixtureInference.infer(samples: samples, merges: listed, solver: HiGHSSolver(library: HiGHSLibrary.load()),
                                              parameters: parameters)
        #expect(late.activeSteps <= 50 && late.activeSteps > 0 && late.objective < 1e-6)
    }

    @Test("errors: missing HiGHS, empty and duplicate categories, missing file, too few categories, bad merges")
    func errors() throws {
        #expect(throws: MixtureError.self) { try HiGHSLibrary.load(environment: ["TESSERA_HIGHS_LIBRARY": "/nonexistent/libhighs.so"]) }
        do {
            _ = try HiGHSLibrary.load(environment: ["TESSERA_HIGHS_LIBRARY": "/nonexistent/libhighs.so"])
        } catch let e as MixtureError {
            #expect(e.description.contains("make deps") && e.description.contains("/nonexistent/libhighs.so"))
        }
        let merges = try ByteMergeList(merges: [(Array("a".utf8), Array("b".utf8))])
        #expect(throws: MixtureError.emptyCategory(name: "empty")) {
            try SampleReplay(name: "empty", counts: counter().count([]), merges: merges)
        }
        #expect(throws: MixtureError.emptyCategory(name: "single")) {
            try SampleReplay(name: "single", counts: counter().count(Array("a".utf8)), merges: merges)
        }
        #expect(throws: MixtureError.invalidMerge(index: 1, problem: "its left side \"xy\" is neither a byte nor made by any merge")) {
            try ByteMergeList(merges: [(Array("a".utf8), Array("b".utf8)), (Array("xy".utf8), Array("b".utf8))])
        }
        // A side made by a later merge is allowed (the merge cannot apply before it); a repeated result is dropped.
        let forward = try ByteMergeList(merges: [(Array("a".utf8), Array("bc".utf8)), (Array("b".utf8), Array("c".utf8)),
                                                 (Array("ab".utf8), Array("c".utf8)), (Array("a".utf8), Array("b".utf8))])
        #expect(forward.count == 3 && forward.redundantDropped == 1)
        #expect(forward.pairs.map { [$0.left, $0.right] } == [[97, 257], [98, 99], [97, 98]])
        let tokenizer = try BPETrainer.train(counter().count(Array("ab ab ab abc".utf8)), parameters: .init(vocabularySize: 260))
            .tokenizer(name: "tiny", preTokenizer: PatternScanner(.gpt2))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-mixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let present = dir.appendingPathComponent("a.txt").path
        try Data("ab abc ab".utf8).write(to: URL(fileURLWithPath: present))
        #expect(throws: (any Error).self) {
            try MixtureSamples.replay([MixtureCategory(name: "a", files: [present]), MixtureCategory(name: "b", files: [dir.appendingPathComponent("missing.txt").path])],
                                      tokenizer: tokenizer, merges: merges, threads: 2)
        }
        #expect(throws: MixtureError.duplicateCategory(name: "a")) {
            try MixtureSamples.replay([MixtureCategory(name: "a", files: [present]), MixtureCategory(name: "a", files: [present])],
                                      tokenizer: tokenizer, merges: merges, threads: 1)
        }
        let one = try SampleReplay(name: "a", counts: counter().count(Array("ab abc".utf8)), merges: merges)
        final class NoSolver: LinearProgramSolver {
            let infinity = Double.infinity
            var columnCount: Int { 0 }
            var rowCount: Int { 0 }
            func addColumns(costs: [Double], _ columns: [LinearVector]) throws {}
            func addRows(_ rows: [LinearVector]) throws {}
            func deleteRows(_ indices: [Int32]) throws {}
            func solve() throws -> LinearSolution { LinearSolution(columns: [], rowDuals: [], objective: 0, iterations: 0) }
        }
        #expect(throws: MixtureError.self) { try MixtureInference.infer(samples: [one], merges: merges, solver: NoSolver()) }
    }
}
