// The toy oracle of ../shared/research/methods-byteprob-transfer-dynamic-theory-runtime.md §1.5: a small
// merge-list BPE without pre-tokenization, a Markov byte source over fixed-length strings, and the token
// language model that tokenizing that source induces (brute force over every string), which gives
// non-canonical token sequences zero mass. Everything is exact in Double.

import TesseraBPE
import TesseraByteLevel
import TesseraLM
import TesseraPreTokenizers
import TesseraTokenizer

/// A BPE over a few letters (all 256 bytes exist, as BPEModel requires; the source uses only the letters).
struct ToyBPE {
    let tokenizer: Tokenizer
    let byteLevel: ByteLevelTokenizer
    /// The ids the source can produce: the letters, then the merges in rank order.
    let ids: [TokenID]

    /// - Parameter merges: pairs of token strings, in rank order.
    init(letters: [UInt8], merges: [([UInt8], [UInt8])]) throws {
        var entries: [(bytes: [UInt8], id: TokenID)] = (0..<256).map { ([UInt8($0)], TokenID($0)) }
        var idOf: [[UInt8]: TokenID] = [:]
        for e in entries { idOf[e.bytes] = e.id }
        var pairs: [MergePair] = []
        var ids = letters.map { TokenID($0) }
        for (l, r) in merges {
            let joined = l + r
            let id = TokenID(entries.count)
            entries.append((joined, id))
            idOf[joined] = id
            pairs.append(MergePair(idOf[l]!, idOf[r]!))
            ids.append(id)
        }
        let model = try BPEModel(vocabulary: Vocabulary(entries: entries), rule: .mergeList(pairs, ignoreMerges: false))
        tokenizer = Tokenizer(name: "toy", preTokenizer: WholeTextPreTokenizer(), model: model)
        byteLevel = try ByteLevelTokenizer(tokenizer)
        self.ids = ids
    }

    /// The toy of the notes: {a,b,c}, merges (a,b) (b,c) (ab,c) (c,a) (a,a) (ca,b).
    static func notes() throws -> ToyBPE {
        let s = { (x: String) in Array(x.utf8) }
        return try ToyBPE(letters: s("abc"), merges: [(s("a"), s("b")), (s("b"), s("c")), (s("ab"), s("c")),
                                                      (s("c"), s("a")), (s("a"), s("a")), (s("ca"), s("b"))])
    }

    func encode(_ bytes: [UInt8]) -> [TokenID] { (try? tokenizer.encode(bytes)) ?? [] }
}

/// Strings of exactly `length` letters from a first-order Markov chain, then the end of text.
struct MarkovSource {
    let letters: [UInt8]
    let initial: [Double]
    let transition: [[Double]]
    let length: Int

    static func notes() -> MarkovSource {
        MarkovSource(letters: Array("abc".utf8), initial: [0.5, 0.3, 0.2],
                     transition: [[0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.6, 0.3, 0.1]], length: 7)
    }

    func index(_ b: UInt8) -> Int { letters.firstIndex(of: b)! }

    /// P(the string starts with x), for |x| ≤ length.
    func prefixProbability(_ x: [UInt8]) -> Double {
        guard let f = x.first else { return 1 }
        var p = initial[index(f)]
        for i in 1..<max(1, x.count) { p *= transition[index(x[i - 1])][index(x[i])] }
        return p
    }

    /// The true next-outcome probabilities after x (257 entries: bytes, then the end).
    func conditional(_ x: [UInt8]) -> [Double] {
        var p = [Double](repeating: 0, count: 257)
        if x.count == length { p[256] = 1; return p }
        let row = x.last.map { transition[index($0)] } ?? initial
        for (i, l) in letters.enumerated() { p[Int(l)] = row[i] }
        return p
    }

    /// Every string of `length` letters with its probability.
    func strings() -> [([UInt8], Double)] {
        var out: [([UInt8], Double)] = [([], 1)]
        for _ in 0..<length {
            out = out.flatMap { s, p in letters.enumerated().map { i, l in
                (s + [l], p * (s.last.map { transition[index($0)][i] } ?? initial[i])) } }
        }
        return out
    }

    /// All prefixes of length 0…length−1.
    func prefixes(upTo n: Int) -> [[UInt8]] {
        var all: [[UInt8]] = [[]], frontier: [[UInt8]] = [[]]
        for _ in 0..<n { frontier = frontier.flatMap { s in letters.map { s + [$0] } }; all += frontier }
        return all
    }
}

/// The exact token LM induced by tokenizing a source: P(τ | t) = mass(t + τ) / mass(t), where mass(t) is the
/// probability that the source's token stream (with EOS appended) starts with t. The first id of every
/// prefix is BOS and is skipped.
final class ExactTokenLM: TokenLanguageModel {
    typealias Cache = [LMToken]
    let vocabularySize: Int
    let contextLength = 64
    let bos: LMToken, eos: LMToken
    /// Token-prefix masses, keyed by the prefix (without BOS).
    private(set) var mass: [[LMToken]: Double] = [:]

    init(source: MarkovSource, toy: ToyBPE) {
        eos = LMToken(toy.byteLevel.table.count)
        bos = eos + 1
        vocabularySize = Int(bos) + 1
        for (s, p) in source.strings() {
            let t = toy.encode(s) + [eos]
            for k in 0...t.count { mass[Array(t[..<k]), default: 0] += p }
        }
    }

    func makeCache() -> [LMToken] { [] }

    func appendPrecise(_ tokens: [LMToken], to cache: inout [LMToken]) throws -> [Double] {
        cache += tokens
        let context = Array(cache.dropFirst())
        let m = mass[context] ?? 0
        var row = [Double](repeating: -Double.infinity, count: vocabularySize)
        guard m > 0 else {   // a context the source never produces: any distribution will do
            return row.map { _ in -log(Double(vocabularySize)) }
        }
        var key = context + [0]
        for t in 0..<vocabularySize {
            key[key.count - 1] = LMToken(t)
            if let mt = mass[key], mt > 0 { row[t] = log(mt / m) }
        }
        return row
    }

    func append(_ tokens: [LMToken], to cache: inout [LMToken]) throws -> [Float] {
        try appendPrecise(tokens, to: &cache).map(Float.init)
    }

    func logProbabilities(after prefixes: [[LMToken]]) throws -> [[Float]] {
        try prefixes.map { var c = makeCache(); return try append($0, to: &c) }
    }
}

import Foundation
