// Byte-level BPE model: a vocabulary plus the rule that decides which adjacent pair merges next.
//
// Two rules exist in the wild and give different tokens on the same vocabulary:
// - `rankOrder` (tiktoken, Sennrich-style ranks): look the whole piece up first; otherwise repeatedly
//   join the adjacent pair whose *concatenated bytes* have the lowest rank (= id). Any split of a
//   token may produce it.
// - `mergeList` (Hugging Face `tokenizers`, GPT-2 merges.txt): only the listed pairs merge, the
//   earliest-listed first; the whole-piece lookup happens only with `ignore_merges`.
// Ties (equal rank) always go to the leftmost pair, as in both references.

import Synchronization

/// A merge of two tokens, by id, in a merge list.
public struct MergePair: Hashable, Sendable {
    public var left: TokenID
    public var right: TokenID
    public init(_ left: TokenID, _ right: TokenID) { self.left = left; self.right = right }
}

/// A byte-level BPE model. Immutable and thread-safe; share one instance between threads.
public struct BPEModel: Sendable {
    /// How adjacent pairs are chosen for merging.
    public enum MergeRule: Sendable, Equatable {
        /// tiktoken: lowest-rank concatenation first, ids are ranks, whole-piece lookup first.
        case rankOrder
        /// Hugging Face: listed pairs only, in list order; `ignoreMerges` looks the whole piece up first.
        case mergeList([MergePair], ignoreMerges: Bool)
    }

    public let vocabulary: Vocabulary
    public let rule: MergeRule
    @usableFromInline let pairs: PairMap?
    @usableFromInline let looksUpWholePiece: Bool
    /// The single-byte token of each byte, in manually allocated memory for the hot loop.
    @usableFromInline let byteTokens: ByteTokenTable
    /// Unique per model instance (never reused), so per-thread piece caches can tell models apart.
    @usableFromInline let serial: UInt64
    /// Merged pieces published for every thread encoding with this model (SharedPieceMemo.swift).
    @usableFromInline let sharedMemo: SharedPieceMemo

    /// - Throws: `BPEError.missingByteTokens` when some byte has no single-byte token (the model could
    ///   not encode it), or a merge-list error naming the merge.
    public init(vocabulary: Vocabulary, rule: MergeRule) throws {
        try self.init(vocabulary: vocabulary, rule: rule, knownResults: nil)
    }

    /// As `init(vocabulary:rule:)` for a merge list whose result ids the caller already has (loaders that resolve
    /// merges by their text get them for free; looking each up again costs a cache miss per merge on a large
    /// vocabulary). `mergeResults[i]` must be the id of merge i's concatenated bytes; each is checked to exist and
    /// to have the length of its two sides.
    /// - Throws: as `init(vocabulary:rule:)`, and `.mergeResultNotInVocabulary` for a result that does not fit.
    public init(vocabulary: Vocabulary, rule: MergeRule, mergeResults: [TokenID]) throws {
        try self.init(vocabulary: vocabulary, rule: rule, knownResults: mergeResults)
    }

    private init(vocabulary: Vocabulary, rule: MergeRule, knownResults: [TokenID]?) throws {
        let missing = (0..<256).filter { vocabulary.idOfByte[$0] == .max }.map { UInt8($0) }
        if !missing.isEmpty { throw BPEError.missingByteTokens(missing) }
        self.vocabulary = vocabulary
        self.rule = rule
        self.byteTokens = ByteTokenTable(vocabulary)
        self.serial = modelSerials.add(1, ordering: .relaxed).newValue
        self.sharedMemo = SharedPieceMemo()
        switch rule {
        case .rankOrder:
            pairs = nil
            looksUpWholePiece = true
        case .mergeList(let merges, let ignoreMerges):
            var packed: [(key: UInt64, value: UInt64)] = []
            packed.reserveCapacity(merges.count)
            var joined: [UInt8] = []
            if let knownResults, knownResults.count != merges.count {
                throw BPEError.mergeResultNotInVocabulary(mergeIndex: min(knownResults.count, merges.count), bytes: [])
            }
            for (rank, m) in merges.enumerated() {
                let leftCount = vocabulary.byteCount(of: m.left), rightCount = vocabulary.byteCount(of: m.right)
                guard leftCount > 0 else { throw BPEError.mergeReferencesUnknownID(mergeIndex: rank, id: m.left) }
                guard rightCount > 0 else { throw BPEError.mergeReferencesUnknownID(mergeIndex: rank, id: m.right) }
                let merged: TokenID
                if let known = knownResults?[rank], vocabulary.byteCount(of: known) == leftCount + rightCount {
                    merged = known
                } else {
                    joined.removeAll(keepingCapacity: true)
                    joined.append(contentsOf: vocabulary.bytes(of: m.left) ?? [])
                    joined.append(contentsOf: vocabulary.bytes(of: m.right) ?? [])
                    guard let found = vocabulary.id(of: joined), knownResults == nil else {
                        throw BPEError.mergeResultNotInVocabulary(mergeIndex: rank, bytes: joined)
                    }
                    merged = found
                }
                packed.append((UInt64(m.left) << 32 | UInt64(m.right), UInt64(rank) << 32 | UInt64(merged)))
            }
            pairs = PairMap(pairs: packed)
            looksUpWholePiece = ignoreMerges
        }
    }
}

/// Source of `BPEModel.serial` (a per-thread piece cache is cleared when it is asked for by another serial).
let modelSerials = Atomic<UInt64>(0)

/// The single-byte token of every byte (256 ids) and the two-byte token of every byte pair (65,536 ids,
/// `UInt32.max` where the pair is not a token), owned here and read through raw pointers by
/// `BPEModel.Encoder`. The pair table (256 KiB) answers the first round of pair lookups of every merge
/// without hashing and without touching the large vocabulary table.
@usableFromInline
final class ByteTokenTable: @unchecked Sendable {
    @usableFromInline let ids: UnsafeMutablePointer<TokenID>
    @usableFromInline let pairIDs: UnsafeMutablePointer<TokenID>
    init(_ vocabulary: Vocabulary) {
        ids = .allocate(capacity: 256)
        ids.initialize(from: vocabulary.idOfByte, count: 256)
        pairIDs = .allocate(capacity: 65_536)
        pairIDs.initialize(repeating: .max, count: 65_536)
        // One pass over the ids (not 65,536 hash lookups): for a small vocabulary the lookups were most of the
        // load time.
        let pairs = pairIDs
        withExtendedLifetime(vocabulary.map) {
            let arena = vocabulary.map.arena
            for (id, span) in vocabulary.spanOfID.enumerated() {
                let start = Int(span >> 32)
                guard Int(span & 0xffff_ffff) - start == 2 else { continue }
                pairs[Int(arena[start]) << 8 | Int(arena[start + 1])] = TokenID(id)
            }
        }
    }
    deinit {
        ids.deallocate()
        pairIDs.deallocate()
    }
}
