// tokenizer.json `model` of type WordPiece (tokenizers/src/models/wordpiece/serialization.rs: `unk_token`,
// `continuing_subword_prefix`, `max_input_chars_per_word`, `vocab`) and WordLevel (models/wordlevel: `vocab`,
// `unk_token`). BERT-family files (bert-base-*, DistilBERT, ELECTRA, MiniLM…) are WordPiece; WordLevel is the
// whole-word lookup that tokenizers' WordLevelTrainer builds. `vocab` is the packed `{"token": id}` reader of BPE.
// Invariant: members keep file order through the layout, so a read file is written back byte for byte.
// Complexity: O(bytes) to parse and to write.

extension TokenizerJSON {
    /// The `model` object when its type is `"WordPiece"`.
    public struct WordPieceModel: LaidOutComponent, Sendable, Equatable {
        public var unkToken: String?
        public var continuingSubwordPrefix: String?
        public var maxInputCharsPerWord: Int?
        public var vocab: Vocab
        public var layout = JSONObjectLayout()

        static var fields: [Field<WordPieceModel>] {
            [.optional("unk_token", \.unkToken), .optional("continuing_subword_prefix", \.continuingSubwordPrefix),
             .optional("max_input_chars_per_word", \.maxInputCharsPerWord), .value("vocab", \.vocab)]
        }

        public init(vocab: Vocab, unkToken: String = "[UNK]", continuingSubwordPrefix: String = "##", maxInputCharsPerWord: Int = 100) {
            self.vocab = vocab
            self.unkToken = unkToken
            self.continuingSubwordPrefix = continuingSubwordPrefix
            self.maxInputCharsPerWord = maxInputCharsPerWord
        }

        public init(from decoder: any Swift.Decoder) throws {
            let r = try ComponentReader(decoder)
            self.init(vocab: Vocab())
            unkToken = nil; continuingSubwordPrefix = nil; maxInputCharsPerWord = nil
            try read(Self.fields, from: r, extraKnown: ["type"])
        }

        public func encode(to encoder: any Encoder) throws { try write(Self.fields, tag: "WordPiece", to: encoder) }
    }

    /// The `model` object when its type is `"WordLevel"`.
    public struct WordLevelModel: LaidOutComponent, Sendable, Equatable {
        public var vocab: Vocab
        public var unkToken: String?
        public var layout = JSONObjectLayout()

        static var fields: [Field<WordLevelModel>] { [.value("vocab", \.vocab), .optional("unk_token", \.unkToken)] }

        public init(vocab: Vocab, unkToken: String? = nil) {
            self.vocab = vocab
            self.unkToken = unkToken
        }

        public init(from decoder: any Swift.Decoder) throws {
            let r = try ComponentReader(decoder)
            self.init(vocab: Vocab())
            try read(Self.fields, from: r, extraKnown: ["type"])
        }

        public func encode(to encoder: any Encoder) throws { try write(Self.fields, tag: "WordLevel", to: encoder) }
    }
}
