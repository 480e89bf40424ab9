// GPTModel+Evaluation: held-out loss in nats per token and bits per byte. Bits per byte divide the
// total negative log-likelihood (converted to bits) by the bytes of text the predicted tokens cover,
// which makes models with different tokenizers comparable (the tokenizer-independent measure used in
// the tokenization literature, e.g. Rajaraman et al.'s per-character loss).
// The stream is cut into non-overlapping windows of T+1 ids with stride T: every id but the first is
// predicted exactly once, from at most T−1 ids of context inside its window.
// Invariant: predictedTokens == count − 1 for any stream of ≥ 2 ids. Complexity: O(count) forward positions.

import Foundation

/// The result of an evaluation.
public struct LMEvaluation: Sendable, Equatable {
    /// Ids whose probability was scored.
    public var predictedTokens: Int
    /// Bytes of text those ids cover.
    public var predictedBytes: Double
    /// Σ −ln p over the predicted ids.
    public var totalNats: Double

    /// Mean loss per predicted token (nats).
    public var lossPerToken: Double { totalNats / Double(max(predictedTokens, 1)) }
    /// Bits per byte of text.
    public var bitsPerByte: Double { totalNats / log(2) / max(predictedBytes, 1e-300) }
    /// Nats per byte (per character for a single-byte alphabet).
    public var natsPerByte: Double { totalNats / max(predictedBytes, 1e-300) }
}

extension GPTModel {
    /// Scores `tokens` (see the file header for the windowing).
    /// - Parameters:
    ///   - byteLengths: bytes of text each id stands for (exact bits per byte); nil: `totalBytes` is shared
    ///     evenly, so predicted bytes = totalBytes · (count − 1) / count.
    ///   - totalBytes: bytes of the whole text (used when `byteLengths` is nil).
    ///   - batch: windows per forward pass.
    /// - Throws: `LMError` for fewer than 2 ids or ids outside the vocabulary.
    public func evaluate(tokens: [UInt32], byteLengths: [Int]? = nil, totalBytes: UInt64 = 0, batch: Int = 8) throws -> LMEvaluation {
        guard tokens.count >= 2 else { throw LMError.badShape("evaluation needs at least 2 tokens, got \(tokens.count)") }
        if let byteLengths, byteLengths.count != tokens.count {
            throw LMError.badShape("\(byteLengths.count) byte lengths for \(tokens.count) tokens")
        }
        let T = config.contextLength
        var windows: [Range<Int>] = []        // id ranges, each predicting ids (start+1)..<end
        var start = 0
        while start + 1 < tokens.count {
            let end = min(start + T + 1, tokens.count)
            windows.append(start..<end)
            start = end - 1
        }
        var nats = 0.0
        var i = 0
        while i < windows.count {
            // Windows of the same length go through together; only the last one can be shorter.
            let len = windows[i].count - 1
            var group = [windows[i]]
            while group.count < batch, i + group.count < windows.count, windows[i + group.count].count - 1 == len {
                group.append(windows[i + group.count])
            }
            var inp: [Int32] = [], tgt: [Int32] = []
            inp.reserveCapacity(group.count * len)
            tgt.reserveCapacity(group.count * len)
            for w in group {
                for j in w.lowerBound..<(w.upperBound - 1) { inp.append(Int32(truncatingIfNeeded: tokens[j])); tgt.append(Int32(truncatingIfNeeded: tokens[j + 1])) }
            }
            try forward(tokens: inp, targets: tgt, batch: group.count, length: len)
            for l in losses { nats += Double(l) }
            i += group.count
        }
        let predicted = tokens.count - 1
        let bytes: Double
        if let byteLengths { bytes = Double(byteLengths.dropFirst().reduce(0, +)) }
        else { bytes = Double(totalBytes) * Double(predicted) / Double(tokens.count) }
        return LMEvaluation(predictedTokens: predicted, predictedBytes: bytes, totalNats: nats)
    }
}
