// Open-addressing map from a token pair (left, right) to the packed (merge rank, merged id) of the
// merge-list rule. Keys are `left << 32 | right`; Fibonacci hashing; load factor ≤ 0.5. Storage is
// manually allocated so the hot loop reads it through a trivially copyable view (no reference counting).
// Complexity: O(1) expected per lookup.

@usableFromInline
final class PairMap: @unchecked Sendable {
    @usableFromInline
    struct View: @unchecked Sendable {
        @usableFromInline let table: UnsafePointer<UInt64>   // [key, value] pairs; key UInt64.max = empty
        @usableFromInline let mask: Int
        @usableFromInline let shift: UInt64
        @usableFromInline init(table: UnsafePointer<UInt64>, mask: Int, shift: UInt64) {
            self.table = table; self.mask = mask; self.shift = shift
        }

        @inlinable @inline(__always)
        func value(left: TokenID, right: TokenID) -> UInt64 {
            let key = UInt64(left) << 32 | UInt64(right)
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while true {
                let s = table[2 &* slot]
                if s == key { return table[2 &* slot &+ 1] }
                if s == .max { return .max }
                slot = (slot &+ 1) & mask
            }
        }
    }

    let table: UnsafeMutablePointer<UInt64>
    let capacity: Int
    let shift: UInt64

    @usableFromInline var view: View { View(table: table, mask: capacity - 1, shift: shift) }

    /// `pairs` in priority order; a repeated pair keeps its first (best) rank, or with `laterWins` its last
    /// (Hugging Face builds its merge map by inserting every merge in order, so a later duplicate replaces
    /// the earlier one).
    init(pairs: [(key: UInt64, value: UInt64)], laterWins: Bool = false) {
        var capacity = 16
        while capacity < pairs.count * 2 { capacity <<= 1 }
        self.capacity = capacity
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        table = .allocate(capacity: capacity * 2)
        table.initialize(repeating: .max, count: capacity * 2)
        let mask = capacity - 1
        for p in pairs {
            var slot = Int(truncatingIfNeeded: (p.key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while table[2 * slot] != .max && table[2 * slot] != p.key { slot = (slot + 1) & mask }
            if table[2 * slot] == .max || laterWins { table[2 * slot] = p.key; table[2 * slot + 1] = p.value }
        }
    }

    deinit { table.deallocate() }
}
