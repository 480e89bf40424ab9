// Errors of data-mixture inference. Each names what was wrong and how to fix it.

/// A data-mixture inference failure.
public enum MixtureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HiGHS shared library could not be loaded: the paths tried, the loader's last message.
    case solverLibraryMissing(tried: [String], reason: String)
    /// The loaded HiGHS library is unusable (a missing symbol, 64-bit HighsInt).
    case solverLibraryUnusable(path: String, problem: String)
    /// The solver did not reach an optimum: its status text.
    case solverFailed(String)
    /// A category has no text, or no adjacent symbol pair (nothing to estimate from).
    case emptyCategory(name: String)
    /// Two categories have the same name.
    case duplicateCategory(name: String)
    /// A merge of the list cannot be replayed: its index (0-based) and the problem.
    case invalidMerge(index: Int, problem: String)
    /// The tokenizer is not a byte-level BPE (no merge list to replay).
    case unsupportedTokenizer(name: String, problem: String)
    /// Fewer than two categories, or a parameter out of range.
    case invalidParameter(name: String, problem: String, fix: String)

    public var description: String {
        switch self {
        case .solverLibraryMissing(let tried, let reason):
            return "the HiGHS LP solver library was not found (tried \(tried.joined(separator: ", ")); \(reason)). "
                + "Fix: run `make deps` (installs libhighs.so.1 from the pinned highspy wheel into /usr/local/lib), "
                + "or set TESSERA_HIGHS_LIBRARY to the path of a libhighs.so."
        case .solverLibraryUnusable(let path, let problem):
            return "\(path): \(problem). Fix: use the HiGHS build `make deps` installs (highspy 1.15.1, 32-bit HighsInt), "
                + "or point TESSERA_HIGHS_LIBRARY at one."
        case .solverFailed(let status):
            return "the LP solver stopped without an optimum (\(status)). Fix: check the samples (a category with "
                + "almost no text makes the LP degenerate) or lower --merges."
        case .emptyCategory(let name):
            return "category \(name) has no adjacent byte pair to count. Fix: give it a non-empty sample text."
        case .duplicateCategory(let name):
            return "category \(name) is given twice. Fix: give each category once (NAME=PATH, files separated by commas)."
        case .invalidMerge(let index, let problem):
            return "merge #\(index + 1): \(problem). Fix: give the tokenizer's complete merge list in order."
        case .unsupportedTokenizer(let name, let problem):
            return "\(name): \(problem). Fix: use a byte-level BPE tokenizer (GPT-2, cl100k, o200k, Llama 3, Qwen2: "
                + ".tiktoken, tokenizer.json, vocab.json + merges.txt)."
        case .invalidParameter(let name, let problem, let fix):
            return "\(name): \(problem). Fix: \(fix)."
        }
    }
}
