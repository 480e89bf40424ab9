// ByteTrie: a double-array trie (Aoe 1989) over byte strings, built once per model, for the prefix searches
// SentencePiece's models do: every piece that starts at a position (the Unigram lattice; each key's slot also holds
// its score) and the longest user-defined symbol at a position (the PrefixMatcher of the normalizer and of BPE).
//
// Layout: node 0 is the root; the child of node s for byte c is t = base[s] + c when check[t] == s;
// value[t] is the id of the key that ends at t, or -1. The three live in one 16-byte slot, so a step of a walk
// (check and value of t, then base of t for the next step) touches one cache line. Built from sorted keys,
// depth-first; each node's base is the first offset (from a moving free pointer) where all its children's slots
// are free.
//
// Invariant: `child` never reads outside the arrays (t is checked against the capacity); every key inserted is
// found with its value, and no other string is. Complexity: build O(total key bytes × probing); lookup O(1) per
// byte. Memory: 16 bytes per slot (slots ≈ 1.1–1.5 × nodes).

import Foundation

/// A static byte trie mapping byte strings to non-negative Int32 values.
final class ByteTrie: @unchecked Sendable {
    /// Raw, trivially copyable access for hot loops. Valid while the trie is alive.
    struct View: @unchecked Sendable {
        let slots: UnsafePointer<Slot>
        let capacity: Int

        /// The child of `node` for byte `c`, or -1.
        @inline(__always)
        func child(_ node: Int, _ c: UInt8) -> Int {
            // Bases may be negative (a node whose smallest label is large), so compare unsigned.
            let t = Int(slots[node].base) &+ Int(c)
            return UInt(bitPattern: t) < UInt(bitPattern: capacity) && slots[t].check == Int32(truncatingIfNeeded: node) ? t : -1
        }

        /// The value of the key that ends at `node` (a node returned by `child` or `walk`), or -1.
        @inline(__always)
        func value(_ node: Int) -> Int32 { slots[node].value }

        /// The extra data of the key that ends at `node`.
        @inline(__always)
        func extra(_ node: Int) -> UInt32 { slots[node].extra }

        /// The node reached from `node` through `bytes[0..<length]`, or -1.
        @inline(__always)
        func walk(from node: Int, _ bytes: UnsafePointer<UInt8>, _ length: Int) -> Int {
            var s = node
            var i = 0
            while i < length {
                s = child(s, bytes[i])
                if s < 0 { return -1 }
                i &+= 1
            }
            return s
        }
    }

    /// One node: its children's base, its parent (check), the value of the key ending here and 32 bits of
    /// data for that key.
    struct Slot {
        var base: Int32
        var check: Int32
        var value: Int32
        var extra: UInt32
    }

    private let storage: UnsafeMutablePointer<Slot>
    let capacity: Int
    /// Number of keys.
    let count: Int
    /// Whether byte b starts at least one key (a quick reject before walking).
    let startsKey: [Bool]

    var view: View { View(slots: storage, capacity: capacity) }

    /// Builds the trie from `(key, value)` pairs (keys non-empty, any order; of equal keys the first is kept).
    convenience init(_ entries: [(key: ArraySlice<UInt8>, value: Int32)]) {
        var text: [UInt8] = []
        var ranges: [Range<Int>] = []
        for e in entries {
            let start = text.count
            text.append(contentsOf: e.key)
            ranges.append(start..<text.count)
        }
        self.init(uniqueKeysIn: text, keys: ranges, values: entries.map(\.value))
    }

    /// Builds the trie from keys given as ranges of `text` (non-empty, any order) and their values. Keys are
    /// expected to be unique (the callers check); of equal keys the first in input order is kept.
    /// `extras[i]`, when given, is stored in the slot of key i (read with `View.extra`), next to its value, so a
    /// walk that finds a key has the key's data in the same cache line.
    init(uniqueKeysIn text: [UInt8], keys: [Range<Int>], values: [Int32], extras: [UInt32]? = nil) {
        var starts = [Bool](repeating: false, count: 256)
        for r in keys where !r.isEmpty { starts[Int(text[r.lowerBound])] = true }
        startsKey = starts
        // Sort bytewise (darts-clone's order): by the first eight bytes as a big-endian number, then the rest.
        var order: [(prefix: UInt64, index: Int32)] = []
        order.reserveCapacity(keys.count)
        text.withUnsafeBufferPointer { t in
            for (i, r) in keys.enumerated() {
                var prefix: UInt64 = 0
                for k in 0..<8 { prefix = prefix << 8 | (k < r.count ? UInt64(t[r.lowerBound + k]) : 0) }
                order.append((prefix, Int32(i)))
            }
            let base = t.baseAddress!
            order.sort { a, b in
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                let ra = keys[Int(a.index)], rb = keys[Int(b.index)]
                if ra.count > 8 || rb.count > 8 {
                    let c = memcmp(base + ra.lowerBound, base + rb.lowerBound, min(ra.count, rb.count))
                    if c != 0 { return c < 0 }
                }
                return ra.count != rb.count ? ra.count < rb.count : a.index < b.index
            }
        }
        var sorted: [Int] = []
        sorted.reserveCapacity(order.count)
        for (k, e) in order.enumerated() {
            if k > 0, text[keys[Int(order[k - 1].index)]].elementsEqual(text[keys[Int(e.index)]]) { continue }
            sorted.append(Int(e.index))
        }
        count = sorted.count
        var base: [Int32] = [0]
        var check: [Int32] = [-1]
        var value: [Int32] = [-1]
        var extra: [UInt32] = [0]
        var used: [Bool] = [true]
        var nextFree = 1

        func grow(to n: Int) {
            if n <= base.count { return }
            let add = max(n - base.count, base.count / 2)
            base.append(contentsOf: repeatElement(0, count: add))
            check.append(contentsOf: repeatElement(-1, count: add))
            value.append(contentsOf: repeatElement(-1, count: add))
            extra.append(contentsOf: repeatElement(0, count: add))
            used.append(contentsOf: repeatElement(false, count: add))
        }
        @inline(__always) func byte(_ k: Int, _ depth: Int) -> Int { Int(text[keys[sorted[k]].lowerBound + depth]) }

        // Depth-first over ranges of sorted keys that share a prefix of length `depth`.
        var stack: [(node: Int, lo: Int, hi: Int, depth: Int)] = sorted.isEmpty ? [] : [(0, 0, sorted.count, 0)]
        var labels: [Int] = []
        var bounds: [Int] = []
        var usedMax = 0
        while let (node, lo0, hi, depth) = stack.popLast() {
            var lo = lo0
            // A key that ends here sorts first among the keys with this prefix.
            if keys[sorted[lo]].count == depth {
                value[node] = values[sorted[lo]]
                if let extras { extra[node] = extras[sorted[lo]] }
                lo += 1
            }
            if lo >= hi { continue }
            labels.removeAll(keepingCapacity: true)
            bounds.removeAll(keepingCapacity: true)
            var i = lo
            while i < hi {
                let c = byte(i, depth)
                labels.append(c)
                bounds.append(i)
                i += 1
                while i < hi && byte(i, depth) == c { i += 1 }
            }
            bounds.append(hi)
            // The first base (from the first free slot on) where every child slot is free.
            while nextFree < used.count && used[nextFree] { nextFree += 1 }
            var b = max(nextFree - labels[0], 1 - labels[0])
            search: while true {
                grow(to: b + labels[labels.count - 1] + 1)
                for c in labels where used[b + c] { b += 1; continue search }
                break
            }
            base[node] = Int32(b)
            for (k, c) in labels.enumerated() {
                let t = b + c
                used[t] = true
                usedMax = max(usedMax, t)
                check[t] = Int32(node)
                stack.append((t, bounds[k], bounds[k + 1], depth + 1))
            }
        }
        let size = usedMax + 1
        base.removeSubrange(size...)
        check.removeSubrange(size...)
        value.removeSubrange(size...)
        extra.removeSubrange(size...)
        capacity = base.count
        storage = .allocate(capacity: capacity)
        for i in 0..<capacity {
            (storage + i).initialize(to: Slot(base: base[i], check: check[i], value: value[i], extra: extra[i]))
        }
    }

    deinit {
        storage.deallocate()
    }

    /// The value of exactly `key`, or nil.
    func value(of key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard let p = key.baseAddress, !key.isEmpty else { return nil }
        let s = view.walk(from: 0, p, key.count)
        guard s >= 0 else { return nil }
        let v = storage[s].value
        return v >= 0 ? v : nil
    }

    /// The longest key that is a prefix of `text[start..<end]` among the first `maxResults` matches (shortest
    /// first, as darts-clone reports them): its length, or 0 when none.
    @inline(__always)
    func longestPrefix(_ text: UnsafePointer<UInt8>, from start: Int, to end: Int, maxResults: Int = .max) -> Int {
        let v = view
        var s = 0
        var best = 0
        var found = 0
        var i = start
        while i < end {
            s = v.child(s, text[i])
            if s < 0 { break }
            i += 1
            if v.value(s) >= 0 {
                if found < maxResults { best = i - start }
                found += 1
            }
        }
        return best
    }
}
