// JSON string quoting for output; bytes that are not valid UTF-8 are shown as \xNN (not valid JSON
// escapes, but never ambiguous: a literal backslash is always written as \\).

enum JSONText {
    static func quote(_ s: String) -> String { quote(bytes: Array(s.utf8)) }

    static func quote(bytes: [UInt8]) -> String {
        var out = "\""
        var i = 0
        while i < bytes.count {
            let (scalar, length) = decodeScalar(bytes, at: i)
            if let scalar {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 || scalar.value == 0x7F {
                        out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                            + String(scalar.value, radix: 16)
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            } else {
                out += "\\x" + (bytes[i] < 16 ? "0" : "") + String(bytes[i], radix: 16)
            }
            i += length
        }
        return out + "\""
    }

    /// The scalar starting at `i` and its length, or (nil, 1) for a byte that does not start valid UTF-8.
    static func decodeScalar(_ b: [UInt8], at i: Int) -> (Unicode.Scalar?, Int) {
        var iterator = b[i...].makeIterator()
        var decoder = UTF8()
        switch decoder.decode(&iterator) {
        case .scalarValue(let s): return (s, UTF8.width(s))
        default: return (nil, 1)
        }
    }
}
