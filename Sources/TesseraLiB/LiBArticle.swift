// One LiB training step reads an "article": up to `sentencesPerStep` consecutive sentences (lines),
// stored back to back so that reading a step allocates nothing per sentence.

/// Consecutive sentences packed into one buffer: sentence i is `bytes[ends[i-1]..<ends[i]]` (from 0 for i = 0).
public struct LiBArticle: Sendable {
    public var bytes: [UInt8] = []
    public var ends: [Int] = []

    public init() {}

    /// An article of the given sentences (convenience for tests and small inputs).
    public init<S: Sequence>(sentences: S) where S.Element: Collection<UInt8> {
        for s in sentences { append(s) }
    }

    public var count: Int { ends.count }
    public var isEmpty: Bool { ends.isEmpty }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    public mutating func append<C: Collection<UInt8>>(_ sentence: C) {
        bytes.append(contentsOf: sentence)
        ends.append(bytes.count)
    }

    /// Appends sentences `range` of `other` with one copy of their bytes (they are contiguous there).
    public mutating func append(sentencesOf other: LiBArticle, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let from = other.range(range.lowerBound).lowerBound, to = other.range(range.upperBound - 1).upperBound
        let shift = bytes.count - from
        bytes.append(contentsOf: other.bytes[from..<to])
        ends.reserveCapacity(ends.count + range.count)
        for i in range { ends.append(other.ends[i] + shift) }
    }

    /// The byte range of sentence `i`.
    public func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : ends[i - 1])..<ends[i] }
}

/// Sentences cycled in order, `sentencesPerStep` at a time, the way the reference's
/// `Corpus.iterate_extract_article` reads its training list: an article stops at the end of the
/// corpus (so the last one may be shorter) and the next one starts again from the first sentence.
/// The sentences are kept back to back, so a step's article is one copy.
public struct InMemoryArticles: Sendable {
    private let corpus: LiBArticle
    public private(set) var position = 0

    public init(sentences: [[UInt8]]) { corpus = LiBArticle(sentences: sentences) }

    /// Number of sentences.
    public var count: Int { corpus.count }

    /// Fills `article` with the next sentences (nothing when there are no sentences).
    public mutating func next(_ maxSentences: Int, into article: inout LiBArticle) {
        article.removeAll()
        guard !corpus.isEmpty else { return }
        let end = min(corpus.count, position + maxSentences)
        article.append(sentencesOf: corpus, position..<end)
        position = end < corpus.count ? end : 0
    }
}
