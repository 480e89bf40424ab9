// Tests for ICURegex: UTF-8 byte offsets, Python-finditer semantics for empty matches, syntax errors, the
// patterns tokenizer.json files use, GPT-2 pre-tokenization (ICURegex + splitPieces, exactly what
// TesseraPreTokenizers.RegexPreTokenizer runs) and concurrent use of one instance.
//
// Invariant: every expected split or offset list below came from Python's `regex` module 2026.5.9 on this
// machine (`regex.finditer`, offsets converted to UTF-8 bytes). Complexity: small inputs; the concurrency test
// runs 16 × 20 matches over a 4 KB text.

import Dispatch
import Synchronization
import Testing
import TesseraUnicode

private let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

@Suite("ICU regular expressions")
struct RegexTests {
    @Test("Match ranges are UTF-8 byte offsets")
    func byteOffsets() throws {
        // regex.finditer(r"\p{L}+", "Жук 日本 ab") → byte ranges (0,6) (7,13) (14,16)
        #expect(try ICURegex(#"\p{L}+"#).matches(in: bytes("Жук 日本 ab")) == [0..<6, 7..<13, 14..<16])
        // regex.finditer(r"(?i:L+)", "héllo wörld") → (3,5) (11,12)
        #expect(try ICURegex("(?i:L+)").matches(in: bytes("héllo wörld")) == [3..<5, 11..<12])
        #expect(try ICURegex("àb", caseInsensitive: true).matches(in: bytes("ÀB")) == [0..<3])
        #expect(try ICURegex("àb").matches(in: bytes("ÀB")).isEmpty)
    }

    @Test("Empty matches follow Python finditer")
    func emptyMatches() throws {
        // regex.finditer(r"\d*", "a12b") → (0,0) (1,3) (3,3) (4,4): an empty match may follow a non-empty one.
        #expect(try ICURegex(#"\d*"#).matches(in: bytes("a12b")) == [0..<0, 1..<3, 3..<3, 4..<4])
        // regex.finditer(r"", "日本") → byte offsets 0, 3, 6: the search advances one scalar, not one byte.
        #expect(try ICURegex("").matches(in: bytes("日本")) == [0..<0, 3..<3, 6..<6])
        #expect(try ICURegex("x").matches(in: [UInt8]()).isEmpty)
        #expect(try ICURegex("x*").matches(in: [UInt8]()) == [0..<0])
    }

    @Test("Unix line semantics: only \\n ends a line for . and $")
    func unixLines() throws {
        #expect(try ICURegex("a.b").matches(in: bytes("a\rb a\u{2028}b a\nb")) == [0..<3, 4..<9])
        #expect(try ICURegex("b$").matches(in: bytes("ab\n")) == [1..<2])
    }

    @Test("Syntax errors name ICU's error and the position", arguments: [
        ("(abc", "U_REGEX_MISMATCHED_PAREN", 4),
        ("a{2,1}", "U_REGEX_MAX_LT_MIN", 6),
        (#"\p{NoSuchProperty}"#, "U_REGEX_PROPERTY_SYNTAX", 18),
        ("[z-a]", "U_REGEX_INVALID_RANGE", 4),
        ("日本(?<", "U_REGEX_RULE_SYNTAX", 5),
        ("ab\ncd(", "U_REGEX_MISMATCHED_PAREN", 6),   // line 2, column 3 → scalar 6
    ])
    func syntaxErrors(pattern: String, message: String, offset: Int) {
        #expect(throws: UnicodeError.regexSyntax(pattern: pattern, message: message, offset: offset)) {
            try ICURegex(pattern)
        }
    }

    @Test("Patterns from tokenizer.json files compile", arguments: [
        gpt2Pattern,
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
        #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
        #" ?[^\s\p{L}\p{N}]++[\r\n]*|\p{N}{1,3}+|\s++$"#,
    ])
    func tokenizerPatterns(pattern: String) throws {
        let regex = try ICURegex(pattern)
        #expect(regex.pattern == pattern)
        #expect(try !regex.matches(in: bytes("It's 2024!\n")).isEmpty)
    }

    @Test("GPT-2 pre-tokenization matches Python regex", arguments: [
        ("Hello world! It's 2024, isn't it?",
         ["Hello", " world", "!", " It", "'s", " 2024", ",", " isn", "'t", " it", "?"]),
        ("  leading and trailing   ", [" ", " leading", " and", " trailing", "   "]),
        ("naïve café — 123,456.78", ["naïve", " café", " —", " 123", ",", "456", ".", "78"]),
        ("日本語のテキスト、テスト。\n\nNew line\ttab",
         ["日本語のテキスト", "、", "テスト", "。", "\n", "\n", "New", " line", "\t", "tab"]),
        ("I'M SHOUTING 'S 'll", ["I", "'", "M", " SHOUTING", " '", "S", " '", "ll"]),
        ("emoji 👋🏽 and\u{A0}NBSP\u{3000}x", ["emoji", " 👋🏽", " and", "\u{A0}", "NBSP", "\u{3000}", "x"]),
        ("x\r\n\r\ny  \n", ["x", "\r\n\r", "\n", "y", "  \n"]),
        ("", []),
    ])
    func gpt2(text: String, expected: [String]) throws {
        // Expected pieces: [m.group() for m in regex.finditer(GPT2, text)] with regex 2026.5.9.
        let regex = try ICURegex(gpt2Pattern)
        let utf8 = bytes(text)
        let matches = try regex.matches(in: utf8)
        let pieces = splitPieces(count: utf8.count, matches: matches, behavior: .isolated, invert: false)
        #expect(slices(text, pieces) == expected)
        // For this pattern every byte is matched, so isolated pieces and matches coincide.
        #expect(pieces == matches)
    }

    @Test("Isolated pieces tile the input even where the pattern leaves gaps")
    func gapsBecomePieces() throws {
        let text = "ab12cd"
        let matches = try ICURegex(#"\d+"#).matches(in: bytes(text))
        #expect(slices(text, splitPieces(count: 6, matches: matches, behavior: .isolated, invert: false))
                    == ["ab", "12", "cd"])
    }

    @Test("One ICURegex used from many threads gives identical results")
    func concurrency() throws {
        let regex = try ICURegex(gpt2Pattern)
        let line = "The quick brown fox's 123 jumps — über 日本語 テキスト!\n\t  "
        let text = bytes(String(repeating: line, count: 64))
        let reference = try regex.matches(in: text)
        #expect(reference.count > 500)
        let results = Mutex<[[Range<Int>]]>([])
        let failures = Mutex<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            for _ in 0..<20 {
                do {
                    let found = try regex.matches(in: text)
                    results.withLock { $0.append(found) }
                } catch {
                    failures.withLock { $0 += 1 }
                }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        let all = results.withLock { $0 }
        #expect(all.count == 320)
        #expect(all.allSatisfy { $0 == reference })
    }
}
