// Encoding one pre-token piece with BPE.
//
// Paths, chosen by piece length n:
// 0. the per-thread piece cache (PieceCache.swift): its hot level for pieces of ≤ 8 bytes, its memo for
//    longer ones and for every piece that needed merging;
// 1. whole-piece lookup (rankOrder, or mergeList with ignore_merges): most English pieces are one
//    token, so the vocabulary itself acts as the cache (tiktoken's observation);
// 2. n ≤ 64: tiktoken's linear scan over a small parts array, O(n·m) with m merges, but in stack
//    memory and cache-resident, which beats a heap for short pieces;
// 3. n > 64: a binary min-heap of (rank, position) over a doubly linked list of parts, with lazy
//    deletion of stale entries: O(n log n) worst case, so a 1 MB run of one letter stays linear-ish.
// Both merge paths pick the lowest (rank, position) at every step, so they give identical output
// (checked by a differential test).
//
// The hot loop runs on `BPEModel.Encoder`, a struct of raw pointers into the model's tables: copying
// it costs nothing and touching it does no reference counting, which matters twice — single-thread
// speed, and two threads not fighting over the same reference counts.
//
// Invariant: the parts always tile the piece; a part's id is the token for its bytes.

extension BPEModel {
    /// Raw view of the model for hot loops. Valid only inside `withEncoder`.
    public struct Encoder: @unchecked Sendable {
        @usableFromInline let words: ByteSequenceMap.View
        @usableFromInline let byteIDs: UnsafePointer<TokenID>
        @usableFromInline let pairIDs: UnsafePointer<TokenID>
        @usableFromInline let pairs: PairMap.View?
        @usableFromInline let looksUpWholePiece: Bool
        @usableFromInline let cache: PieceCacheView
        @usableFromInline let shared: SharedPieceMemo.View?

        @usableFromInline init(words: ByteSequenceMap.View, byteIDs: UnsafePointer<TokenID>, pairIDs: UnsafePointer<TokenID>,
                               pairs: PairMap.View?, looksUpWholePiece: Bool, cache: PieceCacheView, shared: SharedPieceMemo.View?) {
            self.words = words; self.byteIDs = byteIDs; self.pairIDs = pairIDs; self.pairs = pairs
            self.looksUpWholePiece = looksUpWholePiece
            self.cache = cache
            self.shared = shared
        }

        /// The packed value for "no merge possible".
        @usableFromInline static var noMerge: UInt64 { .max }

        /// Appends the ids of the `n` bytes at `text` to `out`.
        /// - Complexity: O(n) for a whole-piece hit, O(n·m) for n ≤ 64, O(n log n) otherwise.
        @inlinable
        public func encode<S: TokenSink>(_ text: UnsafePointer<UInt8>, _ n: Int, into out: inout S) {
            if n <= 1 {
                if n == 1 { out.append(byteIDs[Int(text[0])]) }
                return
            }
            let word = loadPrefixWord(text, n)
            encode(text, n, word: word, hash: hashKey(word, text, n), into: &out)
        }

        /// Hashes a piece and starts loading the table entries its encoding will read first, so that its
        /// encoding a few pieces later does not wait for them (see `PieceBatch`).
        @inlinable @inline(__always)
        public func prepare(_ text: UnsafePointer<UInt8>, _ n: Int) -> PreparedPiece {
            let word = loadPrefixWord(text, n)
            let hash = hashKey(word, text, n)
            prefetchFirstEntry(hash, n)
            return PreparedPiece(text: text, length: n, word: word, hash: hash)
        }

        /// `prepare` for a piece followed by at least 7 readable bytes (`text + 8 <= readableEnd`), whose first
        /// word is then one load and a mask: no branch on the length, which varies from piece to piece and
        /// so was mispredicted about once a piece.
        @_transparent @usableFromInline
        func prepare(_ text: UnsafePointer<UInt8>, _ n: Int, readableEnd: UnsafePointer<UInt8>) -> PreparedPiece {
            guard text + 8 <= readableEnd, n >= 1 else { return prepare(text, n) }
            let loaded = UnsafeRawPointer(text).loadUnaligned(as: UInt64.self)
            let word = loaded & (UInt64.max &>> UInt64(truncatingIfNeeded: (8 &- min(n, 8)) &* 8))
            let hash = hashKey(word, text, n)
            prefetchFirstEntry(hash, n)
            return PreparedPiece(text: text, length: n, word: word, hash: hash)
        }

        /// Starts loading the first entry the encoding of a piece of `n` bytes reads: its hot entry, or its
        /// memo slot; none for a single byte.
        @inlinable @inline(__always)
        func prefetchFirstEntry(_ hash: UInt64, _ n: Int) {
            if n > 1 {
                if n <= 8 {
                    cache.prefetchHot(hash)
                } else if PieceCacheView.memoizes(n) {
                    cache.prefetchMemo(hash)
                }
            }
        }

        @inlinable @inline(__always)
        func encode<S: TokenSink>(_ text: UnsafePointer<UInt8>, _ n: Int, word: UInt64, hash: UInt64, into out: inout S) {
            // Lookup order by what is cheapest for each length: a piece of ≤ 8 bytes is most often found in
            // the hot level (its entry prefetched by `prepare`), else in the vocabulary's slot (no key bytes
            // to compare);
            // a longer piece goes to the memo first, whose one cache line holds key and ids, where the
            // vocabulary would also compare its key bytes in the arena (a second cache miss).
            let short = n <= 8
            let memoized = PieceCacheView.memoizes(n)
            if short {
                if cache.hotLookup(hash, word: word, length: n, into: &out) { return }
                if looksUpWholePiece {
                    let id = words.value(text, n, word: word, hash: hash)
                    if id != .max {
                        out.append(id)
                        withUnsafePointer(to: id) { cache.hotStore(hash, word: word, length: n, ids: UnsafeBufferPointer(start: $0, count: 1)) }
                        return
                    }
                }
                let before = out.count
                if cache.lookup(hash, text, n, into: &out) {
                    if out.count - before <= PieceCache.hotMaxIDs {
                        out.withIDs(from: before) { cache.hotStore(hash, word: word, length: n, ids: $0) }
                    }
                    return
                }
            } else {
                if memoized && cache.lookup(hash, text, n, into: &out) { return }
                if looksUpWholePiece {
                    let id = words.value(text, n, word: word, hash: hash)
                    if id != .max {
                        out.append(id)
                        if memoized { withUnsafePointer(to: id) { cache.store(hash, text, n, UnsafeBufferPointer(start: $0, count: 1)) } }
                        return
                    }
                }
            }
            let before = out.count
            // Another thread may have merged this piece already (SharedPieceMemo.swift); if not, merge and publish.
            if shared?.lookup(hash, text, n, into: &out) != true {
                if let pairs {
                    mergeParts(text, n, ranking: ListedPairRanking(pairs: pairs), into: &out)
                } else {
                    mergeParts(text, n, ranking: ConcatenationRanking(words: words, pairIDs: pairIDs), into: &out)
                }
                if let shared, SharedPieceMemo.View.shares(n, idCount: out.count - before) {
                    out.withIDs(from: before) { shared.insert(hash, text, n, $0) }
                }
            }
            let produced = out.count - before
            if short && produced <= PieceCache.hotMaxIDs {
                out.withIDs(from: before) { cache.hotStore(hash, word: word, length: n, ids: $0) }
            }
            // Short pieces go to the memo too: the direct-mapped hot level loses them on collisions.
            if memoized && (produced > 1 || !short) {
                out.withIDs(from: before) { cache.store(hash, text, n, $0) }
            }
        }

        @inlinable
        func mergeParts<R: PairRanking, S: TokenSink>(_ text: UnsafePointer<UInt8>, _ n: Int, ranking: R, into out: inout S) {
            if n <= 64 {
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * n + 1) { scratch in
                    linearMerge(text, n, ranking, scratch.baseAddress!, &out)
                }
            } else {
                heapMerge(text, n, ranking, into: &out)
            }
        }

        /// tiktoken's `_byte_pair_merge`: part i is [start(i), start(i+1)) with id(i); pairValue(i)
        /// is the packed (rank, merged id) of joining part i with part i+1. Parts are packed as
        /// `start << 32 | id` in `scratch[0...n]`, pair values in `scratch[n+1...]`.
        @inlinable
        func linearMerge<R: PairRanking, S: TokenSink>(_ text: UnsafePointer<UInt8>, _ n: Int, _ ranking: R,
                                                       _ scratch: UnsafeMutablePointer<UInt64>, _ out: inout S) {
            let parts = scratch
            let pairValue = scratch + n + 1
            for i in 0..<n { parts[i] = UInt64(i) << 32 | UInt64(byteIDs[Int(text[i])]) }
            parts[n] = UInt64(n) << 32
            @inline(__always) func start(_ i: Int) -> Int { Int(truncatingIfNeeded: parts[i] >> 32) }
            @inline(__always) func id(_ i: Int) -> TokenID { TokenID(truncatingIfNeeded: parts[i]) }
            var count = n
            for i in 0..<(n - 1) { pairValue[i] = ranking.join(text, i, i + 1, i + 2, id(i), id(i + 1)) }
            while count > 1 {
                var best = Self.noMerge
                var at = -1
                for i in 0..<(count - 1) where pairValue[i] < best {
                    best = pairValue[i]
                    at = i
                }
                if at < 0 { break }
                parts[at] = UInt64(start(at)) << 32 | (best & 0xffff_ffff)
                let moved = count - at - 1   // parts at+2 ... count (incl. the end sentinel) shift left by one
                (parts + at + 1).update(from: parts + at + 2, count: moved)
                if moved > 2 { (pairValue + at + 1).update(from: pairValue + at + 2, count: moved - 2) }
                count -= 1
                if at + 1 < count {
                    pairValue[at] = ranking.join(text, start(at), start(at + 1), start(at + 2), id(at), id(at + 1))
                }
                if at > 0 {
                    pairValue[at - 1] = ranking.join(text, start(at - 1), start(at), start(at + 1), id(at - 1), id(at))
                }
            }
            for i in 0..<count { out.append(id(i)) }
        }

        /// O(n log n) merge for long pieces. Parts are linked by `next`/`previous` (indices of their
        /// first byte); a heap entry is `rank << 32 | position`, valid while `pairValue[position]`
        /// still has that rank.
        @usableFromInline
        func heapMerge<R: PairRanking, S: TokenSink>(_ text: UnsafePointer<UInt8>, _ n: Int, _ ranking: R, into out: inout S) {
            var next = [Int32](unsafeUninitializedCapacity: n) { b, c in
                for i in 0..<n { b[i] = Int32(i + 1) }
                c = n
            }
            var previous = [Int32](unsafeUninitializedCapacity: n) { b, c in
                for i in 0..<n { b[i] = Int32(i - 1) }
                c = n
            }
            var ids = [TokenID](unsafeUninitializedCapacity: n) { b, c in
                for i in 0..<n { b[i] = byteIDs[Int(text[i])] }
                c = n
            }
            var pairValue = [UInt64](repeating: Self.noMerge, count: n)
            var heap = MinHeap64()
            heap.reserve(n)
            for i in 0..<(n - 1) {
                let v = ranking.join(text, i, i + 1, i + 2, ids[i], ids[i + 1])
                pairValue[i] = v
                if v != Self.noMerge { heap.push((v >> 32) << 32 | UInt64(i)) }
            }
            func end(_ p: Int) -> Int { Int(next[p]) }
            while let top = heap.pop() {
                let at = Int(top & 0xffff_ffff)
                let v = pairValue[at]
                guard v != Self.noMerge, v >> 32 == top >> 32 else { continue }   // stale entry
                let right = Int(next[at])
                ids[at] = TokenID(truncatingIfNeeded: v)
                let afterRight = Int(next[right])
                next[at] = Int32(afterRight)
                if afterRight < n { previous[afterRight] = Int32(at) }
                pairValue[right] = Self.noMerge
                if afterRight < n {
                    let nv = ranking.join(text, at, afterRight, end(afterRight), ids[at], ids[afterRight])
                    pairValue[at] = nv
                    if nv != Self.noMerge { heap.push((nv >> 32) << 32 | UInt64(at)) }
                } else {
                    pairValue[at] = Self.noMerge
                }
                let before = Int(previous[at])
                if before >= 0 {
                    let nv = ranking.join(text, before, at, end(at), ids[before], ids[at])
                    pairValue[before] = nv
                    if nv != Self.noMerge { heap.push((nv >> 32) << 32 | UInt64(before)) }
                }
            }
            var p = 0
            while p < n { out.append(ids[p]); p = Int(next[p]) }
        }
    }

    /// Runs `body` with a raw encoder over this model, keeping the model's storage alive meanwhile.
    @inlinable
    public func withEncoder<T>(_ body: (Encoder) throws -> T) rethrows -> T {
        try withExtendedLifetime(self) {
            try body(Encoder(words: vocabulary.map.view, byteIDs: byteTokens.ids, pairIDs: byteTokens.pairIDs, pairs: pairs?.view,
                             looksUpWholePiece: looksUpWholePiece,
                             cache: PieceCache.current(serial: serial) { sharedMemo.noteUser() },
                             shared: sharedMemo.viewWhenShared))
        }
    }

    /// Appends the ids of `piece` to `out`. For many pieces, prefer one `withEncoder` call.
    @inlinable
    public func encode(piece: UnsafeBufferPointer<UInt8>, into out: inout [TokenID]) {
        guard let base = piece.baseAddress else { return }
        withEncoder { $0.encode(base, piece.count, into: &out) }
    }

    /// Encodes a piece and returns its ids (convenience).
    public func encode(piece: [UInt8]) -> [TokenID] {
        var out: [TokenID] = []
        piece.withUnsafeBufferPointer { encode(piece: $0, into: &out) }
        return out
    }
}

/// How a rule values joining two adjacent parts [a, b) and [b, c) with ids `left` and `right`:
/// `rank << 32 | mergedID`, or `UInt64.max` when they cannot merge.
@usableFromInline
protocol PairRanking {
    func join(_ text: UnsafePointer<UInt8>, _ a: Int, _ b: Int, _ c: Int, _ left: TokenID, _ right: TokenID) -> UInt64
}

/// tiktoken's rule: the rank of the concatenated bytes, which is also the merged id. Two-byte lookups
/// use the model's pair table; longer ones go to the vocabulary, whose Bloom filter answers most "no"s.
/// (They deliberately bypass the per-thread hot cache: storing the merge loop's lookups there evicted
/// whole pieces; without them English encoding was 3–10 % faster in alternating A/B runs.)
@usableFromInline
struct ConcatenationRanking: PairRanking {
    @usableFromInline let words: ByteSequenceMap.View
    @usableFromInline let pairIDs: UnsafePointer<TokenID>?
    @inlinable init(words: ByteSequenceMap.View, pairIDs: UnsafePointer<TokenID>? = nil) {
        self.words = words; self.pairIDs = pairIDs
    }
    @inlinable @inline(__always)
    func join(_ text: UnsafePointer<UInt8>, _ a: Int, _ b: Int, _ c: Int, _ left: TokenID, _ right: TokenID) -> UInt64 {
        let n = c - a
        let id: UInt32
        if n == 2, let pairIDs {
            id = pairIDs[Int(text[a]) << 8 | Int(text[a + 1])]
        } else {
            id = words.value(text + a, n)
        }
        return id == .max ? .max : UInt64(id) << 32 | UInt64(id)
    }
}

/// The merge-list rule: only listed pairs, ranked by list position.
@usableFromInline
struct ListedPairRanking: PairRanking {
    @usableFromInline let pairs: PairMap.View
    @inlinable init(pairs: PairMap.View) { self.pairs = pairs }
    @inlinable @inline(__always)
    func join(_ text: UnsafePointer<UInt8>, _ a: Int, _ b: Int, _ c: Int, _ left: TokenID, _ right: TokenID) -> UInt64 {
        pairs.value(left: left, right: right)
    }
}

/// A binary min-heap of UInt64 keys (no payload: the payload is packed into the low bits).
/// Public for the other merge loops over BPE models (BPE-dropout in TesseraStochastic).
public struct MinHeap64 {
    @usableFromInline var items: [UInt64] = []
    public init() {}
    public mutating func reserve(_ n: Int) { items.reserveCapacity(n) }

    public mutating func push(_ x: UInt64) {
        items.append(x)
        items.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) >> 1
                if h[parent] <= x { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = x
        }
    }

    public mutating func pop() -> UInt64? {
        guard let last = items.popLast() else { return nil }
        if items.isEmpty { return last }
        let top = items[0]
        items.withUnsafeMutableBufferPointer { h in
            let count = h.count
            var i = 0
            while true {
                var child = 2 * i + 1
                if child >= count { break }
                if child + 1 < count && h[child + 1] < h[child] { child += 1 }
                if h[child] >= last { break }
                h[i] = h[child]
                i = child
            }
            h[i] = last
        }
        return top
    }
}
