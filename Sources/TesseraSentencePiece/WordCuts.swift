// WordCuts: where SentencePiece BPE may cut normalized text into independently encoded words (the argument is
// in SentencePieceBPEModel's header): between two initial symbols when either is frozen (a user-defined symbol
// never merges), or at a whitespace symbol `▁` whose neighbour across the boundary never sits next to `▁` inside
// any piece (NORMAL, USER_DEFINED or UNUSED). For prefix-space models (`▁word`) that cuts before almost every
// `▁`; pieces such as `▁▁` keep runs of whitespace together; suffix-space models (`word▁`) cut after `▁`.
//
// Invariant: a cut is reported only where no piece contains the two characters on its sides, so no merge can
// cross it. Complexity: build O(total piece bytes); `canCut` O(1).

/// The safe word boundaries of a BPE model.
struct WordCuts: Sendable {
    /// The whitespace symbol as it appears in normalized text (`▁`, or " " without escaping).
    let space: [UInt8]
    private let spaceWord: UInt64
    /// Characters (packed UTF-8 bytes) that occur right before / right after the space symbol in some piece.
    private let beforeSpace: Set<UInt64>
    private let afterSpace: Set<UInt64>
    /// The same for ASCII characters, as 128-bit masks (no lookup in a set on the hot path).
    private let beforeSpaceASCII: (UInt64, UInt64)
    private let afterSpaceASCII: (UInt64, UInt64)

    init(table: SentencePiecePieceTable, space: [UInt8]) {
        self.space = space
        spaceWord = Self.pack(space[...])
        var before = Set<UInt64>(), after = Set<UInt64>()
        let n = space.count
        table.text.withUnsafeBufferPointer { t in
            for id in 0..<table.count {
                switch table.types[id] {
                case .normal, .userDefined, .unused: break
                default: continue
                }
                let start = table.offsets[id], end = table.offsets[id + 1]
                var i = start
                // Only characters next to a whitespace symbol matter; pieces are well-formed UTF-8.
                while i + n <= end {
                    guard t[i] == space[0] && (n == 1 || (t[i + 1] == space[1] && t[i + 2] == space[2])) else { i += 1; continue }
                    if i > start {
                        var j = i - 1
                        while j > start && t[j] & 0xC0 == 0x80 { j -= 1 }
                        before.insert(Self.pack(t[j..<i]))
                    }
                    if i + n < end {
                        let k = i + n
                        after.insert(Self.pack(t[k..<min(k + UTF8Char.oneCharLength(t[k]), end)]))
                    }
                    i += n
                }
            }
        }
        beforeSpace = before
        afterSpace = after
        let mask = { (set: Set<UInt64>) -> (UInt64, UInt64) in
            var m: (UInt64, UInt64) = (0, 0)
            for c in 0..<128 where set.contains(UInt64(c) | 1 << 32) {
                if c < 64 { m.0 |= 1 << UInt64(c) } else { m.1 |= 1 << UInt64(c - 64) }
            }
            return m
        }
        beforeSpaceASCII = mask(before)
        afterSpaceASCII = mask(after)
    }

    /// Up to four bytes, little-endian, as one key (a character is at most four bytes).
    @inline(__always)
    static func pack<C: Collection<UInt8>>(_ bytes: C) -> UInt64 {
        var v: UInt64 = 0
        for (k, b) in bytes.prefix(4).enumerated() { v |= UInt64(b) << (8 * UInt64(k)) }
        return v | UInt64(min(bytes.count, 4)) << 32   // the length keeps "\0" apart from the empty string
    }

    @inline(__always)
    private func symbol(_ text: UnsafePointer<UInt8>, _ s: BPEScratch, _ k: Int) -> UInt64 {
        key(text + Int(s.start[k]), Int(s.length[k]))
    }

    @inline(__always)
    private func contains(_ ascii: (UInt64, UInt64), _ set: Set<UInt64>, _ key: UInt64) -> Bool {
        let low = key & 0xFFFF_FFFF
        if key >> 32 == 1 && low < 128 {
            return (low < 64 ? ascii.0 >> low : ascii.1 >> (low - 64)) & 1 != 0
        }
        return set.contains(key)
    }

    /// Whether `p[0..<length]` is the whitespace symbol.
    @inline(__always)
    func isSpace(_ p: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        length == space.count && (length == 1 ? p[0] == space[0] : p[0] == space[0] && p[1] == space[1] && p[2] == space[2])
    }

    /// Whether the text may be cut before a whitespace symbol that follows the character `p[0..<length]`.
    @inline(__always)
    func canCutBeforeSpace(after p: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        length <= 4 && !contains(beforeSpaceASCII, beforeSpace, key(p, length))
    }

    /// Whether the text may be cut after a whitespace symbol that precedes the character `p[0..<length]`.
    @inline(__always)
    func canCutAfterSpace(before p: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        length <= 4 && !contains(afterSpaceASCII, afterSpace, key(p, length))
    }

    @inline(__always)
    private func key(_ p: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        if length == 1 { return UInt64(p[0]) | 1 << 32 }
        var v: UInt64 = 0
        for j in 0..<length { v |= UInt64(p[j]) << (8 * UInt64(j)) }
        return v | UInt64(length) << 32
    }

    /// Whether the text may be cut between initial symbols k-1 and k.
    @inline(__always)
    func canCut(_ text: UnsafePointer<UInt8>, _ s: BPEScratch, before k: Int) -> Bool {
        if s.frozen[k - 1] || s.frozen[k] { return true }
        if s.length[k] > 4 || s.length[k - 1] > 4 { return false }
        let right = symbol(text, s, k)
        if right == spaceWord { return !contains(beforeSpaceASCII, beforeSpace, symbol(text, s, k - 1)) }
        let left = symbol(text, s, k - 1)
        if left == spaceWord { return !contains(afterSpaceASCII, afterSpace, right) }
        return false
    }
}
