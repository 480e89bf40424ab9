// UnicodeError: the one typed error of TesseraUnicode (invalid input, bad patterns, failures reported by ICU/utf8proc).
//
// Invariant: every case carries enough context (byte offset, pattern position, library call and code) for the
// message alone to locate the problem. Complexity: O(1) to build; `description` is O(pattern length).

import CICUShim

/// Errors raised by TesseraUnicode's normalizers, segmenters and regular expressions.
public enum UnicodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input is not well-formed UTF-8; `byteOffset` is the first byte that does not start a well-formed sequence.
    case invalidUTF8(byteOffset: Int)
    /// ICU rejected a regular expression. `message` is ICU's error name (for example `U_REGEX_MISSING_CLOSE_BRACKET`)
    /// and `offset` the position ICU reported, in Unicode scalars from the start of the pattern (-1 when unknown).
    case regexSyntax(pattern: String, message: String, offset: Int)
    /// An ICU call failed; `code` is the `UErrorCode` value.
    case icuFailure(operation: String, code: Int32)
    /// A utf8proc call failed; `code` is utf8proc's negative error value.
    case utf8procFailure(operation: String, code: Int)
    /// The text is longer than an ICU API can address (break iterators index UTF-16 with `Int32`).
    case textTooLong(length: Int, limit: Int)

    public var description: String {
        switch self {
        case .invalidUTF8(let offset):
            return "invalid UTF-8 at byte offset \(offset)"
        case .regexSyntax(let pattern, let message, let offset):
            let position = offset >= 0 ? "at scalar offset \(offset)" : "at an unknown position"
            return "regular expression syntax error \(message) \(position) in pattern \(String(reflecting: pattern))"
        case .icuFailure(let operation, let code):
            return "ICU \(operation) failed with \(ICULibrary.errorName(code)) (\(code))"
        case .utf8procFailure(let operation, let code):
            return "utf8proc \(operation) failed with code \(code)"
        case .textTooLong(let length, let limit):
            return "text of \(length) code units exceeds the limit of \(limit)"
        }
    }
}

/// Facts about the ICU library Tessera runs against.
public enum ICULibrary {
    /// ICU's version, for example `[72, 1, 0, 0]`.
    public static var version: [UInt8] {
        var v: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &v) { raw in
            if let base = raw.bindMemory(to: UInt8.self).baseAddress { cicu_version(base) }
        }
        return [v.0, v.1, v.2, v.3]
    }

    /// The Unicode version of ICU's character data, for example `[15, 0, 0, 0]` for ICU 72.
    public static var unicodeVersion: [UInt8] {
        var v: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &v) { raw in
            if let base = raw.bindMemory(to: UInt8.self).baseAddress { cicu_unicode_version(base) }
        }
        return [v.0, v.1, v.2, v.3]
    }

    /// ICU's symbolic name for a `UErrorCode`, such as `U_ILLEGAL_ARGUMENT_ERROR`.
    public static func errorName(_ code: Int32) -> String {
        String(cString: cicu_error_name(code))
    }
}
