// PairTable: adjacent-symbol pair → (64-bit count, list of words that may contain the pair), the
// bookkeeping of incremental BPE training; and PairHeap, the lazy max-heap that picks the next pair.
//
// Pairs are keyed `left << 32 | right` in an open-addressing table (Fibonacci hashing, linear probing,
// no deletion: a merged pair just drops to count 0). A pair's words form a singly linked list of
// nodes in one shared buffer; a node may be stale (the word no longer contains the pair) — the merge
// step checks each word — and the lists of merged pairs become garbage that `compactIfWorthwhile`
// reclaims once it outweighs the live nodes.
// Both are structs over manually allocated buffers, used as locals inside the merge loop: Swift then
// checks exclusivity statically instead of on every access (as it must for class properties), which
// measured ~10 % of the loop. The owner calls `deallocate()`.
// Invariant: `counts[p]` is the exact number of occurrences of pair p in the corpus (Σ word count ×
// windows); every word containing p is on p's list (possibly with stale extras).
// Complexity: `index(of:)` O(1) expected; heap push/pop O(log₄ n); `compact` O(live nodes).

struct PairTable {
    private(set) var keys: UnsafeMutablePointer<UInt64>
    private var slots: UnsafeMutablePointer<Int32>
    private var slotMask: Int
    private(set) var counts: UnsafeMutablePointer<Int64>
    private var heads: UnsafeMutablePointer<Int32>
    /// The merge step at which each pair was last pushed after being created (dedupes pushes).
    private var pushedAt: UnsafeMutablePointer<UInt32>
    private var capacity: Int
    private(set) var count = 0

    /// Nodes: word index (low 32 bits) and next node index + 1 (high 32 bits; 0 ends a list).
    private var nodes: UnsafeMutablePointer<UInt64>
    private var nodeCount = 0
    private var nodeCapacity: Int
    private var garbageNodes = 0

    init(expectedPairs: Int, expectedNodes: Int) {
        capacity = max(64, expectedPairs)
        var s = 64
        while s < capacity * 2 { s <<= 1 }
        slotMask = s - 1
        slots = .allocate(capacity: s)
        slots.initialize(repeating: -1, count: s)
        keys = .allocate(capacity: capacity)
        counts = .allocate(capacity: capacity)
        heads = .allocate(capacity: capacity)
        pushedAt = .allocate(capacity: capacity)
        nodeCapacity = max(64, expectedNodes)
        nodes = .allocate(capacity: nodeCapacity)
    }

    func deallocate() {
        keys.deallocate()
        slots.deallocate()
        counts.deallocate()
        heads.deallocate()
        pushedAt.deallocate()
        nodes.deallocate()
    }

    @inline(__always)
    static func key(_ left: UInt32, _ right: UInt32) -> UInt64 { UInt64(left) << 32 | UInt64(right) }

    @inline(__always)
    private func slot(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & slotMask
    }

    /// The index of pair `key`, creating it (count 0, empty list) when absent.
    @inline(__always)
    mutating func index(of key: UInt64) -> Int {
        var s = slot(of: key)
        while true {
            let i = slots[s]
            if i < 0 { break }
            if keys[Int(i)] == key { return Int(i) }
            s = (s + 1) & slotMask
        }
        if count == capacity {
            grow()
            return index(of: key)
        }
        let i = count
        keys[i] = key
        counts[i] = 0
        heads[i] = 0
        pushedAt[i] = 0
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

    private mutating func grow() {
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
        move(&pushedAt)
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

    /// Whether pair `index` was already marked at `step`; marks it.
    @inline(__always)
    func isQueued(_ index: Int, step: UInt32) -> Bool {
        if pushedAt[index] == step { return true }
        pushedAt[index] = step
        return false
    }

    /// Puts `word` on the list of pair `index` unless it is already at the head.
    @inline(__always)
    mutating func noteWord(_ word: UInt32, pair index: Int) {
        let head = heads[index]
        if head != 0 && UInt32(truncatingIfNeeded: nodes[Int(head) - 1]) == word { return }
        if nodeCount == nodeCapacity { growNodes() }
        nodes[nodeCount] = UInt64(UInt32(bitPattern: head)) << 32 | UInt64(word)
        nodeCount += 1
        heads[index] = Int32(nodeCount)
    }

    private mutating func growNodes() {
        let q = UnsafeMutablePointer<UInt64>.allocate(capacity: nodeCapacity * 2)
        q.moveInitialize(from: nodes, count: nodeCount)
        nodes.deallocate()
        nodes = q
        nodeCapacity *= 2
    }

    /// Moves the words on the list of pair `index` (may repeat a word or name stale ones) into `out`,
    /// emptying the list.
    @inline(__always)
    mutating func takeWords(of index: Int, into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        var n = heads[index]
        heads[index] = 0
        while n != 0 {
            let node = nodes[Int(n) - 1]
            out.append(UInt32(truncatingIfNeeded: node))
            garbageNodes += 1
            n = Int32(truncatingIfNeeded: node >> 32)
        }
    }

    /// Rebuilds the node buffer without the lists of drained pairs, when they dominate it.
    mutating func compactIfWorthwhile() {
        guard garbageNodes > 1 << 20, garbageNodes * 2 > nodeCount else { return }
        let live = nodeCount - garbageNodes
        let fresh = UnsafeMutablePointer<UInt64>.allocate(capacity: max(64, live * 3 / 2))
        var used = 0
        for i in 0..<count {
            var n = heads[i]
            var previous = -1
            while n != 0 {
                let node = nodes[Int(n) - 1]
                fresh[used] = node & 0xffff_ffff
                if previous >= 0 { fresh[previous] |= UInt64(used + 1) << 32 } else { heads[i] = Int32(used + 1) }
                previous = used
                used += 1
                n = Int32(truncatingIfNeeded: node >> 32)
            }
        }
        nodes.deallocate()
        nodes = fresh
        nodeCapacity = max(64, live * 3 / 2)
        nodeCount = used
        garbageNodes = 0
    }

    /// Bytes held.
    var memoryBytes: Int { capacity * 24 + (slotMask + 1) * 4 + nodeCapacity * 8 }
}

/// A 4-ary max-heap of (count, pair) entries: higher count first, then smaller pair key. Four
/// children per node halve the depth of a binary heap and keep siblings in one cache line.
struct PairHeap {
    struct Entry {
        var count: UInt64
        var key: UInt64
        @inline(__always)
        func outranks(_ other: Entry) -> Bool {
            count != other.count ? count > other.count : key < other.key
        }
    }

    private var items: UnsafeMutablePointer<Entry>
    private var capacity: Int
    private(set) var count = 0

    init(_ entries: [Entry]) {
        capacity = max(64, entries.count + entries.count / 4)
        items = .allocate(capacity: capacity)
        entries.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { items.initialize(from: base, count: b.count) }
        }
        count = entries.count
        if count > 1 {
            for i in stride(from: (count - 2) / 4, through: 0, by: -1) { siftDown(i) }
        }
    }

    func deallocate() { items.deallocate() }

    var memoryBytes: Int { capacity * 16 }

    mutating func push(_ e: Entry) {
        if count == capacity {
            let q = UnsafeMutablePointer<Entry>.allocate(capacity: capacity * 2)
            q.moveInitialize(from: items, count: count)
            items.deallocate()
            items = q
            capacity *= 2
        }
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 2
            guard e.outranks(items[parent]) else { break }
            items[i] = items[parent]
            i = parent
        }
        items[i] = e
    }

    mutating func pop() -> Entry? {
        guard count > 0 else { return nil }
        let top = items[0]
        count -= 1
        if count > 0 {
            items[0] = items[count]
            siftDown(0)
        }
        return top
    }

    private mutating func siftDown(_ start: Int) {
        let e = items[start]
        var i = start
        while true {
            let first = 4 * i + 1
            if first >= count { break }
            var best = first
            let last = min(first + 4, count)
            var c = first + 1
            while c < last {
                if items[c].outranks(items[best]) { best = c }
                c += 1
            }
            guard items[best].outranks(e) else { break }
            items[i] = items[best]
            i = best
        }
        items[i] = e
    }
}
