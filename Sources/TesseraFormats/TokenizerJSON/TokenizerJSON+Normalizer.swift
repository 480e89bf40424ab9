// tokenizer.json `normalizer` components (tokenizers/src/normalizers/*.rs). One struct for all types: `kind`
// is the `type` tag and each type reads only its own fields (others stay verbatim in the layout).

extension TokenizerJSON {
    /// A normalizer: `kind` plus the fields of that kind.
    public struct Normalizer: LaidOutComponent, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case bert = "BertNormalizer", strip = "Strip", stripAccents = "StripAccents", nfc = "NFC", nfd = "NFD", nfkc = "NFKC"
            case nfkd = "NFKD", sequence = "Sequence", lowercase = "Lowercase", nmt = "Nmt", precompiled = "Precompiled"
            case replace = "Replace", prepend = "Prepend", byteLevel = "ByteLevel"
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

        /// The members each kind reads.
        static func fields(_ kind: Kind) -> [Field<Normalizer>] {
            switch kind {
            case .bert:
                return [.optional("clean_text", \.cleanText), .optional("handle_chinese_chars", \.handleChineseChars),
                        .optional("strip_accents", \.stripAccents, nullable: true), .optional("lowercase", \.lowercase)]
            case .strip: return [.optional("strip_left", \.stripLeft), .optional("strip_right", \.stripRight)]
            case .sequence: return [.required("normalizers", \.normalizers)]
            case .precompiled: return [.optional("precompiled_charsmap", \.precompiledCharsmap, nullable: true)]
            case .replace: return [.required("pattern", \.pattern), .required("content", \.content)]
            case .prepend: return [.required("prepend", \.prepend)]
            default: return []
            }
        }

        public init(from decoder: any Swift.Decoder) throws {
            let r = try ComponentReader(decoder)
            self.init(try r.tag("normalizer", as: Kind.self, supported: Kind.allCases.map(\.rawValue)))
            try read(Self.fields(kind), from: r, extraKnown: ["type"])
        }

        public func encode(to encoder: any Encoder) throws {
            try write(Self.fields(kind), tag: kind.rawValue, to: encoder)
        }
    }
}
