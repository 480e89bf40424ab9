// ProtoFields: table-driven storage for the small proto2 messages of a SentencePiece model (TrainerSpec,
// NormalizerSpec, SelfTestData): each message declares its fields once (number, name, kind) and this type
// decodes, stores (with proto2 presence: a field is either set or absent) and encodes them.
//
// Fields the schema does not know (newer SentencePiece versions, extensions 200+) are kept verbatim, tag
// included, together with the number of the known field read just before them (their anchor). The writer emits
// known fields in field-number order, as protobuf's serializers do, and each unknown field right after its
// anchor, so every file whose known fields are in number order (all files protobuf writes) is reproduced byte
// for byte. An enum value outside the declared range is an unknown field too, exactly as in proto2 (the field
// then reads as absent, i.e. its default).
//
// Invariant: `values` holds only schema fields with the wire type their kind requires; strings are valid UTF-8.
// Complexity: decode and encode O(message size); lookups O(1).

/// How a known field is declared.
enum ProtoFieldKind: Sendable, Equatable {
    case int32, uint64, bool, float, string, bytes, repeatedString
    /// An enum whose known values are `range`.
    case enumeration(ClosedRange<Int32>)

    var wireType: WireType {
        switch self {
        case .int32, .uint64, .bool, .enumeration: return .varint
        case .float: return .fixed32
        case .string, .bytes, .repeatedString: return .lengthDelimited
        }
    }
}

/// One field of a message schema.
struct ProtoFieldSpec: Sendable {
    let number: UInt32
    let name: String
    let kind: ProtoFieldKind
}

/// A stored field value, in its wire representation.
enum ProtoValue: Sendable, Equatable {
    case varint(UInt64)
    case fixed32(UInt32)
    case bytes([UInt8])
    case strings([[UInt8]])
}

/// A field the schema does not know, kept verbatim.
public struct UnknownField: Sendable, Equatable {
    /// Its field number.
    public let number: UInt32
    /// The encoded field, tag included.
    public let raw: [UInt8]
    /// The number of the known field that preceded it in the input (0 when none), where the writer puts it back.
    public let anchor: UInt32
}

/// The fields of one message: known values by number, plus unknown fields in input order.
struct ProtoFields: Sendable, Equatable {
    var values: [UInt32: ProtoValue] = [:]
    var unknown: [UnknownField] = []

    /// Decodes `reader` (positioned at the message body) against `schema`. `path` names the message in errors.
    static func decode(_ reader: inout ProtoReader, schema: [ProtoFieldSpec], index: [UInt32: Int], path: String) throws -> ProtoFields {
        var out = ProtoFields()
        var anchor: UInt32 = 0
        while !reader.isAtEnd {
            let fieldStart = reader.position
            let (number, wire) = try annotate(path) { try reader.readTag() }
            guard let i = index[number] else {
                try annotate(path) { try reader.skipValue(wire) }
                out.unknown.append(UnknownField(number: number, raw: Array(reader.bytes[fieldStart..<reader.position]), anchor: anchor))
                continue
            }
            let spec = schema[i]
            let fieldPath = path.isEmpty ? spec.name : path + "." + spec.name
            guard wire == spec.kind.wireType else {
                throw SentencePieceError(.unexpectedWireType, byteOffset: fieldStart, field: fieldPath,
                                         "the field has wire type \(wire.rawValue), but it is declared as \(spec.kind) (wire type \(spec.kind.wireType.rawValue))",
                                         fix: "the file is corrupt or was written from a different .proto")
            }
            switch spec.kind {
            case .int32, .uint64, .bool:
                out.values[number] = .varint(try annotate(fieldPath) { try reader.readVarint() })
            case .enumeration(let known):
                let raw = try annotate(fieldPath) { try reader.readVarint() }
                let value = Int32(truncatingIfNeeded: raw)
                if known.contains(value) {
                    out.values[number] = .varint(raw)
                } else {
                    // proto2: an unknown enum value goes to the unknown fields and the field stays unset.
                    out.unknown.append(UnknownField(number: number, raw: Array(reader.bytes[fieldStart..<reader.position]), anchor: anchor))
                    continue
                }
            case .float:
                out.values[number] = .fixed32(try annotate(fieldPath) { try reader.readFixed32() })
            case .bytes, .string:
                let range = try annotate(fieldPath) { try reader.readLengthDelimited() }
                if spec.kind == .string { try checkUTF8(reader.bytes, range, field: fieldPath) }
                out.values[number] = .bytes(Array(reader.bytes[range]))
            case .repeatedString:
                let range = try annotate(fieldPath) { try reader.readLengthDelimited() }
                let count = { if case .strings(let list)? = out.values[number] { return list.count } else { return 0 } }()
                try checkUTF8(reader.bytes, range, field: fieldPath + "[\(count)]")
                if case .strings(var list)? = out.values[number] {
                    list.append(Array(reader.bytes[range]))
                    out.values[number] = .strings(list)
                } else {
                    out.values[number] = .strings([Array(reader.bytes[range])])
                }
            }
            anchor = number
        }
        return out
    }

    /// Encodes the known fields in number order, each unknown field after its anchor.
    func encode(into w: inout ProtoWriter, schema: [ProtoFieldSpec]) {
        for u in unknown where u.anchor == 0 { w.writeRaw(u.raw) }
        for spec in schema.sorted(by: { $0.number < $1.number }) {
            if let value = values[spec.number] {
                switch value {
                case .varint(let v):
                    w.writeTag(spec.number, .varint)
                    w.writeVarint(v)
                case .fixed32(let v):
                    w.writeTag(spec.number, .fixed32)
                    w.writeFixed32(v)
                case .bytes(let b):
                    w.writeLengthDelimited(spec.number, b)
                case .strings(let list):
                    for s in list { w.writeLengthDelimited(spec.number, s) }
                }
            }
            for u in unknown where u.anchor == spec.number { w.writeRaw(u.raw) }
        }
    }

    // MARK: Typed access (proto2 semantics: an absent field reads as its default)

    func int32(_ number: UInt32) -> Int32? {
        if case .varint(let v)? = values[number] { return Int32(truncatingIfNeeded: v) }
        return nil
    }

    func uint64(_ number: UInt32) -> UInt64? {
        if case .varint(let v)? = values[number] { return v }
        return nil
    }

    func bool(_ number: UInt32) -> Bool? {
        if case .varint(let v)? = values[number] { return v != 0 }
        return nil
    }

    func float(_ number: UInt32) -> Float? {
        if case .fixed32(let v)? = values[number] { return Float(bitPattern: v) }
        return nil
    }

    func bytes(_ number: UInt32) -> [UInt8]? {
        if case .bytes(let b)? = values[number] { return b }
        return nil
    }

    func string(_ number: UInt32) -> String? {
        bytes(number).map { String(decoding: $0, as: UTF8.self) }
    }

    func strings(_ number: UInt32) -> [String] {
        if case .strings(let list)? = values[number] { return list.map { String(decoding: $0, as: UTF8.self) } }
        return []
    }

    mutating func setInt32(_ number: UInt32, _ value: Int32?) {
        // Negative int32 values are sign-extended to 64 bits on the wire (10-byte varints), as protobuf does.
        values[number] = value.map { .varint(UInt64(bitPattern: Int64($0))) }
    }

    mutating func setUInt64(_ number: UInt32, _ value: UInt64?) { values[number] = value.map { .varint($0) } }
    mutating func setBool(_ number: UInt32, _ value: Bool?) { values[number] = value.map { .varint($0 ? 1 : 0) } }
    mutating func setFloat(_ number: UInt32, _ value: Float?) { values[number] = value.map { .fixed32($0.bitPattern) } }
    mutating func setBytes(_ number: UInt32, _ value: [UInt8]?) { values[number] = value.map { .bytes($0) } }
    mutating func setString(_ number: UInt32, _ value: String?) { values[number] = value.map { .bytes(Array($0.utf8)) } }
    mutating func setStrings(_ number: UInt32, _ list: [String]) {
        values[number] = list.isEmpty ? nil : .strings(list.map { Array($0.utf8) })
    }
}

/// Adds `path` to an error that has no field yet.
@inline(__always)
func annotate<T>(_ path: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch var e as SentencePieceError {
        if e.field == nil {
            let p = path()
            if !p.isEmpty { e.field = p }
        }
        throw e
    }
}

/// Throws `.invalidUTF8` unless `bytes[range]` is well-formed UTF-8.
func checkUTF8(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, field: @autoclosure () -> String) throws {
    if let bad = firstInvalidUTF8(UnsafeBufferPointer(rebasing: bytes[range])) {
        throw SentencePieceError(.invalidUTF8, byteOffset: range.lowerBound + bad, field: field(),
                                 "the string \(SentencePieceError.show(bytes[range])) is not valid UTF-8 (bad byte at +\(bad))",
                                 fix: "store the text as UTF-8; re-export the model")
    }
}

/// The offset of the first byte that does not start or continue a well-formed UTF-8 sequence, or nil.
func firstInvalidUTF8(_ s: UnsafeBufferPointer<UInt8>) -> Int? {
    var i = 0
    let n = s.count
    while i < n {
        let b = s[i]
        if b < 0x80 { i += 1; continue }
        let length = UTF8Char.wellFormedLength(s, at: i)
        if length == 0 { return i }
        i += length
    }
    return nil
}
