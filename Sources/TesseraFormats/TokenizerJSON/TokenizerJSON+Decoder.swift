// tokenizer.json `decoder` components (tokenizers/src/decoders/*.rs, plus ByteLevel, Metaspace and Replace,
// which share their serde form with the pre-tokenizer / normalizer of the same name).

extension TokenizerJSON {
    /// A decoder: `kind` plus the fields of that kind.
    public struct Decoder: LaidOutComponent, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case bpe = "BPEDecoder", byteLevel = "ByteLevel", wordPiece = "WordPiece", metaspace = "Metaspace", ctc = "CTC"
            case sequence = "Sequence", replace = "Replace", fuse = "Fuse", strip = "Strip", byteFallback = "ByteFallback"
        }

        public var kind: Kind
        /// BPEDecoder.
        public var suffix: String?
        /// ByteLevel (Metaspace also has `add_prefix_space`, its legacy prepend scheme).
        public var addPrefixSpace: Bool?
        public var trimOffsets: Bool?
        public var useRegex: Bool?
        /// WordPiece.
        public var prefix: String?
        /// WordPiece, CTC.
        public var cleanup: Bool?
        /// Metaspace.
        public var replacement: String?
        public var prependScheme: PrependScheme?
        public var split: Bool?
        /// CTC.
        public var padToken: String?
        public var wordDelimiterToken: String?
        /// Sequence.
        public var decoders: [Decoder]?
        /// Replace (`content` is also Strip's character).
        public var pattern: Pattern?
        public var content: String?
        /// Strip.
        public var start: Int?
        public var stop: Int?
        public var layout: JSONObjectLayout

        public init(_ kind: Kind) {
            self.kind = kind
            layout = JSONObjectLayout()
        }

        /// The members each kind reads.
        static func fields(_ kind: Kind) -> [Field<Decoder>] {
            switch kind {
            case .bpe: return [.optional("suffix", \.suffix)]
            case .byteLevel: return Field.byteLevel(\.addPrefixSpace, \.trimOffsets, \.useRegex)
            case .wordPiece: return [.optional("prefix", \.prefix), .optional("cleanup", \.cleanup)]
            case .metaspace:
                return [.required("replacement", \.replacement), .optional("prepend_scheme", \.prependScheme), .optional("split", \.split),
                        .optional("add_prefix_space", \.addPrefixSpace)]
            case .ctc:
                return [.optional("pad_token", \.padToken), .optional("word_delimiter_token", \.wordDelimiterToken),
                        .optional("cleanup", \.cleanup)]
            case .sequence: return [.required("decoders", \.decoders)]
            case .replace: return [.required("pattern", \.pattern), .required("content", \.content)]
            case .strip: return [.required("content", \.content), .required("start", \.start), .required("stop", \.stop)]
            case .fuse, .byteFallback: return []
            }
        }

        public init(from decoder: any Swift.Decoder) throws {
            let r = try ComponentReader(decoder)
            self.init(try r.tag("decoder", as: Kind.self, supported: Kind.allCases.map(\.rawValue)))
            try read(Self.fields(kind), from: r, extraKnown: ["type"])
        }

        public func encode(to encoder: any Encoder) throws {
            try write(Self.fields(kind), tag: kind.rawValue, to: encoder)
        }
    }
}
