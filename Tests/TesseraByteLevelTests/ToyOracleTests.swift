// Exactness of the byte-level algorithms on the toy oracle (notes §1.5) and on random toys.

import Foundation
import Testing
import TesseraBPE
import TesseraByteLevel
import TesseraLM
import TesseraTokenizer

func stream(_ lm: ExactTokenLM, _ toy: ToyBPE, mode: ByteLevelMode = .exact, context: [LMToken] = []) throws -> ByteStream<ExactTokenLM> {
    try ByteStream(model: lm, tokenizer: toy.byteLevel, bos: lm.bos, eos: lm.eos, mode: mode, contextTokens: context)
}

/// Byte-exact conditioning: the stream fed x from the empty string.
func exactConditional(_ lm: ExactTokenLM, _ toy: ToyBPE, _ x: [UInt8]) throws -> NextByteDistribution {
    let s = try stream(lm, toy)
    for b in x { try s.feed(b) }
    return try s.distribution()
}

/// Naive conditioning: the prompt's tokens, then the first byte of the next token.
func naiveConditional(_ lm: ExactTokenLM, _ toy: ToyBPE, _ x: [UInt8]) throws -> [Double] {
    try stream(lm, toy, context: toy.encode(x)).distribution().probabilities
}

/// Σ over token prefixes t the source can produce with dec(t_<k) ⊏ x ⊑ dec(t), of P(t), for every x at once:
/// the Byte-Token Representation, summed straight from the LM's table (independent of ByteStream).
func coverSums(_ lm: ExactTokenLM, _ toy: ToyBPE) -> [[UInt8]: Double] {
    var sums: [[UInt8]: Double] = [[]: 1]
    for (t, m) in lm.mass where !t.isEmpty && t.last != lm.eos {
        guard let before = toy.byteLevel.decode(t.dropLast()), let all = toy.byteLevel.decode(t) else { continue }
        for end in (before.count + 1)...all.count { sums[Array(all[..<end]), default: 0] += m }
    }
    return sums
}

func maxAbs(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

@Suite struct ToyOracleTests {
    let toy: ToyBPE
    let source = MarkovSource.notes()
    let lm: ExactTokenLM

    init() throws {
        toy = try ToyBPE.notes()
        lm = ExactTokenLM(source: source, toy: toy)
    }

    @Test func identityAndConditionalsAreExactOnAll1093Prefixes() throws {
        let prefixes = source.prefixes(upTo: 6)
        #expect(prefixes.count == 1093)
        let sums = coverSums(lm, toy)
        var worstIdentity = 0.0, worstConditional = 0.0, worstNaive = 0.0, worstStreamPrefix = 0.0
        for x in prefixes {
            let truth = source.prefixProbability(x)
            worstIdentity = max(worstIdentity, abs((sums[x] ?? 0) - truth))
            let d = try exactConditional(lm, toy, x)
            worstStreamPrefix = max(worstStreamPrefix, abs(exp(d.logPrefixProbability) - truth))
            worstConditional = max(worstConditional, maxAbs(d.probabilities, source.conditional(x)))
            worstNaive = max(worstNaive, maxAbs(try naiveConditional(lm, toy, x), source.conditional(x)))
            #expect(d.leakedMass < 1e-12)
        }
        #expect(worstIdentity < 1e-12)
        #expect(worstStreamPrefix < 1e-12)
        #expect(worstConditional <= 1e-9)
        // Token-level conditioning is biased: its worst error is 0.70 (notes §1.5).
        #expect(abs(worstNaive - 0.70) < 0.005, "naive worst error \(worstNaive)")
        // Full strings: the end of text is certain.
        let full = Array("abcabca".utf8)
        #expect(abs((sums[full] ?? 0) - source.prefixProbability(full)) < 1e-12)
        #expect(abs(try exactConditional(lm, toy, full).probabilities[256] - 1) < 1e-12)
    }

    @Test func testVectorsOfTheNotes() throws {
        let s = { (x: String) in Array(x.utf8) }
        let abc = { (d: [Double]) in [d[97], d[98], d[99]] }
        func close(_ a: [Double], _ b: [Double]) -> Bool { maxAbs(a, b) < 1e-12 }
        #expect(toy.encode(s("ab")) == [256])
        #expect(close(abc(try exactConditional(lm, toy, s("ab")).probabilities), [0.1, 0.3, 0.6]))
        #expect(close(abc(try naiveConditional(lm, toy, s("ab"))), [0.25, 0.75, 0]))
        #expect(toy.encode(s("ca")) == [259])
        #expect(close(abc(try exactConditional(lm, toy, s("ca")).probabilities), [0.2, 0.5, 0.3]))
        #expect(close(abc(try naiveConditional(lm, toy, s("ca"))), [0.4, 0, 0.6]))
        #expect(toy.encode(s("aab")) == [97, 256])
        #expect(close(abc(try exactConditional(lm, toy, s("aab")).probabilities), [0.1, 0.3, 0.6]))
        #expect(toy.encode(s("abc")) == [258])
        #expect(close(abc(try exactConditional(lm, toy, s("abc")).probabilities), [0.6, 0.3, 0.1]))
        #expect(close(abc(try naiveConditional(lm, toy, s("abc"))), [0.6, 0.3, 0.1]))
        for (x, p) in [("ab", 0.25), ("ca", 0.12), ("aab", 0.05)] {
            #expect(abs(exp(try exactConditional(lm, toy, s(x)).logPrefixProbability) - p) < 1e-12)
            #expect(abs((coverSums(lm, toy)[s(x)] ?? 0) - p) < 1e-12)
        }
    }

    @Test func pairTestAgreesWithReencodingOnAll66429Sequences() throws {
        let alphabet = toy.ids
        #expect(alphabet.count == 9)
        var frontier: [[TokenID]] = [[]], checked = 0, canonical = 0
        for _ in 1...5 {
            frontier = frontier.flatMap { s in alphabet.map { s + [$0] } }
            for t in frontier {
                let bytes = toy.byteLevel.decode(t)!
                let reencoded = toy.encode(bytes) == t
                #expect(toy.byteLevel.isCanonical(t) == reencoded, "\(t)")
                checked += 1
                if reencoded { canonical += 1 }
            }
        }
        #expect(checked == 66_429)
        #expect(canonical > 0 && canonical < checked)
        // `cab` can never be produced (ab merges before ca), so it is not reachable.
        #expect(!toy.byteLevel.canonicality.isReachable(261))
    }

    @Test func fastModeDiffersOnlyByTheMaskAndFloatPathIsWithin1e6() throws {
        // The toy LM gives invalid sequences zero mass, so skipping the mask changes nothing.
        for x in source.prefixes(upTo: 4) {
            let exact = try exactConditional(lm, toy, x)
            let f = try stream(lm, toy, mode: .fast)
            for b in x { try f.feed(b) }
            #expect(maxAbs(exact.probabilities, try f.distribution().probabilities) < 1e-12)
        }
        // Through a model that only offers float32 rows (the protocol's default widening), within 1e-6.
        let float = FloatRowsLM(lm)
        var worst = 0.0
        for x in source.prefixes(upTo: 6) {
            let s = try ByteStream(model: float, tokenizer: toy.byteLevel, bos: lm.bos, eos: lm.eos)
            for b in x { try s.feed(b) }
            worst = max(worst, maxAbs(try s.distribution().probabilities, source.conditional(x)))
        }
        #expect(worst <= 1e-6)
        #expect(worst > 0)   // float rounding is visible: the Double path above is really used
    }
}

/// The toy LM seen through float32 rows only (no `appendPrecise` of its own).
final class FloatRowsLM: TokenLanguageModel {
    let base: ExactTokenLM
    init(_ base: ExactTokenLM) { self.base = base }
    var vocabularySize: Int { base.vocabularySize }
    var contextLength: Int { base.contextLength }
    func makeCache() -> [LMToken] { [] }
    func append(_ tokens: [LMToken], to cache: inout [LMToken]) throws -> [Float] { try base.append(tokens, to: &cache) }
    func logProbabilities(after prefixes: [[LMToken]]) throws -> [[Float]] { try base.logProbabilities(after: prefixes) }
}
