// tokenizer.json `decoder` components (tokenizers/src/decoders/*.rs, plus ByteLevel, Metaspace and Replace,
// which share their serde form with the pre-tokenizer / normalizer of the same name).

extension TokenizerJSON {
    /// A decoder: `kind` plus the fields of that kind.
    public struct Decoder: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case bpe = "BPEDecoder", byteLevel = "ByteLevel", wordPiece = "WordPiece", metaspace = "Metaspace", ctc = "CTC"
            case sequence = "Sequence", replace = "Replace", fuse = "Fuse", strip = "Strip", byteFallback = "ByteFallback"

            var fields: [String] {
                switch self {
                case .bpe: return ["suffix"]
                case .byteLevel: return ["add_prefix_space", "trim_offsets", "use_regex"]
                case .wordPiece: return ["prefix", "cleanup"]
                case .metaspace: return ["replacement", "prepend_scheme", "split", "add_prefix_space"]
                case .ctc: return ["pad_token", "word_delimiter_token", "cleanup"]
                case .sequence: return ["decoders"]
                case .replace: return ["pattern", "content"]
                case .strip: return ["content", "start", "stop"]
                default: return []
                }
            }
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

        public init(from decoder: any Swift.Decoder) throws {
            let r = try ComponentReader(decoder)
            kind = try r.tag("decoder", as: Kind.self, supported: Kind.allCases.map(\.rawValue))
            switch kind {
            case .bpe: suffix = try r.optional("suffix")
            case .byteLevel:
                addPrefixSpace = try r.optional("add_prefix_space")
                trimOffsets = try r.optional("trim_offsets")
                useRegex = try r.optional("use_regex")
            case .wordPiece:
                prefix = try r.optional("prefix")
                cleanup = try r.optional("cleanup")
            case .metaspace:
                replacement = try r.required("replacement")
                prependScheme = try r.optional("prepend_scheme")
                split = try r.optional("split")
                addPrefixSpace = try r.optional("add_prefix_space")
            case .ctc:
                padToken = try r.optional("pad_token")
                wordDelimiterToken = try r.optional("word_delimiter_token")
                cleanup = try r.optional("cleanup")
            case .sequence: decoders = try r.required("decoders")
            case .replace:
                pattern = try r.required("pattern")
                content = try r.required("content")
            case .strip:
                content = try r.required("content")
                start = try r.required("start")
                stop = try r.required("stop")
            default: break
            }
            layout = try r.layout(known: Set(["type"] + kind.fields))
        }

        public func encode(to encoder: any Encoder) throws {
            var w = ComponentWriter()
            w.add("type", kind.rawValue)
            switch kind {
            case .bpe: w.add("suffix", suffix)
            case .byteLevel:
                w.add("add_prefix_space", addPrefixSpace)
                w.add("trim_offsets", trimOffsets)
                w.add("use_regex", useRegex)
            case .wordPiece:
                w.add("prefix", prefix)
                w.add("cleanup", cleanup)
            case .metaspace:
                w.add("replacement", replacement)
                w.add("prepend_scheme", prependScheme)
                w.add("split", split)
                w.add("add_prefix_space", addPrefixSpace)
            case .ctc:
                w.add("pad_token", padToken)
                w.add("word_delimiter_token", wordDelimiterToken)
                w.add("cleanup", cleanup)
            case .sequence: w.add("decoders", decoders)
            case .replace:
                w.add("pattern", pattern)
                w.add("content", content)
            case .strip:
                w.add("content", content)
                w.add("start", start)
                w.add("stop", stop)
            default: break
            }
            try w.encode(to: encoder, layout: layout)
        }
    }
}
