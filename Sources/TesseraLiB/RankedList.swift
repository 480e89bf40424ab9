// RankedList: the LiB lexicon's order (rank 0 = most valued), as the reference keeps it (structures.py,
// `TrieList`: a Python list moved with slices), but with every handle's position stored beside it, so
// that a rank query is one load instead of the reference's `list.index` scan.
//
// Shape: the handles in order in one flat buffer, and `position[h]` for each handle. A move of LiB's
// kind — ⌊rank·Δ⌋+1 places — shifts only the handles it passes, rewriting their positions in the same
// loop; those are a few dozen on average (2.8 M handles shifted by 62 k moves in a 200-step BR run with a
// lexicon of ≈ 2,000). That is cheaper here than the counted B+ tree this replaced (O(log |L|) per
// query and move, but a leaf search and a walk up the tree for every query): the flat order has no
// search at all, and its shifts are short contiguous loops. The forgotten chunks of a step leave in one
// compaction pass instead of one shift each.
//
// Invariant: `items[0..<count]` is the lexicon order; `position[items[r]] == r` for every r < count and
// `position[h] == absent` for every other handle below `position.count`.
// Complexity: rank, select, contains, append O(1); move O(|from − to|); insert and remove
// O(count − position); removing a batch O(count + batch); `writeRanks` O(count).

/// An ordered list of distinct handles (small integers) with O(1) rank queries.
final class RankedList {
    static let absent: Int32 = -1

    private let items = RawBuffer<UInt32>(capacity: 4096)
    private let position = RawBuffer<Int32>(capacity: 4096)

    /// Number of handles in the list.
    var count: Int { items.count }

    /// Whether `h` is in the list.
    @inline(__always)
    func contains(_ h: UInt32) -> Bool { Int(h) < position.count && position[Int(h)] != Self.absent }

    // MARK: Queries

    /// The 0-based position of `h` (which must be present).
    @inline(__always)
    func rank(of h: UInt32) -> Int { Int(position[Int(h)]) }

    /// The handle at position `r` (0 ≤ r < count).
    @inline(__always)
    func handle(at r: Int) -> UInt32 { items[r] }

    /// All handles in order.
    func ordered() -> [UInt32] { Array(UnsafeBufferPointer(start: items.base, count: items.count)) }

    /// Writes every handle's position: `ranks[h] = rank(of: h)` for each present h. O(count).
    func writeRanks(into ranks: UnsafeMutablePointer<Int32>) {
        for r in 0..<items.count { ranks[Int(items[r])] = Int32(r) }
    }

    // MARK: Updates

    /// Appends `h` (not present) at the end.
    @inline(__always)
    func append(_ h: UInt32) {
        track(h)
        position[Int(h)] = Int32(items.count)
        items.append(h)
    }

    /// Inserts `h` (not present) so that it ends up at position `r` (0 ≤ r ≤ count).
    func insert(_ h: UInt32, at r: Int) {
        append(h)
        shiftTowardTail(from: count - 1, to: r, h)
    }

    /// Removes `h` (present).
    func remove(_ h: UInt32) {
        shiftTowardHead(from: Int(position[Int(h)]), to: count - 1)
        _ = items.removeLast()
        position[Int(h)] = Self.absent
    }

    /// Removes every handle of `batch` (each present once), in one pass over the list.
    func remove(_ batch: some Sequence<UInt32>) {
        var first = count
        for h in batch {
            first = min(first, Int(position[Int(h)]))
            position[Int(h)] = Self.absent
        }
        var kept = first
        for r in first..<count {
            let x = items[r]
            if position[Int(x)] == Self.absent { continue }
            items[kept] = x
            position[Int(x)] = Int32(kept)
            kept += 1
        }
        items.removeLast(count - kept)
    }

    /// Moves `h` (present, at position `from`) so that it ends up at position `r` (0 ≤ r < count): only
    /// the handles between the two positions shift by one.
    func move(_ h: UInt32, from: Int, to r: Int) {
        if r < from {
            shiftTowardTail(from: from, to: r, h)
        } else if r > from {
            shiftTowardHead(from: from, to: r)
            items[r] = h
            position[Int(h)] = Int32(r)
        }
    }

    // MARK: Internals

    /// Puts `h`, now at `from`, at `r` ≤ `from`, shifting the handles in between one place tail-ward.
    @inline(__always)
    private func shiftTowardTail(from: Int, to r: Int, _ h: UInt32) {
        var k = from
        while k > r {
            let x = items[k - 1]
            items[k] = x
            position[Int(x)] = Int32(k)
            k -= 1
        }
        items[r] = h
        position[Int(h)] = Int32(r)
    }

    /// Shifts the handles at `from + 1 ... to` one place head-ward (the one at `from` is overwritten).
    @inline(__always)
    private func shiftTowardHead(from: Int, to end: Int) {
        var k = from
        while k < end {
            let x = items[k + 1]
            items[k] = x
            position[Int(x)] = Int32(k)
            k += 1
        }
    }

    /// Sizes `position` for handle `h`.
    @inline(__always)
    private func track(_ h: UInt32) {
        if Int(h) >= position.count { position.append(repeating: Self.absent, count: Int(h) + 1 - position.count) }
    }
}
