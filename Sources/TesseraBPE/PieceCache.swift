// A per-thread cache of encoding results for pre-token pieces.
//
// Why: on English, 12 % of pieces are not whole tokens and need merging, and a merge costs ~3n vocabulary
// lookups (most of them cache misses in a 4–8 MB table), while a cache hit costs one or two. Pieces
// follow Zipf's law, so a cache that keeps every piece seen (up to a bound) answers 74 % of the merging
// pieces of the 20 MB benchmark corpus on its first pass and all of them on the next (fastokens keeps a
// similar, unbounded, shared cache; Hugging Face tokenizers a 10,000-word one; tiktoken none).
//
// Two levels, one pair per thread (pthread key: no locking, no sharing):
// - hot: 2^17 direct-mapped entries of 32 bytes, [the bytes as a word][length, id count, ids], for pieces
//   of at most 8 bytes that encode to at most 5 tokens (all but a handful of the short pieces of English).
//   Its 4 MiB do not stay in L2, but its entry is prefetched 16 pieces before it is needed (PieceBatch).
// - memo: an open-addressed table of every merged piece of 2…128 bytes and every single-token piece of
//   more than 8 bytes, one 64-byte cache line per slot (`PieceMemo`: hash, key and ids inline; long keys
//   or many ids spill to a pool). The table starts at 4,096 slots and doubles at half load, up to 2^18;
//   at 3/4 of that bound (or with a full pool) it is emptied and refills — a corpus's working set comes
//   back within a few thousand pieces. Memory per thread is bounded: 4 MiB hot, ≤ 16 MiB of memo slots,
//   ≤ 16 MiB of pool; worker threads live as long as the process (Parallel.run), so do their caches.
// The cache belongs to one model at a time: asking for it with another model's serial number
// clears it first, so a thread that switches tokenizers never reads another model's ids.
// Invariant: a hit returns exactly what encoding the piece would return (encoding is deterministic).
// Complexity: O(1) expected per lookup/store (plus O(n + ids) copying); a doubling rehashes O(slots).

import CPrefetch
import Foundation

@usableFromInline
final class PieceCache {
    @usableFromInline static let hotEntries = 1 << 17
    /// Words per hot entry: [key word][length << 56 | id count << 48 | first id][two more ids][two more ids].
    @usableFromInline static let hotEntryWords = 4
    /// Most ids a hot entry holds.
    @usableFromInline static let hotMaxIDs = 5
    @usableFromInline let hot: UnsafeMutablePointer<UInt64>
    @usableFromInline let memo: UnsafeMutablePointer<PieceMemo>
    private var serial: UInt64 = .max

    init() {
        hot = cacheLineAlignedWords(Self.hotEntries * Self.hotEntryWords, filledWith: .max)
        memo = .allocate(capacity: 1)
        memo.initialize(to: PieceMemo())
    }

    private func clear() {
        hot.initialize(repeating: .max, count: Self.hotEntries * Self.hotEntryWords)
        memo.pointee.removeAll()
    }

    deinit {
        free(hot)
        memo.pointee.release()
        memo.deinitialize(count: 1)
        memo.deallocate()
    }

    nonisolated(unsafe) private static var key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<PieceCache>.fromOpaque(pointer).release() }
        }
        return key
    }()

    /// This thread's cache for the model with `serial` (created on first use, freed when the thread exits).
    /// `switched` runs when the cache is taken over for this model (a thread starting to encode with it).
    @usableFromInline static func current(serial: UInt64, switched: () -> Void = {}) -> PieceCacheView {
        let cache: PieceCache
        if let existing = pthread_getspecific(key) {
            cache = Unmanaged<PieceCache>.fromOpaque(existing).takeUnretainedValue()
        } else {
            cache = PieceCache()
            pthread_setspecific(key, Unmanaged.passRetained(cache).toOpaque())
        }
        if cache.serial != serial {
            if cache.serial != .max { cache.clear() }
            cache.serial = serial
            switched()
        }
        return PieceCacheView(hot: cache.hot, memo: cache.memo)
    }
}

/// `count` words starting on a 64-byte boundary, each set to `value`; released with `free`.
func cacheLineAlignedWords(_ count: Int, filledWith value: UInt64) -> UnsafeMutablePointer<UInt64> {
    var raw: UnsafeMutableRawPointer?
    guard posix_memalign(&raw, 64, count * 8) == 0, let raw else { fatalError("out of memory for the piece cache") }
    let words = raw.bindMemory(to: UInt64.self, capacity: count)
    words.initialize(repeating: value, count: count)
    return words
}

/// The memo level's storage (see the file header). Manually managed; owned by one `PieceCache`.
/// A slot is one 64-byte cache line, 8 words: [hash | 1][meta][key: 24 bytes][ids: 6 × UInt32], meta =
/// key length << 48 | id count << 32 | pool offset. A key longer than 24 bytes or more than 6 ids spill,
/// key (padded to 4 bytes) then ids, to the pool at the offset.
@usableFromInline
struct PieceMemo {
    @usableFromInline static let slotWords = 8
    @usableFromInline static let inlineKeyBytes = 24
    @usableFromInline static let inlineIDs = 6
    @usableFromInline static let minSlots = 1 << 12
    @usableFromInline static let maxSlots = 1 << 18
    @usableFromInline static let maxPoolWords = 1 << 22
    @usableFromInline static let maxKeyLength = 128
    @usableFromInline var slots: UnsafeMutablePointer<UInt64>
    @usableFromInline var mask: Int
    @usableFromInline var count = 0
    @usableFromInline var pool: UnsafeMutablePointer<UInt32>
    @usableFromInline var poolCount = 0
    @usableFromInline var poolCapacity: Int

    init() {
        slots = Self.zeroedSlots(Self.minSlots)
        mask = Self.minSlots - 1
        poolCapacity = 1 << 12
        guard let raw = malloc(poolCapacity * 4) else { fatalError("out of memory for the piece cache") }
        pool = raw.bindMemory(to: UInt32.self, capacity: poolCapacity)
    }

    /// Cache-line aligned, so that a slot is exactly one line.
    static func zeroedSlots(_ n: Int) -> UnsafeMutablePointer<UInt64> {
        cacheLineAlignedWords(n * slotWords, filledWith: 0)
    }

    mutating func removeAll() {
        free(slots)
        slots = Self.zeroedSlots(Self.minSlots)
        mask = Self.minSlots - 1
        count = 0
        poolCount = 0
    }

    func release() {
        free(slots)
        free(pool)
    }

    /// Makes room for one more entry spilling `words` pool words: doubles the table at half load, or
    /// empties everything when the table (at 3/4 of its bound) or the pool is full.
    @usableFromInline
    mutating func reserve(words: Int) {
        if poolCount + words > Self.maxPoolWords || (count + 1) * 4 > (mask + 1) * 3 {
            removeAll()
        }
        if (count + 1) * 2 > mask + 1 && mask + 1 < Self.maxSlots { grow() }
        if poolCount + words > poolCapacity {
            // The pool holds plain words, so realloc may move it in place or by memcpy.
            let capacity = max(poolCapacity * 2, poolCount + words)
            guard let moved = realloc(pool, capacity * 4) else { fatalError("out of memory for the piece cache") }
            pool = moved.bindMemory(to: UInt32.self, capacity: capacity)
            poolCapacity = capacity
        }
    }

    private mutating func grow() {
        let oldSlots = slots, oldCount = mask + 1
        let newCount = oldCount * 2
        slots = Self.zeroedSlots(newCount)
        mask = newCount - 1
        let w = Self.slotWords
        for i in 0..<oldCount where oldSlots[w * i] != 0 {
            var j = Int(truncatingIfNeeded: oldSlots[w * i]) & mask
            while slots[w * j] != 0 { j = (j + 1) & mask }
            (slots + w * j).update(from: oldSlots + w * i, count: w)
        }
        free(oldSlots)
    }
}

/// Raw access to one thread's cache for one model.
@usableFromInline
struct PieceCacheView {
    @usableFromInline let hot: UnsafeMutablePointer<UInt64>
    @usableFromInline let memo: UnsafeMutablePointer<PieceMemo>

    @usableFromInline init(hot: UnsafeMutablePointer<UInt64>, memo: UnsafeMutablePointer<PieceMemo>) {
        self.hot = hot; self.memo = memo
    }

    /// The hot entry (2 words) that `hash` maps to.
    @inlinable @inline(__always)
    func hotEntry(_ hash: UInt64) -> UnsafeMutablePointer<UInt64> {
        hot + Int(truncatingIfNeeded: hash & UInt64(PieceCache.hotEntries - 1)) &* PieceCache.hotEntryWords
    }

    /// Starts loading the hot entry of `hash` (see `ByteSequenceMap.View.prefetch(hash:)`).
    @inlinable @inline(__always)
    func prefetchHot(_ hash: UInt64) { tessera_prefetch(hotEntry(hash)) }

    /// Starts loading the memo slot of `hash`.
    @inlinable @inline(__always)
    func prefetchMemo(_ hash: UInt64) {
        let m = memo.pointee
        tessera_prefetch(m.slots + PieceMemo.slotWords &* (Int(truncatingIfNeeded: Self.memoHash(hash)) & m.mask))
    }

    /// Appends the cached ids (one to five) of a piece of at most 8 bytes, given as its word, and returns
    /// true; or returns false. An empty entry's length byte, 255, matches no piece.
    @inlinable @inline(__always)
    func hotLookup<S: TokenSink>(_ hash: UInt64, word: UInt64, length: Int, into out: inout S) -> Bool {
        let e = hotEntry(hash)
        let meta = e[1]
        guard e[0] == word, meta >> 56 == UInt64(truncatingIfNeeded: length) else { return false }
        out.append(TokenID(truncatingIfNeeded: meta))
        let count = Int(truncatingIfNeeded: (meta >> 48) & 0xff)
        if count > 1 {
            let more = UnsafeRawPointer(e + 2).assumingMemoryBound(to: TokenID.self)
            for k in 0..<(count - 1) { out.append(more[k]) }
        }
        return true
    }

    /// Remembers the ids (1 ≤ count ≤ `hotMaxIDs`) of a piece of at most 8 bytes.
    @inlinable @inline(__always)
    func hotStore(_ hash: UInt64, word: UInt64, length: Int, ids: UnsafeBufferPointer<TokenID>) {
        let e = hotEntry(hash)
        e[0] = word
        e[1] = UInt64(truncatingIfNeeded: length) << 56 | UInt64(ids.count) << 48 | UInt64(ids[0])
        if ids.count > 1 { UnsafeMutableRawPointer(e + 2).copyMemory(from: ids.baseAddress! + 1, byteCount: (ids.count - 1) * 4) }
    }

    /// The memo's key for a piece hash: never 0 (0 marks an empty slot).
    @inlinable @inline(__always)
    static func memoHash(_ hash: UInt64) -> UInt64 { hash | 1 }

    /// Whether the memo may hold a piece of `n` bytes.
    @inlinable @inline(__always)
    static func memoizes(_ n: Int) -> Bool { n >= 2 && n <= PieceMemo.maxKeyLength }

    /// Appends the cached ids of the `n` bytes at `text` and returns true, or returns false.
    @inlinable @inline(__always)
    func lookup<S: TokenSink>(_ hash: UInt64, _ text: UnsafePointer<UInt8>, _ n: Int, into out: inout S) -> Bool {
        let m = memo.pointee
        let key = Self.memoHash(hash)
        var i = Int(truncatingIfNeeded: key) & m.mask
        while true {
            let slot = m.slots + PieceMemo.slotWords &* i
            let h = slot[0]
            if h == 0 { return false }
            if h == key {
                let meta = slot[1]
                if Int(truncatingIfNeeded: meta >> 48) == n {
                    let spilled = m.pool + Int(truncatingIfNeeded: meta & 0xffff_ffff)
                    let keyBytes = n <= PieceMemo.inlineKeyBytes ? UnsafeRawPointer(slot + 2) : UnsafeRawPointer(spilled)
                    if Self.equal(keyBytes, text, n) {
                        let idCount = Int(truncatingIfNeeded: (meta >> 32) & 0xffff)
                        let ids = idCount <= PieceMemo.inlineIDs
                            ? UnsafeRawPointer(slot + 5).assumingMemoryBound(to: TokenID.self)
                            : UnsafePointer(spilled + (n <= PieceMemo.inlineKeyBytes ? 0 : (n + 3) >> 2))
                        for k in 0..<idCount { out.append(ids[k]) }
                        return true
                    }
                }
            }
            i = (i &+ 1) & m.mask
        }
    }

    /// Byte equality of two short keys, word by word (the library's memcmp is a call and a dispatch).
    @inlinable @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let braw = UnsafeRawPointer(b)
        var k = 0
        while k + 8 <= n {
            if a.loadUnaligned(fromByteOffset: k, as: UInt64.self) != braw.loadUnaligned(fromByteOffset: k, as: UInt64.self) {
                return false
            }
            k += 8
        }
        return k == n || loadPrefixWord(a.assumingMemoryBound(to: UInt8.self) + k, n - k) == loadPrefixWord(b + k, n - k)
    }

    /// Remembers `ids` (1 ≤ count ≤ 65,535) for a piece that `memoizes(n)` and that `lookup` just missed.
    @inlinable
    func store(_ hash: UInt64, _ text: UnsafePointer<UInt8>, _ n: Int, _ ids: UnsafeBufferPointer<TokenID>) {
        guard let idBase = ids.baseAddress, ids.count >= 1, ids.count <= 0xffff else { return }
        let spillKey = n > PieceMemo.inlineKeyBytes ? (n + 3) >> 2 : 0
        let spillIDs = ids.count > PieceMemo.inlineIDs ? ids.count : 0
        memo.pointee.reserve(words: spillKey + spillIDs)
        let m = memo.pointee
        let key = Self.memoHash(hash)
        var i = Int(truncatingIfNeeded: key) & m.mask
        while m.slots[PieceMemo.slotWords &* i] != 0 { i = (i &+ 1) & m.mask }
        let slot = m.slots + PieceMemo.slotWords &* i
        let offset = m.poolCount
        let spilled = m.pool + offset
        if spillKey > 0 {
            spilled[spillKey - 1] = 0
            UnsafeMutableRawPointer(spilled).copyMemory(from: text, byteCount: n)
        } else {
            UnsafeMutableRawPointer(slot + 2).copyMemory(from: text, byteCount: n)
        }
        if spillIDs > 0 {
            (spilled + spillKey).update(from: idBase, count: ids.count)
        } else {
            UnsafeMutableRawPointer(slot + 5).copyMemory(from: idBase, byteCount: ids.count * 4)
        }
        slot[0] = key
        slot[1] = UInt64(n) << 48 | UInt64(ids.count) << 32 | UInt64(offset)
        memo.pointee.count += 1
        memo.pointee.poolCount += spillKey + spillIDs
    }
}
