// JSONScanner: a strict RFC 8259 reader over a byte buffer, the base of `FastJSONDecoder` and of the bulk
// parsers for tokenizer.json's `model.vocab` / `model.merges`. It never builds a tree: callers ask for the
// value at an offset (a string, a number literal, the entries of an object) or skip it.
//
// Strictness matches serde_json, which Hugging Face uses: no comments, no trailing commas, no control
// characters in strings, `\u` escapes must pair surrogates, numbers follow the JSON grammar. UTF-8 is checked
// once for the whole document (`JSONDocument.init`), so strings can be made without re-validation.
// Invariant: every function either returns the offset just past what it read or throws `JSONSyntaxError`
// with the byte offset of the problem; no read goes past the buffer.
// Complexity: O(bytes read); skipping a value is one pass with a bracket stack.

/// A malformed JSON document: what is wrong and at which byte.
struct JSONSyntaxError: Error, CustomStringConvertible {
    var offset: Int
    var message: String
    var description: String { "\(message) at byte offset \(offset)" }
}

/// The document's bytes in stable memory (the decoder hands out offsets into it).
final class JSONDocument: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt8>
    let count: Int
    /// The end offset of containers already scanned, by start offset (one decode uses a document at a time).
    var knownEnd: [Int: Int] = [:]

    /// Copies `bytes` (plus a NUL sentinel) and checks they are UTF-8.
    init(_ bytes: [UInt8]) throws {
        count = bytes.count
        base = .allocate(capacity: bytes.count + 1)
        bytes.withUnsafeBufferPointer { b in
            if let src = b.baseAddress { base.initialize(from: src, count: b.count) }
        }
        base[bytes.count] = 0
        if let bad = Self.firstInvalidUTF8(base, count) {
            throw JSONSyntaxError(offset: bad, message: "invalid UTF-8")
        }
    }

    deinit { base.deallocate() }

    var scanner: JSONScanner { JSONScanner(p: UnsafePointer(base), n: count) }

    /// Offset of the first byte that is not part of well-formed UTF-8, or nil.
    static func firstInvalidUTF8(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        var i = 0
        while i < n {
            // ASCII fast path, 8 bytes at a time.
            while i + 8 <= n && UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < n else { break }
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            let need: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: need = 2
            case 0xED: need = 2; high = 0x9F
            case 0xF0: need = 3; low = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; high = 0x8F
            default: return i
            }
            if i + need >= n { return i }
            let b1 = p[i + 1]
            if b1 < low || b1 > high { return i }
            if need >= 2 {
                for k in 2...need where p[i + k] & 0xC0 != 0x80 { return i }
            }
            i += need + 1
        }
        return nil
    }
}

/// The one-letter escapes of JSON: `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t` (the writer uses all but `\/`, as
/// serde_json does).
enum JSONEscapes {
    static let pairs: [(letter: UInt8, byte: UInt8)] = [(0x22, 0x22), (0x5C, 0x5C), (0x2F, 0x2F), (0x62, 0x08), (0x66, 0x0C),
                                                       (0x6E, 0x0A), (0x72, 0x0D), (0x74, 0x09)]
    static let byteOfLetter: [UInt8: UInt8] = Dictionary(uniqueKeysWithValues: pairs.map { ($0.letter, $0.byte) })
    /// The letter that escapes each byte the writer escapes briefly (0 where it writes `\u00xx` or nothing).
    static let letterOfByte: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 128)
        for p in pairs where p.letter != 0x2F { table[Int(p.byte)] = p.letter }
        return table
    }()
}

/// Reads JSON at byte offsets of a buffer.
struct JSONScanner {
    let p: UnsafePointer<UInt8>
    let n: Int

    @inline(__always) func byte(_ i: Int) -> UInt8 { i < n ? p[i] : 0 }

    /// The first offset at or after `i` that may end a run of plain string bytes (a quote, a backslash or a
    /// control character), skipping eight bytes at a time (SWAR: a word has none of them when no byte equals
    /// 0x22 or 0x5C and none is below 0x20).
    @inline(__always)
    func plainRunEnd(_ i: Int) -> Int {
        var j = i
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while j + 8 <= n {
            let x = UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self)
            let quote = x ^ (ones &* 0x22), backslash = x ^ (ones &* 0x5C)
            let flagged = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((x &- ones &* 0x20) & ~x)
            if flagged & highs != 0 { break }
            j += 8
        }
        while j < n {
            let b = p[j]
            if b == 0x22 || b == 0x5C || b < 0x20 { break }
            j += 1
        }
        return j
    }

    @inline(__always)
    func skipWhitespace(_ i: Int) -> Int {
        var i = i
        while i < n {
            let b = p[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 } else { break }
        }
        return i
    }

    func fail(_ i: Int, _ message: String) -> JSONSyntaxError { JSONSyntaxError(offset: i, message: message) }

    func unexpected(_ i: Int, expecting: String) -> JSONSyntaxError {
        if i >= n { return fail(i, "unexpected end of the document (expected \(expecting)); the file is truncated") }
        let b = p[i]
        let shown = b >= 0x20 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x" + String(b, radix: 16)
        return fail(i, "unexpected \(shown) (expected \(expecting))")
    }

    /// Expects `literal` at `i` and returns the offset after it.
    func literal(_ i: Int, _ literal: StaticString) throws -> Int {
        let count = literal.utf8CodeUnitCount
        guard i + count <= n else { throw unexpected(i, expecting: "\(literal)") }
        let start = literal.utf8Start
        for k in 0..<count where p[i + k] != start[k] { throw unexpected(i + k, expecting: "\(literal)") }
        return i + count
    }

    // MARK: Strings

    /// Reads the string at `i` (its opening quote), appending its unescaped UTF-8 to `out`; returns the
    /// offset after the closing quote.
    @inline(__always)
    func string(_ i: Int, into out: inout [UInt8]) throws -> Int {
        guard byte(i) == 0x22 else { throw unexpected(i, expecting: "a string") }
        var j = i + 1
        var runStart = j
        while true {
            j = plainRunEnd(j)
            if j >= n { throw fail(i, "unterminated string; the file is truncated") }
            out.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: j - runStart))
            let b = p[j]
            if b == 0x22 { return j + 1 }
            if b < 0x20 { throw fail(j, "control character 0x\(String(b, radix: 16)) inside a string (it must be escaped)") }
            j = try escape(j, into: &out)
            runStart = j
        }
    }

    /// Reads the escape sequence at `i` (a backslash) and returns the offset after it.
    func escape(_ i: Int, into out: inout [UInt8]) throws -> Int {
        guard i + 1 < n else { throw fail(i, "unterminated escape; the file is truncated") }
        let letter = p[i + 1]
        if let byte = JSONEscapes.byteOfLetter[letter] {
            out.append(byte)
            return i + 2
        }
        switch letter {
        case 0x75:
            var code = try hex4(i + 2)
            var end = i + 6
            if code >= 0xD800 && code < 0xDC00 {
                guard byte(end) == 0x5C, byte(end + 1) == 0x75 else {
                    throw fail(i, "lone leading surrogate in a \\u escape")
                }
                let low = try hex4(end + 2)
                guard low >= 0xDC00 && low < 0xE000 else { throw fail(end, "invalid trailing surrogate in a \\u escape") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                end += 6
            } else if code >= 0xDC00 && code < 0xE000 {
                throw fail(i, "lone trailing surrogate in a \\u escape")
            }
            appendUTF8(code, to: &out)
            return end
        default:
            throw fail(i + 1, "invalid escape '\\\(Character(Unicode.Scalar(p[i + 1])))'")
        }
    }

    func hex4(_ i: Int) throws -> UInt32 {
        guard i + 4 <= n else { throw fail(i, "truncated \\u escape") }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = p[i + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail(i + k, "invalid hex digit in a \\u escape")
            }
            v = v << 4 | d
        }
        return v
    }

    func appendUTF8(_ c: UInt32, to out: inout [UInt8]) {
        switch c {
        case 0..<0x80: out.append(UInt8(c))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | c >> 6)); out.append(UInt8(0x80 | c & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | c >> 12)); out.append(UInt8(0x80 | (c >> 6) & 0x3F)); out.append(UInt8(0x80 | c & 0x3F))
        default:
            out.append(UInt8(0xF0 | c >> 18)); out.append(UInt8(0x80 | (c >> 12) & 0x3F))
            out.append(UInt8(0x80 | (c >> 6) & 0x3F)); out.append(UInt8(0x80 | c & 0x3F))
        }
    }

    /// The string at `i` as a Swift string, and the offset after it.
    func string(_ i: Int) throws -> (String, Int) {
        var bytes: [UInt8] = []
        let end = try string(i, into: &bytes)
        return (String(decoding: bytes, as: UTF8.self), end)
    }

    // MARK: Numbers

    /// The end of the number literal at `i` (JSON grammar) and whether it is an integer (no fraction or exponent).
    func number(_ i: Int) throws -> (end: Int, isInteger: Bool) {
        var j = i
        if byte(j) == 0x2D { j += 1 }
        let digitsStart = j
        if byte(j) == 0x30 {
            j += 1
        } else {
            while byte(j) >= 0x30 && byte(j) <= 0x39 { j += 1 }
        }
        guard j > digitsStart else { throw unexpected(i, expecting: "a value") }
        var integer = true
        if byte(j) == 0x2E {
            integer = false
            j += 1
            let s = j
            while byte(j) >= 0x30 && byte(j) <= 0x39 { j += 1 }
            guard j > s else { throw fail(j, "a digit must follow the decimal point") }
        }
        if byte(j) == 0x65 || byte(j) == 0x45 {
            integer = false
            j += 1
            if byte(j) == 0x2B || byte(j) == 0x2D { j += 1 }
            let s = j
            while byte(j) >= 0x30 && byte(j) <= 0x39 { j += 1 }
            guard j > s else { throw fail(j, "a digit must follow the exponent") }
        }
        return (j, integer)
    }

    /// The number literal's text.
    func numberText(_ i: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: p + i, count: end - i), as: UTF8.self)
    }

    /// A non-negative integer that fits in `UInt64` at `i`; nil when the literal is not one.
    func unsignedInteger(_ i: Int) throws -> (UInt64?, Int) {
        let (end, isInteger) = try number(i)
        guard isInteger, p[i] != 0x2D else { return (nil, end) }
        var v: UInt64 = 0
        for k in i..<end {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(p[k] - 0x30))
            if o1 || o2 { return (nil, end) }
            v = a
        }
        return (v, end)
    }

    // MARK: Structure

    /// Skips the value at `i` and returns the offset after it. Strings and numbers are checked fully, the
    /// bracket structure too.
    func skipValue(_ i: Int) throws -> Int {
        var closers: [UInt8] = []
        var j = skipWhitespace(i)
        while true {
            // `j` is at a value.
            guard j < n else { throw unexpected(j, expecting: "a value") }
            switch p[j] {
            case 0x7B:   // {
                j = skipWhitespace(j + 1)
                if byte(j) == 0x7D {
                    j += 1
                } else {
                    closers.append(0x7D)
                    j = try skipKey(j)
                    continue
                }
            case 0x5B:   // [
                j = skipWhitespace(j + 1)
                if byte(j) == 0x5D {
                    j += 1
                } else {
                    closers.append(0x5D)
                    continue
                }
            case 0x22: j = try skipString(j)
            case 0x74: j = try literal(j, "true")
            case 0x66: j = try literal(j, "false")
            case 0x6E: j = try literal(j, "null")
            default: j = try number(j).end
            }
            // A value is complete: close containers or move to the next element.
            while true {
                guard let closer = closers.last else { return j }
                j = skipWhitespace(j)
                let b = byte(j)
                if b == 0x2C {
                    j = skipWhitespace(j + 1)
                    if closer == 0x7D { j = try skipKey(j) }
                    break
                }
                guard b == closer else { throw unexpected(j, expecting: closer == 0x7D ? "',' or '}'" : "',' or ']'") }
                closers.removeLast()
                j += 1
            }
        }
    }

    /// Skips `"key" :` at `i` and returns the offset of the value.
    func skipKey(_ i: Int) throws -> Int {
        var j = skipWhitespace(try skipString(i))
        guard byte(j) == 0x3A else { throw unexpected(j, expecting: "':'") }
        j = skipWhitespace(j + 1)
        return j
    }

    /// Skips the string at `i` (checking escapes) and returns the offset after it.
    @inline(__always)
    func skipString(_ i: Int) throws -> Int {
        guard byte(i) == 0x22 else { throw unexpected(i, expecting: "a string") }
        var j = i + 1
        while j < n {
            j = plainRunEnd(j)
            guard j < n else { break }
            let b = p[j]
            if b == 0x22 { return j + 1 }
            if b == 0x5C {
                var scratch: [UInt8] = []
                j = try escape(j, into: &scratch)
                continue
            }
            if b < 0x20 { throw fail(j, "control character 0x\(String(b, radix: 16)) inside a string (it must be escaped)") }
            j += 1
        }
        throw fail(i, "unterminated string; the file is truncated")
    }

    /// The entries of the object at `i`: each key and the offset where its value starts; and the offset after
    /// the object. A key that occurs twice keeps its last value (serde_json maps do the same).
    func objectEntries(_ i: Int) throws -> (entries: [(key: String, value: Int)], end: Int) {
        guard byte(i) == 0x7B else { throw unexpected(i, expecting: "an object") }
        var entries: [(key: String, value: Int)] = []
        var j = skipWhitespace(i + 1)
        if byte(j) == 0x7D { return (entries, j + 1) }
        while true {
            let (key, afterKey) = try string(j)
            j = skipWhitespace(afterKey)
            guard byte(j) == 0x3A else { throw unexpected(j, expecting: "':'") }
            let valueStart = skipWhitespace(j + 1)
            j = skipWhitespace(try skipValue(valueStart))
            entries.append((key, valueStart))
            let b = byte(j)
            if b == 0x2C { j = skipWhitespace(j + 1); continue }
            if b == 0x7D { return (Self.lastOfEachKey(entries), j + 1) }
            throw unexpected(j, expecting: "',' or '}'")
        }
    }

    /// `entries` without the earlier occurrences of repeated keys (order of the kept ones unchanged).
    static func lastOfEachKey(_ entries: [(key: String, value: Int)]) -> [(key: String, value: Int)] {
        var seen = Set<String>()
        var keep = [Bool](repeating: false, count: entries.count)
        for i in entries.indices.reversed() where seen.insert(entries[i].key).inserted { keep[i] = true }
        if !keep.contains(false) { return entries }
        return entries.indices.filter { keep[$0] }.map { entries[$0] }
    }

    /// The start offsets of the elements of the array at `i`, and the offset after the array.
    func arrayElements(_ i: Int) throws -> (elements: [Int], end: Int) {
        guard byte(i) == 0x5B else { throw unexpected(i, expecting: "an array") }
        var elements: [Int] = []
        var j = skipWhitespace(i + 1)
        if byte(j) == 0x5D { return (elements, j + 1) }
        while true {
            elements.append(j)
            j = skipWhitespace(try skipValue(j))
            let b = byte(j)
            if b == 0x2C { j = skipWhitespace(j + 1); continue }
            if b == 0x5D { return (elements, j + 1) }
            throw unexpected(j, expecting: "',' or ']'")
        }
    }
}
