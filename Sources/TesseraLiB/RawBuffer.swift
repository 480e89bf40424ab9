// RawBuffer: a growable, manually allocated array of trivial values for the learner's hot loops. Swift
// arrays held in a class pay a uniqueness check on every write and a bounds check on every access;
// the learner's structures (ranks, trie, per-chunk state) are touched millions of times per second,
// so they live here instead, with indices checked by the code that computes them.
//
// Invariant: elements 0..<count are initialized; capacity ≥ count. Complexity: amortized O(1) append.

final class RawBuffer<Element: BitwiseCopyable> {
    @exclusivity(unchecked) private(set) var base: UnsafeMutablePointer<Element>
    @exclusivity(unchecked) private(set) var capacity: Int
    @exclusivity(unchecked) private(set) var count = 0

    init(capacity: Int = 16) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    subscript(i: Int) -> Element {
        get { base[i] }
        set { base[i] = newValue }
    }

    @inline(__always)
    func append(_ x: Element) {
        if count == capacity { grow(to: capacity * 2) }
        base[count] = x
        count += 1
    }

    /// Appends `n` copies of `x`.
    func append(repeating x: Element, count n: Int) {
        if count + n > capacity { grow(to: max(capacity * 2, count + n)) }
        (base + count).initialize(repeating: x, count: n)
        count += n
    }

    /// Appends `n` elements copied from `source` (which must not point into this buffer unless
    /// `reserve` made room first).
    func append(contentsOf source: UnsafePointer<Element>, count n: Int) {
        if count + n > capacity { grow(to: max(capacity * 2, count + n)) }
        (base + count).update(from: source, count: n)
        count += n
    }

    /// Makes room for `n` elements without moving them later.
    func reserve(_ n: Int) {
        if n > capacity { grow(to: max(capacity * 2, n)) }
    }

    /// Takes over the contents of `other` (which is left empty).
    func replace(with other: RawBuffer<Element>) {
        swap(&base, &other.base)
        swap(&capacity, &other.capacity)
        swap(&count, &other.count)
        other.count = 0
    }

    @inline(__always)
    func removeLast() -> Element {
        count -= 1
        return base[count]
    }

    func removeAll() { count = 0 }

    /// Drops the last `n` elements (0 ≤ n ≤ count).
    @inline(__always)
    func removeLast(_ n: Int) { count -= n }

    private func grow(to newCapacity: Int) {
        let fresh = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        fresh.moveInitialize(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }
}
