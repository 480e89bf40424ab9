// PretokenCounts: the result of counting — every distinct pre-token with its 64-bit count, sorted by
// bytes — plus what produced it (pre-tokenizer, normalizer, limits). It is what the merge loop reads
// and what `.counts` files store.
//
// Invariant: keys are distinct, non-empty and in ascending bytewise order; so the value depends only
// on the multiset of pre-tokens counted, never on thread count, chunking or shard order. Summing the
// counts of shards (`merged`) therefore equals counting their concatenation, as long as no pre-token
// spans a shard boundary (shards are whole files or cuts at safe points).
// Complexity: building O(k log k) key comparisons for k distinct keys; merging O(total keys · log).

import Foundation

/// What produced a count table; two tables can be merged only when their sources agree.
public struct CountSource: Sendable, Equatable, Codable {
    /// The pre-tokenizer: a built-in pattern name (`gpt2`, `cl100k`, …) or `regex:<pattern>`.
    public var preTokenizer: String
    /// The normalizer description, or nil.
    public var normalizer: String?
    /// Pre-tokens longer than this were cut into pieces of at most this many bytes (at UTF-8 boundaries).
    public var maxPretokenBytes: Int

    public init(preTokenizer: String, normalizer: String? = nil, maxPretokenBytes: Int) {
        self.preTokenizer = preTokenizer
        self.normalizer = normalizer
        self.maxPretokenBytes = maxPretokenBytes
    }
}

/// Distinct pre-tokens with 64-bit counts, sorted by bytes.
public struct PretokenCounts: Sendable, Equatable {
    public var source: CountSource
    /// Keys back to back in ascending order; key i is `keyBytes[keyEnds[i-1]..<keyEnds[i]]`.
    public private(set) var keyBytes: [UInt8]
    public private(set) var keyEnds: [Int]
    public private(set) var counts: [UInt64]
    /// Bytes of text counted (after normalization).
    public var textBytes: UInt64

    /// Number of distinct pre-tokens.
    public var count: Int { counts.count }
    /// Total number of pre-tokens counted.
    public var total: UInt64 { counts.reduce(0, &+) }

    /// The bytes of key `i`.
    public func key(_ i: Int) -> ArraySlice<UInt8> {
        keyBytes[(i == 0 ? 0 : keyEnds[i - 1])..<keyEnds[i]]
    }

    /// An empty table.
    public init(source: CountSource) {
        self.source = source
        keyBytes = []
        keyEnds = []
        counts = []
        textBytes = 0
    }

    /// Sorted counts from raw per-thread tables (their keys are summed).
    public init(source: CountSource, tables: [PretokenCountTable], textBytes: UInt64) {
        let combined: PretokenCountTable
        if tables.count == 1 {
            combined = tables[0]
        } else {
            combined = PretokenCountTable(expectedKeys: tables.map(\.count).max() ?? 16)
            for t in tables { combined.add(contentsOf: t) }
        }
        var keys: [ArraySlice<UInt8>] = []
        var values: [UInt64] = []
        keys.reserveCapacity(combined.count)
        values.reserveCapacity(combined.count)
        var arena: [UInt8] = []
        var starts: [Int] = []
        combined.forEach { key, count in
            starts.append(arena.count)
            arena.append(contentsOf: key)
            values.append(count)
        }
        starts.append(arena.count)
        for i in 0..<values.count { keys.append(arena[starts[i]..<starts[i + 1]]) }
        self.init(source: source, unsortedKeys: keys, counts: values, textBytes: textBytes)
    }

    /// Builds from distinct keys in any order.
    init(source: CountSource, unsortedKeys keys: [ArraySlice<UInt8>], counts values: [UInt64], textBytes: UInt64) {
        self.source = source
        self.textBytes = textBytes
        let order = Self.sortedOrder(keys)
        keyBytes = []
        keyBytes.reserveCapacity(keys.reduce(0) { $0 + $1.count })
        keyEnds = []
        keyEnds.reserveCapacity(keys.count)
        counts = []
        counts.reserveCapacity(keys.count)
        for i in order {
            keyBytes.append(contentsOf: keys[i])
            keyEnds.append(keyBytes.count)
            counts.append(values[i])
        }
    }

    /// Indices of `keys` in ascending bytewise order. Compares the first 8 bytes as one big-endian
    /// integer (most keys differ there) and falls back to memcmp, then length: a plain
    /// `lexicographicallyPrecedes` sort was 18 % of counting.
    static func sortedOrder(_ keys: [ArraySlice<UInt8>]) -> [Int] {
        var heads = [UInt64](repeating: 0, count: keys.count)
        for (i, k) in keys.enumerated() {
            var h: UInt64 = 0
            var n = 0
            for b in k.prefix(8) { h = h << 8 | UInt64(b); n += 1 }
            heads[i] = h << (8 * UInt64(8 - n))
        }
        return (0..<keys.count).sorted { a, b in
            if heads[a] != heads[b] { return heads[a] < heads[b] }
            let x = keys[a], y = keys[b]
            let common = min(x.count, y.count)
            if common > 8 {
                let c = x.withUnsafeBufferPointer { px in y.withUnsafeBufferPointer { py in
                    memcmp(px.baseAddress! + 8, py.baseAddress! + 8, common - 8)
                } }
                if c != 0 { return c < 0 }
            }
            return x.count < y.count
        }
    }

    /// Builds from keys already sorted and distinct (used by the file reader, which checks the order).
    init(source: CountSource, sortedKeyBytes: [UInt8], keyEnds: [Int], counts: [UInt64], textBytes: UInt64) {
        self.source = source
        self.keyBytes = sortedKeyBytes
        self.keyEnds = keyEnds
        self.counts = counts
        self.textBytes = textBytes
    }

    /// The sum of several tables (shards). Order of `parts` does not matter.
    /// - Throws: `TrainingError.incompatibleCounts` when the sources differ.
    public static func merged(_ parts: [PretokenCounts]) throws -> PretokenCounts {
        guard let first = parts.first else {
            throw TrainingError.noInput("no count tables to merge")
        }
        for (i, p) in parts.enumerated() where p.source != first.source {
            throw TrainingError.incompatibleCounts(index: i, expected: first.source, found: p.source)
        }
        if parts.count == 1 { return first }
        // k-way merge of sorted runs by repeated pairwise merging (balanced, so O(n log k)).
        var runs = parts
        while runs.count > 1 {
            var next: [PretokenCounts] = []
            var i = 0
            while i < runs.count {
                if i + 1 < runs.count { next.append(mergeTwo(runs[i], runs[i + 1])) } else { next.append(runs[i]) }
                i += 2
            }
            runs = next
        }
        return runs[0]
    }

    static func mergeTwo(_ a: PretokenCounts, _ b: PretokenCounts) -> PretokenCounts {
        var out = PretokenCounts(source: a.source)
        out.textBytes = a.textBytes &+ b.textBytes
        out.keyBytes.reserveCapacity(a.keyBytes.count + b.keyBytes.count)
        var i = 0, j = 0
        func append(_ key: ArraySlice<UInt8>, _ count: UInt64) {
            out.keyBytes.append(contentsOf: key)
            out.keyEnds.append(out.keyBytes.count)
            out.counts.append(count)
        }
        while i < a.count || j < b.count {
            if j == b.count { append(a.key(i), a.counts[i]); i += 1; continue }
            if i == a.count { append(b.key(j), b.counts[j]); j += 1; continue }
            let ka = a.key(i), kb = b.key(j)
            if ka == kb {
                append(ka, a.counts[i] &+ b.counts[j]); i += 1; j += 1
            } else if ka.lexicographicallyPrecedes(kb) {
                append(ka, a.counts[i]); i += 1
            } else {
                append(kb, b.counts[j]); j += 1
            }
        }
        return out
    }

    /// The table without pre-tokens counted fewer than `minimum` times.
    public func filtered(minFrequency minimum: UInt64) -> PretokenCounts {
        guard minimum > 1 else { return self }
        var out = PretokenCounts(source: source)
        out.textBytes = textBytes
        for i in 0..<count where counts[i] >= minimum {
            out.keyBytes.append(contentsOf: key(i))
            out.keyEnds.append(out.keyBytes.count)
            out.counts.append(counts[i])
        }
        return out
    }
}
