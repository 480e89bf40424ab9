// SampleReplay: one category's sample replayed through a merge list (Hayase et al. 2024, "Data Mixture
// Inference", §3.1): the pair counts before the first merge, then for every step t the pairs whose
// count the merge changed and by how much — the deltas, so memory is Σ_t |Δ_t|, never T × pairs.
// The replay is BPEMergeEngine's incremental training machinery run on a given list
// (`BPEMergeEngine.replay(_:recording:)`). Counts are kept raw (Int64) together with Z, the sample's
// total number of adjacent symbol pairs; the LP divides by Z.
// Invariant: initial[p] + Σ_{s<t} Δ_s[p] is the count of p in the sample after merges 0..<t.
// Complexity: O(sample symbols) to count, then as training: O(Σ occurrences the merges touch).

import TesseraTraining

/// The pair counts of one category's sample as the merges are applied.
public struct SampleReplay: Sendable {
    /// The category's name.
    public let name: String
    /// Bytes of the sample text.
    public let bytes: UInt64
    /// Z: adjacent symbol pairs before the first merge (Σ word count × (length − 1)).
    public let pairTotal: Int64
    /// Pair counts before the first merge.
    public let initial: [PairCountChange]
    /// Changes of step t are `changes[stepStart[t] ..< stepStart[t + 1]]` (count + 1 entries).
    public let stepStart: [Int]
    public let changes: [PairCountChange]

    public var steps: Int { stepStart.count - 1 }

    /// Replays `merges` on the pre-token counts of a sample.
    /// - Throws: `MixtureError.emptyCategory` when the sample has no adjacent pair.
    public init(name: String, counts: PretokenCounts, merges: ByteMergeList) throws {
        // Every token of the list is known from the start, so each merge yields its listed id (the
        // engine reuses the id of known bytes) whatever the sample.
        let engine = BPEMergeEngine(baseTokens: merges.tokenBytes)
        var word: [UInt32] = []
        for i in 0..<counts.count {
            word.removeAll(keepingCapacity: true)
            for b in counts.key(i) { word.append(UInt32(b)) }
            engine.addWord(word, count: counts.counts[i])
        }
        let initial = engine.initialPairCounts()
        let total = initial.reduce(Int64(0)) { $0 + $1.delta }
        guard total > 0 else { throw MixtureError.emptyCategory(name: name) }
        var starts: [Int] = [0]
        starts.reserveCapacity(merges.count + 1)
        var changes: [PairCountChange] = []
        engine.replay(merges.pairs) { _, step in
            changes.append(contentsOf: step)
            starts.append(changes.count)
        }
        self.name = name
        bytes = counts.textBytes
        pairTotal = total
        self.initial = initial
        stepStart = starts
        self.changes = changes
    }

    /// The count of every pair after merges 0..<t, from the deltas (a check of the invariant and a
    /// helper for tests; the LP never materialises it).
    /// - Complexity: O(initial + Σ_{s<t} |Δ_s|).
    public func counts(beforeStep t: Int) -> [UInt64: Int64] {
        var c: [UInt64: Int64] = [:]
        for e in initial { c[e.key, default: 0] += e.delta }
        for e in changes[0..<stepStart[t]] { c[e.key, default: 0] += e.delta }
        return c.filter { $0.value != 0 }
    }
}
