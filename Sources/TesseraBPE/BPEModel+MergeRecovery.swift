// Merge recovery: the merge list implied by a rank-only vocabulary (tiktoken's `.tiktoken`, Mistral's
// tekken), so that it can be written as GPT-2 `merges.txt`, minbpe `.model` or tokenizer.json merges.
//
// Reference: the rule tiktoken's educational `SimpleBytePairEncoding` / `bpe_train` and minbpe's
// `recover_merges` (gpt4.py) use, and Hugging Face's tiktoken converter before it listed every split:
// for each token of two or more bytes, in rank order, run rank-order BPE on its own bytes allowing
// only tokens of *lower* rank. When exactly two parts remain, they are the token's merge; any other
// outcome means rank-order BPE can never build the token from smaller ones (it is only reachable by
// the whole-piece lookup), and the token is reported as unreachable.
//
// Invariant: merge i of the result joins two tokens of lower rank than its result, and results are in
// increasing rank order, so list position and result rank order the merges identically.
// Merge-list semantics with the recovered list reproduce every reachable token from its own bytes
// (`tokensNotReproduced` checks it); that it also reproduces rank-order ids on *all* text is an
// empirical property of real vocabularies, proven per vocabulary by bench/parity.py (see
// docs/algorithms/merge-recovery.md for the argument and its limits).
// Complexity: O(Σ L_t²) for tokens of L_t ≤ 64 bytes (tiktoken's linear merge, stack memory),
// O(L_t log L_t) above; one vocabulary lookup per candidate pair, no allocation per token. Tokens are
// split into contiguous id ranges worked on by several threads; the result does not depend on the count.

import Dispatch

/// A token that rank-order BPE cannot build from lower-ranked tokens.
public struct UnreachableToken: Sendable, Equatable {
    /// The token's id (= rank).
    public var id: TokenID
    /// What rank-order BPE restricted to lower ranks leaves of the token's bytes (never exactly two parts).
    public var parts: [TokenID]
    public init(id: TokenID, parts: [TokenID]) { self.id = id; self.parts = parts }
}

/// The merges recovered from a vocabulary whose ids are ranks.
public struct RecoveredMerges: Sendable {
    /// One merge per reachable multi-byte token, in increasing order of the merged token's id.
    public var merges: [MergePair]
    /// `results[i]` is the token merge i produces.
    public var results: [TokenID]
    /// Tokens that no merge produces, in id order (empty for cl100k_base, o200k_base, r50k_base).
    public var unreachable: [UnreachableToken]
}

/// Why a merge list could not be recovered.
public enum MergeRecoveryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Some tokens cannot be built by rank-order BPE from lower-ranked tokens.
    case unreachableTokens([UnreachableToken])

    public var description: String {
        switch self {
        case .unreachableTokens(let tokens):
            let shown = tokens.prefix(5).map { "\($0.id) (\($0.parts.count) parts)" }.joined(separator: ", ")
            return "\(tokens.count) token(s) cannot be reached by merging lower-ranked tokens: \(shown)"
                + (tokens.count > 5 ? ", …" : "")
        }
    }
}

extension BPEModel {
    /// Recovers the merge list implied by this model's ids read as ranks (the rank-order rule's view of
    /// the vocabulary, whatever the model's own rule is).
    /// - Parameter threads: worker threads; the result is the same for every count.
    /// - Complexity: O(Σ L²) over multi-byte tokens of L bytes (O(L log L) above 64 bytes).
    public func recoverMerges(threads: Int = 1) -> RecoveredMerges {
        let upper = vocabulary.idUpperBound
        // Per id: the packed merge (left << 32 | right), or a marker; filled by disjoint id ranges.
        let noToken = UInt64.max, unreachableMark = UInt64.max - 1
        var packed = [UInt64](repeating: noToken, count: upper)
        var leftovers = [[(TokenID, [TokenID])]](repeating: [], count: workerCount(threads))
        packed.withUnsafeMutableBufferPointer { slots in
            leftovers.withUnsafeMutableBufferPointer { lost in
                nonisolated(unsafe) let out = slots
                nonisolated(unsafe) let missing = lost
                forEachMultiByteToken(threads: threads) { encoder, worker, id, text, length, parts in
                    let ranking = RankCappedConcatenation(words: encoder.words, pairIDs: encoder.pairIDs, limit: TokenID(id))
                    encoder.mergeParts(text, length, ranking: ranking, into: &parts)
                    if parts.count == 2 {
                        out[id] = UInt64(parts[0]) << 32 | UInt64(parts[1])
                    } else {
                        out[id] = unreachableMark
                        missing[worker].append((TokenID(id), parts))
                    }
                }
            }
        }
        var merges: [MergePair] = []
        var results: [TokenID] = []
        merges.reserveCapacity(upper)
        results.reserveCapacity(upper)
        for id in 0..<upper where packed[id] < unreachableMark {
            merges.append(MergePair(TokenID(truncatingIfNeeded: packed[id] >> 32), TokenID(truncatingIfNeeded: packed[id])))
            results.append(TokenID(id))
        }
        let unreachable = leftovers.flatMap { $0 }.map { UnreachableToken(id: $0.0, parts: $0.1) }.sorted { $0.id < $1.id }
        return RecoveredMerges(merges: merges, results: results, unreachable: unreachable)
    }

    /// The recovered merge list, or a typed error listing every token that cannot be reached.
    /// - Throws: `MergeRecoveryError.unreachableTokens`.
    public func recoveredMergeList(threads: Int = 1) throws(MergeRecoveryError) -> [MergePair] {
        let recovered = recoverMerges(threads: threads)
        if !recovered.unreachable.isEmpty { throw .unreachableTokens(recovered.unreachable) }
        return recovered.merges
    }

    /// The multi-byte tokens whose own bytes this model does not encode to the token itself, in id order.
    /// Empty for every rank-order model (whole-piece lookup); for a merge list built from recovered
    /// merges it checks that the list reproduces every reachable token.
    /// - Complexity: one piece encoding per multi-byte token.
    public func tokensNotReproduced(threads: Int = 1) -> [TokenID] {
        var failures = [[TokenID]](repeating: [], count: workerCount(threads))
        failures.withUnsafeMutableBufferPointer { slots in
            nonisolated(unsafe) let out = slots
            forEachMultiByteToken(threads: threads) { encoder, worker, id, text, length, ids in
                encoder.encode(text, length, into: &ids)
                if ids.count != 1 || ids[0] != TokenID(id) { out[worker].append(TokenID(id)) }
            }
        }
        return failures.flatMap { $0 }
    }

    /// Worker threads for a pass over the vocabulary: at most one per 4,096 ids.
    func workerCount(_ threads: Int) -> Int { max(1, min(threads, vocabulary.idUpperBound / 4096 + 1)) }

    /// Calls `body(encoder, worker, id, bytes, length, scratch)` for every token of two or more bytes, `scratch`
    /// being an emptied per-worker id buffer (no allocation per token). Worker w owns the w-th contiguous id range
    /// (so per-worker outputs concatenate in id order) and its own encoder view (the view carries the calling
    /// thread's piece cache, which must not be shared).
    func forEachMultiByteToken(threads: Int,
                               _ body: @escaping @Sendable (Encoder, Int, Int, UnsafePointer<UInt8>, Int, inout [TokenID]) -> Void) {
        let upper = vocabulary.idUpperBound
        let workers = workerCount(threads)
        let chunk = (upper + workers - 1) / workers
        let work: @Sendable (Int) -> Void = { w in
            let lo = w * chunk, hi = min(upper, lo + chunk)
            guard lo < hi else { return }
            withEncoder { encoder in
                var scratch: [TokenID] = []
                scratch.reserveCapacity(64)
                for id in lo..<hi {
                    let span = vocabulary.spanOfID[id]
                    let start = Int(span >> 32), end = Int(span & 0xffff_ffff)
                    if end - start < 2 { continue }   // a hole or a single byte: no merge
                    scratch.removeAll(keepingCapacity: true)
                    body(encoder, w, id, UnsafePointer(vocabulary.map.arena + start), end - start, &scratch)
                }
            }
        }
        if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
    }
}

/// tiktoken's rule restricted to tokens of rank (= id) below `limit`: what rank-order BPE could have
/// built before the token of rank `limit` existed.
@usableFromInline
struct RankCappedConcatenation: PairRanking {
    let inner: ConcatenationRanking
    let limit: TokenID
    init(words: ByteSequenceMap.View, pairIDs: UnsafePointer<TokenID>, limit: TokenID) {
        inner = ConcatenationRanking(words: words, pairIDs: pairIDs)
        self.limit = limit
    }
    @usableFromInline @inline(__always)
    func join(_ text: UnsafePointer<UInt8>, _ a: Int, _ b: Int, _ c: Int, _ left: TokenID, _ right: TokenID) -> UInt64 {
        let v = inner.join(text, a, b, c, left, right)
        return v != .max && TokenID(truncatingIfNeeded: v) < limit ? v : .max
    }
}
