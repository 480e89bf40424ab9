// FastJSONEncoder: a Swift `Encoder` that writes JSON the way Hugging Face `tokenizers` saves it
// (serde_json: `tokenizer.save(path)` is pretty-printed with two-space indentation, `to_str()` is compact):
// members in the order they are encoded, strings escaped as serde_json escapes them (`"`, `\`, `\n`, `\r`,
// `\t`, `\b`, `\f`, other control characters as `\u00xx`; everything else raw UTF-8), integers as integers,
// floats in their shortest round-trip form. Large parts (`model.vocab`, `model.merges`) write themselves in
// bulk through `JSONFragment`, without building a node per entry.
//
// Invariant: the output parses back (serde_json, Python `json`) to the encoded values.
// Complexity: O(output size).

/// Encodes `Encodable` values to JSON bytes.
public enum FastJSONEncoding {
    /// - Parameter pretty: two-space indentation and one member or element per line (tokenizers' `save`);
    ///   false gives the compact form (tokenizers' `to_str()`).
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> [UInt8] {
        let root = NodeBox()
        try value.encode(to: TreeJSONEncoder(box: root, codingPath: []))
        var out = JSONOutput(pretty: pretty)
        out.write(root.node, indent: 0)
        return out.bytes
    }
}

/// A value that writes its own JSON (for bulk data).
protocol JSONFragment: Sendable {
    func writeJSON(to out: inout JSONOutput, indent: Int)
}

/// The tree of encoded values.
enum WriterNode {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case double(Double)
    case string(String)
    case array([NodeBox])
    case object([(key: String, box: NodeBox)])
    case fragment(any JSONFragment)
}

final class NodeBox {
    var node: WriterNode = .null
    init() {}
    init(_ node: WriterNode) { self.node = node }
}

/// The JSON text being written.
struct JSONOutput {
    var bytes: [UInt8] = []
    let pretty: Bool

    init(pretty: Bool) {
        self.pretty = pretty
        bytes.reserveCapacity(1 << 16)
    }

    mutating func write(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A line break and indentation (pretty) or nothing (compact).
    mutating func newline(_ indent: Int) {
        guard pretty else { return }
        bytes.append(0x0A)
        for _ in 0..<indent { bytes.append(0x20); bytes.append(0x20) }
    }

    /// `"key": ` (pretty) or `"key":` (compact).
    mutating func key(_ key: String) {
        string(key)
        bytes.append(0x3A)
        if pretty { bytes.append(0x20) }
    }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(utf8: $0) }
    }

    /// A JSON string from UTF-8 bytes, escaped as serde_json does.
    mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(0x22)
        var runStart = 0
        for i in 0..<utf8.count {
            let b = utf8[i]
            guard b < 0x20 || b == 0x22 || b == 0x5C else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
            runStart = i + 1
            bytes.append(0x5C)
            let letter = JSONEscapes.letterOfByte[Int(b)]
            if letter != 0 {
                bytes.append(letter)
            } else {
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        bytes.append(0x22)
    }

    mutating func integer<T: BinaryInteger>(_ v: T) {
        bytes.append(contentsOf: String(v).utf8)
    }

    /// A float in its shortest round-trip form, with serde_json's exponent style (`1e-7`, `1e21`).
    mutating func double(_ d: Double) {
        guard d.isFinite else { write("null"); return }
        var text = "\(d)"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var mantissa = String(text[..<e])
            var exponent = String(text[text.index(after: e)...])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            let negative = exponent.hasPrefix("-")
            exponent = String(exponent.drop(while: { $0 == "+" || $0 == "-" }).drop(while: { $0 == "0" }))
            text = mantissa + "e" + (negative ? "-" : "") + (exponent.isEmpty ? "0" : exponent)
        }
        bytes.append(contentsOf: text.utf8)
    }

    mutating func write(_ node: WriterNode, indent: Int) {
        switch node {
        case .null: write("null")
        case .bool(let b): b ? write("true") : write("false")
        case .integer(let i): integer(i)
        case .unsigned(let u): integer(u)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .fragment(let f): f.writeJSON(to: &self, indent: indent)
        case .array(let items):
            bytes.append(0x5B)
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(0x2C) }
                newline(indent + 1)
                write(item.node, indent: indent + 1)
            }
            if !items.isEmpty { newline(indent) }
            bytes.append(0x5D)
        case .object(let members):
            bytes.append(0x7B)
            for (i, member) in members.enumerated() {
                if i > 0 { bytes.append(0x2C) }
                newline(indent + 1)
                key(member.key)
                write(member.box.node, indent: indent + 1)
            }
            if !members.isEmpty { newline(indent) }
            bytes.append(0x7D)
        }
    }
}

/// The encoder for one node of the tree.
final class TreeJSONEncoder: Encoder {
    let box: NodeBox
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(box: NodeBox, codingPath: [any CodingKey]) {
        self.box = box
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = box.node {} else { box.node = .object([]) }
        return KeyedEncodingContainer(TreeKeyedContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = box.node {} else { box.node = .array([]) }
        return TreeUnkeyedContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { TreeSingleValueContainer(box: box, codingPath: codingPath) }

    /// Stores a bulk fragment as this node.
    func setFragment(_ fragment: any JSONFragment) { box.node = .fragment(fragment) }
}

/// Turns any encodable value into a node.
func encodeNode<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> NodeBox {
    let box = NodeBox()
    switch value {
    case let v as String: box.node = .string(v)
    case let v as Bool: box.node = .bool(v)
    case let v as Double: box.node = .double(v)
    case let v as Float: box.node = .double(Double(v))
    case let v as Int: box.node = .integer(Int64(v))
    case let v as Int64: box.node = .integer(v)
    case let v as Int32: box.node = .integer(Int64(v))
    case let v as UInt32: box.node = .unsigned(UInt64(v))
    case let v as UInt64: box.node = .unsigned(v)
    case let v as UInt: box.node = .unsigned(UInt64(v))
    default: try value.encode(to: TreeJSONEncoder(box: box, codingPath: path))
    }
    return box
}

struct TreeKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: NodeBox
    let codingPath: [any CodingKey]

    func append(_ key: Key, _ child: NodeBox) {
        guard case .object(var members) = box.node else { return }
        box.node = .null   // drop the box's reference so the append does not copy the members
        members.append((key.stringValue, child))
        box.node = .object(members)
    }

    mutating func encodeNil(forKey key: Key) throws { append(key, NodeBox(.null)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        append(key, try encodeNode(value, path: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = NodeBox(.object([]))
        append(key, child)
        return KeyedEncodingContainer(TreeKeyedContainer<NestedKey>(box: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = NodeBox(.array([]))
        append(key, child)
        return TreeUnkeyedContainer(box: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = NodeBox()
        append(key, child)
        return TreeJSONEncoder(box: child, codingPath: codingPath + [key])
    }
}

struct TreeUnkeyedContainer: UnkeyedEncodingContainer {
    let box: NodeBox
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let items) = box.node { return items.count }
        return 0
    }

    func append(_ child: NodeBox) {
        guard case .array(var items) = box.node else { return }
        box.node = .null   // drop the box's reference so the append does not copy the items
        items.append(child)
        box.node = .array(items)
    }

    mutating func encodeNil() throws { append(NodeBox(.null)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        append(try encodeNode(value, path: codingPath + [JSONKey(intValue: count)]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = NodeBox(.object([]))
        let path = codingPath + [JSONKey(intValue: count)]
        append(child)
        return KeyedEncodingContainer(TreeKeyedContainer<NestedKey>(box: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = NodeBox(.array([]))
        let path = codingPath + [JSONKey(intValue: count)]
        append(child)
        return TreeUnkeyedContainer(box: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let child = NodeBox()
        let path = codingPath + [JSONKey(intValue: count)]
        append(child)
        return TreeJSONEncoder(box: child, codingPath: path)
    }
}

struct TreeSingleValueContainer: SingleValueEncodingContainer {
    let box: NodeBox
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.node = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { box.node = try encodeNode(value, path: codingPath).node }
}
