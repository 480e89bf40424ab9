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
    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        guard let base = piece.baseAddress, !piece.isEmpty else { return }
        let n = piece.count
        if options.ignoreMerges, let id = vocabulary.id(of: piece) {
            ids.append(id)
            spans?.pointee.append(n)
            return
        }
        let cacheable = spans == nil && n >= 2 && n <= 32
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
        while i >= 0 && i < word.id.count {
            ids.append(word.id[i])
            spans?.pointee.append(word.span[i])
            i = Int(word.next[i])
        }
        if let cache {
            let produced = ids.count - before
            if produced >= 1 && produced <= 16 {
                ids.withUnsafeBufferPointer { cache.store(hash, base, n, UnsafeBufferPointer(rebasing: $0[before...])) }
            }
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
        if carry > 0, !word.span.isEmpty { word.span[word.span.count - 1] += carry }
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
        let count = word.id.count
        guard count > 1 else { return }
        let table = pairs.view
        var heap = MergeHeap()
        heap.reserve(count)
        for i in 0..<(count - 1) {
            let v = withExtendedLifetime(pairs) { table.value(left: word.id[i], right: word.id[i + 1]) }
            if v != .max { heap.push(rank: UInt32(truncatingIfNeeded: v >> 32), position: UInt32(i), result: TokenID(truncatingIfNeeded: v)) }
        }
        withExtendedLifetime(pairs) {
            while let top = heap.pop() {
                let at = Int(top.position)
                if word.length[at] == 0 { continue }
                let right = Int(word.next[at])
                if right < 0 { continue }
                let current = table.value(left: word.id[at], right: word.id[right])
                if current == .max || TokenID(truncatingIfNeeded: current) != top.result { continue }
                word.id[at] = top.result
                word.length[at] += word.length[right]
                word.span[at] += word.span[right]
                let afterRight = word.next[right]
                word.next[at] = afterRight
                word.length[right] = 0
                if afterRight >= 0 { word.previous[Int(afterRight)] = Int32(at) }
                let before = Int(word.previous[at])
                if before >= 0 {
                    let v = table.value(left: word.id[before], right: word.id[at])
                    if v != .max {
                        heap.push(rank: UInt32(truncatingIfNeeded: v >> 32), position: UInt32(before), result: TokenID(truncatingIfNeeded: v))
                    }
                }
                if afterRight >= 0 {
                    let v = table.value(left: word.id[at], right: word.id[Int(afterRight)])
                    if v != .max {
                        heap.push(rank: UInt32(truncatingIfNeeded: v >> 32), position: UInt32(at), result: TokenID(truncatingIfNeeded: v))
                    }
                }
            }
        }
    }
}

/// The symbols of one piece: a doubly linked list over arrays (Hugging Face's `Word`).
struct Word {
    var id: [TokenID] = []
    /// Hugging Face's symbol length (0 once merged into its left neighbour).
    var length: [Int] = []
    /// Bytes of the piece the symbol covers (for offsets).
    var span: [Int] = []
    var previous: [Int32] = []
    var next: [Int32] = []

    init(capacity: Int) {
        id.reserveCapacity(capacity)
        length.reserveCapacity(capacity)
        span.reserveCapacity(capacity)
        previous.reserveCapacity(capacity)
        next.reserveCapacity(capacity)
    }

    mutating func add(_ token: TokenID, length l: Int, span s: Int) {
        let index = Int32(id.count)
        if !next.isEmpty { next[next.count - 1] = index }
        previous.append(index - 1)
        next.append(-1)
        id.append(token)
        length.append(l)
        span.append(s)
    }
}

/// A binary min-heap of candidate merges ordered by (rank, position), carrying the merge's result.
struct MergeHeap {
    private var keys: [UInt64] = []
    private var results: [TokenID] = []

    mutating func reserve(_ n: Int) {
        keys.reserveCapacity(n)
        results.reserveCapacity(n)
    }

    mutating func push(rank: UInt32, position: UInt32, result: TokenID) {
        let key = UInt64(rank) << 32 | UInt64(position)
        keys.append(key)
        results.append(result)
        var i = keys.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if keys[parent] <= key { break }
            keys[i] = keys[parent]
            results[i] = results[parent]
            i = parent
        }
        keys[i] = key
        results[i] = result
    }

    mutating func pop() -> (position: UInt32, result: TokenID)? {
        guard let lastKey = keys.popLast(), let lastResult = results.popLast() else { return nil }
        if keys.isEmpty { return (UInt32(truncatingIfNeeded: lastKey), lastResult) }
        let top = (UInt32(truncatingIfNeeded: keys[0]), results[0])
        let count = keys.count
        var i = 0
        while true {
            var child = 2 * i + 1
            if child >= count { break }
            if child + 1 < count && keys[child + 1] < keys[child] { child += 1 }
            if keys[child] >= lastKey { break }
            keys[i] = keys[child]
            results[i] = results[child]
            i = child
        }
        keys[i] = lastKey
        results[i] = lastResult
        return top
    }
}
