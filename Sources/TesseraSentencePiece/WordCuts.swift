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
    private let beforeSpaceASCII: [Bool]
    private let afterSpaceASCII: [Bool]

    init(table: SentencePiecePieceTable, space: [UInt8]) {
        self.space = space
        spaceWord = Self.pack(space[...])
        var before = Set<UInt64>(), after = Set<UInt64>()
        for id in 0..<table.count {
            switch table.types[id] {
            case .normal, .userDefined, .unused: break
            default: continue
            }
            let piece = table.bytes(of: id)
            var previous: UInt64? = nil
            var i = piece.startIndex
            while i < piece.endIndex {
                let length = min(UTF8Char.oneCharLength(piece[i]), piece.endIndex - i)
                let char = Self.pack(piece[i..<(i + length)])
                if let p = previous {
                    if char == spaceWord { before.insert(p) }
                    if p == spaceWord { after.insert(char) }
                }
                previous = char
                i += length
            }
        }
        beforeSpace = before
        afterSpace = after
        beforeSpaceASCII = (0..<128).map { before.contains(UInt64($0) | 1 << 32) }
        afterSpaceASCII = (0..<128).map { after.contains(UInt64($0) | 1 << 32) }
    }

    /// Up to four bytes, little-endian, as one key (a character is at most four bytes).
    @inline(__always)
    static func pack(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for (k, b) in bytes.prefix(4).enumerated() { v |= UInt64(b) << (8 * UInt64(k)) }
        return v | UInt64(min(bytes.count, 4)) << 32   // the length keeps "\0" apart from the empty string
    }

    @inline(__always)
    private func symbol(_ text: UnsafePointer<UInt8>, _ s: BPEScratch, _ k: Int) -> UInt64 {
        let start = Int(s.start[k]), length = Int(s.length[k])
        if length == 1 { return UInt64(text[start]) | 1 << 32 }
        var v: UInt64 = 0
        for j in 0..<min(length, 4) { v |= UInt64(text[start + j]) << (8 * UInt64(j)) }
        return v | UInt64(min(length, 4)) << 32
    }

    @inline(__always)
    private func contains(_ ascii: [Bool], _ set: Set<UInt64>, _ key: UInt64) -> Bool {
        let low = key & 0xFFFF_FFFF
        if key >> 32 == 1 && low < 128 { return ascii[Int(low)] }
        return set.contains(key)
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
