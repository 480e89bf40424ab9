// BPE-dropout (Provilkov, Emelianenko & Voita, ACL 2020): encode with BPE, but at every merge step each
// applicable merge is dropped with probability p; the best surviving merge is applied, and the word is
// done when every candidate was dropped. With p = 0 this is plain BPE; with p = 1 every piece stays in bytes.
//
// Implementation: the lazy form of the authors' reference (VProv/BPE-Dropout, bpe.py `tokenize_word`),
// which draws the same distribution: valid candidates come off a min-heap in (rank, position) order; each
// is dropped with probability p and set aside, and the first one kept is applied, after which the set-aside
// ones go back into the heap. Stale heap entries are discarded before any coin is flipped, as in the
// reference. (Hugging Face `tokenizers`' BPE(dropout=p) draws a different, milder distribution: on FLORES
// English with GPT-2, +11.9 % tokens at p = 0.1 against the reference's and Tessera's ≈ +27.5 %.) The merge rule is the model's own: merge-list rank (Hugging Face files) or the rank
// of the concatenated bytes (tiktoken files). With p > 0 there is no whole-piece shortcut (tiktoken's
// lookup, `ignore_merges`): a word found whole in the vocabulary would otherwise never be split, which is
// the point of dropout. With p = 0 the model's deterministic path runs unchanged.
//
// This is a separate `TokenModel` wrapping `BPEModel`, so the deterministic encoder keeps its fast path;
// its merge loop is `BPEModel.Encoder.heapMerge`'s (linked parts, lazy heap) plus the set-aside list.
// Randomness: one `SplitMix64` per model value; `Tokenizer.withBPEDropout` makes a fresh one per document.
//
// Invariant: the ids tile each piece (merges only join adjacent parts whose bytes form a token).
// Complexity: O(n log n) per piece of n bytes, plus O(1) expected per dropped candidate.

import Synchronization
import TesseraBPE
import TesseraTokenizer

/// BPE-dropout over one BPE model: the shared tables, from which a seeded model is made per document.
public struct BPEDropout: Sendable {
    public let base: BPEModel
    /// p: the chance that a candidate merge is skipped at a step.
    public let probability: Double
    /// Merge-list models: (left, right) → rank << 32 | merged id. Nil for rank-order (tiktoken) models.
    let merges: [UInt64: UInt64]?

    /// - Throws: `StochasticError.invalidProbability` unless 0 ≤ p ≤ 1.
    /// - Complexity: O(merges) once; models made from it cost O(1).
    public init(base: BPEModel, probability: Double) throws {
        guard probability >= 0, probability <= 1 else { throw StochasticError.invalidProbability("--dropout", probability) }
        self.base = base
        self.probability = probability
        if case .mergeList(let list, _) = base.rule {
            var table: [UInt64: UInt64] = [:]
            table.reserveCapacity(list.count)
            var joined: [UInt8] = []
            for (rank, m) in list.enumerated() {
                let key = UInt64(m.left) << 32 | UInt64(m.right)
                guard table[key] == nil, let l = base.vocabulary.bytes(of: m.left), let r = base.vocabulary.bytes(of: m.right) else { continue }
                joined.removeAll(keepingCapacity: true)
                joined.append(contentsOf: l)
                joined.append(contentsOf: r)
                // BPEModel's initializer already checked that every merge result is a token.
                guard let merged = base.vocabulary.id(of: joined) else { continue }
                table[key] = UInt64(rank) << 32 | UInt64(merged)
            }
            merges = table
        } else {
            merges = nil
        }
    }

    /// A model drawing from its own generator seeded with `seed` (one per document).
    public func model(seed: UInt64) -> BPEDropoutModel {
        BPEDropoutModel(dropout: self, random: RandomSource(seed: seed))
    }
}

/// A byte-level BPE model that drops merges at random. Encode one document with one model value on one
/// thread: its generator advances with every piece.
public struct BPEDropoutModel: TokenModel, Sendable {
    let dropout: BPEDropout
    let random: RandomSource

    public var base: BPEModel { dropout.base }
    public var probability: Double { dropout.probability }
    private var merges: [UInt64: UInt64]? { dropout.merges }

    public var vocabulary: Vocabulary { base.vocabulary }

    public var summary: String { base.summary + ", BPE-dropout p = \(probability)" }

    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        guard probability > 0 else {
            base.encode(piece: piece, into: &ids, spans: spans)
            return
        }
        guard let text = piece.baseAddress, piece.count > 0 else { return }
        let before = ids.count
        random.withGenerator { rng in merge(text, piece.count, rng: &rng, into: &ids) }
        if let spans {
            for i in before..<ids.count { spans.pointee.append(vocabulary.byteCount(of: ids[i])) }
        }
    }

    private static let noMerge = UInt64.max

    /// The packed (rank, merged id) of joining parts [a, b) and [b, c), or `noMerge`.
    @inline(__always)
    private func join(_ text: UnsafePointer<UInt8>, _ a: Int, _ c: Int, _ left: TokenID, _ right: TokenID) -> UInt64 {
        if let merges { return merges[UInt64(left) << 32 | UInt64(right)] ?? Self.noMerge }
        guard let id = vocabulary.id(of: UnsafeBufferPointer(start: text + a, count: c - a)) else { return Self.noMerge }
        return UInt64(id) << 32 | UInt64(id)
    }

    private func merge(_ text: UnsafePointer<UInt8>, _ n: Int, rng: inout SplitMix64, into out: inout [TokenID]) {
        // Parts are linked by the index of their first byte.
        var next = (0..<n).map { Int32($0 + 1) }
        var previous = (0..<n).map { Int32($0 - 1) }
        var ids = (0..<n).map { vocabulary.idOfByte[Int(text[$0])] }
        var pairValue = [UInt64](repeating: Self.noMerge, count: n)
        var heap = MinHeap64()
        heap.reserve(n)
        for i in 0..<(n - 1) {
            let v = join(text, i, i + 2, ids[i], ids[i + 1])
            pairValue[i] = v
            if v != Self.noMerge { heap.push((v >> 32) << 32 | UInt64(i)) }
        }
        var skipped: [UInt64] = []
        // 2^53 · p: a draw below it (53 random bits) is a drop, exactly probability p up to rounding.
        let threshold = UInt64(probability * 9_007_199_254_740_992.0)
        while let top = heap.pop() {
            let at = Int(top & 0xffff_ffff)
            let v = pairValue[at]
            guard v != Self.noMerge, v >> 32 == top >> 32 else { continue }   // stale entry
            if rng.next() >> 11 < threshold {
                skipped.append(top)
                continue
            }
            for s in skipped { heap.push(s) }
            skipped.removeAll(keepingCapacity: true)
            let right = Int(next[at])
            ids[at] = TokenID(truncatingIfNeeded: v)
            let afterRight = Int(next[right])
            next[at] = Int32(afterRight)
            if afterRight < n { previous[afterRight] = Int32(at) }
            pairValue[right] = Self.noMerge
            if afterRight < n {
                let nv = join(text, at, Int(next[afterRight]), ids[at], ids[afterRight])
                pairValue[at] = nv
                if nv != Self.noMerge { heap.push((nv >> 32) << 32 | UInt64(at)) }
            } else {
                pairValue[at] = Self.noMerge
            }
            let before = Int(previous[at])
            if before >= 0 {
                let nv = join(text, before, afterRight, ids[before], ids[at])
                pairValue[before] = nv
                if nv != Self.noMerge { heap.push((nv >> 32) << 32 | UInt64(before)) }
            }
        }
        var p = 0
        while p < n { out.append(ids[p]); p = Int(next[p]) }
    }
}

/// A seeded generator behind a lock, so the `Sendable` model value can carry mutable state. Each document
/// gets its own model (see `Tokenizer.withBPEDropout`), so the lock is never contended.
final class RandomSource: Sendable {
    private let state: Mutex<SplitMix64>
    init(seed: UInt64) { state = Mutex(SplitMix64(seed: seed)) }
    func withGenerator<T>(_ body: (inout SplitMix64) -> T) -> T {
        state.withLock { body(&$0) }
    }
}
