// Tokenizer-level helpers: a tokenizer copy with BPE-dropout, and StochasTok over a tokenizer's output.

import TesseraBPE
import TesseraTokenizer

extension Tokenizer {
    /// A copy of this tokenizer whose BPE model drops merges (see `BPEDropout`), seeded with `seed`.
    /// The copy is meant for one document on one thread.
    public func withBPEDropout(_ dropout: BPEDropout, seed: UInt64) -> Tokenizer {
        var copy = self
        copy.model = dropout.model(seed: seed)
        return copy
    }

    /// BPE-dropout tables for this tokenizer's model.
    /// - Throws: `StochasticError.notBPE` for a model that is not byte-level BPE, `.invalidProbability`.
    public func bpeDropout(probability: Double) throws -> BPEDropout {
        guard let bpe = bpeModel else { throw StochasticError.notBPE(model.summary) }
        return try BPEDropout(base: bpe, probability: probability)
    }
}
