// UTF-8 validation, decoding and encoding shared by the normalizers and segmenters.
//
// Invariant: `decodeValid` is only called on buffers `firstInvalidOffset` accepted, so it never reads past the end
// and never meets an ill-formed sequence. Validation follows Unicode Table 3-7 exactly (no overlongs, no
// surrogates, nothing above U+10FFFF). Complexity: O(n) time, O(1) extra space.

enum UTF8 {
    /// The offset of the first byte that does not begin a well-formed UTF-8 sequence, or nil if all is well-formed.
    /// (Like Python's `UnicodeDecodeError.start`: the lead byte of the broken sequence, not the byte after it.)
    static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = bytes.count
        var i = 0
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            let length: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF  // allowed range of the second byte
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; hi = 0x9F  // excludes surrogates
            case 0xF0: length = 4; lo = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; hi = 0x8F  // nothing above U+10FFFF
            default: return i
            }
            guard i + length <= n else { return i }
            let b1 = bytes[i + 1]
            guard b1 >= lo && b1 <= hi else { return i }
            var k = 2
            while k < length {
                guard bytes[i + k] & 0xC0 == 0x80 else { return i }
                k += 1
            }
            i += length
        }
        return nil
    }

    /// Throws `.invalidUTF8` with the offset of the first bad byte.
    static func validate(_ bytes: UnsafeBufferPointer<UInt8>) throws(UnicodeError) {
        if let offset = firstInvalidOffset(bytes) { throw .invalidUTF8(byteOffset: offset) }
    }

    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Eight bytes at a time: the common case (English text) is decided in n/8 steps.
        let n = bytes.count
        guard let base = bytes.baseAddress else { return true }
        var i = 0
        while i + 8 <= n {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if base[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// Decodes the scalar starting at `i` of an already validated buffer.
    @inline(__always)
    static func decodeValid(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (scalar: UInt32, length: Int) {
        let b0 = UInt32(bytes[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 {
            return ((b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F), 2)
        }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F), 3)
        }
        return ((b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6
                    | UInt32(bytes[i + 3] & 0x3F), 4)
    }

    /// The start of the scalar that ends at `end` (exclusive) in a validated buffer.
    @inline(__always)
    static func previousStart(_ bytes: UnsafeBufferPointer<UInt8>, before end: Int) -> Int {
        var i = end - 1
        while i > 0 && bytes[i] & 0xC0 == 0x80 { i -= 1 }
        return i
    }

    /// Appends the UTF-8 encoding of a valid scalar.
    @inline(__always)
    static func append(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(truncatingIfNeeded: scalar))
        case 0x80..<0x800:
            out.append(UInt8(truncatingIfNeeded: 0xC0 | scalar >> 6))
            out.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(truncatingIfNeeded: 0xE0 | scalar >> 12))
            out.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(truncatingIfNeeded: 0xF0 | scalar >> 18))
            out.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        }
    }
}

/// UTF-16 copy of validated UTF-8 text with a map back to byte offsets, for ICU APIs that only take UTF-16.
struct UTF16Mirror {
    var units: [UInt16] = []
    /// `byteOffsets[k]` is the UTF-8 offset of the scalar that UTF-16 unit `k` belongs to;
    /// `byteOffsets[units.count]` is the byte length. Boundaries ICU reports are scalar boundaries, so this is exact.
    var byteOffsets: [Int] = []

    /// - Throws: `.invalidUTF8` for ill-formed input, `.textTooLong` past `Int32.max` UTF-16 units.
    init(_ bytes: UnsafeBufferPointer<UInt8>) throws(UnicodeError) {
        try UTF8.validate(bytes)
        units.reserveCapacity(bytes.count)
        byteOffsets.reserveCapacity(bytes.count + 1)
        var i = 0
        while i < bytes.count {
            let (scalar, length) = UTF8.decodeValid(bytes, at: i)
            if scalar < 0x10000 {
                units.append(UInt16(truncatingIfNeeded: scalar))
                byteOffsets.append(i)
            } else {
                let v = scalar - 0x10000
                units.append(UInt16(truncatingIfNeeded: 0xD800 + (v >> 10)))
                units.append(UInt16(truncatingIfNeeded: 0xDC00 + (v & 0x3FF)))
                byteOffsets.append(i)
                byteOffsets.append(i)
            }
            i += length
        }
        byteOffsets.append(bytes.count)
        guard units.count <= Int(Int32.max) else {
            throw .textTooLong(length: units.count, limit: Int(Int32.max))
        }
    }
}
