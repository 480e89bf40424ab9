// PretokenCounter: streams a corpus (files, gzip files, stdin; any size) through a pre-tokenizer and
// counts every pre-token with 64-bit counts, on several threads.
//
// Files are read in blocks; each block is cut only where the pre-tokenizer guarantees that no piece
// spans the cut (`PreTokenizer.safeCut`: a newline followed by an ASCII letter, for the built-in
// patterns), and chunks are counted by workers that each own a `PretokenCountTable`. The tables are
// summed and sorted at the end, so the result is the same for any thread count, block size or chunk
// size: exactly the counts of pre-tokenizing each whole file. Files are independent texts (no piece
// joins the end of one file to the start of the next), which is what makes shards composable.
// With `sampleLines`, a seeded reservoir sample of N lines (Vitter's algorithm R over all input lines,
// in order) is counted instead, each line as its own text.
// Pre-tokens longer than `maxPretokenBytes` are cut into pieces of at most that many bytes, at UTF-8
// character boundaries where possible (a token can never be longer than the longest piece anyway).
// Complexity: O(corpus bytes / threads) pre-tokenization and hashing; memory O(block + distinct keys).

import Foundation
import Synchronization
import TesseraFormats
import TesseraPreTokenizers
import TesseraTokenizer

/// Progress of a counting run.
public struct CountProgress: Sendable {
    /// Input bytes consumed so far (decompressed).
    public var bytesRead: UInt64
    /// The file being read.
    public var file: String
    /// Distinct pre-tokens so far (summed over worker tables; an upper bound until the final merge).
    public var distinctUpperBound: Int
}

/// Counts pre-tokens of a corpus.
public struct PretokenCounter: Sendable {
    public var preTokenizer: any PreTokenizer
    public var normalizer: (any TextNormalizing)?
    public var source: CountSource
    public var threads: Int
    /// Input read per step (a block is extended to the next safe cut).
    public var blockBytes = 32 << 20
    /// Work unit of one worker.
    public var chunkBytes = 1 << 20

    /// - Parameters:
    ///   - preTokenizerName: recorded in the counts (`gpt2`, `o200k`, `regex:…`) so tables made with
    ///     different pre-tokenizers are never summed.
    ///   - maxPretokenBytes: longer pre-tokens are cut (≥ 1).
    public init(preTokenizer: any PreTokenizer, preTokenizerName: String, normalizer: (any TextNormalizing)? = nil,
                maxPretokenBytes: Int = 1 << 16, threads: Int = 1) throws {
        guard maxPretokenBytes >= 1, maxPretokenBytes <= PretokenCountTable.maxKeyLength else {
            throw TrainingError.invalidParameter(name: "--max-pretoken-bytes", problem: "\(maxPretokenBytes) is out of range",
                                                 fix: "use a value from 1 to \(PretokenCountTable.maxKeyLength)")
        }
        self.preTokenizer = preTokenizer
        self.normalizer = normalizer
        self.source = CountSource(preTokenizer: preTokenizerName, normalizer: normalizer?.summary,
                                  maxPretokenBytes: maxPretokenBytes)
        self.threads = max(1, threads)
    }

    /// Counts one in-memory text.
    public func count(_ text: [UInt8]) throws -> PretokenCounts {
        let session = Session(self)
        try session.feed(normalized(text))
        return session.finish()
    }

    /// Counts several in-memory texts, each an independent text (documents, lines).
    public func count(texts: [[UInt8]]) throws -> PretokenCounts {
        let session = Session(self)
        for t in texts { try session.feed(normalized(t)) }
        return session.finish()
    }

    /// Counts files (`-` is standard input), streaming each in blocks.
    /// - Parameters:
    ///   - sampleLines: when given, count only a seeded uniform sample of this many lines.
    ///   - progress: called after each block.
    /// - Throws: `FormatError` for unreadable inputs; `TrainingError` for bad parameters.
    public func count(files: [String], sampleLines: Int? = nil, seed: UInt64 = 0,
                      progress: ((CountProgress) -> Void)? = nil) throws -> PretokenCounts {
        let session = Session(self)
        var bytesRead: UInt64 = 0
        if let sampleLines {
            guard sampleLines > 0 else {
                throw TrainingError.invalidParameter(name: "--sample-lines", problem: "must be positive", fix: "give N ≥ 1")
            }
            var reservoir = LineReservoir(capacity: sampleLines, seed: seed)
            for file in files {
                let reader = try FileBlockReader(path: file)
                var buffer: [UInt8] = []
                while try reader.read(into: &buffer, maxBytes: blockBytes) {
                    bytesRead += UInt64(buffer.count)
                    var start = 0
                    while let nl = buffer[start...].firstIndex(of: 0x0A) {
                        reservoir.offer(buffer[start...nl])
                        start = nl + 1
                    }
                    buffer.removeSubrange(0..<start)
                    progress?(CountProgress(bytesRead: bytesRead, file: file, distinctUpperBound: session.distinctUpperBound))
                }
                if !buffer.isEmpty { reservoir.offer(buffer[...]) }
            }
            try session.feed(lines: reservoir.linesInInputOrder().map { try normalized($0) })
            return session.finish()
        }
        for file in files {
            let reader = try FileBlockReader(path: file)
            var buffer: [UInt8] = []
            while try reader.read(into: &buffer, maxBytes: blockBytes) {
                bytesRead += UInt64(buffer.count)
                // Count up to the last safe cut; keep the rest for the next block.
                let cut = buffer.withUnsafeBufferPointer { b in lastSafeCut(b) }
                if let cut {
                    let head = Array(buffer[..<cut])
                    buffer.removeSubrange(..<cut)
                    try session.feed(normalized(head))
                }
                progress?(CountProgress(bytesRead: bytesRead, file: file, distinctUpperBound: session.distinctUpperBound))
            }
            if !buffer.isEmpty { try session.feed(normalized(buffer)) }
        }
        return session.finish()
    }

    /// The last safe cut of `text`, searching backwards from the end in 64 KiB steps.
    func lastSafeCut(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        var upper = text.count
        while upper > 1 {
            let lower = max(1, upper - (1 << 16))
            var found: Int?
            var p = lower
            while let c = preTokenizer.safeCut(in: text, from: p, before: upper) {
                found = c
                p = c + 1
            }
            if let found { return found }
            upper = lower
        }
        return nil
    }

    func normalized(_ text: [UInt8]) throws -> [UInt8] {
        guard let normalizer else { return text }
        return try normalizer.normalizedBytes(text)
    }

    /// Per-worker tables that live across blocks.
    final class Session: @unchecked Sendable {
        let counter: PretokenCounter
        let tables: [PretokenCountTable]
        var textBytes: UInt64 = 0

        init(_ counter: PretokenCounter) {
            self.counter = counter
            tables = (0..<counter.threads).map { _ in PretokenCountTable(expectedKeys: 1 << 16) }
        }

        var distinctUpperBound: Int { tables.reduce(0) { $0 + $1.count } }

        /// Counts one independent text, cut into chunks at safe points and spread over the workers.
        func feed(_ text: [UInt8]) throws {
            textBytes += UInt64(text.count)
            var chunks: [Range<Int>] = []
            text.withUnsafeBufferPointer { b in
                var start = 0
                while b.count - start > counter.chunkBytes, counter.threads > 1,
                      let cut = counter.preTokenizer.safeCut(in: b, from: start + counter.chunkBytes, before: b.count) {
                    chunks.append(start..<cut)
                    start = cut
                }
                if start < b.count { chunks.append(start..<b.count) }
            }
            run(text, chunks, lines: false)
        }

        /// Counts each line as an independent text.
        func feed(lines: [[UInt8]]) throws {
            var text: [UInt8] = []
            var chunks: [Range<Int>] = []
            var chunkStart = 0
            for line in lines {
                text.append(contentsOf: line)
                if text.count - chunkStart >= counter.chunkBytes {
                    chunks.append(chunkStart..<text.count)
                    chunkStart = text.count
                }
            }
            if chunkStart < text.count { chunks.append(chunkStart..<text.count) }
            textBytes += UInt64(text.count)
            run(text, chunks, lines: true)
        }

        private func run(_ text: [UInt8], _ chunks: [Range<Int>], lines: Bool) {
            let next = Atomic<Int>(0)
            let workers = min(counter.threads, chunks.count)
            guard workers > 0 else { return }
            let pre = counter.preTokenizer
            let maxPiece = counter.source.maxPretokenBytes
            let tables = self.tables
            text.withUnsafeBufferPointer { buffer in
                nonisolated(unsafe) let b = buffer
                Parallel.run(workers: workers) { w in
                    let table = tables[w]
                    while true {
                        let i = next.add(1, ordering: .relaxed).oldValue
                        if i >= chunks.count { break }
                        let chunk = chunks[i]
                        if lines {
                            var start = chunk.lowerBound
                            while start < chunk.upperBound {
                                var end = start
                                while end < chunk.upperBound && b[end] != 0x0A { end += 1 }
                                if end < chunk.upperBound { end += 1 }
                                Session.count(b, start..<end, pre, maxPiece, table)
                                start = end
                            }
                        } else {
                            Session.count(b, chunk, pre, maxPiece, table)
                        }
                    }
                }
            }
        }

        @inline(__always)
        static func count(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ pre: any PreTokenizer,
                          _ maxPiece: Int, _ table: PretokenCountTable) {
            let slice = UnsafeBufferPointer(rebasing: text[range])
            guard let base = slice.baseAddress else { return }
            table.withStorage { storage in
                if let scanner = pre as? PatternScanner {
                    scanner.forEachPiece(in: slice) { piece in
                        add(base + piece.lowerBound, piece.count, maxPiece, &storage)
                    }
                } else {
                    pre.forEachPiece(in: slice) { piece in
                        add(base + piece.lowerBound, piece.count, maxPiece, &storage)
                    }
                }
            }
        }

        @inline(__always)
        static func add(_ p: UnsafePointer<UInt8>, _ n: Int, _ maxPiece: Int, _ storage: inout CountStorage) {
            if n <= maxPiece {
                if n > 0 { storage.add(p, n) }
                return
            }
            var start = 0
            while start < n {
                var end = min(n, start + maxPiece)
                if end < n {
                    // Back up over continuation bytes so a character is not split (unless it cannot fit).
                    var e = end
                    while e > start && p[e] & 0xC0 == 0x80 { e -= 1 }
                    if e > start { end = e }
                }
                storage.add(p + start, end - start)
                start = end
            }
        }

        func finish() -> PretokenCounts {
            PretokenCounts(source: counter.source, tables: tables, textBytes: textBytes)
        }
    }
}

/// A seeded uniform sample of lines (algorithm R), remembered with their input positions.
struct LineReservoir {
    let capacity: Int
    var rng: SplitMix64
    var seen: UInt64 = 0
    var lines: [(index: UInt64, bytes: [UInt8])] = []

    init(capacity: Int, seed: UInt64) {
        self.capacity = capacity
        rng = SplitMix64(seed: seed)
    }

    mutating func offer(_ line: ArraySlice<UInt8>) {
        defer { seen += 1 }
        if lines.count < capacity {
            lines.append((seen, Array(line)))
            return
        }
        let j = rng.next() % (seen + 1)
        if j < UInt64(capacity) { lines[Int(j)] = (seen, Array(line)) }
    }

    func linesInInputOrder() -> [[UInt8]] {
        lines.sorted { $0.index < $1.index }.map(\.bytes)
    }
}
