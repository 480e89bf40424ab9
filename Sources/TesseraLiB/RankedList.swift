// RankedList: the LiB lexicon's order (rank 0 = most valued), which the reference keeps as a Python list
// moved with slices (structures.py, `TrieList.move`) and queries with `list.index`.
//
// Shape: a tiered vector. The order is cut into blocks of W = 16 positions, every block full except the
// last; each block is a ring (its own head offset), and every handle knows its physical slot. So
//   rank(h) = block · W + (slot − head[block]) mod W     — two loads, no search;
// a move of d places shifts at most the two end blocks' parts (< W handles each) and turns the ring of
// each block in between by one (its edge handle passes to the neighbour): O(W + d / W), where a flat
// array shifts d handles (and rewrites their positions) and a counted tree searches a leaf and sums
// counts on the way up for every rank query. LiB's moves go ⌊rank·Δ⌋+1 places: 45 on average on the BR
// corpus (lexicon ≈ 2,000), ≈ 700 on FLORES English with an 8,000-type target, and the best W is about
// √d; 16 serves both (8 and 32 were within 2 % on BR; a flat array was 25–40 % slower on FLORES). A
// removal is a move to the end; a step's forgotten chunks leave in one O(|L|) pass.
//
// Invariant: position r (0 ≤ r < count) is block r / W, ring index r mod W, physical slot
// block · W + (head[block] + r mod W) mod W, and `slotOf` of the handle stored there is that slot;
// `slotOf[h] == absent` for every other handle below `slotOf.count`; blocks 0 ..< ⌈count / W⌉ exist.
// Complexity: rank, select, contains, append O(1); move O(W + distance / W); insert and remove
// O(W + (count − position) / W); removing a batch O(count + batch); `ordered`, `writeRanks` O(count).

/// An ordered list of distinct handles (small integers) with O(1) rank queries and cheap moves.
final class RankedList {
    static let absent: Int32 = -1
    private static let shift = 4
    private static let width = 1 << shift
    private static let ringMask = width - 1

    /// Block b's ring is items[b · W ..< (b + 1) · W].
    private let items = RawBuffer<UInt32>(capacity: 4096)
    private let head = RawBuffer<Int32>(capacity: 256)
    /// The physical slot of each handle, `absent` when it is not in the list.
    private let slotOf = RawBuffer<Int32>(capacity: 4096)

    /// Number of handles in the list.
    @exclusivity(unchecked) private(set) var count = 0

    /// Whether `h` is in the list.
    @inline(__always)
    func contains(_ h: UInt32) -> Bool { Int(h) < slotOf.count && slotOf[Int(h)] != Self.absent }

    // MARK: Queries

    /// The 0-based position of `h` (which must be present).
    @inline(__always)
    func rank(of h: UInt32) -> Int {
        let slot = Int(slotOf[Int(h)])
        let block = slot >> Self.shift
        return block << Self.shift | (slot &- Int(head[block])) & Self.ringMask
    }

    /// The handle at position `r` (0 ≤ r < count).
    @inline(__always)
    func handle(at r: Int) -> UInt32 { items[physical(r >> Self.shift, r & Self.ringMask)] }

    /// All handles in order.
    func ordered() -> [UInt32] { (0..<count).map { handle(at: $0) } }

    /// Writes every handle's position: `ranks[h] = rank(of: h)` for each present h. O(count).
    func writeRanks(into ranks: UnsafeMutablePointer<Int32>) {
        for r in 0..<count { ranks[Int(handle(at: r))] = Int32(r) }
    }

    // MARK: Updates

    /// Appends `h` (not present) at the end.
    func append(_ h: UInt32) {
        if Int(h) >= slotOf.count { slotOf.append(repeating: Self.absent, count: Int(h) + 1 - slotOf.count) }
        let block = count >> Self.shift
        if block == head.count {
            items.append(repeating: 0, count: Self.width)
            head.append(0)
        }
        put(h, block, count & Self.ringMask)
        count += 1
    }

    /// Inserts `h` (not present) so that it ends up at position `r` (0 ≤ r ≤ count).
    func insert(_ h: UInt32, at r: Int) {
        append(h)
        move(h, from: count - 1, to: r)
    }

    /// Removes `h` (present): it moves to the end and is dropped there.
    func remove(_ h: UInt32) {
        move(h, from: rank(of: h), to: count - 1)
        count -= 1
        slotOf[Int(h)] = Self.absent
    }

    /// Removes every handle of `batch` (each present once), closing the gaps in one pass from the
    /// first of them (each handle is read before its position is written again, so it works in place).
    func remove(_ batch: some Sequence<UInt32>) {
        var first = count
        for h in batch {
            first = min(first, rank(of: h))
            slotOf[Int(h)] = Self.absent
        }
        var kept = first
        for r in first..<count {
            let x = handle(at: r)
            if slotOf[Int(x)] == Self.absent { continue }
            if kept != r { put(x, kept >> Self.shift, kept & Self.ringMask) }
            kept += 1
        }
        count = kept
    }

    /// Moves `h` (present, at position `from`) so that it ends up at position `r` (0 ≤ r < count).
    func move(_ h: UInt32, from: Int, to r: Int) {
        let a = from >> Self.shift, ia = from & Self.ringMask
        let b = r >> Self.shift, ib = r & Self.ringMask
        if a == b {
            if ib < ia { shiftUp(a, ib, ia) } else if ib > ia { shiftDown(a, ia, ib) }
            put(h, b, ib)
            return
        }
        let last = Self.width - 1
        if b < a {
            // Head-ward: A's front part moves up over h; each block from A − 1 down to B gives its last
            // handle to the next block's front (a full block in between only turns its ring).
            shiftUp(a, 0, ia)
            var j = a - 1
            while j > b {
                put(items[physical(j, last)], j + 1, 0)
                head[j] = Int32((Int(head[j]) &- 1) & Self.ringMask)
                j -= 1
            }
            put(items[physical(b, last)], b + 1, 0)
            shiftUp(b, ib, last)
        } else {
            // Tail-ward: the mirror image.
            shiftDown(a, ia, last)
            var j = a + 1
            while j < b {
                put(items[physical(j, 0)], j - 1, last)
                head[j] = Int32((Int(head[j]) &+ 1) & Self.ringMask)
                j += 1
            }
            put(items[physical(b, 0)], b - 1, last)
            shiftDown(b, 0, ib)
        }
        put(h, b, ib)
    }

    // MARK: Internals

    /// The physical slot of ring index `i` of `block`.
    @inline(__always)
    private func physical(_ block: Int, _ i: Int) -> Int {
        block << Self.shift | (Int(head[block]) &+ i) & Self.ringMask
    }

    /// Stores `x` at ring index `i` of `block`.
    @inline(__always)
    private func put(_ x: UInt32, _ block: Int, _ i: Int) {
        let slot = physical(block, i)
        items[slot] = x
        slotOf[Int(x)] = Int32(slot)
    }

    /// Ring indices `lo ..< hi` of `block` move up by one (index `hi` is overwritten, `lo` left free).
    @inline(__always)
    private func shiftUp(_ block: Int, _ lo: Int, _ hi: Int) {
        // The ring's head and the buffers' bases in locals: the stores could alias them otherwise.
        let ring = items.base + block << Self.shift, slots = slotOf.base
        let start = Int(head[block]), blockBase = Int32(block << Self.shift)
        var i = hi
        while i > lo {
            let to = (start &+ i) & Self.ringMask
            let x = ring[(start &+ i &- 1) & Self.ringMask]
            ring[to] = x
            slots[Int(x)] = blockBase | Int32(to)
            i -= 1
        }
    }

    /// Ring indices `lo + 1 ... hi` of `block` move down by one (index `lo` is overwritten, `hi` left free).
    @inline(__always)
    private func shiftDown(_ block: Int, _ lo: Int, _ hi: Int) {
        let ring = items.base + block << Self.shift, slots = slotOf.base
        let start = Int(head[block]), blockBase = Int32(block << Self.shift)
        var i = lo
        while i < hi {
            let to = (start &+ i) & Self.ringMask
            let x = ring[(start &+ i &+ 1) & Self.ringMask]
            ring[to] = x
            slots[Int(x)] = blockBase | Int32(to)
            i += 1
        }
    }
}
