import Foundation
import Testing
@testable import TesseraPreTokenizers
import TesseraTestSupport

// MARK: - Helpers

/// The pieces of `text` as byte arrays (never compare pieces as Swift `String`s: `==` there is canonical
/// equivalence, so "e\u{301}" would equal "é").
private func pieceBytes(_ scanner: PatternScanner, _ text: [UInt8]) -> [[UInt8]] {
    scanner.pieces(of: text).map { Array(text[$0]) }
}

private func split(_ pattern: BuiltinPattern, _ text: String) -> [String] {
    let bytes = Array(text.utf8)
    return PatternScanner(pattern).pieces(of: bytes).map { String(decoding: bytes[$0], as: UTF8.self) }
}

/// The property tests use TesseraTestSupport's seeded SplitMix64, so they are reproducible.
typealias SplitMix64 = SeededGenerator

private func assertTiles(_ ranges: [Range<Int>], count: Int, _ comment: @autoclosure () -> String) {
    var at = 0
    for r in ranges {
        #expect(r.lowerBound == at && r.upperBound > r.lowerBound, "\(comment()) piece \(r) at \(at)")
        at = r.upperBound
    }
    #expect(at == count, "\(comment()) pieces end at \(at) of \(count)")
}

// MARK: - Oracle cases written out

@Suite struct OracleCases {
    @Test func tabThenQuote() {
        // cl100k's [^\r\n\p{L}\p{N}]?\p{L}+ keeps "Well with its quote; the tab stays alone (\s+(?!\S) fails).
        for p in [BuiltinPattern.cl100k, .llama3, .qwen2, .o200k] {
            #expect(split(p, "\t\"Well") == ["\t", "\"Well"], "\(p)")
        }
        #expect(split(.gpt2, "\t\"Well") == ["\t", "\"", "Well"])
    }

    @Test func gpt2Basics() {
        #expect(split(.gpt2, "Hello world! It's 2024.") == ["Hello", " world", "!", " It", "'s", " 2024", "."])
        #expect(split(.gpt2, "a   b\t\tc  ") == ["a", "  ", " b", "\t", "\t", "c", "  "])
        #expect(split(.gpt2, "'S 'll 'LL") == ["'", "S", " '", "ll", " '", "LL"])
        #expect(split(.gpt2, "foo \nbar") == ["foo", " ", "\n", "bar"])
        #expect(split(.gpt2, "x\u{301}y é") == ["x", "\u{301}", "y", " é"])
    }

    @Test func cl100kBasics() {
        #expect(split(.cl100k, "I'M here: 12345 items!!\n\nok") ==
                ["I", "'M", " here", ":", " ", "123", "45", " items", "!!\n\n", "ok"])
        #expect(split(.cl100k, "'\u{17F}") == ["'\u{17F}"])            // (?i:'s) matches LONG S
        #expect(split(.cl100k, "'\u{212A}") == ["'\u{212A}"])          // Kelvin sign: letter, not a contraction
        #expect(split(.cl100k, "x  \n  y") == ["x", "  \n", " ", " y"])
        #expect(split(.qwen2, "12345") == ["1", "2", "3", "4", "5"])
    }

    @Test func trailingWhitespaceDivergence() {
        // The one difference between tiktoken's cl100k string (\s++$) and the older / Hugging Face one.
        #expect(split(.cl100k, "a\n ") == ["a", "\n "])
        #expect(split(.llama3, "a\n ") == ["a", "\n", " "])
        #expect(split(.cl100k, "a\n \n  ") == ["a", "\n \n  "])
        #expect(split(.llama3, "a\n \n  ") == ["a", "\n \n", "  "])
        #expect(split(.cl100k, "a \n") == split(.llama3, "a \n"))
    }

    @Test func o200kCasing() {
        #expect(split(.o200k, "CamelCaseWord") == ["Camel", "Case", "Word"])
        #expect(split(.o200k, "getHTTPResponse") == ["get", "HTTPResponse"])
        #expect(split(.o200k, "HELLO'S don't") == ["HELLO'S", " don't"])
        #expect(split(.o200k, "/usr/bin\n/x") == ["/usr", "/bin", "\n", "/x"])
        #expect(split(.o200k, "!\n/x") == ["!\n/", "x"])
        // A1 without its prefix beats A2 with it: a leading mark is a lower-class character on its own.
        #expect(split(.o200k, "\u{301}AB") == ["\u{301}", "AB"])
    }

    @Test func emptyAndWhitespaceOnly() {
        for p in BuiltinPattern.allCases {
            #expect(split(p, "") == [], "\(p)")
            #expect(split(p, "   ") == ["   "], "\(p)")
            #expect(split(p, "\u{3000}x") == (p == .gpt2 ? ["\u{3000}", "x"] : ["\u{3000}x"]), "\(p)")
        }
    }

    @Test func invalidUTF8BytesAreOther() {
        // E2 82 is a truncated sequence: two "other" characters, byte by byte (an "other" run, then the letter).
        let text: [UInt8] = [0xE2, 0x82, 0x41, 0x20, 0xFF, 0x62]
        for p in BuiltinPattern.allCases {
            #expect(pieceBytes(PatternScanner(p), text) == [[0xE2, 0x82], [0x41], [0x20, 0xFF], [0x62]], "\(p)")
        }
        // A lone invalid byte is one prefix character for cl100k's letter alternative.
        #expect(pieceBytes(PatternScanner(.cl100k), [0x80, 0x61, 0x62]) == [[0x80, 0x61, 0x62]])
    }
}

// MARK: - Patterns and their regex strings

@Suite struct PatternSources {
    @Test(arguments: BuiltinPattern.allCases)
    func matchingRecognisesEveryForm(_ pattern: BuiltinPattern) {
        #expect(BuiltinPattern.matching(regex: pattern.regexSource) == pattern)
        for alt in pattern.alternativeSources {
            #expect(BuiltinPattern.matching(regex: alt) == pattern, "\(alt)")
        }
    }

    @Test func matchingRejectsOtherRegexes() {
        #expect(BuiltinPattern.matching(regex: #"\s+"#) == nil)
        #expect(BuiltinPattern.matching(regex: BuiltinPattern.gpt2.regexSource + " ") == nil)
    }

    @Test func allSourcesAreDistinct() {
        let all = BuiltinPattern.allCases.flatMap { [$0.regexSource] + $0.alternativeSources }
        #expect(Set(all).count == all.count)
    }

    @Test(arguments: BuiltinPattern.allCases)
    func goldenFileUsesTheseStrings(_ pattern: BuiltinPattern) throws {
        let golden = try GoldenSplits.load(pattern: pattern.rawValue)
        #expect(golden.regexSource == pattern.regexSource)
        #expect(golden.alternativeSources == pattern.alternativeSources)
    }

    @Test func splittability() {
        let cases: [(String, Int, Bool)] = [("foo\nbar", 4, true), ("foo \nbar", 5, false), ("a\r\nb", 3, false),
                                            ("\nb", 1, false), ("\u{3000}\nb", 4, false)]
        for (text, position, gpt2Expected) in cases {
            Array(text.utf8).withUnsafeBufferPointer { buffer in
                #expect(PatternScanner(.gpt2).canCut(buffer, before: position) == gpt2Expected, "\(text.debugDescription)")
                for p in BuiltinPattern.allCases where p != .gpt2 {
                    #expect(PatternScanner(p).canCut(buffer, before: position), "\(p)")
                }
            }
        }
    }
}

// MARK: - Character classes

@Suite struct ClassTable {
    let t = ScannerTables.shared

    @Test func whitespaceIsExactlyRegexBackslashS() {
        let expected = Set(ScannerTables.whiteSpace)
        for cp in UInt32(0)..<0x110000 where !(0xD800...0xDFFF).contains(cp) {
            let isSpace = t.flags(of: cp) & CharFlags.space != 0
            if isSpace != expected.contains(cp) {
                Issue.record("U+\(String(cp, radix: 16)) whitespace=\(isSpace)")
            }
        }
        #expect(t.flags(of: 0x180E) == 0)   // MONGOLIAN VOWEL SEPARATOR: not \s since Unicode 6.3
        #expect(t.flags(of: 0x1C) == 0)     // str.isspace() but not regex's \s
        #expect(t.flags(of: 0x200B) == 0)
    }

    @Test func sampleClasses() {
        #expect(t.flags(of: 0x41) == CharClass.upperOnly.rawValue)
        #expect(t.flags(of: 0x1C5) == CharClass.upperOnly.rawValue)   // Lt
        #expect(t.flags(of: 0x17F) == CharClass.lowerOnly.rawValue)
        #expect(t.flags(of: 0x2B0) == CharClass.letterBoth.rawValue)  // Lm
        #expect(t.flags(of: 0x4E2D) == CharClass.letterBoth.rawValue) // Lo
        #expect(t.flags(of: 0x301) == CharClass.mark.rawValue)
        #expect(t.flags(of: 0x903) == CharClass.mark.rawValue)        // Mc
        #expect(t.flags(of: 0x20DD) == CharClass.mark.rawValue)       // Me
        #expect(t.flags(of: 0x663) == CharClass.number.rawValue)
        #expect(t.flags(of: 0x216B) == CharClass.number.rawValue)     // Nl
        #expect(t.flags(of: 0xBD) == CharClass.number.rawValue)       // No
        #expect(t.flags(of: 0x0A) == CharClass.lineBreak.rawValue)
        #expect(t.flags(of: 0x85) == CharClass.whitespace.rawValue)
        #expect(t.flags(of: 0xFFFD) == 0)
        #expect(t.flags(of: 0xE000) == 0)
        // Overrides to regex's Unicode version: U+0295 is Lo there (Ll in Unicode 15), U+1C89 is new (Lu).
        #expect(t.flags(of: 0x295) == CharClass.letterBoth.rawValue)
        #expect(t.flags(of: 0x1C89) == CharClass.upperOnly.rawValue)
        #expect(t.blockCount < 1024)
    }
}

// MARK: - Golden splits from Python regex

@Suite struct GoldenSplitsTests {
    @Test(arguments: BuiltinPattern.allCases)
    func goldenCases(_ pattern: BuiltinPattern) throws {
        let golden = try GoldenSplits.load(pattern: pattern.rawValue)
        #expect(golden.cases.count >= 400)
        let scanner = PatternScanner(pattern)
        var failures = 0
        for c in golden.cases {
            let input = Array(c.input.utf8)
            let got = pieceBytes(scanner, input)
            let want = c.pieces.map { Array($0.utf8) }
            if got != want {
                failures += 1
                if failures <= 10 {
                    Issue.record("\(pattern) \(c.input.debugDescription): got \(got.map { String(decoding: $0, as: UTF8.self) }) want \(c.pieces)")
                }
            }
        }
        #expect(failures == 0, "\(pattern): \(failures) of \(golden.cases.count) cases differ (regex \(golden.regexVersion))")
    }

    @Test(arguments: BuiltinPattern.allCases)
    func goldenByteCases(_ pattern: BuiltinPattern) throws {
        let golden = try GoldenSplits.load(pattern: pattern.rawValue)
        #expect(golden.byteCases.count >= 200)
        let scanner = PatternScanner(pattern)
        var failures = 0
        for c in golden.byteCases {
            let got = scanner.pieces(of: c.inputBytes).map(\.count)
            if got != c.pieceLengths {
                failures += 1
                if failures <= 10 { Issue.record("\(pattern) \(c.inputHex): got \(got) want \(c.pieceLengths)") }
            }
        }
        #expect(failures == 0)
    }
}

// MARK: - Properties

@Suite struct Properties {
    /// Bytes biased towards UTF-8 structure: ASCII classes, lead bytes, continuation bytes, valid sequences.
    static func randomBytes(_ rng: inout SplitMix64, maxLength: Int) -> [UInt8] {
        let pieces: [[UInt8]] = [
            [0x20], [0x20], [0x61], [0x41], [0x27], [0x73], [0x31], [0x0A], [0x0D], [0x09], [0x21], [0x2F],
            [0x80], [0xBF], [0xC0], [0xC2], [0xE0], [0xED], [0xF0], [0xF4], [0xF5], [0xFF],
            [0xC3, 0xA9], [0xC5, 0xBF], [0xCC, 0x81], [0xE3, 0x80, 0x80], [0xE4, 0xB8, 0xAD], [0xF0, 0x9F, 0x98, 0x80],
            [0xE4, 0xB8], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80], [0xE0, 0x80, 0x80],
        ]
        let n = Int.random(in: 0...maxLength, using: &rng)
        var out: [UInt8] = []
        while out.count < n {
            if Int.random(in: 0..<4, using: &rng) == 0 {
                out.append(UInt8.random(in: 0...255, using: &rng))
            } else {
                out += pieces[Int.random(in: 0..<pieces.count, using: &rng)]
            }
        }
        return out
    }

    @Test(arguments: BuiltinPattern.allCases)
    func piecesTileRandomBytes(_ pattern: BuiltinPattern) {
        var rng = SplitMix64(seed: 0x7E55E7A + UInt64(pattern.rawValue.utf8.count))
        let scanner = PatternScanner(pattern)
        for iteration in 0..<3000 {
            let text = Self.randomBytes(&rng, maxLength: 48)
            assertTiles(scanner.pieces(of: text), count: text.count, "\(pattern) #\(iteration) \(text)")
        }
    }

    /// Cuts text after every "\n" that is followed by an ASCII letter, pre-tokenizes the chunks separately, and
    /// compares with the whole text.
    /// With `nonSpaceBeforeNewline`, only where the "\n" itself follows a byte that is not ASCII whitespace.
    static func chunkedPieces(_ scanner: PatternScanner, _ text: [UInt8], nonSpaceBeforeNewline: Bool = false) -> [Range<Int>] {
        var cuts = [0]
        for i in 1..<max(text.count, 1) where text[i - 1] == 0x0A && text[i] < 0x80 && (text[i] | 0x20) >= 0x61 && (text[i] | 0x20) <= 0x7A {
            if nonSpaceBeforeNewline && (i < 2 || [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(text[i - 2]) || text[i - 2] >= 0x80) {
                continue
            }
            cuts.append(i)
        }
        cuts.append(text.count)
        var out: [Range<Int>] = []
        text.withUnsafeBufferPointer { buffer in
            for (a, b) in zip(cuts, cuts.dropFirst()) where b > a {
                scanner.forEachPiece(in: UnsafeBufferPointer(rebasing: buffer[a..<b])) {
                    out.append(($0.lowerBound + a)..<($0.upperBound + a))
                }
            }
        }
        return out
    }

    @Test(arguments: BuiltinPattern.allCases.filter { $0 != .gpt2 })
    func newlineLetterChunking(_ pattern: BuiltinPattern) throws {
        let scanner = PatternScanner(pattern)
        var rng = SplitMix64(seed: 0xC4A7 + UInt64(pattern.rawValue.utf8.count))
        // Fragments that put every kind of character, whitespace run and line ending before "\n<letter>".
        let fragments = ["\n", "\n", "\r\n", "\r", " ", "  ", "\t", "\u{3000}", "\u{A0}", "a", "Z", "s", "'", "'s",
                         "1", "123", "!", "/", "\u{301}", "é", "中", "\u{2028}", "\u{85}", "\n\n", " \n", "\n ", "x\ny"]
        var texts: [[UInt8]] = []
        for _ in 0..<3000 {
            let n = Int.random(in: 1...14, using: &rng)
            texts.append(Array((0..<n).map { _ in fragments[Int.random(in: 0..<fragments.count, using: &rng)] }.joined().utf8))
        }
        // And the golden inputs joined with newlines before letters.
        let golden = try GoldenSplits.load(pattern: pattern.rawValue)
        texts.append(Array(golden.cases.map(\.input).joined(separator: "\nq").utf8))
        for text in texts {
            let whole = scanner.pieces(of: text)
            let chunked = Self.chunkedPieces(scanner, text)
            #expect(whole == chunked, "\(pattern) \(String(decoding: text, as: UTF8.self).debugDescription)")
            for r in whole where r.count > 1 {
                for i in r.lowerBound..<(r.upperBound - 1) where text[i] == 0x0A {
                    let next = text[i + 1] | 0x20
                    #expect(!(next >= 0x61 && next <= 0x7A), "\(pattern): piece spans \\n+letter")
                }
            }
        }
    }

    @Test func gpt2IsNotSplittableAfterNewline() {
        // The counterexample behind gpt2's stricter canCut rule.
        let text = Array("foo \nbar".utf8)
        let scanner = PatternScanner(.gpt2)
        #expect(scanner.pieces(of: text) == [0..<3, 3..<4, 4..<5, 5..<8])
        #expect(Self.chunkedPieces(scanner, text) == [0..<3, 3..<5, 5..<8])
        #expect(Self.chunkedPieces(scanner, Array("a\r\nb".utf8)) == [0..<1, 1..<3, 3..<4])   // whole: "\r", "\n"
    }

    @Test func gpt2IsSplittableAfterNewlineThatFollowsNonSpace() throws {
        // The weaker rule that does hold for gpt2: cut only where "\n" follows a character that is not whitespace
        // and precedes an ASCII letter. (Here a byte >= 0x80 before the "\n" is skipped conservatively: it may end
        // a multi-byte whitespace character such as U+3000.)
        let scanner = PatternScanner(.gpt2)
        var rng = SplitMix64(seed: 0x6972)
        let fragments = ["\n", "\n", "\r\n", "\r", " ", "  ", "\t", "a", "Z", "'s", "1", "!", "/", "\u{301}", "é", "x\ny", "\n\n"]
        var texts: [[UInt8]] = [Array("foo \nbar".utf8), Array("foo\nbar\n\nbaz".utf8)]
        for _ in 0..<3000 {
            let n = Int.random(in: 1...14, using: &rng)
            texts.append(Array((0..<n).map { _ in fragments[Int.random(in: 0..<fragments.count, using: &rng)] }.joined().utf8))
        }
        let golden = try GoldenSplits.load(pattern: "gpt2")
        texts.append(Array(golden.cases.map(\.input).joined(separator: ".\nq").utf8))
        for text in texts {
            #expect(scanner.pieces(of: text) == Self.chunkedPieces(scanner, text, nonSpaceBeforeNewline: true),
                    "\(String(decoding: text, as: UTF8.self).debugDescription)")
        }
    }

    @Test func worksOnSlices() {
        // A pre-tokenizer sequence hands the scanner rebased slices; multi-byte characters must not be read past
        // the slice end.
        let text = Array("ab中".utf8)
        let pieces = text.withUnsafeBufferPointer { buffer in
            var out: [Range<Int>] = []
            PatternScanner(.cl100k).forEachPiece(in: UnsafeBufferPointer(rebasing: buffer[0..<4])) { out.append($0) }
            return out
        }
        #expect(pieces == [0..<2, 2..<4])   // E4 B8 (truncated): two "other" bytes, one run
    }
}

// MARK: - Corpus digests (need ../shared beside the package)

@Suite struct CorpusDigests {
    static let longTests = ProcessInfo.processInfo.environment["TESSERA_LONG_TESTS"] == "1"

    static func check(_ label: String) throws {
        let file = try GoldenSplits.loadDigests()
        guard let text = try GoldenSplits.sharedCorpus(label) else {
            print("skipped: corpus digest for \(label) needs ../shared/\(label) beside the package")
            return
        }
        for pattern in BuiltinPattern.allCases {
            guard let want = file.digests[pattern.rawValue]?[label] else {
                Issue.record("no digest for \(pattern) \(label)"); continue
            }
            var digest = LengthDigest()
            var total = 0
            text.withUnsafeBufferPointer { buffer in
                PatternScanner(pattern).forEachPiece(in: buffer) { r in
                    digest.add(r.count)
                    total += r.count
                }
            }
            #expect(total == text.count && want.bytes == text.count, "\(pattern) \(label)")
            #expect(digest.count == want.pieces && digest.hex == want.fnv1a64,
                    "\(pattern) \(label): \(digest.count) pieces \(digest.hex), regex \(want.pieces) \(want.fnv1a64)")
        }
    }

    static let haveShared = Fixtures.shared("corpora") != nil

    @Test(.enabled(if: haveShared, "skipped: the corpus digests need ../shared/corpora beside the package"),
          arguments: ["corpora/code/c_headers.txt", "corpora/code/go.txt", "corpora/code/java.txt",
                      "corpora/code/perl.txt", "corpora/code/python.txt", "corpora/code/rust.txt",
                      "corpora/code/swift.txt", "corpora/flores200/dev/*"])
    func codeAndFlores(_ label: String) throws {
        try Self.check(label)
    }

    /// 20 MB of English; slow in a debug build, so only with TESSERA_LONG_TESTS=1.
    @Test(.enabled(if: longTests, "set TESSERA_LONG_TESTS=1 to check the 20 MB English digest"),
          .enabled(if: haveShared, "skipped: the corpus digests need ../shared/corpora beside the package"))
    func english20MB() throws {
        try Self.check("corpora/english/en_bench_20MB.txt")
    }

    @Test func digestFileCoversEveryPattern() throws {
        let file = try GoldenSplits.loadDigests()
        for pattern in BuiltinPattern.allCases {
            #expect(file.digests[pattern.rawValue]?.count == 9, "\(pattern)")
        }
    }
}
