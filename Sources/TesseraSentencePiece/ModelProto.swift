// ModelProto: the typed content of a SentencePiece `.model` file (google/sentencepiece
// src/sentencepiece_model.proto, proto2, package `sentencepiece`):
//
//   message ModelProto {
//     repeated SentencePiece pieces = 1;      // piece = 1 (string), score = 2 (float), type = 3 (enum, NORMAL)
//     optional TrainerSpec trainer_spec = 2;
//     optional NormalizerSpec normalizer_spec = 3;
//     optional SelfTestData self_test_data = 4;
//     optional NormalizerSpec denormalizer_spec = 5;
//   }
//
// The id of a piece is its index in `pieces`. Decoding checks only the wire format (tags, lengths, wire types,
// UTF-8 of strings); what SentencePiece requires of the pieces themselves (non-empty, unique, one `<unk>`,
// 256 byte pieces with byte fallback) is checked when a tokenizer is built (`SentencePiecePieceTable`).
//
// Invariant: `ModelProto(serialized: bytes).serialized() == bytes` for every file whose fields are in
// field-number order (see ProtoFields: unknown fields are kept verbatim next to the field before them).
// Complexity: O(file size) to decode and to encode.

/// The six kinds of piece.
public enum PieceType: Int32, Sendable, CaseIterable {
    /// An ordinary piece the model may produce.
    case normal = 1
    /// The unknown piece (`<unk>`); exactly one per model.
    case unknown = 2
    /// A control symbol (`<s>`, `</s>`, `<2ja>`…): never produced from text, decoded to nothing.
    case control = 3
    /// A user-defined symbol: always one token when it occurs in the text, never normalized.
    case userDefined = 4
    /// A piece the model may not produce (SetVocabulary): BPE splits it back into its parts.
    case unused = 5
    /// A byte piece `<0x00>`…`<0xFF>` used by byte fallback.
    case byte = 6
}

/// A decoded SentencePiece model.
public struct ModelProto: Sendable, Equatable {
    /// One vocabulary entry.
    public struct Piece: Sendable, Equatable {
        /// The piece text (`▁the`, `<0x41>`, `<s>`); nil when the field is absent (an invalid model).
        public var piece: String?
        /// The score: a log probability for Unigram, minus the merge order for BPE. Absent reads as 0.
        public var score: Float?
        /// The type as stored; absent means `.normal`.
        public var type: PieceType?
        /// Fields this reader does not know, kept verbatim.
        public var unknownFields: [UnknownField] = []

        public init(piece: String, score: Float? = nil, type: PieceType? = nil) {
            self.piece = piece
            self.score = score
            self.type = type
        }

        /// The type with the proto default applied.
        public var kind: PieceType { type ?? .normal }
        /// The score with the proto default applied.
        public var scoreValue: Float { score ?? 0 }
    }

    public var pieces: [Piece] = []
    public var trainerSpec: TrainerSpec?
    public var normalizerSpec: NormalizerSpec?
    public var selfTestData: SelfTestData?
    /// Rules applied to decoded text (rare; absent in most models).
    public var denormalizerSpec: NormalizerSpec?
    /// Top-level fields this reader does not know, kept verbatim.
    public var unknownFields: [UnknownField] = []

    public init(pieces: [Piece] = [], trainerSpec: TrainerSpec? = nil, normalizerSpec: NormalizerSpec? = nil,
                denormalizerSpec: NormalizerSpec? = nil) {
        self.pieces = pieces
        self.trainerSpec = trainerSpec
        self.normalizerSpec = normalizerSpec
        self.denormalizerSpec = denormalizerSpec
    }

    /// Decodes a serialized model.
    /// - Throws: `SentencePieceError` with the byte offset and field path of the first malformed item.
    /// - Complexity: O(bytes.count).
    public init(serialized bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBufferPointer { try ModelProto(buffer: $0) }
    }

    /// Decodes a serialized model held in memory.
    public init(buffer: UnsafeBufferPointer<UInt8>) throws {
        var pieces: [Piece] = []
        try self.init(buffer: buffer) { fields, _ in pieces.append(Piece(fields, buffer: buffer)) }
        self.pieces = pieces
    }

    /// Decodes a serialized model, handing each piece's fields to `collect` instead of storing them in `pieces`
    /// (the loader packs them straight into its tables: no string and no struct per piece).
    init(buffer: UnsafeBufferPointer<UInt8>, collect: (Piece.Fields, Int) throws -> Void) throws {
        var reader = ProtoReader(buffer)
        var pieceCount = 0
        var anchor: UInt32 = 0
        while !reader.isAtEnd {
            let fieldStart = reader.position
            let (number, wire) = try reader.readTag()
            guard (1...5).contains(number) else {
                try reader.skipValue(wire)
                unknownFields.append(UnknownField(number: number, raw: Array(buffer[fieldStart..<reader.position]), anchor: anchor))
                continue
            }
            // Built only for an error message (a name per piece would cost a string per vocabulary entry).
            let index = pieceCount
            let name = { () -> String in
                ["", "pieces[\(index)]", "trainer_spec", "normalizer_spec", "self_test_data", "denormalizer_spec"][Int(number)]
            }
            guard wire == .lengthDelimited else {
                throw SentencePieceError(.unexpectedWireType, byteOffset: fieldStart, field: name(),
                                         "the field has wire type \(wire.rawValue), but it is a message (wire type 2)",
                                         fix: "the file is corrupt or not a SentencePiece model")
            }
            let body = try annotate(name()) { try reader.readLengthDelimited() }
            var sub = ProtoReader(buffer, range: body)
            switch number {
            case 1:
                try collect(try Piece.Fields.decode(&sub, index: pieceCount), pieceCount)
                pieceCount += 1
            case 2:
                try Self.once(trainerSpec, name(), fieldStart)
                trainerSpec = TrainerSpec(fields: try ProtoFields.decode(&sub, schema: TrainerSpec.schema,
                                                                         index: TrainerSpec.schemaIndex, path: name()))
            case 3:
                try Self.once(normalizerSpec, name(), fieldStart)
                normalizerSpec = NormalizerSpec(fields: try ProtoFields.decode(&sub, schema: NormalizerSpec.schema,
                                                                               index: NormalizerSpec.schemaIndex, path: name()))
            case 4:
                try Self.once(selfTestData, name(), fieldStart)
                selfTestData = try SelfTestData.decode(&sub)
            default:
                try Self.once(denormalizerSpec, name(), fieldStart)
                denormalizerSpec = NormalizerSpec(fields: try ProtoFields.decode(&sub, schema: NormalizerSpec.schema,
                                                                                 index: NormalizerSpec.schemaIndex, path: name()))
            }
            anchor = number
        }
    }

    /// A message field given twice would have to be merged (protobuf semantics); no writer does that, so it is
    /// refused rather than silently merged differently.
    private static func once<T>(_ existing: T?, _ name: String, _ offset: Int) throws {
        if existing != nil {
            throw SentencePieceError(.invalidValue, byteOffset: offset, field: name, "the message appears twice",
                                     fix: "the file is corrupt or was concatenated from two models")
        }
    }

    /// The serialized model: known fields in field-number order, unknown fields where they were read.
    /// - Complexity: O(output size).
    public func serialized() -> [UInt8] {
        var w = ProtoWriter(reservingCapacity: pieces.count * 24 + 4096)
        for u in unknownFields where u.anchor == 0 { w.writeRaw(u.raw) }
        for p in pieces { w.writeMessage(1) { p.encode(into: &$0) } }
        for u in unknownFields where u.anchor == 1 { w.writeRaw(u.raw) }
        if let trainerSpec { w.writeMessage(2) { trainerSpec.fields.encode(into: &$0, schema: TrainerSpec.schema) } }
        for u in unknownFields where u.anchor == 2 { w.writeRaw(u.raw) }
        if let normalizerSpec { w.writeMessage(3) { normalizerSpec.fields.encode(into: &$0, schema: NormalizerSpec.schema) } }
        for u in unknownFields where u.anchor == 3 { w.writeRaw(u.raw) }
        if let selfTestData { w.writeMessage(4) { selfTestData.encode(into: &$0) } }
        for u in unknownFields where u.anchor == 4 { w.writeRaw(u.raw) }
        if let denormalizerSpec { w.writeMessage(5) { denormalizerSpec.fields.encode(into: &$0, schema: NormalizerSpec.schema) } }
        for u in unknownFields where u.anchor == 5 { w.writeRaw(u.raw) }
        return w.bytes
    }
}

extension ModelProto.Piece {
    /// The fields of one `SentencePiece` message as read: the text as a byte range of the buffer (not yet a
    /// string), score, type, unknown fields.
    struct Fields {
        var text: Range<Int>?
        var score: Float?
        var type: PieceType?
        var unknownFields: [UnknownField] = []

        /// Decodes one `SentencePiece` message (the hot part of loading: one per vocabulary entry).
        static func decode(_ r: inout ProtoReader, index: Int) throws -> Fields {
            var p = Fields()
            var anchor: UInt32 = 0
            while !r.isAtEnd {
                let fieldStart = r.position
                let (number, wire) = try annotate("pieces[\(index)]") { try r.readTag() }
                let expected: WireType
                switch number {
                case 1: expected = .lengthDelimited
                case 2: expected = .fixed32
                case 3: expected = .varint
                default:
                    try annotate("pieces[\(index)]") { try r.skipValue(wire) }
                    p.unknownFields.append(UnknownField(number: number, raw: Array(r.bytes[fieldStart..<r.position]), anchor: anchor))
                    continue
                }
                guard wire == expected else {
                    throw SentencePieceError(.unexpectedWireType, byteOffset: fieldStart,
                                             field: "pieces[\(index)].\(["", "piece", "score", "type"][Int(number)])",
                                             "the field has wire type \(wire.rawValue), expected \(expected.rawValue)",
                                             fix: "the file is corrupt or not a SentencePiece model")
                }
                switch number {
                case 1:
                    let range = try annotate("pieces[\(index)].piece") { try r.readLengthDelimited() }
                    try checkUTF8(r.bytes, range, field: "pieces[\(index)].piece")
                    p.text = range
                case 2:
                    p.score = Float(bitPattern: try annotate("pieces[\(index)].score") { try r.readFixed32() })
                default:
                    let raw = try annotate("pieces[\(index)].type") { try r.readVarint() }
                    if let t = PieceType(rawValue: Int32(truncatingIfNeeded: raw)) {
                        p.type = t
                    } else {
                        // proto2 keeps an unknown enum value as an unknown field; the type then reads as NORMAL.
                        p.unknownFields.append(UnknownField(number: number, raw: Array(r.bytes[fieldStart..<r.position]), anchor: anchor))
                        continue
                    }
                }
                anchor = number
            }
            return p
        }
    }

    /// A piece from its decoded fields (the text was checked to be UTF-8).
    init(_ f: Fields, buffer: UnsafeBufferPointer<UInt8>) {
        piece = f.text.map { String(decoding: UnsafeBufferPointer(rebasing: buffer[$0]), as: UTF8.self) }
        score = f.score
        type = f.type
        unknownFields = f.unknownFields
    }

    func encode(into w: inout ProtoWriter) {
        for u in unknownFields where u.anchor == 0 { w.writeRaw(u.raw) }
        if let piece { w.writeLengthDelimited(1, piece.utf8) }
        for u in unknownFields where u.anchor == 1 { w.writeRaw(u.raw) }
        if let score {
            w.writeTag(2, .fixed32)
            w.writeFixed32(score.bitPattern)
        }
        for u in unknownFields where u.anchor == 2 { w.writeRaw(u.raw) }
        if let type {
            w.writeTag(3, .varint)
            w.writeVarint(UInt64(bitPattern: Int64(type.rawValue)))
        }
        for u in unknownFields where u.anchor == 3 { w.writeRaw(u.raw) }
    }
}
