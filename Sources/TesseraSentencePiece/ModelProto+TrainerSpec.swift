// TrainerSpec (sentencepiece_model.proto, field 2 of ModelProto): how the model was trained. Encoding reads only
// a few of its fields (model_type, byte_fallback, treat_whitespace_as_suffix, the unk/bos/eos/pad pieces and
// unk_surface); the split_* options and the rest matter only to the trainer. Every field of sentencepiece 0.2.3's
// descriptor is declared here so that a model written by it round-trips byte for byte; the getters apply the
// proto defaults, `has` tells whether a field is present.
//
// Invariant: the schema lists each field number once, with its proto2 kind. Complexity: O(1) per access.

/// The `TrainerSpec` message.
public struct TrainerSpec: Sendable, Equatable {
    /// The algorithm of the model.
    public enum ModelType: Int32, Sendable, CaseIterable {
        case unigram = 1, bpe = 2, word = 3, char = 4
    }

    /// Every declared field (raw value = field number).
    public enum Field: UInt32, Sendable, CaseIterable {
        case input = 1, modelPrefix = 2, modelType = 3, vocabSize = 4, acceptLanguage = 5, selfTestSampleSize = 6,
             inputFormat = 7, characterCoverage = 10, inputSentenceSize = 11, miningSentenceSize = 12,
             trainingSentenceSize = 13, seedSentencepieceSize = 14, shrinkingFactor = 15, numThreads = 16,
             numSubIterations = 17, maxSentenceLength = 18, shuffleInputSentence = 19, maxSentencepieceLength = 20,
             splitByUnicodeScript = 21, splitByWhitespace = 22, splitByNumber = 23, treatWhitespaceAsSuffix = 24,
             splitDigits = 25, allowWhitespaceOnlyPieces = 26, controlSymbols = 30, userDefinedSymbols = 31,
             vocabularyOutputPieceScore = 32, hardVocabLimit = 33, useAllVocab = 34, byteFallback = 35,
             requiredChars = 36, unkID = 40, bosID = 41, eosID = 42, padID = 43, unkSurface = 44, unkPiece = 45,
             bosPiece = 46, eosPiece = 47, padPiece = 48, trainExtremelyLargeCorpus = 49,
             enableDifferentialPrivacy = 50, differentialPrivacyNoiseLevel = 51,
             differentialPrivacyClippingThreshold = 52, pretokenizationDelimiter = 53, seedSentencepiecesFile = 54,
             autoCharacterCoverage = 55
    }

    static let schema: [ProtoFieldSpec] = [
        .init(number: 1, name: "input", kind: .repeatedString),
        .init(number: 2, name: "model_prefix", kind: .string),
        .init(number: 3, name: "model_type", kind: .enumeration(1...4)),
        .init(number: 4, name: "vocab_size", kind: .int32),
        .init(number: 5, name: "accept_language", kind: .repeatedString),
        .init(number: 6, name: "self_test_sample_size", kind: .int32),
        .init(number: 7, name: "input_format", kind: .string),
        .init(number: 10, name: "character_coverage", kind: .float),
        .init(number: 11, name: "input_sentence_size", kind: .uint64),
        .init(number: 12, name: "mining_sentence_size", kind: .int32),
        .init(number: 13, name: "training_sentence_size", kind: .int32),
        .init(number: 14, name: "seed_sentencepiece_size", kind: .int32),
        .init(number: 15, name: "shrinking_factor", kind: .float),
        .init(number: 16, name: "num_threads", kind: .int32),
        .init(number: 17, name: "num_sub_iterations", kind: .int32),
        .init(number: 18, name: "max_sentence_length", kind: .int32),
        .init(number: 19, name: "shuffle_input_sentence", kind: .bool),
        .init(number: 20, name: "max_sentencepiece_length", kind: .int32),
        .init(number: 21, name: "split_by_unicode_script", kind: .bool),
        .init(number: 22, name: "split_by_whitespace", kind: .bool),
        .init(number: 23, name: "split_by_number", kind: .bool),
        .init(number: 24, name: "treat_whitespace_as_suffix", kind: .bool),
        .init(number: 25, name: "split_digits", kind: .bool),
        .init(number: 26, name: "allow_whitespace_only_pieces", kind: .bool),
        .init(number: 30, name: "control_symbols", kind: .repeatedString),
        .init(number: 31, name: "user_defined_symbols", kind: .repeatedString),
        .init(number: 32, name: "vocabulary_output_piece_score", kind: .bool),
        .init(number: 33, name: "hard_vocab_limit", kind: .bool),
        .init(number: 34, name: "use_all_vocab", kind: .bool),
        .init(number: 35, name: "byte_fallback", kind: .bool),
        .init(number: 36, name: "required_chars", kind: .string),
        .init(number: 40, name: "unk_id", kind: .int32),
        .init(number: 41, name: "bos_id", kind: .int32),
        .init(number: 42, name: "eos_id", kind: .int32),
        .init(number: 43, name: "pad_id", kind: .int32),
        .init(number: 44, name: "unk_surface", kind: .string),
        .init(number: 45, name: "unk_piece", kind: .string),
        .init(number: 46, name: "bos_piece", kind: .string),
        .init(number: 47, name: "eos_piece", kind: .string),
        .init(number: 48, name: "pad_piece", kind: .string),
        .init(number: 49, name: "train_extremely_large_corpus", kind: .bool),
        .init(number: 50, name: "enable_differential_privacy", kind: .bool),
        .init(number: 51, name: "differential_privacy_noise_level", kind: .float),
        .init(number: 52, name: "differential_privacy_clipping_threshold", kind: .uint64),
        .init(number: 53, name: "pretokenization_delimiter", kind: .string),
        .init(number: 54, name: "seed_sentencepieces_file", kind: .string),
        .init(number: 55, name: "auto_character_coverage", kind: .bool),
    ]
    static let schemaIndex: [UInt32: Int] = Dictionary(uniqueKeysWithValues: schema.enumerated().map { ($1.number, $0) })

    var fields: ProtoFields

    init(fields: ProtoFields) { self.fields = fields }

    /// An empty spec (every field at its default).
    public init() { fields = ProtoFields() }

    /// Whether `field` is present.
    public func has(_ field: Field) -> Bool { fields.values[field.rawValue] != nil }

    /// Removes `field` (it then reads as its default).
    public mutating func clear(_ field: Field) { fields.values[field.rawValue] = nil }

    /// Fields this reader does not know (newer SentencePiece versions, extensions), kept verbatim.
    public var unknownFields: [UnknownField] { fields.unknown }

    // MARK: Fields that encoding and decoding use

    /// `model_type` (default UNIGRAM).
    public var modelType: ModelType {
        get { fields.int32(Field.modelType.rawValue).flatMap(ModelType.init(rawValue:)) ?? .unigram }
        set { fields.setInt32(Field.modelType.rawValue, newValue.rawValue) }
    }
    /// `vocab_size` (default 8000).
    public var vocabSize: Int32 {
        get { fields.int32(Field.vocabSize.rawValue) ?? 8000 }
        set { fields.setInt32(Field.vocabSize.rawValue, newValue) }
    }
    /// `byte_fallback` (default false): unknown characters become `<0xNN>` byte pieces.
    public var byteFallback: Bool {
        get { fields.bool(Field.byteFallback.rawValue) ?? false }
        set { fields.setBool(Field.byteFallback.rawValue, newValue) }
    }
    /// `treat_whitespace_as_suffix` (default false): `▁` ends pieces instead of starting them.
    public var treatWhitespaceAsSuffix: Bool {
        get { fields.bool(Field.treatWhitespaceAsSuffix.rawValue) ?? false }
        set { fields.setBool(Field.treatWhitespaceAsSuffix.rawValue, newValue) }
    }
    /// `split_digits` (default false; training only).
    public var splitDigits: Bool {
        get { fields.bool(Field.splitDigits.rawValue) ?? false }
        set { fields.setBool(Field.splitDigits.rawValue, newValue) }
    }
    /// `split_by_whitespace` (default true; training only).
    public var splitByWhitespace: Bool {
        get { fields.bool(Field.splitByWhitespace.rawValue) ?? true }
        set { fields.setBool(Field.splitByWhitespace.rawValue, newValue) }
    }
    /// `allow_whitespace_only_pieces` (default false; training only).
    public var allowWhitespaceOnlyPieces: Bool {
        get { fields.bool(Field.allowWhitespaceOnlyPieces.rawValue) ?? false }
        set { fields.setBool(Field.allowWhitespaceOnlyPieces.rawValue, newValue) }
    }
    /// `control_symbols`.
    public var controlSymbols: [String] {
        get { fields.strings(Field.controlSymbols.rawValue) }
        set { fields.setStrings(Field.controlSymbols.rawValue, newValue) }
    }
    /// `user_defined_symbols`.
    public var userDefinedSymbols: [String] {
        get { fields.strings(Field.userDefinedSymbols.rawValue) }
        set { fields.setStrings(Field.userDefinedSymbols.rawValue, newValue) }
    }
    /// `unk_id` (default 0).
    public var unkID: Int32 {
        get { fields.int32(Field.unkID.rawValue) ?? 0 }
        set { fields.setInt32(Field.unkID.rawValue, newValue) }
    }
    /// `bos_id` (default 1; -1 disables).
    public var bosID: Int32 {
        get { fields.int32(Field.bosID.rawValue) ?? 1 }
        set { fields.setInt32(Field.bosID.rawValue, newValue) }
    }
    /// `eos_id` (default 2; -1 disables).
    public var eosID: Int32 {
        get { fields.int32(Field.eosID.rawValue) ?? 2 }
        set { fields.setInt32(Field.eosID.rawValue, newValue) }
    }
    /// `pad_id` (default -1).
    public var padID: Int32 {
        get { fields.int32(Field.padID.rawValue) ?? -1 }
        set { fields.setInt32(Field.padID.rawValue, newValue) }
    }
    /// `unk_piece` (default `<unk>`; an empty value also means `<unk>`, as in model_interface.cc).
    public var unkPiece: String {
        get { Self.nonEmpty(fields.string(Field.unkPiece.rawValue)) ?? "<unk>" }
        set { fields.setString(Field.unkPiece.rawValue, newValue) }
    }
    /// `bos_piece` (default `<s>`).
    public var bosPiece: String {
        get { Self.nonEmpty(fields.string(Field.bosPiece.rawValue)) ?? "<s>" }
        set { fields.setString(Field.bosPiece.rawValue, newValue) }
    }
    /// `eos_piece` (default `</s>`).
    public var eosPiece: String {
        get { Self.nonEmpty(fields.string(Field.eosPiece.rawValue)) ?? "</s>" }
        set { fields.setString(Field.eosPiece.rawValue, newValue) }
    }
    /// `pad_piece` (default `<pad>`).
    public var padPiece: String {
        get { Self.nonEmpty(fields.string(Field.padPiece.rawValue)) ?? "<pad>" }
        set { fields.setString(Field.padPiece.rawValue, newValue) }
    }
    /// `unk_surface`: the text `<unk>` decodes to (default " ⁇ ", U+2047 between spaces). Unlike the pieces, an
    /// explicitly empty value stays empty (sentencepiece_processor.cc checks `has_unk_surface`).
    public var unkSurface: String {
        get { fields.string(Field.unkSurface.rawValue) ?? " \u{2047} " }
        set { fields.setString(Field.unkSurface.rawValue, newValue) }
    }
    /// `model_prefix`.
    public var modelPrefix: String? {
        get { fields.string(Field.modelPrefix.rawValue) }
        set { fields.setString(Field.modelPrefix.rawValue, newValue) }
    }
    /// `character_coverage` (default 0.9995; training only).
    public var characterCoverage: Float {
        get { fields.float(Field.characterCoverage.rawValue) ?? 0.9995 }
        set { fields.setFloat(Field.characterCoverage.rawValue, newValue) }
    }

    private static func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
}
