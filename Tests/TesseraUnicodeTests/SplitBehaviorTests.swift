// Tests for splitPieces: Hugging Face's five SplitDelimiterBehavior values and the Split pre-tokenizer's invert.
//
// Invariant: expectations for "the-final--countdown" are Hugging Face's documented examples; the others follow
// from the same definitions (segments = gaps and matches; behaviour merges; empty pieces dropped).
// Complexity: tiny inputs.

import Testing
import TesseraUnicode

@Suite("Split behaviours")
struct SplitBehaviorTests {
    /// Pieces of `text` split on every occurrence of `-` (one-byte matches found by hand).
    private func split(_ text: String, _ behavior: SplitBehavior, invert: Bool = false,
                       matches: [Range<Int>]? = nil) -> [String] {
        let utf8 = bytes(text)
        let found = matches ?? utf8.indices.filter { utf8[$0] == UInt8(ascii: "-") }.map { $0..<($0 + 1) }
        return slices(text, splitPieces(count: utf8.count, matches: found, behavior: behavior, invert: invert))
    }

    @Test("Hugging Face's documented example", arguments: [
        (SplitBehavior.removed, ["the", "final", "countdown"]),
        (.isolated, ["the", "-", "final", "-", "-", "countdown"]),
        (.mergedWithPrevious, ["the-", "final-", "-", "countdown"]),
        (.mergedWithNext, ["the", "-final", "-", "-countdown"]),
        (.contiguous, ["the", "-", "final", "--", "countdown"]),
    ])
    func documentedExample(behavior: SplitBehavior, expected: [String]) {
        #expect(split("the-final--countdown", behavior) == expected)
    }

    @Test("Inverted: the text between matches plays the delimiter", arguments: [
        // The two "-" stay separate segments (they were two matches), so removed keeps them apart and contiguous,
        // which merges runs of equal kind, joins them.
        (SplitBehavior.removed, ["-", "-", "-"]),
        (.isolated, ["the", "-", "final", "-", "-", "countdown"]),
        (.mergedWithPrevious, ["the", "-final", "-", "-countdown"]),
        (.mergedWithNext, ["the-", "final-", "-", "countdown"]),
        (.contiguous, ["the", "-", "final", "--", "countdown"]),
    ])
    func inverted(behavior: SplitBehavior, expected: [String]) {
        #expect(split("the-final--countdown", behavior, invert: true) == expected)
    }

    @Test("Matches at the start and the end", arguments: [
        (SplitBehavior.removed, ["a", "b"]),
        (.isolated, ["-", "a", "-", "b", "-"]),
        (.mergedWithPrevious, ["-", "a-", "b-"]),
        (.mergedWithNext, ["-a", "-b", "-"]),
        (.contiguous, ["-", "a", "-", "b", "-"]),
    ])
    func matchesAtEdges(behavior: SplitBehavior, expected: [String]) {
        #expect(split("-a-b-", behavior) == expected)
    }

    @Test("Adjacent matches", arguments: [
        (SplitBehavior.removed, ["x"]),
        (.isolated, ["-", "-", "-", "x"]),
        (.mergedWithPrevious, ["-", "-", "-", "x"]),
        (.mergedWithNext, ["-", "-", "-x"]),
        (.contiguous, ["---", "x"]),
    ])
    func adjacentMatches(behavior: SplitBehavior, expected: [String]) {
        #expect(split("---x", behavior) == expected)
    }

    @Test("No match and empty text", arguments: SplitBehavior.allCases)
    func noMatch(behavior: SplitBehavior) {
        #expect(split("abc", behavior) == ["abc"])
        #expect(split("", behavior).isEmpty)
        #expect(split("", behavior, invert: true).isEmpty)
        // Inverted, the whole text is one match: removed drops it, the others keep it.
        #expect(split("abc", behavior, invert: true) == (behavior == .removed ? [] : ["abc"]))
    }

    @Test("Whole text matched")
    func wholeMatch() {
        #expect(split("---", .removed).isEmpty)
        #expect(split("---", .contiguous) == ["---"])
        #expect(split("---", .mergedWithPrevious) == ["-", "-", "-"])
    }

    @Test("Empty matches separate segments but never produce empty pieces")
    func emptyMatches() {
        // Empty matches at 0, 3 and 6 of "日本" (the empty pattern); isolated cuts at each scalar boundary.
        let matches = [0..<0, 3..<3, 6..<6]
        #expect(split("日本", .isolated, matches: matches) == ["日", "本"])
        #expect(split("日本", .removed, matches: matches) == ["日", "本"])
        #expect(split("日本", .contiguous, matches: matches) == ["日", "本"])
    }

    @Test("Out-of-order or out-of-range matches are ignored")
    func malformedMatches() {
        #expect(split("abcdef", .isolated, matches: [2..<4, 3..<5, 5..<9]) == ["ab", "cd", "ef"])
    }

    @Test("Hugging Face JSON names", arguments: [
        ("Removed", SplitBehavior.removed), ("Isolated", .isolated), ("MergedWithPrevious", .mergedWithPrevious),
        ("MergedWithNext", .mergedWithNext), ("Contiguous", .contiguous), ("merged_with_next", .mergedWithNext),
    ])
    func huggingFaceNames(name: String, expected: SplitBehavior) {
        #expect(SplitBehavior(huggingFaceName: name) == expected)
        #expect(SplitBehavior(huggingFaceName: "Bogus") == nil)
    }
}
