// MixtureSamples: category files → pre-token counts with the target tokenizer's own normalizer and
// pre-tokenizer (so words split exactly as the tokenizer's training data did) → SampleReplay, one
// category per worker (Parallel.map; results in input order whatever the thread count).
// Complexity: O(sample bytes) counting + the replay of each category, spread over `threads`.

import Synchronization
import TesseraTokenizer
import TesseraTraining

/// A named category and the files of its sample.
public struct MixtureCategory: Sendable, Equatable {
    public var name: String
    public var files: [String]
    public init(name: String, files: [String]) {
        self.name = name
        self.files = files
    }
}

public enum MixtureSamples {
    /// A pre-token counter that splits text as `tokenizer` does.
    public static func counter(for tokenizer: Tokenizer) throws -> PretokenCounter {
        try PretokenCounter(preTokenizer: tokenizer.preTokenizer, preTokenizerName: tokenizer.name, normalizer: tokenizer.normalizer)
    }

    /// Counts and replays every category.
    /// - Parameter progress: called with (categories done, total) as replays finish (from worker threads).
    /// - Throws: `FormatError` for unreadable files, `MixtureError` for empty or duplicate categories.
    public static func replay(_ categories: [MixtureCategory], tokenizer: Tokenizer, merges: ByteMergeList, threads: Int,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> [SampleReplay] {
        var seen = Set<String>()
        for c in categories where !seen.insert(c.name).inserted { throw MixtureError.duplicateCategory(name: c.name) }
        let counter = try counter(for: tokenizer)
        let done = Atomic<Int>(0)
        return try Parallel.map(count: categories.count, threads: threads) { i in
            let c = categories[i]
            let counts = try counter.count(files: c.files)
            let replay = try SampleReplay(name: c.name, counts: counts, merges: merges)
            progress?(done.add(1, ordering: .relaxed).newValue, categories.count)
            return replay
        }
    }

    /// Replays in-memory pre-token counts (one per category) in parallel.
    public static func replay(counts: [(name: String, counts: PretokenCounts)], merges: ByteMergeList, threads: Int) throws -> [SampleReplay] {
        let items = counts.map { ($0.name, $0.counts) }
        return try Parallel.map(count: items.count, threads: threads) { i in
            try SampleReplay(name: items[i].0, counts: items[i].1, merges: merges)
        }
    }
}
