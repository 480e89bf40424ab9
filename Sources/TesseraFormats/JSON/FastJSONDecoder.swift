// FastJSONDecoder: a Swift `Decoder` that reads straight from the document bytes with `JSONScanner`, so that
// `Decodable` types (the typed tokenizer.json model) decode without Foundation's JSONDecoder and without a
// dynamic tree. Types that know about it (`TokenizerJSON.Vocab`, `.Merges`, `JSONValue`) ask it for their
// raw position and parse in bulk.
//
// A keyed container scans its object once (keys and value offsets, values skipped); an unkeyed container
// scans its array once; primitives are read where they stand. `allKeys` lists keys in document order, which
// the typed model records so a written file keeps the order it was read in.
// Invariant: every failure is a `DecodingError` whose coding path names the JSON field.
// Complexity: O(size) per nesting level that is scanned (each value is skipped once per enclosing container).

/// Decodes `T` from JSON bytes.
public enum FastJSON {
    /// - Throws: `DecodingError` (with the coding path and, for syntax errors, the byte offset).
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let document: JSONDocument
        do { document = try JSONDocument(bytes) } catch let error as JSONSyntaxError {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not valid JSON: \(error)"))
        }
        let scanner = document.scanner
        let start = scanner.skipWhitespace(0)
        let decoder = FastJSONDecoder(document: document, start: start, codingPath: [])
        let value = try T(from: decoder)
        do {
            // The top-level container already found its end; skip the value again only when it did not.
            let end = scanner.skipWhitespace(try document.knownEnd[start] ?? scanner.skipValue(start))
            if end != scanner.n { throw scanner.fail(end, "unexpected content after the top-level value") }
        } catch let error as JSONSyntaxError {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not valid JSON: \(error)"))
        }
        return value
    }
}

/// The decoder for the value at one offset of a document.
final class FastJSONDecoder: Decoder {
    let document: JSONDocument
    let start: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(document: JSONDocument, start: Int, codingPath: [any CodingKey]) {
        self.document = document
        self.start = start
        self.codingPath = codingPath
    }

    var scanner: JSONScanner { document.scanner }

    /// Turns a scanner error into a `DecodingError` at this decoder's path.
    func syntax<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as JSONSyntaxError {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "not valid JSON: \(error)"))
        }
    }

    func typeMismatch(_ type: Any.Type, expected: String) -> DecodingError {
        DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(expected)"))
    }

    var isNull: Bool { scanner.byte(start) == 0x6E }

    /// serde_json's recursion limit: deeper documents are refused instead of exhausting the stack.
    static let maximumDepth = 128

    func checkDepth() throws {
        if codingPath.count >= Self.maximumDepth {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
                                                    debugDescription: "the JSON nests deeper than \(Self.maximumDepth) levels"))
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try checkDepth()
        guard scanner.byte(start) == 0x7B else {
            if isNull { throw DecodingError.valueNotFound([String: Any].self, .init(codingPath: codingPath, debugDescription: "null")) }
            throw typeMismatch([String: Any].self, expected: "an object")
        }
        let (entries, end) = try syntax { try scanner.objectEntries(start) }
        document.knownEnd[start] = end
        return KeyedDecodingContainer(FastKeyedContainer<Key>(decoder: self, entries: entries))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try checkDepth()
        guard scanner.byte(start) == 0x5B else {
            if isNull { throw DecodingError.valueNotFound([Any].self, .init(codingPath: codingPath, debugDescription: "null")) }
            throw typeMismatch([Any].self, expected: "an array")
        }
        let (elements, end) = try syntax { try scanner.arrayElements(start) }
        document.knownEnd[start] = end
        return FastUnkeyedContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { FastSingleValueContainer(decoder: self) }

    func child(at offset: Int, key: any CodingKey) -> FastJSONDecoder {
        FastJSONDecoder(document: document, start: offset, codingPath: codingPath + [key])
    }

    // MARK: Primitives

    func decodeString() throws -> String {
        guard scanner.byte(start) == 0x22 else { throw mismatchOrNull(String.self, expected: "a string") }
        return try syntax { try scanner.string(start).0 }
    }

    func decodeBool() throws -> Bool {
        switch scanner.byte(start) {
        case 0x74: _ = try syntax { try scanner.literal(start, "true") }; return true
        case 0x66: _ = try syntax { try scanner.literal(start, "false") }; return false
        default: throw mismatchOrNull(Bool.self, expected: "true or false")
        }
    }

    func decodeDouble() throws -> Double {
        let b = scanner.byte(start)
        guard b == 0x2D || (b >= 0x30 && b <= 0x39) else { throw mismatchOrNull(Double.self, expected: "a number") }
        let end = try syntax { try scanner.number(start).end }
        guard let d = Double(scanner.numberText(start, end)) else { throw typeMismatch(Double.self, expected: "a number") }
        return d
    }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let b = scanner.byte(start)
        guard b == 0x2D || (b >= 0x30 && b <= 0x39) else { throw mismatchOrNull(T.self, expected: "an integer") }
        let (end, isInteger) = try syntax { try scanner.number(start) }
        guard isInteger, let v = T(scanner.numberText(start, end)) else {
            let text = scanner.numberText(start, end)
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(text) is not an integer in \(T.min)...\(T.max)"))
        }
        return v
    }

    func mismatchOrNull(_ type: Any.Type, expected: String) -> DecodingError {
        if isNull { return DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "null")) }
        return typeMismatch(type, expected: expected)
    }

    /// The value here as a `JSONValue` tree.
    func value() throws -> JSONValue {
        try syntax { try Self.value(at: start, scanner, depth: codingPath.count) }
    }

    static func value(at i: Int, _ s: JSONScanner, depth: Int) throws -> JSONValue {
        let b = s.byte(i)
        if (b == 0x7B || b == 0x5B) && depth >= maximumDepth {
            throw s.fail(i, "the JSON nests deeper than \(maximumDepth) levels")
        }
        switch b {
        case 0x7B:
            let (entries, _) = try s.objectEntries(i)
            return .object(try entries.map { JSONMember(key: $0.key, value: try value(at: $0.value, s, depth: depth + 1)) })
        case 0x5B:
            let (elements, _) = try s.arrayElements(i)
            return .array(try elements.map { try value(at: $0, s, depth: depth + 1) })
        case 0x22: return .string(try s.string(i).0)
        case 0x74: _ = try s.literal(i, "true"); return .bool(true)
        case 0x66: _ = try s.literal(i, "false"); return .bool(false)
        case 0x6E: _ = try s.literal(i, "null"); return .null
        default:
            let (end, isInteger) = try s.number(i)
            let text = s.numberText(i, end)
            if isInteger, let v = Int64(text) { return .integer(v) }
            return .double(Double(text) ?? .nan)
        }
    }
}

struct FastKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: FastJSONDecoder
    let entries: [(key: String, value: Int)]
    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { entries.contains { $0.key == key.stringValue } }

    func child(_ key: Key) throws -> FastJSONDecoder {
        guard let entry = entries.last(where: { $0.key == key.stringValue }) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return decoder.child(at: entry.value, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decodeBool() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decodeString() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decodeDouble() }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try child(key).decodeDouble()) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decodeInteger(Int.self) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decodeInteger(Int8.self) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decodeInteger(Int16.self) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decodeInteger(Int32.self) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decodeInteger(Int64.self) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decodeInteger(UInt.self) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decodeInteger(UInt8.self) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decodeInteger(UInt16.self) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decodeInteger(UInt32.self) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decodeInteger(UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: child(key)) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key) else { return nil }
        let c = try child(key)
        if c.isNull { return nil }
        return try T(from: c)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

struct FastUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: FastJSONDecoder
    let elements: [Int]
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(decoder: FastJSONDecoder, elements: [Int]) {
        self.decoder = decoder
        self.elements = elements
    }

    mutating func next() throws -> FastJSONDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath + [JSONKey(intValue: currentIndex)],
                                                              debugDescription: "the array has only \(elements.count) elements"))
        }
        defer { currentIndex += 1 }
        return decoder.child(at: elements[currentIndex], key: JSONKey(intValue: currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if decoder.scanner.byte(elements[currentIndex]) == 0x6E { currentIndex += 1; return true }
        return false
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try next().decodeBool() }
    mutating func decode(_ type: String.Type) throws -> String { try next().decodeString() }
    mutating func decode(_ type: Double.Type) throws -> Double { try next().decodeDouble() }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try next().decodeDouble()) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next().decodeInteger(Int.self) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().decodeInteger(Int8.self) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().decodeInteger(Int16.self) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().decodeInteger(Int32.self) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().decodeInteger(Int64.self) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next().decodeInteger(UInt.self) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().decodeInteger(UInt8.self) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().decodeInteger(UInt16.self) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().decodeInteger(UInt32.self) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().decodeInteger(UInt64.self) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

struct FastSingleValueContainer: SingleValueDecodingContainer {
    let decoder: FastJSONDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeBool() }
    func decode(_ type: String.Type) throws -> String { try decoder.decodeString() }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeDouble() }
    func decode(_ type: Float.Type) throws -> Float { Float(try decoder.decodeDouble()) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeInteger(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeInteger(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeInteger(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeInteger(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeInteger(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeInteger(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeInteger(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeInteger(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeInteger(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeInteger(UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: decoder) }
}
