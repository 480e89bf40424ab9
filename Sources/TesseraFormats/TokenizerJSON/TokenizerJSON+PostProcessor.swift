// tokenizer.json `post_processor` components (tokenizers/src/processors/*.rs): TemplateProcessing (templates
// of `{"SpecialToken": {"id", "type_id"}}` / `{"Sequence": {"id": "A"|"B", "type_id"}}` pieces and a
// `special_tokens` map), RobertaProcessing, BertProcessing (`[token, id]` pairs), ByteLevel and Sequence.

extension TokenizerJSON {
    /// A post-processor: `kind` plus the fields of that kind.
    public struct PostProcessor: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case roberta = "RobertaProcessing", bert = "BertProcessing", byteLevel = "ByteLevel"
            case template = "TemplateProcessing", sequence = "Sequence"

            var fields: [String] {
                switch self {
                case .roberta: return ["sep", "cls", "trim_offsets", "add_prefix_space"]
                case .bert: return ["sep", "cls"]
                case .byteLevel: return ["add_prefix_space", "trim_offsets", "use_regex"]
                case .template: return ["single", "pair", "special_tokens"]
                case .sequence: return ["processors"]
                }
            }
        }

        public var kind: Kind
        /// RobertaProcessing, BertProcessing.
        public var sep: TokenAndID?
        public var cls: TokenAndID?
        /// RobertaProcessing, ByteLevel.
        public var trimOffsets: Bool?
        public var addPrefixSpace: Bool?
        /// ByteLevel.
        public var useRegex: Bool?
        /// TemplateProcessing.
        public var single: [TemplatePiece]?
        public var pair: [TemplatePiece]?
        public var specialTokens: TemplateSpecialTokens?
        /// Sequence.
        public var processors: [PostProcessor]?
        public var layout: JSONObjectLayout

        public init(_ kind: Kind) {
            self.kind = kind
            layout = JSONObjectLayout()
        }

        public init(from decoder: any Swift.Decoder) throws {
            let r = try ComponentReader(decoder)
            kind = try r.tag("post-processor", as: Kind.self, supported: Kind.allCases.map(\.rawValue))
            switch kind {
            case .roberta:
                sep = try r.required("sep")
                cls = try r.required("cls")
                trimOffsets = try r.optional("trim_offsets")
                addPrefixSpace = try r.optional("add_prefix_space")
            case .bert:
                sep = try r.required("sep")
                cls = try r.required("cls")
            case .byteLevel:
                addPrefixSpace = try r.optional("add_prefix_space")
                trimOffsets = try r.optional("trim_offsets")
                useRegex = try r.optional("use_regex")
            case .template:
                single = try r.required("single")
                pair = try r.required("pair")
                specialTokens = try r.required("special_tokens")
            case .sequence: processors = try r.required("processors")
            }
            layout = try r.layout(known: Set(["type"] + kind.fields))
        }

        public func encode(to encoder: any Encoder) throws {
            var w = ComponentWriter()
            w.add("type", kind.rawValue)
            switch kind {
            case .roberta:
                w.add("sep", sep)
                w.add("cls", cls)
                w.add("trim_offsets", trimOffsets)
                w.add("add_prefix_space", addPrefixSpace)
            case .bert:
                w.add("sep", sep)
                w.add("cls", cls)
            case .byteLevel:
                w.add("add_prefix_space", addPrefixSpace)
                w.add("trim_offsets", trimOffsets)
                w.add("use_regex", useRegex)
            case .template:
                w.add("single", single)
                w.add("pair", pair)
                w.add("special_tokens", specialTokens)
            case .sequence: w.add("processors", processors)
            }
            try w.encode(to: encoder, layout: layout)
        }
    }

    /// One piece of a template: the input sequence A or B, or a special token by its name in `special_tokens`.
    public enum TemplatePiece: Codable, Sendable, Equatable {
        case sequence(id: String, typeID: UInt32)
        case specialToken(id: String, typeID: UInt32)

        public init(from decoder: any Swift.Decoder) throws {
            let c = try decoder.container(keyedBy: JSONKey.self)
            guard let key = c.allKeys.first, c.allKeys.count == 1 else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "a template piece is {\"Sequence\": …} or {\"SpecialToken\": …}"))
            }
            let inner = try c.nestedContainer(keyedBy: JSONKey.self, forKey: key)
            let id = try inner.decode(String.self, forKey: JSONKey("id"))
            let typeID = try inner.decode(UInt32.self, forKey: JSONKey("type_id"))
            switch key.stringValue {
            case "Sequence":
                guard id == "A" || id == "B" else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key, JSONKey("id")],
                                                            debugDescription: "a template sequence is \"A\" or \"B\""))
                }
                self = .sequence(id: id, typeID: typeID)
            case "SpecialToken": self = .specialToken(id: id, typeID: typeID)
            default:
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key],
                                                        debugDescription: "unknown template piece \(key.stringValue.debugDescription)"))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: JSONKey.self)
            let (name, id, typeID): (String, String, UInt32)
            switch self {
            case .sequence(let i, let t): (name, id, typeID) = ("Sequence", i, t)
            case .specialToken(let i, let t): (name, id, typeID) = ("SpecialToken", i, t)
            }
            var inner = c.nestedContainer(keyedBy: JSONKey.self, forKey: JSONKey(name))
            try inner.encode(id, forKey: JSONKey("id"))
            try inner.encode(typeID, forKey: JSONKey("type_id"))
        }
    }

    /// TemplateProcessing's `special_tokens`: name → ids and token strings, in file order.
    public struct TemplateSpecialTokens: Codable, Sendable, Equatable {
        public struct Entry: Codable, Sendable, Equatable {
            /// The key in `special_tokens` (what template pieces refer to).
            public var name: String
            public var id: String
            public var ids: [UInt32]
            public var tokens: [String]
            public var layout: JSONObjectLayout

            public init(name: String? = nil, id: String, ids: [UInt32], tokens: [String]) {
                self.name = name ?? id
                self.id = id
                self.ids = ids
                self.tokens = tokens
                layout = JSONObjectLayout()
            }

            public init(from decoder: any Swift.Decoder) throws {
                let r = try ComponentReader(decoder)
                name = decoder.codingPath.last?.stringValue ?? ""
                id = try r.required("id")
                ids = try r.required("ids")
                tokens = try r.required("tokens")
                layout = try r.layout(known: ["id", "ids", "tokens"])
            }

            public func encode(to encoder: any Encoder) throws {
                var w = ComponentWriter()
                w.add("id", id)
                w.add("ids", ids)
                w.add("tokens", tokens)
                try w.encode(to: encoder, layout: layout)
            }
        }
        public var entries: [Entry]

        public init(_ entries: [Entry]) { self.entries = entries }

        public init(from decoder: any Swift.Decoder) throws {
            let c = try decoder.container(keyedBy: JSONKey.self)
            entries = try c.allKeys.map { try c.decode(Entry.self, forKey: $0) }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: JSONKey.self)
            for e in entries { try c.encode(e, forKey: JSONKey(e.name)) }
        }

        public func entry(named name: String) -> Entry? { entries.last { $0.name == name } }
    }
}
