// A read-only hash map from byte strings to 32-bit values, built once per vocabulary.
//
// Why not `Dictionary<[UInt8], UInt32>`: every lookup there hashes with a per-process seeded SipHash,
// each key is a separate heap array, and each access retains/releases shared storage (atomic
// reference counting that two encoding threads would fight over). Here:
// - each slot is 16 bytes, `[first 8 key bytes][value << 32 | key length]`, so a lookup of a key of
//   at most 8 bytes (most tokens) touches one cache line and never the key arena;
// - longer keys compare their remaining bytes against one shared arena;
// - storage is manually allocated and read through `ByteSequenceMap.View`, a struct of raw
//   pointers, so hot loops do no reference counting at all.
//
// Invariant: load factor ≤ 0.5; an empty slot has meta == UInt64.max; keys are unique and non-empty.
// Complexity: build O(total key bytes); lookup O(key length) expected, one memory access for ≤ 8 bytes.

import CPrefetch
import Foundation

@usableFromInline
final class ByteSequenceMap: @unchecked Sendable {
    /// Raw, trivially copyable access for hot loops. Valid while the owning map is alive.
    @usableFromInline
    struct View: @unchecked Sendable {
        @usableFromInline let slots: UnsafePointer<UInt64>
        @usableFromInline let longKeyOffsets: UnsafePointer<UInt32>
        @usableFromInline let arena: UnsafePointer<UInt8>
        @usableFromInline let mask: Int
        @usableFromInline let shift: UInt64
        @usableFromInline let filter: UnsafePointer<UInt64>
        @usableFromInline let filterMask: UInt64

        @usableFromInline init(slots: UnsafePointer<UInt64>, longKeyOffsets: UnsafePointer<UInt32>, arena: UnsafePointer<UInt8>,
                               mask: Int, shift: UInt64, filter: UnsafePointer<UInt64>, filterMask: UInt64) {
            self.slots = slots; self.longKeyOffsets = longKeyOffsets; self.arena = arena; self.mask = mask; self.shift = shift
            self.filter = filter; self.filterMask = filterMask
        }

        /// The filter bit of a key's hash: bits 20… of the hash (the slot uses the top bits, the per-thread
        /// caches the low ones).
        @inlinable @inline(__always)
        func mayContain(hash: UInt64) -> Bool {
            let bit = filterBit(hash, mask: filterMask)
            return filter[Int(truncatingIfNeeded: bit >> 6)] & (1 << (bit & 63)) != 0
        }

        /// Starts loading the filter word and the first slot a key with `hash` probes, so that a lookup
        /// issued a few pieces later finds them in cache.
        @inlinable @inline(__always)
        func prefetch(hash: UInt64) {
            tessera_prefetch(filter + Int(truncatingIfNeeded: filterBit(hash, mask: filterMask) >> 6))
            tessera_prefetch(slots + 2 &* Int(truncatingIfNeeded: hash >> shift))
        }

        /// The value stored for the `length` bytes at `key`, or `UInt32.max` when absent.
        @inlinable @inline(__always)
        func value(_ key: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
            let word = loadPrefixWord(key, length)
            return value(key, length, word: word, hash: hashKey(word, key, length))
        }

        /// As `value(_:_:)` with the prefix word and hash already computed (`loadPrefixWord`, `hashKey`).
        @inlinable @inline(__always)
        func value(_ key: UnsafePointer<UInt8>, _ length: Int, word: UInt64, hash: UInt64) -> UInt32 {
            // Most failed lookups (pieces that need merging, pairs that do not merge) stop here, in a
            // table small enough for L2, instead of missing in the multi-megabyte slot array.
            guard mayContain(hash: hash) else { return .max }
            var slot = Int(truncatingIfNeeded: hash >> shift)
            let wantMeta = UInt64(truncatingIfNeeded: length)
            while true {
                let meta = slots[2 &* slot &+ 1]
                if meta == .max { return .max }
                if meta & 0xffff_ffff == wantMeta && slots[2 &* slot] == word {
                    if length <= 8 { return UInt32(truncatingIfNeeded: meta >> 32) }
                    let offset = Int(longKeyOffsets[slot])
                    if memcmp(arena + offset + 8, key + 8, length - 8) == 0 { return UInt32(truncatingIfNeeded: meta >> 32) }
                }
                slot = (slot &+ 1) & mask
            }
        }
    }

    let slots: UnsafeMutablePointer<UInt64>
    let longKeyOffsets: UnsafeMutablePointer<UInt32>
    /// All keys back to back, in entry order; `keyStarts[i]..<keyStarts[i+1]` is key i.
    @usableFromInline let arena: UnsafeMutablePointer<UInt8>
    let keyStarts: [UInt32]
    let capacity: Int
    let shift: UInt64
    let count: Int
    /// A one-hash Bloom filter over the keys: 8 bits per slot (capacity ≥ 2 × count, so ≥ 16 bits per key
    /// and ≈ 6 % false positives); 256 KiB for cl100k, 512 KiB for o200k.
    let filter: UnsafeMutablePointer<UInt64>
    let filterWords: Int

    @usableFromInline var view: View {
        View(slots: slots, longKeyOffsets: longKeyOffsets, arena: arena, mask: capacity - 1, shift: shift,
             filter: filter, filterMask: UInt64(filterWords * 64 - 1))
    }

    struct DuplicateKey: Error { let firstIndex: Int; let secondIndex: Int; let secondKey: [UInt8] }

    /// Builds the map, or reports the first pair of equal keys.
    static func build(keys: [ArraySlice<UInt8>], values: [UInt32]) -> Result<ByteSequenceMap, DuplicateKey> {
        var packed: [UInt8] = []
        packed.reserveCapacity(keys.reduce(0) { $0 + $1.count })
        var ends: [UInt32] = []
        ends.reserveCapacity(keys.count)
        for k in keys { packed.append(contentsOf: k); ends.append(UInt32(packed.count)) }
        return build(packed: packed, ends: ends, values: values)
    }

    /// Builds the map from keys stored back to back: key i is `packed[ends[i-1]..<ends[i]]` (from 0 for i = 0).
    static func build(packed: [UInt8], ends: [UInt32], values: [UInt32]) -> Result<ByteSequenceMap, DuplicateKey> {
        let map = ByteSequenceMap(packed: packed, ends: ends, values: values)
        if let duplicate = map.duplicate { return .failure(duplicate) }
        return .success(map)
    }

    private var duplicate: DuplicateKey?

    private init(packed: [UInt8], ends: [UInt32], values: [UInt32]) {
        precondition(ends.count == values.count)
        count = ends.count
        let arenaStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: packed.count + 8)
        packed.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { arenaStorage.update(from: base, count: src.count) }
        }
        arena = arenaStorage
        keyStarts = [0] + ends
        var capacity = 16
        while capacity < count * 2 { capacity <<= 1 }
        self.capacity = capacity
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        slots = .allocate(capacity: capacity * 2)
        for i in 0..<capacity { slots[2 * i] = 0; slots[2 * i + 1] = .max }
        longKeyOffsets = .allocate(capacity: capacity)
        longKeyOffsets.initialize(repeating: 0, count: capacity)
        filterWords = capacity / 8
        filter = .allocate(capacity: filterWords)
        filter.initialize(repeating: 0, count: filterWords)
        let filterMask = UInt64(filterWords * 64 - 1)
        let mask = capacity - 1
        var start = 0
        for i in 0..<count {
            let end = Int(ends[i]), length = end - start
            let key = UnsafePointer(arena + start)
            let word = loadPrefixWord(key, length)
            let hash = hashKey(word, key, length)
            let bit = filterBit(hash, mask: filterMask)
            filter[Int(bit >> 6)] |= 1 << (bit & 63)
            var slot = Int(truncatingIfNeeded: hash >> shift)
            // One probe both finds the free slot and detects an equal key already stored.
            while slots[2 * slot + 1] != .max {
                let meta = slots[2 * slot + 1]
                if meta & 0xffff_ffff == UInt64(length) && slots[2 * slot] == word
                    && (length <= 8 || memcmp(arena + Int(longKeyOffsets[slot]) + 8, key + 8, length - 8) == 0) {
                    let existing = UInt32(truncatingIfNeeded: meta >> 32)
                    duplicate = DuplicateKey(firstIndex: values.firstIndex(of: existing) ?? 0, secondIndex: i,
                                             secondKey: Array(UnsafeBufferPointer(start: key, count: length)))
                    return
                }
                slot = (slot + 1) & mask
            }
            slots[2 * slot] = word
            slots[2 * slot + 1] = UInt64(values[i]) << 32 | UInt64(length)
            longKeyOffsets[slot] = UInt32(start)
            start = end
        }
    }

    deinit {
        filter.deallocate()
        slots.deallocate()
        longKeyOffsets.deallocate()
        arena.deallocate()
    }

    /// Key i's bytes.
    func key(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: arena + Int(keyStarts[i]), count: Int(keyStarts[i + 1] - keyStarts[i]))
    }
}

/// The Bloom-filter bit of a key's hash, shared by building and lookup so the two can never disagree.
@inlinable @inline(__always)
func filterBit(_ hash: UInt64, mask: UInt64) -> UInt64 { (hash >> 20) & mask }

/// The first min(n, 8) bytes of `p` as a little-endian word, zero-padded, without reading past p[n-1].
/// Public for other modules' byte-keyed tables (TesseraSentencePiece's word cache).
@inlinable @inline(__always)
public func loadPrefixWord(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    let raw = UnsafeRawPointer(p)
    if n >= 8 { return raw.loadUnaligned(as: UInt64.self) }
    if n >= 4 {
        // Two overlapping 4-byte loads; the overlap holds equal bytes, so OR-ing them is exact.
        let lo = UInt64(raw.loadUnaligned(as: UInt32.self))
        let hi = UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
        return lo | hi << (8 * UInt64(n - 4))
    }
    if n == 0 { return 0 }
    let mid = n >> 1
    return UInt64(p[0]) | UInt64(p[mid]) << (8 * UInt64(mid)) | UInt64(p[n - 1]) << (8 * UInt64(n - 1))
}

/// Unseeded multiply-mix hash: the prefix word, the length, then 8 bytes per step for long keys.
@inlinable @inline(__always)
func hashKey(_ word: UInt64, _ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    let k: UInt64 = 0x9E37_79B9_7F4A_7C15
    var h = (word ^ UInt64(truncatingIfNeeded: n) &* 0xD6E8_FEB8_6659_FD93) &* k
    if n > 8 {
        let raw = UnsafeRawPointer(p)
        var i = 8
        while i + 8 <= n {
            h = (h ^ (h >> 29) ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* k
            i += 8
        }
        if i < n { h = (h ^ (h >> 29) ^ loadPrefixWord(p + i, n - i)) &* k }
    }
    return h ^ (h >> 31)
}

/// The byte-string hash used by Tessera's tables, public so other modules' tables (e.g. the training
/// count table) hash exactly like the vocabulary does.
public enum ByteHash {
    /// The first min(n, 8) bytes of `p` as a little-endian word, zero-padded.
    @inlinable @inline(__always)
    public static func prefixWord(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 { loadPrefixWord(p, n) }

    /// A 64-bit hash of the `n` bytes at `p` (not seeded: not for adversarial keys in shared services).
    @inlinable @inline(__always)
    public static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 { hashKey(loadPrefixWord(p, n), p, n) }
}
