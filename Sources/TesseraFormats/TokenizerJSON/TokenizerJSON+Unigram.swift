// tokenizer.json `model` of type Unigram (tokenizers/src/models/unigram/serialization.rs): `unk_id`, `vocab`
// as a list of `[piece, score]` pairs (the id is the position), and `byte_fallback`. This is what transformers
// writes for SentencePiece Unigram models (T5, ALBERT, XLNet, XLM-R, mBART, Marian…), usually next to a
// `Precompiled` normalizer holding the model's charsmap.
//
// The vocabulary is stored packed (one byte arena, offsets, scores) and parsed in one pass under
// `FastJSONDecoder`, as `model.vocab` of BPE is. Scores are kept as the Double the file holds and written back in
// the shortest form that reads as the same Double.
// Invariant: entries keep file order (= ids). Complexity: O(bytes) to parse and to write.

extension TokenizerJSON {
    /// The `model` object when its type is `"Unigram"`.
    public struct UnigramModel: LaidOutComponent, Sendable, Equatable {
        public var unkID: Int?
        public var vocab: ScoredVocab
        public var byteFallback: Bool?
        public var layout = JSONObjectLayout()

        static var fields: [Field<UnigramModel>] {
            [.optional("unk_id", \.unkID, nullable: true), .value("vocab", \.vocab), .optional("byte_fallback", \.byteFallback)]
        }

        public init(vocab: ScoredVocab, unkID: Int?, byteFallback: Bool) {
            self.vocab = vocab
            self.unkID = unkID
            self.byteFallback = byteFallback
        }

        public init(from decoder: any Swift.Decoder) throws {
            let r = try ComponentReader(decoder)
            self.init(vocab: ScoredVocab(), unkID: nil, byteFallback: false)
            try read(Self.fields, from: r, extraKnown: ["type"])
        }

        public func encode(to encoder: any Encoder) throws { try write(Self.fields, tag: "Unigram", to: encoder) }
    }

    /// `model.vocab` of a Unigram model: `[[piece, score], …]`, packed.
    public struct ScoredVocab: Codable, Sendable, Equatable, JSONFragment {
        var arena: [UInt8] = []
        var ends: [UInt32] = []
        public private(set) var scores: [Double] = []

        public init() {}

        public init(_ entries: [(piece: String, score: Double)]) {
            for e in entries { append(e.piece, score: e.score) }
        }

        public var count: Int { scores.count }

        public mutating func append(_ piece: String, score: Double) {
            arena.append(contentsOf: piece.utf8)
            ends.append(UInt32(arena.count))
            scores.append(score)
        }

        @inline(__always) func start(_ i: Int) -> Int { i == 0 ? 0 : Int(ends[i - 1]) }

        /// The UTF-8 bytes of piece `i`.
        public func pieceBytes(at i: Int) -> ArraySlice<UInt8> { arena[start(i)..<Int(ends[i])] }

        public init(from decoder: any Swift.Decoder) throws {
            if let fast = decoder as? FastJSONDecoder {
                try parse(fast)
                return
            }
            var c = try decoder.unkeyedContainer()
            var index = 0
            while !c.isAtEnd {
                var pair = try c.nestedUnkeyedContainer()
                let piece = try pair.decode(String.self)
                let score = try pair.decode(Double.self)
                guard pair.isAtEnd else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [JSONKey(intValue: index)],
                                                            debugDescription: "a Unigram vocabulary entry is a pair [piece, score]"))
                }
                append(piece, score: score)
                index += 1
            }
        }

        /// One pass over `[["piece", score], …]`.
        mutating func parse(_ d: FastJSONDecoder) throws {
            let s = d.scanner
            guard s.byte(d.start) == 0x5B else { throw d.mismatchOrNull(ScoredVocab.self, expected: "an array of [piece, score] pairs") }
            try d.syntax {
                var j = s.skipWhitespace(d.start + 1)
                if s.byte(j) == 0x5D { return }
                arena.reserveCapacity(s.n / 3)
                var index = 0
                while true {
                    let path = d.codingPath + [JSONKey(intValue: index)]
                    let notAPair = DecodingError.dataCorrupted(.init(codingPath: path,
                                                                     debugDescription: "a Unigram vocabulary entry is a pair [piece, score]"))
                    guard s.byte(j) == 0x5B else { throw notAPair }
                    j = s.skipWhitespace(j + 1)
                    guard s.byte(j) == 0x22 else { throw notAPair }
                    j = s.skipWhitespace(try s.string(j, into: &arena))
                    guard s.byte(j) == 0x2C else { throw notAPair }
                    j = s.skipWhitespace(j + 1)
                    let (end, _) = try s.number(j)
                    guard let score = Double(s.numberText(j, end)), score.isFinite else {
                        throw DecodingError.dataCorrupted(.init(codingPath: path + [JSONKey(intValue: 1)],
                                                                debugDescription: "the score is not a finite number"))
                    }
                    j = s.skipWhitespace(end)
                    guard s.byte(j) == 0x5D else { throw notAPair }
                    ends.append(UInt32(arena.count))
                    scores.append(score)
                    index += 1
                    j = s.skipWhitespace(j + 1)
                    let b = s.byte(j)
                    if b == 0x2C { j = s.skipWhitespace(j + 1); continue }
                    if b == 0x5D { return }
                    throw s.unexpected(j, expecting: "',' or ']'")
                }
            }
        }

        public func encode(to encoder: any Encoder) throws {
            if let tree = encoder as? TreeJSONEncoder {
                tree.setFragment(self)
                return
            }
            var c = encoder.unkeyedContainer()
            for i in 0..<count {
                var pair = c.nestedUnkeyedContainer()
                try pair.encode(String(decoding: pieceBytes(at: i), as: UTF8.self))
                try pair.encode(scores[i])
            }
        }

        func writeJSON(to out: inout JSONOutput, indent: Int) {
            out.bytes.append(0x5B)
            arena.withUnsafeBufferPointer { a in
                for i in 0..<count {
                    if i > 0 { out.bytes.append(0x2C) }
                    out.newline(indent + 1)
                    out.bytes.append(0x5B)
                    out.newline(indent + 2)
                    out.string(utf8: UnsafeBufferPointer(rebasing: a[start(i)..<Int(ends[i])]))
                    out.bytes.append(0x2C)
                    out.newline(indent + 2)
                    out.double(scores[i])
                    out.newline(indent + 1)
                    out.bytes.append(0x5D)
                }
            }
            if count > 0 { out.newline(indent) }
            out.bytes.append(0x5D)
        }
    }
}
