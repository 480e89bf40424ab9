// Word segmentation with ICU's rule-based word break iterator (UAX #29 plus dictionaries for Thai, Lao, Khmer,
// Burmese, Chinese and Japanese), reported as UTF-8 byte ranges.
//
// Invariant: segments tile the input exactly, in order; every boundary is a scalar boundary. ICU only reads
// UTF-16, so the text is mirrored into UTF-16 with a unit → byte-offset table and boundaries are mapped back
// through it (exact, because ICU never reports a boundary inside a surrogate pair).
// Complexity: O(n) time and about 10n bytes of extra memory for the mirror; opening the iterator costs a few
// microseconds (ICU caches the compiled rules and dictionaries process-wide).

import CICUShim

/// One piece between two consecutive word boundaries.
public struct WordSegment: Sendable, Equatable, CustomStringConvertible {
    /// UTF-8 byte range of the segment.
    public let range: Range<Int>
    /// True for words (letters, numbers, kana, ideographs): ICU rule status ≥ `UBRK_WORD_NONE_LIMIT` (100).
    /// Spaces, punctuation and symbols are `false`.
    public let isWord: Bool
    /// ICU's rule status: 0..<100 none, 100..<200 number, 200..<300 letter, 300..<400 kana, 400..<500 ideograph.
    public let ruleStatus: Int32

    public init(range: Range<Int>, isWord: Bool, ruleStatus: Int32) {
        self.range = range
        self.isWord = isWord
        self.ruleStatus = ruleStatus
    }

    public var description: String { "\(range)\(isWord ? " word" : "")" }
}

/// Finds word boundaries with ICU (`ubrk_open(UBRK_WORD, locale, ...)`).
public struct WordBreaker: Sendable, Equatable {
    /// ICU locale id, such as "en", "th" or "ja"; unknown locales fall back to ICU's root rules.
    public let locale: String

    public init(locale: String = "en") {
        self.locale = locale
    }

    /// Segments UTF-8 text at word boundaries.
    /// - Returns: segments that tile `utf8` (none for empty input).
    /// - Throws: `.invalidUTF8` for ill-formed input, `.textTooLong` above `Int32.max` UTF-16 units,
    ///   `.icuFailure` if ICU cannot open the iterator.
    public func segments(in utf8: [UInt8]) throws(UnicodeError) -> [WordSegment] {
        let mirror = try utf8.withUnsafeBufferPointer { (bytes) throws(UnicodeError) in try UTF16Mirror(bytes) }
        if mirror.units.isEmpty { return [] }
        var status: Int32 = 0
        var result: [WordSegment] = []
        let opened: Bool = mirror.units.withUnsafeBufferPointer { units in
            guard let bi = cicu_brk_open(Int32(CICU_BRK_WORD), locale, units.baseAddress, Int32(units.count), &status)
            else { return false }
            defer { cicu_brk_close(bi) }
            var start = cicu_brk_first(bi)
            var end = cicu_brk_next(bi)
            while end >= 0 {
                let rule = cicu_brk_rule_status(bi)
                let lower = mirror.byteOffsets[Int(start)]
                let upper = mirror.byteOffsets[Int(end)]
                if lower < upper {
                    result.append(WordSegment(range: lower..<upper, isWord: rule >= Int32(CICU_WORD_NONE_LIMIT),
                                              ruleStatus: rule))
                }
                start = end
                end = cicu_brk_next(bi)
            }
            return true
        }
        guard opened else { throw .icuFailure(operation: "ubrk_open", code: status) }
        return result
    }

    /// Segments a string (convenience; see ``segments(in:)-([UInt8])``).
    public func segments(in text: String) throws(UnicodeError) -> [WordSegment] {
        try segments(in: Array(text.utf8))
    }
}
