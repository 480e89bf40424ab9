// Hugging Face `tokenizers`' delimiter behaviours for `NormalizedString::split` and the Split pre-tokenizer's
// `invert` flag, as a pure function on byte ranges.
//
// Invariant: the text [0, count) is first cut into alternating segments (gaps and matches, each flagged "is
// match", the flag negated when `invert`); the behaviour then merges or drops segments; empty pieces are
// dropped, as Hugging Face drops empty splits. Output pieces are in order and never overlap.
// Complexity: O(m) time and space for m matches.

/// What to do with the parts a pattern matches (Hugging Face's `SplitDelimiterBehavior`).
///
/// On "the-final--countdown" split on "-":
/// | behaviour | pieces |
/// |---|---|
/// | removed | "the", "final", "countdown" |
/// | isolated | "the", "-", "final", "-", "-", "countdown" |
/// | mergedWithPrevious | "the-", "final-", "-", "countdown" |
/// | mergedWithNext | "the", "-final", "-", "-countdown" |
/// | contiguous | "the", "-", "final", "--", "countdown" |
public enum SplitBehavior: String, Sendable, CaseIterable {
    /// Matches are dropped.
    case removed
    /// Every match is its own piece.
    case isolated
    /// A match joins the piece before it, unless that piece is itself a match.
    case mergedWithPrevious
    /// A match joins the piece after it, unless that piece is itself a match.
    case mergedWithNext
    /// Consecutive matches form one piece.
    case contiguous

    /// Parses Hugging Face's JSON spelling ("Removed", "Isolated", "MergedWithPrevious", "MergedWithNext",
    /// "Contiguous"); also accepts this enum's raw values.
    public init?(huggingFaceName name: String) {
        switch name {
        case "Removed", "removed": self = .removed
        case "Isolated", "isolated": self = .isolated
        case "MergedWithPrevious", "merged_with_previous", "mergedWithPrevious": self = .mergedWithPrevious
        case "MergedWithNext", "merged_with_next", "mergedWithNext": self = .mergedWithNext
        case "Contiguous", "contiguous": self = .contiguous
        default: return nil
        }
    }
}

/// The pieces Hugging Face's `Split` pre-tokenizer produces from a text of `count` bytes and its pattern's matches.
///
/// - Parameters:
///   - count: length of the text in bytes.
///   - matches: the pattern's matches, sorted and non-overlapping, within `0...count`; a match that starts
///     before the previous one ends or lies outside the text is ignored.
///   - behavior: what to do with matched parts.
///   - invert: when true, the gaps between matches are treated as the matches and the matches as gaps
///     (Hugging Face's `Split(invert: true)`).
/// - Returns: non-empty byte ranges in order. With `.isolated` (and with every behaviour but `.removed`) they
///   tile the text exactly.
public func splitPieces(count: Int, matches: [Range<Int>], behavior: SplitBehavior, invert: Bool) -> [Range<Int>] {
    guard count > 0 else { return [] }

    // Segments: gaps and matches, covering [0, count). Empty matches stay: they separate segments.
    var lower: [Int] = []
    var upper: [Int] = []
    var isMatch: [Bool] = []
    let capacity = matches.count * 2 + 1
    lower.reserveCapacity(capacity)
    upper.reserveCapacity(capacity)
    isMatch.reserveCapacity(capacity)
    var previousEnd = 0
    for match in matches {
        guard match.lowerBound >= previousEnd, match.upperBound <= count else { continue }
        if match.lowerBound != previousEnd {
            lower.append(previousEnd); upper.append(match.lowerBound); isMatch.append(invert)
        }
        lower.append(match.lowerBound); upper.append(match.upperBound); isMatch.append(!invert)
        previousEnd = match.upperBound
    }
    if previousEnd != count {
        lower.append(previousEnd); upper.append(count); isMatch.append(invert)
    }

    var pieces: [Range<Int>] = []
    pieces.reserveCapacity(lower.count)
    switch behavior {
    case .isolated:
        for k in lower.indices { pieces.append(lower[k]..<upper[k]) }
    case .removed:
        for k in lower.indices where !isMatch[k] { pieces.append(lower[k]..<upper[k]) }
    case .contiguous:
        var previousMatch = false
        for k in lower.indices {
            if isMatch[k] == previousMatch, let last = pieces.last {
                pieces[pieces.count - 1] = last.lowerBound..<upper[k]
            } else {
                pieces.append(lower[k]..<upper[k])
            }
            previousMatch = isMatch[k]
        }
    case .mergedWithPrevious:
        var previousMatch = false
        for k in lower.indices {
            if isMatch[k] && !previousMatch, let last = pieces.last {
                pieces[pieces.count - 1] = last.lowerBound..<upper[k]
            } else {
                pieces.append(lower[k]..<upper[k])
            }
            previousMatch = isMatch[k]
        }
    case .mergedWithNext:
        // Mirror image of mergedWithPrevious: walk backwards and extend the following piece's start.
        var nextMatch = false
        for k in lower.indices.reversed() {
            if isMatch[k] && !nextMatch, let last = pieces.last {
                pieces[pieces.count - 1] = lower[k]..<last.upperBound
            } else {
                pieces.append(lower[k]..<upper[k])
            }
            nextMatch = isMatch[k]
        }
        pieces.reverse()
    }
    pieces.removeAll { $0.isEmpty }
    return pieces
}
