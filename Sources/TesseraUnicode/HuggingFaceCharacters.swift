// Character classes as Hugging Face `tokenizers` sees them: the BERT punctuation / control / mark sets
// (generated tables, see HuggingFaceCharacterTables.swift), `\w` of Rust's regex crate (for added tokens'
// `single_word`), numeric characters (`char::is_numeric`) and the Chinese-character ranges of BertNormalizer.
//
// Invariant: each predicate answers exactly as tokenizers 0.23.3 does for every scalar (the generated tables
// were measured on it; `\w` and `is_numeric` follow current Unicode in both libraries).
// Complexity: O(log r) for a table of r ranges; O(1) for the fixed ranges; `\w` is one ICU match on one scalar.

import CICUShim

/// Hugging Face `tokenizers`' character predicates.
public enum HuggingFaceCharacters {
    /// `is_bert_punc`: ASCII punctuation or Unicode punctuation per tokenizers' (Unicode 9-era) tables.
    public static func isPunctuation(_ scalar: UInt32) -> Bool { contains(punctuation, scalar) }

    /// BertNormalizer's `is_control`: Cc, Cf, Co per tokenizers' tables, except tab, newline and carriage return.
    public static func isControl(_ scalar: UInt32) -> Bool {
        scalar != 0x09 && scalar != 0x0A && scalar != 0x0D && contains(control, scalar)
    }

    /// BertNormalizer's strip_accents test (`is_mark_nonspacing`, tokenizers' tables).
    public static func isNonspacingMark(_ scalar: UInt32) -> Bool { contains(nonspacingMarks, scalar) }

    /// The StripAccents normalizer's test (`is_combining_mark`).
    public static func isCombiningMark(_ scalar: UInt32) -> Bool { contains(combiningMarks, scalar) }

    /// BertNormalizer's `is_whitespace`: tab, newline, carriage return or White_Space.
    public static func isBertWhitespace(_ scalar: UInt32) -> Bool { UnicodeProperties.isWhiteSpace(scalar) }

    /// Rust's `char::is_numeric`: General_Category Nd, Nl or No.
    public static func isNumeric(_ scalar: UInt32) -> Bool { GeneralCategory.of(scalar).isNumber }

    /// BertNormalizer's `is_chinese_char`: the CJK ideograph blocks it pads with spaces.
    public static func isChineseCharacter(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// `\w` of Rust's regex crate (Alphabetic, Mark, Decimal_Number, Connector_Punctuation, Join_Control), which
    /// is also ICU's `\w`: the test Hugging Face applies around a `single_word` added token.
    public static func isWordCharacter(_ scalar: UInt32) -> Bool {
        if scalar < 0x80 {
            let b = UInt8(scalar)
            return (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == 0x5F
        }
        guard let regex = wordRegex else { return false }
        var utf8: [UInt8] = []
        UTF8.append(scalar, to: &utf8)
        return (try? regex.matches(in: utf8).isEmpty == false) ?? false
    }

    /// The ICU Script property value (UScriptCode) of a scalar, for the UnicodeScripts pre-tokenizer.
    public static func scriptCode(_ scalar: UInt32) -> Int32 { cicu_script(scalar) }

    /// ICU script codes the UnicodeScripts pre-tokenizer needs by name.
    public static let hanScript: Int32 = 17, hiraganaScript: Int32 = 20, katakanaScript: Int32 = 22

    private static let wordRegex: ICURegex? = try? ICURegex(#"\A\w\z"#)

    static func contains(_ table: [UInt32], _ scalar: UInt32) -> Bool {
        // Ranges are stored as [lo0, hi0, lo1, hi1, …]; find the last range whose lower bound is <= scalar.
        var low = 0
        var high = table.count / 2
        while low < high {
            let mid = (low + high) >> 1
            if table[2 * mid] <= scalar { low = mid + 1 } else { high = mid }
        }
        return low > 0 && scalar <= table[2 * (low - 1) + 1]
    }
}
