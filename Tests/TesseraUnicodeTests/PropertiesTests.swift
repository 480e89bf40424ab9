// Tests for GeneralCategory and UnicodeProperties.isWhiteSpace.
//
// Invariant: expectations are UnicodeData.txt facts; the White_Space set was checked against Python `regex`
// 2026.5.9's `\s` for all code points. Complexity: the exhaustive whitespace scan is O(0x110000).

import Testing
import TesseraUnicode

@Suite("Unicode properties")
struct PropertiesTests {
    @Test("General categories", arguments: [
        (0x41, GeneralCategory.uppercaseLetter), (0x61, .lowercaseLetter), (0x1C5, .titlecaseLetter),
        (0x2B0, .modifierLetter), (0x65E5, .otherLetter), (0x301, .nonspacingMark), (0x903, .spacingMark),
        (0x20DD, .enclosingMark), (0x39, .decimalNumber), (0x2160, .letterNumber), (0x2460, .otherNumber),
        (0x5F, .connectorPunctuation), (0x2D, .dashPunctuation), (0x28, .openPunctuation), (0x29, .closePunctuation),
        (0xAB, .initialPunctuation), (0xBB, .finalPunctuation), (0x21, .otherPunctuation), (0x2B, .mathSymbol),
        (0x24, .currencySymbol), (0x5E, .modifierSymbol), (0xA9, .otherSymbol), (0x20, .spaceSeparator),
        (0x2028, .lineSeparator), (0x2029, .paragraphSeparator), (0x0A, .control), (0x200B, .format),
        (0xD800, .surrogate), (0xE000, .privateUse), (0x378, .unassigned), (0x1F44B, .otherSymbol),
        (0x110000, .unassigned), (0xFFFF_FFFF, .unassigned),
    ] as [(UInt32, GeneralCategory)])
    func category(scalar: UInt32, expected: GeneralCategory) {
        #expect(GeneralCategory.of(scalar) == expected)
    }

    @Test("All 30 categories exist with their short names")
    func shortNames() {
        #expect(GeneralCategory.allCases.count == 30)
        #expect(GeneralCategory.allCases.map(\.shortName).joined(separator: " ")
                    == "Cn Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No Pc Pd Ps Pe Pi Pf Po Sm Sc Sk So Zs Zl Zp Cc Cf Cs Co")
    }

    @Test("Major-class conveniences")
    func majorClasses() {
        #expect(GeneralCategory.of(0x65E5).isLetter && !GeneralCategory.of(0x65E5).isNumber)
        #expect(GeneralCategory.of(0x301).isMark)
        #expect(GeneralCategory.of(0x2160).isNumber && GeneralCategory.of(0xBD).isNumber)
        #expect(GeneralCategory.of(0x3001).isPunctuation)
        #expect(GeneralCategory.of(0x20AC).isSymbol && GeneralCategory.of(0x1F600).isSymbol)
        #expect(GeneralCategory.of(0x3000).isSeparator && GeneralCategory.of(0x0).isOther)
        let letters = GeneralCategory.allCases.filter(\.isLetter).map(\.shortName)
        #expect(letters == ["Lu", "Ll", "Lt", "Lm", "Lo"])
    }

    @Test("White_Space spot checks", arguments: [
        (0x09, true), (0x0A, true), (0x0B, true), (0x0C, true), (0x0D, true), (0x20, true), (0x85, true),
        (0xA0, true), (0x1680, true), (0x2000, true), (0x200A, true), (0x2028, true), (0x2029, true),
        (0x202F, true), (0x205F, true), (0x3000, true),
        (0x08, false), (0x0E, false), (0x1C, false), (0x1F, false), (0x180E, false), (0x200B, false),
        (0xFEFF, false), (0x41, false), (0x110020, false),
    ] as [(UInt32, Bool)])
    func whiteSpace(scalar: UInt32, expected: Bool) {
        #expect(UnicodeProperties.isWhiteSpace(scalar) == expected)
    }

    @Test("White_Space is exactly the 25 code points of Python regex's \\s")
    func whiteSpaceExhaustive() {
        // From python3 -c "import regex; ..." (regex 2026.5.9), scanning 0...0x10FFFF.
        let expected: [UInt32] = [0x9, 0xA, 0xB, 0xC, 0xD, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
                                  0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F,
                                  0x205F, 0x3000]
        let found = (UInt32(0)...0x10FFFF).filter(UnicodeProperties.isWhiteSpace)
        #expect(found == expected)
    }
}
