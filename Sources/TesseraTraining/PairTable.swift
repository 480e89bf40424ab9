// PairTable: adjacent-symbol pair → (64-bit count, list of words that may contain the pair), the
// bookkeeping of incremental BPE training.
//
// Pairs are keyed `left << 32 | right` in an open-addressing table (Fibonacci hashing, linear probing,
// tombstone-free: pairs are never removed, a merged pair just drops to count 0). A pair's words form a
// singly linked list of 8-byte nodes in one shared array; a node may be stale (the word no longer
// contains the pair) — the merge step checks each word — and the list of a merged pair becomes
// garbage that `compact` reclaims once it outweighs the live nodes.
// Invariant: `count(p)` is the exact number of occurrences of p in the corpus (Σ word count × windows);
// every word containing p is on p's list (possibly with stale extras).
// Complexity: `add`, `index(of:)` O(1) expected; `compact` O(live nodes).

/// Pair bookkeeping for the merge loop.
final class PairTable {
    private(set) var keys: UnsafeMutablePointer<UInt64>
    private var slots: UnsafeMutablePointer<Int32>
    private var slotMask: Int
    private(set) var counts: UnsafeMutablePointer<Int64>
    private(set) var heads: UnsafeMutablePointer<Int32>
    private var capacity: Int
    private(set) var count = 0

    /// Nodes: word index and next node index (−1 ends a list).
    private(set) var nodeWords: [Int32] = []
    private(set) var nodeNext: [Int32] = []
    private var garbageNodes = 0

    init(expectedPairs: Int) {
        capacity = max(64, expectedPairs)
        var s = 64
        while s < capacity * 2 { s <<= 1 }
        slotMask = s - 1
        slots = .allocate(capacity: s)
        slots.initialize(repeating: -1, count: s)
        keys = .allocate(capacity: capacity)
        counts = .allocate(capacity: capacity)
        heads = .allocate(capacity: capacity)
    }

    deinit {
        keys.deallocate()
        slots.deallocate()
        counts.deallocate()
        heads.deallocate()
    }

    @inline(__always)
    static func key(_ left: UInt32, _ right: UInt32) -> UInt64 { UInt64(left) << 32 | UInt64(right) }

    @inline(__always)
    private func slot(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & slotMask
    }

    /// The index of pair `key`, creating it (count 0, empty list) when absent.
    @inline(__always)
    func index(of key: UInt64) -> Int {
        var s = slot(of: key)
        while true {
            let i = slots[s]
            if i < 0 { break }
            if keys[Int(i)] == key { return Int(i) }
            s = (s + 1) & slotMask
        }
        if count == capacity { grow() ; return index(of: key) }
        let i = count
        keys[i] = key
        counts[i] = 0
        heads[i] = -1
        slots[s] = Int32(i)
        count += 1
        return i
    }

    /// The index of pair `key`, or nil.
    func existingIndex(of key: UInt64) -> Int? {
        var s = slot(of: key)
        while true {
            let i = slots[s]
            if i < 0 { return nil }
            if keys[Int(i)] == key { return Int(i) }
            s = (s + 1) & slotMask
        }
    }

    private func grow() {
        let newCapacity = capacity * 2
        func move<T>(_ p: inout UnsafeMutablePointer<T>) {
            let q = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
            q.moveInitialize(from: p, count: count)
            p.deallocate()
            p = q
        }
        move(&keys)
        move(&counts)
        move(&heads)
        capacity = newCapacity
        var s = slotMask + 1
        while s < capacity * 2 { s <<= 1 }
        slots.deallocate()
        slots = .allocate(capacity: s)
        slots.initialize(repeating: -1, count: s)
        slotMask = s - 1
        for i in 0..<count {
            var t = slot(of: keys[i])
            while slots[t] >= 0 { t = (t + 1) & slotMask }
            slots[t] = Int32(i)
        }
    }

    @inline(__always)
    func add(_ index: Int, _ delta: Int64) { counts[index] &+= delta }

    /// Puts `word` on the list of pair `index` unless it is already at the head.
    @inline(__always)
    func noteWord(_ word: Int32, pair index: Int) {
        let head = heads[index]
        if head >= 0 && nodeWords[Int(head)] == word { return }
        nodeWords.append(word)
        nodeNext.append(head)
        heads[index] = Int32(nodeWords.count - 1)
    }

    /// Calls `body` with each word on the list of pair `index` (may repeat a word or name stale ones),
    /// then empties the list.
    func drainWords(of index: Int, _ body: (Int32) -> Void) {
        var n = heads[index]
        heads[index] = -1
        while n >= 0 {
            body(nodeWords[Int(n)])
            garbageNodes += 1
            n = nodeNext[Int(n)]
        }
    }

    /// Rebuilds the node array without the lists of drained pairs, when they dominate it.
    func compactIfWorthwhile() {
        guard garbageNodes > 1 << 20, garbageNodes * 2 > nodeWords.count else { return }
        var words: [Int32] = []
        var next: [Int32] = []
        words.reserveCapacity(nodeWords.count - garbageNodes)
        next.reserveCapacity(nodeWords.count - garbageNodes)
        for i in 0..<count {
            var n = heads[i]
            var previous: Int32 = -1
            while n >= 0 {
                words.append(nodeWords[Int(n)])
                next.append(-1)
                let here = Int32(words.count - 1)
                if previous >= 0 { next[Int(previous)] = here } else { heads[i] = here }
                previous = here
                n = nodeNext[Int(n)]
            }
        }
        nodeWords = words
        nodeNext = next
        garbageNodes = 0
    }

    /// Bytes held.
    var memoryBytes: Int { capacity * 20 + (slotMask + 1) * 4 + nodeWords.capacity * 8 }
}
