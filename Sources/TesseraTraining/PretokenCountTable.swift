// PretokenCountTable: a growable hash table from pre-token byte strings to 64-bit counts — the inner
// loop of training, which peers spend 40–80 % of their CPU time in.
//
// Layout: keys live back to back in one arena; an entry is (arena offset, length, count, hash); the
// slot array holds entry indices (open addressing, linear probing, load ≤ 1/2). A slot stores the
// entry index and the hash's top 32 bits, so most probes that do not match never touch the entry.
// Keys of ≤ 8 bytes are compared as one word.
// Invariant: every key occurs once; counts are exact 64-bit sums (no overflow below 2^64 occurrences).
// Complexity: `add` O(key length) expected; growth amortised O(1) per key.

import Foundation
import TesseraBPE

/// Pre-token → count. Not thread-safe: each counting worker owns one table (hence `@unchecked
/// Sendable`: tables are handed to workers, never shared between them). Merge with `add(contentsOf:)`.
public final class PretokenCountTable: @unchecked Sendable {
    /// The buffers. Hot loops copy this struct into a local, add to it and store it back
    /// (`withStorage`), so Swift checks exclusivity statically rather than on every field access.
    var storage: CountStorage

    /// Longest key the table accepts.
    public static let maxKeyLength = (1 << 24) - 1

    public init(expectedKeys: Int = 1 << 12) {
        storage = CountStorage(expectedKeys: expectedKeys)
    }

    deinit { storage.deallocate() }

    /// Number of distinct keys.
    public var count: Int { storage.count }
    /// Sum of all counts.
    public var total: UInt64 { storage.total }

    /// Adds `amount` to the count of the `n` bytes at `key` (1 ≤ n ≤ `maxKeyLength`).
    public func add(_ key: UnsafePointer<UInt8>, _ n: Int, amount: UInt64 = 1) {
        storage.add(key, n, amount: amount)
    }

    /// Runs `body` on the storage as a local value (for loops that add many keys).
    @inline(__always)
    func withStorage(_ body: (inout CountStorage) -> Void) {
        var local = storage
        body(&local)
        storage = local
    }

    /// Adds every key of `other` with its count.
    public func add(contentsOf other: PretokenCountTable) {
        withStorage { mine in
            other.forEach { key, count in if let base = key.baseAddress { mine.add(base, key.count, amount: count) } }
        }
    }

    /// Calls `body` with every key and its count, in insertion order (not a stable order across threads:
    /// sort before anything depends on it).
    public func forEach(_ body: (UnsafeBufferPointer<UInt8>, UInt64) -> Void) {
        let s = storage
        for e in 0..<s.count {
            let span = s.spans[e]
            body(UnsafeBufferPointer(start: s.arena + Int(truncatingIfNeeded: span >> 24),
                                     count: Int(truncatingIfNeeded: span & 0xff_ffff)), s.counts[e])
        }
    }

    /// Bytes of memory held (for progress reports and the memory estimate).
    public var memoryBytes: Int { storage.memoryBytes }
}

/// The buffers of a count table (manually allocated; the owning table deallocates them).
struct CountStorage {
    /// Slot: `hashTop32 << 32 | (entry index + 1)`, or 0 for empty.
    private var slots: UnsafeMutablePointer<UInt64>
    private var slotMask: Int
    private(set) var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity: Int
    private var arenaUsed = 0
    /// Per entry: `start << 24 | length` (keys are < 16 MiB; longer pre-tokens are split by the counter).
    private(set) var spans: UnsafeMutablePointer<UInt64>
    private(set) var counts: UnsafeMutablePointer<UInt64>
    private var prefixWords: UnsafeMutablePointer<UInt64>
    private var entryCapacity: Int
    private(set) var count = 0
    private(set) var total: UInt64 = 0

    init(expectedKeys: Int) {
        let entries = max(16, expectedKeys)
        var slotCount = 16
        while slotCount < entries * 2 { slotCount <<= 1 }
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: 0, count: slotCount)
        slotMask = slotCount - 1
        entryCapacity = entries
        spans = .allocate(capacity: entries)
        counts = .allocate(capacity: entries)
        prefixWords = .allocate(capacity: entries)
        arenaCapacity = entries * 8
        arena = .allocate(capacity: arenaCapacity)
    }

    func deallocate() {
        slots.deallocate()
        spans.deallocate()
        counts.deallocate()
        prefixWords.deallocate()
        arena.deallocate()
    }

    @inline(__always)
    mutating func add(_ key: UnsafePointer<UInt8>, _ n: Int, amount: UInt64 = 1) {
        let word = ByteHash.prefixWord(key, n)
        let hash = ByteHash.hash(key, n)
        let tag = hash >> 32
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        total &+= amount
        while true {
            let s = slots[slot]
            if s == 0 { break }
            if s >> 32 == tag {
                let e = Int(truncatingIfNeeded: s & 0xffff_ffff) - 1
                let span = spans[e]
                if Int(truncatingIfNeeded: span & 0xff_ffff) == n && prefixWords[e] == word
                    && (n <= 8 || memcmp(arena + Int(truncatingIfNeeded: span >> 24), key, n) == 0) {
                    counts[e] &+= amount
                    return
                }
            }
            slot = (slot + 1) & slotMask
        }
        insert(key, n, amount: amount, word: word, hash: hash, slot: slot)
    }

    private mutating func insert(_ key: UnsafePointer<UInt8>, _ n: Int, amount: UInt64, word: UInt64, hash: UInt64, slot: Int) {
        if count == entryCapacity { growEntries() }
        if arenaUsed + n > arenaCapacity { growArena(to: arenaUsed + n) }
        (arena + arenaUsed).update(from: key, count: n)
        spans[count] = UInt64(arenaUsed) << 24 | UInt64(n)
        counts[count] = amount
        prefixWords[count] = word
        arenaUsed += n
        slots[slot] = (hash >> 32) << 32 | UInt64(count + 1)
        count += 1
        if count * 2 > slotMask + 1 { rehash() }
    }

    private mutating func growEntries() {
        let capacity = entryCapacity * 2
        func grow(_ p: inout UnsafeMutablePointer<UInt64>) {
            let q = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
            q.moveInitialize(from: p, count: count)
            p.deallocate()
            p = q
        }
        grow(&spans)
        grow(&counts)
        grow(&prefixWords)
        entryCapacity = capacity
    }

    private mutating func growArena(to needed: Int) {
        var capacity = arenaCapacity * 2
        while capacity < needed { capacity *= 2 }
        let q = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        q.moveInitialize(from: arena, count: arenaUsed)
        arena.deallocate()
        arena = q
        arenaCapacity = capacity
    }

    private mutating func rehash() {
        let slotCount = (slotMask + 1) * 2
        slots.deallocate()
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: 0, count: slotCount)
        slotMask = slotCount - 1
        for e in 0..<count {
            let span = spans[e]
            let hash = ByteHash.hash(arena + Int(truncatingIfNeeded: span >> 24), Int(truncatingIfNeeded: span & 0xff_ffff))
            var slot = Int(truncatingIfNeeded: hash) & slotMask
            while slots[slot] != 0 { slot = (slot + 1) & slotMask }
            slots[slot] = (hash >> 32) << 32 | UInt64(e + 1)
        }
    }

    var memoryBytes: Int { (slotMask + 1) * 8 + entryCapacity * 24 + arenaCapacity }
}
