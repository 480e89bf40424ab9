// TokenizerJSON: a typed `Codable` model of Hugging Face's tokenizer.json (tokenizers/src/tokenizer/
// serialization.rs and the serde code of every component), read with `FastJSONDecoder` (or any Decoder) and
// written with `FastJSONEncoder` (or any Encoder). No dynamic tree is built for the file: components are
// typed, `model.vocab` / `model.merges` are parsed in bulk into packed storage, and only members the model does
// not know are kept as `JSONValue`.
//
// Components are tagged by `type`; a type this model does not know is an `UnsupportedComponent` error naming
// its JSON path. Known types keep their known fields typed and every other member verbatim, so read → write
// gives JSON equal to the input (see TokenizerJSON+Support.swift for the layout rules).
// Invariant: `try FastJSON.decode(TokenizerJSON.self, from: FastJSONEncoding.encode(x)) == x` for a model read
// from a file.
// Complexity: O(file size).

import TesseraTokenizer

/// A Hugging Face tokenizer.json file.
public struct TokenizerJSON: LaidOutComponent, Sendable, Equatable {
    /// `"1.0"` in every file tokenizers writes (it refuses others; the loader does too).
    public var version: String?
    public var truncation: Truncation?
    public var padding: Padding?
    public var addedTokens: [AddedToken]?
    public var normalizer: Normalizer?
    public var preTokenizer: PreTokenizer?
    public var postProcessor: PostProcessor?
    public var decoder: Decoder?
    public var model: Model
    public var layout: JSONObjectLayout

    /// The members in tokenizers' order.
    static var fields: [Field<TokenizerJSON>] {
        [.optional("version", \.version), .optional("truncation", \.truncation, nullable: true),
         .optional("padding", \.padding, nullable: true), .optional("added_tokens", \.addedTokens),
         .optional("normalizer", \.normalizer, nullable: true), .optional("pre_tokenizer", \.preTokenizer, nullable: true),
         .optional("post_processor", \.postProcessor, nullable: true), .optional("decoder", \.decoder, nullable: true),
         .value("model", \.model)]
    }

    public init(version: String? = "1.0", truncation: Truncation? = nil, padding: Padding? = nil, addedTokens: [AddedToken]? = [],
                normalizer: Normalizer? = nil, preTokenizer: PreTokenizer? = nil, postProcessor: PostProcessor? = nil,
                decoder: Decoder? = nil, model: Model, layout: JSONObjectLayout = JSONObjectLayout()) {
        self.version = version
        self.truncation = truncation
        self.padding = padding
        self.addedTokens = addedTokens
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.postProcessor = postProcessor
        self.decoder = decoder
        self.model = model
        self.layout = layout
    }

    public init(from decoder: any Swift.Decoder) throws {
        self.init(addedTokens: nil, model: Model(vocab: Vocab(), merges: Merges()))
        try read(Self.fields, from: try ComponentReader(decoder))
    }

    public func encode(to encoder: any Encoder) throws { try write(Self.fields, to: encoder) }

    /// Reads tokenizer.json bytes with the fast decoder.
    /// - Throws: `DecodingError` (with the JSON path) or `UnsupportedComponent`.
    /// - Complexity: O(file size): a few linear passes, no tree for `model.vocab` / `model.merges`.
    public static func read(_ bytes: [UInt8]) throws -> TokenizerJSON {
        try FastJSON.decode(TokenizerJSON.self, from: bytes)
    }

    /// The JSON text: pretty-printed like tokenizers' `save` (default) or compact like its `to_str()`.
    /// - Complexity: O(output size).
    public func write(pretty: Bool = true) throws -> [UInt8] {
        try FastJSONEncoding.encode(self, pretty: pretty)
    }
}

extension TokenizerJSON {
    /// An `added_tokens` entry.
    public struct AddedToken: LaidOutComponent, Sendable, Equatable {
        public var id: TokenIDValue
        public var content: String
        public var singleWord: Bool?
        public var lstrip: Bool?
        public var rstrip: Bool?
        /// Absent means `!special` (tokenizers' default for a new added token).
        public var normalized: Bool?
        public var special: Bool?
        public var layout: JSONObjectLayout

        static var fields: [Field<AddedToken>] {
            [.value("id", \.id), .value("content", \.content), .optional("single_word", \.singleWord), .optional("lstrip", \.lstrip),
             .optional("rstrip", \.rstrip), .optional("normalized", \.normalized), .optional("special", \.special)]
        }

        public init(id: TokenIDValue, content: String, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
                    normalized: Bool? = nil, special: Bool = true) {
            self.id = id
            self.content = content
            self.singleWord = singleWord
            self.lstrip = lstrip
            self.rstrip = rstrip
            self.normalized = normalized ?? !special
            self.special = special
            layout = JSONObjectLayout()
        }

        public init(from decoder: any Swift.Decoder) throws {
            self.init(id: 0, content: "")
            try read(Self.fields, from: try ComponentReader(decoder))
        }

        public func encode(to encoder: any Encoder) throws { try write(Self.fields, to: encoder) }

        /// The runtime form with tokenizers' defaults for absent flags.
        public var resolved: TesseraTokenizer.AddedToken {
            let isSpecial = special ?? false
            return TesseraTokenizer.AddedToken(id: id, content: content, singleWord: singleWord ?? false, leftStrip: lstrip ?? false,
                                               rightStrip: rstrip ?? false, normalized: normalized ?? !isSpecial, special: isSpecial)
        }
    }

    /// `truncation` (read and written; Tessera encodes whole texts and does not truncate).
    public struct Truncation: LaidOutComponent, Sendable, Equatable {
        public enum Direction: String, Codable, Sendable { case left = "Left", right = "Right" }
        public enum Strategy: String, Codable, Sendable {
            case longestFirst = "LongestFirst", onlyFirst = "OnlyFirst", onlySecond = "OnlySecond"
        }
        public var direction: Direction?
        public var maxLength: Int
        public var strategy: Strategy
        public var stride: Int
        public var layout: JSONObjectLayout

        static var fields: [Field<Truncation>] {
            [.optional("direction", \.direction), .value("max_length", \.maxLength), .value("strategy", \.strategy), .value("stride", \.stride)]
        }

        public init(direction: Direction? = .right, maxLength: Int, strategy: Strategy = .longestFirst, stride: Int = 0) {
            self.direction = direction
            self.maxLength = maxLength
            self.strategy = strategy
            self.stride = stride
            layout = JSONObjectLayout()
        }

        public init(from decoder: any Swift.Decoder) throws {
            self.init(maxLength: 0)
            try read(Self.fields, from: try ComponentReader(decoder))
        }

        public func encode(to encoder: any Encoder) throws { try write(Self.fields, to: encoder) }
    }

    /// `padding` (read and written; padding is a batching concern, Tessera does not pad).
    public struct Padding: LaidOutComponent, Sendable, Equatable {
        public enum Strategy: Codable, Sendable, Equatable {
            case batchLongest
            case fixed(Int)

            public init(from decoder: any Swift.Decoder) throws {
                if let c = try? decoder.singleValueContainer(), let s = try? c.decode(String.self) {
                    guard s == "BatchLongest" else {
                        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                                debugDescription: "unknown padding strategy \(s.debugDescription)"))
                    }
                    self = .batchLongest
                    return
                }
                let c = try decoder.container(keyedBy: JSONKey.self)
                self = .fixed(try c.decode(Int.self, forKey: JSONKey("Fixed")))
            }

            public func encode(to encoder: any Encoder) throws {
                switch self {
                case .batchLongest:
                    var c = encoder.singleValueContainer()
                    try c.encode("BatchLongest")
                case .fixed(let n):
                    var c = encoder.container(keyedBy: JSONKey.self)
                    try c.encode(n, forKey: JSONKey("Fixed"))
                }
            }
        }
        public enum Direction: String, Codable, Sendable { case left = "Left", right = "Right" }

        public var strategy: Strategy
        public var direction: Direction
        public var padToMultipleOf: Int?
        public var padID: TokenIDValue
        public var padTypeID: TokenIDValue
        public var padToken: String
        public var layout: JSONObjectLayout

        static var fields: [Field<Padding>] {
            [.value("strategy", \.strategy), .value("direction", \.direction),
             .optional("pad_to_multiple_of", \.padToMultipleOf, nullable: true),
             .value("pad_id", \.padID), .value("pad_type_id", \.padTypeID), .value("pad_token", \.padToken)]
        }

        public init(strategy: Strategy = .batchLongest, direction: Direction = .right, padToMultipleOf: Int? = nil,
                    padID: TokenIDValue = 0, padTypeID: TokenIDValue = 0, padToken: String = "[PAD]") {
            self.strategy = strategy
            self.direction = direction
            self.padToMultipleOf = padToMultipleOf
            self.padID = padID
            self.padTypeID = padTypeID
            self.padToken = padToken
            layout = JSONObjectLayout()
        }

        public init(from decoder: any Swift.Decoder) throws {
            self.init()
            try read(Self.fields, from: try ComponentReader(decoder))
        }

        public func encode(to encoder: any Encoder) throws { try write(Self.fields, to: encoder) }
    }
}
