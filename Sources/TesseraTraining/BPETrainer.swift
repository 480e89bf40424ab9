// BPETrainer: byte-level BPE training (Sennrich, Haddow & Birch 2016; byte-level as in GPT-2, Radford
// et al. 2019) with incremental pair counts, the way Hugging Face's BpeTrainer and rustbpe do it, but
// with 64-bit counts, a documented total order and no per-pair hash sets.
//
// Each step merges the adjacent pair with the highest count; ties go to the pair whose
// (left id, right id) is smallest (rustbpe's and bpeasy's order; Hugging Face breaks ties the same
// way on its own ids, which number the byte alphabet differently, so its order differs on ties only).
// Ids: the 256 bytes are 0…255 by byte value, merge k creates id 256 + k (fresh training). In a word,
// occurrences are merged left to right without overlap ("aaa" with (a,a) → "Aa").
// Counts are maintained incrementally: merging (a,b) in a word w with count c subtracts c from the
// pairs it destroys and adds c to the pairs it creates, and only words on (a,b)'s list are visited.
// The next pair comes from a lazy max-heap: an entry whose stored count is stale is re-pushed with
// the current count (counts of existing pairs only ever fall; pairs that grow are new pairs, pushed
// after each step), so the popped entry is always the exact maximum under the total order.
// Invariant: merges, ids and token bytes are a function of the (word, count) multiset and the
// parameters only — not of word order, threads or shards.
// Complexity: O(Σ symbols) to start; each merge O(occurrences touched · (1 + log heap)); memory
// O(Σ symbols + distinct pairs).

import TesseraBPE

/// Parameters of a training run.
public struct BPETrainingParameters: Sendable {
    /// Target number of ids: base tokens (256 bytes, or the continued tokenizer's) + merges + special tokens.
    public var vocabularySize: Int
    /// A pair is merged only if it occurs at least this often (Hugging Face's `min_frequency`; 0 = any).
    public var minimumPairCount: UInt64
    /// No token longer than this many bytes is created (nil: no limit).
    public var maxTokenBytes: Int?
    /// Special tokens, given ids after the merged tokens, in this order.
    public var specialTokens: [String]

    public init(vocabularySize: Int, minimumPairCount: UInt64 = 0, maxTokenBytes: Int? = nil, specialTokens: [String] = []) {
        self.vocabularySize = vocabularySize
        self.minimumPairCount = minimumPairCount
        self.maxTokenBytes = maxTokenBytes
        self.specialTokens = specialTokens
    }
}

/// Progress of the merge loop.
public struct MergeProgress: Sendable {
    public var mergesDone: Int
    public var mergesPlanned: Int
    /// Count of the pair just merged.
    public var lastPairCount: UInt64
    /// Estimated bytes held by the trainer.
    public var memoryBytes: Int
}

/// One learned merge.
public struct LearnedMerge: Sendable, Equatable {
    public var left: TokenID
    public var right: TokenID
    /// The id of the merged token (new, or an existing token with the same bytes in continued training).
    public var merged: TokenID
    /// How often the pair occurred when it was merged.
    public var count: UInt64
}

/// Words (symbol sequences with counts) and the merge loop over them.
public final class BPEMergeEngine {
    // Words: symbols back to back; word w occupies symbols[start[w] ..< start[w] + length[w]].
    private var symbols: [UInt32] = []
    private var wordStart: [Int] = []
    private var wordLength: [Int32] = []
    private var wordCount: [UInt64] = []
    /// The step at which each word was last merged (to skip repeats on a pair's list).
    private var wordStamp: [Int32] = []
    /// Byte string of every id (base tokens and merged ones).
    public private(set) var tokenBytes: [[UInt8]]
    private var idOfBytes: [[UInt8]: TokenID]
    private var pairs = PairTable(expectedPairs: 1 << 16)
    private var heap = PairHeap()
    public private(set) var merges: [LearnedMerge] = []
    private var nextID: TokenID
    /// Optional veto on merging two tokens (superword BPE's words-per-token limit).
    private let allowsMerge: ((UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool)?
    private let maxTokenBytes: Int

    /// - Parameters:
    ///   - baseTokens: bytes of ids 0..<baseTokens.count (the 256 single bytes for fresh training).
    ///   - nextID: the first id to give a new token (≥ baseTokens.count).
    ///   - maxTokenBytes: no merge creates a longer token.
    ///   - allowsMerge: an extra veto on a merge, given the two tokens' bytes.
    public init(baseTokens: [[UInt8]], nextID: TokenID? = nil, maxTokenBytes: Int? = nil,
                allowsMerge: ((UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool)? = nil) {
        tokenBytes = baseTokens
        var map: [[UInt8]: TokenID] = [:]
        for (i, t) in baseTokens.enumerated() where !t.isEmpty { map[t] = TokenID(i) }
        idOfBytes = map
        self.nextID = nextID ?? TokenID(baseTokens.count)
        self.maxTokenBytes = maxTokenBytes ?? Int.max
        self.allowsMerge = allowsMerge
    }

    /// The 256 single-byte tokens, id = byte value.
    public static var byteAlphabet: [[UInt8]] { (0..<256).map { [UInt8($0)] } }

    /// Adds a word (its initial symbols) occurring `count` times. Words of one symbol have no pairs and
    /// are skipped.
    public func addWord<C: Collection<UInt32>>(_ word: C, count: UInt64) {
        guard word.count >= 2, count > 0 else { return }
        wordStart.append(symbols.count)
        symbols.append(contentsOf: word)
        wordLength.append(Int32(word.count))
        wordCount.append(count)
        wordStamp.append(-1)
    }

    /// Number of words with at least two symbols.
    public var wordCountTotal: Int { wordCount.count }

    /// Estimated bytes the merge loop will hold (words + pair table + lists), for the pre-merge report.
    public var estimatedMemoryBytes: Int {
        symbols.capacity * 4 + wordStart.count * 25 + pairs.memoryBytes + heap.memoryBytes
            + tokenBytes.reduce(0) { $0 + $1.count + 32 }
    }

    /// Counts every adjacent pair and fills the heap. Call once, after the last `addWord`.
    public func countPairs() {
        pairs = PairTable(expectedPairs: max(1 << 12, symbols.count / 4))
        for w in 0..<wordCount.count {
            let s = wordStart[w], n = Int(wordLength[w]), c = Int64(bitPattern: wordCount[w])
            for i in s..<(s + n - 1) {
                let p = pairs.index(of: PairTable.key(symbols[i], symbols[i + 1]))
                pairs.add(p, c)
                pairs.noteWord(Int32(w), pair: p)
            }
        }
        var entries: [PairHeap.Entry] = []
        entries.reserveCapacity(pairs.count)
        for p in 0..<pairs.count where pairs.counts[p] > 0 && mergeAllowed(pairs.keys[p]) {
            entries.append(.init(count: UInt64(pairs.counts[p]), key: pairs.keys[p]))
        }
        heap = PairHeap(entries)
    }

    @inline(__always)
    private func mergeAllowed(_ key: UInt64) -> Bool {
        let a = Int(key >> 32), b = Int(key & 0xffff_ffff)
        if tokenBytes[a].count + tokenBytes[b].count > maxTokenBytes { return false }
        if let allowsMerge {
            return tokenBytes[a].withUnsafeBufferPointer { x in tokenBytes[b].withUnsafeBufferPointer { y in allowsMerge(x, y) } }
        }
        return true
    }

    /// Merges until `maxMerges` new tokens exist (a merge whose bytes are already a token — possible only
    /// in continued training — adds a merge but no token), or no pair with at least `minimumPairCount`
    /// occurrences is left.
    public func run(maxMerges: Int, minimumPairCount: UInt64 = 0, progressEvery: Int = 1000,
                    progress: ((MergeProgress) -> Void)? = nil) {
        let threshold = max(1, minimumPairCount)
        var created: [Int] = []
        var done = 0
        while done < maxMerges, let top = heap.pop() {
            guard let p = pairs.existingIndex(of: top.key) else { continue }
            let current = pairs.counts[p]
            if UInt64(clamping: current) != top.count {
                if current > 0 { heap.push(.init(count: UInt64(current), key: top.key)) }
                continue
            }
            if top.count < threshold { break }
            let a = UInt32(truncatingIfNeeded: top.key >> 32), b = UInt32(truncatingIfNeeded: top.key)
            let joined = tokenBytes[Int(a)] + tokenBytes[Int(b)]
            let merged: TokenID
            if let existing = idOfBytes[joined] {
                merged = existing
            } else {
                done += 1
                merged = nextID
                nextID += 1
                while tokenBytes.count <= Int(merged) { tokenBytes.append([]) }
                tokenBytes[Int(merged)] = joined
                idOfBytes[joined] = merged
            }
            merges.append(LearnedMerge(left: a, right: b, merged: merged, count: top.count))
            created.removeAll(keepingCapacity: true)
            let step = Int32(truncatingIfNeeded: merges.count)
            pairs.drainWords(of: p) { w in
                if wordStamp[Int(w)] == step { return }
                wordStamp[Int(w)] = step
                mergeInWord(Int(w), p, a, b, merged, &created)
            }
            pairs.counts[p] = 0
            for q in created where pairs.counts[q] > 0 && mergeAllowed(pairs.keys[q]) {
                heap.push(.init(count: UInt64(pairs.counts[q]), key: pairs.keys[q]))
            }
            pairs.compactIfWorthwhile()
            if let progress, done % progressEvery == 0 || done == maxMerges {
                progress(MergeProgress(mergesDone: done, mergesPlanned: maxMerges, lastPairCount: top.count,
                                       memoryBytes: estimatedMemoryBytes))
            }
        }
    }

    /// Merges every (a, b) in word `w`, left to right, updating pair counts and lists. Indices of pairs
    /// that contain the new token are appended to `created` (they may be new and must be pushed).
    @inline(__always)
    private func mergeInWord(_ w: Int, _ pair: Int, _ a: UInt32, _ b: UInt32, _ merged: UInt32, _ created: inout [Int]) {
        let s = wordStart[w]
        let n = Int(wordLength[w])
        let c = Int64(bitPattern: wordCount[w])
        let word = Int32(w)
        var read = s, write = s
        let end = s + n
        var found = false
        while read < end {
            if read + 1 < end && symbols[read] == a && symbols[read + 1] == b {
                found = true
                pairs.add(pair, -c)
                if write > s {
                    let previous = symbols[write - 1]
                    pairs.add(pairs.index(of: PairTable.key(previous, a)), -c)
                    let q = pairs.index(of: PairTable.key(previous, merged))
                    pairs.add(q, c)
                    pairs.noteWord(word, pair: q)
                    created.append(q)
                }
                if read + 2 < end {
                    let next = symbols[read + 2]
                    pairs.add(pairs.index(of: PairTable.key(b, next)), -c)
                    let q = pairs.index(of: PairTable.key(merged, next))
                    pairs.add(q, c)
                    pairs.noteWord(word, pair: q)
                    created.append(q)
                }
                symbols[write] = merged
                write += 1
                read += 2
            } else {
                symbols[write] = symbols[read]
                write += 1
                read += 1
            }
        }
        if found { wordLength[w] = Int32(write - s) }
    }
}

/// A binary max-heap of (count, pair) entries: higher count first, then smaller pair key.
struct PairHeap {
    struct Entry {
        var count: UInt64
        var key: UInt64
        @inline(__always)
        func outranks(_ other: Entry) -> Bool {
            count != other.count ? count > other.count : key < other.key
        }
    }

    private var items: [Entry] = []

    init() {}

    init(_ entries: [Entry]) {
        items = entries
        if items.count > 1 {
            for i in stride(from: items.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        }
    }

    var memoryBytes: Int { items.capacity * 16 }

    mutating func push(_ e: Entry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].outranks(items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            siftDown(0)
        }
        return top
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = items.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var best = l
            if l + 1 < n && items[l + 1].outranks(items[l]) { best = l + 1 }
            guard items[best].outranks(items[i]) else { break }
            items.swapAt(i, best)
            i = best
        }
    }
}
