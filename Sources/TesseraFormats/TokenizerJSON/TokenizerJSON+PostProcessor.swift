// tokenizer.json `post_processor` components (tokenizers/src/processors/*.rs): TemplateProcessing (templates
// of `{"SpecialToken": {"id", "type_id"}}` / `{"Sequence": {"id": "A"|"B", "type_id"}}` pieces and a
// `special_tokens` map), RobertaProcessing, BertProcessing (`[token, id]` pairs), ByteLevel and Sequence.

extension TokenizerJSON {
    /// A post-processor: `kind` plus the fields of that kind.
    public struct PostProcessor: LaidOutComponent, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case roberta = "RobertaProcessing", bert = "BertProcessing", byteLevel = "ByteLevel"
            case template = "TemplateProcessing", sequence = "Sequence"
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

        /// The members each kind reads.
        static func fields(_ kind: Kind) -> [Field<PostProcessor>] {
            switch kind {
            case .roberta:
                return [.required("sep", \.sep), .required("cls", \.cls), .optional("trim_offsets", \.trimOffsets),
                        .optional("add_prefix_space", \.addPrefixSpace)]
            case .bert: return [.required("sep", \.sep), .required("cls", \.cls)]
            case .byteLevel: return Field.byteLevel(\.addPrefixSpace, \.trimOffsets, \.useRegex)
            case .template: return [.required("single", \.single), .required("pair", \.pair), .required("special_tokens", \.specialTokens)]
            case .sequence: return [.required("processors", \.processors)]
            }
        }

        public init(from decoder: any Swift.Decoder) throws {
            let r = try ComponentReader(decoder)
            self.init(try r.tag("post-processor", as: Kind.self, supported: Kind.allCases.map(\.rawValue)))
            try read(Self.fields(kind), from: r, extraKnown: ["type"])
        }

        public func encode(to encoder: any Encoder) throws {
            try write(Self.fields(kind), tag: kind.rawValue, to: encoder)
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
        public struct Entry: LaidOutComponent, Sendable, Equatable {
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

            static var fields: [Field<Entry>] { [.value("id", \.id), .value("ids", \.ids), .value("tokens", \.tokens)] }

            public init(from decoder: any Swift.Decoder) throws {
                self.init(name: decoder.codingPath.last?.stringValue ?? "", id: "", ids: [], tokens: [])
                try read(Self.fields, from: try ComponentReader(decoder))
            }

            public func encode(to encoder: any Encoder) throws { try write(Self.fields, to: encoder) }
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
