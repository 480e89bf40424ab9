// The toy oracle's exactness on random small BPE vocabularies and random Markov sources (seeded).

import Foundation
import Testing
import TesseraBPE
import TesseraByteLevel
import TesseraTokenizer

/// A random merge list over `letters`: each merge joins two existing tokens into a new string ≤ 4 bytes.
func randomToy(seed: UInt64, letters: [UInt8], merges: Int) throws -> ToyBPE {
    var rng = SplitMix64(seed: seed)
    var tokens = letters.map { [$0] }
    var list: [([UInt8], [UInt8])] = []
    var attempts = 0
    while list.count < merges && attempts < 1000 {
        attempts += 1
        let l = tokens[Int(rng.next() % UInt64(tokens.count))], r = tokens[Int(rng.next() % UInt64(tokens.count))]
        let joined = l + r
        if joined.count > 4 || tokens.contains(joined) { continue }
        tokens.append(joined)
        list.append((l, r))
    }
    return try ToyBPE(letters: letters, merges: list)
}

func randomSource(seed: UInt64, letters: [UInt8], length: Int) -> MarkovSource {
    var rng = SplitMix64(seed: seed ^ 0x5DEECE66D)
    func row() -> [Double] {
        let w = letters.map { _ in 0.05 + Double(rng.next() >> 11) * 0x1p-53 }
        let s = w.reduce(0, +)
        return w.map { $0 / s }
    }
    return MarkovSource(letters: letters, initial: row(), transition: letters.map { _ in row() }, length: length)
}

@Suite struct RandomToyTests {
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func exactOnRandomVocabulariesAndSources(seed: UInt64) throws {
        let letters: [UInt8] = seed % 2 == 0 ? Array("abcd".utf8) : Array("abc".utf8)
        let toy = try randomToy(seed: seed, letters: letters, merges: 8)
        let source = randomSource(seed: seed, letters: letters, length: letters.count == 4 ? 5 : 6)
        let lm = ExactTokenLM(source: source, toy: toy)
        let sums = coverSums(lm, toy)
        var worstIdentity = 0.0, worstConditional = 0.0
        for x in source.prefixes(upTo: source.length - 1) {
            worstIdentity = max(worstIdentity, abs((sums[x] ?? 0) - source.prefixProbability(x)))
            let d = try exactConditional(lm, toy, x)
            worstConditional = max(worstConditional, maxAbs(d.probabilities, source.conditional(x)))
        }
        #expect(worstIdentity < 1e-12)
        #expect(worstConditional <= 1e-9)

        // The pair test agrees with re-encoding on every sequence of up to 4 of the toy's tokens.
        var frontier: [[TokenID]] = [[]]
        for _ in 1...4 {
            frontier = frontier.flatMap { s in toy.ids.map { s + [$0] } }
            for t in frontier {
                #expect(toy.byteLevel.isCanonical(t) == (toy.encode(toy.byteLevel.decode(t)!) == t), "seed \(seed): \(t)")
            }
        }
    }
}
