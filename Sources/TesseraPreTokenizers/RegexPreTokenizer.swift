// RegexPreTokenizer: Hugging Face's `Split` pre-tokenizer (regex pattern + delimiter behaviour + invert) on ICU.
//
// Invariant: pieces are the output of `splitPieces` over the ICU matches of the whole input (minus the empty
// matches that Oniguruma would not report, see forEachPiece), so they are in
// order, non-empty and non-overlapping, and tile the input for every behaviour except `.removed` (for a
// tiktoken-style pattern with `.isolated`, text no alternative matches becomes a piece of its own).
// Complexity: O(n) for tokenizer patterns (ICU backtracking is pattern-dependent), plus O(m) for m matches.

import TesseraUnicode

/// Splits text on a regular expression, the way Hugging Face `tokenizers`' `Split` pre-tokenizer does, or
/// (with `.isolated`, the default) the way GPT-2/tiktoken-style patterns cut text into pre-tokens.
///
/// The regular expression runs on ICU (see ``ICURegex`` for the exact semantics); one instance may be used from
/// several threads at once.
public struct RegexPreTokenizer: PreTokenizer {
    /// The regular expression, as given.
    public let pattern: String
    /// What happens to matched text.
    public let behavior: SplitBehavior
    /// When true, the text between matches plays the role of the matches (Hugging Face's `invert`).
    public let invert: Bool

    private let regex: ICURegex

    /// Compiles `pattern`.
    /// - Throws: `UnicodeError.regexSyntax` when ICU rejects the pattern.
    public init(pattern: String, behavior: SplitBehavior = .isolated, invert: Bool = false) throws(UnicodeError) {
        self.pattern = pattern
        self.behavior = behavior
        self.invert = invert
        self.regex = try ICURegex(pattern)
    }

    /// Calls `body` with each piece's byte range.
    ///
    /// If ICU fails while matching (not expected once the pattern compiled; it would take an ICU resource
    /// limit), the whole text is reported as one piece: the protocol cannot throw, and one piece keeps every
    /// byte of the input, so encoding stays lossless even though the split is then coarser than intended.
    public func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        guard !text.isEmpty else { return }
        var matches: [Range<Int>] = []
        var previousEnd = -1
        do {
            try regex.forEachMatch(in: text) { match in
                // Oniguruma (Hugging Face) and Rust's regex crate (tiktoken) never report an empty match that
                // touches the end of the previous match; ICU, like Python, does. Dropping it keeps the split equal
                // to Hugging Face's (it matters for merged behaviours, e.g. `\d*` on "a12b").
                if match.isEmpty && match.lowerBound == previousEnd { return }
                matches.append(match)
                previousEnd = match.upperBound
            }
        } catch {
            body(0..<text.count)
            return
        }
        for piece in splitPieces(count: text.count, matches: matches, behavior: behavior, invert: invert) {
            body(piece)
        }
    }
}
