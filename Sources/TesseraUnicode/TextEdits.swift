// The character-level rewrites of Hugging Face `tokenizers`' normalizers that are not Unicode normal forms:
// StripAccents, BertNormalizer (clean_text, handle_chinese_chars, strip_accents, lowercase), Nmt, Replace
// (literal or regex) and Prepend (tokenizers/src/normalizers/{strip,bert,unicode,replace,prepend}.rs).
//
// Invariant: input is well-formed UTF-8 (validated once, `.invalidUTF8` otherwise) and so is the output;
// every rewrite keeps or drops whole scalars, so a result is the same as tokenizers' for every input.
// Complexity: O(n) per rewrite (a regex Replace adds ICU's matching cost).

/// Hugging Face normalizer steps on UTF-8 bytes.
public enum TextEdits {
    /// StripAccents: removes every combining mark (`is_combining_mark`).
    public static func stripCombiningMarks(_ text: [UInt8]) throws(UnicodeError) -> [UInt8] {
        try mapScalars(text) { s, out in
            if !HuggingFaceCharacters.isCombiningMark(s) { UTF8.append(s, to: &out) }
        }
    }

    /// BertNormalizer: `clean_text` drops U+0000, U+FFFD and control characters and turns whitespace into
    /// U+0020; `handle_chinese_chars` puts spaces around CJK ideographs; `strip_accents` (NFD, then drop
    /// nonspacing marks) and `lowercase` follow, in that order.
    public static func bert(_ text: [UInt8], cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool,
                            lowercase: Bool) throws(UnicodeError) -> [UInt8] {
        var current = text
        if cleanText {
            current = try mapScalars(current) { s, out in
                if s == 0 || s == 0xFFFD || HuggingFaceCharacters.isControl(s) { return }
                UTF8.append(HuggingFaceCharacters.isBertWhitespace(s) ? 0x20 : s, to: &out)
            }
        }
        if handleChineseChars {
            current = try mapScalars(current) { s, out in
                if HuggingFaceCharacters.isChineseCharacter(s) {
                    out.append(0x20)
                    UTF8.append(s, to: &out)
                    out.append(0x20)
                } else {
                    UTF8.append(s, to: &out)
                }
            }
        }
        if stripAccents {
            current = try mapScalars(try Normalizer.unicode(.nfd).normalize(current)) { s, out in
                if !HuggingFaceCharacters.isNonspacingMark(s) { UTF8.append(s, to: &out) }
            }
        }
        if lowercase { current = try Normalizer.lowercase.normalize(current) }
        return current
    }

    /// Nmt: drops ASCII control characters other than tab, newline, form feed and carriage return (and U+008F,
    /// U+009F), and turns tab, newline, form feed, carriage return, U+1680, U+200B–U+200F, U+2028, U+2029,
    /// U+2581, U+FEFF and U+FFFD into U+0020.
    public static func nmt(_ text: [UInt8]) throws(UnicodeError) -> [UInt8] {
        try mapScalars(text) { s, out in
            switch s {
            case 0x01...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x8F, 0x9F:
                return
            case 0x09, 0x0A, 0x0C, 0x0D, 0x1680, 0x200B...0x200F, 0x2028, 0x2029, 0x2581, 0xFEFF, 0xFFFD:
                out.append(0x20)
            default:
                UTF8.append(s, to: &out)
            }
        }
    }

    /// Replace with a literal pattern: every non-overlapping occurrence, left to right, becomes `content`.
    /// An empty pattern matches at every scalar boundary (Hugging Face escapes the literal into a regex).
    public static func replace(_ text: [UInt8], literal: [UInt8], with content: [UInt8]) throws(UnicodeError) -> [UInt8] {
        try text.withUnsafeBufferPointer { (bytes) throws(UnicodeError) in try UTF8.validate(bytes) }
        if literal.isEmpty { return try replace(text, matches: emptyMatches(text), with: content) }
        var matches: [Range<Int>] = []
        var i = 0
        let n = text.count, m = literal.count
        while i + m <= n {
            if text[i] == literal[0] && text[i..<(i + m)].elementsEqual(literal) {
                matches.append(i..<(i + m))
                i += m
            } else {
                i += 1
            }
        }
        return try replace(text, matches: matches, with: content)
    }

    /// Replace with a regular expression (ICU, with the empty-match rule of `RegexPreTokenizer`).
    public static func replace(_ text: [UInt8], regex: ICURegex, with content: [UInt8]) throws(UnicodeError) -> [UInt8] {
        try text.withUnsafeBufferPointer { (bytes) throws(UnicodeError) in try UTF8.validate(bytes) }
        var matches: [Range<Int>] = []
        var previousEnd = -1
        try text.withUnsafeBufferPointer { (bytes) throws(UnicodeError) in
            try regex.forEachMatch(in: bytes) { match in
                if match.isEmpty && match.lowerBound == previousEnd { return }
                matches.append(match)
                previousEnd = match.upperBound
            }
        }
        return try replace(text, matches: matches, with: content)
    }

    /// Prepend: `prefix` before non-empty text.
    public static func prepend(_ text: [UInt8], _ prefix: [UInt8]) -> [UInt8] {
        text.isEmpty ? text : prefix + text
    }

    static func replace(_ text: [UInt8], matches: [Range<Int>], with content: [UInt8]) throws(UnicodeError) -> [UInt8] {
        // Hugging Face finds no match at all in empty text (not even an empty one).
        if matches.isEmpty || text.isEmpty { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.count + matches.count * max(0, content.count - 1))
        var position = 0
        for m in matches where m.lowerBound >= position {
            out.append(contentsOf: text[position..<m.lowerBound])
            out.append(contentsOf: content)
            position = m.upperBound
        }
        out.append(contentsOf: text[position...])
        return out
    }

    /// Every scalar boundary, as the empty matches of an empty pattern.
    static func emptyMatches(_ text: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for (i, b) in text.enumerated() where b & 0xC0 != 0x80 { out.append(i..<i) }
        out.append(text.count..<text.count)
        return out
    }

    /// Validates `text`, then calls `body` for each scalar with the output buffer.
    static func mapScalars(_ text: [UInt8], _ body: (UInt32, inout [UInt8]) -> Void) throws(UnicodeError) -> [UInt8] {
        try text.withUnsafeBufferPointer { (bytes) throws(UnicodeError) -> [UInt8] in
            try UTF8.validate(bytes)
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var i = 0
            while i < bytes.count {
                let (s, length) = UTF8.decodeValid(bytes, at: i)
                body(s, &out)
                i += length
            }
            return out
        }
    }
}
