// RankedList: the LiB lexicon's order (rank 0 = most valued) as an order-statistics structure, so that
// the reference's rank moves — "move this chunk ⌊rank·Δ⌋+1 places toward the head/tail" — cost
// O(log |L|) instead of the O(|L|) list slice of the Python code (structures.py, `TrieList.move`).
//
// Shape: a counted B+ tree. Leaves hold up to 64 handles in order; internal nodes hold up to 64
// children with the number of handles under each. A handle's rank is its position in its leaf plus
// the counts of the children left of its path, summed on the way up (a leaf knows its parent; each
// handle knows its leaf). Leaves are not merged when they thin out; instead the whole tree is rebuilt
// from its in-order sequence once the leaves are on average less than a quarter full, which keeps
// the height at O(log₆₄ |L|) and costs O(1) amortized per removal.
//
// Invariant: the in-order sequence of leaf items is the lexicon order; every internal count equals
// the number of handles below that child; `leafOf[h]` is the leaf holding h for every present h.
// Complexity: rank, select, insert, remove O(64 · height) = O(log |L|) with a small constant
// (scans of at most 64 contiguous words per level); a full rebuild O(|L|), amortized O(1).

/// An ordered list of distinct handles (small integers) with O(log n) rank queries and moves.
struct RankedList {
    static let capacity = 64
    static let absent: Int32 = -1

    // Leaves: items[leaf * 64 + k], itemCount[leaf], leafParent[leaf].
    private var items: [UInt32] = []
    private var itemCount: [Int32] = []
    private var leafParent: [Int32] = []
    private var freeLeaves: [Int32] = []
    // Internal nodes: children[node * 64 + k] (leaf or node index, by level), counts[node * 64 + k].
    private var children: [Int32] = []
    private var counts: [Int32] = []
    private var childCount: [Int32] = []
    private var nodeParent: [Int32] = []
    private var freeNodes: [Int32] = []
    /// The root: a leaf when `height == 0`, else an internal node whose children are `height - 1` levels up from the leaves.
    private var root: Int32 = 0
    private var height = 0
    /// The leaf of each present handle, `absent` otherwise.
    private var leafOf: [Int32] = []
    private var liveLeaves = 0

    /// Number of handles in the list.
    private(set) var count = 0

    init() {
        root = newLeaf()
    }

    /// Whether `h` is in the list.
    func contains(_ h: UInt32) -> Bool { Int(h) < leafOf.count && leafOf[Int(h)] != Self.absent }

    // MARK: Queries

    /// The 0-based position of `h` (which must be present).
    func rank(of h: UInt32) -> Int {
        let leaf = leafOf[Int(h)]
        var r = 0
        let base = Int(leaf) * Self.capacity
        let n = Int(itemCount[Int(leaf)])
        items.withUnsafeBufferPointer { p in
            var k = 0
            while k < n && p[base + k] != h { k += 1 }
            r = k
        }
        var child = leaf
        var parent = leafParent[Int(leaf)]
        while parent != Self.absent {
            let nb = Int(parent) * Self.capacity
            var k = 0
            while children[nb + k] != child { r += Int(counts[nb + k]); k += 1 }
            child = parent
            parent = nodeParent[Int(parent)]
        }
        return r
    }

    /// The handle at position `r` (0 ≤ r < count).
    func handle(at r: Int) -> UInt32 {
        var r = r
        var node = root
        var level = height
        while level > 0 {
            let nb = Int(node) * Self.capacity
            var k = 0
            while r >= Int(counts[nb + k]) { r -= Int(counts[nb + k]); k += 1 }
            node = children[nb + k]
            level -= 1
        }
        return items[Int(node) * Self.capacity + r]
    }

    /// All handles in order.
    func ordered() -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(count)
        collect(root, level: height, into: &out)
        return out
    }

    private func collect(_ node: Int32, level: Int, into out: inout [UInt32]) {
        if level == 0 {
            let b = Int(node) * Self.capacity
            out.append(contentsOf: items[b..<b + Int(itemCount[Int(node)])])
            return
        }
        let b = Int(node) * Self.capacity
        for k in 0..<Int(childCount[Int(node)]) { collect(children[b + k], level: level - 1, into: &out) }
    }

    // MARK: Updates

    /// Appends `h` (not present) at the end.
    mutating func append(_ h: UInt32) { insert(h, at: count) }

    /// Inserts `h` (not present) so that it ends up at position `r` (0 ≤ r ≤ count).
    mutating func insert(_ h: UInt32, at r: Int) {
        if Int(h) >= leafOf.count { leafOf.append(contentsOf: repeatElement(Self.absent, count: Int(h) + 1 - leafOf.count)) }
        while true {
            // Descend to the leaf that receives position r, remembering nothing: a full leaf is split and the
            // descent repeated, so the insertion itself never overflows.
            var rest = r
            var node = root
            var level = height
            while level > 0 {
                let nb = Int(node) * Self.capacity
                let n = Int(childCount[Int(node)])
                var k = 0
                // The first child whose range reaches `rest`: rest == counts[k] appends to child k, which keeps
                // appends at the end of the list in the last leaf.
                while k < n - 1 && rest > Int(counts[nb + k]) { rest -= Int(counts[nb + k]); k += 1 }
                node = children[nb + k]
                level -= 1
            }
            let leaf = node
            let n = Int(itemCount[Int(leaf)])
            if n == Self.capacity {
                splitLeaf(leaf)
                continue
            }
            let base = Int(leaf) * Self.capacity
            items.withUnsafeMutableBufferPointer { p in
                var k = n
                while k > rest { p[base + k] = p[base + k - 1]; k -= 1 }
                p[base + rest] = h
            }
            itemCount[Int(leaf)] = Int32(n + 1)
            leafOf[Int(h)] = leaf
            adjustCounts(from: leaf, by: 1)
            count += 1
            return
        }
    }

    /// Removes `h` (present).
    mutating func remove(_ h: UInt32) {
        let leaf = leafOf[Int(h)]
        let base = Int(leaf) * Self.capacity
        let n = Int(itemCount[Int(leaf)])
        items.withUnsafeMutableBufferPointer { p in
            var k = 0
            while p[base + k] != h { k += 1 }
            while k < n - 1 { p[base + k] = p[base + k + 1]; k += 1 }
        }
        itemCount[Int(leaf)] = Int32(n - 1)
        leafOf[Int(h)] = Self.absent
        adjustCounts(from: leaf, by: -1)
        count -= 1
        if n == 1 && height > 0 { detachLeaf(leaf) }
        if liveLeaves > 8 && liveLeaves * Self.capacity / 4 > count { rebuild() }
    }

    /// Moves `h` (present) so that it ends up at position `r` (0 ≤ r < count).
    mutating func move(_ h: UInt32, to r: Int) {
        remove(h)
        insert(h, at: r)
    }

    // MARK: Internals

    private mutating func newLeaf() -> Int32 {
        liveLeaves += 1
        if let l = freeLeaves.popLast() {
            itemCount[Int(l)] = 0
            leafParent[Int(l)] = Self.absent
            return l
        }
        let l = Int32(itemCount.count)
        items.append(contentsOf: repeatElement(0, count: Self.capacity))
        itemCount.append(0)
        leafParent.append(Self.absent)
        return l
    }

    private mutating func newNode() -> Int32 {
        if let n = freeNodes.popLast() {
            childCount[Int(n)] = 0
            nodeParent[Int(n)] = Self.absent
            return n
        }
        let n = Int32(childCount.count)
        children.append(contentsOf: repeatElement(0, count: Self.capacity))
        counts.append(contentsOf: repeatElement(0, count: Self.capacity))
        childCount.append(0)
        nodeParent.append(Self.absent)
        return n
    }

    /// Adds `delta` to the count of every ancestor edge above `leaf`.
    private mutating func adjustCounts(from leaf: Int32, by delta: Int32) {
        var child = leaf
        var parent = leafParent[Int(leaf)]
        while parent != Self.absent {
            let nb = Int(parent) * Self.capacity
            var k = 0
            while children[nb + k] != child { k += 1 }
            counts[nb + k] += delta
            child = parent
            parent = nodeParent[Int(parent)]
        }
    }

    /// The parent of a leaf (`level == 0`) or node, and the child slot that points to it.
    private func slot(of child: Int32, level: Int) -> (parent: Int32, index: Int) {
        let parent = level == 0 ? leafParent[Int(child)] : nodeParent[Int(child)]
        let nb = Int(parent) * Self.capacity
        var k = 0
        while children[nb + k] != child { k += 1 }
        return (parent, k)
    }

    /// Splits a full leaf into two halves, adding the right half to the parent (splitting upwards as needed).
    private mutating func splitLeaf(_ leaf: Int32) {
        let right = newLeaf()
        let half = Self.capacity / 2
        let lb = Int(leaf) * Self.capacity, rb = Int(right) * Self.capacity
        for k in 0..<half {
            let h = items[lb + half + k]
            items[rb + k] = h
            leafOf[Int(h)] = right
        }
        itemCount[Int(leaf)] = Int32(half)
        itemCount[Int(right)] = Int32(Self.capacity - half)
        addSibling(right, after: leaf, level: 0, leftCount: Int32(half), rightCount: Int32(Self.capacity - half))
    }

    /// Inserts `right` into the parent of `left` (both at `level`), just after it, with the given counts.
    private mutating func addSibling(_ right: Int32, after left: Int32, level: Int, leftCount: Int32, rightCount: Int32) {
        // Leaves and internal nodes are numbered separately, so the root test needs the level too.
        if level == height && left == root {
            let top = newNode()
            let tb = Int(top) * Self.capacity
            children[tb] = left; counts[tb] = leftCount
            children[tb + 1] = right; counts[tb + 1] = rightCount
            childCount[Int(top)] = 2
            setParent(left, level: level, top)
            setParent(right, level: level, top)
            root = top
            height += 1
            return
        }
        let (parent, index) = slot(of: left, level: level)
        let n = Int(childCount[Int(parent)])
        if n == Self.capacity {
            splitNode(parent, level: level + 1)
            addSibling(right, after: left, level: level, leftCount: leftCount, rightCount: rightCount)
            return
        }
        let pb = Int(parent) * Self.capacity
        var k = n
        while k > index + 1 { children[pb + k] = children[pb + k - 1]; counts[pb + k] = counts[pb + k - 1]; k -= 1 }
        children[pb + index] = left; counts[pb + index] = leftCount
        children[pb + index + 1] = right; counts[pb + index + 1] = rightCount
        childCount[Int(parent)] = Int32(n + 1)
        setParent(right, level: level, parent)
    }

    /// Splits a full internal node (at `level` ≥ 1) into two halves.
    private mutating func splitNode(_ node: Int32, level: Int) {
        let right = newNode()
        let half = Self.capacity / 2
        let nb = Int(node) * Self.capacity, rb = Int(right) * Self.capacity
        var leftTotal: Int32 = 0, rightTotal: Int32 = 0
        for k in 0..<half { leftTotal += counts[nb + k] }
        for k in 0..<(Self.capacity - half) {
            let c = children[nb + half + k]
            children[rb + k] = c
            counts[rb + k] = counts[nb + half + k]
            rightTotal += counts[rb + k]
            setParent(c, level: level - 1, right)
        }
        childCount[Int(node)] = Int32(half)
        childCount[Int(right)] = Int32(Self.capacity - half)
        addSibling(right, after: node, level: level, leftCount: leftTotal, rightCount: rightTotal)
    }

    private mutating func setParent(_ child: Int32, level: Int, _ parent: Int32) {
        if level == 0 { leafParent[Int(child)] = parent } else { nodeParent[Int(child)] = parent }
    }

    /// Unlinks an empty leaf from its parent, removing internal nodes that become empty.
    private mutating func detachLeaf(_ leaf: Int32) {
        var child = leaf
        var level = 0
        while true {
            let (parent, index) = slot(of: child, level: level)
            if level == 0 { freeLeaves.append(child); liveLeaves -= 1 } else { freeNodes.append(child) }
            let pb = Int(parent) * Self.capacity
            let n = Int(childCount[Int(parent)])
            for k in index..<(n - 1) { children[pb + k] = children[pb + k + 1]; counts[pb + k] = counts[pb + k + 1] }
            childCount[Int(parent)] = Int32(n - 1)
            if n - 1 > 0 || level + 1 == height { break }
            child = parent
            level += 1
        }
        // A root left with one child hands the root role down.
        while height > 0 && childCount[Int(root)] == 1 {
            let only = children[Int(root) * Self.capacity]
            freeNodes.append(root)
            root = only
            height -= 1
            setParent(root, level: height, Self.absent)
        }
        if height > 0 && childCount[Int(root)] == 0 {
            // Everything is gone: start again from one empty leaf.
            freeNodes.append(root)
            root = newLeaf()
            height = 0
        }
    }

    /// Rebuilds the tree from its in-order sequence with leaves three quarters full.
    private mutating func rebuild() {
        let order = ordered()
        items.removeAll(keepingCapacity: true); itemCount.removeAll(keepingCapacity: true)
        leafParent.removeAll(keepingCapacity: true); freeLeaves.removeAll(keepingCapacity: true)
        children.removeAll(keepingCapacity: true); counts.removeAll(keepingCapacity: true)
        childCount.removeAll(keepingCapacity: true); nodeParent.removeAll(keepingCapacity: true)
        freeNodes.removeAll(keepingCapacity: true)
        liveLeaves = 0
        height = 0
        let fill = Self.capacity * 3 / 4
        var level: [(node: Int32, total: Int32)] = []
        var i = 0
        repeat {
            let leaf = newLeaf()
            let b = Int(leaf) * Self.capacity
            let n = min(fill, order.count - i)
            for k in 0..<n {
                items[b + k] = order[i + k]
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
                let b = Int(node) * Self.capacity
                let n = min(fill, level.count - j)
                var total: Int32 = 0
                for k in 0..<n {
                    children[b + k] = level[j + k].node
                    counts[b + k] = level[j + k].total
                    total += level[j + k].total
                    setParent(level[j + k].node, level: height, node)
                }
                childCount[Int(node)] = Int32(n)
                next.append((node, total))
                j += n
            }
            level = next
            height += 1
        }
        root = level[0].node
        setParent(root, level: height, Self.absent)
    }
}
