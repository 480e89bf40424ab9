// The ICU path (RegexPreTokenizer) against Python `regex` (the golden splits) and against the
// hand-written scanners: two independent implementations of the same five patterns.
import Testing
import TesseraPreTokenizers
import TesseraTestSupport
import TesseraUnicode

@Suite("RegexPreTokenizer (ICU)")
struct RegexPreTokenizerTests {
    /// ICU (Debian's ICU 72) knows Unicode 15; the golden files come from Python `regex` with Unicode 17
    /// and deliberately include letters assigned since. Those inputs are compared scanner-only (the
    /// scanners carry the newer classes); here only inputs made of Unicode 15 characters are compared.
    static func assignedInUnicode15(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { GeneralCategory.of($0.value) != .unassigned }   // utf8proc 2.8: Unicode 15
    }

    @Test("every reference pattern through ICU splits the golden inputs like Python regex", arguments: BuiltinPattern.allCases)
    func goldenThroughICU(_ pattern: BuiltinPattern) throws {
        let golden = try GoldenSplits.load(pattern: pattern.rawValue)
        let regex = try RegexPreTokenizer(pattern: pattern.regexSource)
        var mismatches = 0, compared = 0
        for c in golden.cases where Self.assignedInUnicode15(c.input) {
            compared += 1
            let text = Array(c.input.utf8)
            let pieces = regex.pieces(of: text).map { String(decoding: text[$0], as: UTF8.self) }
            if pieces != c.pieces {
                mismatches += 1
                if mismatches <= 3 { Issue.record("\(pattern): \(c.input.debugDescription) → \(pieces) expected \(c.pieces)") }
            }
        }
        #expect(mismatches == 0)
        #expect(compared > 250, "too few golden inputs use only Unicode 15 characters: \(compared)")
    }

    @Test("Split behaviours through the pre-tokenizer: the Hugging Face example")
    func behaviours() throws {
        let text = Array("the-final--countdown".utf8)
        let expected: [SplitBehavior: [String]] = [
            .removed: ["the", "final", "countdown"],
            .isolated: ["the", "-", "final", "-", "-", "countdown"],
            .mergedWithPrevious: ["the-", "final-", "-", "countdown"],
            .mergedWithNext: ["the", "-final", "-", "-countdown"],
            .contiguous: ["the", "-", "final", "--", "countdown"],
        ]
        for (behavior, pieces) in expected {
            let splitter = try RegexPreTokenizer(pattern: "-", behavior: behavior)
            #expect(splitter.pieces(of: text).map { String(decoding: text[$0], as: UTF8.self) } == pieces, "\(behavior)")
        }
    }

    @Test("a bad pattern is a typed error naming the pattern")
    func badPattern() {
        #expect(throws: UnicodeError.self) { try RegexPreTokenizer(pattern: "(unclosed") }
    }
}
