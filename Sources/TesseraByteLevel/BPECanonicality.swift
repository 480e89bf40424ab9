// BPECanonicality: whether a run of BPE tokens is what BPE itself would produce for their bytes, decided
// locally — every token reachable and every adjacent pair canonical — by replaying the two tokens' merge
// histories along their shared boundary, without re-encoding anything.
//
// References: Vieira et al., "Language Models over Canonical Byte-Pair Encodings" (ICML 2025: a BPE token
// string is canonical iff all its bigrams are); Hayase et al. 2025 (SewoongLab/byte-sampler, the
// boundary replay restated in ../shared/research/methods-byteprob-transfer-dynamic-theory-runtime.md §1.1).
//
// Pair test for (l, r): if l·r merges directly, BPE would have joined them → not canonical. Otherwise
// replay, in increasing rank, the merges that built l's right edge (l, its right parent, …, a byte) and
// r's left edge; the boundary pair is (cur_l, cur_r), starting from the two boundary bytes. Before an
// event of rank k, a boundary merge of rank < k (≤ k for right-side events: on equal ranks the leftmost
// occurrence merges first) would have happened first → not canonical.
// "Merge of rank k" follows the model's rule: for a merge list, listed pairs only (rank = list index);
// for tiktoken's rank order, any pair whose concatenation is a token (rank = that token's id), with the
// token's history recovered by `recoverMerges`. Whole-piece lookup (tiktoken, HF `ignore_merges`) is a
// property of a piece, handled by callers (`isCanonicalRun(_:wholePiece:)`).
// Invariant (tested exhaustively on the toy vocabulary and by random runs on trained ones): for tokens of
// one pre-token, `isCanonicalRun(ts) ⇔ encode(decode(ts)) == ts`.
// Complexity: build O(V + merges); one pair test O(depth(l) + depth(r)) vocabulary lookups.

import TesseraBPE

/// Token bytes of every id, packed (one allocation for the whole vocabulary).
public struct TokenByteTable: Sendable {
    let arena: [UInt8]
    let starts: [Int32]
    /// One more than the largest id with bytes.
    public var count: Int { starts.count - 1 }

    public init(_ vocabulary: Vocabulary) {
        var arena: [UInt8] = [], starts: [Int32] = [0]
        starts.reserveCapacity(vocabulary.idUpperBound + 1)
        for id in 0..<vocabulary.idUpperBound {
            _ = vocabulary.appendBytes(of: TokenID(id), to: &arena)
            starts.append(Int32(arena.count))
        }
        self.arena = arena
        self.starts = starts
    }

    /// Bytes of `id` (empty for a hole or an id past the table).
    @inline(__always) public func length(_ id: TokenID) -> Int {
        let i = Int(id)
        return i < count ? Int(starts[i + 1] - starts[i]) : 0
    }
    /// Byte `k` of token `id` (caller checks `k < length(id)`).
    @inline(__always) public func byte(_ id: TokenID, _ k: Int) -> UInt8 { arena[Int(starts[Int(id)]) + k] }
    /// The bytes of `id`.
    public func bytes(_ id: TokenID) -> ArraySlice<UInt8> {
        let i = Int(id)
        return i < count ? arena[Int(starts[i])..<Int(starts[i + 1])] : []
    }
}

/// The local canonicality test of one BPE model.
public struct BPECanonicality: Sendable {
    /// Marks a token no merge produces (and, for a multi-byte token, that BPE cannot build).
    static let unreachable = Int32.max
    /// Per id: left and right parent, and the rank of the merge that makes it (−1 for bytes).
    let leftParent: [TokenID], rightParent: [TokenID], rank: [Int32]
    /// Packed (left, right) → the rank of their merge: the list index under a merge list; under rank order,
    /// the id of their concatenation (every two-token split of every token is listed).
    let pairRank: [UInt64: Int32]
    let rankOrder: Bool
    /// Whether a whole piece that is a token encodes to that token without merging.
    public let looksUpWholePiece: Bool
    let vocabulary: Vocabulary
    public let table: TokenByteTable

    public init(model: BPEModel) {
        vocabulary = model.vocabulary
        table = TokenByteTable(model.vocabulary)
        let n = model.vocabulary.idUpperBound
        var left = [TokenID](repeating: .max, count: n), right = left
        var rank = [Int32](repeating: Self.unreachable, count: n)
        for id in 0..<n where table.length(TokenID(id)) == 1 { rank[id] = -1 }
        var pairs: [UInt64: Int32] = [:]
        switch model.rule {
        case .rankOrder:
            rankOrder = true
            looksUpWholePiece = true
            let recovered = model.recoverMerges()
            for (m, result) in zip(recovered.merges, recovered.results) {
                left[Int(result)] = m.left; right[Int(result)] = m.right; rank[Int(result)] = Int32(result)
            }
            // Under rank order any two tokens whose concatenation is a token merge (rank = its id): list every
            // two-token split of every token once, so a pair test needs no byte hashing.
            for id in 0..<n where table.length(TokenID(id)) > 1 {
                let bytes = Array(table.bytes(TokenID(id)))
                for cut in 1..<bytes.count {
                    if let l = model.vocabulary.id(of: Array(bytes[..<cut])), let r = model.vocabulary.id(of: Array(bytes[cut...])) {
                        pairs[UInt64(l) << 32 | UInt64(r)] = Int32(id)
                    }
                }
            }
        case .mergeList(let merges, let ignoreMerges):
            rankOrder = false
            looksUpWholePiece = ignoreMerges
            pairs.reserveCapacity(merges.count)
            for (r, m) in merges.enumerated() {
                let key = UInt64(m.left) << 32 | UInt64(m.right)
                if pairs[key] != nil { continue }
                pairs[key] = Int32(r)
                let joined = Array(table.bytes(m.left)) + Array(table.bytes(m.right))
                // The first merge that yields a token is its history (later duplicates never fire first).
                if let result = model.vocabulary.id(of: joined), rank[Int(result)] == Self.unreachable {
                    left[Int(result)] = m.left; right[Int(result)] = m.right; rank[Int(result)] = Int32(r)
                }
            }
            // A listed merge may never fire on the token's own bytes (with (a,b) before (c,a), `cab` is
            // never built): reachable means the token's bytes encode to the token itself.
            let built = table
            for id in 0..<n where rank[id] >= 0 && rank[id] != Self.unreachable
                && model.encode(piece: Array(built.bytes(TokenID(id)))) != [TokenID(id)] {
                rank[id] = Self.unreachable
            }
        }
        leftParent = left; rightParent = right; self.rank = rank; pairRank = pairs
        // With HF `ignore_merges` the encoder's own lookup hides which tokens merges can build: always look up.
        let lengths = table
        hasUnreachableTokens = (!rankOrder && looksUpWholePiece)
            || (0..<n).contains { rank[$0] == Self.unreachable && lengths.length(TokenID($0)) > 1 }
    }

    /// Whether some multi-byte token cannot be built by merges. When none is, a whole-piece lookup always
    /// agrees with merging, so callers may skip it.
    public let hasUnreachableTokens: Bool

    /// Whether BPE can build `id` by merging (single bytes always).
    @inline(__always) public func isReachable(_ id: TokenID) -> Bool {
        Int(id) < rank.count && rank[Int(id)] != Self.unreachable
    }

    /// The rank of the merge joining `l` and `r` under the model's rule, or nil when they never merge.
    @inline(__always) func mergeRank(_ l: TokenID, _ r: TokenID) -> Int32? {
        pairRank[UInt64(l) << 32 | UInt64(r)]
    }

    /// Whether `[l, r]` is the BPE encoding of their bytes (both assumed reachable).
    /// - Complexity: O(depth(l) + depth(r)) merge lookups.
    public func isCanonicalPair(_ l: TokenID, _ r: TokenID) -> Bool {
        if mergeRank(l, r) != nil { return false }
        // Edge histories, top first: l, right(l), right(right(l)), … (ranks strictly decrease downwards);
        // at most one entry per byte of the token, on the stack.
        let ln = table.length(l), rn = table.length(r)
        return withUnsafeTemporaryAllocation(of: TokenID.self, capacity: ln + rn + 2) { edges in
            var nl = 0, t = l
            while rank[Int(t)] >= 0 && rank[Int(t)] != Self.unreachable && nl < ln { edges[nl] = t; nl += 1; t = rightParent[Int(t)] }
            var curL = t
            var nr = 0
            t = r
            while rank[Int(t)] >= 0 && rank[Int(t)] != Self.unreachable && nr < rn { edges[ln + 1 + nr] = t; nr += 1; t = leftParent[Int(t)] }
            var curR = t
            var i = nl - 1, j = nr - 1
            while i >= 0 || j >= 0 {
                let li = i >= 0 ? rank[Int(edges[i])] : .max, rj = j >= 0 ? rank[Int(edges[ln + 1 + j])] : .max
                let leftFirst = j < 0 || (i >= 0 && li <= rj)
                let k = leftFirst ? li : rj
                if let cross = mergeRank(curL, curR), leftFirst ? cross < k : cross <= k { return false }
                if leftFirst { curL = edges[i]; i -= 1 } else { curR = edges[ln + 1 + j]; j -= 1 }
            }
            return true
        }
    }

    /// Whether `tokens` (the tokens of exactly one pre-token) are its BPE encoding.
    /// - Parameter wholePiece: the id of the pre-token's bytes as one token, when the rule looks it up.
    public func isCanonicalRun<C: RandomAccessCollection>(_ tokens: C, wholePiece: TokenID?) -> Bool where C.Element == TokenID {
        guard let first = tokens.first else { return true }
        if let wholePiece { return tokens.count == 1 && first == wholePiece }
        var previous = first
        guard isReachable(first) else { return false }
        for t in tokens.dropFirst() {
            guard isReachable(t), isCanonicalPair(previous, t) else { return false }
            previous = t
        }
        return true
    }
}
