// TokenLanguageModel: what a token-level language model offers to code that reasons about its
// predictions (bits-per-byte evaluation, exact byte-level probabilities from a tokenized model as in
// Phan et al. 2024, tokenizer transfer). It is deliberately smaller than any runtime: next-token
// log-probabilities for a prefix, batched, and an incremental form backed by a key/value cache so
// that extending a prefix by one token costs one position, not the whole prefix again.
//
// Invariant (every conformer): for any prefix `p` and split `p = a + b`,
// `logProbabilities(after: [p])[0]` equals, up to float rounding, the result of starting a cache,
// appending `a` and then `b`. Each returned row is a log-distribution: logsumexp(row) == 0.
// Complexity: model-specific; a transformer costs O(prefix · layers · width²) without a cache and
// O(appended · layers · (width² + cached · width)) with one.

/// A token id as the language model sees it (the same width as Tessera's tokenizer ids).
public typealias LMToken = UInt32

/// A model of next-token distributions over a fixed vocabulary.
public protocol TokenLanguageModel: AnyObject {
    /// The per-sequence incremental state (for a transformer: the keys and values of every layer).
    associatedtype Cache

    /// Number of tokens the model predicts over; every returned row has this many entries.
    var vocabularySize: Int { get }
    /// The longest prefix (in tokens) the model accepts, cache included.
    var contextLength: Int { get }

    /// Natural-log next-token probabilities after each prefix (batched, no cache).
    /// - Throws: when a prefix is empty, longer than `contextLength`, or holds an id ≥ `vocabularySize`.
    func logProbabilities(after prefixes: [[LMToken]]) throws -> [[Float]]

    /// A fresh, empty cache for one sequence.
    func makeCache() -> Cache

    /// Appends `tokens` (at least one) to the sequence that `cache` holds and returns the next-token
    /// log-probabilities after the last of them.
    /// - Throws: when the cache would grow past `contextLength` or an id is out of range.
    func append(_ tokens: [LMToken], to cache: inout Cache) throws -> [Float]

    /// `append` in double precision. Exact models (test oracles, count-based models) implement it to keep
    /// their probabilities exact; float models get the default, which widens `append`'s row.
    func appendPrecise(_ tokens: [LMToken], to cache: inout Cache) throws -> [Double]
}

extension TokenLanguageModel {
    public func appendPrecise(_ tokens: [LMToken], to cache: inout Cache) throws -> [Double] {
        try append(tokens, to: &cache).map(Double.init)
    }
}
