// Sampler: picks the next token from a log-distribution — temperature scaling, then top-k, then
// top-p (nucleus, Holtzman et al. 2020) truncation, then an inverse-CDF draw from a seeded generator.
// Temperature 0 is greedy decoding. Also the KV-cache generation loop built on it.
// Invariant: the chosen id always has non-zero probability after truncation; the same seed and
// distribution give the same id. Complexity: O(V log V) per draw when truncating, O(V) otherwise.

import Foundation
import TesseraLM

/// Sampling settings.
public struct SamplingOptions: Sendable, Equatable {
    /// Softmax temperature (0: always the most likely token).
    public var temperature: Float = 1
    /// Keep only the k most likely tokens (0: all).
    public var topK: Int = 0
    /// Keep the smallest set of most likely tokens whose probability reaches p (1: all).
    public var topP: Float = 1
    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
    }

    /// Why the settings are unusable, or nil.
    public var problem: String? {
        if !(temperature >= 0) || !temperature.isFinite { return "the temperature must be a finite number ≥ 0" }
        if topK < 0 { return "top-k must be ≥ 0" }
        if !(topP > 0 && topP <= 1) { return "top-p must be in (0, 1]" }
        return nil
    }

    /// Draws one token id from natural-log probabilities.
    public func sample(_ logProbs: [Float], using rng: inout SeededRandom) -> UInt32 {
        var best = 0
        for i in logProbs.indices where logProbs[i] > logProbs[best] { best = i }
        if temperature == 0 { return UInt32(best) }
        let mx = logProbs[best]
        var weights = logProbs.map { Double(expf(($0 - mx) / temperature)) }
        if topK > 0 || topP < 1 {
            var order = Array(weights.indices)
            order.sort { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
            var keep = topK > 0 ? min(topK, order.count) : order.count
            if topP < 1 {
                let total = weights.reduce(0, +)
                var acc = 0.0, n = 0
                while n < keep { acc += weights[order[n]]; n += 1; if acc >= Double(topP) * total { break } }
                keep = n
            }
            for j in keep..<order.count { weights[order[j]] = 0 }
        }
        let total = weights.reduce(0, +)
        var u = rng.nextDouble() * total
        for i in weights.indices where weights[i] > 0 {
            u -= weights[i]
            if u < 0 { return UInt32(i) }
        }
        return UInt32(best)   // rounding left u ≥ 0 after the last kept token: it belongs to the mode
    }
}

extension GPTModel {
    /// Continues `prompt` by up to `maxNewTokens` sampled ids with the KV cache (stops at the context
    /// length or when `onToken` returns false).
    /// - Throws: `LMError` for an empty or too long prompt, or bad settings.
    public func generate(prompt: [UInt32], maxNewTokens: Int, options: SamplingOptions, seed: UInt64,
                         onToken: (UInt32) -> Bool = { _ in true }) throws -> [UInt32] {
        if let p = options.problem { throw LMError.invalidSetting(p) }
        guard !prompt.isEmpty else { throw LMError.badShape("the prompt must hold at least one token") }
        var rng = SeededRandom(seed: seed)
        var cache = makeCache()
        var lp = try append(prompt, to: &cache)
        var out: [UInt32] = []
        while out.count < maxNewTokens {
            let t = options.sample(lp, using: &rng)
            out.append(t)
            if !onToken(t) || cache.length >= config.contextLength { break }
            lp = try append([t], to: &cache)
        }
        return out
    }
}
