// Small synthetic BPE vocabularies and a naive reference encoder for differential tests.
import TesseraBPE

public enum SyntheticVocabulary {
    /// All 256 single bytes (ids 0…255, id = byte) followed by `merged` tokens in rank order.
    public static func tokens(merged: [String]) -> [[UInt8]] {
        (0..<256).map { [UInt8($0)] } + merged.map { Array($0.utf8) }
    }

    /// A random rank-ordered vocabulary over `alphabet`: each new token joins two existing tokens,
    /// so every token is reachable by merges (as in a trained BPE vocabulary).
    public static func random(alphabet: [UInt8], merges: Int, seed: UInt64) -> (tokens: [[UInt8]], merges: [MergePair]) {
        var rng = SeededGenerator(seed: seed)
        var tokens: [[UInt8]] = (0..<256).map { [UInt8($0)] }
        var known = Set(tokens)
        var pool: [Int] = alphabet.map(Int.init)
        var pairs: [MergePair] = []
        var attempts = 0
        while pairs.count < merges && attempts < merges * 50 {
            attempts += 1
            let l = pool[Int(rng.next() % UInt64(pool.count))]
            let r = pool[Int(rng.next() % UInt64(pool.count))]
            let joined = tokens[l] + tokens[r]
            if joined.count > 12 || known.contains(joined) { continue }
            known.insert(joined)
            tokens.append(joined)
            pool.append(tokens.count - 1)
            pairs.append(MergePair(TokenID(l), TokenID(r)))
        }
        return (tokens, pairs)
    }

    /// Reference rank-order BPE (tiktoken semantics), written for clarity: repeatedly join the
    /// leftmost adjacent pair whose concatenation has the lowest rank. O(n²) per step.
    public static func referenceRankOrder(_ text: [UInt8], ranks: [[UInt8]: Int]) -> [Int] {
        if let whole = ranks[text] { return [whole] }
        var parts = text.map { [$0] }
        while parts.count > 1 {
            var best: (rank: Int, at: Int)? = nil
            for i in 0..<(parts.count - 1) {
                if let r = ranks[parts[i] + parts[i + 1]], best == nil || r < best!.rank { best = (r, i) }
            }
            guard let b = best else { break }
            parts[b.at] += parts[b.at + 1]
            parts.remove(at: b.at + 1)
        }
        return parts.map { ranks[$0]! }
    }

    /// Reference merge-list BPE (Hugging Face semantics): only listed pairs, earliest first, leftmost on ties.
    public static func referenceMergeList(_ text: [UInt8], tokens: [[UInt8]], merges: [MergePair], ignoreMerges: Bool) -> [Int] {
        var idOf: [[UInt8]: Int] = [:]
        for (i, t) in tokens.enumerated() { idOf[t] = i }
        if ignoreMerges, let whole = idOf[text] { return [whole] }
        var rankOf: [MergePair: Int] = [:]
        for (r, m) in merges.enumerated() where rankOf[m] == nil { rankOf[m] = r }
        var ids = text.map { idOf[[$0]]! }
        while ids.count > 1 {
            var best: (rank: Int, at: Int)? = nil
            for i in 0..<(ids.count - 1) {
                if let r = rankOf[MergePair(TokenID(ids[i]), TokenID(ids[i + 1]))], best == nil || r < best!.rank { best = (r, i) }
            }
            guard let b = best else { break }
            ids[b.at] = idOf[tokens[ids[b.at]] + tokens[ids[b.at + 1]]]!
            ids.remove(at: b.at + 1)
        }
        return ids
    }
}

/// The library's seeded generator, under the name the tests use.
public typealias SeededGenerator = SplitMix64

import TesseraPreTokenizers
import TesseraTokenizer

/// A simple pre-tokenizer for tests: runs of non-space non-newline bytes take one leading space
/// (" ?[^ \n]+"), leftover spaces form their own piece, and each "\n" is a piece.
public struct SpaceWordPreTokenizer: PreTokenizer {
    public init() {}
    public func canCut(_ text: UnsafeBufferPointer<UInt8>, before position: Int) -> Bool { true }
    public func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        var i = 0
        let n = text.count
        while i < n {
            let start = i
            if text[i] == 0x0A { i += 1; body(start..<i); continue }
            if text[i] == 0x20 {
                while i < n && text[i] == 0x20 { i += 1 }
                if i < n && text[i] != 0x0A && i - start >= 1 {
                    // Leave the last space to prefix the word.
                    if i - 1 > start { body(start..<(i - 1)) }
                    let wordStart = i - 1
                    while i < n && text[i] != 0x20 && text[i] != 0x0A { i += 1 }
                    body(wordStart..<i)
                } else {
                    body(start..<i)
                }
                continue
            }
            while i < n && text[i] != 0x20 && text[i] != 0x0A { i += 1 }
            body(start..<i)
        }
    }
}

public enum SyntheticTokenizer {
    /// A rank-order tokenizer over a random vocabulary plus two special tokens (ids 100000, 100001).
    public static func make(seed: UInt64 = 1) throws -> Tokenizer {
        let (tokens, _) = SyntheticVocabulary.random(alphabet: Array("abcdefgh ".utf8), merges: 300, seed: seed)
        let vocabulary = try Vocabulary(tokens: tokens)
        let model = try BPEModel(vocabulary: vocabulary, rule: .rankOrder)
        let specials = try SpecialTokens([("<|end|>", 100_000), ("<|endoftext|>", 100_001)], vocabulary: vocabulary)
        return Tokenizer(name: "synthetic", preTokenizer: SpaceWordPreTokenizer(), model: model, specialTokens: specials)
    }
}
