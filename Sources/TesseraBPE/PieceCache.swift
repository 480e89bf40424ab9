// A per-thread cache of merge results for pieces that are not whole tokens.
//
// Why: on English, every second or third piece that misses the whole-piece lookup is a word seen
// before (Zipf); merging it again costs ~3n hash lookups, a cache hit costs one. fastokens reports
// the same effect ("segment cache"); tiktoken relies on the vocabulary alone.
//
// Two direct-mapped levels, one pair per thread (pthread key: no locking, no sharing):
// - hot: 2^15 entries of 16 bytes, [the bytes as a word][length << 32 | id], for pieces of at most
//   8 bytes that encode to one token. 512 KiB stays in L2; the 4–8 MB vocabulary table does not, and
//   profiling showed its cache misses as the top cost of encoding.
// - merged: 2^15 entries of 14 words, [hash][length << 8 | id count][key bytes, 32][ids, 16 × UInt32],
//   for pieces of 2…32 bytes that needed merging, with at most 16 ids.
// The cache belongs to one model at a time: asking for it with another model's serial number
// clears it first, so a thread that switches tokenizers never reads another model's ids.
// Invariant: a hit returns exactly what encoding the piece would return (encoding is deterministic).
// Complexity: O(1) per lookup/store (at most 32 + 64 bytes copied).

import Foundation

@usableFromInline
final class PieceCache {
    @usableFromInline static let entryWords = 14
    @usableFromInline static let entries = 1 << 15
    @usableFromInline static let hotEntries = 1 << 15
    @usableFromInline let storage: UnsafeMutablePointer<UInt64>
    @usableFromInline let hot: UnsafeMutablePointer<UInt64>
    private var serial: UInt64 = .max

    init() {
        storage = .allocate(capacity: Self.entries * Self.entryWords)
        hot = .allocate(capacity: Self.hotEntries * 2)
        clear()
    }

    private func clear() {
        storage.initialize(repeating: 0, count: Self.entries * Self.entryWords)
        hot.initialize(repeating: .max, count: Self.hotEntries * 2)
    }

    deinit {
        storage.deallocate()
        hot.deallocate()
    }

    nonisolated(unsafe) private static var key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<PieceCache>.fromOpaque(pointer).release() }
        }
        return key
    }()

    /// This thread's cache for the model with `serial` (created on first use, freed when the thread exits).
    @usableFromInline static func current(serial: UInt64) -> PieceCacheView {
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
        }
        return PieceCacheView(storage: cache.storage, hot: cache.hot)
    }
}

/// Raw access to one thread's cache for one model.
@usableFromInline
struct PieceCacheView {
    @usableFromInline let storage: UnsafeMutablePointer<UInt64>
    @usableFromInline let hot: UnsafeMutablePointer<UInt64>

    @usableFromInline init(storage: UnsafeMutablePointer<UInt64>, hot: UnsafeMutablePointer<UInt64>) {
        self.storage = storage; self.hot = hot
    }

    /// The hot entry (2 words) that `hash` maps to.
    @inlinable @inline(__always)
    func hotEntry(_ hash: UInt64) -> UnsafeMutablePointer<UInt64> {
        hot + Int(truncatingIfNeeded: hash & UInt64(PieceCache.hotEntries - 1)) &* 2
    }

    /// The cached single token of a piece of at most 8 bytes (given as its word), or `UInt32.max`.
    @inlinable @inline(__always)
    func hotLookup(_ hash: UInt64, word: UInt64, length: Int) -> TokenID {
        let e = hotEntry(hash)
        let meta = e[1]
        guard e[0] == word, meta >> 32 == UInt64(truncatingIfNeeded: length) else { return .max }
        return TokenID(truncatingIfNeeded: meta)
    }

    @inlinable @inline(__always)
    func hotStore(_ hash: UInt64, word: UInt64, length: Int, id: TokenID) {
        let e = hotEntry(hash)
        e[0] = word
        e[1] = UInt64(truncatingIfNeeded: length) << 32 | UInt64(id)
    }

    @inlinable @inline(__always)
    func entry(_ hash: UInt64) -> UnsafeMutablePointer<UInt64> {
        storage + Int(truncatingIfNeeded: hash & UInt64(PieceCache.entries - 1)) &* PieceCache.entryWords
    }

    /// Appends the cached ids of the `n` bytes at `text` and returns true, or returns false.
    @inlinable @inline(__always)
    func lookup(_ hash: UInt64, _ text: UnsafePointer<UInt8>, _ n: Int, into out: inout [TokenID]) -> Bool {
        let e = entry(hash)
        guard e[0] == hash else { return false }
        let meta = e[1]
        guard Int(truncatingIfNeeded: (meta >> 8) & 0xff) == n else { return false }
        guard memcmp(UnsafeRawPointer(e + 2), text, n) == 0 else { return false }
        let ids = UnsafeRawPointer(e + 6).assumingMemoryBound(to: TokenID.self)
        for i in 0..<Int(truncatingIfNeeded: meta & 0xff) { out.append(ids[i]) }
        return true
    }

    /// Remembers `ids` (already validated: 2 ≤ n ≤ 32, 1 ≤ ids.count ≤ 16) for the piece.
    @inlinable @inline(__always)
    func store(_ hash: UInt64, _ text: UnsafePointer<UInt8>, _ n: Int, _ ids: UnsafeBufferPointer<TokenID>) {
        let e = entry(hash)
        e[0] = hash
        e[1] = UInt64(n) << 8 | UInt64(ids.count)
        UnsafeMutableRawPointer(e + 2).copyMemory(from: text, byteCount: n)
        UnsafeMutableRawPointer(e + 6).copyMemory(from: ids.baseAddress!, byteCount: ids.count * 4)
    }
}
