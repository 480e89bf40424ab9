// Errors of the LiB learner and model: each says what is wrong and what to change.

/// A problem training or building a LiB lexicon.
public enum LiBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A parameter is out of range.
    case invalidParameter(String)
    /// The corpus has no text at all.
    case emptyCorpus
    /// The vocabulary-size target is below the number of distinct characters, which must all stay.
    case vocabularyBelowCharacters(target: Int, characters: Int)
    /// The lexicon did not grow to the vocabulary-size target within the step budget.
    case vocabularyNotReached(target: Int, reached: Int, steps: Int)
    /// The trie would exceed its node limit.
    case lexiconTooLarge(nodes: Int)
    /// A lexicon given to `LiBModel` is unusable (empty, duplicate or invalid token).
    case invalidLexicon(String)

    public var description: String {
        switch self {
        case .invalidParameter(let s): return "invalid LiB parameter: \(s)"
        case .emptyCorpus: return "the corpus has no text to learn from. Fix: give non-empty UTF-8 text files"
        case .vocabularyBelowCharacters(let target, let characters):
            return "--vocab-size \(target) is smaller than the \(characters) distinct characters of the corpus, "
                + "which the lexicon always keeps. Fix: ask for at least \(characters)"
        case .vocabularyNotReached(let target, let reached, let steps):
            return "the lexicon reached only \(reached) types after \(steps) steps, fewer than --vocab-size \(target). "
                + "Fix: raise --max-steps, raise --life (τ0) or lower --out-rate (ω) so fewer chunks are forgotten, "
                + "or ask for a smaller vocabulary"
        case .lexiconTooLarge(let nodes):
            return "the lexicon's trie would exceed \(nodes) nodes. Fix: set --max-chunk-chars or raise --out-rate"
        case .invalidLexicon(let s): return "invalid LiB lexicon: \(s)"
        }
    }
}
