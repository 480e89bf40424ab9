// BeamByteStream: the beam approximation of byte-level probabilities (Vieira et al., "From Language Models
// over Tokens to Language Models over Characters", ICML 2025; genlm-bytes). Instead of canonical covers it
// sums over *all* token strings that cover the bytes (no validity mask), keeping at most K hypotheses.
//
// A hypothesis is (committed tokens c, bytes u of the token in progress, weight w): the probability that
// the token stream starts with c and its next token extends u strictly (u empty: w = P(c)). Next byte a
// gets P(c)·Σ_{τ ⊒ u·a} P(τ | c) from each hypothesis (tokens found by a vocabulary-trie range), the end of
// text P(c)·P(EOS | c) from hypotheses with u empty. Feeding a moves u to u·a; when u·a is itself a token
// the hypothesis also commits it: (c + [u·a], ∅, P(c)·P(u·a | c)), which costs a model call. Then the
// beam is pruned to the K heaviest hypotheses whose weight is at least `threshold` times the heaviest, plus
// the heaviest one on a token boundary (every byte is a token, so the beam can always continue when the model
// gives every token some mass).
// Invariant: with K = ∞ and threshold 0 the result is exact for a model that gives non-canonical strings
// zero mass (tested against ByteStream on the toy oracle); otherwise it under-counts pruned mass.
// Complexity per byte: O(K · |trie range|) sums plus one model call per committed hypothesis.

import TesseraLM

/// Beam settings (genlm-bytes' README example: K = 5, prune threshold 0.05).
public struct BeamOptions: Sendable {
    public var width: Int = 5
    public var threshold: Double = 0.05
    public init(width: Int = 5, threshold: Double = 0.05) { self.width = width; self.threshold = threshold }
}

public final class BeamByteStream<Model: TokenLanguageModel>: ByteSource {
    struct Hypothesis { var context: [LMToken]; var logContext: Double; var partial: [UInt8]; var logWeight: Double }

    public let session: LMSession<Model>
    public let tokenizer: ByteLevelTokenizer
    public let eos: LMToken?
    public let options: BeamOptions
    var beam: [Hypothesis]
    var rows: [[LMToken]: [Double]] = [:]
    /// Bytes fed so far.
    public private(set) var byteCount = 0

    /// Tokens before the stream's bytes (a token prompt).
    public let contextTokens: [LMToken]
    /// Token healing: the first token after `contextTokens` must cover at least this many bytes.
    public let healLength: Int

    /// - Parameters:
    ///   - contextTokens: a token prompt in front of the bytes.
    ///   - healLength: token healing — the first token must be at least this long (the healed bytes are fed first).
    /// - Throws: `ByteLevelError.badOption` for K < 1 or a threshold outside [0, 1); model errors.
    public init(model: Model, tokenizer: ByteLevelTokenizer, bos: LMToken, eos: LMToken?, options: BeamOptions = BeamOptions(),
                contextTokens: [LMToken] = [], healLength: Int = 0) throws {
        guard options.width >= 1, options.threshold >= 0, options.threshold < 1 else {
            throw ByteLevelError.badOption("beam width must be ≥ 1 and threshold in [0, 1)")
        }
        guard model.vocabularySize >= tokenizer.table.count else {
            throw ByteLevelError.vocabularyMismatch(tokenizer: tokenizer.name, tokenizerIDs: tokenizer.table.count,
                                                    modelIDs: model.vocabularySize)
        }
        session = LMSession(model: model, bos: bos, capacity: 4 * options.width + 4)
        self.tokenizer = tokenizer
        self.eos = eos
        self.options = options
        self.contextTokens = contextTokens
        self.healLength = healLength
        beam = [Hypothesis(context: contextTokens, logContext: 0, partial: [], logWeight: 0)]
        rows[contextTokens] = try session.row(after: contextTokens)
    }

    /// The shortest token `h` may use next: the healed length for the first token, else 1.
    @inline(__always) func minimumLength(_ h: Hypothesis) -> Int {
        h.context.count == contextTokens.count ? healLength : 0
    }

    public var statistics: LMCallStatistics { session.statistics }

    func row(_ context: [LMToken]) throws -> [Double] {
        if let r = rows[context] { return r }
        let r = try session.row(after: context)
        rows[context] = r
        return r
    }

    public func distribution() throws -> NextByteDistribution {
        let table = tokenizer.table, trie = tokenizer.trie
        let ref = beam.map(\.logWeight).max() ?? -.infinity
        guard ref.isFinite else { throw ByteLevelError.zeroProbabilityPrefix(byteOffset: byteCount) }
        var mass = [Double](repeating: 0, count: 257)
        var Z = 0.0
        for h in beam {
            Z += _exp(h.logWeight - ref)
            let r = try row(h.context)
            let scale = _exp(h.logContext - ref)
            let k = h.partial.count, minimum = minimumLength(h)
            for i in trie.range(prefix: h.partial) {
                let t = trie.sorted[i], len = table.length(t)
                if len > k && len >= minimum { mass[Int(table.byte(t, k))] += scale * _exp(r[Int(t)]) }
            }
            if k == 0 && minimum == 0, let eos { mass[256] += scale * _exp(r[Int(eos)]) }
        }
        let total = mass.reduce(0, +)
        guard total > 0 else { throw ByteLevelError.zeroProbabilityPrefix(byteOffset: byteCount) }
        return NextByteDistribution(probabilities: mass.map { $0 / total }, logPrefixProbability: ref + _log(Z),
                                    leakedMass: max(0, 1 - total / Z))
    }

    public func feed(_ a: UInt8) throws {
        let table = tokenizer.table, trie = tokenizer.trie
        var next: [Hypothesis] = []
        for h in beam {
            let r = try row(h.context)
            let u = h.partial + [a]
            var extend = 0.0
            let minimum = minimumLength(h)
            for i in trie.range(prefix: u) {
                let t = trie.sorted[i], len = table.length(t)
                if len < minimum { continue }
                if len > u.count { extend += _exp(r[Int(t)]); continue }
                // u·a is a token: commit it as its own hypothesis.
                let lp = h.logContext + r[Int(t)]
                next.append(Hypothesis(context: h.context + [t], logContext: lp, partial: [], logWeight: lp))
            }
            if extend > 0 {
                next.append(Hypothesis(context: h.context, logContext: h.logContext, partial: u,
                                       logWeight: h.logContext + _log(extend)))
            }
        }
        byteCount += 1
        next = next.filter { $0.logWeight > -.infinity }
        guard !next.isEmpty else { throw ByteLevelError.zeroProbabilityPrefix(byteOffset: byteCount) }
        next.sort { $0.logWeight > $1.logWeight }
        let best = next[0].logWeight
        let floor = options.threshold > 0 ? best + _log(options.threshold) : -.infinity
        beam = Array(next.prefix(options.width).filter { $0.logWeight >= floor })
        // Keep the heaviest hypothesis that sits on a token boundary: every byte is a token, so it can always
        // continue, and the beam never dies (genlm-bytes' dead-beam problem, issue #12).
        if !beam.contains(where: { $0.partial.isEmpty }), let root = next.first(where: { $0.partial.isEmpty }) {
            beam.append(root)
        }
        // Forget rows no hypothesis uses any more.
        let live = Set(beam.map(\.context))
        rows = rows.filter { live.contains($0.key) }
        for h in beam where h.partial.isEmpty { _ = try row(h.context) }
    }
}
