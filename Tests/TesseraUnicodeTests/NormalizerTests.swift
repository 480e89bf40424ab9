// Tests for Normalizer: the four normal forms, Hugging Face-compatible lowercase and strip, sequences, and
// invalid UTF-8 reporting.
//
// Invariant: expected values are Unicode facts (UnicodeData/SpecialCasing) or Python `unicodedata`/`str.lower`
// results. Complexity: tiny inputs; each test is O(input).

import Testing
import TesseraUnicode

@Suite("Normalizer")
struct NormalizerTests {
    @Test("NFKC folds compatibility characters", arguments: [
        ("ﬁ", "fi"), ("①②", "12"), ("Ｆｕｌｌｗｉｄｔｈ", "Fullwidth"), ("㍿", "株式会社"), ("x²", "x2"), ("Å", "Å"),
    ])
    func nfkc(input: String, expected: String) throws {
        #expect(try Normalizer.unicode(.nfkc).normalize(input) == expected)
    }

    @Test("NFD decomposes and NFC recomposes", arguments: [
        ("é", "e\u{301}"), ("Å", "A\u{30A}"), ("한", "\u{1112}\u{1161}\u{11AB}"), ("ṩ", "s\u{323}\u{307}"),
    ])
    func nfdNfcRoundTrip(composed: String, decomposed: String) throws {
        let nfd = try Normalizer.unicode(.nfd).normalize(composed)
        #expect(Array(nfd.unicodeScalars) == Array(decomposed.unicodeScalars))
        let nfc = try Normalizer.unicode(.nfc).normalize(decomposed)
        #expect(Array(nfc.unicodeScalars) == Array(composed.unicodeScalars))
    }

    @Test("NFD puts combining marks in canonical order")
    func canonicalOrdering() throws {
        // U+0307 (ccc 230) written before U+0323 (ccc 220) must be swapped.
        let out = try Normalizer.unicode(.nfd).normalize("s\u{307}\u{323}")
        #expect(out.unicodeScalars.map(\.value) == [0x73, 0x323, 0x307])
    }

    @Test("NFKD of compatibility ligature and Hangul", arguments: [("ﬃ", "ffi"), ("가", "\u{1100}\u{1161}")])
    func nfkd(input: String, expected: String) throws {
        #expect(try Normalizer.unicode(.nfkd).normalize(input).unicodeScalars.map(\.value)
                    == expected.unicodeScalars.map(\.value))
    }

    @Test("ASCII is returned unchanged by every form", arguments: NormalizationForm.allCases)
    func asciiFastPath(form: NormalizationForm) throws {
        let text = bytes("Plain ASCII: tabs\t, NUL \u{0} and ~ punctuation!")
        #expect(try Normalizer.unicode(form).normalize(text) == text)
        #expect(try Normalizer.unicode(form).normalize([UInt8]()) == [])
    }

    @Test("Lowercase matches Rust char::to_lowercase scalar by scalar", arguments: [
        ("HELLO World", "hello world"),
        ("İstanbul", "i\u{307}stanbul"),   // SpecialCasing: U+0130 → i + U+0307
        ("ΟΔΟΣ", "οδοσ"),                  // no final-sigma rule: Hugging Face lowercases per scalar
        ("ΣΑΣ Σ", "σασ σ"),
        ("ÀÉÎÕÜ ẞ", "àéîõü ß"),
        ("ǅ Ǆ", "ǆ ǆ"),                    // titlecase and uppercase digraphs
        ("\u{212A} \u{212B}", "k \u{E5}"),   // KELVIN SIGN, ANGSTROM SIGN
        ("ЖУК 𐐀", "жук 𐐨"),               // Cyrillic, Deseret (4-byte)
        ("日本語 123", "日本語 123"),
    ])
    func lowercase(input: String, expected: String) throws {
        #expect(try Normalizer.lowercase.normalize(input) == expected)
    }

    @Test("Strip trims Unicode White_Space on the chosen sides", arguments: [
        (true, true, " \t\u{A0}héllo wörld\u{3000}\n", "héllo wörld"),
        (true, false, "  ab  ", "ab  "),
        (false, true, "  ab  ", "  ab"),
        (false, false, "  ab  ", "  ab  "),
        (true, true, " \u{2028}\u{85} ", ""),
        (true, true, "\u{1C}x\u{1F}", "\u{1C}x\u{1F}"),  // U+001C–001F are not White_Space
        (true, true, "\u{200B}x\u{200B}", "\u{200B}x\u{200B}"),  // ZERO WIDTH SPACE is not White_Space either
    ])
    func strip(left: Bool, right: Bool, input: String, expected: String) throws {
        #expect(try Normalizer.strip(left: left, right: right).normalize(input) == expected)
    }

    @Test("Sequence applies stages in order")
    func sequence() throws {
        let bert = Normalizer.sequence([.unicode(.nfkc), .lowercase, .strip(left: true, right: true)])
        #expect(try bert.normalize("  ＡＢＣ ﬁ İ  ") == "abc fi i\u{307}")
        // Order matters: NFD after lowercase decomposes the Å that lowercase produced.
        let nfdLast = Normalizer.sequence([.lowercase, .unicode(.nfd)])
        #expect(try nfdLast.normalize("Å").unicodeScalars.map(\.value) == [0x61, 0x30A])
        #expect(try Normalizer.sequence([]).normalize("As is") == "As is")
    }

    @Test("Invalid UTF-8 reports the first bad byte", arguments: [
        ([0x61, 0x80], 1),                     // stray continuation byte
        ([0x61, 0x62, 0xC3], 2),               // truncated 2-byte sequence at the end
        ([0xE2, 0x82, 0x61], 0),               // truncated 3-byte sequence
        ([0x41, 0xC0, 0xAF], 1),               // overlong encoding
        ([0xED, 0xA0, 0x80], 0),               // UTF-16 surrogate D800
        ([0x63, 0x61, 0x66, 0xC3, 0xA9, 0xF4, 0x90, 0x80, 0x80], 5),  // above U+10FFFF after a valid "é"
        ([0xFF], 0),
    ] as [([UInt8], Int)])
    func invalidUTF8(input: [UInt8], offset: Int) {
        for normalizer in [Normalizer.unicode(.nfc), .unicode(.nfkd), .lowercase, .strip(left: true, right: true),
                           .sequence([.lowercase])] {
            #expect(throws: UnicodeError.invalidUTF8(byteOffset: offset)) { try normalizer.normalize(input) }
        }
    }

    @Test("Error messages name the offset")
    func errorDescription() {
        #expect(UnicodeError.invalidUTF8(byteOffset: 7).description == "invalid UTF-8 at byte offset 7")
        #expect(UnicodeError.icuFailure(operation: "ubrk_open", code: 1).description
                    == "ICU ubrk_open failed with U_ILLEGAL_ARGUMENT_ERROR (1)")
    }
}
