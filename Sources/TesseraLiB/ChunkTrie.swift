// ChunkTrie: the learner's dynamic byte trie over the lexicon's chunks (the reference's `TrieList.root`,
// a dict-of-dicts over characters). Matching walks bytes; because every chunk is valid UTF-8, a byte
// prefix match ends on a character boundary, so "longest chunk that prefixes the text" is the same
// over bytes as over the reference's Python characters.
//
// Layout: node 0 is the root and finds its children in a 256-entry table; every other edge lives in
// one open-addressing table keyed by `parent << 8 | byte` (Fibonacci hashing, linear probing,
// backward-shift deletion, load ≤ 1/2). An edge's 16-byte slot holds the key, the child and the chunk
// (handle) that ends at the child, so one walk step is one probe: the walk is a chain of dependent
// loads, and a second array lookup per byte would double its cache misses. A node also knows its
// parent, byte and number of children (for pruning and spelling). Removing a chunk prunes the nodes
// that no longer lead anywhere, as the reference's `_del` does, so walks stop as early as before.
//
// Invariant: a node is reachable iff some live chunk passes through or ends at it; the entry stored
// with the edge into a node is the handle of the chunk spelled by the path to it, or -1.
// Complexity: match and lookup O(bytes walked) with one table probe per byte (expected O(1));
// insert O(length); remove O(length) at worst (pruning). Nodes are capped at 2^24 (16.7 M).

final class ChunkTrie {
    static let none: Int32 = -1
    static let maxNodes = 1 << 24

    /// An edge: key `parent << 8 | byte` (0 = empty slot), the child, and the chunk ending at the child.
    struct Slot {
        var key: UInt64
        var child: Int32
        var entry: Int32
    }

    private let parent = RawBuffer<Int32>(capacity: 1024)
    private let byte = RawBuffer<UInt8>(capacity: 1024)
    private let childCount = RawBuffer<Int32>(capacity: 1024)
    private var freeNodes: [Int32] = []

    /// The root's edges, by byte.
    private let rootEdge: UnsafeMutablePointer<Slot>
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<Slot>
    @exclusivity(unchecked) private var mask: Int
    @exclusivity(unchecked) private var shift: UInt64
    @exclusivity(unchecked) private var used = 0

    init() {
        parent.append(Self.none); byte.append(0); childCount.append(0)
        rootEdge = .allocate(capacity: 256)
        rootEdge.initialize(repeating: Slot(key: 0, child: Self.none, entry: Self.none), count: 256)
        let capacity = 4096
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: Slot(key: 0, child: Self.none, entry: Self.none), count: capacity)
        mask = capacity - 1
        shift = UInt64(64 - capacity.trailingZeroBitCount)
    }

    deinit {
        rootEdge.deallocate()
        slots.deallocate()
    }

    // MARK: Walking

    @inline(__always)
    private func slotIndex(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    @inline(__always)
    private func key(_ node: Int32, _ b: UInt8) -> UInt64 { UInt64(UInt32(bitPattern: node)) << 8 | UInt64(b) }

    /// The edge from `node` along byte `b`, or nil.
    @inline(__always)
    private func edge(_ node: Int32, _ b: UInt8) -> UnsafeMutablePointer<Slot>? {
        if node == 0 {
            let e = rootEdge + Int(b)
            return e.pointee.child < 0 ? nil : e
        }
        let k = key(node, b)
        var i = slotIndex(k)
        while true {
            let s = slots + i
            if s.pointee.key == k { return s }
            if s.pointee.key == 0 { return nil }
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
            guard let e = edge(node, text[i]) else { break }
            i += 1
            node = e.pointee.child
            let h = e.pointee.entry
            if h >= 0 { len2 = len1; h2 = h1; len1 = i; h1 = h }
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
        var h = Self.none
        for i in 0..<n {
            guard let e = edge(node, text[i]) else { return Self.none }
            node = e.pointee.child
            h = e.pointee.entry
        }
        return h
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
        var last: UnsafeMutablePointer<Slot>?
        for i in 0..<n {
            let b = text[i]
            if let e = edge(node, b) {
                last = e
            } else {
                guard let made = makeEdge(from: node, byte: b) else { return nil }
                last = made
            }
            node = last!.pointee.child
        }
        last?.pointee.entry = handle
        return node
    }

    /// Removes the chunk ending at `node` and prunes nodes that no longer lead to a chunk.
    func remove(node start: Int32) {
        var node = start
        guard node > 0, let e = edge(parent[Int(node)], byte[Int(node)]) else { return }
        e.pointee.entry = Self.none
        while node > 0 && childCount[Int(node)] == 0 {
            let up = parent[Int(node)], b = byte[Int(node)]
            if let e = edge(up, b), e.pointee.entry >= 0 { break }
            if up == 0 {
                rootEdge[Int(b)] = Slot(key: 0, child: Self.none, entry: Self.none)
            } else {
                deleteEdge(key(up, b))
            }
            childCount[Int(up)] -= 1
            freeNodes.append(node)
            node = up
        }
    }

    private func makeEdge(from up: Int32, byte b: UInt8) -> UnsafeMutablePointer<Slot>? {
        let node: Int32
        if let reused = freeNodes.popLast() {
            node = reused
            parent[Int(node)] = up
            byte[Int(node)] = b
            childCount[Int(node)] = 0
        } else {
            guard parent.count < Self.maxNodes else { return nil }
            node = Int32(parent.count)
            parent.append(up); byte.append(b); childCount.append(0)
        }
        childCount[Int(up)] += 1
        if up == 0 {
            rootEdge[Int(b)] = Slot(key: 0, child: node, entry: Self.none)
            return rootEdge + Int(b)
        }
        if (used + 1) * 2 > mask + 1 { growSlots() }
        let k = key(up, b)
        var i = slotIndex(k)
        while slots[i].key != 0 { i = (i &+ 1) & mask }
        slots[i] = Slot(key: k, child: node, entry: Self.none)
        used += 1
        return slots + i
    }

    private func growSlots() {
        let old = slots, oldCapacity = mask + 1
        let capacity = oldCapacity * 2
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: Slot(key: 0, child: Self.none, entry: Self.none), count: capacity)
        mask = capacity - 1
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        for j in 0..<oldCapacity where old[j].key != 0 {
            var i = slotIndex(old[j].key)
            while slots[i].key != 0 { i = (i &+ 1) & mask }
            slots[i] = old[j]
        }
        old.deallocate()
    }

    /// Linear-probing deletion by backward shift (no tombstones, so probes stay short).
    private func deleteEdge(_ k: UInt64) {
        var i = slotIndex(k)
        while slots[i].key != k { i = (i &+ 1) & mask }
        var j = i
        while true {
            j = (j &+ 1) & mask
            let s = slots[j]
            if s.key == 0 { break }
            let home = slotIndex(s.key)
            // Keep s where it is when its home lies cyclically in (i, j]; otherwise it may move into the hole.
            let stays = i <= j ? (home > i && home <= j) : (home > i || home <= j)
            if stays { continue }
            slots[i] = s
            i = j
        }
        slots[i] = Slot(key: 0, child: Self.none, entry: Self.none)
        used -= 1
    }
}
