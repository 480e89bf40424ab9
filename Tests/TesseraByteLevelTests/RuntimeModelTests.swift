// Byte-level exactness with real pieces: GPT-2 pre-tokenization, rank-order BPE, and a random-weight
// transformer from TesseraTransformer whose non-canonical continuations are masked to zero.

import Foundation
import Testing
import TesseraBPE
import TesseraByteLevel
import TesseraFormats
import TesseraLM
import TesseraPreTokenizers
import TesseraTestSupport
import TesseraTokenizer
import TesseraTransformer

/// A model that gives zero mass to every token that would make the sequence non-canonical (and to every
/// special id but EOS), renormalising the rest — the ideal of a model trained on canonical encodings.
final class CanonicalMaskedLM<Base: TokenLanguageModel>: TokenLanguageModel {
    struct Cache { var base: Base.Cache; var tokens: [LMToken] }
    let base: Base, tokenizer: ByteLevelTokenizer, eos: LMToken
    init(_ base: Base, tokenizer: ByteLevelTokenizer, eos: LMToken) { self.base = base; self.tokenizer = tokenizer; self.eos = eos }
    var vocabularySize: Int { base.vocabularySize }
    var contextLength: Int { base.contextLength }
    func makeCache() -> Cache { Cache(base: base.makeCache(), tokens: []) }

    func appendPrecise(_ tokens: [LMToken], to cache: inout Cache) throws -> [Double] {
        let raw = try base.appendPrecise(tokens, to: &cache.base)
        cache.tokens += tokens
        let context = Array(cache.tokens.dropFirst())    // the first id is BOS
        var row = [Double](repeating: -.infinity, count: raw.count)
        for t in 0..<tokenizer.table.count where tokenizer.isCanonical(context + [LMToken(t)]) { row[t] = raw[t] }
        row[Int(eos)] = raw[Int(eos)]
        let m = row.max()!
        let lse = m + log(row.reduce(0) { $0 + exp($1 - m) })
        return row.map { $0 - lse }
    }
    func append(_ tokens: [LMToken], to cache: inout Cache) throws -> [Float] { try appendPrecise(tokens, to: &cache).map(Float.init) }
    func logProbabilities(after prefixes: [[LMToken]]) throws -> [[Float]] {
        try prefixes.map { var c = makeCache(); return try append($0, to: &c) }
    }
}

/// A rank-order BPE over `alphabet` with GPT-2's pre-tokenizer.
func syntheticTokenizer(seed: UInt64, merges: Int = 60, alphabet: [UInt8] = Array(" abc".utf8)) throws -> ByteLevelTokenizer {
    let (tokens, _) = SyntheticVocabulary.random(alphabet: alphabet, merges: merges, seed: seed)
    let model = try BPEModel(vocabulary: Vocabulary(tokens: tokens), rule: .rankOrder)
    return try ByteLevelTokenizer(Tokenizer(name: "synthetic", preTokenizer: PatternScanner(.gpt2), model: model))
}

func randomText(_ rng: inout SplitMix64, length: Int, alphabet: [UInt8] = Array(" abc".utf8)) -> [UInt8] {
    (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
}

/// Text from units that exercise GPT-2's pattern: contractions, digits, newlines, runs of spaces, a
/// two-byte character.
func patternText(_ rng: inout SplitMix64, units: Int) -> [UInt8] {
    let pieces = [" ", "a", "b", "'s", "\n", "1", "é", "  "].map { Array($0.utf8) }
    return (0..<units).flatMap { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }
}

/// ln P(tokens + [EOS]) by teacher forcing.
func sequenceLogProbability<M: TokenLanguageModel>(_ lm: M, bos: LMToken, _ tokens: [LMToken]) throws -> Double {
    var cache = lm.makeCache()
    var row = try lm.appendPrecise([bos], to: &cache)
    var total = 0.0
    for t in tokens {
        total += row[Int(t)]
        row = try lm.appendPrecise([t], to: &cache)
    }
    return total + row[row.count - 2]   // EOS is the id before BOS in these tests
}

@Suite struct RuntimeModelTests {
    @Test func chainedBytesEqualTheCanonicalEncodingUnderAMaskedTransformer() throws {
        for seed in [1, 2, 3] as [UInt64] {
            let rich = seed == 3
            let tok = rich ? try syntheticTokenizer(seed: seed, merges: 80, alphabet: Array(" ab's\n1é".utf8))
                           : try syntheticTokenizer(seed: seed)
            let V = tok.table.count
            let eos = LMToken(V), bos = LMToken(V + 1)
            let gpt = GPTModel(config: GPTConfig(vocabularySize: V + 2, contextLength: 48, layers: 1, heads: 2, width: 16),
                               backend: CPUBackend(threads: 1))
            gpt.initialize(seed: seed)
            let lm = CanonicalMaskedLM(gpt, tokenizer: tok, eos: eos)
            var rng = SplitMix64(seed: seed)
            for _ in 0..<6 {
                let text = rich ? patternText(&rng, units: 3 + Int(rng.next() % 8)) : randomText(&rng, length: 4 + Int(rng.next() % 10))
                let s = try ByteStream(model: lm, tokenizer: tok, bos: bos, eos: eos)
                let score = try ByteSampler.score(text, source: s, includeEnd: true)
                let direct = try sequenceLogProbability(lm, bos: bos, tok.encode(text))
                #expect(abs(score.logLikelihood - direct) < 1e-4 * max(1, abs(direct)), "\(String(decoding: text, as: UTF8.self))")
                // One model call per byte (plus the first), whatever the text.
                #expect(s.statistics.calls == text.count + 1)
            }
        }
    }

    @Test func promptSkipAndEnsembleOfOneAgreeWithFeeding() throws {
        let tok = try syntheticTokenizer(seed: 3)
        let V = tok.table.count
        let eos = LMToken(V), bos = LMToken(V + 1)
        let gpt = GPTModel(config: GPTConfig(vocabularySize: V + 2, contextLength: 48, layers: 1, heads: 2, width: 16),
                           backend: CPUBackend(threads: 1))
        gpt.initialize(seed: 3)
        let lm = CanonicalMaskedLM(gpt, tokenizer: tok, eos: eos)
        let prompt = Array("ab cab  ba cc".utf8)
        let fed = try ByteStream(model: lm, tokenizer: tok, bos: bos, eos: eos)
        for b in prompt { try fed.feed(b) }
        let skipped = try ByteStream(model: lm, tokenizer: tok, bos: bos, eos: eos, prompt: prompt)
        #expect(skipped.statistics.calls < fed.statistics.calls)
        #expect(maxAbs(try fed.distribution().probabilities, try skipped.distribution().probabilities) < 1e-5)
        let single = try ByteEnsemble([skipped])
        #expect(try single.distribution() == (try skipped.distribution()))
        // The next-byte distribution sums to one and gives no mass to bytes outside the alphabet but the end.
        let d = try fed.distribution()
        #expect(abs(d.probabilities.reduce(0, +) - 1) < 1e-12)
        #expect(d.leakedMass < 1e-9)
    }

    @Test func pairTestAgreesWithReencodingOnSyntheticAndGPT2Vocabularies() throws {
        var rng = SplitMix64(seed: 11)
        let synthetic = try syntheticTokenizer(seed: 5, merges: 120)
        var tokenizers = [synthetic]
        if let r50k = try? TokenizerLoader.load(nameOrPath: Fixtures.vocabulary("r50k_base.tiktoken").path) {
            tokenizers.append(try ByteLevelTokenizer(r50k))
        }
        let english = Array("The quick brown fox doesn't jump over 12345 lazy dogs; it's   raining.\n\n  Hello".utf8)
        for tok in tokenizers {
            var checked = 0, canonical = 0
            for _ in 0..<1500 {
                let text: [UInt8] = tok === synthetic ? randomText(&rng, length: 1 + Int(rng.next() % 12))
                    : Array(english[Int(rng.next() % 40)..<(41 + Int(rng.next() % UInt64(english.count - 41)))])
                var t = tok.encode(text)
                // Perturb: split a token into two pieces, or join two tokens whose bytes form a token.
                if rng.next() % 3 != 0, let i = t.indices.randomElement(using: &rng), tok.table.length(t[i]) > 1 {
                    let bytes = Array(tok.table.bytes(t[i]))
                    let cut = 1 + Int(rng.next() % UInt64(bytes.count - 1))
                    let left = tok.encode(bytes[..<cut]), right = tok.encode(bytes[cut...])
                    if left.count == 1 && right.count == 1 { t.replaceSubrange(i...i, with: left + right) }
                }
                let truth = tok.encode(tok.decode(t)!) == t
                #expect(tok.isCanonical(t) == truth, "\(tok.name) \(t)")
                checked += 1
                if truth { canonical += 1 }
            }
            #expect(canonical > 100 && canonical < checked - 100, "\(tok.name): \(canonical)/\(checked) canonical")
        }
    }
}

extension ByteLevelTokenizer {
    static func === (a: ByteLevelTokenizer, b: ByteLevelTokenizer) -> Bool { a.name == b.name && a.table.count == b.table.count }
}
