// Encoding one pre-token with `CharacterBPEModel`: build the initial symbols (characters, byte fallback,
// unknown tokens) exactly as Hugging Face's `merge_word`, then merge with a min-heap of (rank, position)
// as its `Word::merge_all` (dropout 0): an entry is stale when the pair at its position no longer merges
// into the entry's token, and is then skipped.
//
// Hugging Face keeps a symbol's byte length both as the merge bookkeeping ("length 0 = merged away") and as
// its offsets; here `length` follows Hugging Face (one per fallback byte token, even for the bytes of a
// continuing-subword prefix) and `span` carries the offsets, so that the reported spans always sum to the
// piece length (a dropped character's bytes join the next symbol, or the last one).
// Complexity: O(n log n) for a piece of n characters.

extension CharacterBPEModel {
    /// Appends the ids of `piece` (UTF-8 text) and, when `spans` is given, the bytes each id covers.
    ///
    /// A long piece is cut before its boundary characters (`CharacterBPEModel.Boundaries`) and the parts are
    /// merged separately: no merge can join across such a cut, so the ids are those of the whole piece, and the
    /// parts are short enough for the per-thread cache (a text without a pre-tokenizer is one piece).
    /// - Complexity: O(n log n) for n characters; O(n) plus the merges of the parts when it can be cut.
    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        guard !piece.isEmpty else { return }
        if options.ignoreMerges, let id = vocabulary.id(of: piece) {
            ids.append(id)
            spans?.pointee.append(piece.count)
            return
        }
        guard let boundaries, piece.count > 32 else {
            encodePart(piece, into: &ids, spans: spans)
            return
        }
        var start = 0
        var previous: UInt32? = nil
        var i = 0
        while i < piece.count {
            let length = Self.characterLength(piece, at: i)
            let scalar = length == 1 && piece[i] >= 0x80 ? nil : Self.scalar(piece, at: i, length: length)
            if let scalar, i > start, scalar != previous, boundaries.contains(scalar) {
                encodePart(UnsafeBufferPointer(rebasing: piece[start..<i]), into: &ids, spans: spans)
                start = i
            }
            previous = scalar
            i += length
        }
        encodePart(UnsafeBufferPointer(rebasing: piece[start...]), into: &ids, spans: spans)
    }

    /// Encodes one part of a piece (or a whole piece) with Hugging Face's `merge_word` + `merge_all`.
    func encodePart(_ piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        guard let base = piece.baseAddress, !piece.isEmpty else { return }
        let n = piece.count
        let cacheable = spans == nil && PieceCacheView.memoizes(n)
        var hash: UInt64 = 0
        var cache: PieceCacheView?
        if cacheable {
            let view = PieceCache.current(serial: serial)
            hash = hashKey(loadPrefixWord(base, n), base, n)
            if view.lookup(hash, base, n, into: &ids) { return }
            cache = view
        }
        var word = Word(capacity: n)
        buildSymbols(piece, into: &word)
        mergeAll(&word)
        let before = ids.count
        var i = 0
        while i >= 0 && i < word.symbols.count {
            let symbol = word.symbols[i]
            ids.append(symbol.id)
            spans?.pointee.append(Int(symbol.span))
            i = Int(symbol.next)
        }
        if let cache {
            let produced = ids.count - before
            if produced >= 1 {
                ids.withUnsafeBufferPointer { cache.store(hash, base, n, UnsafeBufferPointer(rebasing: $0[before...])) }
            }
        }
    }

    /// The scalar of the `length`-byte UTF-8 character at `i` (already checked by `characterLength`).
    @inline(__always)
    static func scalar(_ p: UnsafeBufferPointer<UInt8>, at i: Int, length: Int) -> UInt32 {
        let b0 = UInt32(p[i])
        switch length {
        case 1: return b0
        case 2: return (b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F)
        case 3: return (b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F)
        default: return (b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F)
        }
    }

    /// The ids of `piece` (convenience for tests and tools).
    public func encode(piece: [UInt8]) -> [TokenID] {
        var out: [TokenID] = []
        piece.withUnsafeBufferPointer { encode(piece: $0, into: &out, spans: nil) }
        return out
    }

    /// The symbols of a piece before merging (Hugging Face `merge_word` up to `merge_all`).
    func buildSymbols(_ piece: UnsafeBufferPointer<UInt8>, into word: inout Word) {
        let n = piece.count
        var key: [UInt8] = []
        key.reserveCapacity(prefix.count + 4 + suffix.count)
        var pendingUnknown: (length: Int, span: Int)? = nil
        var carry = 0   // bytes of dropped characters, given to the next symbol's span
        var i = 0
        while i < n {
            let end = min(n, i + Self.characterLength(piece, at: i))
            let length = end - i
            key.removeAll(keepingCapacity: true)
            if i > 0 { key.append(contentsOf: prefix) }
            key.append(contentsOf: UnsafeBufferPointer(rebasing: piece[i..<end]))
            if end == n { key.append(contentsOf: suffix) }
            defer { i = end }
            if let id = vocabulary.id(of: key) {
                if let unk = pendingUnknown {
                    word.add(unknownID, length: unk.length, span: unk.span + carry)
                    carry = 0
                    pendingUnknown = nil
                }
                word.add(id, length: length, span: length + carry)
                carry = 0
                continue
            }
            if options.byteFallback, key.allSatisfy({ fallbackIDs[Int($0)] != .max }) {
                // Hugging Face adds the byte tokens without first flushing a pending unknown token; so does this.
                let ownStart = i > 0 ? prefix.count : 0
                for (k, b) in key.enumerated() {
                    let own = k >= ownStart && k < ownStart + length
                    word.add(fallbackIDs[Int(b)], length: 1, span: (own ? 1 : 0) + carry)
                    carry = 0
                }
                continue
            }
            guard unknownID != .max else {
                carry += length
                continue
            }
            if let unk = pendingUnknown {
                if options.fuseUnknown {
                    pendingUnknown = (unk.length + length, unk.span + length)
                } else {
                    word.add(unknownID, length: unk.length, span: unk.span + carry)
                    carry = 0
                    pendingUnknown = (length, length)
                }
            } else {
                pendingUnknown = (length, length + carry)
                carry = 0
            }
        }
        if let unk = pendingUnknown { word.add(unknownID, length: unk.length, span: unk.span + carry); carry = 0 }
        if carry > 0, !word.symbols.isEmpty { word.symbols[word.symbols.count - 1].span += Int32(carry) }
    }

    /// Length of the character at `i`: its UTF-8 sequence, or 1 for a byte that does not start a valid one.
    @inline(__always)
    static func characterLength(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b = p[i]
        let need: Int
        switch b {
        case 0x00..<0x80: return 1
        case 0xC2...0xDF: need = 2
        case 0xE0...0xEF: need = 3
        case 0xF0...0xF4: need = 4
        default: return 1
        }
        guard i + need <= p.count else { return 1 }
        let b1 = p[i + 1]
        // The second byte's range depends on the lead (no overlongs, no surrogates, nothing above U+10FFFF).
        switch b {
        case 0xE0: if b1 < 0xA0 || b1 > 0xBF { return 1 }
        case 0xED: if b1 < 0x80 || b1 > 0x9F { return 1 }
        case 0xF0: if b1 < 0x90 || b1 > 0xBF { return 1 }
        case 0xF4: if b1 < 0x80 || b1 > 0x8F { return 1 }
        default: if b1 & 0xC0 != 0x80 { return 1 }
        }
        for k in 2..<need where p[i + k] & 0xC0 != 0x80 { return 1 }
        return need
    }

    /// Hugging Face's `Word::merge_all` without dropout.
    func mergeAll(_ word: inout Word) {
        let count = word.symbols.count
        guard count > 1 else { return }
        withExtendedLifetime(pairs) {
            let table = pairs.view
            word.symbols.withUnsafeMutableBufferPointer { symbols in
                var heap = MergeHeap()
                heap.reserve(count)
                for i in 0..<(count - 1) {
                    let v = table.value(left: symbols[i].id, right: symbols[i + 1].id)
                    if v != .max {
                        heap.append(rank: UInt32(truncatingIfNeeded: v >> 32), position: UInt32(i), result: TokenID(truncatingIfNeeded: v))
                    }
                }
                heap.heapify()
                while let top = heap.pop() {
                    let at = Int(top.position)
                    if symbols[at].length == 0 { continue }
                    let right = Int(symbols[at].next)
                    if right < 0 { continue }
                    let current = table.value(left: symbols[at].id, right: symbols[right].id)
                    if current == .max || TokenID(truncatingIfNeeded: current) != top.result { continue }
                    symbols[at].id = top.result
                    symbols[at].length += symbols[right].length
                    symbols[at].span += symbols[right].span
                    let afterRight = symbols[right].next
                    symbols[at].next = afterRight
                    symbols[right].length = 0
                    if afterRight >= 0 { symbols[Int(afterRight)].previous = Int32(at) }
                    let before = Int(symbols[at].previous)
                    if before >= 0 {
                        let v = table.value(left: symbols[before].id, right: symbols[at].id)
                        if v != .max {
                            heap.push(rank: UInt32(truncatingIfNeeded: v >> 32), position: UInt32(before), result: TokenID(truncatingIfNeeded: v))
                        }
                    }
                    if afterRight >= 0 {
                        let v = table.value(left: symbols[at].id, right: symbols[Int(afterRight)].id)
                        if v != .max {
                            heap.push(rank: UInt32(truncatingIfNeeded: v >> 32), position: UInt32(at), result: TokenID(truncatingIfNeeded: v))
                        }
                    }
                }
            }
        }
    }
}

/// The symbols of one piece: a doubly linked list over one array (Hugging Face's `Word`).
struct Word {
    struct Symbol {
        var id: TokenID
        /// Hugging Face's symbol length (0 once merged into its left neighbour).
        var length: Int32
        /// Bytes of the piece the symbol covers (for offsets).
        var span: Int32
        var previous: Int32
        var next: Int32
    }

    var symbols: [Symbol] = []

    init(capacity: Int) { symbols.reserveCapacity(capacity) }

    mutating func add(_ token: TokenID, length: Int, span: Int) {
        let index = Int32(symbols.count)
        if !symbols.isEmpty { symbols[symbols.count - 1].next = index }
        symbols.append(Symbol(id: token, length: Int32(truncatingIfNeeded: length), span: Int32(truncatingIfNeeded: span),
                              previous: index - 1, next: -1))
    }
}

/// A binary min-heap of candidate merges ordered by (rank, position), carrying the merge's result: one array of
/// entries (key and result side by side), built in O(n) from the initial pairs.
struct MergeHeap {
    struct Entry {
        var key: UInt64      // rank << 32 | position
        var result: TokenID
    }
    private var entries: [Entry] = []

    mutating func reserve(_ n: Int) { entries.reserveCapacity(n) }

    /// Adds an entry without keeping the heap order; call `heapify()` before popping.
    mutating func append(rank: UInt32, position: UInt32, result: TokenID) {
        entries.append(Entry(key: UInt64(rank) << 32 | UInt64(position), result: result))
    }

    /// Floyd's bottom-up construction: O(n).
    mutating func heapify() {
        entries.withUnsafeMutableBufferPointer { h in
            var i = h.count / 2
            while i > 0 {
                i -= 1
                Self.siftDown(h, from: i, h[i], count: h.count)
            }
        }
    }

    mutating func push(rank: UInt32, position: UInt32, result: TokenID) {
        let entry = Entry(key: UInt64(rank) << 32 | UInt64(position), result: result)
        entries.append(entry)
        entries.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) >> 1
                if h[parent].key <= entry.key { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = entry
        }
    }

    mutating func pop() -> (position: UInt32, result: TokenID)? {
        guard let last = entries.popLast() else { return nil }
        if entries.isEmpty { return (UInt32(truncatingIfNeeded: last.key), last.result) }
        let top = entries[0]
        entries.withUnsafeMutableBufferPointer { h in Self.siftDown(h, from: 0, last, count: h.count) }
        return (UInt32(truncatingIfNeeded: top.key), top.result)
    }

    /// Places `entry` at `i` or below, moving smaller children up.
    @inline(__always)
    static func siftDown(_ h: UnsafeMutableBufferPointer<Entry>, from start: Int, _ entry: Entry, count: Int) {
        var i = start
        while true {
            var child = 2 * i + 1
            if child >= count { break }
            if child + 1 < count && h[child + 1].key < h[child].key { child += 1 }
            if h[child].key >= entry.key { break }
            h[i] = h[child]
            i = child
        }
        h[i] = entry
    }
}
