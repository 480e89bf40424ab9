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
        table.withEmitter { emitter in
            var scratch = BPEScratch(capacity: n)
            defer { scratch.deallocate() }
            let m = splitIntoSymbols(text, n, &scratch)
            if table.hasUnused {
                encodeWhole(text, symbolCount: m, &scratch, &emitter, into: &ids, spans: spans)
            } else {
                encodeByWords(text, symbolCount: m, &scratch, &emitter, into: &ids, spans: spans)
            }
        }
    }

    /// Step 1: initial symbols (start, length, frozen) for the whole text; returns their number.
    @inline(__always)
    func splitIntoSymbols(_ text: UnsafePointer<UInt8>, _ n: Int, _ s: inout BPEScratch) -> Int {
        var pos = 0
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

    func encodeByWords(_ text: UnsafePointer<UInt8>, symbolCount m: Int, _ s: inout BPEScratch, _ emitter: inout PieceEmitter,
                       into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        let cache = WordCache.current(serial: cacheSerial)
        var wordStart = 0
        var k = 1
        while k <= m {
            if k == m || cuts.canCut(text, s, before: k) {
                encodeWord(text, s, from: wordStart, to: k, cache: cache, &emitter, into: &ids, spans: spans)
                wordStart = k
            }
            k += 1
        }
    }

    /// Encodes symbols `lo..<hi` (one word).
    @inline(__always)
    func encodeWord(_ text: UnsafePointer<UInt8>, _ s: BPEScratch, from lo: Int, to hi: Int, cache: WordCacheView,
                    _ emitter: inout PieceEmitter, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        let wordStart = Int(s.start[lo])
        let wordLength = Int(s.start[hi - 1] + s.length[hi - 1]) - wordStart
        let word = text + wordStart
        let trie = table.pieces.view
        if hi - lo == 1 {
            // One symbol: no merge possible.
            let node = trie.walk(from: 0, word, wordLength)
            let id = node >= 0 && trie.value[node] >= 0 ? table.resolvedID[Int(trie.value[node])] : table.reservedOrUnk(word, wordLength)
            emitter.emit(id, word, wordLength, into: &ids, spans: spans)
            return
        }
        let hash = WordCache.hash(word, wordLength)
        if let entry = cache.lookup(word, wordLength, hash: hash) {
            for j in 0..<entry.count {
                let id = entry.ids[j]
                emitter.emitKnown(id, span: Int(table.spanLength[Int(id)]), into: &ids, spans: spans)
            }
            return
        }
        let before = ids.count
        var sawUnknown = false
        let count = hi - lo <= Self.linearLimit
            ? mergeLinear(text, s, from: lo, to: hi)
            : mergeHeap(text, s, from: lo, to: hi, recordUnused: nil)
        // Final symbols are at s.out*[0..<count].
        for j in 0..<count {
            let start = Int(s.outStart[j]), length = Int(s.outLength[j]), node = Int(s.outNode[j])
            let id = node >= 0 && trie.value[node] >= 0 ? table.resolvedID[Int(trie.value[node])]
                                                        : table.reservedOrUnk(text + start, length)
            if id == table.unkID { sawUnknown = true }
            emitter.emit(id, text + start, length, into: &ids, spans: spans)
        }
        // With byte fallback an unknown symbol became byte pieces of one byte each, which the cache can replay;
        // a merged `<unk>` covers a length only the text knows.
        if !sawUnknown || table.byteFallback { cache.store(word, wordLength, hash: hash, ids: ids, from: before) }
    }

    /// The quadratic scan for a short word: returns the number of final symbols, written to s.out*.
    @inline(__always)
    func mergeLinear(_ text: UnsafePointer<UInt8>, _ s: BPEScratch, from lo: Int, to hi: Int) -> Int {
        let trie = table.pieces.view
        let scores = table.scores
        var m = hi - lo
        // Working copies at out*: start, length, node; pair (j, j+1) at pairNode[j] / pairScore[j].
        for j in 0..<m {
            let start = s.start[lo + j], length = s.length[lo + j]
            s.outStart[j] = start
            s.outLength[j] = length
            s.outNode[j] = Int32(trie.walk(from: 0, text + Int(start), Int(length)))
        }
        @inline(__always) func pair(_ j: Int) {
            let left = Int(s.outNode[j])
            var t = -1
            if left >= 0 {
                t = trie.walk(from: left, text + Int(s.outStart[j + 1]), Int(s.outLength[j + 1]))
                if t >= 0 && trie.value[t] < 0 { t = -1 }
            }
            s.pairNode[j] = Int32(t)
            if t >= 0 { s.pairScore[j] = scores[Int(trie.value[t])] }
        }
        for j in 0..<(m - 1) { pair(j) }
        while true {
            var best = -1
            var bestScore: Float = 0
            for j in 0..<(m - 1) where s.pairNode[j] >= 0 {
                if best < 0 || s.pairScore[j] > bestScore { best = j; bestScore = s.pairScore[j] }
            }
            if best < 0 { break }
            s.outLength[best] += s.outLength[best + 1]
            s.outNode[best] = s.pairNode[best]
            // Remove symbol best + 1 and pair best (pair best + 1 becomes pair best after the shift).
            var j = best + 1
            while j < m - 1 {
                s.outStart[j] = s.outStart[j + 1]
                s.outLength[j] = s.outLength[j + 1]
                s.outNode[j] = s.outNode[j + 1]
                s.pairNode[j] = s.pairNode[j + 1]
                s.pairScore[j] = s.pairScore[j + 1]
                j += 1
            }
            m -= 1
            if best > 0 { pair(best - 1) }
            if best < m - 1 { pair(best) }
        }
        return m
    }

    // MARK: The heap (long words, and whole texts of models with UNUSED pieces)

    /// sentencepiece's agenda over symbols `lo..<hi`: returns the number of final symbols, written to s.out*.
    /// `recordUnused` receives (merged, left, right) text ranges whenever a pair that forms an UNUSED piece is
    /// pushed (rev_merge; the last one recorded for a piece wins).
    func mergeHeap(_ text: UnsafePointer<UInt8>, _ s: BPEScratch, from lo: Int, to hi: Int,
                   recordUnused: ((Range<Int>, Range<Int>, Range<Int>) -> Void)?) -> Int {
        let trie = table.pieces.view
        let scores = table.scores
        let types = table.types
        let m = hi - lo
        // Linked symbols at index j = 0..<m: start, length (0 = merged away), node, prev, next.
        for j in 0..<m {
            let start = s.start[lo + j], length = s.length[lo + j]
            s.outStart[j] = start
            s.outLength[j] = length
            s.outNode[j] = s.frozen[lo + j] ? -2 : Int32(trie.walk(from: 0, text + Int(start), Int(length)))
            s.prev[j] = Int32(j - 1)
            s.next[j] = j + 1 < m ? Int32(j + 1) : -1
        }
        var heap = BinaryHeap()
        heap.reserveCapacity(m)
        @inline(__always) func push(_ left: Int, _ right: Int) {
            guard left >= 0, right >= 0 else { return }
            let l = Int(s.outNode[left])
            guard l >= 0, s.outNode[right] != -2 else { return }   // -1: not a prefix of any piece; -2: frozen
            let t = trie.walk(from: l, text + Int(s.outStart[right]), Int(s.outLength[right]))
            guard t >= 0, trie.value[t] >= 0 else { return }
            let id = Int(trie.value[t])
            heap.push(HeapEntry(score: scores[id], left: Int32(left), right: Int32(right),
                                size: s.outLength[left] + s.outLength[right], node: Int32(t)))
            if let recordUnused, types[id] == .unused {
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
            s.outNode[left] = top.node
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
            s.outNode[count] = s.outNode[j] == -2 ? Int32(trie.walk(from: 0, text + Int(s.outStart[j]), Int(s.outLength[j]))) : s.outNode[j]
            count += 1
            j = Int(s.next[j])
        }
        return count
    }

    /// The whole text through the heap, then resegmentation of UNUSED pieces (models that have them).
    func encodeWhole(_ text: UnsafePointer<UInt8>, symbolCount m: Int, _ s: inout BPEScratch, _ emitter: inout PieceEmitter,
                     into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        var revMerge: [[UInt8]: (left: [UInt8], right: [UInt8])] = [:]
        let bytes = { (r: Range<Int>) in Array(UnsafeBufferPointer(start: text + r.lowerBound, count: r.count)) }
        let count = mergeHeap(text, s, from: 0, to: m) { merged, left, right in
            revMerge[bytes(merged)] = (bytes(left), bytes(right))
        }
        var position = 0
        func resegment(_ w: [UInt8]) {
            let id = w.withUnsafeBufferPointer { table.id(of: $0) }
            if table.types[Int(id)] == .unused, let parts = revMerge[w] {
                resegment(parts.left)
                resegment(parts.right)
                return
            }
            emitter.emit(id, text + position, w.count, into: &ids, spans: spans)
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
    let start, length, outStart, outLength, outNode, prev, next, pairNode: UnsafeMutablePointer<Int32>
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
        outNode = take(Int32.self); prev = take(Int32.self); next = take(Int32.self); pairNode = take(Int32.self)
        pairScore = take(Float.self)
        frozen = take(Bool.self)
    }

    func deallocate() { raw.deallocate() }
}

/// An agenda entry: the pair (left, right) of total byte size `size` merging into trie node `node`.
struct HeapEntry {
    var score: Float
    var left: Int32
    var right: Int32
    var size: Int32
    var node: Int32

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
