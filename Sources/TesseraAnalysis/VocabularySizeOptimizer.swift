// The per-language vocabulary-size procedure of Arnett, Chang, Biderman & Bergen (2025, "Explaining
// and mitigating crosslingual tokenizer inequities"): with one vocabulary size for every language,
// corpus token counts (CTC) differ widely across languages; choosing each language's size so that
// all reach a common CTC narrows the premiums.
//
// Steps (for each language L of a parallel corpus):
//   1. train monolingual byte-level BPE on L's training split at each size V of a grid;
//   2. measure CTC_L(V) on L's evaluation split (the same sentences in every language);
//   3. fit CTC_L(V) = a_L + b_L · ln V by least squares (CTC falls roughly linearly in ln V);
//   4. the target CTC* is the median over languages of CTC_L(V_ref) at a reference size;
//   5. V*_L = exp((CTC* − a_L) / b_L), clamped to [V_min, V_max]; retrain at V*_L and measure again.
// Reported: CTC, premiums against the reference language, and their spread (max/min, std, coefficient
// of variation) at V_ref versus at V*_L; optionally superword BPE at V_ref (SuperBPE) for comparison.
// The fitted form and the median target are this implementation's choices (the paper's exact recipe
// was not available); both are printed with the results.
// Invariant: deterministic (training is); languages are processed in parallel, results in order.
// Complexity: (|grid| + 1 or 2) trainings and encodes per language.

import Foundation
import Synchronization
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer
import TesseraTraining

/// Settings of the procedure.
public struct VocabularySizeSettings: Sendable {
    public var grid: [Int]
    public var referenceSize: Int
    public var minimumSize: Int
    public var maximumSize: Int
    /// Superword transition as a fraction of the reference size (nil: skip superword).
    public var superwordTransition: Double?
    public var pattern: BuiltinPattern
    public var threads: Int

    public init(grid: [Int], referenceSize: Int? = nil, minimumSize: Int = 300, maximumSize: Int = 1 << 17,
                superwordTransition: Double? = 0.8, pattern: BuiltinPattern = .gpt2, threads: Int = 1) {
        self.grid = grid.sorted()
        self.referenceSize = referenceSize ?? self.grid.last ?? 4096
        self.minimumSize = minimumSize
        self.maximumSize = maximumSize
        self.superwordTransition = superwordTransition
        self.pattern = pattern
        self.threads = threads
    }
}

/// One language's results.
public struct VocabularySizeResult: Sendable {
    public var code: String
    /// CTC at each grid size.
    public var curve: [(size: Int, tokens: Int)]
    public var intercept: Double
    public var slope: Double
    /// CTC at the reference size.
    public var referenceTokens: Int
    /// The chosen size and the CTC it gives.
    public var optimalSize: Int
    public var optimalTokens: Int
    /// CTC of superword BPE at the reference size.
    public var superwordTokens: Int?
}

/// The whole run.
public struct VocabularySizeReport: Sendable {
    public var settings: VocabularySizeSettings
    public var targetTokens: Double
    public var reference: String
    public var languages: [VocabularySizeResult]

    /// Spread of CTC values: max/min, standard deviation, coefficient of variation, and premiums' max/min.
    public static func spread(_ values: [Int]) -> (ratio: Double, std: Double, cv: Double) {
        let xs = values.map(Double.init)
        let mean = xs.reduce(0, +) / Double(max(1, xs.count))
        let std = (xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, xs.count))).squareRoot()
        let lo = xs.min() ?? 0, hi = xs.max() ?? 0
        return (lo > 0 ? hi / lo : 0, std, mean > 0 ? std / mean : 0)
    }
}

/// Runs the procedure.
public enum VocabularySizeOptimizer {
    /// - Parameters:
    ///   - train: each language's training text; `evaluate`: its evaluation text (parallel across languages).
    public static func run(languages: [(code: String, train: [UInt8], evaluate: [UInt8])], reference: String,
                           settings: VocabularySizeSettings, progress: (@Sendable (String) -> Void)? = nil) throws -> VocabularySizeReport {
        guard settings.grid.count >= 2 else {
            throw CorpusError(message: "the size grid has \(settings.grid.count) size(s)", fix: "give at least two sizes to fit a curve")
        }
        guard languages.contains(where: { $0.code == reference }) else {
            throw CorpusError(message: "the reference language \(reference) is not among the languages", fix: "add it to --languages")
        }
        let pre = PatternScanner(settings.pattern)
        let counter = try PretokenCounter(preTokenizer: pre, preTokenizerName: settings.pattern.rawValue)
        let superCounter = try PretokenCounter(preTokenizer: SuperwordPreTokenizer(), preTokenizerName: "superword")

        // Stage 1: curves (parallel over languages). Each language's counts are kept for stage 2.
        let stage1 = try Parallel.map(count: languages.count, threads: settings.threads) { i -> (VocabularySizeResult, PretokenCounts) in
            let l = languages[i]
            do {
                let counts = try counter.count(l.train)
                var curve: [(Int, Int)] = []
                for v in settings.grid {
                    curve.append((v, try Self.ctc(BPETrainer.train(counts, parameters: .init(vocabularySize: v)), pre, l.evaluate)))
                }
                let referenceTokens = try Self.ctc(BPETrainer.train(counts, parameters: .init(vocabularySize: settings.referenceSize)),
                                                   pre, l.evaluate)
                let (a, b) = fit(curve)
                progress?("\(l.code): curve done")
                return (VocabularySizeResult(code: l.code, curve: curve, intercept: a, slope: b, referenceTokens: referenceTokens,
                                             optimalSize: 0, optimalTokens: 0, superwordTokens: nil), counts)
            } catch {
                throw CorpusError(message: "\(l.code): \(error)", fix: "check the language's text")
            }
        }
        let references = stage1.map(\.0.referenceTokens).sorted()
        let target = references.count % 2 == 1 ? Double(references[references.count / 2])
            : Double(references[references.count / 2 - 1] + references[references.count / 2]) / 2
        // Stage 2: retrain at the chosen sizes (and superword at the reference size).
        let results = try Parallel.map(count: stage1.count, threads: settings.threads) { i -> VocabularySizeResult in
            var (r, counts) = stage1[i]
            let l = languages[i]
            do {
                let chosen = r.slope < 0 ? exp((target - r.intercept) / r.slope) : Double(settings.referenceSize)
                r.optimalSize = Int(min(Double(settings.maximumSize), max(Double(settings.minimumSize), chosen.rounded())))
                r.optimalTokens = try Self.ctc(BPETrainer.train(counts, parameters: .init(vocabularySize: r.optimalSize)), pre, l.evaluate)
                if let fraction = settings.superwordTransition {
                    let transition = max(256, Int(Double(settings.referenceSize) * fraction))
                    let stage2 = try superCounter.count(l.train)
                    let superword = try BPETrainer.trainSuperword(stage1: counts, stage2: stage2, transitionSize: transition,
                                                                  parameters: .init(vocabularySize: settings.referenceSize))
                    r.superwordTokens = try Self.ctc(superword, SuperwordPreTokenizer(), l.evaluate)
                }
                progress?("\(l.code): V* = \(r.optimalSize)")
                return r
            } catch {
                throw CorpusError(message: "\(l.code): \(error)", fix: "check the language's text")
            }
        }
        return VocabularySizeReport(settings: settings, targetTokens: target, reference: reference, languages: results)
    }

    /// Tokens of `text` with the trained model.
    static func ctc(_ trained: TrainedBPE, _ preTokenizer: any PreTokenizer, _ text: [UInt8]) throws -> Int {
        try trained.tokenizer(name: "t", preTokenizer: preTokenizer).encode(text, specials: .asText).count
    }

    /// Least-squares fit of tokens = a + b · ln(size).
    static func fit(_ curve: [(Int, Int)]) -> (Double, Double) {
        let xs = curve.map { log(Double($0.0)) }, ys = curve.map { Double($0.1) }
        let n = Double(xs.count)
        let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
        let sxy = zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        let b = sxx > 0 ? sxy / sxx : 0
        return (my - b * mx, b)
    }
}
