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

    /// The byte range of sentence `i`.
    public func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : ends[i - 1])..<ends[i] }
}

/// Sentences cycled in order, `sentencesPerStep` at a time, the way the reference's
/// `Corpus.iterate_extract_article` reads its training list: an article stops at the end of the
/// corpus (so the last one may be shorter) and the next one starts again from the first sentence.
public struct InMemoryArticles: Sendable {
    public let sentences: [[UInt8]]
    public private(set) var position = 0

    public init(sentences: [[UInt8]]) { self.sentences = sentences }

    /// Fills `article` with the next sentences (nothing when there are no sentences).
    public mutating func next(_ maxSentences: Int, into article: inout LiBArticle) {
        article.removeAll()
        guard !sentences.isEmpty else { return }
        let end = min(sentences.count, position + maxSentences)
        for i in position..<end { article.append(sentences[i]) }
        position = end < sentences.count ? end : 0
    }
}
