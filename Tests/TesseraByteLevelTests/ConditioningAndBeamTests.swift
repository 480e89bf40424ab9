// Token healing, naive conditioning, the beam approximation, sampling and typed errors on the toy oracle.

import Foundation
import Testing
import TesseraBPE
import TesseraByteLevel
import TesseraLM
import TesseraTokenizer

@Suite struct ConditioningAndBeamTests {
    let toy: ToyBPE
    let source = MarkovSource.notes()
    let lm: ExactTokenLM

    init() throws {
        toy = try ToyBPE.notes()
        lm = ExactTokenLM(source: source, toy: toy)
    }

    @Test func tokenHealingMatchesItsDefinition() throws {
        // Prompt "ab" = [ab]: healing drops it and requires the first token to start with "ab" (ab or abc).
        // A beam wide enough to keep every hypothesis: healing's own definition, exactly.
        let s = try BeamByteStream.healed(on: Array("ab".utf8), model: lm, tokenizer: toy.byteLevel, bos: lm.bos, eos: lm.eos,
                                          options: BeamOptions(width: 10_000, threshold: 0))
        let m = lm.mass
        let pAB = m[[256]] ?? 0, pABC = m[[258]] ?? 0
        // Next byte c: the first token was abc, or it was ab and the next token starts with c.
        var afterAB = [Double](repeating: 0, count: 3)
        for (t, v) in m where t.count == 2 && t[0] == 256 && t[1] != lm.eos {
            let first = toy.byteLevel.table.byte(t[1], 0)
            afterAB[Int(first) - 97] += v
        }
        let total = pAB + pABC
        let expected = [afterAB[0] / total, afterAB[1] / total, (afterAB[2] + pABC) / total]
        let d = try s.distribution().probabilities
        #expect(maxAbs([d[97], d[98], d[99]], expected) < 1e-12)
        // Here healing recovers the truth (ab's covers all start at byte 0), unlike naive conditioning.
        #expect(maxAbs([d[97], d[98], d[99]], [0.1, 0.3, 0.6]) < 1e-12)
        let naive = try PromptConditioning.naive.source(prompt: Array("ab".utf8), model: lm, tokenizer: toy.byteLevel,
                                                        bos: lm.bos, eos: lm.eos).distribution().probabilities
        #expect(maxAbs([naive[97], naive[98], naive[99]], [0.25, 0.75, 0]) < 1e-12)
        // "aab" = [a, ab]: healing keeps [a] and misses the covers that start at byte 0 (the `aa` token); under
        // this Markov source that does not change the next byte, so healing happens to be exact here.
        let heal = try PromptConditioning.tokenHealing.source(prompt: Array("aab".utf8), model: lm, tokenizer: toy.byteLevel,
                                                              bos: lm.bos, eos: lm.eos).distribution().probabilities
        let exact = try PromptConditioning.exact.source(prompt: Array("aab".utf8), model: lm, tokenizer: toy.byteLevel,
                                                        bos: lm.bos, eos: lm.eos).distribution().probabilities
        #expect(maxAbs(exact, source.conditional(Array("aab".utf8))) < 1e-12)
        #expect(maxAbs(heal, exact) < 1e-12)
        // "ca" = [ca]: the only token covering "ca" is ca itself (cab is unreachable), so healing conditions on
        // a token boundary after "ca" — as biased as naive conditioning.
        let healCA = try PromptConditioning.tokenHealing.source(prompt: Array("ca".utf8), model: lm, tokenizer: toy.byteLevel,
                                                                bos: lm.bos, eos: lm.eos).distribution().probabilities
        #expect(maxAbs([healCA[97], healCA[98], healCA[99]], [0.4, 0, 0.6]) < 1e-12)
    }

    @Test func beamIsExactWithoutPruningAndReportsItsErrorWithPruning() throws {
        var worstWide = 0.0, worstNarrow = 0.0
        for x in source.prefixes(upTo: 5) where x.count >= 1 {
            let exact = try exactConditional(lm, toy, x).probabilities
            let wide = try BeamByteStream(model: lm, tokenizer: toy.byteLevel, bos: lm.bos, eos: lm.eos,
                                          options: BeamOptions(width: 10_000, threshold: 0))
            let narrow = try BeamByteStream(model: lm, tokenizer: toy.byteLevel, bos: lm.bos, eos: lm.eos,
                                            options: BeamOptions(width: 1, threshold: 0))
            for b in x { try wide.feed(b) }
            worstWide = max(worstWide, maxAbs(exact, try wide.distribution().probabilities))
            do {
                for b in x { try narrow.feed(b) }
                worstNarrow = max(worstNarrow, maxAbs(exact, try narrow.distribution().probabilities))
            } catch ByteLevelError.zeroProbabilityPrefix {
                worstNarrow = 1   // the beam lost every hypothesis that could continue
            }
        }
        #expect(worstWide < 1e-12)
        #expect(worstNarrow > 0.01)   // a beam of one loses covers
    }

    @Test func samplingIsSeededAndGreedyAtZeroTemperature() throws {
        func draw(_ seed: UInt64, _ t: Double) throws -> [UInt8] {
            try ByteSampler.sample(try stream(lm, toy), options: ByteSamplingOptions(temperature: t, topP: 0.9, maxBytes: 20, seed: seed)).bytes
        }
        #expect(try draw(7, 1) == (try draw(7, 1)))
        let greedy = try ByteSampler.sample(try stream(lm, toy), options: ByteSamplingOptions(temperature: 0, maxBytes: 20))
        #expect(greedy.ended)
        #expect(greedy.bytes == Array("abcabca".utf8))   // a (0.5), a→b (0.5), b→c (0.6), c→a (0.6), …
        // Every sampled string has the source's length and ends with the end of text.
        for seed in 0..<20 as Range<UInt64> {
            let s = try ByteSampler.sample(try stream(lm, toy), options: ByteSamplingOptions(temperature: 1, maxBytes: 20, seed: seed))
            #expect(s.ended && s.bytes.count == 7)
        }
        #expect(ByteSampler.choose([0.2, 0.5, 0.3] + [Double](repeating: 0, count: 254), options: ByteSamplingOptions(temperature: 0),
                                   rng: &Self.rng) == 1)
    }
    nonisolated(unsafe) static var rng = SplitMix64(seed: 1)

    @Test func badInputGivesTypedErrors() throws {
        let small = ExactTokenLM(source: source, toy: toy)
        #expect(throws: ByteLevelError.badSpecialID(role: "EOS", id: 97, modelIDs: small.vocabularySize)) {
            try ByteStream(model: small, tokenizer: toy.byteLevel, bos: small.bos, eos: 97)
        }
        #expect(throws: ByteLevelError.badSpecialID(role: "BOS", id: 9999, modelIDs: small.vocabularySize)) {
            try ByteStream(model: small, tokenizer: toy.byteLevel, bos: 9999, eos: small.eos)
        }
        #expect(throws: ByteLevelError.self) { try ByteEnsemble([]) }
        #expect(throws: ByteLevelError.self) { try ByteSamplingOptions(temperature: -1).validate() }
        #expect(throws: ByteLevelError.self) { try ByteSamplingOptions(topP: 0).validate() }
        // A byte the source never produces has probability zero: feeding it is an error, not a crash.
        let s = try stream(lm, toy)
        #expect(throws: ByteLevelError.zeroProbabilityPrefix(byteOffset: 1)) { try s.feed(UInt8(ascii: "z")) }
        // An unsupported pipeline: a normalizer changes bytes, so byte prefixes lose their meaning.
        var t = toy.tokenizer
        t.normalizer = Lowercasing()
        #expect(throws: ByteLevelError.unsupportedTokenizer(name: "toy", reason: "it has a normalizer")) { try ByteLevelTokenizer(t) }
    }
}

struct Lowercasing: TextNormalizing {
    func normalizedBytes(_ text: [UInt8]) throws -> [UInt8] { text.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 } }
    var summary: String { "lowercase" }
}
