// Errors of counting and training. Each names what was wrong and how to fix it.

/// A training or counting failure.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// There was nothing to count or train on.
    case noInput(String)
    /// A count table was made with another pre-tokenizer, normalizer or limit than the first one.
    case incompatibleCounts(index: Int, expected: CountSource, found: CountSource)
    /// A `.counts` file is malformed: file, byte offset, problem, fix.
    case malformedCounts(file: String, offset: Int, problem: String, fix: String)
    /// A parameter is out of range.
    case invalidParameter(name: String, problem: String, fix: String)
    /// The tokenizer to continue from cannot be extended.
    case cannotContinue(String, fix: String)

    public var description: String {
        switch self {
        case .noInput(let what): return "nothing to train on: \(what). Fix: give at least one non-empty input."
        case .incompatibleCounts(let index, let expected, let found):
            return "count table #\(index + 1) was made with \(Self.describe(found)), but the first with \(Self.describe(expected)). "
                + "Fix: count every shard with the same --pattern, normalizer and --max-pretoken-bytes."
        case .malformedCounts(let file, let offset, let problem, let fix):
            return "\(file): byte \(offset): \(problem). Fix: \(fix)."
        case .invalidParameter(let name, let problem, let fix):
            return "\(name): \(problem). Fix: \(fix)."
        case .cannotContinue(let problem, let fix):
            return "cannot continue training: \(problem). Fix: \(fix)."
        }
    }

    static func describe(_ s: CountSource) -> String {
        "pre-tokenizer \(s.preTokenizer), normalizer \(s.normalizer ?? "none"), max pre-token bytes \(s.maxPretokenBytes)"
    }
}
