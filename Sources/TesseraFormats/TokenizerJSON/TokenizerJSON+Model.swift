// tokenizer.json `model` (tokenizers/src/models/bpe/serialization.rs): BPE with its options, `vocab` (token →
// id) and `merges` in either shape — legacy `["a b", …]` or current `[["a", "b"], …]` (tokenizers ≥ 0.20).
// The other model types are read into `unigram` (TokenizerJSON+Unigram.swift), `wordPiece` or `wordLevel`
// (TokenizerJSON+WordModels.swift); any other type is an `UnsupportedComponent` error.
//
// `vocab` and `merges` hold hundreds of thousands of strings, so they are stored packed (one byte arena plus
// offsets) and, under `FastJSONDecoder` / `FastJSONEncoder`, parsed and written in one pass without a
// `String` or a tree node per entry. Under other decoders they go through ordinary keyed / unkeyed containers.
// Invariant: entries keep file order, so a written file lists them as the input did.
// Complexity: O(bytes) to parse and to write.

extension TokenizerJSON {
    /// The `model` object (BPE, or the variant that `type` names in `unigram`, `wordPiece`, `wordLevel`).
    public struct Model: LaidOutComponent, Sendable, Equatable {
        /// `"BPE"` (nil: the key was absent, which tokenizers also reads as BPE), `"Unigram"`, `"WordPiece"`
        /// or `"WordLevel"`.
        public var type: String?
        /// The model when `type` is not BPE (the BPE members are then empty and unused).
        public var unigram: UnigramModel?
        public var wordPiece: WordPieceModel?
        public var wordLevel: WordLevelModel?
        /// `null` or 0 (any other value makes encoding random; the loader refuses it).
        public var dropout: Double?
        public var unkToken: String?
        public var continuingSubwordPrefix: String?
        public var endOfWordSuffix: String?
        public var fuseUnk: Bool?
        public var byteFallback: Bool?
        public var ignoreMerges: Bool?
        public var vocab: Vocab
        public var merges: Merges
        public var layout: JSONObjectLayout

        /// The members in tokenizers' order.
        static var fields: [Field<Model>] {
            [.optional("type", \.type), .optional("dropout", \.dropout, nullable: true), .optional("unk_token", \.unkToken, nullable: true),
             .optional("continuing_subword_prefix", \.continuingSubwordPrefix, nullable: true),
             .optional("end_of_word_suffix", \.endOfWordSuffix, nullable: true), .optional("fuse_unk", \.fuseUnk),
             .optional("byte_fallback", \.byteFallback), .optional("ignore_merges", \.ignoreMerges), .value("vocab", \.vocab),
             .value("merges", \.merges)]
        }

        public init(vocab: Vocab, merges: Merges, unkToken: String? = nil, continuingSubwordPrefix: String? = nil,
                    endOfWordSuffix: String? = nil, fuseUnk: Bool = false, byteFallback: Bool = false, ignoreMerges: Bool = false) {
            type = "BPE"
            self.vocab = vocab
            self.merges = merges
            self.unkToken = unkToken
            self.continuingSubwordPrefix = continuingSubwordPrefix
            self.endOfWordSuffix = endOfWordSuffix
            self.fuseUnk = fuseUnk
            self.byteFallback = byteFallback
            self.ignoreMerges = ignoreMerges
            layout = JSONObjectLayout()
        }

        public init(from decoder: any Swift.Decoder) throws {
            let r = try ComponentReader(decoder)
            let type = try r.optional("type", as: String.self)
            switch type {
            case "Unigram", "WordPiece", "WordLevel":
                self.init(vocab: Vocab(), merges: Merges())
                self.type = type
                if type == "Unigram" { unigram = try UnigramModel(from: decoder) }
                if type == "WordPiece" { wordPiece = try WordPieceModel(from: decoder) }
                if type == "WordLevel" { wordLevel = try WordLevelModel(from: decoder) }
                return
            case nil, "BPE"?: break
            case let other?:
                throw UnsupportedComponent(family: "model", type: other, path: JSONErrors.path(decoder.codingPath, appending: JSONKey("type")),
                                           supported: ["BPE", "Unigram", "WordPiece", "WordLevel"])
            }
            self.init(vocab: Vocab(), merges: Merges())
            try read(Self.fields, from: r)
        }

        public func encode(to encoder: any Encoder) throws {
            if let unigram { try unigram.encode(to: encoder); return }
            if let wordPiece { try wordPiece.encode(to: encoder); return }
            if let wordLevel { try wordLevel.encode(to: encoder); return }
            try write(Self.fields, to: encoder)
        }
    }

    /// `model.vocab`: token strings and ids, in file order, packed.
    public struct Vocab: Codable, Sendable, Equatable, JSONFragment {
        /// The UTF-8 of all tokens back to back; token i is `arena[start(i)..<ends[i]]`.
        var arena: [UInt8] = []
        var ends: [UInt32] = []
        /// The id of each entry.
        public private(set) var ids: [TokenIDValue] = []

        public init() {}

        public init(_ entries: [(token: String, id: TokenIDValue)]) {
            for e in entries { append(e.token, id: e.id) }
        }

        public var count: Int { ids.count }

        public mutating func append(_ token: String, id: TokenIDValue) {
            arena.append(contentsOf: token.utf8)
            ends.append(UInt32(arena.count))
            ids.append(id)
        }

        @inline(__always) func start(_ i: Int) -> Int { i == 0 ? 0 : Int(ends[i - 1]) }

        /// The UTF-8 bytes of entry `i`'s token.
        public func tokenBytes(at i: Int) -> ArraySlice<UInt8> { arena[start(i)..<Int(ends[i])] }

        /// Entry `i`'s token.
        public func token(at i: Int) -> String { String(decoding: tokenBytes(at: i), as: UTF8.self) }

        /// Calls `body` with each entry's token bytes (valid only during the call) and id.
        func forEachEntry(_ body: (Int, UnsafeBufferPointer<UInt8>, TokenIDValue) throws -> Void) rethrows {
            try arena.withUnsafeBufferPointer { a in
                for i in 0..<ids.count {
                    try body(i, UnsafeBufferPointer(rebasing: a[start(i)..<Int(ends[i])]), ids[i])
                }
            }
        }

        public init(from decoder: any Swift.Decoder) throws {
            if let fast = decoder as? FastJSONDecoder {
                try parse(fast)
                return
            }
            let c = try decoder.container(keyedBy: JSONKey.self)
            for key in c.allKeys { append(key.stringValue, id: try c.decode(TokenIDValue.self, forKey: key)) }
        }

        /// One pass over `{"token": id, …}`.
        mutating func parse(_ d: FastJSONDecoder) throws {
            let s = d.scanner
            guard s.byte(d.start) == 0x7B else { throw d.mismatchOrNull(Vocab.self, expected: "an object") }
            try d.syntax {
                var j = s.skipWhitespace(d.start + 1)
                if s.byte(j) == 0x7D { return }
                arena.reserveCapacity(s.n / 2)
                while true {
                    j = try s.string(j, into: &arena)
                    j = s.skipWhitespace(j)
                    guard s.byte(j) == 0x3A else { throw s.unexpected(j, expecting: "':'") }
                    j = s.skipWhitespace(j + 1)
                    let first = s.byte(j)
                    let (value, end) = first == 0x2D || (0x30...0x39).contains(first) ? try s.unsignedInteger(j) : (nil, j)
                    guard let value, value <= UInt64(UInt32.max) else {
                        let token = String(decoding: arena[start(ids.count)...], as: UTF8.self)
                        throw DecodingError.typeMismatch(UInt32.self, .init(codingPath: d.codingPath + [JSONKey(token)],
                                                                            debugDescription: "expected an id (an integer in 0...4294967295)"))
                    }
                    ends.append(UInt32(arena.count))
                    ids.append(UInt32(value))
                    j = s.skipWhitespace(end)
                    let b = s.byte(j)
                    if b == 0x2C { j = s.skipWhitespace(j + 1); continue }
                    if b == 0x7D { return }
                    throw s.unexpected(j, expecting: "',' or '}'")
                }
            }
        }

        public func encode(to encoder: any Encoder) throws {
            if let tree = encoder as? TreeJSONEncoder {
                tree.setFragment(self)
                return
            }
            var c = encoder.container(keyedBy: JSONKey.self)
            for i in 0..<count { try c.encode(ids[i], forKey: JSONKey(token(at: i))) }
        }

        func writeJSON(to out: inout JSONOutput, indent: Int) {
            out.bytes.append(0x7B)
            forEachEntry { i, token, id in
                if i > 0 { out.bytes.append(0x2C) }
                out.newline(indent + 1)
                out.string(utf8: token)
                out.bytes.append(0x3A)
                if out.pretty { out.bytes.append(0x20) }
                out.integer(id)
            }
            if count > 0 { out.newline(indent) }
            out.bytes.append(0x7D)
        }
    }

    /// `model.merges` in the shape it was read in.
    public struct Merges: Codable, Sendable, Equatable, JSONFragment {
        public enum Shape: Sendable, Equatable {
            /// `[["left", "right"], …]` (tokenizers ≥ 0.20).
            case pairs
            /// `["left right", …]` (older files; a token cannot contain a space).
            case legacy
        }

        public var shape: Shape
        /// Pairs: entry i is `arena[start(i)..<splits[i]]` and `arena[splits[i]..<ends[i]]`.
        /// Legacy: entry i is the whole string `arena[start(i)..<ends[i]]`; `splits[i]` is its only space, or
        /// `UInt32.max` when it does not have exactly one.
        var arena: [UInt8] = []
        var splits: [UInt32] = []
        var ends: [UInt32] = []

        public init(shape: Shape = .pairs) { self.shape = shape }

        public init(pairs: [(String, String)]) {
            shape = .pairs
            for p in pairs { append(p.0, p.1) }
        }

        public init(legacy: [String]) {
            shape = .legacy
            for s in legacy { appendLegacy(Array(s.utf8)) }
        }

        public var count: Int { ends.count }

        @inline(__always) func start(_ i: Int) -> Int { i == 0 ? 0 : Int(ends[i - 1]) }

        /// Appends a pair (in the legacy shape as `"left right"`).
        public mutating func append(_ left: String, _ right: String) {
            if shape == .legacy {
                appendLegacy(Array(left.utf8) + [0x20] + Array(right.utf8))
                return
            }
            arena.append(contentsOf: left.utf8)
            splits.append(UInt32(arena.count))
            arena.append(contentsOf: right.utf8)
            ends.append(UInt32(arena.count))
        }

        mutating func appendLegacy(_ bytes: [UInt8]) {
            let base = arena.count
            arena.append(contentsOf: bytes)
            ends.append(UInt32(arena.count))
            splits.append(Self.onlySpace(in: bytes).map { UInt32(base + $0) } ?? .max)
        }

        static func onlySpace<C: Collection<UInt8>>(in bytes: C) -> Int? where C.Index == Int {
            var found: Int? = nil
            for i in bytes.indices where bytes[i] == 0x20 {
                if found != nil { return nil }
                found = i - bytes.startIndex
            }
            return found
        }

        /// The two sides of merge `i` as byte ranges of the arena, or nil for a legacy entry that is not
        /// "left right" with exactly one space.
        func sides(at i: Int) -> (left: Range<Int>, right: Range<Int>)? {
            let split = splits[i]
            guard split != .max else { return nil }
            let s = Int(split)
            return shape == .pairs ? (start(i)..<s, s..<Int(ends[i])) : (start(i)..<s, (s + 1)..<Int(ends[i]))
        }

        /// Merge `i` as strings (nil for a malformed legacy entry).
        public func pair(at i: Int) -> (String, String)? {
            guard let (l, r) = sides(at: i) else { return nil }
            return (String(decoding: arena[l], as: UTF8.self), String(decoding: arena[r], as: UTF8.self))
        }

        /// The legacy string of entry `i` (or "left right" for a pair).
        public func text(at i: Int) -> String {
            if shape == .legacy { return String(decoding: arena[start(i)..<Int(ends[i])], as: UTF8.self) }
            let (l, r) = pair(at: i) ?? ("", "")
            return l + " " + r
        }

        func withArena<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
            try arena.withUnsafeBufferPointer(body)
        }

        public init(from decoder: any Swift.Decoder) throws {
            shape = .pairs
            if let fast = decoder as? FastJSONDecoder {
                try parse(fast)
                return
            }
            var c = try decoder.unkeyedContainer()
            var index = 0
            while !c.isAtEnd {
                if index == 0, let s = try? c.decode(String.self) {
                    shape = .legacy
                    appendLegacy(Array(s.utf8))
                } else if shape == .legacy {
                    appendLegacy(Array(try c.decode(String.self).utf8))
                } else {
                    let pair = try c.decode([String].self)
                    guard pair.count == 2 else {
                        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [JSONKey(intValue: index)],
                                                                debugDescription: "a merge is a pair [left, right]"))
                    }
                    append(pair[0], pair[1])
                }
                index += 1
            }
        }

        /// One pass over either shape; the first element decides it.
        mutating func parse(_ d: FastJSONDecoder) throws {
            let s = d.scanner
            guard s.byte(d.start) == 0x5B else { throw d.mismatchOrNull(Merges.self, expected: "an array") }
            try d.syntax {
                var j = s.skipWhitespace(d.start + 1)
                if s.byte(j) == 0x5D { return }
                shape = s.byte(j) == 0x22 ? .legacy : .pairs
                arena.reserveCapacity(s.n / 2)
                var index = 0
                while true {
                    let path = d.codingPath + [JSONKey(intValue: index)]
                    if shape == .legacy {
                        guard s.byte(j) == 0x22 else {
                            throw DecodingError.dataCorrupted(.init(codingPath: path,
                                debugDescription: "expected a \"left right\" string like the first merge (the two shapes cannot be mixed)"))
                        }
                        let base = arena.count
                        j = try s.string(j, into: &arena)
                        ends.append(UInt32(arena.count))
                        splits.append(Self.onlySpace(in: arena[base...]).map { UInt32(base + $0) } ?? .max)
                    } else {
                        guard s.byte(j) == 0x5B else {
                            throw DecodingError.dataCorrupted(.init(codingPath: path,
                                debugDescription: "expected a [left, right] pair like the first merge (the two shapes cannot be mixed)"))
                        }
                        j = s.skipWhitespace(j + 1)
                        guard s.byte(j) == 0x22 else { throw Self.notAPair(path) }
                        j = s.skipWhitespace(try s.string(j, into: &arena))
                        guard s.byte(j) == 0x2C else { throw Self.notAPair(path) }
                        splits.append(UInt32(arena.count))
                        j = s.skipWhitespace(j + 1)
                        guard s.byte(j) == 0x22 else { throw Self.notAPair(path) }
                        j = s.skipWhitespace(try s.string(j, into: &arena))
                        guard s.byte(j) == 0x5D else { throw Self.notAPair(path) }
                        ends.append(UInt32(arena.count))
                        j += 1
                    }
                    index += 1
                    j = s.skipWhitespace(j)
                    let b = s.byte(j)
                    if b == 0x2C { j = s.skipWhitespace(j + 1); continue }
                    if b == 0x5D { return }
                    throw s.unexpected(j, expecting: "',' or ']'")
                }
            }
        }

        static func notAPair(_ path: [any CodingKey]) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "a merge is a pair of two strings [left, right]"))
        }

        public func encode(to encoder: any Encoder) throws {
            if let tree = encoder as? TreeJSONEncoder {
                tree.setFragment(self)
                return
            }
            var c = encoder.unkeyedContainer()
            for i in 0..<count {
                if shape == .legacy { try c.encode(text(at: i)) } else {
                    let (l, r) = pair(at: i) ?? ("", "")
                    try c.encode([l, r])
                }
            }
        }

        func writeJSON(to out: inout JSONOutput, indent: Int) {
            out.bytes.append(0x5B)
            arena.withUnsafeBufferPointer { a in
                for i in 0..<count {
                    if i > 0 { out.bytes.append(0x2C) }
                    out.newline(indent + 1)
                    let lower = start(i), upper = Int(ends[i])
                    if shape == .legacy {
                        out.string(utf8: UnsafeBufferPointer(rebasing: a[lower..<upper]))
                        continue
                    }
                    let split = Int(splits[i])
                    out.bytes.append(0x5B)
                    out.newline(indent + 2)
                    out.string(utf8: UnsafeBufferPointer(rebasing: a[lower..<split]))
                    out.bytes.append(0x2C)
                    out.newline(indent + 2)
                    out.string(utf8: UnsafeBufferPointer(rebasing: a[split..<upper]))
                    out.newline(indent + 1)
                    out.bytes.append(0x5D)
                }
            }
            if count > 0 { out.newline(indent) }
            out.bytes.append(0x5D)
        }
    }
}
