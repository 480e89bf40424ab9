// ByteMergeList: a tokenizer's ordered merges as byte strings, numbered for replay — the 256 bytes
// are ids 0…255 and each merge that makes new bytes gets the next id. Every replay engine starts with
// all these tokens known (BPEMergeEngine's base tokens), so a merge always yields its listed id and
// the same pair keys come out of every category's replay.
//
// Merge lists converted from SentencePiece (and some hand-edited ones) contain redundant merges whose
// result is already a token, made earlier from another split (Hayase et al. 2024, §C: only 48.3 % of
// Llama's are not redundant). A byte-level BPE trained greedily never makes one, so they are dropped
// ("cleaned") and counted. Rank-only vocabularies (tiktoken) give their merges by recovery
// (BPEModel.recoveredMergeList).
// Invariant: merge k yields id 256 + k; its sides are bytes or results of some merge of the list.
// Complexity: O(Σ merge bytes) with one dictionary lookup per part.

import TesseraBPE
import TesseraTokenizer

/// An ordered merge list over bytes, ready to replay.
public struct ByteMergeList: Sendable {
    /// The merges in order, as replay ids.
    public let pairs: [(left: UInt32, right: UInt32)]
    /// Bytes of every replay id (0…255, then one per merge).
    public let tokenBytes: [[UInt8]]
    /// How many merges of the input were dropped as redundant.
    public let redundantDropped: Int
    /// Tokens skipped because no merge from lower ranks makes them, or one of their sides (`fromRanks`
    /// on a merge-list model).
    public private(set) var unreachableSkipped = 0

    public var count: Int { pairs.count }

    /// - Parameter merges: (left bytes, right bytes) in priority order.
    /// - Throws: `MixtureError.invalidMerge` when a side is neither a byte nor the result of any merge.
    public init(merges: [(left: [UInt8], right: [UInt8])]) throws {
        var id: [[UInt8]: UInt32] = [:]
        id.reserveCapacity(256 + merges.count)
        var bytes: [[UInt8]] = []
        bytes.reserveCapacity(256 + merges.count)
        for b in 0..<256 {
            id[[UInt8(b)]] = UInt32(b)
            bytes.append([UInt8(b)])
        }
        // Results first: a list may name a token before the merge that makes it (Llama 3's starts with
        // runs of spaces); such a merge simply cannot apply until then, as in the tokenizer itself.
        var kept: [Int] = []
        kept.reserveCapacity(merges.count)
        var dropped = 0
        for (k, m) in merges.enumerated() {
            let joined = m.left + m.right
            if id[joined] != nil {
                dropped += 1
                continue
            }
            id[joined] = UInt32(bytes.count)
            bytes.append(joined)
            kept.append(k)
        }
        var pairs: [(left: UInt32, right: UInt32)] = []
        pairs.reserveCapacity(kept.count)
        for k in kept {
            let m = merges[k]
            guard let l = id[m.left] else {
                throw MixtureError.invalidMerge(index: k, problem: "its left side \(Self.show(m.left)) is neither a byte nor made by any merge")
            }
            guard let r = id[m.right] else {
                throw MixtureError.invalidMerge(index: k, problem: "its right side \(Self.show(m.right)) is neither a byte nor made by any merge")
            }
            pairs.append((l, r))
        }
        self.pairs = pairs
        tokenBytes = bytes
        redundantDropped = dropped
    }

    /// The first `limit` merges (all when nil or larger).
    public func prefix(_ limit: Int?) -> ByteMergeList {
        guard let limit, limit < pairs.count else { return self }
        // All tokens stay known: an early merge may name a token made later.
        return ByteMergeList(pairs: Array(pairs[..<max(0, limit)]), tokenBytes: tokenBytes, redundantDropped: redundantDropped)
    }

    private init(pairs: [(left: UInt32, right: UInt32)], tokenBytes: [[UInt8]], redundantDropped: Int) {
        self.pairs = pairs
        self.tokenBytes = tokenBytes
        self.redundantDropped = redundantDropped
    }

    /// The merges of a byte-level BPE tokenizer: its merge list, or the list recovered from its ranks.
    /// - Throws: `MixtureError.unsupportedTokenizer` for other models or unreachable tokens.
    /// - Parameter fromRanks: recover the merges from the ids read as ranks even when the tokenizer has a
    ///   merge list. For tiktoken-derived vocabularies converted to tokenizer.json (Llama 3, Qwen2) the
    ///   list enumerates several splits per token (Llama 3: 152,403 of 280,147 are redundant) and the
    ///   first listed split need not be the one training made; the rank recovery gives exactly one.
    public init(tokenizer: Tokenizer, fromRanks: Bool = false, threads: Int = 1) throws {
        guard let model = tokenizer.bpeModel else {
            throw MixtureError.unsupportedTokenizer(name: tokenizer.name, problem: "it is not a byte-level BPE model, so it has no byte merge list to replay")
        }
        let list: [MergePair]
        var unreachable = 0
        switch model.rule {
        case .mergeList(let merges, _) where !fromRanks: list = merges
        case .mergeList:
            // Tokens rank-order BPE cannot build from lower ranks (Llama 3 has 678 above cl100k's
            // 100,000) are only reachable by whole-piece lookup; no merge of training made them.
            let recovered = model.recoverMerges(threads: threads)
            list = recovered.merges
            unreachable = recovered.unreachable.count
        case .rankOrder:
            do { list = try model.recoveredMergeList(threads: threads) } catch {
                throw MixtureError.unsupportedTokenizer(name: tokenizer.name, problem: "its merges cannot be recovered from its ranks: \(error)")
            }
        }
        let vocabulary = model.vocabulary
        var merges: [(left: [UInt8], right: [UInt8])] = []
        merges.reserveCapacity(list.count)
        for (k, m) in list.enumerated() {
            guard let l = vocabulary.bytes(of: m.left), let r = vocabulary.bytes(of: m.right) else {
                throw MixtureError.invalidMerge(index: k, problem: "it names id \(m.left) or \(m.right), which has no bytes")
            }
            merges.append((l, r))
        }
        if unreachable > 0 {
            // Recovered merges are in rank order, so sides come first: drop those built on a skipped token.
            var made = Set((0..<256).map { [UInt8($0)] })
            merges = merges.filter { m in
                guard made.contains(m.left), made.contains(m.right) else { unreachable += 1; return false }
                made.insert(m.left + m.right)
                return true
            }
        }
        try self.init(merges: merges)
        unreachableSkipped = unreachable
    }

    static func show(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).debugDescription
    }
}
