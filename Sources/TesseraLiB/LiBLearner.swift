// LiBLearner: the "Less-is-Better" lexicon learner of Yang, Frank & van den Bosch (CogALex 2020), as
// rewritten in the 2023 reference (ray306/The-Less-is-Better-Model, `LiB.py`: `Model.reading`,
// `memorize`, `evaluate`, `batch_forget`, `batch_rerank`, `batch_probation_mark`, `clean_lexicon`).
//
// One step reads an article sentence by sentence, greedily segmenting each with the current lexicon:
// - every chunk whose second-longest match exists opens an evaluation of two paths (the greedy one
//   and the one starting with the shorter match); when both reach the same position, the path with
//   fewer chunks — or, on a tie, the smaller sum of ranks — wins: the winner's first chunk is rewarded
//   and a losing default chunk punished;
// - with probability α the previous chunk + this one is memorized (appended at the tail, on probation
//   for τ0 steps with its context); an unmatched character is memorized as itself;
// - a chunk on probation seen again is released (and rewarded) unless its context repeats, in which
//   case the chunk grows into that context instead.
// After the article: probation lives run down (expired chunks are forgotten), rewards and punishments
// move chunks by ⌊rank·Δ⌋ + 1 places (a tail-ward move past the end deletes), and the ω tail goes on
// probation.
//
// Faithfulness: with Python's random stream (`PythonRandom`, one draw per matched chunk, as the
// reference draws) the learner reproduces the reference's lexicon entry for entry and in order (see
// the golden test). Deliberate differences, none of which changes that result: ranks live in an
// order-statistics tree (`RankedList`) instead of a Python list, chunks are bytes of valid UTF-8 (a line
// is split at invalid bytes, which are skipped), and a chunk deleted by a tail-ward move also leaves
// probation (the reference keeps a stale pool entry that can never match again).
//
// Invariant: `order`, `trie` and the entry arrays describe the same set of live handles; every chunk
// on probation is live; during a sentence nothing is removed and nothing moves, so ranks only change
// in `endStep`.
// Complexity: per matched position, O(longest match) trie probes plus the extension of pending
// evaluations; per step, O(|rewards| · log |L| + |probation| + ω|L| · log |L|).

/// Learns a LiB lexicon, one article (step) at a time. Not thread-safe; one learner per thread.
public final class LiBLearner {
    public let parameters: LiBParameters
    @exclusivity(unchecked) var random: PythonRandom
    let trie = ChunkTrie()
    let order = RankedList()

    // Per handle.
    @exclusivity(unchecked) var entryNode: [Int32] = []
    @exclusivity(unchecked) var lifeLeft: [Int32] = []          // 0: not on probation
    @exclusivity(unchecked) var poolIndex: [Int32] = []         // position in `pool`, -1 when not on probation
    @exclusivity(unchecked) var contextStart: [Int] = []        // into `contextBytes`, -1: no context
    @exclusivity(unchecked) var contextLeft: [Int32] = []
    @exclusivity(unchecked) var contextRight: [Int32] = []
    @exclusivity(unchecked) var freeHandles: [UInt32] = []

    @exclusivity(unchecked) var pool: [UInt32] = []
    @exclusivity(unchecked) var contextBytes: [UInt8] = []
    @exclusivity(unchecked) var contextGarbage = 0
    @exclusivity(unchecked) var rewards: [(handle: UInt32, sign: Int8)] = []
    /// Every character (packed UTF-8 bytes) ever memorized because nothing matched it: by construction
    /// the set of all characters read (a character's first occurrence can never be inside a match).
    @exclusivity(unchecked) var seenCharacters = Set<UInt32>()
    /// Characters in the corpus but not in the lexicon at `finish()` time, for reporting.
    @exclusivity(unchecked) public internal(set) var restoredCharacters = 0

    /// Steps (articles) read so far.
    @exclusivity(unchecked) public private(set) var steps = 0
    /// Sentences read so far.
    @exclusivity(unchecked) public private(set) var sentences = 0
    /// A trie overflow, reported by the next `learn` call.
    @exclusivity(unchecked) var failure: LiBError?

    // Per sentence.
    struct Chunk { var start: Int; var length: Int; var handle: UInt32 }
    @exclusivity(unchecked) var chunks: [Chunk] = []
    struct Pending { var key: UInt32; var altEnd: Int; var dStart: Int; var slot: Int }
    @exclusivity(unchecked) var pending: [Pending] = []
    /// Alternative paths of the pending evaluations: a handle, or -(start + 1) for a character that was in
    /// no chunk when it was read (it may be memorized before the comparison; it is looked up then).
    @exclusivity(unchecked) var altPaths: [[Int64]] = []
    @exclusivity(unchecked) var freeAltSlots: [Int] = []

    /// - Throws: `LiBError.invalidParameter`.
    public init(parameters: LiBParameters) throws {
        try parameters.validate()
        self.parameters = parameters
        random = PythonRandom(seed: parameters.seed)
    }

    /// Number of chunks in the lexicon (including those on probation).
    public var lexiconCount: Int { order.count }
    /// Number of chunks on probation.
    public var probationCount: Int { pool.count }

    /// The lexicon in rank order (rank 0 first), chunks as UTF-8 bytes.
    public func lexicon() -> [[UInt8]] {
        order.ordered().map { trie.bytes(ofNode: entryNode[Int($0)]) }
    }

    /// The chunks on probation with their remaining life, in rank order (for tests and diagnostics).
    public func probation() -> [(chunk: [UInt8], life: Int)] {
        order.ordered().filter { lifeLeft[Int($0)] > 0 }.map { (trie.bytes(ofNode: entryNode[Int($0)]), Int(lifeLeft[Int($0)])) }
    }

    // MARK: A step

    /// Reads one article (one step): every sentence, then the batch updates.
    /// - Throws: `LiBError.lexiconTooLarge` when the trie would overflow.
    public func learn(_ article: LiBArticle) throws {
        article.bytes.withUnsafeBufferPointer { text in
            guard let base = text.baseAddress else { return }
            for i in 0..<article.count where failure == nil {
                let r = article.range(i)
                var p = r.lowerBound
                // Invalid UTF-8 splits a line: each valid run is read as a sentence of its own.
                while p < r.upperBound {
                    let valid = validUTF8Prefix(base + p, r.upperBound - p)
                    if valid > 0 { readSentence(base + p, valid) }
                    p += valid
                    if p < r.upperBound { p += 1 }
                }
            }
        }
        sentences += article.count
        if let failure { throw failure }
        endStep()
        steps += 1
    }

    // MARK: Reading a sentence (the reference's `reading`)

    func readSentence(_ s: UnsafePointer<UInt8>, _ n: Int) {
        chunks.removeAll(keepingCapacity: true)
        for p in pending { freeAltSlots.append(p.slot) }
        pending.removeAll(keepingCapacity: true)
        var loc = 0
        while loc < n && failure == nil {
            if !pending.isEmpty { evaluate(s, n, loc) }
            let m = trie.match2(s + loc, n - loc)
            let lastLength = chunks.last?.length ?? 0
            let beforeLast = chunks.count > 1 ? chunks[chunks.count - 2] : nil

            if m.h1 >= 0 && lifeLeft[Int(m.h1)] > 0 {
                probationCheck(UInt32(m.h1), s, n, loc, m.len1, lastLength: lastLength, beforeLast: beforeLast)
            }

            var chunkLength = m.len1
            var handle = m.h1
            if m.len1 > 0 {
                if m.len2 > 0 { register(UInt32(m.h1), altEnd: loc + m.len2, firstAlt: m.h2) }
                if random.random() < parameters.inRate {
                    let next = forceMatchLength(s, n, loc + m.len1)
                    memorize(s, from: loc - lastLength, length: lastLength + m.len1,
                             left: beforeLast.map { ($0.start, $0.length) } ?? (0, 0), right: (loc + m.len1, next))
                }
            } else {
                chunkLength = utf8Length(s[loc])
                let next = forceMatchLength(s, n, loc + chunkLength)
                handle = memorize(s, from: loc, length: chunkLength,
                                  left: (loc - lastLength, lastLength), right: (loc + chunkLength, next))
                seenCharacters.insert(packCharacter(s + loc, chunkLength))
            }
            chunks.append(Chunk(start: loc, length: chunkLength, handle: UInt32(bitPattern: handle)))
            loc += chunkLength
        }
    }

    /// The chunk on probation `h` was matched at `loc`: release it, or grow it into a repeated context.
    private func probationCheck(_ h: UInt32, _ s: UnsafePointer<UInt8>, _ n: Int, _ loc: Int, _ length: Int,
                                lastLength: Int, beforeLast: Chunk?) {
        let ctx = contextStart[Int(h)]
        guard parameters.inspectContext && ctx >= 0 else {
            release(h)
            return
        }
        let next = forceMatchLength(s, n, loc + length)
        let oldLeft = Int(contextLeft[Int(h)]), oldRight = Int(contextRight[Int(h)])
        if oldLeft == 0 && oldRight == 0 && lastLength == 0 && next == 0 { return }
        var extended = false
        let leftMatches = contextBytes.withUnsafeBufferPointer { c -> Bool in
            let old = c.baseAddress! + ctx
            // One context is a suffix of the other (each side non-empty where it is the suffix).
            if oldLeft > 0 && lastLength >= oldLeft && memEqual(s + loc - oldLeft, old, oldLeft) { return true }
            if lastLength > 0 && oldLeft >= lastLength && memEqual(old + oldLeft - lastLength, s + loc - lastLength, lastLength) { return true }
            return false
        }
        if leftMatches {
            memorize(s, from: loc - lastLength, length: lastLength + length,
                     left: beforeLast.map { ($0.start, $0.length) } ?? (0, 0), right: (loc + length, next))
            extended = true
        }
        let rightMatches = contextBytes.withUnsafeBufferPointer { c -> Bool in
            let old = c.baseAddress! + ctx + oldLeft
            let here = s + loc + length
            if oldRight > 0 && next >= oldRight && memEqual(here, old, oldRight) { return true }
            if next > 0 && oldRight >= next && memEqual(old, here, next) { return true }
            return false
        }
        if rightMatches {
            let afterNext = forceMatchLength(s, n, loc + length + next)
            memorize(s, from: loc, length: length + next,
                     left: (loc - lastLength, lastLength), right: (loc + length + next, afterNext))
            extended = true
        }
        if !extended {
            rewards.append((h, -1))
            release(h)
        }
    }

    /// Opens (or restarts, keeping its place in the order) the evaluation of chunk `key` at the current position.
    private func register(_ key: UInt32, altEnd: Int, firstAlt: Int32) {
        if let i = pending.firstIndex(where: { $0.key == key }) {
            pending[i].altEnd = altEnd
            pending[i].dStart = chunks.count
            altPaths[pending[i].slot].removeAll(keepingCapacity: true)
            altPaths[pending[i].slot].append(Int64(firstAlt))
            return
        }
        let slot: Int
        if let free = freeAltSlots.popLast() {
            slot = free
            altPaths[slot].removeAll(keepingCapacity: true)
        } else {
            slot = altPaths.count
            altPaths.append([])
        }
        altPaths[slot].append(Int64(firstAlt))
        pending.append(Pending(key: key, altEnd: altEnd, dStart: chunks.count, slot: slot))
    }

    /// Extends every alternative path up to `loc` and decides the evaluations whose paths meet there.
    private func evaluate(_ s: UnsafePointer<UInt8>, _ n: Int, _ loc: Int) {
        var i = 0
        while i < pending.count {
            var e = pending[i]
            while e.altEnd < loc {
                let m = trie.longest(s + e.altEnd, n - e.altEnd)
                if m.length > 0 {
                    altPaths[e.slot].append(Int64(m.handle))
                    e.altEnd += m.length
                } else {
                    altPaths[e.slot].append(-Int64(e.altEnd) - 1)
                    e.altEnd += utf8Length(s[e.altEnd])
                }
            }
            if e.altEnd == loc {
                let path = altPaths[e.slot]
                let defaultCount = chunks.count - e.dStart
                var alternativeWins = defaultCount > path.count
                if defaultCount == path.count {
                    var defaultSum = 0, alternativeSum = 0
                    for k in e.dStart..<chunks.count { defaultSum += order.rank(of: chunks[k].handle) }
                    for x in path {
                        if x >= 0 {
                            alternativeSum += order.rank(of: UInt32(x))
                        } else {
                            let start = Int(-(x + 1))
                            let h = trie.lookup(s + start, utf8Length(s[start]))
                            if h >= 0 { alternativeSum += order.rank(of: UInt32(h)) }
                        }
                    }
                    alternativeWins = defaultSum > alternativeSum
                }
                if alternativeWins {
                    rewards.append((UInt32(path[0]), -1))
                    rewards.append((e.key, 1))
                } else {
                    rewards.append((e.key, -1))
                }
                freeAltSlots.append(e.slot)
                pending.remove(at: i)
            } else {
                pending[i] = e
                i += 1
            }
        }
    }

    /// The reference's `force_match`: the longest chunk at `p`, else one character, else 0 at the end.
    @inline(__always)
    private func forceMatchLength(_ s: UnsafePointer<UInt8>, _ n: Int, _ p: Int) -> Int {
        if p >= n { return 0 }
        let m = trie.longest(s + p, n - p)
        return m.length > 0 ? m.length : utf8Length(s[p])
    }

    // MARK: Memorizing (the reference's `memorize`)

    /// Adds `s[from..<from+length]` at the tail, on probation with the context (left, right) given as
    /// (start, length) ranges of the sentence, unless it is already known or too long. Returns the handle
    /// of the chunk (new or existing), -1 when it is too long.
    @discardableResult
    func memorize(_ s: UnsafePointer<UInt8>, from: Int, length: Int, left: (Int, Int), right: (Int, Int)) -> Int32 {
        if let cap = parameters.maxChunkCharacters, characterCount(s + from, length) > cap { return -1 }
        let known = trie.lookup(s + from, length)
        if known >= 0 { return known }
        let h = newHandle()
        guard let node = trie.insert(s + from, length, handle: Int32(bitPattern: h)) else {
            failure = .lexiconTooLarge(nodes: ChunkTrie.maxNodes)
            freeHandles.append(h)
            return -1
        }
        entryNode[Int(h)] = node
        order.append(h)
        startProbation(h)
        contextStart[Int(h)] = contextBytes.count
        contextLeft[Int(h)] = Int32(left.1)
        contextRight[Int(h)] = Int32(right.1)
        contextBytes.append(contentsOf: UnsafeBufferPointer(start: s + left.0, count: left.1))
        contextBytes.append(contentsOf: UnsafeBufferPointer(start: s + right.0, count: right.1))
        return Int32(bitPattern: h)
    }

    func newHandle() -> UInt32 {
        if let h = freeHandles.popLast() { return h }
        let h = UInt32(entryNode.count)
        entryNode.append(-1)
        lifeLeft.append(0)
        poolIndex.append(-1)
        contextStart.append(-1)
        contextLeft.append(0)
        contextRight.append(0)
        return h
    }

    /// Puts `h` on probation with a full life and no context (a fresh chunk gets its context right after).
    func startProbation(_ h: UInt32) {
        dropContext(h)
        lifeLeft[Int(h)] = Int32(parameters.life)
        if poolIndex[Int(h)] < 0 {
            poolIndex[Int(h)] = Int32(pool.count)
            pool.append(h)
        }
    }

    /// Takes `h` off probation.
    func release(_ h: UInt32) {
        let i = Int(poolIndex[Int(h)])
        guard i >= 0 else { return }
        let last = pool.removeLast()
        if i < pool.count {
            pool[i] = last
            poolIndex[Int(last)] = Int32(i)
        }
        poolIndex[Int(h)] = -1
        lifeLeft[Int(h)] = 0
        dropContext(h)
    }

    private func dropContext(_ h: UInt32) {
        if contextStart[Int(h)] >= 0 {
            contextGarbage += Int(contextLeft[Int(h)] + contextRight[Int(h)])
            contextStart[Int(h)] = -1
        }
    }
}

// MARK: UTF-8 helpers

/// Byte length of the UTF-8 character starting with `lead` (valid text only).
@inline(__always)
func utf8Length(_ lead: UInt8) -> Int {
    if lead < 0x80 { return 1 }
    if lead < 0xE0 { return 2 }
    if lead < 0xF0 { return 3 }
    return 4
}

/// Number of characters in valid UTF-8 bytes.
@inline(__always)
func characterCount(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
    var c = 0
    for i in 0..<n where p[i] & 0xC0 != 0x80 { c += 1 }
    return c
}

/// Up to 4 bytes of one character packed into a word (first byte lowest).
@inline(__always)
func packCharacter(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt32 {
    var v: UInt32 = 0
    for i in 0..<n { v |= UInt32(p[i]) << (8 * UInt32(i)) }
    return v
}

@inline(__always)
func memEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    for i in 0..<n where a[i] != b[i] { return false }
    return true
}

/// Length of the longest prefix of `p[0..<n]` that is valid UTF-8 (whole characters only).
func validUTF8Prefix(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
    var i = 0
    while i < n {
        let b = p[i]
        if b < 0x80 { i += 1; continue }
        let need: Int
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
        switch b {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lower = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: need = 2
        case 0xED: need = 2; upper = 0x9F
        case 0xF0: need = 3; lower = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; upper = 0x8F
        default: return i
        }
        if i + need >= n { return i }
        if p[i + 1] < lower || p[i + 1] > upper { return i }
        var k = 2
        while k <= need {
            if p[i + k] & 0xC0 != 0x80 { return i }
            k += 1
        }
        i += need + 1
    }
    return n
}
