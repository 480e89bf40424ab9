// RankedList: the LiB lexicon's order (rank 0 = most valued) as an order-statistics structure, so that
// the reference's rank moves — "move this chunk ⌊rank·Δ⌋+1 places toward the head/tail" — cost
// O(log |L|) instead of the O(|L|) list slice of the Python code (structures.py, `TrieList.move`).
//
// Shape: a counted B+ tree. Leaves hold up to 128 handles in order; internal nodes hold up to 128
// children with the number of handles under each. (128 rather than 64: more of LiB's moves, which span
// ⌊rank·Δ⌋+1 places, stay inside one leaf, where a move is one shift; a leaf is searched 16 handles
// per SIMD comparison.) Every leaf and node knows its parent and its slot
// there, and every handle its leaf, so a handle's rank is its position in its leaf plus, on the way up,
// the counts of the siblings left of each slot. Leaves are not merged when they thin out; instead the
// whole tree is rebuilt from its in-order sequence once the leaves are on average less than a quarter
// full, which keeps the height at O(log₁₂₈ |L|) and costs O(1) amortized per removal.
//
// Invariant: the in-order sequence of leaf items is the lexicon order; every internal count equals
// the number of handles below that child; `leafOf[h]` is the leaf holding h for every present h;
// `children[parent][slot[x]] == x` for every non-root leaf or node x.
// Complexity: rank, select, insert, remove O(128 · height) = O(log |L|), as scans of at most 128
// contiguous words per level; `writeRanks` O(|L|); a full rebuild O(|L|), amortized O(1).

/// An ordered list of distinct handles (small integers) with O(log n) rank queries and moves.
final class RankedList {
    static let capacity = 128
    static let absent: Int32 = -1

    // Leaves: items[leaf * 64 + k].
    private let items = RawBuffer<UInt32>(capacity: 64 * 64)
    private let itemCount = RawBuffer<Int32>()
    private let leafParent = RawBuffer<Int32>()
    private let leafSlot = RawBuffer<Int32>()
    @exclusivity(unchecked) private var freeLeaves: [Int32] = []
    // Internal nodes: children[node * 64 + k] (a leaf or node index, by level) and counts[node * 64 + k].
    private let children = RawBuffer<Int32>(capacity: 64 * 4)
    private let counts = RawBuffer<Int32>(capacity: 64 * 4)
    private let childCount = RawBuffer<Int32>()
    private let nodeParent = RawBuffer<Int32>()
    private let nodeSlot = RawBuffer<Int32>()
    @exclusivity(unchecked) private var freeNodes: [Int32] = []
    /// A leaf when `height == 0`, else an internal node `height` levels above the leaves.
    @exclusivity(unchecked) private var root: Int32 = 0
    @exclusivity(unchecked) private var height = 0
    /// The leaf of each present handle, `absent` otherwise.
    private let leafOf = RawBuffer<Int32>()
    @exclusivity(unchecked) private var liveLeaves = 0
    /// The last handle `rank(of:)` located and its index in its leaf; cleared by every change.
    @exclusivity(unchecked) private var lastFound: (handle: UInt32, index: Int) = (UInt32.max, 0)

    /// Number of handles in the list.
    @exclusivity(unchecked) private(set) var count = 0

    init() {
        root = newLeaf()
    }

    /// Whether `h` is in the list.
    func contains(_ h: UInt32) -> Bool { Int(h) < leafOf.count && leafOf[Int(h)] != Self.absent }

    // MARK: Queries

    /// The 0-based position of `h` (which must be present).
    func rank(of h: UInt32) -> Int {
        let leaf = Int(leafOf[Int(h)])
        var r = Self.find(h, in: items.base + leaf * Self.capacity)
        lastFound = (h, r)
        var parent = leafParent[leaf]
        var slot = Int(leafSlot[leaf])
        while parent != Self.absent {
            let c = counts.base + Int(parent) * Self.capacity
            for k in 0..<slot { r += Int(c[k]) }
            slot = Int(nodeSlot[Int(parent)])
            parent = nodeParent[Int(parent)]
        }
        return r
    }

    /// The index of `h` in its leaf, reusing the last `rank(of:)` answer when nothing changed since
    /// (the learner asks for a chunk's rank and then moves or removes it).
    @inline(__always)
    private func index(of h: UInt32, in row: UnsafeMutablePointer<UInt32>) -> Int {
        lastFound.handle == h ? lastFound.index : Self.find(h, in: row)
    }

    /// The index of `h` in a leaf's row that holds it, 16 items per comparison. Slots past the leaf's
    /// count may hold stale handles, but only after the live ones, so the first hit is the right one.
    @inline(__always)
    private static func find(_ h: UInt32, in row: UnsafeMutablePointer<UInt32>) -> Int {
        let target = SIMD16<UInt32>(repeating: h)
        let raw = UnsafeRawPointer(row)
        var start = 0
        while true {
            let hits = raw.loadUnaligned(fromByteOffset: start * 4, as: SIMD16<UInt32>.self) .== target
            if any(hits) {
                var k = 0
                while !hits[k] { k += 1 }
                return start + k
            }
            start += 16
        }
    }

    /// The handle at position `r` (0 ≤ r < count).
    func handle(at r: Int) -> UInt32 {
        var r = r
        var node = Int(root)
        var level = height
        while level > 0 {
            let c = counts.base + node * Self.capacity
            var k = 0
            while r >= Int(c[k]) { r -= Int(c[k]); k += 1 }
            node = Int(children[node * Self.capacity + k])
            level -= 1
        }
        return items[node * Self.capacity + r]
    }

    /// All handles in order.
    func ordered() -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(count)
        collect(root, level: height, into: &out)
        return out
    }

    /// Writes every handle's position: `ranks[h] = rank(of: h)` for each present h. O(count).
    func writeRanks(into ranks: UnsafeMutablePointer<Int32>) {
        var r: Int32 = 0
        writeRanks(root, level: height, into: ranks, next: &r)
    }

    private func writeRanks(_ node: Int32, level: Int, into ranks: UnsafeMutablePointer<Int32>, next r: inout Int32) {
        let b = Int(node) * Self.capacity
        if level == 0 {
            let row = items.base + b
            for k in 0..<Int(itemCount[Int(node)]) {
                ranks[Int(row[k])] = r
                r += 1
            }
            return
        }
        for k in 0..<Int(childCount[Int(node)]) { writeRanks(children[b + k], level: level - 1, into: ranks, next: &r) }
    }

    private func collect(_ node: Int32, level: Int, into out: inout [UInt32]) {
        let b = Int(node) * Self.capacity
        if level == 0 {
            out.append(contentsOf: UnsafeBufferPointer(start: items.base + b, count: Int(itemCount[Int(node)])))
            return
        }
        for k in 0..<Int(childCount[Int(node)]) { collect(children[b + k], level: level - 1, into: &out) }
    }

    // MARK: Updates

    /// Appends `h` (not present) at the end.
    func append(_ h: UInt32) { insert(h, at: count) }

    /// Inserts `h` (not present) so that it ends up at position `r` (0 ≤ r ≤ count).
    func insert(_ h: UInt32, at r: Int) {
        lastFound.handle = UInt32.max
        if Int(h) >= leafOf.count { leafOf.append(repeating: Self.absent, count: Int(h) + 1 - leafOf.count) }
        while true {
            // Descend to the leaf that receives position r; a full leaf is split and the descent repeated.
            var rest = r
            var node = Int(root)
            var level = height
            if r == count {
                // Appending: the rightmost path, to the end of the last leaf.
                while level > 0 {
                    let last = node * Self.capacity + Int(childCount[node]) - 1
                    rest = Int(counts[last])
                    node = Int(children[last])
                    level -= 1
                }
            }
            while level > 0 {
                let c = counts.base + node * Self.capacity
                let n = Int(childCount[node])
                var k = 0
                // The first child whose range reaches `rest`: rest == counts[k] appends to child k, which
                // keeps appends at the end of the list in the last leaf.
                while k < n - 1 && rest > Int(c[k]) { rest -= Int(c[k]); k += 1 }
                node = Int(children[node * Self.capacity + k])
                level -= 1
            }
            let n = Int(itemCount[node])
            if n == Self.capacity {
                splitLeaf(Int32(node))
                continue
            }
            let row = items.base + node * Self.capacity
            (row + rest + 1).update(from: row + rest, count: n - rest)
            row[rest] = h
            itemCount[node] = Int32(n + 1)
            leafOf[Int(h)] = Int32(node)
            adjustCounts(from: Int32(node), by: 1)
            count += 1
            return
        }
    }

    /// Removes `h` (present).
    func remove(_ h: UInt32) {
        let leaf = leafOf[Int(h)]
        let k = index(of: h, in: items.base + Int(leaf) * Self.capacity)
        remove(h, leaf: leaf, index: k)
    }

    /// Removes `h`, which is item `k` of `leaf`.
    private func remove(_ h: UInt32, leaf: Int32, index k: Int) {
        lastFound.handle = UInt32.max
        let row = items.base + Int(leaf) * Self.capacity
        let n = Int(itemCount[Int(leaf)])
        (row + k).update(from: row + k + 1, count: n - k - 1)
        itemCount[Int(leaf)] = Int32(n - 1)
        leafOf[Int(h)] = Self.absent
        adjustCounts(from: leaf, by: -1)
        count -= 1
        if n == 1 && height > 0 { detachLeaf(leaf) }
        if liveLeaves > 8 && liveLeaves * Self.capacity / 4 > count { rebuild() }
    }

    /// Moves `h` (present, at position `from`) so that it ends up at position `r` (0 ≤ r < count).
    /// Short moves inside one leaf — most of LiB's, whose steps are ⌊rank·Δ⌋+1 — shift that leaf only.
    func move(_ h: UInt32, from: Int, to r: Int) {
        let leaf = Int(leafOf[Int(h)])
        let row = items.base + leaf * Self.capacity
        let n = Int(itemCount[leaf])
        let k = index(of: h, in: row)
        lastFound.handle = UInt32.max
        let first = from - k   // position of the leaf's first item
        if r >= first && r < first + n {
            let j = r - first
            if j < k {
                (row + j + 1).update(from: row + j, count: k - j)
            } else if j > k {
                (row + k).update(from: row + k + 1, count: j - k)
            }
            row[j] = h
            return
        }
        remove(h, leaf: Int32(leaf), index: k)
        insert(h, at: r)
    }

    // MARK: Internals

    private func newLeaf() -> Int32 {
        liveLeaves += 1
        let l: Int32
        if let reused = freeLeaves.popLast() {
            l = reused
        } else {
            l = Int32(itemCount.count)
            items.append(repeating: 0, count: Self.capacity)
            itemCount.append(0)
            leafParent.append(Self.absent)
            leafSlot.append(0)
        }
        itemCount[Int(l)] = 0
        leafParent[Int(l)] = Self.absent
        return l
    }

    private func newNode() -> Int32 {
        let n: Int32
        if let reused = freeNodes.popLast() {
            n = reused
        } else {
            n = Int32(childCount.count)
            children.append(repeating: 0, count: Self.capacity)
            counts.append(repeating: 0, count: Self.capacity)
            childCount.append(0)
            nodeParent.append(Self.absent)
            nodeSlot.append(0)
        }
        childCount[Int(n)] = 0
        nodeParent[Int(n)] = Self.absent
        return n
    }

    /// Adds `delta` to the count of every edge above `leaf`.
    @inline(__always)
    private func adjustCounts(from leaf: Int32, by delta: Int32) {
        var parent = leafParent[Int(leaf)]
        var slot = Int(leafSlot[Int(leaf)])
        while parent != Self.absent {
            counts[Int(parent) * Self.capacity + slot] += delta
            slot = Int(nodeSlot[Int(parent)])
            parent = nodeParent[Int(parent)]
        }
    }

    private func parent(of x: Int32, level: Int) -> Int32 { level == 0 ? leafParent[Int(x)] : nodeParent[Int(x)] }
    private func slot(of x: Int32, level: Int) -> Int { Int(level == 0 ? leafSlot[Int(x)] : nodeSlot[Int(x)]) }

    private func attach(_ x: Int32, level: Int, to parent: Int32, slot: Int) {
        if level == 0 {
            leafParent[Int(x)] = parent
            leafSlot[Int(x)] = Int32(slot)
        } else {
            nodeParent[Int(x)] = parent
            nodeSlot[Int(x)] = Int32(slot)
        }
        if parent != Self.absent {
            children[Int(parent) * Self.capacity + slot] = x
        }
    }

    /// Splits a full leaf into two halves, adding the right half to the parent (splitting upwards as needed).
    private func splitLeaf(_ leaf: Int32) {
        let right = newLeaf()
        let half = Self.capacity / 2
        let from = items.base + Int(leaf) * Self.capacity + half, to = items.base + Int(right) * Self.capacity
        to.update(from: from, count: Self.capacity - half)
        for k in 0..<(Self.capacity - half) { leafOf[Int(to[k])] = right }
        itemCount[Int(leaf)] = Int32(half)
        itemCount[Int(right)] = Int32(Self.capacity - half)
        addSibling(right, after: leaf, level: 0, leftCount: Int32(half), rightCount: Int32(Self.capacity - half))
    }

    /// Inserts `right` into the parent of `left` (both at `level`), just after it, with the given counts.
    private func addSibling(_ right: Int32, after left: Int32, level: Int, leftCount: Int32, rightCount: Int32) {
        // Leaves and internal nodes are numbered separately, so the root test needs the level too.
        if level == height && left == root {
            let top = newNode()
            childCount[Int(top)] = 2
            attach(left, level: level, to: top, slot: 0)
            attach(right, level: level, to: top, slot: 1)
            counts[Int(top) * Self.capacity] = leftCount
            counts[Int(top) * Self.capacity + 1] = rightCount
            root = top
            height += 1
            return
        }
        let p = parent(of: left, level: level)
        let n = Int(childCount[Int(p)])
        if n == Self.capacity {
            splitNode(p, level: level + 1)
            addSibling(right, after: left, level: level, leftCount: leftCount, rightCount: rightCount)
            return
        }
        let index = slot(of: left, level: level)
        let pb = Int(p) * Self.capacity
        var k = n
        while k > index + 1 {
            counts[pb + k] = counts[pb + k - 1]
            attach(children[pb + k - 1], level: level, to: p, slot: k)
            k -= 1
        }
        counts[pb + index] = leftCount
        counts[pb + index + 1] = rightCount
        attach(right, level: level, to: p, slot: index + 1)
        childCount[Int(p)] = Int32(n + 1)
    }

    /// Splits a full internal node (at `level` ≥ 1) into two halves.
    private func splitNode(_ node: Int32, level: Int) {
        let right = newNode()
        let half = Self.capacity / 2
        let nb = Int(node) * Self.capacity, rb = Int(right) * Self.capacity
        var leftTotal: Int32 = 0, rightTotal: Int32 = 0
        for k in 0..<half { leftTotal += counts[nb + k] }
        for k in 0..<(Self.capacity - half) {
            counts[rb + k] = counts[nb + half + k]
            rightTotal += counts[rb + k]
            attach(children[nb + half + k], level: level - 1, to: right, slot: k)
        }
        childCount[Int(node)] = Int32(half)
        childCount[Int(right)] = Int32(Self.capacity - half)
        addSibling(right, after: node, level: level, leftCount: leftTotal, rightCount: rightTotal)
    }

    /// Unlinks an empty leaf from its parent, removing internal nodes that become empty.
    private func detachLeaf(_ leaf: Int32) {
        var child = leaf
        var level = 0
        while true {
            let p = parent(of: child, level: level)
            let index = slot(of: child, level: level)
            if level == 0 { freeLeaves.append(child); liveLeaves -= 1 } else { freeNodes.append(child) }
            let pb = Int(p) * Self.capacity
            let n = Int(childCount[Int(p)])
            for k in index..<(n - 1) {
                counts[pb + k] = counts[pb + k + 1]
                attach(children[pb + k + 1], level: level, to: p, slot: k)
            }
            childCount[Int(p)] = Int32(n - 1)
            if n - 1 > 0 || level + 1 == height { break }
            child = p
            level += 1
        }
        // A root left with one child hands the root role down.
        while height > 0 && childCount[Int(root)] == 1 {
            let only = children[Int(root) * Self.capacity]
            freeNodes.append(root)
            root = only
            height -= 1
            attach(root, level: height, to: Self.absent, slot: 0)
        }
        if height > 0 && childCount[Int(root)] == 0 {
            freeNodes.append(root)
            root = newLeaf()
            height = 0
        }
    }

    /// Rebuilds the tree from its in-order sequence with leaves three quarters full.
    private func rebuild() {
        let order = ordered()
        items.removeAll(); itemCount.removeAll(); leafParent.removeAll(); leafSlot.removeAll()
        children.removeAll(); counts.removeAll(); childCount.removeAll(); nodeParent.removeAll(); nodeSlot.removeAll()
        freeLeaves.removeAll(); freeNodes.removeAll()
        liveLeaves = 0
        height = 0
        let fill = Self.capacity * 3 / 4
        var level: [(node: Int32, total: Int32)] = []
        var i = 0
        repeat {
            let leaf = newLeaf()
            let n = min(fill, order.count - i)
            for k in 0..<n {
                items[Int(leaf) * Self.capacity + k] = order[i + k]
                leafOf[Int(order[i + k])] = leaf
            }
            itemCount[Int(leaf)] = Int32(n)
            level.append((leaf, Int32(n)))
            i += n
        } while i < order.count
        while level.count > 1 {
            var next: [(node: Int32, total: Int32)] = []
            var j = 0
            while j < level.count {
                let node = newNode()
                let n = min(fill, level.count - j)
                var total: Int32 = 0
                for k in 0..<n {
                    attach(level[j + k].node, level: height, to: node, slot: k)
                    counts[Int(node) * Self.capacity + k] = level[j + k].total
                    total += level[j + k].total
                }
                childCount[Int(node)] = Int32(n)
                next.append((node, total))
                j += n
            }
            level = next
            height += 1
        }
        root = level[0].node
        attach(root, level: height, to: Self.absent, slot: 0)
    }
}
