// StochasTok's split table (Sims et al. 2025, arXiv 2506.01687; reference anyasims/stochastok,
// `StochastokProcessor.build_expansions`): for every non-special token t of two or more bytes, every pair
// (a, b) of vocabulary tokens whose bytes concatenate to t's bytes. Membership in the vocabulary is what
// counts, not the merge history: any split into two known tokens is a split.
//
// Layout: compressed rows — `offsets[t] ..< offsets[t+1]` indexes `pairs`, each `a << 32 | b`, in
// increasing length of a (the reference's order).
//
// Complexity: O(Σ_t |t|) exact-match lookups in the vocabulary's hash table (the reference tests
// membership against a Python list, O(|V|) per test, so ≈ |V|²·L̄ overall). o200k_base (200k tokens)
// builds in well under a second.

import TesseraBPE
import TesseraTokenizer

/// For each token, the ways to write it as two vocabulary tokens.
public struct SplitTable: Sendable {
    /// Row starts: the splits of token t are `pairs[offsets[t]..<offsets[t + 1]]`.
    public let offsets: [UInt32]
    /// Splits as `left << 32 | right`.
    public let pairs: [UInt64]

    /// Builds the table of `vocabulary`, leaving out the tokens in `excluded` (special tokens) both as
    /// tokens to split and as parts.
    /// - Complexity: O(total bytes of the vocabulary × mean token length) hash lookups.
    public init(vocabulary: Vocabulary, excluding excluded: Set<TokenID> = []) {
        let bound = vocabulary.idUpperBound
        var offsets = [UInt32](repeating: 0, count: bound + 1)
        var pairs: [UInt64] = []
        pairs.reserveCapacity(bound * 2)
        for t in 0..<bound {
            offsets[t] = UInt32(pairs.count)
            let id = TokenID(t)
            guard !excluded.contains(id), let bytes = vocabulary.bytes(of: id), bytes.count >= 2 else { continue }
            bytes.withUnsafeBufferPointer { p in
                for j in 1..<p.count {
                    guard let a = vocabulary.id(of: UnsafeBufferPointer(rebasing: p[0..<j])), !excluded.contains(a),
                          let b = vocabulary.id(of: UnsafeBufferPointer(rebasing: p[j...])), !excluded.contains(b) else { continue }
                    pairs.append(UInt64(a) << 32 | UInt64(b))
                }
            }
        }
        offsets[bound] = UInt32(pairs.count)
        self.offsets = offsets
        self.pairs = pairs
    }

    /// The table of a tokenizer's model vocabulary, its special tokens left out.
    public init(tokenizer: Tokenizer) {
        self.init(vocabulary: tokenizer.vocabulary, excluding: Set(tokenizer.specialTokens.entries.map(\.id)))
    }

    /// Number of token ids the table covers.
    public var idUpperBound: Int { offsets.count - 1 }

    /// The splits of `id` as (left, right) pairs (empty for single bytes, special and unknown ids).
    public func splits(of id: TokenID) -> [(TokenID, TokenID)] {
        guard Int(id) < idUpperBound else { return [] }
        return pairs[Int(offsets[Int(id)])..<Int(offsets[Int(id) + 1])].map {
            (TokenID(truncatingIfNeeded: $0 >> 32), TokenID(truncatingIfNeeded: $0))
        }
    }

    /// Counts for reports and checks.
    public struct Statistics: Sendable, Equatable {
        /// Tokens of two or more bytes (candidates for splitting), special tokens excluded.
        public var multiByteTokens: Int
        /// Tokens with at least one split.
        public var tokensWithSplits: Int
        /// All splits.
        public var splits: Int
        /// The most splits of one token.
        public var maximumSplits: Int
        /// Mean splits per token that has at least one.
        public var meanSplits: Double { tokensWithSplits == 0 ? 0 : Double(splits) / Double(tokensWithSplits) }
    }

    /// Counts of the table over `vocabulary` (the one it was built from).
    public func statistics(vocabulary: Vocabulary, excluding excluded: Set<TokenID> = []) -> Statistics {
        var s = Statistics(multiByteTokens: 0, tokensWithSplits: 0, splits: pairs.count, maximumSplits: 0)
        for t in 0..<idUpperBound {
            let n = Int(offsets[t + 1] - offsets[t])
            if n > 0 { s.tokensWithSplits += 1 }
            s.maximumSplits = max(s.maximumSplits, n)
            if vocabulary.byteCount(of: TokenID(t)) >= 2 && !excluded.contains(TokenID(t)) { s.multiByteTokens += 1 }
        }
        return s
    }
}
