// Parallel encoding with a caller-chosen thread count and thread-count-independent results.
//
// Batches: worker threads pull document indices from a shared atomic counter and write each result
// into its own slot, so the output order (and every id) is the same for 1 or N threads.
// One large text: it is cut at positions where a `\n` is directly followed by an ASCII letter and the
// pre-tokenizer confirms (`canCut`) that no piece spans the cut (for the built-in patterns see
// docs/algorithms/pretokenizer-scanners.md); chunks are encoded in parallel and concatenated.
// Pre-tokenizers that cannot tell (user regexes) are encoded on one thread.
// Complexity: O(total bytes / threads) plus one pass to find chunk boundaries.

import Dispatch
import Foundation
import Synchronization
import TesseraBPE

extension Tokenizer {
    /// Encodes each text; result `i` belongs to `texts[i]` whatever `threads` is.
    /// - Throws: the error of the lowest-index text that failed.
    public func encodeBatch(_ texts: [[UInt8]], specials: SpecialTokenPolicy = .raise, addSpecialTokens: Bool = false,
                            threads: Int) throws -> [[TokenID]] {
        try Parallel.map(count: texts.count, threads: threads) { i in
            try encode(texts[i], specials: specials, addSpecialTokens: addSpecialTokens)
        }
    }

    /// Encodes one (possibly huge) text on up to `threads` threads; identical to `encode(_:specials:)`.
    /// `progress`, when given, is called (from worker threads) with the byte count of each finished chunk,
    /// and makes even one thread work chunk by chunk so that progress can be shown.
    public func encodeParallel(_ text: [UInt8], specials: SpecialTokenPolicy = .raise, addSpecialTokens: Bool = false,
                               threads: Int, chunkBytes: Int = 1 << 18,
                               progress: (@Sendable (Int) -> Void)? = nil) throws -> [TokenID] {
        guard threads > 1 || progress != nil, text.count > chunkBytes else {
            let ids = try encode(text, specials: specials, addSpecialTokens: addSpecialTokens)
            progress?(text.count)
            return ids
        }
        // Segments: (range, special id or nil, starts the text), ordinary ones cut into chunks at safe boundaries.
        var segments: [(range: Range<Int>, special: TokenID?, startsText: Bool)] = []
        func addOrdinary(_ range: Range<Int>, startsText: Bool, _ buffer: UnsafeBufferPointer<UInt8>) {
            var start = range.lowerBound
            while range.upperBound - start > chunkBytes {
                guard let cut = safeCut(buffer, from: start + chunkBytes, before: range.upperBound) else { break }
                segments.append((start..<cut, nil, startsText && start == range.lowerBound))
                start = cut
            }
            segments.append((start..<range.upperBound, nil, startsText && start == range.lowerBound))
        }
        let source: [UInt8]
        if let addedVocabulary {
            let plan = try addedVocabulary.plan(text, normalizer: normalizer, specials: specials)
            source = plan.text
            source.withUnsafeBufferPointer { buffer in
                for part in plan.parts {
                    if let id = part.id { segments.append((part.range, id, false)) } else {
                        addOrdinary(part.range, startsText: part.startsText, buffer)
                    }
                }
            }
        } else {
            source = try normalized(text)
            try source.withUnsafeBufferPointer { buffer in
                try forEachSegment(buffer, specials: specials) { range, special in
                    if special != nil { segments.append((range, special, false)) } else {
                        addOrdinary(range, startsText: range.lowerBound == 0, buffer)
                    }
                }
            }
        }
        let work = segments
        var pieces = [[TokenID]](repeating: [], count: work.count)
        source.withUnsafeBufferPointer { buffer in
            nonisolated(unsafe) let text = buffer
            pieces.withUnsafeMutableBufferPointer { slots in
                nonisolated(unsafe) let out = slots
                runParallel(count: work.count, threads: threads) { i in
                    let (range, special, startsText) = work[i]
                    var ids: [TokenID] = []
                    if let special { ids.append(special) } else {
                        ids.reserveCapacity(range.count / 3 + 1)
                        encodeOrdinary(text, range, startsText: startsText, into: &ids, offsets: nil)
                    }
                    out[i] = ids
                    progress?(range.count)
                }
            }
        }
        var all: [TokenID] = []
        all.reserveCapacity(pieces.reduce(0) { $0 + $1.count })
        for p in pieces { all.append(contentsOf: p) }
        if addSpecialTokens, let postProcessor { postProcessor.process(&all, offsets: nil) }
        return all
    }

    func safeCut(_ text: UnsafeBufferPointer<UInt8>, from: Int, before: Int) -> Int? {
        preTokenizer.safeCut(in: text, from: from, before: before)
    }
}

/// Runs `body(i)` for i in 0..<count on `threads` workers that take indices from a shared counter.
func runParallel(count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let workers = max(1, min(threads, count))
    if workers == 1 {
        for i in 0..<count { body(i) }
        return
    }
    let next = Atomic<Int>(0)
    Parallel.run(workers: workers) { _ in
        while true {
            let i = next.add(1, ordering: .relaxed).oldValue
            if i >= count { break }
            body(i)
        }
    }
}

/// Plain worker threads (8 MiB stacks), for modules that need per-worker state (e.g. count tables).
public enum Parallel {
    /// `body(i)` for i in 0..<count on up to `threads` workers; result i belongs to index i whatever the
    /// thread count. Throws the error of the lowest index that failed (after every index has run).
    public static func map<T: Sendable>(count: Int, threads: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        var results = [T?](repeating: nil, count: count)
        var errors = [(any Error)?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { resultSlots in
            errors.withUnsafeMutableBufferPointer { errorSlots in
                nonisolated(unsafe) let out = resultSlots
                nonisolated(unsafe) let failures = errorSlots
                runParallel(count: count, threads: threads) { i in
                    do { out[i] = try body(i) } catch { failures[i] = error }
                }
            }
        }
        if let error = errors.lazy.compactMap({ $0 }).first { throw error }
        return results.compactMap { $0 }
    }

    /// Runs `body(worker)` for worker in 0..<workers and returns when all have finished: worker 0 on the
    /// caller's thread, the others on threads of a process-wide pool.
    ///
    /// Why a pool and the caller's thread: encoding keeps per-thread piece caches (TesseraBPE's
    /// `PieceCache`), which a thread created per call would throw away at every call; with long-lived
    /// threads a batch encoded after another starts warm (2× on the benchmark's repeated batches).
    /// Nested calls cannot deadlock: a job never waits for a busy thread, the pool grows instead.
    public static func run(workers: Int, _ body: @escaping @Sendable (Int) -> Void) {
        if workers <= 1 { body(0); return }
        let group = DispatchGroup()
        for w in 1..<workers {
            group.enter()
            WorkerPool.shared.submit {
                body(w)
                group.leave()
            }
        }
        body(0)
        group.wait()
    }
}

/// Long-lived worker threads (8 MiB stacks) that take jobs from one queue. A submitted job starts at once:
/// when no thread is idle, a new one is started, so the pool is as large as the most jobs ever running
/// together (the thread count asked for, plus any nested parallel calls).
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var idle = 0

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        queue.append(job)
        let startThread = queue.count > idle
        if !startThread { condition.signal() }
        condition.unlock()
        if startThread {
            let thread = Thread { [self] in work() }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func work() {
        condition.lock()
        while true {
            while queue.isEmpty {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = queue.removeFirst()
            condition.unlock()
            job()
            condition.lock()
        }
    }
}
