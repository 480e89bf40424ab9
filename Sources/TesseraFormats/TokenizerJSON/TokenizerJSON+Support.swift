// The shared machinery of the typed tokenizer.json model: how a component remembers its JSON layout (key
// order, null versus absent, unknown members) and reads/writes its known fields through `Codable`.
//
// Rules (so that read → write gives back equal JSON):
// - keys are written in the order they were read; a known field that was absent stays absent unless it was
//   given a value since; one that was `null` is written `null` again;
// - members the model does not know are kept as `JSONValue` and written back in place;
// - a component made in code (no layout read) writes its fields in tokenizers' own order, with `null` for
//   the nullable ones that are nil, as tokenizers' serializer does.
// Complexity: O(members) per component.

/// How a JSON object was laid out in the file it came from.
public struct JSONObjectLayout: Sendable, Equatable {
    /// Every key as read, in order (known and unknown).
    public var keys: [String]
    /// The members the typed model does not know, in order.
    public var unknown: [JSONMember]
    /// Whether the layout was read from a file (false: a component made in code).
    public var isFromFile: Bool

    public init(keys: [String] = [], unknown: [JSONMember] = [], isFromFile: Bool = false) {
        self.keys = keys
        self.unknown = unknown
        self.isFromFile = isFromFile
    }
}

/// A component type that tokenizers knows but this model does not (or that is not tokenizers' at all).
public struct UnsupportedComponent: Error, Sendable, CustomStringConvertible {
    /// "normalizer", "pre-tokenizer", "model", "decoder" or "post-processor".
    public var family: String
    public var type: String
    /// The JSON path of the component's `type` field.
    public var path: String
    public var supported: [String]

    public var description: String {
        "\(family) type \(type.debugDescription) is not supported (supported: \(supported.joined(separator: ", ")))"
    }
}

/// Reads the members of one component object.
struct ComponentReader {
    let container: KeyedDecodingContainer<JSONKey>
    let decoder: any Decoder

    init(_ decoder: any Decoder) throws {
        self.decoder = decoder
        container = try decoder.container(keyedBy: JSONKey.self)
    }

    var keys: [String] { container.allKeys.map(\.stringValue) }

    func has(_ key: String) -> Bool { container.contains(JSONKey(key)) }

    /// The value of `key`; nil when it is absent or null.
    func optional<T: Decodable>(_ key: String, as type: T.Type = T.self) throws -> T? {
        try container.decodeIfPresent(T.self, forKey: JSONKey(key))
    }

    /// The value of `key`; an error naming the field when it is absent or null.
    func required<T: Decodable>(_ key: String, as type: T.Type = T.self) throws -> T {
        try container.decode(T.self, forKey: JSONKey(key))
    }

    /// The `type` tag, checked against the known tags of a family.
    func tag<Kind: RawRepresentable>(_ family: String, as kind: Kind.Type, supported: [String]) throws -> Kind
    where Kind.RawValue == String {
        let type = try required("type", as: String.self)
        guard let k = Kind(rawValue: type) else {
            throw UnsupportedComponent(family: family, type: type, path: JSONErrors.path(decoder.codingPath, appending: JSONKey("type")),
                                       supported: supported)
        }
        return k
    }

    /// The layout: all keys in order, with the members not in `known` kept as JSON values.
    func layout(known: Set<String>) throws -> JSONObjectLayout {
        var unknown: [JSONMember] = []
        for key in container.allKeys where !known.contains(key.stringValue) {
            unknown.append(JSONMember(key: key.stringValue, value: try container.decode(JSONValue.self, forKey: key)))
        }
        return JSONObjectLayout(keys: keys, unknown: unknown, isFromFile: true)
    }
}

/// Collects a component's known fields, then writes them with its layout.
struct ComponentWriter {
    private var fields: [(key: String, nullable: Bool, write: ((inout KeyedEncodingContainer<JSONKey>) throws -> Void)?)] = []

    /// A field; `nullable` fields that are nil are written as null in a component made in code.
    mutating func add<T: Encodable>(_ key: String, _ value: T?, nullable: Bool = false) {
        if let value {
            fields.append((key, nullable, { try $0.encode(value, forKey: JSONKey(key)) }))
        } else {
            fields.append((key, nullable, nil))
        }
    }

    func encode(to encoder: any Encoder, layout: JSONObjectLayout) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        var done = Set<String>()
        func emit(_ key: String, present: Bool) throws {
            guard done.insert(key).inserted else { return }
            if let field = fields.first(where: { $0.key == key }) {
                if let write = field.write { try write(&c) } else if present || (!layout.isFromFile && field.nullable) {
                    try c.encodeNil(forKey: JSONKey(key))
                }
            } else if let member = layout.unknown.last(where: { $0.key == key }) {
                try c.encode(member.value, forKey: JSONKey(key))
            }
        }
        for key in layout.keys { try emit(key, present: true) }
        for field in fields { try emit(field.key, present: false) }
        for member in layout.unknown { try emit(member.key, present: true) }
    }
}

/// One known member of a component: how to read it into the typed model and how to write it back.
struct Field<Root> {
    let key: String
    let read: (inout Root, ComponentReader) throws -> Void
    let write: (Root, inout ComponentWriter) -> Void

    /// An optional member (nil when absent or null); `nullable` ones are written as null by a component made in code.
    static func optional<T: Codable>(_ key: String, _ path: WritableKeyPath<Root, T?>, nullable: Bool = false) -> Field {
        Field(key: key, read: { $0[keyPath: path] = try $1.optional(key) }, write: { $1.add(key, $0[keyPath: path], nullable: nullable) })
    }

    /// A member tokenizers requires, stored as an optional (so a component made in code may leave it for later).
    static func required<T: Codable>(_ key: String, _ path: WritableKeyPath<Root, T?>) -> Field {
        Field(key: key, read: { $0[keyPath: path] = try $1.required(key) }, write: { $1.add(key, $0[keyPath: path]) })
    }

    /// A required member stored as a value.
    static func value<T: Codable>(_ key: String, _ path: WritableKeyPath<Root, T>) -> Field {
        Field(key: key, read: { $0[keyPath: path] = try $1.required(key) }, write: { $1.add(key, $0[keyPath: path]) })
    }

    /// ByteLevel's three flags (pre-tokenizer, decoder and post-processor share them).
    static func byteLevel(_ addPrefixSpace: WritableKeyPath<Root, Bool?>, _ trimOffsets: WritableKeyPath<Root, Bool?>,
                          _ useRegex: WritableKeyPath<Root, Bool?>) -> [Field] {
        [.optional("add_prefix_space", addPrefixSpace), .optional("trim_offsets", trimOffsets), .optional("use_regex", useRegex)]
    }
}

/// A component with a layout, read and written through a list of `Field`s.
protocol LaidOutComponent: Codable {
    var layout: JSONObjectLayout { get set }
}

extension LaidOutComponent {
    /// Reads `fields` and records the layout (`extraKnown`: members read elsewhere, such as `type`).
    mutating func read(_ fields: [Field<Self>], from r: ComponentReader, extraKnown: [String] = []) throws {
        for f in fields { try f.read(&self, r) }
        layout = try r.layout(known: Set(extraKnown + fields.map(\.key)))
    }

    /// Writes `tag` (as `type`) when given, then `fields`, in the layout's order.
    func write(_ fields: [Field<Self>], tag: String? = nil, to encoder: any Encoder) throws {
        var w = ComponentWriter()
        if let tag { w.add("type", tag) }
        for f in fields { f.write(self, &w) }
        try w.encode(to: encoder, layout: layout)
    }
}

extension TokenizerJSON {
    /// A `Split` / `Replace` pattern: `{"String": "…"}` (matched literally) or `{"Regex": "…"}` (Oniguruma syntax,
    /// run on ICU).
    public enum Pattern: Codable, Sendable, Equatable {
        case string(String)
        case regex(String)

        public init(from decoder: any Swift.Decoder) throws {
            let c = try decoder.container(keyedBy: JSONKey.self)
            if let s = try c.decodeIfPresent(String.self, forKey: JSONKey("String")) { self = .string(s); return }
            if let r = try c.decodeIfPresent(String.self, forKey: JSONKey("Regex")) { self = .regex(r); return }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "a pattern must be {\"String\": ...} or {\"Regex\": ...}"))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: JSONKey.self)
            switch self {
            case .string(let s): try c.encode(s, forKey: JSONKey("String"))
            case .regex(let r): try c.encode(r, forKey: JSONKey("Regex"))
            }
        }
    }

    /// Hugging Face's `SplitDelimiterBehavior` names.
    public enum Behavior: String, Codable, Sendable, CaseIterable {
        case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
        case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
    }

    /// Metaspace's `prepend_scheme`.
    public enum PrependScheme: String, Codable, Sendable, CaseIterable {
        case first, never, always
    }

    /// A `(token, id)` pair, written as a two-element array (`["</s>", 2]`), as RobertaProcessing's `sep`.
    public struct TokenAndID: Codable, Sendable, Equatable {
        public var token: String
        public var id: TokenIDValue

        public init(_ token: String, _ id: TokenIDValue) {
            self.token = token
            self.id = id
        }

        public init(from decoder: any Swift.Decoder) throws {
            var c = try decoder.unkeyedContainer()
            token = try c.decode(String.self)
            id = try c.decode(TokenIDValue.self)
            if !c.isAtEnd {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected [token, id]"))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.unkeyedContainer()
            try c.encode(token)
            try c.encode(id)
        }
    }

    public typealias TokenIDValue = UInt32
}
