// The byte-level alphabet of GPT-2 (`bytes_to_unicode` in openai/gpt-2 encoder.py, `bytes_char` in
// Hugging Face tokenizers): a bijection between the 256 byte values and 256 printable Unicode scalars,
// used to store byte-string tokens as JSON/text strings in vocab.json, merges.txt, tokenizer.json and GGUF.
//
// The 188 "printable" bytes 0x21–0x7E, 0xA1–0xAC and 0xAE–0xFF map to the same code point; the other 68
// (0x00–0x20, 0x7F–0xA0, 0xAD) map, in ascending order, to U+0100 + n. So 0x20 → "Ġ" (U+0120),
// 0x0A → "Ċ" (U+010A), 0x00 → "Ā" (U+0100), 0xAD → "Ń" (U+0143).
//
// Invariant: `byte(of: scalar(of: b)) == b` for all 256 bytes; every alphabet scalar is < U+0144, so it is
// one or two bytes of UTF-8. Complexity: O(1) per character, table lookups only.

/// GPT-2's byte ↔ printable-character mapping.
public enum ByteLevelAlphabet {
    /// The scalar value that stands for each byte.
    public static let scalarOfByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            if isPrintable(UInt8(b)) { table[b] = UInt32(b) } else { table[b] = 0x100 + n; n += 1 }
        }
        return table
    }()

    /// The byte each alphabet scalar stands for, indexed by scalar value (< 0x144); -1 outside the alphabet.
    static let byteOfScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for b in 0..<256 { table[Int(scalarOfByte[b])] = Int16(b) }
        return table
    }()

    static func isPrintable(_ b: UInt8) -> Bool {
        (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
    }

    /// The character that stands for `byte`.
    public static func scalar(of byte: UInt8) -> Unicode.Scalar {
        // Every table value is < 0x144, a valid scalar, so the fallback is never taken.
        Unicode.Scalar(UInt16(truncatingIfNeeded: scalarOfByte[Int(byte)])) ?? "\u{FFFD}"
    }

    /// The byte `scalar` stands for, or nil when it is not in the alphabet.
    public static func byte(of scalar: Unicode.Scalar) -> UInt8? {
        let v = Int(scalar.value)
        guard v < byteOfScalar.count, byteOfScalar[v] >= 0 else { return nil }
        return UInt8(byteOfScalar[v])
    }

    /// The alphabet string of a byte string (how vocab.json stores a token).
    public static func encode<S: Sequence<UInt8>>(_ bytes: S) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(scalar(of: b)) }
        return String(s)
    }

    /// The bytes an alphabet string stands for.
    /// - Throws: `ByteLevelAlphabet.OutsideAlphabet` naming the token and the offending character.
    public static func decode(_ token: String) throws(OutsideAlphabet) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(token.utf8.count)
        for (index, s) in token.unicodeScalars.enumerated() {
            guard let b = byte(of: s) else { throw OutsideAlphabet(token: token, scalar: s, characterIndex: index) }
            out.append(b)
        }
        return out
    }

    /// Decodes the UTF-8 bytes of an alphabet string, appending the bytes it stands for to `out`.
    /// Returns nil on success, or the UTF-8 offset of the first character outside the alphabet.
    /// - Complexity: O(n), no allocation beyond `out`'s growth.
    @inline(__always)
    static func decodeUTF8(_ text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Int? {
        var i = 0
        let n = text.count
        while i < n {
            let lead = text[i]
            if lead < 0x80 {
                let b = byteOfScalar[Int(lead)]
                if b < 0 { return i }
                out.append(UInt8(truncatingIfNeeded: b))
                i += 1
            } else if lead & 0xE0 == 0xC0, i + 1 < n, text[i + 1] & 0xC0 == 0x80 {
                let v = Int(lead & 0x1F) << 6 | Int(text[i + 1] & 0x3F)
                guard v >= 0x80, v < byteOfScalar.count, byteOfScalar[v] >= 0 else { return i }
                out.append(UInt8(truncatingIfNeeded: byteOfScalar[v]))
                i += 2
            } else {
                return i
            }
        }
        return nil
    }

    /// A token string containing a character that is not in the byte-level alphabet.
    public struct OutsideAlphabet: Error, Sendable, Equatable, CustomStringConvertible {
        public var token: String
        public var scalar: Unicode.Scalar
        /// Index of the character among the token's Unicode scalars.
        public var characterIndex: Int

        public var description: String {
            let code = "U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)
            return "token \(token.debugDescription) contains \(code) (character \(characterIndex + 1)), "
                + "which is not in GPT-2's byte-level alphabet"
        }
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
