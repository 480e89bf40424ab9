// Text normalizers on UTF-8 bytes, matching Hugging Face `tokenizers`' NFC/NFD/NFKC/NFKD, Lowercase and Strip.
//
// Invariant: input is validated once (ill-formed UTF-8 throws `.invalidUTF8` with the first bad byte's offset);
// every stage then sees and produces well-formed UTF-8. Pure-ASCII input skips utf8proc for the four normal
// forms (ASCII is invariant under all of them).
// Complexity: O(n) per stage (utf8proc's canonical reordering is O(k log k) per run of k combining marks).

import CUtf8proc
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A Unicode normalization form.
public enum NormalizationForm: String, Sendable, CaseIterable {
    case nfc, nfd, nfkc, nfkd
}

/// A text normalizer applied to UTF-8 bytes (Hugging Face's `NFC`, `NFD`, `NFKC`, `NFKD`, `Lowercase`, `Strip`
/// and `Sequence` normalizers).
public indirect enum Normalizer: Sendable, Equatable {
    /// Unicode normalization with utf8proc (Unicode 15.0 data for utf8proc 2.8).
    case unicode(NormalizationForm)
    /// Hugging Face's `Lowercase`: every scalar is replaced by its full lowercase mapping, one scalar at a time
    /// (Rust's `char::to_lowercase`). That is the simple mapping of UnicodeData.txt plus the one unconditional
    /// multi-scalar lowercase mapping of SpecialCasing.txt, U+0130 → U+0069 U+0307. There is deliberately no
    /// final-sigma rule: Hugging Face lowercases scalar by scalar, so "Σ" always becomes "σ". Locale-dependent
    /// rules (Turkish, Lithuanian) are not applied, as in Hugging Face.
    case lowercase
    /// Hugging Face's `Strip`: removes leading (`left`) and/or trailing (`right`) Unicode White_Space scalars
    /// (``UnicodeProperties/isWhiteSpace(_:)``, the same set as Rust's `char::is_whitespace`).
    case strip(left: Bool, right: Bool)
    /// Applies each normalizer in turn.
    case sequence([Normalizer])

    /// Normalizes UTF-8 text.
    /// - Throws: `UnicodeError.invalidUTF8(byteOffset:)` when `utf8` is not well-formed (checked before any work),
    ///   `.utf8procFailure` if utf8proc runs out of memory.
    public func normalize(_ utf8: [UInt8]) throws(UnicodeError) -> [UInt8] {
        let ascii: Bool = try utf8.withUnsafeBufferPointer { (buffer) throws(UnicodeError) -> Bool in
            try UTF8.validate(buffer)
            return UTF8.isASCII(buffer)
        }
        return try apply(utf8, isASCII: ascii)
    }

    /// Normalizes a string's UTF-8 (a convenience for tests and tools; Swift strings are always well-formed).
    public func normalize(_ text: String) throws(UnicodeError) -> String {
        String(decoding: try normalize(Array(text.utf8)), as: Unicode.UTF8.self)
    }

    /// Runs this stage on validated input; `isASCII` must be exact (it selects the fast paths).
    private func apply(_ text: [UInt8], isASCII: Bool) throws(UnicodeError) -> [UInt8] {
        switch self {
        case .unicode(let form):
            if isASCII { return text }
            return try Self.utf8procNormalize(text, form: form)
        case .lowercase:
            return Self.lowercase(text, isASCII: isASCII)
        case .strip(let left, let right):
            return Self.strip(text, left: left, right: right)
        case .sequence(let stages):
            var current = text
            var ascii = isASCII
            for stage in stages {
                current = try stage.apply(current, isASCII: ascii)
                // No stage turns ASCII into non-ASCII, but any may do the reverse (NFKC "ﬁ" → "fi", KELVIN SIGN → "k"),
                // so the flag is only worth recomputing while it is false.
                if !ascii { ascii = current.withUnsafeBufferPointer { UTF8.isASCII($0) } }
            }
            return current
        }
    }

    private static func utf8procNormalize(_ text: [UInt8], form: NormalizationForm) throws(UnicodeError) -> [UInt8] {
        var flags = UTF8PROC_STABLE.rawValue
        switch form {
        case .nfc: flags |= UTF8PROC_COMPOSE.rawValue
        case .nfd: flags |= UTF8PROC_DECOMPOSE.rawValue
        case .nfkc: flags |= UTF8PROC_COMPOSE.rawValue | UTF8PROC_COMPAT.rawValue
        case .nfkd: flags |= UTF8PROC_DECOMPOSE.rawValue | UTF8PROC_COMPAT.rawValue
        }
        let options = utf8proc_option_t(rawValue: flags)
        var output: UnsafeMutablePointer<utf8proc_uint8_t>? = nil
        let length = text.withUnsafeBufferPointer { buffer in
            utf8proc_map(buffer.baseAddress, buffer.count, &output, options)
        }
        defer { free(output) }
        guard length >= 0 else { throw .utf8procFailure(operation: "utf8proc_map", code: length) }
        guard let output else { return [] }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    private static func lowercase(_ text: [UInt8], isASCII: Bool) -> [UInt8] {
        if isASCII {
            return text.map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.count + text.count / 8)
        text.withUnsafeBufferPointer { bytes in
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b < 0x80 {
                    out.append(b &- 0x41 < 26 ? b | 0x20 : b)
                    i += 1
                    continue
                }
                let (scalar, length) = UTF8.decodeValid(bytes, at: i)
                i += length
                if scalar == 0x130 {
                    // SpecialCasing: LATIN CAPITAL LETTER I WITH DOT ABOVE → i + COMBINING DOT ABOVE.
                    out.append(0x69)
                    UTF8.append(0x307, to: &out)
                    continue
                }
                let lower = utf8proc_tolower(Int32(bitPattern: scalar))
                UTF8.append(lower >= 0 ? UInt32(lower) : scalar, to: &out)
            }
        }
        return out
    }

    private static func strip(_ text: [UInt8], left: Bool, right: Bool) -> [UInt8] {
        text.withUnsafeBufferPointer { bytes in
            var start = 0
            var end = bytes.count
            if left {
                while start < end {
                    let (scalar, length) = UTF8.decodeValid(bytes, at: start)
                    guard UnicodeProperties.isWhiteSpace(scalar) else { break }
                    start += length
                }
            }
            if right {
                while end > start {
                    let previous = UTF8.previousStart(bytes, before: end)
                    guard UnicodeProperties.isWhiteSpace(UTF8.decodeValid(bytes, at: previous).scalar) else { break }
                    end = previous
                }
            }
            return Array(bytes[start..<end])
        }
    }
}
