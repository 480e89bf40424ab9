// SentencePiecePieceTable: the checked, indexed pieces of a model, shared by the BPE, Unigram, Char and Word
// models (model_interface.cc, ModelInterface::InitializePieces and PieceToId).
//
// SentencePiece keeps two maps: `pieces_` (NORMAL, USER_DEFINED, UNUSED: what segmentation may produce or
// merge into) and `reserved_id_map_` (UNKNOWN, CONTROL, BYTE). PieceToId looks in the reserved map first, then
// in pieces_, else returns the unk id. Here both live in `vocabulary` (every piece but CONTROL: texts are unique,
// and a piece's type says which map it belongs to), CONTROL pieces in a small dictionary, and `resolvedID` folds
// the reserved-first rule (a CONTROL piece with a normal piece's text) into one array lookup. Unigram models also
// get `prefixTrie` for their prefix walks.
//
// Checks, as InitializePieces (each a `SentencePieceError` naming the piece): no piece is empty; no piece appears
// twice within pieces_ or within the reserved map; exactly one UNKNOWN piece; BYTE pieces only with byte_fallback,
// named `<0x00>`…`<0xFF>`, and all 256 of them when byte_fallback is on. One check is stricter than sentencepiece:
// the same text in a reserved and a normal piece is refused (`.unsupported`), as the vocabulary maps text to one id.
//
// Invariant: ids are indices into the model's pieces; `vocabulary` holds every piece except CONTROL ones (those are
// the tokenizer's special tokens). Complexity: build O(total piece bytes); lookups O(piece length).

import TesseraBPE

/// The pieces of a model, checked and indexed for the encoders and the decoder.
public final class SentencePiecePieceTable: @unchecked Sendable {
    /// Raw, trivially copyable access for hot loops (no reference counting). Valid while the table is alive.
    struct View {
        let scores: UnsafePointer<Float>
        let types: UnsafePointer<PieceType>
        let resolvedID: UnsafePointer<TokenID>
        let spanLength: UnsafePointer<Int32>
        let byteIDs: UnsafePointer<TokenID>
        let unkID: TokenID
        let byteFallback: Bool
    }

    /// Number of pieces (ids are 0..<count).
    public let count: Int
    /// Type of each piece.
    public let types: [PieceType]
    /// Score of each piece.
    public let scores: [Float]
    /// Bytes of each piece, back to back; piece i is `text[offsets[i]..<offsets[i+1]]`.
    let text: [UInt8]
    let offsets: [Int]
    /// The id of `<unk>`.
    public let unkID: TokenID
    /// Whether unknown characters become byte pieces.
    public let byteFallback: Bool
    /// The id of piece `<0xNN>` for each byte (the unk id where a byte piece is missing).
    let byteIDs: [TokenID]
    /// The Unigram lattice's pieces: NORMAL and USER_DEFINED pieces (UNUSED ones are skipped by the Viterbi pass,
    /// so leaving them out of the trie gives the same walks) → `id | userDefinedFlag`, with the score's bits as the
    /// slot's extra; built for Unigram models only (BPE looks concatenations up in `vocabulary`).
    let prefixTrie: ByteTrie?
    /// The user-defined symbols (the PrefixMatcher), nil when there are none.
    let userDefined: ByteTrie?
    /// The CONTROL pieces by text (the part of reserved_id_map_ that is not in `vocabulary`).
    let controlByText: [[UInt8]: TokenID]
    /// For an id found in `vocabulary`: the id PieceToId returns for its text (a CONTROL piece of the same text
    /// when one exists, which only malformed-but-accepted models have; otherwise the id itself).
    let resolvedID: [TokenID]
    /// Whether some CONTROL piece is a single character (then a character missing from `vocabulary` may be one).
    let controlHasSingleCharacters: Bool
    /// The lowest score of a NORMAL piece (FLT_MAX when there is none); Unigram's `<unk>` scores 10 below it.
    public let minScore: Float
    /// Whether some piece is UNUSED (BPE must then resegment, see SentencePieceBPEModel).
    public let hasUnused: Bool
    /// Every piece but the CONTROL ones, as UTF-8 bytes.
    public let vocabulary: Vocabulary
    /// The CONTROL pieces, in id order.
    public let controlPieces: [(text: String, id: TokenID)]
    /// Byte length of each piece in the normalized text it covers: the piece length, 1 for a byte piece.
    let spanLength: [Int32]

    /// Checks and indexes `proto.pieces`.
    /// - Throws: `SentencePieceError` (`.invalidValue`, or `.unsupported` for text shared by a reserved and a
    ///   normal piece, which sentencepiece accepts but a byte-exact vocabulary cannot hold).
    public convenience init(_ proto: ModelProto) throws {
        var pieces = PackedPieces(capacity: proto.pieces.count)
        for p in proto.pieces { pieces.append(text: Array((p.piece ?? "").utf8), score: p.scoreValue, type: p.kind) }
        try self.init(pieces, spec: proto.trainerSpec ?? TrainerSpec())
    }

    /// The pieces of a model as packed arrays (what the loader collects while decoding, without a string per piece).
    struct PackedPieces {
        var text: [UInt8] = []
        var offsets: [Int] = [0]
        var types: [PieceType] = []
        var scores: [Float] = []

        init(capacity: Int) {
            text.reserveCapacity(capacity * 8)
            offsets.reserveCapacity(capacity + 1)
            types.reserveCapacity(capacity)
            scores.reserveCapacity(capacity)
        }

        mutating func append<C: Collection<UInt8>>(text piece: C, score: Float, type: PieceType) {
            text.append(contentsOf: piece)
            offsets.append(text.count)
            types.append(type)
            scores.append(score)
        }
    }

    /// Checks and indexes packed pieces (ids 0..<count) under `spec`.
    init(_ pieces: PackedPieces, spec: TrainerSpec) throws {
        byteFallback = spec.byteFallback
        count = pieces.types.count
        let types = pieces.types, scores = pieces.scores, text = pieces.text, offsets = pieces.offsets
        self.types = types
        self.scores = scores
        self.text = text
        self.offsets = offsets

        var userKeys: [Range<Int>] = []
        var userValues: [Int32] = []
        var controlByText: [[UInt8]: TokenID] = [:]
        var unk: Int = -1
        var byteIDs = [TokenID](repeating: .max, count: 256)
        var minScore = Float.greatestFiniteMagnitude
        var hasUnused = false
        var controls: [(String, TokenID)] = []
        for i in 0..<count {
            let key = text[offsets[i]..<offsets[i + 1]]
            if key.isEmpty {
                throw SentencePieceError(.invalidValue, field: "pieces[\(i)].piece", "the piece is empty",
                                         fix: "every piece needs text; the model is corrupt")
            }
            switch types[i] {
            case .normal: minScore = min(minScore, scores[i])
            case .userDefined:
                userKeys.append(offsets[i]..<offsets[i + 1])
                userValues.append(Int32(i))
            case .unused: hasUnused = true
            case .unknown:
                if unk >= 0 {
                    throw SentencePieceError(.invalidValue, field: "pieces[\(i)].type",
                                             "a second unknown piece (the first is piece \(unk))",
                                             fix: "a model has exactly one piece of type UNKNOWN")
                }
                unk = i
            case .control:
                if let first = controlByText.updateValue(TokenID(i), forKey: Array(key)) {
                    throw SentencePieceError(.invalidValue, field: "pieces[\(i)].piece",
                                             "the piece \(SentencePieceError.show(key)) is already defined (as piece \(first))",
                                             fix: "remove the duplicate piece")
                }
                controls.append((String(decoding: key, as: UTF8.self), TokenID(i)))
            case .byte:
                guard byteFallback else {
                    throw SentencePieceError(.invalidValue, field: "pieces[\(i)]",
                                             "byte piece \(SentencePieceError.show(key)) is found although byte_fallback is false",
                                             fix: "set trainer_spec.byte_fallback or remove the byte pieces")
                }
                guard let b = Self.byteValue(of: key) else {
                    throw SentencePieceError(.invalidValue, field: "pieces[\(i)].piece",
                                             "byte piece \(SentencePieceError.show(key)) is not of the form <0xNN> (uppercase hex)",
                                             fix: "name byte pieces <0x00> … <0xFF>")
                }
                byteIDs[Int(b)] = TokenID(i)
            }
        }
        guard unk >= 0 else {
            throw SentencePieceError(.invalidValue, field: "pieces", "the model has no unknown piece (type UNKNOWN)",
                                     fix: "a model needs exactly one <unk> piece")
        }
        if byteFallback, let missing = byteIDs.firstIndex(of: .max) {
            throw SentencePieceError(.invalidValue, field: "pieces",
                                     "byte_fallback is on but the byte piece <0x\(Self.hex(UInt8(missing)))> is missing",
                                     fix: "a byte-fallback model needs all 256 byte pieces <0x00> … <0xFF>")
        }
        unkID = TokenID(unk)
        self.byteIDs = byteIDs.map { $0 == .max ? TokenID(unk) : $0 }
        self.controlByText = controlByText
        self.minScore = minScore
        self.hasUnused = hasUnused
        controlPieces = controls

        // The vocabulary (every piece but CONTROL) is also sentencepiece's pieces_ and reserved_id_map_: its texts
        // are unique, so a piece's type tells which map it belongs to.
        var packed: [UInt8] = []
        var ends: [UInt32] = []
        var ids: [TokenID] = []
        packed.reserveCapacity(text.count)
        ends.reserveCapacity(count)
        ids.reserveCapacity(count)
        for i in 0..<count where types[i] != .control {
            packed.append(contentsOf: text[offsets[i]..<offsets[i + 1]])
            ends.append(UInt32(packed.count))
            ids.append(TokenID(i))
        }
        do {
            vocabulary = try Vocabulary(packed: packed, ends: ends, ids: ids)
        } catch BPEError.duplicateTokenBytes(let a, let b, let bytes) {
            let reservedTypes: Set<PieceType> = [.unknown, .byte]
            if reservedTypes.contains(types[Int(a)]) == reservedTypes.contains(types[Int(b)]) {
                throw SentencePieceError(.invalidValue, field: "pieces[\(b)].piece",
                                         "the piece \(SentencePieceError.show(bytes)) is already defined (as piece \(a))",
                                         fix: "remove the duplicate piece")
            }
            throw SentencePieceError(.unsupported, field: "pieces[\(b)].piece",
                                     "piece \(b) has the same text \(SentencePieceError.show(bytes)) as piece \(a) of another type "
                                     + "(\(types[Int(a)]) and \(types[Int(b)]))",
                                     fix: "give every piece its own text; Tessera keeps one id per text")
        }
        userDefined = userKeys.isEmpty ? nil : ByteTrie(uniqueKeysIn: text, keys: userKeys, values: userValues)
        // Unigram walks all pieces that start at a position: a trie of pieces_.
        prefixTrie = spec.modelType == .unigram ? Self.prefixTrie(text, offsets, types, scores) : nil

        // PieceToId looks at reserved pieces first: a NORMAL piece whose text is also a CONTROL piece's resolves to
        // the CONTROL id (only malformed-but-accepted models have one).
        var resolved = (0..<count).map { TokenID($0) }
        var singleCharacter = false
        for (key, id) in controlByText {
            if let v = vocabulary.id(of: key) { resolved[Int(v)] = id }
            if UTF8Char.oneCharLength(key[0]) == key.count { singleCharacter = true }
        }
        resolvedID = resolved
        controlHasSingleCharacters = singleCharacter

        var spans = [Int32](repeating: 0, count: count)
        for i in 0..<count { spans[i] = types[i] == .byte ? 1 : Int32(offsets[i + 1] - offsets[i]) }
        spanLength = spans
        // Last, once nothing can throw: a throwing initializer would not free it.
        let n = max(count, 1)
        hot = .allocate(byteCount: n * 13 + 256 * 4, alignment: 8)
        let hotScores = hot.bindMemory(to: Float.self, capacity: n)
        let hotResolved = (hot + n * 4).bindMemory(to: TokenID.self, capacity: n)
        let hotSpans = (hot + n * 8).bindMemory(to: Int32.self, capacity: n)
        let hotBytes = (hot + n * 12).bindMemory(to: TokenID.self, capacity: 256)
        let hotTypes = (hot + n * 12 + 256 * 4).bindMemory(to: PieceType.self, capacity: n)
        for i in 0..<count {
            hotScores[i] = scores[i]
            hotResolved[i] = resolvedID[i]
            hotSpans[i] = spanLength[i]
            hotTypes[i] = types[i]
        }
        for b in 0..<256 { hotBytes[b] = self.byteIDs[b] }
        view = View(scores: hotScores, types: hotTypes, resolvedID: hotResolved, spanLength: hotSpans, byteIDs: hotBytes,
                    unkID: unkID, byteFallback: byteFallback)
    }

    /// Copies of the hot arrays behind `view` (scores, types, resolvedID, spanLength, byteIDs), one allocation.
    private let hot: UnsafeMutableRawPointer
    let view: View

    deinit { hot.deallocate() }

    /// Runs `body` with the table's view and an emitter for a text of `length` bytes, then appends the emitted
    /// ids to `ids` in one copy.
    @inline(__always)
    func withEmitter(length: Int, spans: UnsafeMutablePointer<[Int]>?, into ids: inout [TokenID],
                     _ body: (View, inout PieceEmitter) -> Void) {
        withExtendedLifetime(self) {
            let out = UnsafeMutablePointer<TokenID>.allocate(capacity: max(length, 1))
            defer { out.deallocate() }
            var emitter = PieceEmitter(table: view, out: out, spans: spans)
            body(view, &emitter)
            ids.append(contentsOf: UnsafeBufferPointer(start: out, count: emitter.count))
        }
    }

    /// The bytes of piece `id`.
    @inline(__always)
    func bytes(of id: Int) -> ArraySlice<UInt8> { text[offsets[id]..<offsets[id + 1]] }

    /// The piece text of `id`, or nil for an id outside the model.
    public func piece(_ id: TokenID) -> String? {
        Int(id) < count ? String(decoding: bytes(of: Int(id)), as: UTF8.self) : nil
    }

    /// Set in a `prefixTrie` value for a USER_DEFINED piece.
    static let userDefinedFlag: Int32 = 1 << 30

    /// The Unigram trie (see `prefixTrie`).
    func makePrefixTrie() -> ByteTrie { Self.prefixTrie(text, offsets, types, scores) }

    private static func prefixTrie(_ text: [UInt8], _ offsets: [Int], _ types: [PieceType], _ scores: [Float]) -> ByteTrie {
        var keys: [Range<Int>] = []
        var values: [Int32] = []
        var extras: [UInt32] = []
        for i in types.indices where types[i] == .normal || types[i] == .userDefined {
            keys.append(offsets[i]..<offsets[i + 1])
            values.append(Int32(i) | (types[i] == .userDefined ? userDefinedFlag : 0))
            extras.append(scores[i].bitPattern)
        }
        return ByteTrie(uniqueKeysIn: text, keys: keys, values: values, extras: extras)
    }

    /// PieceToId: reserved pieces first, then pieces_, else the unk id.
    public func id(of piece: UnsafeBufferPointer<UInt8>) -> TokenID {
        if let v = vocabulary.id(of: piece) { return resolvedID[Int(v)] }
        guard let p = piece.baseAddress else { return unkID }
        return controlOrUnk(p, piece.count)
    }

    /// PieceToId for a symbol that is not in `vocabulary`: a CONTROL piece of the same text, else unk.
    @inline(__always)
    func controlOrUnk(_ p: UnsafePointer<UInt8>, _ length: Int) -> TokenID {
        guard !controlByText.isEmpty else { return unkID }
        // The common case on the hot path, an unknown single character, needs no dictionary lookup.
        if !controlHasSingleCharacters && UTF8Char.oneCharLength(p[0]) == length { return unkID }
        return controlByText[Array(UnsafeBufferPointer(start: p, count: length))] ?? unkID
    }

    /// `0xNN` for a piece `<0xNN>` (uppercase hex, as ByteToPiece writes it), else nil.
    static func byteValue<C: Collection<UInt8>>(of piece: C) -> UInt8? {
        let a = Array(piece)
        guard a.count == 6, a[0] == UInt8(ascii: "<"), a[1] == UInt8(ascii: "0"), a[2] == UInt8(ascii: "x"),
              a[5] == UInt8(ascii: ">"), let hi = hexDigit(a[3]), let lo = hexDigit(a[4]) else { return nil }
        return hi << 4 | lo
    }

    private static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [digits[Int(b >> 4)], digits[Int(b & 15)]], as: UTF8.self)
    }
}
