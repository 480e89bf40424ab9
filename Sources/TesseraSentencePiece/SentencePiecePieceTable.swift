// SentencePiecePieceTable: the checked, indexed pieces of a model, shared by the BPE, Unigram, Char and Word
// models (model_interface.cc, ModelInterface::InitializePieces and PieceToId).
//
// SentencePiece keeps two maps: `pieces_` (NORMAL, USER_DEFINED, UNUSED: what segmentation may produce or
// merge into) and `reserved_id_map_` (UNKNOWN, CONTROL, BYTE). PieceToId looks in the reserved map first, then
// in pieces_, else returns the unk id. Here pieces_ is a `ByteTrie` (prefix walks for Unigram, pair lookups for
// BPE), the reserved map a dictionary (consulted off the hot path only), and `resolvedID` folds the reserved-first
// rule into one array lookup for trie hits.
//
// Checks, as InitializePieces (each a `SentencePieceError` naming the piece): no piece is empty; no piece appears
// twice within pieces_ or within the reserved map; exactly one UNKNOWN piece; BYTE pieces only with byte_fallback,
// named `<0x00>`…`<0xFF>`, and all 256 of them when byte_fallback is on.
//
// Invariant: ids are indices into the model's pieces; `vocabulary` holds every piece except CONTROL ones (those are
// the tokenizer's special tokens). Complexity: build O(total piece bytes); lookups O(piece length).

import TesseraBPE

/// The pieces of a model, checked and indexed for the encoders and the decoder.
public final class SentencePiecePieceTable: @unchecked Sendable {
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
    /// pieces_: NORMAL, USER_DEFINED and UNUSED pieces → id.
    let pieces: ByteTrie
    /// The user-defined symbols (the PrefixMatcher), nil when there are none.
    let userDefined: ByteTrie?
    /// reserved_id_map_: UNKNOWN, CONTROL and BYTE pieces → id.
    let reserved: [[UInt8]: TokenID]
    /// For an id found in `pieces`: the id PieceToId returns for its text (the reserved piece of the same text
    /// when one exists, which only malformed-but-accepted models have; otherwise the id itself).
    let resolvedID: [TokenID]
    /// Whether some reserved piece is a single character (then an unknown character may resolve to it).
    let reservedHasSingleCharacters: Bool
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
    public init(_ proto: ModelProto) throws {
        let spec = proto.trainerSpec ?? TrainerSpec()
        byteFallback = spec.byteFallback
        count = proto.pieces.count
        var types: [PieceType] = []
        var scores: [Float] = []
        var text: [UInt8] = []
        var offsets: [Int] = [0]
        types.reserveCapacity(count)
        scores.reserveCapacity(count)
        offsets.reserveCapacity(count + 1)
        text.reserveCapacity(count * 8)
        for p in proto.pieces {
            types.append(p.kind)
            scores.append(p.scoreValue)
            if let s = p.piece { text.append(contentsOf: s.utf8) }
            offsets.append(text.count)
        }
        self.types = types
        self.scores = scores
        self.text = text
        self.offsets = offsets

        var trieKeys: [Range<Int>] = []
        var trieValues: [Int32] = []
        var userKeys: [Range<Int>] = []
        var userValues: [Int32] = []
        var reserved: [[UInt8]: TokenID] = [:]
        var unk: Int = -1
        var byteIDs = [TokenID](repeating: .max, count: 256)
        var minScore = Float.greatestFiniteMagnitude
        var hasUnused = false
        var controls: [(String, TokenID)] = []
        trieKeys.reserveCapacity(count)
        trieValues.reserveCapacity(count)
        for i in 0..<count {
            let key = text[offsets[i]..<offsets[i + 1]]
            if key.isEmpty {
                throw SentencePieceError(.invalidValue, field: "pieces[\(i)].piece", "the piece is empty",
                                         fix: "every piece needs text; the model is corrupt")
            }
            switch types[i] {
            case .normal, .userDefined, .unused:
                trieKeys.append(offsets[i]..<offsets[i + 1])
                trieValues.append(Int32(i))
                if types[i] == .userDefined {
                    userKeys.append(offsets[i]..<offsets[i + 1])
                    userValues.append(Int32(i))
                }
                if types[i] == .unused { hasUnused = true }
                if types[i] == .normal {
                    minScore = min(minScore, scores[i])
                }
            case .unknown, .control, .byte:
                if let first = reserved.updateValue(TokenID(i), forKey: Array(key)) {
                    throw SentencePieceError(.invalidValue, field: "pieces[\(i)].piece",
                                             "the piece \(SentencePieceError.show(key)) is already defined (as piece \(first))",
                                             fix: "remove the duplicate piece")
                }
                if types[i] == .unknown {
                    if unk >= 0 {
                        throw SentencePieceError(.invalidValue, field: "pieces[\(i)].type",
                                                 "a second unknown piece (the first is piece \(unk))",
                                                 fix: "a model has exactly one piece of type UNKNOWN")
                    }
                    unk = i
                }
                if types[i] == .control { controls.append((String(decoding: key, as: UTF8.self), TokenID(i))) }
                if types[i] == .byte {
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
        self.reserved = reserved
        self.minScore = minScore
        self.hasUnused = hasUnused
        controlPieces = controls

        do {
            pieces = try ByteTrie(text: text, keys: trieKeys, values: trieValues)
            userDefined = userKeys.isEmpty ? nil : try ByteTrie(text: text, keys: userKeys, values: userValues)
        } catch let dup as ByteTrie.DuplicateKey {
            let key = text[offsets[Int(dup.second)]..<offsets[Int(dup.second) + 1]]
            throw SentencePieceError(.invalidValue, field: "pieces[\(dup.second)].piece",
                                     "the piece \(SentencePieceError.show(key)) is already defined (as piece \(dup.first))",
                                     fix: "remove the duplicate piece")
        }

        var resolved = (0..<count).map { TokenID($0) }
        var singleChar = false
        let piecesTrie = pieces
        for (key, id) in reserved {
            if let v = key.withUnsafeBufferPointer({ piecesTrie.value(of: $0) }) { resolved[Int(v)] = id }
            if UTF8Char.oneCharLength(key[0]) == key.count { singleChar = true }
        }
        resolvedID = resolved
        reservedHasSingleCharacters = singleChar

        var spans = [Int32](repeating: 0, count: count)
        for i in 0..<count { spans[i] = types[i] == .byte ? 1 : Int32(offsets[i + 1] - offsets[i]) }
        spanLength = spans

        // The vocabulary: every piece but CONTROL.
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
            throw SentencePieceError(.unsupported, field: "pieces[\(b)].piece",
                                     "piece \(b) has the same text \(SentencePieceError.show(bytes)) as piece \(a) of another type "
                                     + "(\(types[Int(a)]) and \(types[Int(b)]))",
                                     fix: "give every piece its own text; Tessera keeps one id per text")
        }
    }

    /// Runs `body` with an emitter for one encode call (PieceEmitter over this table's unk and byte pieces).
    @inline(__always)
    func withEmitter<R>(_ body: (inout PieceEmitter) -> R) -> R {
        withExtendedLifetime(self) {
            byteIDs.withUnsafeBufferPointer { byteIDs in
                var emitter = PieceEmitter(unkID: unkID, byteFallback: byteFallback, byteIDs: byteIDs.baseAddress!)
                return body(&emitter)
            }
        }
    }

    /// The bytes of piece `id`.
    @inline(__always)
    func bytes(of id: Int) -> ArraySlice<UInt8> { text[offsets[id]..<offsets[id + 1]] }

    /// The piece text of `id`, or nil for an id outside the model.
    public func piece(_ id: TokenID) -> String? {
        Int(id) < count ? String(decoding: bytes(of: Int(id)), as: UTF8.self) : nil
    }

    /// PieceToId: reserved pieces first, then pieces_, else the unk id.
    public func id(of piece: UnsafeBufferPointer<UInt8>) -> TokenID {
        if !reserved.isEmpty, let r = reserved[Array(piece)] { return r }
        if let v = pieces.value(of: piece) { return TokenID(v) }
        return unkID
    }

    /// PieceToId for a symbol the trie did not find (an initial character, a word): a reserved piece of the same
    /// text, else unk.
    @inline(__always)
    func reservedOrUnk(_ p: UnsafePointer<UInt8>, _ length: Int) -> TokenID {
        guard reservedHasSingleCharacters || length > 4 else { return unkID }
        return reserved[Array(UnsafeBufferPointer(start: p, count: length))] ?? unkID
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
