// LiBTrainer: runs the learner for a number of steps and turns its lexicon into a usable vocabulary —
// the parts the reference leaves to its user:
// - clean-up: chunks still on probation are dropped (the reference's `clean_lexicon`);
// - character base: every character read during training is in the final lexicon (the reference can
//   forget characters; those missing are appended at the tail, in code-point order), so the model
//   never needs a byte fallback for text like its training text;
// - vocabulary-size target: training goes on past `steps` (up to `maxSteps`) until the lexicon without
//   its probation chunks holds at least V types, and then the lowest-ranked multi-character chunks are
//   dropped until exactly V remain.
//
// Invariant: the result lists distinct, non-empty, valid UTF-8 chunks in rank order and contains
// every character of the corpus; with a target it has exactly V entries.
// Complexity: the learner's cost per step; O(|L| log |L|) for the final clean-up and pruning.

/// The outcome of a training run.
public struct LiBTrainingResult: Sendable {
    /// The lexicon in rank order (id = rank).
    public var lexicon: [[UInt8]]
    /// Steps and sentences read.
    public var steps: Int
    public var sentences: Int
    /// Lexicon size after the clean-up, before pruning to the target.
    public var sizeAfterCleanup: Int
    /// Characters that had been forgotten and were put back.
    public var restoredCharacters: Int
    /// Distinct characters of the corpus.
    public var characters: Int
}

/// Progress after each step.
public struct LiBProgress: Sendable {
    public var step: Int
    public var plannedSteps: Int
    public var lexiconSize: Int
    public var onProbation: Int
}

public enum LiBTrainer {
    /// Trains a lexicon.
    /// - Parameters:
    ///   - steps: steps (articles) to read at least.
    ///   - vocabularySize: exact number of types wanted, or nil for whatever the learner keeps.
    ///   - maxSteps: with a target, the most steps to read while the lexicon is still too small (default 4 × steps).
    ///   - nextArticle: fills the article for the next step (the next `sentencesPerStep` sentences).
    /// - Throws: `LiBError` (empty corpus, target not reached, target below the character count), or
    ///   whatever `nextArticle` throws.
    public static func train(parameters: LiBParameters, steps: Int, vocabularySize: Int? = nil, maxSteps: Int? = nil,
                             nextArticle: (inout LiBArticle) throws -> Void,
                             progress: ((LiBProgress) -> Void)? = nil) throws -> LiBTrainingResult {
        guard steps >= 1 else { throw LiBError.invalidParameter("steps must be at least 1, got \(steps)") }
        if let v = vocabularySize, v < 1 { throw LiBError.invalidParameter("vocabulary size must be at least 1, got \(v)") }
        let learner = try LiBLearner(parameters: parameters)
        let limit = vocabularySize == nil ? steps : max(steps, maxSteps ?? 4 * steps)
        var article = LiBArticle()
        while learner.steps < limit {
            if learner.steps >= steps, let v = vocabularySize, learner.lexiconCount - learner.probationCount >= v { break }
            try nextArticle(&article)
            if article.isEmpty { throw LiBError.emptyCorpus }
            try learner.learn(article)
            progress?(LiBProgress(step: learner.steps, plannedSteps: steps, lexiconSize: learner.lexiconCount,
                                  onProbation: learner.probationCount))
        }
        if learner.seenCharacters.isEmpty { throw LiBError.emptyCorpus }
        let (lexicon, cleaned) = try learner.finish(vocabularySize: vocabularySize)
        if let v = vocabularySize, lexicon.count < v {
            throw LiBError.vocabularyNotReached(target: v, reached: lexicon.count, steps: learner.steps)
        }
        return LiBTrainingResult(lexicon: lexicon, steps: learner.steps, sentences: learner.sentences,
                                 sizeAfterCleanup: cleaned, restoredCharacters: learner.restoredCharacters,
                                 characters: learner.seenCharacters.count)
    }
}

extension LiBLearner {
    /// Ends training: drops the chunks on probation, puts back forgotten characters, and with a target
    /// drops the lowest-ranked multi-character chunks until `vocabularySize` remain. Returns the lexicon
    /// in rank order and its size after the clean-up (before pruning).
    /// - Throws: `LiBError.vocabularyBelowCharacters` when the target cannot hold every character,
    ///   `.lexiconTooLarge` when the trie has no room for a character.
    public func finish(vocabularySize: Int? = nil) throws -> (lexicon: [[UInt8]], sizeAfterCleanup: Int) {
        if let v = vocabularySize, v < seenCharacters.count {
            throw LiBError.vocabularyBelowCharacters(target: v, characters: seenCharacters.count)
        }
        removeChunksOnProbation()
        let characters = seenCharacters.map { c -> [UInt8] in
            var bytes: [UInt8] = []
            var v = c
            repeat { bytes.append(UInt8(v & 0xff)); v >>= 8 } while v != 0
            return bytes
        }.sorted { $0.lexicographicallyPrecedes($1) }
        for c in characters {
            let missing = c.withUnsafeBufferPointer { trie.lookup($0.baseAddress!, $0.count) } < 0
            guard missing else { continue }
            guard let node = c.withUnsafeBufferPointer({ trie.insert($0.baseAddress!, $0.count) }) else {
                throw LiBError.lexiconTooLarge(nodes: ChunkTrie.maxNodes)
            }
            track(UInt32(node))
            order.append(UInt32(node))
            restoredCharacters += 1
        }
        let cleaned = order.count
        if let v = vocabularySize, order.count > v {
            var r = order.count - 1
            while order.count > v && r >= 0 {
                let h = order.handle(at: r)
                let bytes = trie.bytes(ofNode: Int32(h))
                if bytes.count > utf8Length(bytes[0]) { deleteEntry(h) }
                r -= 1
            }
        }
        return (lexicon(), cleaned)
    }
}
