// WordCache: a per-thread, direct-mapped cache of BPE word encodings (word bytes → ids), for the words
// SentencePieceBPEModel cuts text into. Natural text repeats words (Zipf), so most words are found here and cost
// one hash and one compare instead of a merge loop.
//
// Entry: one 64-byte cache line: [hash][model serial << 16 | id count << 8 | byte length][key: 24 bytes][ids: 6].
// Words of at most 24 bytes (`▁` + 21 ASCII letters) with at most 6 ids, and without a merged `<unk>` (its span is
// not a piece length), are cached; longer words are rare in text with spaces, and text without spaces (CJK) makes
// words too long and too varied to cache anyway. 2^15 entries (2 MB) per thread, allocated on first use (64-byte
// aligned) and freed when the thread exits (pthread key: no locks, no sharing). The model serial is part of every
// entry, so threads that switch models never see another model's ids and nothing needs clearing.
//
// Invariant: a hit returns exactly the ids encoding the word returned when it was stored (encoding is a pure
// function of the model and the word). Complexity: O(word length) per lookup or store.

import Foundation
import Synchronization
import TesseraBPE

enum WordCache {
    static let entryWords = 8
    static let keyWords = 3
    static let maxKeyBytes = 24
    static let maxIDs = 6
    static let entryCount = 1 << 15

    private static let serials = Atomic<UInt64>(1)

    /// A fresh serial for a new model.
    static func nextSerial() -> UInt64 { serials.add(1, ordering: .relaxed).newValue & 0xFFFF_FFFF_FFFF }

    /// The calling thread's cache, for the model with `serial`.
    static func current(serial: UInt64) -> WordCacheView {
        let storage: UnsafeMutablePointer<UInt64>
        if let existing = pthread_getspecific(key) {
            storage = existing.assumingMemoryBound(to: UInt64.self)
        } else {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: entryCount * entryWords * 8, alignment: 64)
            storage = raw.bindMemory(to: UInt64.self, capacity: entryCount * entryWords)
            storage.initialize(repeating: 0, count: entryCount * entryWords)
            pthread_setspecific(key, raw)
        }
        return WordCacheView(storage: storage, serial: serial)
    }

    nonisolated(unsafe) private static var key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in pointer?.deallocate() }
        return key
    }()

    /// A 64-bit multiply-mix hash of the word's bytes (never 0, which marks an empty entry).
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = UInt64(truncatingIfNeeded: n) &* 0xD6E8_FEB8_6659_FD93
        var i = 0
        while i + 8 <= n {
            h = (h ^ UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) &* k
            h ^= h >> 29
            i += 8
        }
        if i < n {
            h = (h ^ word(p + i, n - i)) &* k
            h ^= h >> 29
        }
        return h | 1
    }

    /// The first min(n, 8) bytes at `p`, zero-padded (TesseraBPE's loadPrefixWord: never reads past p[n-1]).
    @inline(__always)
    static func word(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 { loadPrefixWord(p, n) }
}

/// One thread's cache for one model.
struct WordCacheView {
    let storage: UnsafeMutablePointer<UInt64>
    let serial: UInt64

    @inline(__always)
    private func entry(_ hash: UInt64) -> UnsafeMutablePointer<UInt64> {
        storage + Int(truncatingIfNeeded: (hash >> 40) & UInt64(WordCache.entryCount - 1)) * WordCache.entryWords
    }

    /// Whether the key words of entry `e` hold `p[0..<n]` (keys are stored zero-padded).
    @inline(__always)
    private func keyEquals(_ e: UnsafeMutablePointer<UInt64>, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        var w = 2
        while i < n {
            if e[w] != WordCache.word(p + i, n - i) { return false }
            i &+= 8
            w &+= 1
        }
        return true
    }

    /// The cached ids of the word `p[0..<n]`, or nil.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ n: Int, hash: UInt64) -> (ids: UnsafePointer<TokenID>, count: Int)? {
        guard n <= WordCache.maxKeyBytes else { return nil }
        let e = entry(hash)
        guard e[0] == hash else { return nil }
        let meta = e[1]
        guard meta >> 16 == serial, Int(meta & 0xFF) == n, keyEquals(e, p, n) else { return nil }
        let ids = UnsafeRawPointer(e + 2 + WordCache.keyWords).assumingMemoryBound(to: TokenID.self)
        return (ids, Int((meta >> 8) & 0xFF))
    }

    /// Stores `ids[0..<count]` as the encoding of `p[0..<n]` when both fit.
    @inline(__always)
    func store(_ p: UnsafePointer<UInt8>, _ n: Int, hash: UInt64, ids: UnsafePointer<TokenID>, count: Int) {
        guard n <= WordCache.maxKeyBytes, count <= WordCache.maxIDs, count > 0 else { return }
        let e = entry(hash)
        e[0] = hash
        e[1] = serial << 16 | UInt64(count) << 8 | UInt64(n)
        var i = 0
        var w = 2
        while w < 2 + WordCache.keyWords {
            e[w] = i < n ? WordCache.word(p + i, n - i) : 0
            i &+= 8
            w &+= 1
        }
        let out = UnsafeMutableRawPointer(e + 2 + WordCache.keyWords).assumingMemoryBound(to: TokenID.self)
        for j in 0..<count { out[j] = ids[j] }
    }
}
