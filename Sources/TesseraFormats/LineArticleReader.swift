// LineArticleReader: the corpus of `tessera train lib` as a stream of sentences (lines), read a LiB
// article (step) at a time, in order, wrapping around to the first file after the last — the reference's
// sequential `extract_article` with `loop=True`: an article ends at the end of the corpus, so the last one
// of a pass may be short.
//
// Files stream through `FileBlockReader` (plain or gzip). The first pass also keeps the sentences in
// memory while they fit in `cacheLimit` bytes, so later passes over a small corpus cost no I/O; a larger
// corpus is simply read again from disk on every pass. A line is the bytes before "\n", without a final
// "\r"; a file's last line needs no "\n".
//
// Invariant: pass after pass, the sentences come in the same order. Complexity: O(bytes read); memory
// O(block + article) when streaming, O(corpus) when cached.

import TesseraLiB

/// Serves corpus lines as LiB articles.
public final class LineArticleReader {
    public let paths: [String]
    public let cacheLimit: Int
    private let blockBytes = 1 << 20

    private var fileIndex = 0
    private var reader: FileBlockReader?
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// Bytes before this index (and after `bufferStart`) hold no "\n": a long line is scanned once.
    private var scanned = 0
    private var fileEnded = false

    private var cache: LiBArticle? = LiBArticle()
    private var cached: LiBArticle?
    private var cachedPosition = 0
    private var sentencesThisPass = 0
    /// Bytes of text (sentences) in one pass, known after the first.
    public private(set) var passBytes: Int?
    /// Sentences in one pass, known after the first.
    public private(set) var passSentences: Int?

    /// - Parameter paths: files in reading order ("-" reads standard input, which is kept in memory since it
    ///   cannot be read twice).
    public init(paths: [String], cacheLimit: Int = 1 << 30) {
        self.paths = paths
        self.cacheLimit = paths.contains("-") ? Int.max : cacheLimit
    }

    /// Fills `article` with up to `maxSentences` next sentences; empty only when the corpus has no lines.
    /// - Throws: `FormatError` from reading a file.
    public func next(_ maxSentences: Int, into article: inout LiBArticle) throws {
        article.removeAll()
        if let cached {
            guard cached.count > 0 else { return }
            let end = min(cached.count, cachedPosition + maxSentences)
            article.append(sentencesOf: cached, cachedPosition..<end)
            cachedPosition = end < cached.count ? end : 0
            return
        }
        while article.count < maxSentences {
            guard let line = try nextLine() else {
                // End of the corpus: the article stops here and the next one starts a new pass.
                finishPass()
                return
            }
            article.append(line)
            sentencesThisPass += 1
            cache?.append(line)
            if let size = cache?.bytes.count, size > cacheLimit { cache = nil }
        }
        // The next line might not exist: peek so that an article ending exactly at the corpus end closes the pass.
        if try !hasMoreLines() { finishPass() }
    }

    private func finishPass() {
        if passSentences == nil { passSentences = sentencesThisPass }
        sentencesThisPass = 0
        fileIndex = 0
        reader = nil
        buffer.removeAll(keepingCapacity: true)
        bufferStart = 0
        scanned = 0
        fileEnded = false
        if let cache, passBytes == nil {
            passBytes = cache.bytes.count
            cached = cache
            cachedPosition = 0
        }
        cache = nil
    }

    /// Whether another line follows (opening the next files as needed), without consuming it.
    private func hasMoreLines() throws -> Bool {
        while true {
            if bufferStart < buffer.count { return true }
            guard try advance() else { return false }
        }
    }

    /// The next line of the corpus, nil at its end.
    private func nextLine() throws -> ArraySlice<UInt8>? {
        while true {
            if let nl = buffer[max(bufferStart, scanned)...].firstIndex(of: 0x0A) {
                var line = buffer[bufferStart..<nl]
                bufferStart = nl + 1
                scanned = bufferStart
                if line.last == 0x0D { line = line.dropLast() }
                return line
            }
            scanned = buffer.count
            if fileEnded && bufferStart < buffer.count {
                // The file's last line has no "\n".
                var line = buffer[bufferStart...]
                bufferStart = buffer.count
                scanned = bufferStart
                if line.last == 0x0D { line = line.dropLast() }
                return line
            }
            guard try advance() else { return nil }
        }
    }

    /// Reads the next block of the current file, or moves on to the next file; false at the corpus end.
    private func advance() throws -> Bool {
        if fileEnded {
            reader = nil
            fileEnded = false
            fileIndex += 1
        }
        guard fileIndex < paths.count else { return false }
        let current = try reader ?? FileBlockReader(path: paths[fileIndex])
        reader = current
        if bufferStart > 0 {
            buffer.removeSubrange(0..<bufferStart)
            scanned -= bufferStart
            bufferStart = 0
        }
        if !(try current.read(into: &buffer, maxBytes: blockBytes)) { fileEnded = true }
        return true
    }
}
