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
    // Words while they are added; `countPairs` moves them into `state`.
    private var pendingSymbols: [UInt32] = []
    private var pendingStarts: [Int] = []
    private var pendingCounts: [UInt64] = []
    /// Words as raw buffers: word w is symbols[start[w] ..< start[w] + length[w]].
    private var state: WordState?
    /// Byte string of every id (base tokens and merged ones).
    public private(set) var tokenBytes: [[UInt8]]
    private var idOfBytes: [[UInt8]: TokenID]
    private var pairs: PairTable?
    private var heap: PairHeap?
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

    deinit {
        state?.deallocate()
        pairs?.deallocate()
        heap?.deallocate()
    }

    /// The 256 single-byte tokens, id = byte value.
    public static var byteAlphabet: [[UInt8]] { (0..<256).map { [UInt8($0)] } }

    /// Adds a word (its initial symbols) occurring `count` times. Words of one symbol have no pairs and
    /// are skipped. Call before `countPairs`.
    public func addWord<C: Collection<UInt32>>(_ word: C, count: UInt64) {
        guard word.count >= 2, count > 0, state == nil else { return }
        pendingStarts.append(pendingSymbols.count)
        pendingSymbols.append(contentsOf: word)
        pendingCounts.append(count)
    }

    /// Number of words with at least two symbols.
    public var wordCountTotal: Int { state?.words ?? pendingCounts.count }

    /// Estimated bytes the merge loop holds (words + pair table + lists + heap).
    public var estimatedMemoryBytes: Int {
        (state?.memoryBytes ?? pendingSymbols.count * 4 + pendingCounts.count * 24) + (pairs?.memoryBytes ?? 0)
            + (heap?.memoryBytes ?? 0) + tokenBytes.reduce(0) { $0 + $1.count + 32 }
    }

    /// Counts every adjacent pair and fills the heap. Call once, after the last `addWord`.
    public func countPairs() {
        guard state == nil else { return }
        let words = WordState(symbols: pendingSymbols, starts: pendingStarts, counts: pendingCounts)
        pendingSymbols = []
        pendingStarts = []
        pendingCounts = []
        var table = PairTable(expectedPairs: max(1 << 12, words.symbolCount / 4), expectedNodes: words.symbolCount)
        for w in 0..<words.words {
            let s = words.start[w], n = Int(words.length[w]), c = Int64(bitPattern: words.count[w])
            for i in s..<(s + n - 1) {
                let p = table.index(of: PairTable.key(words.symbols[i], words.symbols[i + 1]))
                table.add(p, c)
                table.noteWord(UInt32(w), pair: p)
            }
        }
        var entries: [PairHeap.Entry] = []
        entries.reserveCapacity(table.count)
        for p in 0..<table.count where table.counts[p] > 0 && mergeAllowed(table.keys[p]) {
            entries.append(.init(count: UInt64(table.counts[p]), key: table.keys[p]))
        }
        state = words
        pairs = table
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
        if state == nil { countPairs() }
        guard let words = state, var table = pairs, var queue = heap else { return }
        // The table and heap are worked on as locals (static exclusivity) and stored back at the end.
        defer {
            pairs = table
            heap = queue
        }
        let threshold = max(1, minimumPairCount)
        var scratch = StepScratch()
        var done = 0
        while done < maxMerges, let top = Self.popBest(&table, &queue) {
            if top.count < threshold { break }
            var ignore = IgnoredPairChanges()
            if apply(top.index, words, &table, &queue, &scratch, &ignore) { done += 1 }
            if let progress, done % progressEvery == 0 || done == maxMerges {
                progress(MergeProgress(mergesDone: done, mergesPlanned: maxMerges, lastPairCount: top.count,
                                       memoryBytes: words.memoryBytes + table.memoryBytes + queue.memoryBytes))
            }
        }
    }

    /// Applies the given merges in order, whatever their counts (a replay of another trainer's list, or
    /// of a tokenizer's merges for data-mixture inference), and reports for each step the pair's count
    /// and the highest count of any mergeable pair at that moment — equal when the listed merge is a
    /// greedy choice (up to ties).
    public func replay(_ list: [(left: UInt32, right: UInt32)]) -> [(count: UInt64, best: UInt64)] {
        if state == nil { countPairs() }
        guard let words = state, var table = pairs, var queue = heap else { return [] }
        defer {
            pairs = table
            heap = queue
        }
        var scratch = StepScratch()
        var report: [(count: UInt64, best: UInt64)] = []
        report.reserveCapacity(list.count)
        for m in list {
            let best = Self.popBest(&table, &queue)
            if let best { queue.push(.init(count: best.count, key: table.keys[best.index])) }
            let key = PairTable.key(m.left, m.right)
            let p = table.index(of: key)
            let count = UInt64(clamping: table.counts[p])
            report.append((count, best?.count ?? 0))
            var ignore = IgnoredPairChanges()
            _ = apply(p, words, &table, &queue, &scratch, &ignore)
        }
        return report
    }

    /// Every pair with a nonzero count before the first merge, as (left << 32 | right, count).
    /// Counts the pairs first if needed.
    /// - Complexity: O(distinct pairs).
    public func initialPairCounts() -> [PairCountChange] {
        if state == nil { countPairs() }
        guard let table = pairs else { return [] }
        var out: [PairCountChange] = []
        out.reserveCapacity(table.count)
        for p in 0..<table.count where table.counts[p] != 0 {
            out.append(PairCountChange(key: table.keys[p], delta: table.counts[p]))
        }
        return out
    }

    /// Applies the given merges in order, whatever their counts (data-mixture inference replays a
    /// tokenizer's list on a sample), and hands `record` after each step t (0-based) the pairs whose count
    /// that step changed, with the change (the merged pair's whole count leaves). Call `initialPairCounts`
    /// first for the counts before step 0. A merge whose pair does not occur changes nothing (an empty step).
    /// Merge ids are those of `init`'s rule: the existing id for known bytes, else the next free id, so
    /// they depend on the list only, never on the sample.
    /// - Complexity: as training: O(Σ occurrences touched); the changes of one step are O(their count).
    public func replay(_ list: [(left: UInt32, right: UInt32)],
                       recording record: (Int, UnsafeBufferPointer<PairCountChange>) -> Void) {
        if state == nil { countPairs() }
        guard let words = state, var table = pairs, var queue = heap else { return }
        defer {
            pairs = table
            heap = queue
        }
        var scratch = StepScratch()
        var log = PairChangeLog()
        for (t, m) in list.enumerated() {
            let p = table.index(of: PairTable.key(m.left, m.right))
            log.begin(capacity: table.count)
            log.willChange(p, table.counts[p])
            _ = apply(p, words, &table, &queue, &scratch, &log)
            log.finish(table)
            log.changes.withUnsafeBufferPointer { record(t, $0) }
            // Replay never pops the heap: it only grows with created pairs, so drop it now and then.
            if queue.count > 4 * max(table.count, 1 << 16) { queue = PairHeap([]) }
        }
    }

    /// Per-step buffers reused across merges.
    struct StepScratch {
        var created: [Int] = []
        var visit: [UInt32] = []
    }

    /// Pops entries until one is current (stale ones are re-pushed with their current count); nil when
    /// no pair is left.
    @inline(__always)
    private static func popBest(_ table: inout PairTable, _ queue: inout PairHeap) -> (index: Int, count: UInt64)? {
        while let top = queue.pop() {
            guard let p = table.existingIndex(of: top.key) else { continue }
            let current = table.counts[p]
            if UInt64(clamping: current) == top.count { return (p, top.count) }
            if current > 0 { queue.push(.init(count: UInt64(current), key: top.key)) }
        }
        return nil
    }

    /// Merges pair `p` everywhere; returns whether it created a new token.
    private func apply<Sink: PairChangeSink>(_ p: Int, _ words: WordState, _ table: inout PairTable, _ queue: inout PairHeap,
                                             _ scratch: inout StepScratch, _ sink: inout Sink) -> Bool {
        let key = table.keys[p]
        let count = UInt64(clamping: table.counts[p])
        let a = UInt32(truncatingIfNeeded: key >> 32), b = UInt32(truncatingIfNeeded: key)
        let joined = tokenBytes[Int(a)] + tokenBytes[Int(b)]
        let merged: TokenID
        var isNew = false
        if let existing = idOfBytes[joined] {
            merged = existing
        } else {
            isNew = true
            merged = nextID
            nextID += 1
            while tokenBytes.count <= Int(merged) { tokenBytes.append([]) }
            tokenBytes[Int(merged)] = joined
            idOfBytes[joined] = merged
        }
        merges.append(LearnedMerge(left: a, right: b, merged: merged, count: count))
        scratch.created.removeAll(keepingCapacity: true)
        let step = UInt32(truncatingIfNeeded: merges.count)
        table.takeWords(of: p, into: &scratch.visit)
        for w in scratch.visit where words.stamp[Int(w)] != step {
            words.stamp[Int(w)] = step
            Self.mergeInWord(words, Int(w), p, a, b, merged, &table, &scratch.created, &sink)
        }
        table.counts[p] = 0
        // A created pair is pushed once per step (it may have been created in many words).
        for q in scratch.created where table.counts[q] > 0 && !table.isQueued(q, step: step) && mergeAllowed(table.keys[q]) {
            queue.push(.init(count: UInt64(table.counts[q]), key: table.keys[q]))
        }
        table.compactIfWorthwhile()
        return isNew
    }

    /// Merges every (a, b) in word `w`, left to right, updating pair counts and lists. Indices of pairs
    /// that contain the new token are appended to `created` (they may be new and must be pushed).
    @inline(__always)
    private static func mergeInWord<Sink: PairChangeSink>(_ words: WordState, _ w: Int, _ pair: Int, _ a: UInt32, _ b: UInt32,
                                                          _ merged: UInt32, _ table: inout PairTable, _ created: inout [Int],
                                                          _ sink: inout Sink) {
        let symbols = words.symbols
        let s = words.start[w]
        let end = s + Int(words.length[w])
        let c = Int64(bitPattern: words.count[w])
        let word = UInt32(truncatingIfNeeded: w)
        var read = s, write = s
        var found = false
        while read < end {
            if read + 1 < end && symbols[read] == a && symbols[read + 1] == b {
                found = true
                table.add(pair, -c)
                if write > s {
                    let previous = symbols[write - 1]
                    let gone = table.index(of: PairTable.key(previous, a))
                    sink.willChange(gone, table.counts[gone])
                    table.add(gone, -c)
                    let q = table.index(of: PairTable.key(previous, merged))
                    sink.willChange(q, table.counts[q])
                    table.add(q, c)
                    table.noteWord(word, pair: q)
                    created.append(q)
                }
                if read + 2 < end {
                    let next = symbols[read + 2]
                    let gone = table.index(of: PairTable.key(b, next))
                    sink.willChange(gone, table.counts[gone])
                    table.add(gone, -c)
                    let q = table.index(of: PairTable.key(merged, next))
                    sink.willChange(q, table.counts[q])
                    table.add(q, c)
                    table.noteWord(word, pair: q)
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
        if found { words.length[w] = Int32(write - s) }
    }
}

/// A change of one pair's count: the pair as left << 32 | right, and the signed change (for the initial
/// counts, the count itself).
public struct PairCountChange: Sendable, Equatable {
    public var key: UInt64
    public var delta: Int64
    public init(key: UInt64, delta: Int64) { self.key = key; self.delta = delta }
    public var left: UInt32 { UInt32(truncatingIfNeeded: key >> 32) }
    public var right: UInt32 { UInt32(truncatingIfNeeded: key) }
}

/// Told about a pair before its count changes inside a merge step. Training passes a sink that does
/// nothing (specialised away); replay passes a log of the step's changes.
protocol PairChangeSink {
    mutating func willChange(_ pair: Int, _ countBefore: Int64)
}

struct IgnoredPairChanges: PairChangeSink {
    @inline(__always) mutating func willChange(_ pair: Int, _ countBefore: Int64) {}
}

/// The pairs one replay step touched, each once with its count before the step (a stamp per pair
/// dedupes), turned into nonzero changes at the end of the step.
struct PairChangeLog: PairChangeSink {
    private var stampOf: [UInt32] = []
    private var step: UInt32 = 0
    private var touched: [(pair: Int, before: Int64)] = []
    private(set) var changes: [PairCountChange] = []

    mutating func begin(capacity: Int) {
        if stampOf.count < capacity { stampOf.append(contentsOf: repeatElement(0, count: capacity - stampOf.count)) }
        step &+= 1
        if step == 0 {
            for i in stampOf.indices { stampOf[i] = 0 }
            step = 1
        }
        touched.removeAll(keepingCapacity: true)
        changes.removeAll(keepingCapacity: true)
    }

    @inline(__always) mutating func willChange(_ pair: Int, _ countBefore: Int64) {
        if pair >= stampOf.count { stampOf.append(contentsOf: repeatElement(0, count: pair + 1 - stampOf.count + stampOf.count / 2)) }
        if stampOf[pair] == step { return }
        stampOf[pair] = step
        touched.append((pair, countBefore))
    }

    mutating func finish(_ table: PairTable) {
        for (p, before) in touched {
            let delta = table.counts[p] - before
            if delta != 0 { changes.append(PairCountChange(key: table.keys[p], delta: delta)) }
        }
    }
}

/// The words of a training run in manually allocated buffers (the owner deallocates).
struct WordState {
    let symbols: UnsafeMutablePointer<UInt32>
    let start: UnsafeMutablePointer<Int>
    let length: UnsafeMutablePointer<Int32>
    let count: UnsafeMutablePointer<UInt64>
    /// The merge step at which each word was last rewritten (skips repeats on a pair's list).
    let stamp: UnsafeMutablePointer<UInt32>
    let words: Int
    let symbolCount: Int

    init(symbols: [UInt32], starts: [Int], counts: [UInt64]) {
        words = counts.count
        symbolCount = symbols.count
        let buffer = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, symbols.count))
        symbols.withUnsafeBufferPointer { if let b = $0.baseAddress { buffer.initialize(from: b, count: symbols.count) } }
        self.symbols = buffer
        start = .allocate(capacity: max(1, words))
        length = .allocate(capacity: max(1, words))
        count = .allocate(capacity: max(1, words))
        stamp = .allocate(capacity: max(1, words))
        for w in 0..<words {
            start[w] = starts[w]
            length[w] = Int32((w + 1 < words ? starts[w + 1] : symbols.count) - starts[w])
            count[w] = counts[w]
            stamp[w] = 0
        }
    }

    func deallocate() {
        symbols.deallocate()
        start.deallocate()
        length.deallocate()
        count.deallocate()
        stamp.deallocate()
    }

    var memoryBytes: Int { symbolCount * 4 + words * 24 }
}
