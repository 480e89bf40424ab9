// tokenizer.json `normalizer` components (tokenizers/src/normalizers/*.rs). One struct for all types: `kind`
// is the `type` tag and each type reads only its own fields (others stay verbatim in the layout).

extension TokenizerJSON {
    /// A normalizer: `kind` plus the fields of that kind.
    public struct Normalizer: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case bert = "BertNormalizer", strip = "Strip", stripAccents = "StripAccents", nfc = "NFC", nfd = "NFD", nfkc = "NFKC"
            case nfkd = "NFKD", sequence = "Sequence", lowercase = "Lowercase", nmt = "Nmt", precompiled = "Precompiled"
            case replace = "Replace", prepend = "Prepend", byteLevel = "ByteLevel"

            /// The fields each kind reads.
            var fields: [String] {
                switch self {
                case .bert: return ["clean_text", "handle_chinese_chars", "strip_accents", "lowercase"]
                case .strip: return ["strip_left", "strip_right"]
                case .sequence: return ["normalizers"]
                case .precompiled: return ["precompiled_charsmap"]
                case .replace: return ["pattern", "content"]
                case .prepend: return ["prepend"]
                default: return []
                }
            }
        }

        public var kind: Kind
        /// Sequence.
        public var normalizers: [Normalizer]?
        /// Strip.
        public var stripLeft: Bool?
        public var stripRight: Bool?
        /// BertNormalizer (`strip_accents` null means "same as lowercase").
        public var cleanText: Bool?
        public var handleChineseChars: Bool?
        public var stripAccents: Bool?
        public var lowercase: Bool?
        /// Replace.
        public var pattern: Pattern?
        public var content: String?
        /// Prepend.
        public var prepend: String?
        /// Precompiled: SentencePiece's compiled normalization rules, base64 (kept verbatim; not applied yet).
        public var precompiledCharsmap: String?
        public var layout: JSONObjectLayout

        public init(_ kind: Kind) {
            self.kind = kind
            layout = JSONObjectLayout()
        }

        public static func sequence(_ normalizers: [Normalizer]) -> Normalizer {
            var n = Normalizer(.sequence)
            n.normalizers = normalizers
            return n
        }

        public init(from decoder: any Swift.Decoder) throws {
            let r = try ComponentReader(decoder)
            kind = try r.tag("normalizer", as: Kind.self, supported: Kind.allCases.map(\.rawValue))
            switch kind {
            case .bert:
                cleanText = try r.optional("clean_text")
                handleChineseChars = try r.optional("handle_chinese_chars")
                stripAccents = try r.optional("strip_accents")
                lowercase = try r.optional("lowercase")
            case .strip:
                stripLeft = try r.optional("strip_left")
                stripRight = try r.optional("strip_right")
            case .sequence: normalizers = try r.required("normalizers")
            case .precompiled: precompiledCharsmap = try r.optional("precompiled_charsmap")
            case .replace:
                pattern = try r.required("pattern")
                content = try r.required("content")
            case .prepend: prepend = try r.required("prepend")
            default: break
            }
            layout = try r.layout(known: Set(["type"] + kind.fields))
        }

        public func encode(to encoder: any Encoder) throws {
            var w = ComponentWriter()
            w.add("type", kind.rawValue)
            switch kind {
            case .bert:
                w.add("clean_text", cleanText)
                w.add("handle_chinese_chars", handleChineseChars)
                w.add("strip_accents", stripAccents, nullable: true)
                w.add("lowercase", lowercase)
            case .strip:
                w.add("strip_left", stripLeft)
                w.add("strip_right", stripRight)
            case .sequence: w.add("normalizers", normalizers)
            case .precompiled: w.add("precompiled_charsmap", precompiledCharsmap, nullable: true)
            case .replace:
                w.add("pattern", pattern)
                w.add("content", content)
            case .prepend: w.add("prepend", prepend)
            default: break
            }
            try w.encode(to: encoder, layout: layout)
        }
    }
}
