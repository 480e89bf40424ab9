// WriterText: the byte-level building blocks of the writers: JSON strings escaped exactly as Hugging Face's
// serde_json writes them, standard base64 (RFC 4648 with `=` padding, as Python's `base64.b64encode`), and
// decimal numbers, all appended to one growing byte buffer (no String per token).
//
// JSON escaping (serde_json's `format_escaped_str`, which `tokenizers` uses for vocab.json and tokenizer.json):
// `"` → `\"`, `\` → `\\`, U+0008 `\b`, U+0009 `\t`, U+000A `\n`, U+000C `\f`, U+000D `\r`, any other scalar
// below U+0020 → `\u00XX` (lowercase hex); everything else, including `/`, U+007F and all non-ASCII, is written
// as its raw UTF-8 bytes. Python's `json.dumps(..., ensure_ascii=False)` gives the same bytes for these strings.
//
// Invariant: output is valid UTF-8 whenever the input strings are. Complexity: O(output size).

enum WriterText {
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    static let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends `"text"` with serde_json's escaping.
    static func appendJSONString<S: Sequence<UInt8>>(_ utf8: S, to out: inout [UInt8]) {
        out.append(0x22)
        for b in utf8 {
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0..<0x20:
                out.append(contentsOf: Array(#"\u00"#.utf8))
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(0x22)
    }

    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        appendJSONString(text.utf8, to: &out)
    }

    /// Appends the standard base64 of `bytes` (with `=` padding).
    static func appendBase64(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let n = bytes.count
        var i = 0
        base64Alphabet.withUnsafeBufferPointer { a in
            while i + 3 <= n {
                let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
                out.append(a[Int(v >> 18)]); out.append(a[Int(v >> 12 & 63)])
                out.append(a[Int(v >> 6 & 63)]); out.append(a[Int(v & 63)])
                i += 3
            }
            if n - i == 1 {
                let v = UInt32(bytes[i]) << 16
                out.append(a[Int(v >> 18)]); out.append(a[Int(v >> 12 & 63)])
                out.append(0x3D); out.append(0x3D)
            } else if n - i == 2 {
                let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
                out.append(a[Int(v >> 18)]); out.append(a[Int(v >> 12 & 63)]); out.append(a[Int(v >> 6 & 63)])
                out.append(0x3D)
            }
        }
    }

    static func appendBase64(_ bytes: [UInt8], to out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { appendBase64($0, to: &out) }
    }

    /// Appends the decimal digits of `value`.
    static func appendDecimal<I: BinaryInteger>(_ value: I, to out: inout [UInt8]) {
        if value < 0 { out.append(0x2D); appendDecimal(0 - Int64(value), to: &out); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = UInt64(value)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[count] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
                count += 1
            } while v > 0
            for k in stride(from: count - 1, through: 0, by: -1) { out.append(d[k]) }
        }
    }

    static func append(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
    }
}
