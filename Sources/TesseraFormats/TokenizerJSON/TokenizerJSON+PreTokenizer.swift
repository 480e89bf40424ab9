// tokenizer.json `pre_tokenizer` components (tokenizers/src/pre_tokenizers/*.rs). One struct for all types:
// `kind` is the `type` tag and each type reads only its own fields (others stay verbatim in the layout).

extension TokenizerJSON {
    /// A pre-tokenizer: `kind` plus the fields of that kind.
    public struct PreTokenizer: LaidOutComponent, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case bert = "BertPreTokenizer", byteLevel = "ByteLevel", delimiter = "CharDelimiterSplit", metaspace = "Metaspace"
            case whitespace = "Whitespace", sequence = "Sequence", split = "Split", punctuation = "Punctuation"
            case whitespaceSplit = "WhitespaceSplit", digits = "Digits", unicodeScripts = "UnicodeScripts", fixedLength = "FixedLength"
        }

        public var kind: Kind
        /// ByteLevel (tokenizers' defaults: true, true, true).
        public var addPrefixSpace: Bool?
        public var trimOffsets: Bool?
        public var useRegex: Bool?
        /// CharDelimiterSplit.
        public var delimiter: String?
        /// Metaspace (`add_prefix_space` is the legacy spelling of the prepend scheme).
        public var replacement: String?
        public var prependScheme: PrependScheme?
        public var split: Bool?
        /// Sequence.
        public var pretokenizers: [PreTokenizer]?
        /// Split (and Punctuation's behavior).
        public var pattern: Pattern?
        public var behavior: Behavior?
        public var invert: Bool?
        /// Digits.
        public var individualDigits: Bool?
        /// FixedLength.
        public var length: Int?
        public var layout: JSONObjectLayout

        public init(_ kind: Kind) {
            self.kind = kind
            layout = JSONObjectLayout()
        }

        public static func sequence(_ stages: [PreTokenizer]) -> PreTokenizer {
            var p = PreTokenizer(.sequence)
            p.pretokenizers = stages
            return p
        }

        public static func split(_ pattern: Pattern, behavior: Behavior, invert: Bool = false) -> PreTokenizer {
            var p = PreTokenizer(.split)
            p.pattern = pattern
            p.behavior = behavior
            p.invert = invert
            return p
        }

        public static func byteLevel(addPrefixSpace: Bool, trimOffsets: Bool = true, useRegex: Bool) -> PreTokenizer {
            var p = PreTokenizer(.byteLevel)
            p.addPrefixSpace = addPrefixSpace
            p.trimOffsets = trimOffsets
            p.useRegex = useRegex
            return p
        }

        /// The members each kind reads.
        static func fields(_ kind: Kind) -> [Field<PreTokenizer>] {
            switch kind {
            case .byteLevel: return Field.byteLevel(\.addPrefixSpace, \.trimOffsets, \.useRegex)
            case .delimiter: return [.required("delimiter", \.delimiter)]
            case .metaspace:
                return [.required("replacement", \.replacement), .optional("prepend_scheme", \.prependScheme), .optional("split", \.split),
                        .optional("add_prefix_space", \.addPrefixSpace)]
            case .sequence: return [.required("pretokenizers", \.pretokenizers)]
            case .split: return [.required("pattern", \.pattern), .required("behavior", \.behavior), .optional("invert", \.invert)]
            case .punctuation: return [.optional("behavior", \.behavior)]
            case .digits: return [.optional("individual_digits", \.individualDigits)]
            case .fixedLength: return [.optional("length", \.length)]
            default: return []
            }
        }

        public init(from decoder: any Swift.Decoder) throws {
            let r = try ComponentReader(decoder)
            self.init(try r.tag("pre-tokenizer", as: Kind.self, supported: Kind.allCases.map(\.rawValue)))
            try read(Self.fields(kind), from: r, extraKnown: ["type"])
        }

        public func encode(to encoder: any Encoder) throws {
            try write(Self.fields(kind), tag: kind.rawValue, to: encoder)
        }
    }
}
