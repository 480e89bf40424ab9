// VocabularyTrie: the vocabulary's byte trie, flattened — ids sorted by their bytes, so the tokens that
// start with a byte string p form one contiguous range found by two binary searches.
// Invariant: `range(prefix:)` holds exactly the ids whose bytes start with the prefix.
// Complexity: build O(V log V · L); a prefix query O(|p| log V).

import TesseraBPE

/// Token ids in byte-lexicographic order with prefix-range queries.
public struct VocabularyTrie: Sendable {
    /// Ids with bytes, sorted by bytes.
    public let sorted: [TokenID]
    let table: TokenByteTable
    /// `firstByte[b]`: the range of tokens starting with byte b.
    public let firstByte: [Range<Int>]

    public init(_ table: TokenByteTable) {
        self.table = table
        let ids = (0..<table.count).map { TokenID($0) }.filter { table.length($0) > 0 }
        sorted = ids.sorted { table.bytes($0).lexicographicallyPrecedes(table.bytes($1)) }
        var ranges: [Range<Int>] = []
        var lo = 0
        for b in 0..<256 {
            var hi = lo
            while hi < sorted.count && table.byte(sorted[hi], 0) == UInt8(b) { hi += 1 }
            ranges.append(lo..<hi)
            lo = hi
        }
        firstByte = ranges
    }

    /// Positions in `sorted` of the tokens whose bytes start with `prefix`.
    public func range<C: Collection<UInt8>>(prefix: C) -> Range<Int> {
        guard let first = prefix.first else { return 0..<sorted.count }
        var lo = firstByte[Int(first)].lowerBound, hi = firstByte[Int(first)].upperBound
        // Narrow byte by byte: within [lo, hi) every token agrees on the bytes before k.
        for (k, b) in prefix.enumerated().dropFirst() {
            var a = lo, z = hi
            while a < z {   // first token whose byte k is ≥ b (shorter tokens sort first)
                let m = (a + z) / 2, t = sorted[m]
                if table.length(t) <= k || table.byte(t, k) < b { a = m + 1 } else { z = m }
            }
            var c = a, d = hi
            while c < d {   // first token whose byte k is > b
                let m = (c + d) / 2, t = sorted[m]
                if table.length(t) > k && table.byte(t, k) <= b { c = m + 1 } else { d = m }
            }
            lo = a; hi = c
            if lo == hi { break }
        }
        return lo..<hi
    }
}
