// Tests for WordBreaker (ICU word boundaries mapped to UTF-8 byte ranges) and ScriptSegmenter.
//
// Invariant: segments and runs must tile the input; expectations follow UAX #29 and ICU 72's dictionaries.
// Complexity: tiny inputs.

import Testing
import TesseraUnicode

@Suite("Word and script segmentation")
struct SegmentationTests {
    private func words(_ text: String, locale: String = "en") throws -> [String] {
        let segments = try WordBreaker(locale: locale).segments(in: text)
        return slices(text, segments.filter(\.isWord).map(\.range))
    }

    @Test("English: apostrophes stay inside words, numbers keep their separators")
    func english() throws {
        let text = "Don't panic: it's 3.14 apples, isn't it? 1,000"
        let segments = try WordBreaker().segments(in: text)
        #expect(slices(text, segments.map(\.range)) == [
            "Don't", " ", "panic", ":", " ", "it's", " ", "3.14", " ", "apples", ",", " ", "isn't", " ", "it", "?",
            " ", "1,000",
        ])
        #expect(try words(text) == ["Don't", "panic", "it's", "3.14", "apples", "isn't", "it", "1,000"])
        #expect(segments.first { slices(text, [$0.range]) == ["3.14"] }?.ruleStatus == 100)  // UBRK_WORD_NUMBER
    }

    @Test("Segments tile the text and carry UTF-8 byte offsets")
    func tiling() throws {
        let text = "naïve 👋🏽 café, Жук"
        let segments = try WordBreaker().segments(in: text)
        var next = 0
        for segment in segments {
            #expect(segment.range.lowerBound == next)
            next = segment.range.upperBound
        }
        #expect(next == bytes(text).count)
        #expect(try words(text) == ["naïve", "café", "Жук"])
        #expect(segments.first?.range == 0..<6)  // "naïve" is 6 bytes
    }

    @Test("Thai is segmented with ICU's dictionary", arguments: ["th", "en"])
    func thai(locale: String) throws {
        #expect(try words("ไม่มีช่องว่าง", locale: locale) == ["ไม่มี", "ช่อง", "ว่าง"])
    }

    @Test("Chinese and Japanese are segmented with ICU's dictionary")
    func cjk() throws {
        #expect(try words("我喜欢北京天安门", locale: "zh") == ["我", "喜欢", "北京", "天安门"])
        #expect(try words("日本語のテキストです。", locale: "ja") == ["日本語", "の", "テキスト", "です"])
        let ideograph = try WordBreaker(locale: "ja").segments(in: "日本語")
        #expect(ideograph.map(\.ruleStatus) == [400])  // UBRK_WORD_IDEO
    }

    @Test("Empty text has no segments; invalid UTF-8 throws")
    func edgeCases() throws {
        #expect(try WordBreaker().segments(in: [UInt8]()).isEmpty)
        #expect(throws: UnicodeError.invalidUTF8(byteOffset: 3)) {
            try WordBreaker().segments(in: [0x61, 0x62, 0x20, 0xC3, 0x28])
        }
    }

    @Test("Script runs: spaces and digits join the run they sit in", arguments: [
        ("Hello Мир 你好 123!", ["Latin:Hello ", "Cyrillic:Мир ", "Han:你好 123!"]),
        ("  123 abc", ["Latin:  123 abc"]),                       // leading Common joins the first real script
        ("e\u{301} ж\u{301}", ["Latin:e\u{301} ", "Cyrillic:ж\u{301}"]),  // Inherited marks join the previous run
        ("\u{301}abc", ["Latin:\u{301}abc"]),
        ("123 !?", ["Common:123 !?"]),
        ("日本語のテキストー", ["Han:日本語", "Hiragana:の", "Katakana:テキストー"]),
        ("(Мир) ab", ["Cyrillic:(Мир) ", "Latin:ab"]),
        ("", []),
    ])
    func scriptRuns(text: String, expected: [String]) throws {
        let runs = try ScriptSegmenter().runs(in: text)
        #expect(zip(runs.map(\.script), slices(text, runs.map(\.range))).map { "\($0):\($1)" } == expected)
    }

    @Test("Script runs report byte ranges")
    func scriptRanges() throws {
        let runs = try ScriptSegmenter().runs(in: "Hello Мир 你好 123!")
        #expect(runs == [ScriptRun(range: 0..<6, script: "Latin"), ScriptRun(range: 6..<13, script: "Cyrillic"),
                         ScriptRun(range: 13..<24, script: "Han")])
        #expect(throws: UnicodeError.invalidUTF8(byteOffset: 1)) { try ScriptSegmenter().runs(in: [0x41, 0xFE]) }
    }

    @Test("Script of single scalars", arguments: [
        (0x41, "Latin"), (0x416, "Cyrillic"), (0x65E5, "Han"), (0x3042, "Hiragana"), (0x30A2, "Katakana"),
        (0x0E01, "Thai"), (0x20, "Common"), (0x31, "Common"), (0x301, "Inherited"), (0x378, "Unknown"),
        (0x110000, "Unknown"),
    ] as [(UInt32, String)])
    func scriptOf(scalar: UInt32, expected: String) {
        #expect(ScriptSegmenter.script(of: scalar) == expected)
    }

    @Test("ISO 15924 codes")
    func isoCodes() {
        #expect(ScriptSegmenter.isoCode(ofScript: ScriptSegmenter.scriptCode(of: 0x416)) == "Cyrl")
        #expect(ScriptSegmenter.isoCode(ofScript: ScriptSegmenter.scriptCode(of: 0x20)) == "Zyyy")
    }
}
