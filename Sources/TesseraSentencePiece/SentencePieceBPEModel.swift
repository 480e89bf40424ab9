// SentencePieceBPEModel: SentencePiece's BPE segmentation (bpe_model.cc, Model::SampleEncode with no dropout),
// which merges by piece score rather than by a merge list:
//
//  1. The normalized text is cut into initial symbols: at each position the longest user-defined symbol
//     (frozen: never merged), else one character (OneCharLen of the lead byte, bounded by the text end).
//  2. Repeatedly merge the adjacent pair of unfrozen symbols whose concatenation is a piece (NORMAL,
//     USER_DEFINED or UNUSED) with the highest score; ties go to the leftmost pair.
//  3. Each final symbol becomes PieceToId(text) (reserved pieces first, then pieces, else `<unk>`); an UNUSED
//     piece is split back into the two symbols it was last merged from (the "resegment" step), recursively.
//  4. Unknown symbols become byte pieces or are merged into one `<unk>` (PieceEmitter).
//
// Speed without changing the result. A merge joins two adjacent symbols into a piece, so a merged symbol can
// span the boundary between characters X and Y only if some piece contains XY. The model records which
// characters occur right before and right after `▁` inside pieces; where the text has X▁ (or ▁Y) and no piece
// contains it, no merge can ever cross that boundary, and the merges on either side do not interact (the winner
// on one side is the same whatever happens on the other, and "leftmost" orders the two sides consistently).
// So the text is cut there into words, each encoded alone (small words: a quadratic scan that is faster than a
// heap; long words: sentencepiece's heap) and remembered in a per-thread cache. With UNUSED pieces the resegment
// step depends on merges anywhere in the text (the last pair recorded for a piece wins), so such models run
// sentencepiece's algorithm over the whole text instead.
//
// Invariant: the ids equal sentencepiece's for every input (tested against it on FLORES-200, code and golden
// fixtures). Complexity: O(w²) per uncached word of w characters (w ≤ 48), O(n log n) for longer runs.

import TesseraBPE
import TesseraTokenizer

/// SentencePiece BPE: merge the highest-scoring adjacent pair until none is a piece.
public struct SentencePieceBPEModel: TokenModel, Sendable {
    public let table: SentencePiecePieceTable
    let cuts: WordCuts
    /// Words of at most this many symbols use the quadratic scan; longer ones the heap.
    static let linearLimit = 48
    let cacheSerial: UInt64

    public init(table: SentencePiecePieceTable, spaceSymbol: [UInt8] = [0xE2, 0x96, 0x81]) {
        self.table = table
        cuts = WordCuts(table: table, space: spaceSymbol)
        cacheSerial = WordCache.nextSerial()
    }

    public var vocabulary: Vocabulary { table.vocabulary }

    public var summary: String {
        "SentencePiece BPE (merge by score, \(table.count) pieces\(table.byteFallback ? ", byte fallback" : "")"
            + "\(table.hasUnused ? ", unused pieces resegmented" : ""))"
    }

    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        guard let text = piece.baseAddress, !piece.isEmpty else { return }
        let n = piece.count
        table.withEmitter(length: n, spans: spans, into: &ids) { view, emitter in
            var scratch = BPEScratch(capacity: n)
            defer { scratch.deallocate() }
            table.vocabulary.withLookup { lookup in
                let context = Context(text: text, vocabulary: lookup, table: view)
                if table.hasUnused {
                    encodeWhole(context, symbolCount: splitIntoSymbols(text, 0, n, &scratch), scratch, &emitter)
                } else if table.userDefined == nil && cuts.space.count == 3 {
                    encodeByCharacters(context, n, scratch, &emitter)
                } else {
                    encodeBySymbols(context, n, &scratch, &emitter)
                }
            }
        }
    }

    /// What the inner loops read.
    struct Context {
        let text: UnsafePointer<UInt8>
        let vocabulary: Vocabulary.Lookup
        let table: SentencePiecePieceTable.View

        /// The vocabulary id of `text[start..<end]`, or -1.
        @inline(__always)
        func lookup(_ start: Int32, _ end: Int32) -> Int32 {
            guard let id = vocabulary.id(text + Int(start), Int(end - start)) else { return -1 }
            return Int32(bitPattern: id)
        }

        /// The id and score of the piece `text[start..<end]` if the pair may merge into it (a NORMAL,
        /// USER_DEFINED or UNUSED piece: sentencepiece's pieces_), else -1.
        @inline(__always)
        func mergeable(_ start: Int32, _ end: Int32) -> Int32 {
            let id = lookup(start, end)
            guard id >= 0 else { return -1 }
            switch table.types[Int(id)] {
            case .normal, .userDefined, .unused: return id
            default: return -1
            }
        }

        /// PieceToId of a symbol whose vocabulary id is `id` (-1: not in the vocabulary).
        @inline(__always)
        func pieceID(_ id: Int32, _ p: UnsafePointer<UInt8>, _ length: Int, _ pieces: SentencePiecePieceTable) -> TokenID {
            id >= 0 ? table.resolvedID[Int(id)] : pieces.controlOrUnk(p, length)
        }
    }

    /// Step 1: initial symbols (start, length, frozen) of `text[from..<n]` into the scratch arrays from index 0;
    /// returns their number.
    @inline(__always)
    func splitIntoSymbols(_ text: UnsafePointer<UInt8>, _ from: Int, _ n: Int, _ s: inout BPEScratch) -> Int {
        var pos = from
        var m = 0
        let user = table.userDefined
        while pos < n {
            var length = 0
            var frozen = false
            if let user, user.startsKey[Int(text[pos])] {
                length = user.longestPrefix(text, from: pos, to: n, maxResults: 64)
                frozen = length > 0
            }
            if !frozen { length = min(UTF8Char.oneCharLength(text[pos]), n - pos) }
            s.start[m] = Int32(pos)
            s.length[m] = Int32(length)
            s.frozen[m] = frozen
            m += 1
            pos += length
        }
        return m
    }

    // MARK: Words (models without UNUSED pieces)

    /// No user-defined symbols and `▁` as the whitespace symbol: every initial symbol is one character, so words
    /// are found in one walk over the characters, and a word's symbols are built only when the cache misses it.
    func encodeByCharacters(_ c: Context, _ n: Int, _ s: BPEScratch, _ emitter: inout PieceEmitter) {
        let cache = WordCache.current(serial: cacheSerial)
        let text = c.text
        var wordStart = 0
        var previousStart = -1
        var previousIsSpace = false
        var pos = 0
        while pos < n {
            if !previousIsSpace && text[pos] < 0x80 {
                // An ASCII character is never the whitespace symbol, and only the character after one can cut:
                // skip the run (eight bytes at a time while no byte has its top bit set).
                var q = pos &+ 1
                while q &+ 8 <= n && UnsafeRawPointer(text + q).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    q &+= 8
                }
                while q < n && text[q] < 0x80 { q &+= 1 }
                previousStart = q &- 1
                pos = q
                continue
            }
            let b = text[pos]
            let length = min(UTF8Char.oneCharLength(b), n - pos)
            let isSpace = length == 3 && b == 0xE2 && text[pos + 1] == 0x96 && text[pos + 2] == 0x81
            if previousStart >= 0 {
                let cut = isSpace ? cuts.canCutBeforeSpace(after: text + previousStart, pos - previousStart)
                                  : previousIsSpace && cuts.canCutAfterSpace(before: text + pos, length)
                if cut {
                    encodeWord(c, from: wordStart, to: pos, s, cache, &emitter)
                    wordStart = pos
                }
            }
            previousStart = pos
            previousIsSpace = isSpace
            pos &+= length
        }
        encodeWord(c, from: wordStart, to: n, s, cache, &emitter)
    }

    /// The general case: the initial symbols of the whole text first (a user-defined symbol may span what would
    /// be a character boundary), then the words between safe cuts.
    func encodeBySymbols(_ c: Context, _ n: Int, _ s: inout BPEScratch, _ emitter: inout PieceEmitter) {
        let cache = WordCache.current(serial: cacheSerial)
        let m = splitIntoSymbols(c.text, 0, n, &s)
        var wordStart = 0
        var k = 1
        while k <= m {
            if k == m || cuts.canCut(c.text, s, before: k) {
                encodeSymbols(c, s, from: wordStart, to: k, cache, &emitter)
                wordStart = k
            }
            k += 1
        }
    }

    /// Encodes the word `text[start..<end]` (no user-defined symbols): from the cache, or by merging its characters.
    @inline(__always)
    func encodeWord(_ c: Context, from start: Int, to end: Int, _ s: BPEScratch, _ cache: WordCacheView,
                    _ emitter: inout PieceEmitter) {
        let word = c.text + start, length = end - start
        let hash = WordCache.hash(word, length)
        if let entry = cache.lookup(word, length, hash: hash) {
            emitter.emitKnown(entry.ids, entry.count, spanLength: c.table.spanLength)
            return
        }
        var m = 0
        var pos = start
        while pos < end {
            let l = min(UTF8Char.oneCharLength(c.text[pos]), end - pos)
            s.start[m] = Int32(pos)
            s.length[m] = Int32(l)
            s.frozen[m] = false
            m &+= 1
            pos &+= l
        }
        merge(c, s, symbols: m, word: word, length: length, hash: hash, cache, &emitter)
    }

    /// Encodes initial symbols `lo..<hi` (one word of the general case).
    func encodeSymbols(_ c: Context, _ s: BPEScratch, from lo: Int, to hi: Int, _ cache: WordCacheView,
                       _ emitter: inout PieceEmitter) {
        let start = Int(s.start[lo])
        let word = c.text + start, length = Int(s.start[hi - 1] + s.length[hi - 1]) - start
        if hi - lo == 1 {
            emitter.emit(c.pieceID(c.lookup(Int32(start), Int32(start + length)), word, length, table), word, length)
            return
        }
        let hash = WordCache.hash(word, length)
        if let entry = cache.lookup(word, length, hash: hash) {
            emitter.emitKnown(entry.ids, entry.count, spanLength: c.table.spanLength)
            return
        }
        // Move the word's symbols to the front of the scratch arrays, where the merge loops expect them (a forward
        // copy never overwrites a symbol not yet copied, nor one of a later word).
        for j in 0..<(hi - lo) {
            s.start[j] = s.start[lo + j]
            s.length[j] = s.length[lo + j]
            s.frozen[j] = s.frozen[lo + j]
        }
        merge(c, s, symbols: hi - lo, word: word, length: length, hash: hash, cache, &emitter)
    }

    /// Merges symbols `0..<m` of the scratch arrays (one word), emits the pieces and caches them.
    @inline(__always)
    func merge(_ c: Context, _ s: BPEScratch, symbols m: Int, word: UnsafePointer<UInt8>, length: Int, hash: UInt64,
               _ cache: WordCacheView, _ emitter: inout PieceEmitter) {
        let before = emitter.count
        var sawUnknown = false
        let count = m <= Self.linearLimit ? mergeLinear(c, s, symbols: m) : mergeHeap(c, s, symbols: m, recordUnused: nil)
        for j in 0..<count {
            let start = Int(s.outStart[j]), length = Int(s.outLength[j])
            let id = c.pieceID(s.outID[j], c.text + start, length, table)
            if id == c.table.unkID { sawUnknown = true }
            emitter.emit(id, c.text + start, length)
        }
        // With byte fallback an unknown symbol became byte pieces of one byte each, which the cache can replay;
        // a merged `<unk>` covers a length only the text knows.
        if !sawUnknown || c.table.byteFallback {
            cache.store(word, length, hash: hash, ids: emitter.out + before, count: emitter.count - before)
        }
    }

    /// The quadratic scan for a short word (symbols `0..<m`, none frozen): returns the number of final symbols,
    /// written to s.out* (outID: the symbol's vocabulary id or -1).
    @inline(__always)
    func mergeLinear(_ c: Context, _ s: BPEScratch, symbols count: Int) -> Int {
        let scores = c.table.scores
        var m = count
        // Working copies at out*: start, length; pair (j, j+1) at pairID[j] / pairScore[j].
        for j in 0..<m {
            s.outStart[j] = s.start[j]
            s.outLength[j] = s.length[j]
            s.outID[j] = -2   // not looked up yet
        }
        for j in 0..<(m - 1) { Self.pair(c, s, scores, j) }
        while true {
            var best = -1
            var bestScore: Float = 0
            for j in 0..<(m - 1) where s.pairID[j] >= 0 {
                if best < 0 || s.pairScore[j] > bestScore { best = j; bestScore = s.pairScore[j] }
            }
            if best < 0 { break }
            s.outLength[best] += s.outLength[best + 1]
            s.outID[best] = s.pairID[best]
            // Remove symbol best + 1 and pair best (pair best + 1 becomes pair best after the shift).
            var j = best + 1
            while j < m - 1 {
                s.outStart[j] = s.outStart[j + 1]
                s.outLength[j] = s.outLength[j + 1]
                s.outID[j] = s.outID[j + 1]
                s.pairID[j] = s.pairID[j + 1]
                s.pairScore[j] = s.pairScore[j + 1]
                j += 1
            }
            m -= 1
            if best > 0 { Self.pair(c, s, scores, best - 1) }
            if best < m - 1 { Self.pair(c, s, scores, best) }
        }
        // Symbols never merged have no id yet.
        for j in 0..<m where s.outID[j] == -2 { s.outID[j] = c.lookup(s.outStart[j], s.outStart[j] + s.outLength[j]) }
        return m
    }

    /// Looks up pair (j, j+1) of the working symbols: the piece it merges into and its score.
    @inline(__always)
    static func pair(_ c: Context, _ s: BPEScratch, _ scores: UnsafePointer<Float>, _ j: Int) {
        let id = c.mergeable(s.outStart[j], s.outStart[j + 1] + s.outLength[j + 1])
        s.pairID[j] = id
        if id >= 0 { s.pairScore[j] = scores[Int(id)] }
    }

    // MARK: The heap (long words, and whole texts of models with UNUSED pieces)

    /// sentencepiece's agenda over symbols `0..<m`: returns the number of final symbols, written to s.out*
    /// (outID: the symbol's vocabulary id or -1). `recordUnused` receives (merged, left, right) text ranges whenever
    /// a pair that forms an UNUSED piece is pushed (rev_merge; the last one recorded for a piece wins).
    func mergeHeap(_ c: Context, _ s: BPEScratch, symbols m: Int,
                   recordUnused: ((Range<Int>, Range<Int>, Range<Int>) -> Void)?) -> Int {
        let scores = c.table.scores, types = c.table.types
        // Linked symbols at index j = 0..<m: start, length (0 = merged away), id, prev, next.
        for j in 0..<m {
            s.outStart[j] = s.start[j]
            s.outLength[j] = s.length[j]
            s.outID[j] = -2   // not looked up yet
            s.prev[j] = Int32(j - 1)
            s.next[j] = j + 1 < m ? Int32(j + 1) : -1
        }
        var heap = BinaryHeap()
        heap.reserveCapacity(m)
        @inline(__always) func push(_ left: Int, _ right: Int) {
            guard left >= 0, right >= 0, !s.frozen[left], !s.frozen[right] else { return }
            let id = c.mergeable(s.outStart[left], s.outStart[right] + s.outLength[right])
            guard id >= 0 else { return }
            heap.push(HeapEntry(score: scores[Int(id)], left: Int32(left), right: Int32(right),
                                size: s.outLength[left] + s.outLength[right], id: id))
            if let recordUnused, types[Int(id)] == .unused {
                let a = Int(s.outStart[left]), b = Int(s.outStart[right])
                recordUnused(a..<(b + Int(s.outLength[right])), a..<(a + Int(s.outLength[left])),
                             b..<(b + Int(s.outLength[right])))
            }
        }
        for j in 1..<max(m, 1) { push(j - 1, j) }
        while let top = heap.pop() {
            let left = Int(top.left), right = Int(top.right)
            // Stale entries: a side was merged away or grew since the pair was pushed.
            if s.outLength[left] == 0 || s.outLength[right] == 0 || s.outLength[left] + s.outLength[right] != top.size { continue }
            s.outLength[left] += s.outLength[right]
            s.outID[left] = top.id
            s.next[left] = s.next[right]
            if s.next[right] >= 0 { s.prev[Int(s.next[right])] = Int32(left) }
            s.outLength[right] = 0
            push(Int(s.prev[left]), left)
            push(left, Int(s.next[left]))
        }
        // Compact the survivors in order.
        var count = 0
        var j = 0
        while j >= 0 && j < m {
            s.outStart[count] = s.outStart[j]
            s.outLength[count] = s.outLength[j]
            s.outID[count] = s.outID[j] == -2 ? c.lookup(s.outStart[j], s.outStart[j] + s.outLength[j]) : s.outID[j]
            count += 1
            j = Int(s.next[j])
        }
        return count
    }

    /// The whole text through the heap, then resegmentation of UNUSED pieces (models that have them).
    func encodeWhole(_ c: Context, symbolCount m: Int, _ s: BPEScratch, _ emitter: inout PieceEmitter) {
        let text = c.text
        var revMerge: [[UInt8]: (left: [UInt8], right: [UInt8])] = [:]
        let bytes = { (r: Range<Int>) in Array(UnsafeBufferPointer(start: text + r.lowerBound, count: r.count)) }
        let count = mergeHeap(c, s, symbols: m) { merged, left, right in
            revMerge[bytes(merged)] = (bytes(left), bytes(right))
        }
        var position = 0
        func resegment(_ w: [UInt8]) {
            let id = w.withUnsafeBufferPointer { table.id(of: $0) }
            if c.table.types[Int(id)] == .unused, let parts = revMerge[w] {
                resegment(parts.left)
                resegment(parts.right)
                return
            }
            emitter.emit(id, text + position, w.count)
            position += w.count
        }
        for j in 0..<count {
            position = Int(s.outStart[j])
            resegment(bytes(Int(s.outStart[j])..<Int(s.outStart[j] + s.outLength[j])))
        }
    }
}

/// Scratch arrays for one encode call (one allocation, sized by the text).
struct BPEScratch {
    let start, length, outStart, outLength, outID, prev, next, pairID: UnsafeMutablePointer<Int32>
    let pairScore: UnsafeMutablePointer<Float>
    let frozen: UnsafeMutablePointer<Bool>
    private let raw: UnsafeMutableRawPointer

    init(capacity n: Int) {
        let c = max(n, 1)
        raw = .allocate(byteCount: c * (8 * 4 + 4 + 1), alignment: 8)
        var p = raw
        func take<T>(_ t: T.Type) -> UnsafeMutablePointer<T> {
            let q = p.bindMemory(to: T.self, capacity: c)
            p += c * MemoryLayout<T>.stride
            return q
        }
        start = take(Int32.self); length = take(Int32.self); outStart = take(Int32.self); outLength = take(Int32.self)
        outID = take(Int32.self); prev = take(Int32.self); next = take(Int32.self); pairID = take(Int32.self)
        pairScore = take(Float.self)
        frozen = take(Bool.self)
    }

    func deallocate() { raw.deallocate() }
}

/// An agenda entry: the pair (left, right) of total byte size `size` merging into piece `id`.
struct HeapEntry {
    var score: Float
    var left: Int32
    var right: Int32
    var size: Int32
    var id: Int32

    /// Pops before `other`: higher score, then smaller left index (sentencepiece's SymbolPairComparator).
    @inline(__always)
    func precedes(_ other: HeapEntry) -> Bool {
        score > other.score || (score == other.score && left < other.left)
    }
}

/// A binary max-heap of agenda entries.
struct BinaryHeap {
    private var items: [HeapEntry] = []

    mutating func reserveCapacity(_ n: Int) { items.reserveCapacity(n) }

    @inline(__always)
    mutating func push(_ e: HeapEntry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if !items[i].precedes(items[parent]) { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    @inline(__always)
    mutating func pop() -> HeapEntry? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return top }
        items[0] = last
        var i = 0
        let n = items.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var c = l
            if l + 1 < n && items[l + 1].precedes(items[l]) { c = l + 1 }
            if !items[c].precedes(items[i]) { break }
            items.swapAt(i, c)
            i = c
        }
        return top
    }
}
