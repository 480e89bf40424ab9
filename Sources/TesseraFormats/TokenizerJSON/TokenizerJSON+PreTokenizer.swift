// tokenizer.json `pre_tokenizer` components (tokenizers/src/pre_tokenizers/*.rs). One struct for all types:
// `kind` is the `type` tag and each type reads only its own fields (others stay verbatim in the layout).

extension TokenizerJSON {
    /// A pre-tokenizer: `kind` plus the fields of that kind.
    public struct PreTokenizer: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case bert = "BertPreTokenizer", byteLevel = "ByteLevel", delimiter = "CharDelimiterSplit", metaspace = "Metaspace"
            case whitespace = "Whitespace", sequence = "Sequence", split = "Split", punctuation = "Punctuation"
            case whitespaceSplit = "WhitespaceSplit", digits = "Digits", unicodeScripts = "UnicodeScripts", fixedLength = "FixedLength"

            var fields: [String] {
                switch self {
                case .byteLevel: return ["add_prefix_space", "trim_offsets", "use_regex"]
                case .delimiter: return ["delimiter"]
                case .metaspace: return ["replacement", "prepend_scheme", "split", "add_prefix_space"]
                case .sequence: return ["pretokenizers"]
                case .split: return ["pattern", "behavior", "invert"]
                case .punctuation: return ["behavior"]
                case .digits: return ["individual_digits"]
                case .fixedLength: return ["length"]
                default: return []
                }
            }
        }

        public var kind: Kind
        /// ByteLevel (tokenizers' defaults: true, true, true).
        public var addPrefixSpace: Bool?
        public var trimOffsets: Bool?
        public var useRegex: Bool?
        /// Delimiter.
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

        public init(from decoder: any Swift.Decoder) throws {
            let r = try ComponentReader(decoder)
            kind = try r.tag("pre-tokenizer", as: Kind.self, supported: Kind.allCases.map(\.rawValue))
            switch kind {
            case .byteLevel:
                addPrefixSpace = try r.optional("add_prefix_space")
                trimOffsets = try r.optional("trim_offsets")
                useRegex = try r.optional("use_regex")
            case .delimiter: delimiter = try r.required("delimiter")
            case .metaspace:
                replacement = try r.required("replacement")
                prependScheme = try r.optional("prepend_scheme")
                split = try r.optional("split")
                addPrefixSpace = try r.optional("add_prefix_space")
            case .sequence: pretokenizers = try r.required("pretokenizers")
            case .split:
                pattern = try r.required("pattern")
                behavior = try r.required("behavior")
                invert = try r.optional("invert")
            case .punctuation: behavior = try r.optional("behavior")
            case .digits: individualDigits = try r.optional("individual_digits")
            case .fixedLength: length = try r.optional("length")
            default: break
            }
            layout = try r.layout(known: Set(["type"] + kind.fields))
        }

        public func encode(to encoder: any Encoder) throws {
            var w = ComponentWriter()
            w.add("type", kind.rawValue)
            switch kind {
            case .byteLevel:
                w.add("add_prefix_space", addPrefixSpace)
                w.add("trim_offsets", trimOffsets)
                w.add("use_regex", useRegex)
            case .delimiter: w.add("delimiter", delimiter)
            case .metaspace:
                w.add("replacement", replacement)
                w.add("prepend_scheme", prependScheme)
                w.add("split", split)
                w.add("add_prefix_space", addPrefixSpace)
            case .sequence: w.add("pretokenizers", pretokenizers)
            case .split:
                w.add("pattern", pattern)
                w.add("behavior", behavior)
                w.add("invert", invert)
            case .punctuation: w.add("behavior", behavior)
            case .digits: w.add("individual_digits", individualDigits)
            case .fixedLength: w.add("length", length)
            default: break
            }
            try w.encode(to: encoder, layout: layout)
        }
    }
}
