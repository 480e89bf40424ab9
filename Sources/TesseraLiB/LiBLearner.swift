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
// the golden test). Deliberate differences, none of which changes that result: ranks live in a tiered
// vector that knows every chunk's place (`RankedList`) instead of a Python list, chunks are bytes of valid UTF-8 (a line
// is split at invalid bytes, which are skipped), and a chunk deleted by a tail-ward move also leaves
// probation (the reference keeps a stale pool entry that can never match again).
//
// Speed: a chunk's handle is its trie node, so a walk yields handles directly; per-chunk state lives in
// raw buffers indexed by handle; a rank is two loads from `RankedList` (nothing moves while a step
// reads, and a chunk memorized mid-step takes the last rank); memorizing is one trie walk that finds or
// inserts, and drops the cached matches it changes ahead of the reading position only; an alternative
// path is kept as its length, first chunk
// and rank sum (the reference keeps the chunk list), plus the rare characters that were in no chunk when
// read and must be looked up again when the paths are compared.
//
// Invariant: `order`, `trie` and the entry arrays describe the same set of live handles; every chunk
// on probation is live; during a sentence nothing is removed and nothing moves, so ranks only change
// in `endStep`.
// Complexity: per matched position, O(longest match) trie probes plus the extension of pending
// evaluations; per step, O(|L| + |probation|) to forget, O(|rewards| · (W + Δ|L| / W)) to move
// (`RankedList`, W = 16) and O(ω|L|) for the tail marks.

/// Learns a LiB lexicon, one article (step) at a time. Not thread-safe; one learner per thread.
public final class LiBLearner {
    public let parameters: LiBParameters
    @exclusivity(unchecked) var random: PythonRandom
    let trie = ChunkTrie()
    let order = RankedList()

    // Per handle (trie node); meaningful only while the handle is a chunk.
    let lifeLeft = RawBuffer<Int32>(capacity: 4096)       // 0: not on probation
    let poolIndex = RawBuffer<Int32>(capacity: 4096)      // position in `pool`, -1 when not on probation
    let contextStart = RawBuffer<Int>(capacity: 4096)     // into `contextBytes`, -1: no context
    let contextLeft = RawBuffer<Int32>(capacity: 4096)
    let contextRight = RawBuffer<Int32>(capacity: 4096)

    let pool = RawBuffer<UInt32>(capacity: 1024)
    /// Contexts of the chunks on probation, back to back; byte 0 is a spare so the buffer is never empty.
    @exclusivity(unchecked) var contextBytes: [UInt8] = [0]
    @exclusivity(unchecked) var contextGarbage = 0
    struct Reward { var handle: UInt32; var sign: Int32 }
    let rewards = RawBuffer<Reward>(capacity: 1024)
    /// Every character (packed UTF-8 bytes) ever memorized because nothing matched it: by construction
    /// the set of all characters read (a character's first occurrence can never be inside a match).
    @exclusivity(unchecked) var seenCharacters = Set<UInt32>()
    /// Characters that were missing from the lexicon at `finish()` and were put back.
    @exclusivity(unchecked) public internal(set) var restoredCharacters = 0

    /// Steps (articles) read so far.
    @exclusivity(unchecked) public private(set) var steps = 0
    /// Sentences read so far.
    @exclusivity(unchecked) public private(set) var sentences = 0
    /// A trie overflow, reported by the next `learn` call.
    @exclusivity(unchecked) var failure: LiBError?

    // Per sentence.
    struct Chunk { var start: Int; var length: Int; var handle: UInt32 }
    let chunks = RawBuffer<Chunk>(capacity: 256)
    /// A pending evaluation: the default path is `chunks[dStart...]`; the alternative path is summarized.
    struct Pending {
        var key: UInt32
        var altEnd: Int
        var dStart: Int
        var altCount: Int
        var altFirst: UInt32
        var altRankSum: Int
        /// Characters of the alternative that were in no chunk when read (listed in `rawAlternatives`).
        var altRaw: Int
        var id: Int
    }
    let pending = RawBuffer<Pending>(capacity: 64)
    /// The trie's two longest matches at a position (lengths and handles as in `ChunkTrie.match2`).
    struct Match { var len1: Int; var h1: Int32; var len2: Int; var h2: Int32 }
    let matchCache = RawBuffer<Match>(capacity: 256)
    let matchStamp = RawBuffer<UInt32>(capacity: 256)
    /// The positions whose match was computed in this sentence (a position again after it was dropped).
    let matchedPositions = RawBuffer<Int32>(capacity: 256)
    @exclusivity(unchecked) var sentenceStamp: UInt32 = 0
    @exclusivity(unchecked) var sentenceLength = 0
    /// The main loop's position in the sentence (cached matches before it are never used again).
    @exclusivity(unchecked) var readingPosition = 0
    @exclusivity(unchecked) var rawAlternatives: [(id: Int, start: Int)] = []
    @exclusivity(unchecked) var nextPendingID = 0

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
        order.ordered().map { trie.bytes(ofNode: Int32($0)) }
    }

    /// The chunks on probation with their remaining life, in rank order (for tests and diagnostics).
    public func probation() -> [(chunk: [UInt8], life: Int)] {
        order.ordered().filter { lifeLeft[Int($0)] > 0 }.map { (trie.bytes(ofNode: Int32($0)), Int(lifeLeft[Int($0)])) }
    }

    /// The rank of chunk `h` (nothing moves while a step reads; a chunk memorized then is appended).
    @inline(__always)
    func rank(_ h: UInt32) -> Int { order.rank(of: h) }

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
        chunks.removeAll()
        pending.removeAll()
        rawAlternatives.removeAll(keepingCapacity: true)
        startMatchCache(n)
        sentenceLength = n
        var loc = 0
        while loc < n && failure == nil {
            readingPosition = loc
            if pending.count > 0 { evaluate(s, n, loc) }
            let m = match(s, n, loc)
            let count = chunks.count
            let lastLength = count > 0 ? chunks[count - 1].length : 0
            let beforeLast: (Int, Int) = count > 1 ? (chunks[count - 2].start, chunks[count - 2].length) : (0, 0)

            if m.h1 >= 0 && lifeLeft[Int(m.h1)] > 0 {
                probationCheck(UInt32(m.h1), s, n, loc, m.len1, lastLength: lastLength, beforeLast: beforeLast)
            }

            var chunkLength = m.len1
            var handle = m.h1
            if m.len1 > 0 {
                if m.len2 > 0 { register(UInt32(m.h1), altEnd: loc + m.len2, firstAlt: UInt32(m.h2)) }
                if random.random() < parameters.inRate && lastLength > 0 {
                    let next = forceMatchLength(s, n, loc + m.len1)
                    memorize(s, from: loc - lastLength, length: lastLength + m.len1, left: beforeLast, right: (loc + m.len1, next),
                             prefix: (chunks[count - 1].handle, lastLength))
                }
            } else {
                chunkLength = utf8Length(s[loc])
                let next = forceMatchLength(s, n, loc + chunkLength)
                handle = memorize(s, from: loc, length: chunkLength, left: (loc - lastLength, lastLength), right: (loc + chunkLength, next))
                seenCharacters.insert(packCharacter(s + loc, chunkLength))
            }
            chunks.append(Chunk(start: loc, length: chunkLength, handle: UInt32(bitPattern: handle)))
            loc += chunkLength
        }
    }

    /// The chunk on probation `h` was matched at `loc`: release it, or grow it into a repeated context.
    private func probationCheck(_ h: UInt32, _ s: UnsafePointer<UInt8>, _ n: Int, _ loc: Int, _ length: Int,
                                lastLength: Int, beforeLast: (Int, Int)) {
        let ctx = contextStart[Int(h)]
        guard parameters.inspectContext && ctx >= 0 else {
            release(h)
            return
        }
        let next = forceMatchLength(s, n, loc + length)
        let oldLeft = Int(contextLeft[Int(h)]), oldRight = Int(contextRight[Int(h)])
        if oldLeft == 0 && oldRight == 0 && lastLength == 0 && next == 0 { return }
        var extended = false
        let (leftMatches, rightMatches) = contextBytes.withUnsafeBufferPointer { c -> (Bool, Bool) in
            guard let base = c.baseAddress else { return (false, false) }   // never: the buffer has a spare byte
            let old = base + ctx
            // One context is a suffix (left) or prefix (right) of the other, the shorter one non-empty.
            let left = (oldLeft > 0 && lastLength >= oldLeft && memEqual(s + loc - oldLeft, old, oldLeft))
                || (lastLength > 0 && oldLeft >= lastLength && memEqual(old + oldLeft - lastLength, s + loc - lastLength, lastLength))
            let here = s + loc + length, oldNext = old + oldLeft
            let right = (oldRight > 0 && next >= oldRight && memEqual(here, oldNext, oldRight))
                || (next > 0 && oldRight >= next && memEqual(oldNext, here, next))
            return (left, right)
        }
        if leftMatches {
            memorize(s, from: loc - lastLength, length: lastLength + length, left: beforeLast, right: (loc + length, next),
                     prefix: lastLength > 0 ? (chunks[chunks.count - 1].handle, lastLength) : nil)
            extended = true
        }
        if rightMatches {
            let afterNext = forceMatchLength(s, n, loc + length + next)
            memorize(s, from: loc, length: length + next, left: (loc - lastLength, lastLength), right: (loc + length + next, afterNext),
                     prefix: (h, length))
            extended = true
        }
        if !extended {
            rewards.append(Reward(handle: h, sign: -1))
            release(h)
        }
    }

    /// Opens (or restarts, keeping its place in the order) the evaluation of chunk `key` at the current position.
    private func register(_ key: UInt32, altEnd: Int, firstAlt: UInt32) {
        let fresh = Pending(key: key, altEnd: altEnd, dStart: chunks.count, altCount: 1, altFirst: firstAlt,
                            altRankSum: rank(firstAlt), altRaw: 0, id: nextPendingID)
        nextPendingID += 1
        for i in 0..<pending.count where pending[i].key == key {
            pending[i] = fresh
            return
        }
        pending.append(fresh)
    }

    /// Extends every alternative path up to `loc` and decides the evaluations whose paths meet there.
    private func evaluate(_ s: UnsafePointer<UInt8>, _ n: Int, _ loc: Int) {
        var i = 0
        while i < pending.count {
            var e = pending[i]
            while e.altEnd < loc {
                let m = match(s, n, e.altEnd)
                if m.len1 > 0 {
                    e.altRankSum += rank(UInt32(m.h1))
                    e.altEnd += m.len1
                } else {
                    rawAlternatives.append((e.id, e.altEnd))
                    e.altRaw += 1
                    e.altEnd += utf8Length(s[e.altEnd])
                }
                e.altCount += 1
            }
            if e.altEnd == loc {
                let defaultCount = chunks.count - e.dStart
                var alternativeWins = defaultCount > e.altCount
                if defaultCount == e.altCount {
                    var defaultSum = 0
                    for k in e.dStart..<chunks.count { defaultSum += rank(chunks[k].handle) }
                    var alternativeSum = e.altRankSum
                    if e.altRaw > 0 {
                        // A character that was in no chunk may have been memorized since: the reference
                        // counts it if it is in the lexicon now.
                        for r in rawAlternatives where r.id == e.id {
                            let h = trie.lookup(s + r.start, utf8Length(s[r.start]))
                            if h >= 0 { alternativeSum += rank(UInt32(h)) }
                        }
                    }
                    alternativeWins = defaultSum > alternativeSum
                }
                if alternativeWins {
                    rewards.append(Reward(handle: e.altFirst, sign: -1))
                    rewards.append(Reward(handle: e.key, sign: 1))
                } else {
                    rewards.append(Reward(handle: e.key, sign: -1))
                }
                // Remove, keeping the order of the others.
                for k in i..<(pending.count - 1) { pending[k] = pending[k + 1] }
                _ = pending.removeLast()
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
        let m = match(s, n, p)
        return m.len1 > 0 ? m.len1 : utf8Length(s[p])
    }

    // MARK: Matches of the current sentence, cached by position

    // The same positions are matched again and again while a sentence is read (the next chunk of a
    // context, then the main loop there; alternative paths of several evaluations). A cached match stays
    // right until a chunk is memorized that the text at that position starts with.

    private func startMatchCache(_ n: Int) {
        if matchStamp.count < n + 1 {
            let missing = n + 1 - matchStamp.count
            matchStamp.append(repeating: 0, count: missing)
            matchCache.append(repeating: Match(len1: 0, h1: -1, len2: 0, h2: -1), count: missing)
        }
        matchedPositions.removeAll()
        sentenceStamp &+= 1
        if sentenceStamp == 0 {
            // The stamp wrapped: clear the old stamps once.
            for i in 0..<matchStamp.count { matchStamp[i] = 0 }
            sentenceStamp = 1
        }
    }

    /// The two longest chunks at `p` (the trie's `match2`), from the cache when still valid.
    @inline(__always)
    private func match(_ s: UnsafePointer<UInt8>, _ n: Int, _ p: Int) -> Match {
        if matchStamp[p] == sentenceStamp { return matchCache[p] }
        let m = trie.match2(s + p, n - p)
        let r = Match(len1: m.len1, h1: m.h1, len2: m.len2, h2: m.h2)
        matchCache[p] = r
        matchStamp[p] = sentenceStamp
        matchedPositions.append(Int32(truncatingIfNeeded: p))
        return r
    }

    /// A chunk `s[from..<from+length]` was memorized: drop the cached matches at positions that start with it.
    private func forgetMatches(_ s: UnsafePointer<UInt8>, from: Int, length: Int) {
        // Only positions with a match can lose it: far fewer than the sentence's bytes. Positions before
        // the reading position are never asked again in this sentence (every pending alternative has been
        // extended to it, and the rest of the reading starts there): they leave the list unchecked, so it
        // holds only the few positions ahead.
        let first = s[from]
        var kept = 0
        for i in 0..<matchedPositions.count {
            let p = Int(matchedPositions[i])
            guard matchStamp[p] == sentenceStamp else { continue }
            if p < readingPosition
                || (s[p] == first && p + length <= sentenceLength && memEqual(s + p, s + from, length)) {
                matchStamp[p] = 0
                continue
            }
            matchedPositions[kept] = Int32(truncatingIfNeeded: p)
            kept += 1
        }
        matchedPositions.removeLast(matchedPositions.count - kept)
    }

    // MARK: Memorizing (the reference's `memorize`)

    /// Adds `s[from..<from+length]` at the tail, on probation with the context (left, right) given as
    /// (start, length) ranges of the sentence, unless it is already known or too long. Returns the handle
    /// of the chunk (new or existing), -1 when it is too long.
    /// `prefix` names a chunk (handle, length) that the new chunk starts with, so the trie walk can resume there.
    @discardableResult
    func memorize(_ s: UnsafePointer<UInt8>, from: Int, length: Int, left: (Int, Int), right: (Int, Int),
                  prefix: (handle: UInt32, length: Int)? = nil) -> Int32 {
        if let cap = parameters.maxChunkCharacters, characterCount(s + from, length) > cap { return -1 }
        // The trie stores depths in 20 bits: a chunk over 1 MiB (a megabyte-long line) is never memorized.
        if length > ChunkTrie.maxChunkBytes { return -1 }
        let skip = prefix?.length ?? 0, start = prefix.map { Int32($0.handle) } ?? 0
        guard let (node, inserted) = trie.findOrInsert(s + from + skip, length - skip, from: start) else {
            failure = .lexiconTooLarge(nodes: ChunkTrie.maxNodes)
            return -1
        }
        if !inserted { return node }
        forgetMatches(s, from: from, length: length)
        let h = UInt32(node)
        track(h)
        order.append(h)
        startProbation(h)
        contextStart[Int(h)] = contextBytes.count
        contextLeft[Int(h)] = Int32(left.1)
        contextRight[Int(h)] = Int32(right.1)
        contextBytes.append(contentsOf: UnsafeBufferPointer(start: s + left.0, count: left.1))
        contextBytes.append(contentsOf: UnsafeBufferPointer(start: s + right.0, count: right.1))
        return node
    }

    /// Sizes the per-handle buffers for handle `h` and gives it a clean state.
    func track(_ h: UInt32) {
        let missing = Int(h) + 1 - lifeLeft.count
        if missing > 0 {
            lifeLeft.append(repeating: 0, count: missing)
            poolIndex.append(repeating: -1, count: missing)
            contextStart.append(repeating: -1, count: missing)
            contextLeft.append(repeating: 0, count: missing)
            contextRight.append(repeating: 0, count: missing)
        }
        lifeLeft[Int(h)] = 0
        poolIndex[Int(h)] = -1
        contextStart[Int(h)] = -1
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
    let raw = UnsafeRawPointer(p)
    while i < n {
        // ASCII eight bytes at a time.
        if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            i += 8
            continue
        }
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
