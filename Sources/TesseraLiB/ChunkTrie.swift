// ChunkTrie: the dynamic set of lexicon chunks, searched by prefix (the reference's `TrieList.root`, a
// dict-of-dicts over characters), as a radix tree over bytes. Matching walks bytes; because every chunk
// is valid UTF-8, a byte prefix match ends on a character boundary, so "longest chunk that prefixes the
// text" is the same over bytes as over the reference's Python characters.
//
// Layout: a node stands for a string; it is the root, a chunk, or a branching point (two or more
// children) — chains of single-child nodes are collapsed into one edge, so a walk costs one probe per
// branching point or chunk passed instead of one per byte (LiB chunks are multi-word, often 20+ bytes).
// A node's string is `arena[src ..< src + depth]`; the label of the edge into it is the part after its
// parent's depth. The root finds its children in a 256-entry table; every other edge lives in one
// open-addressing table keyed by `parent << 8 | first label byte` (Fibonacci hashing, linear probing,
// backward-shift deletion, load ≤ 1/4, so that the unsuccessful probe that ends most walks is short).
// An 8-byte slot packs the key, the child, a "the child is a chunk" bit and the label's length, so a
// walk step is one probe plus, for labels longer than a byte, one label comparison (the only place the
// child's string position is read); eight slots share a cache line.
// A chunk is identified by its node (its handle); a chunk's node keeps its number while the chunk lives
// (splitting an edge adds the new node above; collapsing removes only non-chunk nodes).
//
// Invariant: every non-root node is a chunk or has at least two children; `childSum` is the sum of a
// node's children (the only child when there is one); the arena holds every node's string.
// Complexity: match, lookup, insert, remove O(bytes compared + branching points passed) expected.
// Nodes are capped at 2^24 (16.7 M) and chunks at 2^20 bytes (the learner never memorizes longer ones).

final class ChunkTrie {
    static let none: Int32 = -1
    static let maxNodes = 1 << 24
    static let maxChunkBytes = 1 << 20

    /// An edge in one word: bits 32–63 key (parent << 8 | first byte; a word of 0 = empty slot, since the
    /// root's edges are not in the table), bits 25–31 the label's length (0 when over 127: then the
    /// child's depth tells it), bit 24 "the child is a chunk", bits 0–23 the child.
    typealias Slot = UInt64
    private static let childMask: UInt64 = 0xFF_FFFF
    private static let chunkBit: UInt64 = 1 << 24
    private static let labelShift: UInt64 = 25
    private static let labelMask: UInt64 = 0x7F
    private static let emptySlot: Slot = 0

    private let parent = RawBuffer<Int32>(capacity: 1024)
    private let depth = RawBuffer<Int32>(capacity: 1024)
    private let src = RawBuffer<Int>(capacity: 1024)
    private let childCount = RawBuffer<Int32>(capacity: 1024)
    private let childSum = RawBuffer<Int64>(capacity: 1024)
    private let isChunk = RawBuffer<Bool>(capacity: 1024)
    @exclusivity(unchecked) private var freeNodes: [Int32] = []
    private let arena = RawBuffer<UInt8>(capacity: 1 << 16)
    @exclusivity(unchecked) private var liveBytes = 0
    /// The arena is compacted only beyond this size (tests lower it).
    @exclusivity(unchecked) var compactionMinimum = 1 << 20

    /// The root's edges, by byte (0 = none).
    private let rootEdge: UnsafeMutablePointer<Slot>
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<Slot>
    @exclusivity(unchecked) private var mask: Int
    @exclusivity(unchecked) private var shift: UInt64
    @exclusivity(unchecked) private var used = 0

    init() {
        parent.append(Self.none); depth.append(0); src.append(0); childCount.append(0); childSum.append(0); isChunk.append(false)
        rootEdge = .allocate(capacity: 256)
        rootEdge.initialize(repeating: Self.emptySlot, count: 256)
        let capacity = 4096
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: Self.emptySlot, count: capacity)
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

    /// The slot of the edge from `node` whose label starts with `b`, or nil.
    @inline(__always)
    private func edge(_ node: Int32, _ b: UInt8) -> UnsafeMutablePointer<Slot>? {
        if node == 0 {
            let e = rootEdge + Int(b)
            return e.pointee == 0 ? nil : e
        }
        let k = key(node, b)
        var i = slotIndex(k)
        while true {
            let s = slots + i
            let kc = s.pointee
            if kc >> 32 == k { return s }
            if kc == 0 { return nil }
            i = (i &+ 1) & mask
        }
    }

    /// Walks `text[0..<n]` from `start` (whose string the text continues), calling `body(consumed, node)`
    /// at every chunk passed; returns when the text leaves the tree.
    @inline(__always)
    private func walk(_ text: UnsafePointer<UInt8>, _ n: Int, from start: Int32, _ body: (Int, Int32) -> Void) {
        var node = start
        var nodeDepth = Int(depth[Int(start)])
        let base = nodeDepth
        var i = 0
        while i < n {
            guard let e = edge(node, text[i]) else { return }
            let kc = e.pointee
            let child = Int32(truncatingIfNeeded: kc & Self.childMask)
            var label = Int(truncatingIfNeeded: (kc >> Self.labelShift) & Self.labelMask)
            if label == 0 { label = Int(depth[Int(child)]) &- nodeDepth }
            if label > 1 {
                if i &+ label > n { return }
                let stored = arena.base + src[Int(child)] + nodeDepth
                var k = 1
                while k < label {
                    if stored[k] != text[i &+ k] { return }
                    k &+= 1
                }
            }
            i &+= label
            node = child
            nodeDepth &+= label
            if kc & Self.chunkBit != 0 { body(nodeDepth &- base, node) }
        }
    }

    /// The two longest chunks that prefix `text[0..<n]`: (length, handle) of the longest and of the
    /// second longest, 0 / -1 when absent (the reference's `match(s, last_n=2)`).
    @inline(__always)
    func match2(_ text: UnsafePointer<UInt8>, _ n: Int) -> (len1: Int, h1: Int32, len2: Int, h2: Int32) {
        var len1 = 0, len2 = 0
        var h1 = Self.none, h2 = Self.none
        walk(text, n, from: 0) { length, node in
            len2 = len1; h2 = h1; len1 = length; h1 = node
        }
        return (len1, h1, len2, h2)
    }

    /// The longest chunk that prefixes `text[0..<n]`: (length, handle), (0, -1) when none.
    @inline(__always)
    func longest(_ text: UnsafePointer<UInt8>, _ n: Int) -> (length: Int, handle: Int32) {
        let m = match2(text, n)
        return (m.len1, m.h1)
    }

    /// The handle of the chunk with exactly these bytes, or -1. With `from`, the bytes continue the string
    /// of that chunk, which saves walking it again.
    func lookup(_ text: UnsafePointer<UInt8>, _ n: Int, from start: Int32 = 0) -> Int32 {
        if n == 0 { return start > 0 && isChunk[Int(start)] ? start : Self.none }
        var found = Self.none
        walk(text, n, from: start) { length, node in if length == n { found = node } }
        return found
    }

    /// The bytes of the string of `node`.
    func bytes(ofNode node: Int32) -> [UInt8] {
        Array(UnsafeBufferPointer(start: arena.base + src[Int(node)], count: Int(depth[Int(node)])))
    }

    /// Number of bytes of the string of `node`.
    func depth(ofNode node: Int32) -> Int { Int(depth[Int(node)]) }

    // MARK: Updating

    /// Adds the chunk `text[0..<n]` (not present; n ≥ 1 unless `from` is given, whose string the bytes
    /// continue); returns its handle (its node), or nil when the tree would exceed its limits.
    func insert(_ text: UnsafePointer<UInt8>, _ n: Int, from start: Int32 = 0) -> Int32? {
        findOrInsert(text, n, from: start)?.node
    }

    /// The chunk `text[0..<n]` (continuing the string of `from`): its handle if it is one already,
    /// else it is added — in one walk, where a lookup followed by an insert would take two.
    /// Returns nil when the tree would exceed its limits.
    func findOrInsert(_ text: UnsafePointer<UInt8>, _ n: Int, from start: Int32 = 0) -> (node: Int32, inserted: Bool)? {
        let base = Int(depth[Int(start)])
        let total = base + n
        var node = start
        var d = base
        // Walk as far as the tree spells the text: `d` is the depth reached, `node` the deepest node.
        var splitChild = Self.none
        var splitAt = 0
        while d < total {
            guard let e = edge(node, text[d - base]) else { break }
            let child = Int32(truncatingIfNeeded: e.pointee & Self.childMask)
            let childDepth = Int(depth[Int(child)])
            let label = arena.base + src[Int(child)]
            var k = d + 1
            let end = min(childDepth, total)
            while k < end && label[k] == text[k - base] { k += 1 }
            if k < childDepth {
                splitChild = child
                splitAt = k
                break
            }
            node = child
            d = childDepth
        }
        if splitChild == Self.none && d == total && isChunk[Int(node)] { return (node, false) }
        guard total <= Self.maxChunkBytes, parent.count + 2 <= Self.maxNodes || freeNodes.count >= 2 else { return nil }
        if splitChild == Self.none && d == total {
            // A branching point (or the end of an edge) becomes a chunk: its string is in the arena already.
            setChunk(node, true)
            liveBytes += total
            return (node, true)
        }
        // The chunk's string goes to the arena: the prefix of `start`, then the text (room first, since
        // the prefix is copied from the arena itself).
        arena.reserve(arena.count + total)
        let s = arena.count
        arena.append(contentsOf: arena.base + src[Int(start)], count: base)
        arena.append(contentsOf: text, count: n)
        liveBytes += total
        if splitChild == Self.none {
            return (makeNode(parent: node, src: s, depth: total, chunk: true), true)
        }
        // Split the edge at depth `splitAt` with a new node above `splitChild`.
        let middle = split(parent: node, child: splitChild, at: splitAt)
        if splitAt == total {
            setChunk(middle, true)
            return (middle, true)
        }
        return (makeNode(parent: middle, src: s, depth: total, chunk: true), true)
    }

    /// Removes the chunk `handle` and collapses the nodes that no longer branch.
    func remove(_ handle: Int32) {
        setChunk(handle, false)
        liveBytes -= Int(depth[Int(handle)])
        var node = handle
        // A node that is no chunk keeps its place only while it branches.
        while node > 0 && !isChunk[Int(node)] && childCount[Int(node)] < 2 {
            let up = parent[Int(node)]
            if childCount[Int(node)] == 0 {
                detach(node)
                freeNode(node)
                node = up
            } else {
                // One child: it takes the node's place under the parent (its own string stays valid).
                let only = Int32(truncatingIfNeeded: childSum[Int(node)])
                detach(only)
                detach(node)
                freeNode(node)
                attach(only, to: up)
                break
            }
        }
        if arena.count > compactionMinimum && arena.count > 4 * liveBytes { compactArena() }
    }

    // MARK: Internals

    private func makeNode(parent up: Int32, src s: Int, depth d: Int, chunk: Bool) -> Int32 {
        let node: Int32
        if let reused = freeNodes.popLast() {
            node = reused
        } else {
            node = Int32(parent.count)
            parent.append(0); depth.append(0); src.append(0); childCount.append(0); childSum.append(0); isChunk.append(false)
        }
        depth[Int(node)] = Int32(d)
        src[Int(node)] = s
        childCount[Int(node)] = 0
        childSum[Int(node)] = 0
        isChunk[Int(node)] = chunk
        attach(node, to: up)
        return node
    }

    private func freeNode(_ node: Int32) {
        isChunk[Int(node)] = false
        freeNodes.append(node)
    }

    /// Puts a new node at depth `k` on the edge parent → child, and returns it.
    private func split(parent up: Int32, child: Int32, at k: Int) -> Int32 {
        detach(child)
        let middle = makeNode(parent: up, src: src[Int(child)], depth: k, chunk: false)
        attach(child, to: middle)
        return middle
    }

    /// Links `node` (whose src and depth are set) under `up`.
    private func attach(_ node: Int32, to up: Int32) {
        parent[Int(node)] = up
        childCount[Int(up)] += 1
        childSum[Int(up)] += Int64(node)
        let first = arena[src[Int(node)] + Int(depth[Int(up)])]
        let label = Int(depth[Int(node)] - depth[Int(up)])
        let slot: Slot = (up == 0 ? 0 : key(up, first) << 32) | UInt64(label <= Int(Self.labelMask) ? label : 0) << Self.labelShift
            | (isChunk[Int(node)] ? Self.chunkBit : 0) | UInt64(node)
        if up == 0 {
            // A root edge's word is never 0: the child is at least 1.
            rootEdge[Int(first)] = slot
            return
        }
        if (used + 1) * 4 > mask + 1 { growSlots() }
        var i = slotIndex(key(up, first))
        while slots[i] != 0 { i = (i &+ 1) & mask }
        slots[i] = slot
        used += 1
    }

    /// Unlinks `node` from its parent.
    private func detach(_ node: Int32) {
        let up = parent[Int(node)]
        childCount[Int(up)] -= 1
        childSum[Int(up)] -= Int64(node)
        let first = arena[src[Int(node)] + Int(depth[Int(up)])]
        if up == 0 {
            rootEdge[Int(first)] = Self.emptySlot
        } else {
            deleteEdge(key(up, first))
        }
    }

    private func setChunk(_ node: Int32, _ on: Bool) {
        isChunk[Int(node)] = on
        let up = parent[Int(node)]
        guard let e = edge(up, arena[src[Int(node)] + Int(depth[Int(up)])]) else { return }
        e.pointee = on ? e.pointee | Self.chunkBit : e.pointee & ~Self.chunkBit
    }

    private func growSlots() {
        let old = slots, oldCapacity = mask + 1
        let capacity = oldCapacity * 2
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: Self.emptySlot, count: capacity)
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
        slots[i] = Self.emptySlot
        used -= 1
    }

    /// Rewrites the arena with one copy of each live node's string, once dead strings dominate it.
    private func compactArena() {
        let fresh = RawBuffer<UInt8>(capacity: max(1 << 16, 2 * liveBytes))
        let unused = Set(freeNodes)
        var newSrc = [Int](repeating: 0, count: parent.count)
        for node in 1..<parent.count where !unused.contains(Int32(node)) {
            newSrc[node] = fresh.count
            fresh.append(contentsOf: arena.base + src[node], count: Int(depth[node]))
        }
        for node in 1..<parent.count where !unused.contains(Int32(node)) { src[node] = newSrc[node] }
        arena.replace(with: fresh)
        var total = 0
        for node in 1..<parent.count where isChunk[node] { total += Int(depth[node]) }
        liveBytes = total
    }
}
