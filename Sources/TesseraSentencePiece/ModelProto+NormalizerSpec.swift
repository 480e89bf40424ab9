// NormalizerSpec (fields 3 and 5 of ModelProto) and SelfTestData (field 4).
//
// NormalizerSpec: name = 1 (e.g. "nmt_nfkc", "identity"; informative only, the rules are in the charsmap),
// precompiled_charsmap = 2 (bytes: the compiled rewrite rules, see PrecompiledCharsMap), add_dummy_prefix = 3
// (default true), remove_extra_whitespaces = 4 (default true), escape_whitespaces = 5 (default true),
// normalization_rule_tsv = 6 (the rules in text form, training only).
//
// SelfTestData: repeated Sample samples = 1, Sample { input = 1, expected = 2 }. SentencePiece runs the samples
// when it loads a model; Tessera keeps them for the writer and for inspection.
//
// Invariant: unknown fields are kept verbatim (see ProtoFields). Complexity: O(1) per access.

/// The `NormalizerSpec` message.
public struct NormalizerSpec: Sendable, Equatable {
    /// Every declared field (raw value = field number).
    public enum Field: UInt32, Sendable, CaseIterable {
        case name = 1, precompiledCharsmap = 2, addDummyPrefix = 3, removeExtraWhitespaces = 4,
             escapeWhitespaces = 5, normalizationRuleTSV = 6
    }

    static let schema: [ProtoFieldSpec] = [
        .init(number: 1, name: "name", kind: .string),
        .init(number: 2, name: "precompiled_charsmap", kind: .bytes),
        .init(number: 3, name: "add_dummy_prefix", kind: .bool),
        .init(number: 4, name: "remove_extra_whitespaces", kind: .bool),
        .init(number: 5, name: "escape_whitespaces", kind: .bool),
        .init(number: 6, name: "normalization_rule_tsv", kind: .string),
    ]
    static let schemaIndex: [UInt32: Int] = Dictionary(uniqueKeysWithValues: schema.enumerated().map { ($1.number, $0) })

    var fields: ProtoFields

    init(fields: ProtoFields) { self.fields = fields }

    /// An empty spec: no rules, dummy prefix, whitespace cleanup and escaping all on (the proto defaults).
    public init() { fields = ProtoFields() }

    public func has(_ field: Field) -> Bool { fields.values[field.rawValue] != nil }
    public mutating func clear(_ field: Field) { fields.values[field.rawValue] = nil }
    public var unknownFields: [UnknownField] { fields.unknown }

    /// `name` (e.g. `nmt_nfkc`, `identity`).
    public var name: String? {
        get { fields.string(Field.name.rawValue) }
        set { fields.setString(Field.name.rawValue, newValue) }
    }
    /// `precompiled_charsmap`: empty means no character rewriting.
    public var precompiledCharsmap: [UInt8] {
        get { fields.bytes(Field.precompiledCharsmap.rawValue) ?? [] }
        set { fields.setBytes(Field.precompiledCharsmap.rawValue, newValue) }
    }
    /// `add_dummy_prefix` (default true): a `▁` before the text, so the first word looks like the others.
    public var addDummyPrefix: Bool {
        get { fields.bool(Field.addDummyPrefix.rawValue) ?? true }
        set { fields.setBool(Field.addDummyPrefix.rawValue, newValue) }
    }
    /// `remove_extra_whitespaces` (default true): drop leading and trailing spaces, squeeze runs to one.
    public var removeExtraWhitespaces: Bool {
        get { fields.bool(Field.removeExtraWhitespaces.rawValue) ?? true }
        set { fields.setBool(Field.removeExtraWhitespaces.rawValue, newValue) }
    }
    /// `escape_whitespaces` (default true): spaces become `▁` (U+2581).
    public var escapeWhitespaces: Bool {
        get { fields.bool(Field.escapeWhitespaces.rawValue) ?? true }
        set { fields.setBool(Field.escapeWhitespaces.rawValue, newValue) }
    }
    /// `normalization_rule_tsv` (training input; encoding uses the compiled charsmap).
    public var normalizationRuleTSV: String? {
        get { fields.string(Field.normalizationRuleTSV.rawValue) }
        set { fields.setString(Field.normalizationRuleTSV.rawValue, newValue) }
    }
}

/// The `SelfTestData` message: sample inputs and their expected pieces.
public struct SelfTestData: Sendable, Equatable {
    /// One sample: `input` and the expected pieces joined by spaces.
    public struct Sample: Sendable, Equatable {
        var fields: ProtoFields
        public var input: String? { fields.string(1) }
        public var expected: String? { fields.string(2) }

        static let schema: [ProtoFieldSpec] = [
            .init(number: 1, name: "input", kind: .string),
            .init(number: 2, name: "expected", kind: .string),
        ]
        static let schemaIndex: [UInt32: Int] = [1: 0, 2: 1]
    }

    public var samples: [Sample] = []
    public var unknownFields: [UnknownField] = []

    static func decode(_ r: inout ProtoReader) throws -> SelfTestData {
        var out = SelfTestData()
        var anchor: UInt32 = 0
        while !r.isAtEnd {
            let start = r.position
            let (number, wire) = try annotate("self_test_data") { try r.readTag() }
            if number != 1 {
                try annotate("self_test_data") { try r.skipValue(wire) }
                out.unknownFields.append(UnknownField(number: number, raw: Array(r.bytes[start..<r.position]), anchor: anchor))
                continue
            }
            let path = "self_test_data.samples[\(out.samples.count)]"
            guard wire == .lengthDelimited else {
                throw SentencePieceError(.unexpectedWireType, byteOffset: start, field: path,
                                         "the field has wire type \(wire.rawValue), but it is a message (wire type 2)",
                                         fix: "the file is corrupt or not a SentencePiece model")
            }
            let body = try annotate(path) { try r.readLengthDelimited() }
            var sub = ProtoReader(r.bytes, range: body)
            out.samples.append(Sample(fields: try ProtoFields.decode(&sub, schema: Sample.schema, index: Sample.schemaIndex, path: path)))
            anchor = 1
        }
        return out
    }

    func encode(into w: inout ProtoWriter) {
        for u in unknownFields where u.anchor == 0 { w.writeRaw(u.raw) }
        for s in samples { w.writeMessage(1) { s.fields.encode(into: &$0, schema: Sample.schema) } }
        for u in unknownFields where u.anchor == 1 { w.writeRaw(u.raw) }
    }
}
