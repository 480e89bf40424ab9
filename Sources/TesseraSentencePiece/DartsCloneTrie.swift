// DartsCloneTrie: read-only traversal of a darts-clone double array (third_party/darts_clone/darts.h, as
// vendored by sentencepiece), the trie format inside a model's `precompiled_charsmap`.
//
// The array is a sequence of 32-bit little-endian units. For a unit u:
//   has_leaf = (u >> 8) & 1        value  = u & 0x7FFF_FFFF        (valid for a leaf unit)
//   label    = u & (0x8000_0000 | 0xFF)   (a leaf unit's label has the top bit set, so it never equals a byte)
//   offset   = (u >> 10) << ((u & (1 << 9)) >> 6)
// From node position p, the child for byte c is at q = p ^ offset(unit[p]) ^ c, valid when label(unit[q]) == c;
// a node that ends a key has a leaf at q ^ offset(unit[q]) holding the key's value. commonPrefixSearch walks
// the input bytes from the root and reports every key that is a prefix, shortest first.
//
// Invariant: every unit index is checked against the array size (darts.h trusts the blob; a corrupt blob here
// ends the walk instead of reading outside it). For a well-formed array the results are darts.h's.
// Complexity: O(length of the longest match) per search, one unit load per byte.

/// A darts-clone double array held in memory (little-endian units).
struct DartsCloneTrie: @unchecked Sendable {
    /// The units. Owned by the `PrecompiledCharsMap` that holds this trie.
    let units: UnsafePointer<UInt32>
    let count: Int

    @inline(__always) static func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
    @inline(__always) static func value(_ u: UInt32) -> Int32 { Int32(bitPattern: u & 0x7FFF_FFFF) }
    @inline(__always) static func label(_ u: UInt32) -> UInt32 { u & (0x8000_0000 | 0xFF) }
    @inline(__always) static func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }

    /// The longest key that is a prefix of `text[start..<end]`, among the first `maxResults` matches (as
    /// sentencepiece's normalizer, which collects at most 32): its length and value, or nil.
    @inline(__always)
    func longestPrefix(_ text: UnsafePointer<UInt8>, from start: Int, to end: Int, maxResults: Int) -> (length: Int, value: Int32)? {
        guard count > 0 else { return nil }
        var node = Self.offset(units[0])   // node_pos ^= offset(root); the root is unit 0
        var results = 0
        var best: (Int, Int32)?
        var i = start
        while i < end {
            let c = Int(text[i])
            node ^= c
            guard node < count else { return best }
            let unit = units[node]
            if Self.label(unit) != UInt32(c) { return best }
            node ^= Self.offset(unit)
            if Self.hasLeaf(unit) {
                if results < maxResults {
                    guard node < count else { return best }
                    best = (i - start + 1, Self.value(units[node]))
                }
                results += 1
            }
            i += 1
        }
        return best
    }

    /// Whether some key starts with the two bytes `a`, `b` (the walk from the root succeeds).
    func hasPath(_ a: UInt8, _ b: UInt8) -> Bool {
        guard count > 0, let first = step(Self.offset(units[0]), a) else { return false }
        return step(first, b) != nil
    }

    /// One step of a walk: from `node` (already xor-ed with its unit's offset) through byte `c`; the next such node.
    private func step(_ node: Int, _ c: UInt8) -> Int? {
        let q = node ^ Int(c)
        guard q < count, Self.label(units[q]) == UInt32(c) else { return nil }
        return q ^ Self.offset(units[q])
    }

    /// Whether any key starts with byte `c` (a transition from the root exists).
    func rootHasTransition(_ c: UInt8) -> Bool {
        guard count > 0 else { return false }
        let node = Self.offset(units[0]) ^ Int(c)
        return node < count && Self.label(units[node]) == UInt32(c)
    }
}
