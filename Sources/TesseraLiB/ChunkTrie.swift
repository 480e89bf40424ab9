// ChunkTrie: the learner's dynamic byte trie over the lexicon's chunks (the reference's `TrieList.root`,
// a dict-of-dicts over characters). Matching walks bytes; because every chunk is valid UTF-8, a byte
// prefix match ends on a character boundary, so "longest chunk that prefixes the text" is the same
// over bytes as over the reference's Python characters.
//
// Layout: node 0 is the root and finds its children in a 256-entry table; every other edge lives in
// one open-addressing table keyed by `parent << 8 | byte` (Fibonacci hashing, linear probing,
// backward-shift deletion, load ≤ 1/2). A chunk is identified by the node where it ends (its handle is
// that node's number), and an edge's 8-byte slot packs the key, the child and a "a chunk ends here"
// bit, so one walk step is one probe into a table half the size it would be with separate entries: the
// walk is a chain of dependent loads and its cost is cache misses. A node also knows its parent, byte and
// number of children (for pruning and spelling). Removing a chunk prunes the nodes that no longer lead
// anywhere, as the reference's `_del` does, so walks stop as early as before.
//
// Invariant: a node is reachable iff some live chunk passes through or ends at it; the edge into a node
// is marked iff the path to it spells a live chunk (whose handle is the node).
// Complexity: match and lookup O(bytes walked) with one table probe per byte (expected O(1));
// insert O(length); remove O(length) at worst (pruning). Nodes are capped at 2^24 (16.7 M).

final class ChunkTrie {
    static let none: Int32 = -1
    static let maxNodes = 1 << 24
    /// Slot and root-edge layout: bits 0–23 child, bit 31 "a chunk ends at the child"; slots add the key
    /// (parent << 8 | byte) in bits 32–63. 0 is an empty slot (hash-table parents are never the root).
    private static let childMask: UInt64 = 0xFF_FFFF
    private static let chunkBit: UInt64 = 1 << 31

    private let parent = RawBuffer<Int32>(capacity: 1024)
    private let byte = RawBuffer<UInt8>(capacity: 1024)
    private let childCount = RawBuffer<Int32>(capacity: 1024)
    private var freeNodes: [Int32] = []

    /// The root's edges by byte (child | chunk bit), 0 = none.
    private let rootEdge: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) private var mask: Int
    @exclusivity(unchecked) private var shift: UInt64
    @exclusivity(unchecked) private var used = 0

    init() {
        parent.append(Self.none); byte.append(0); childCount.append(0)
        rootEdge = .allocate(capacity: 256)
        rootEdge.initialize(repeating: 0, count: 256)
        let capacity = 4096
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        mask = capacity - 1
        shift = UInt64(64 - capacity.trailingZeroBitCount)
    }

    deinit {
        rootEdge.deallocate()
        slots.deallocate()
    }

    /// One more than the largest node number in use (handles are below it).
    var nodeBound: Int { parent.count }

    // MARK: Walking

    @inline(__always)
    private func slotIndex(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    @inline(__always)
    private func key(_ node: Int32, _ b: UInt8) -> UInt64 { UInt64(UInt32(bitPattern: node)) << 8 | UInt64(b) }

    /// The edge word (child | chunk bit) from `node` along byte `b`, 0 when there is none.
    @inline(__always)
    private func edge(_ node: Int32, _ b: UInt8) -> UInt64 {
        if node == 0 { return rootEdge[Int(b)] }
        let k = key(node, b)
        var i = slotIndex(k)
        while true {
            let s = slots[i]
            if s >> 32 == k { return s & 0xFFFF_FFFF }
            if s == 0 { return 0 }
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
            let e = edge(node, text[i])
            if e == 0 { break }
            i += 1
            node = Int32(truncatingIfNeeded: e & Self.childMask)
            if e & Self.chunkBit != 0 { len2 = len1; h2 = h1; len1 = i; h1 = node }
        }
        return (len1, h1, len2, h2)
    }

    /// The longest chunk that prefixes `text[0..<n]`: (length, handle), (0, -1) when none.
    @inline(__always)
    func longest(_ text: UnsafePointer<UInt8>, _ n: Int) -> (length: Int, handle: Int32) {
        let m = match2(text, n)
        return (m.len1, m.h1)
    }

    /// The handle of the chunk with exactly these bytes, or -1. With `from`, the bytes continue the path
    /// to that node (a chunk known to prefix them), which saves walking it again.
    func lookup(_ text: UnsafePointer<UInt8>, _ n: Int, from start: Int32 = 0) -> Int32 {
        var node = start
        var e: UInt64 = 0
        for i in 0..<n {
            e = edge(node, text[i])
            if e == 0 { return Self.none }
            node = Int32(truncatingIfNeeded: e & Self.childMask)
        }
        if n == 0 { return start > 0 && edge(parent[Int(start)], byte[Int(start)]) & Self.chunkBit != 0 ? start : Self.none }
        return e & Self.chunkBit != 0 ? node : Self.none
    }

    /// The bytes spelled by the path to `node`.
    func bytes(ofNode node: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var x = node
        while x > 0 { out.append(byte[Int(x)]); x = parent[Int(x)] }
        return out.reversed()
    }

    /// Number of bytes on the path to `node`.
    func depth(ofNode node: Int32) -> Int {
        var d = 0
        var x = node
        while x > 0 { d += 1; x = parent[Int(x)] }
        return d
    }

    // MARK: Updating

    /// Adds the chunk `text[0..<n]` (not present; n ≥ 1 unless `from` is given, after which the bytes
    /// continue the path); returns its handle (its node), or nil when the trie would exceed `maxNodes`.
    func insert(_ text: UnsafePointer<UInt8>, _ n: Int, from start: Int32 = 0) -> Int32? {
        var node = start
        for i in 0..<n {
            let e = edge(node, text[i])
            if e != 0 {
                node = Int32(truncatingIfNeeded: e & Self.childMask)
            } else {
                guard let made = makeEdge(from: node, byte: text[i]) else { return nil }
                node = made
            }
        }
        setChunkBit(node, true)
        return node
    }

    /// Removes the chunk `handle` and prunes the nodes that no longer lead to a chunk.
    func remove(_ handle: Int32) {
        setChunkBit(handle, false)
        var node = handle
        while node > 0 && childCount[Int(node)] == 0 {
            let up = parent[Int(node)], b = byte[Int(node)]
            if edge(up, b) & Self.chunkBit != 0 { break }
            if up == 0 {
                rootEdge[Int(b)] = 0
            } else {
                deleteEdge(key(up, b))
            }
            childCount[Int(up)] -= 1
            freeNodes.append(node)
            node = up
        }
    }

    private func setChunkBit(_ node: Int32, _ on: Bool) {
        let up = parent[Int(node)], b = byte[Int(node)]
        if up == 0 {
            rootEdge[Int(b)] = on ? rootEdge[Int(b)] | Self.chunkBit : rootEdge[Int(b)] & ~Self.chunkBit
            return
        }
        let k = key(up, b)
        var i = slotIndex(k)
        while slots[i] >> 32 != k { i = (i &+ 1) & mask }
        slots[i] = on ? slots[i] | Self.chunkBit : slots[i] & ~Self.chunkBit
    }

    private func makeEdge(from up: Int32, byte b: UInt8) -> Int32? {
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
            rootEdge[Int(b)] = UInt64(node)
            return node
        }
        if (used + 1) * 2 > mask + 1 { growSlots() }
        let k = key(up, b)
        var i = slotIndex(k)
        while slots[i] != 0 { i = (i &+ 1) & mask }
        slots[i] = k << 32 | UInt64(node)
        used += 1
        return node
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
    private func deleteEdge(_ k: UInt64) {
        var i = slotIndex(k)
        while slots[i] >> 32 != k { i = (i &+ 1) & mask }
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
