// StochasTok expansion (Sims et al. 2025, arXiv 2506.01687; reference `StochastokProcessor.expand`):
// given the ids of one document from the deterministic tokenizer, make ⌊p·n⌋ attempts; each picks a
// position uniformly from the *current* sequence (which grows as tokens split) and, if that token has
// splits, replaces it by one of them chosen uniformly. Pieces can be split again later, down to bytes.
// Decoding is unchanged: a split's two parts concatenate to the token's bytes.
//
// Linear time: a uniform position of the current sequence is the same as a uniform element of the
// multiset of current pieces, so the pieces live in an array in creation order (for drawing) and are
// chained in text order by `next` links (for the output). Splitting piece r into (a, b) rewrites r as a
// and appends b right after it in the chain: O(1). The reference splices a Python list per success,
// O(p·n²) for a document of n tokens.
//
// Randomness: one `SplitMix64`, seeded per document (`StochasticSeed`), so output depends only on the
// seed, the document's index and its ids — never on thread count or on other documents.
//
// Invariant: the output decodes to the same bytes as the input; attempts = min(⌊p·n⌋, attempts made
// before `maxExpansions` successes); successes = output count − input count.
// Complexity: O(n + ⌊p·n⌋) time and memory.

import TesseraBPE
import TesseraTokenizer

/// Applies StochasTok to token sequences.
public struct StochasTokExpander: Sendable {
    public let table: SplitTable
    /// p (`expand_prop`): attempts per input token.
    public let probability: Double
    /// Stop after this many successful splits (the reference's `max_num_to_expand`), nil for no limit.
    public let maxExpansions: Int?

    /// - Throws: `StochasticError.invalidProbability` unless 0 ≤ p and p is finite (p may exceed 1).
    public init(table: SplitTable, probability: Double, maxExpansions: Int? = nil) throws {
        guard probability >= 0, probability.isFinite else { throw StochasticError.invalidProbability("--stochastok", probability) }
        self.table = table
        self.probability = probability
        self.maxExpansions = maxExpansions
    }

    /// The outcome of one expansion.
    public struct Result: Sendable, Equatable {
        public var ids: [TokenID]
        /// Draws made (⌊p·n⌋ unless `maxExpansions` stopped early).
        public var attempts: Int
        /// Draws that split a token.
        public var successes: Int
    }

    /// Expands `ids` with a generator seeded by `seed` (use `StochasticSeed.document` for documents).
    public func expand(_ ids: [TokenID], seed: UInt64) -> Result {
        var rng = SplitMix64(seed: seed)
        return expand(ids, using: &rng)
    }

    /// Expands `ids`, drawing from `rng`.
    public func expand(_ ids: [TokenID], using rng: inout SplitMix64) -> Result {
        let n = ids.count
        // Python's int(len(token_ids) * expand_prop).
        let attemptsPlanned = Int(Double(n) * probability)
        guard n > 0, attemptsPlanned > 0 else { return Result(ids: ids, attempts: 0, successes: 0) }
        let capacity = n + attemptsPlanned
        var piece = [TokenID](repeating: 0, count: capacity)
        var next = [Int32](repeating: -1, count: capacity)
        var attempts = 0, successes = 0
        var count = n
        table.offsets.withUnsafeBufferPointer { offsets in
            table.pairs.withUnsafeBufferPointer { pairs in
                piece.withUnsafeMutableBufferPointer { piece in
                    next.withUnsafeMutableBufferPointer { next in
                        for i in 0..<n {
                            piece[i] = ids[i]
                            next[i] = Int32(i + 1)
                        }
                        next[n - 1] = -1
                        let bound = offsets.count - 1
                        let limit = maxExpansions ?? Int.max
                        while attempts < attemptsPlanned && successes < limit {
                            attempts += 1
                            let r = Int(rng.next(upperBound: UInt64(count)))
                            let t = Int(piece[r])
                            guard t < bound else { continue }
                            let start = Int(offsets[t]), end = Int(offsets[t + 1])
                            guard end > start else { continue }
                            let pair = pairs[start + Int(rng.next(upperBound: UInt64(end - start)))]
                            piece[r] = TokenID(truncatingIfNeeded: pair >> 32)
                            piece[count] = TokenID(truncatingIfNeeded: pair)
                            next[count] = next[r]
                            next[r] = Int32(count)
                            count += 1
                            successes += 1
                        }
                    }
                }
            }
        }
        var out = [TokenID]()
        out.reserveCapacity(count)
        piece.withUnsafeBufferPointer { piece in
            next.withUnsafeBufferPointer { next in
                var i: Int32 = 0
                while i >= 0 {
                    out.append(piece[Int(i)])
                    i = next[Int(i)]
                }
            }
        }
        return Result(ids: out, attempts: attempts, successes: successes)
    }
}

/// Per-document seeds: document i of a run with seed s draws from `SplitMix64(seed: document(s, i))`, so
/// every document's randomness is fixed by (s, i) alone, whatever the thread count or the other documents.
public enum StochasticSeed {
    /// The seed of document `index` in a run seeded with `seed`: one SplitMix64 output after mixing the two.
    public static func document(_ seed: UInt64, index: Int) -> UInt64 {
        var g = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
        return g.next()
    }
}

/// Errors of the stochastic tokenizers.
public enum StochasticError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A probability outside its range: (option, value).
    case invalidProbability(String, Double)
    /// BPE-dropout needs a byte-level BPE model.
    case notBPE(String)

    public var description: String {
        switch self {
        case .invalidProbability(let option, let p):
            return option == "--dropout"
                ? "\(option) must be a probability in [0, 1], got \(p)"
                : "\(option) must be a finite number ≥ 0 (attempts per token), got \(p)"
        case .notBPE(let summary):
            return "BPE-dropout needs a byte-level BPE tokenizer, but this one is: \(summary). Fix: pick a BPE vocabulary "
                + "(.tiktoken, tokenizer.json with a BPE model, vocab.json + merges.txt)"
        }
    }
}
