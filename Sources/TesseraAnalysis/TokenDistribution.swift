// TokenDistribution: how often each token type occurs in a tokenized text, and the information-theoretic
// efficiencies computed from it.
//
// Shannon efficiency  H(p) / log2 |V|,  H(p) = −Σ p(v) log2 p(v)
// Rényi efficiency    H_α(p) / log2 |V|, H_α(p) = log2(Σ p(v)^α) / (1 − α)   (α ≠ 1; α = 2.5 by default,
//                     the value Zouhar et al. 2023 found to correlate best with downstream BLEU)
// Convention (that of the `tokenization-scorer` package): p(v) = f(v) / Σ f, and |V| is the number of
// *observed* types unless a vocabulary size is given; both are reported by `TokenizerStatistics`.
// With one observed type log2 |V| = 0 and the efficiencies are undefined (nil).
// Complexity: O(observed types) per metric.

import Foundation
import TesseraBPE

/// Token-type frequencies.
public struct TokenDistribution: Sendable, Equatable {
    /// Count of each id (index = id); ids never seen are 0.
    public private(set) var counts: [UInt64]
    /// Total tokens.
    public private(set) var total: UInt64 = 0

    public init(idUpperBound: Int = 0) {
        counts = [UInt64](repeating: 0, count: max(0, idUpperBound))
    }

    /// Counts every id of `ids`.
    public mutating func add<S: Sequence<TokenID>>(_ ids: S) {
        for id in ids {
            let i = Int(id)
            if i >= counts.count { counts.append(contentsOf: repeatElement(0, count: i + 1 - counts.count)) }
            counts[i] += 1
            total += 1
        }
    }

    /// Adds another distribution.
    public mutating func add(_ other: TokenDistribution) {
        if other.counts.count > counts.count { counts.append(contentsOf: repeatElement(0, count: other.counts.count - counts.count)) }
        for (i, c) in other.counts.enumerated() where c > 0 { counts[i] += c }
        total += other.total
    }

    /// Number of distinct ids seen.
    public var observedTypes: Int { counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    /// Shannon entropy in bits.
    public var shannonEntropy: Double {
        guard total > 0 else { return 0 }
        let n = Double(total)
        var h = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / n
            h -= p * log2(p)
        }
        return h
    }

    /// Rényi entropy of order `alpha` in bits (`alpha` = 1 gives the Shannon entropy).
    public func renyiEntropy(alpha: Double) -> Double {
        guard total > 0 else { return 0 }
        if abs(alpha - 1) < 1e-12 { return shannonEntropy }
        let n = Double(total)
        var sum = 0.0
        for c in counts where c > 0 { sum += pow(Double(c) / n, alpha) }
        return log2(sum) / (1 - alpha)
    }

    /// Shannon efficiency; `vocabularySize` nil means the observed types.
    public func shannonEfficiency(vocabularySize: Int? = nil) -> Double? {
        let v = Double(vocabularySize ?? observedTypes)
        return v > 1 ? shannonEntropy / log2(v) : nil
    }

    /// Rényi efficiency of order `alpha`; `vocabularySize` nil means the observed types.
    public func renyiEfficiency(alpha: Double = 2.5, vocabularySize: Int? = nil) -> Double? {
        let v = Double(vocabularySize ?? observedTypes)
        return v > 1 ? renyiEntropy(alpha: alpha) / log2(v) : nil
    }
}
