// Unicode General_Category (via utf8proc) and the White_Space property.
//
// Invariant: `GeneralCategory.rawValue` equals utf8proc's `utf8proc_category_t` value (0 = Cn ... 29 = Co), so the
// conversion is a range check. Values above U+10FFFF are treated as unassigned. Complexity: O(1) per scalar
// (utf8proc's two-level table lookup; White_Space is a switch).

import CUtf8proc

/// The Unicode General_Category of a scalar (all 30 values; utf8proc 2.8 carries Unicode 15.0 data).
public enum GeneralCategory: UInt8, Sendable, CaseIterable {
    case unassigned = 0            // Cn
    case uppercaseLetter = 1       // Lu
    case lowercaseLetter = 2       // Ll
    case titlecaseLetter = 3       // Lt
    case modifierLetter = 4        // Lm
    case otherLetter = 5           // Lo
    case nonspacingMark = 6        // Mn
    case spacingMark = 7           // Mc
    case enclosingMark = 8         // Me
    case decimalNumber = 9         // Nd
    case letterNumber = 10         // Nl
    case otherNumber = 11          // No
    case connectorPunctuation = 12 // Pc
    case dashPunctuation = 13      // Pd
    case openPunctuation = 14      // Ps
    case closePunctuation = 15     // Pe
    case initialPunctuation = 16   // Pi
    case finalPunctuation = 17     // Pf
    case otherPunctuation = 18     // Po
    case mathSymbol = 19           // Sm
    case currencySymbol = 20       // Sc
    case modifierSymbol = 21       // Sk
    case otherSymbol = 22          // So
    case spaceSeparator = 23       // Zs
    case lineSeparator = 24        // Zl
    case paragraphSeparator = 25   // Zp
    case control = 26              // Cc
    case format = 27               // Cf
    case surrogate = 28            // Cs
    case privateUse = 29           // Co

    /// The category of a code point; `.unassigned` for values above U+10FFFF.
    @inline(__always)
    public static func of(_ scalar: UInt32) -> GeneralCategory {
        guard scalar <= 0x10FFFF else { return .unassigned }
        let raw = utf8proc_category(Int32(bitPattern: scalar)).rawValue
        return GeneralCategory(rawValue: UInt8(truncatingIfNeeded: raw)) ?? .unassigned
    }

    /// The two-letter alias, such as "Lu" or "Cn".
    public var shortName: String {
        Self.shortNames[Int(rawValue)]
    }

    private static let shortNames = [
        "Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf",
        "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co",
    ]

    /// L: Lu, Ll, Lt, Lm, Lo (what `\p{L}` matches).
    @inline(__always) public var isLetter: Bool { rawValue >= 1 && rawValue <= 5 }
    /// M: Mn, Mc, Me.
    @inline(__always) public var isMark: Bool { rawValue >= 6 && rawValue <= 8 }
    /// N: Nd, Nl, No (what `\p{N}` matches).
    @inline(__always) public var isNumber: Bool { rawValue >= 9 && rawValue <= 11 }
    /// P: Pc, Pd, Ps, Pe, Pi, Pf, Po.
    @inline(__always) public var isPunctuation: Bool { rawValue >= 12 && rawValue <= 18 }
    /// S: Sm, Sc, Sk, So.
    @inline(__always) public var isSymbol: Bool { rawValue >= 19 && rawValue <= 22 }
    /// Z: Zs, Zl, Zp.
    @inline(__always) public var isSeparator: Bool { rawValue >= 23 && rawValue <= 25 }
    /// C: Cc, Cf, Cs, Co, Cn.
    @inline(__always) public var isOther: Bool { rawValue >= 26 || rawValue == 0 }
}

/// Binary Unicode properties that tokenizers need.
public enum UnicodeProperties {
    /// The Unicode White_Space property (25 code points):
    /// U+0009–000D, U+0020, U+0085, U+00A0, U+1680, U+2000–200A, U+2028, U+2029, U+202F, U+205F, U+3000.
    ///
    /// This is exactly the set that Python's `regex` module (2026.5.9) matches with `\s`, checked on this machine
    /// for every code point 0...0x10FFFF, and the set of Rust's `char::is_whitespace`, ICU's `\s` and Oniguruma's
    /// Unicode `\s`. It does NOT contain U+001C–001F: those are in Python's `str.isspace()` and the standard `re`
    /// module's `\s`, but not in `regex`'s `\s` nor in White_Space.
    @inline(__always)
    public static func isWhiteSpace(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
