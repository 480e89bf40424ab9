// ChunkTrie: the learner's dynamic byte trie over the lexicon's chunks (the reference's `TrieList.root`,
// a dict-of-dicts over characters). Matching walks bytes; because every chunk is valid UTF-8, a byte
// prefix match ends on a character boundary, so "longest chunk that prefixes the text" is the same
// over bytes as over the reference's Python characters.
//
// Layout: node 0 is the root and finds its children in a 256-entry table; every other edge lives in
// one open-addressing table keyed by `parent << 8 | byte` (Fibonacci hashing, linear probing,
// backward-shift deletion, load ≤ 1/2), with key and child packed in one 64-bit word. A node knows its
// parent, byte, number of children and the chunk (handle) ending there. Removing a chunk prunes the
// nodes that no longer lead anywhere, as the reference's `_del` does, so walks stop as early as before.
//
// Invariant: a node is reachable iff some live chunk passes through or ends at it; `entry[node]` is the
// handle of the chunk spelled by the path to `node`, or -1.
// Complexity: match and lookup O(bytes walked) with one table probe per byte (expected O(1));
// insert O(length); remove O(length) at worst (pruning). Nodes are capped at 2^24 (16.7 M).

final class ChunkTrie {
    static let none: Int32 = -1
    static let maxNodes = 1 << 24

    private(set) var entry: UnsafeMutablePointer<Int32>
    private var parent: UnsafeMutablePointer<Int32>
    private var byte: UnsafeMutablePointer<UInt8>
    private var childCount: UnsafeMutablePointer<Int32>
    private var nodeCapacity: Int
    private var nodeEnd = 1
    private var freeNodes: [Int32] = []

    private let rootChild: UnsafeMutablePointer<Int32>
    private var slots: UnsafeMutablePointer<UInt64>
    private var mask: Int
    private var shift: UInt64
    private var used = 0

    init() {
        nodeCapacity = 1024
        entry = .allocate(capacity: nodeCapacity)
        parent = .allocate(capacity: nodeCapacity)
        byte = .allocate(capacity: nodeCapacity)
        childCount = .allocate(capacity: nodeCapacity)
        entry[0] = Self.none; parent[0] = Self.none; byte[0] = 0; childCount[0] = 0
        rootChild = .allocate(capacity: 256)
        rootChild.initialize(repeating: Self.none, count: 256)
        let capacity = 4096
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        mask = capacity - 1
        shift = UInt64(64 - capacity.trailingZeroBitCount)
    }

    deinit {
        entry.deallocate(); parent.deallocate(); byte.deallocate(); childCount.deallocate()
        rootChild.deallocate(); slots.deallocate()
    }

    // MARK: Walking

    @inline(__always)
    private func slotIndex(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// The child of `node` along byte `b`, or -1.
    @inline(__always)
    func child(_ node: Int32, _ b: UInt8) -> Int32 {
        if node == 0 { return rootChild[Int(b)] }
        let key = UInt64(UInt32(bitPattern: node)) << 8 | UInt64(b)
        var i = slotIndex(key)
        while true {
            let s = slots[i]
            if s == 0 { return Self.none }
            if s >> 32 == key { return Int32(truncatingIfNeeded: s) }
            i = (i &+ 1) & mask
        }
    }

    /// The two longest chunks that prefix `text[0..<n]`: (length, handle) of the longest and of the
    /// second longest, 0 / -1 when absent (the reference's `match(s, last_n=2)`).
    @inline(__always)
    func match2(_ text: UnsafePointer<UInt8>, _ n: Int) -> (len1: Int, h1: Int32, len2: Int, h2: Int32) {
        var len1 = 0, len2 = 0
        var h1 = Self.none, h2 = Self.none
        var node: Int32 = 0
        var i = 0
        while i < n {
            node = child(node, text[i])
            if node < 0 { break }
            i += 1
            let e = entry[Int(node)]
            if e >= 0 { len2 = len1; h2 = h1; len1 = i; h1 = e }
        }
        return (len1, h1, len2, h2)
    }

    /// The longest chunk that prefixes `text[0..<n]`: (length, handle), (0, -1) when none.
    @inline(__always)
    func longest(_ text: UnsafePointer<UInt8>, _ n: Int) -> (length: Int, handle: Int32) {
        let m = match2(text, n)
        return (m.len1, m.h1)
    }

    /// The handle of the chunk with exactly these bytes, or -1.
    func lookup(_ text: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
        var node: Int32 = 0
        for i in 0..<n {
            node = child(node, text[i])
            if node < 0 { return Self.none }
        }
        return n == 0 ? Self.none : entry[Int(node)]
    }

    /// The bytes spelled by the path to `node`.
    func bytes(ofNode node: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var x = node
        while x > 0 { out.append(byte[Int(x)]); x = parent[Int(x)] }
        return out.reversed()
    }

    // MARK: Updating

    /// Adds the chunk `text[0..<n]` (n ≥ 1, not present) with `handle`; returns its node, or nil when
    /// the trie would exceed `maxNodes`.
    func insert(_ text: UnsafePointer<UInt8>, _ n: Int, handle: Int32) -> Int32? {
        var node: Int32 = 0
        for i in 0..<n {
            let b = text[i]
            var next = child(node, b)
            if next < 0 {
                guard let made = makeNode(parent: node, byte: b) else { return nil }
                next = made
            }
            node = next
        }
        entry[Int(node)] = handle
        return node
    }

    /// Removes the chunk ending at `node` and prunes nodes that no longer lead to a chunk.
    func remove(node start: Int32) {
        entry[Int(start)] = Self.none
        var node = start
        while node > 0 && entry[Int(node)] < 0 && childCount[Int(node)] == 0 {
            let up = parent[Int(node)]
            let b = byte[Int(node)]
            if up == 0 {
                rootChild[Int(b)] = Self.none
            } else {
                deleteEdge(UInt64(UInt32(bitPattern: up)) << 8 | UInt64(b))
            }
            childCount[Int(up)] -= 1
            freeNodes.append(node)
            node = up
        }
    }

    private func makeNode(parent up: Int32, byte b: UInt8) -> Int32? {
        let node: Int32
        if let reused = freeNodes.popLast() {
            node = reused
        } else {
            guard nodeEnd < Self.maxNodes else { return nil }
            if nodeEnd == nodeCapacity { growNodes() }
            node = Int32(nodeEnd)
            nodeEnd += 1
        }
        entry[Int(node)] = Self.none
        parent[Int(node)] = up
        byte[Int(node)] = b
        childCount[Int(node)] = 0
        childCount[Int(up)] += 1
        if up == 0 {
            rootChild[Int(b)] = node
        } else {
            if (used + 1) * 2 > mask + 1 { growSlots() }
            let key = UInt64(UInt32(bitPattern: up)) << 8 | UInt64(b)
            var i = slotIndex(key)
            while slots[i] != 0 { i = (i &+ 1) & mask }
            slots[i] = key << 32 | UInt64(UInt32(bitPattern: node))
            used += 1
        }
        return node
    }

    private func growNodes() {
        let capacity = nodeCapacity * 2
        func grow<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
            let q = UnsafeMutablePointer<T>.allocate(capacity: capacity)
            q.moveInitialize(from: p, count: nodeEnd)
            p.deallocate()
            return q
        }
        entry = grow(entry); parent = grow(parent); byte = grow(byte); childCount = grow(childCount)
        nodeCapacity = capacity
    }

    private func growSlots() {
        let old = slots, oldCapacity = mask + 1
        let capacity = oldCapacity * 2
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        mask = capacity - 1
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        for j in 0..<oldCapacity where old[j] != 0 {
            var i = slotIndex(old[j] >> 32)
            while slots[i] != 0 { i = (i &+ 1) & mask }
            slots[i] = old[j]
        }
        old.deallocate()
    }

    /// Linear-probing deletion by backward shift (no tombstones, so probes stay short).
    private func deleteEdge(_ key: UInt64) {
        var i = slotIndex(key)
        while slots[i] >> 32 != key { i = (i &+ 1) & mask }
        var j = i
        while true {
            j = (j &+ 1) & mask
            let s = slots[j]
            if s == 0 { break }
            let home = slotIndex(s >> 32)
            // Keep s where it is when its home lies cyclically in (i, j]; otherwise it may move into the hole.
            let stays = i <= j ? (home > i && home <= j) : (home > i || home <= j)
            if stays { continue }
            slots[i] = s
            i = j
        }
        slots[i] = 0
        used -= 1
    }
}
