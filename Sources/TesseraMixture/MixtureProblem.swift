// MixtureProblem: the replayed samples of all categories on one pair numbering, in the two layouts the
// lazy LP loop needs — by step (to walk t = 0…T−1 adding each step's deltas to the mixture-weighted
// counts) and by pair (to read c_i^(t)(p), the count of pair p in sample i before merge t, when a row
// (t, p) is added).
//
// By pair, the events of p are sorted by (category, stamp) with the running count after each event
// (stamp 0 = initial count, stamp t + 1 = after merge t), so c_i^(t)(p) is two binary searches: the
// category's range, then its last stamp ≤ t.
// Invariant: for every sample i, pair p and step t, count(p, i, t) equals the replay's count.
// Complexity: O(E) to build for E = Σ_i (initial pairs + Σ_t |Δ_t|) events, memory ~26 bytes per event;
// count(p, i, t) is O(log E_p).

import TesseraTraining

final class MixtureProblem: @unchecked Sendable {
    let names: [String]
    let bytes: [UInt64]
    /// Z_i.
    let pairTotals: [Int64]
    /// Distinct pairs over all samples and steps.
    let pairCount: Int
    let pairKeys: [UInt64]
    let steps: Int
    /// Global pair of each merge, or −1 when no sample ever has it.
    let mergePair: [Int32]
    /// Whether merge t occurs (count > 0) in some sample before it is applied.
    let active: [Bool]
    /// Per sample: initial pairs and counts; changes by step.
    let initialPair: [[UInt32]]
    let initialCount: [[Int64]]
    let changePair: [[UInt32]]
    let changeDelta: [[Int64]]
    let stepStart: [[Int]]
    /// By pair: events of pair g are historyStart[g] ..< historyStart[g + 1].
    let historyStart: [Int]
    let historyCategory: [UInt16]
    let historyStamp: [UInt32]
    let historyCount: [Int64]

    var categories: Int { names.count }

    init(samples: [SampleReplay], merges: ByteMergeList) {
        names = samples.map(\.name)
        bytes = samples.map(\.bytes)
        pairTotals = samples.map(\.pairTotal)
        steps = samples.first?.steps ?? 0
        var index = PairIndex(expected: samples.reduce(0) { $0 + $1.initial.count } * 2)
        var initialPair: [[UInt32]] = [], initialCount: [[Int64]] = [], changePair: [[UInt32]] = [], changeDelta: [[Int64]] = []
        for s in samples {
            initialPair.append(s.initial.map { index.id($0.key) })
            initialCount.append(s.initial.map(\.delta))
            changePair.append(s.changes.map { index.id($0.key) })
            changeDelta.append(s.changes.map(\.delta))
        }
        var mergePair = [Int32](repeating: -1, count: steps)
        var active = [Bool](repeating: false, count: steps)
        for (t, m) in merges.pairs.prefix(steps).enumerated() {
            let key = UInt64(m.left) << 32 | UInt64(m.right)
            if let g = index.existing(key) { mergePair[t] = Int32(g) }
            // The merge occurs in sample i exactly when step t removes its pair there.
            for s in samples where s.changes[s.stepStart[t]..<s.stepStart[t + 1]].contains(where: { $0.key == key && $0.delta < 0 }) {
                active[t] = true
                break
            }
        }
        pairCount = index.count
        pairKeys = index.keys
        self.mergePair = mergePair
        self.active = active
        self.initialPair = initialPair
        self.initialCount = initialCount
        self.changePair = changePair
        self.changeDelta = changeDelta
        stepStart = samples.map(\.stepStart)

        var start = [Int](repeating: 0, count: pairCount + 1)
        for i in 0..<samples.count {
            for g in initialPair[i] { start[Int(g) + 1] += 1 }
            for g in changePair[i] { start[Int(g) + 1] += 1 }
        }
        for g in 0..<pairCount { start[g + 1] += start[g] }
        let events = start[pairCount]
        var fill = start
        var category = [UInt16](repeating: 0, count: events)
        var stamp = [UInt32](repeating: 0, count: events)
        var running = [Int64](repeating: 0, count: pairCount)
        var count = [Int64](repeating: 0, count: events)
        for i in 0..<samples.count {
            func put(_ g: Int, _ s: UInt32) {
                let e = fill[g]
                fill[g] += 1
                category[e] = UInt16(i)
                stamp[e] = s
                count[e] = running[g]
            }
            for (k, g) in initialPair[i].enumerated() {
                running[Int(g)] = initialCount[i][k]
                put(Int(g), 0)
            }
            let st = stepStart[i]
            for t in 0..<steps {
                for e in st[t]..<st[t + 1] {
                    let g = Int(changePair[i][e])
                    running[g] += changeDelta[i][e]
                    put(g, UInt32(t + 1))
                }
            }
            for g in initialPair[i] { running[Int(g)] = 0 }
            for g in changePair[i] { running[Int(g)] = 0 }
        }
        historyStart = start
        historyCategory = category
        historyStamp = stamp
        historyCount = count
    }

    /// c_i^(t)(g): the count of pair g in sample i before merge t.
    func count(pair g: Int, category i: Int, beforeStep t: Int) -> Int64 {
        var lo = historyStart[g], hi = historyStart[g + 1]
        // First event of category ≥ i.
        var a = lo, b = hi
        while a < b {
            let mid = (a + b) >> 1
            if Int(historyCategory[mid]) < i { a = mid + 1 } else { b = mid }
        }
        lo = a
        b = hi
        while a < b {
            let mid = (a + b) >> 1
            if Int(historyCategory[mid]) <= i { a = mid + 1 } else { b = mid }
        }
        hi = a
        // Last event of the category with stamp ≤ t.
        a = lo
        b = hi
        while a < b {
            let mid = (a + b) >> 1
            if historyStamp[mid] <= UInt32(t) { a = mid + 1 } else { b = mid }
        }
        return a > lo ? historyCount[a - 1] : 0
    }

    /// Bytes held by the event arrays.
    var memoryBytes: Int {
        historyStamp.count * 14 + changePair.reduce(0) { $0 + $1.count * 12 } + initialPair.reduce(0) { $0 + $1.count * 12 }
            + pairCount * 16
    }
}

/// Pair key → dense index (open addressing, linear probing, no deletion).
struct PairIndex {
    private var slots: [Int32]
    private(set) var keys: [UInt64] = []
    private var mask: Int

    init(expected: Int) {
        var s = 1024
        while s < expected * 2 { s <<= 1 }
        slots = [Int32](repeating: -1, count: s)
        mask = s - 1
    }

    var count: Int { keys.count }

    @inline(__always) private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask }

    mutating func id(_ key: UInt64) -> UInt32 {
        var s = slot(key)
        while true {
            let i = slots[s]
            if i < 0 { break }
            if keys[Int(i)] == key { return UInt32(i) }
            s = (s + 1) & mask
        }
        let i = keys.count
        keys.append(key)
        slots[s] = Int32(i)
        if keys.count * 2 > slots.count { rehash() }
        return UInt32(i)
    }

    func existing(_ key: UInt64) -> Int? {
        var s = slot(key)
        while true {
            let i = slots[s]
            if i < 0 { return nil }
            if keys[Int(i)] == key { return Int(i) }
            s = (s + 1) & mask
        }
    }

    private mutating func rehash() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for (i, k) in keys.enumerated() {
            var s = slot(k)
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(i)
        }
    }
}
