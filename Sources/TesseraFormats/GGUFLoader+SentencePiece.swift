// GGUFLoader+SentencePiece: GGUF vocabularies with `tokenizer.ggml.model` = "llama" (llama.cpp's SPM type: Llama 1/2,
// Mistral v0.1, …) as SentencePiece BPE models. llama.cpp's converter copies the SentencePiece pieces into
// `tokenizer.ggml.tokens`, their scores into `tokenizer.ggml.scores` and their types into `tokenizer.ggml.token_type`
// (the same numbers as SentencePiece's: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte; 0,
// "undefined", reads as normal), so a ModelProto is rebuilt from them and handed to TesseraSentencePiece.
//
// Conventions (llama-vocab.cpp, LLAMA_VOCAB_TYPE_SPM): identity normalization, `▁` for spaces, a dummy prefix space
// when `tokenizer.ggml.add_space_prefix` is true (the default), no removal of extra whitespace, byte fallback when
// the vocabulary has byte tokens; BOS/EOS from `tokenizer.ggml.bos_token_id` / `eos_token_id`, added by
// `encode(addSpecialTokens: true)` per `tokenizer.ggml.add_bos_token` (default true) / `add_eos_token`. This is what
// llama.cpp's test-tokenizer-0 checks against `ggml-vocab-llama-spm.gguf.out` (add_special = false: no BOS).
// SentencePiece's rules are followed where llama.cpp's own SPM code differs from them (it merges into any token,
// control tokens included, and keeps invalid UTF-8 bytes as byte tokens instead of U+FFFD); those differences only
// show on text containing control-token strings or invalid UTF-8.
//
// Invariant: every token becomes the piece with the same id. Complexity: O(vocabulary size).

import TesseraSentencePiece
import TesseraTokenizer

extension GGUFLoader {
    static func loadSentencePiece(_ meta: GGUFMetadata, file: String) throws -> Tokenizer {
        guard let tokens = try meta.stringArray("tokenizer.ggml.tokens") else {
            throw FormatError(.invalidValue, file: file, at: .field("tokenizer.ggml.tokens"), "the key is missing",
                              fix: "the file has no vocabulary; reconvert it")
        }
        let scores = try meta.floatArray("tokenizer.ggml.scores") ?? []
        let types = try meta.integerArray("tokenizer.ggml.token_type") ?? []
        for (key, count) in [("tokenizer.ggml.scores", scores.count), ("tokenizer.ggml.token_type", types.count)]
        where count != 0 && count != tokens.count {
            throw FormatError(.invalidValue, file: file, at: .field(key), "has \(count) entries for \(tokens.count) tokens",
                              fix: "the file is corrupt; reconvert it")
        }
        let buffer = meta.bytesRef.bindMemory(to: UInt8.self)
        var proto = ModelProto()
        proto.pieces.reserveCapacity(tokens.count)
        var hasBytes = false
        for (i, range) in tokens.enumerated() {
            guard let text = String(validating: buffer[range], as: UTF8.self) else {
                throw FormatError(.invalidValue, file: file, at: .field("tokenizer.ggml.tokens[\(i)]"),
                                  "the token is not valid UTF-8", fix: "the file is corrupt; reconvert it")
            }
            let raw = types.isEmpty ? 1 : types[i]
            let type: PieceType
            switch raw {
            case 0: type = .normal
            case 1...6: type = PieceType(rawValue: Int32(raw)) ?? .normal
            default:
                throw FormatError(.invalidValue, file: file, at: .field("tokenizer.ggml.token_type[\(i)]"),
                                  "token type \(raw) is not one of 0–6", fix: "the file is corrupt or from an incompatible converter")
            }
            if type == .byte { hasBytes = true }
            proto.pieces.append(ModelProto.Piece(piece: text, score: scores.isEmpty ? 0 : scores[i],
                                                 type: type == .normal ? nil : type))
        }
        // SentencePiece needs exactly one UNKNOWN piece; older converters only record its id.
        if !proto.pieces.contains(where: { $0.type == .unknown }), let unk = try meta.integer("tokenizer.ggml.unknown_token_id"),
           unk >= 0, unk < proto.pieces.count {
            proto.pieces[Int(unk)].type = .unknown
        }
        var trainer = TrainerSpec()
        trainer.modelType = .bpe
        trainer.vocabSize = Int32(clamping: tokens.count)
        trainer.byteFallback = hasBytes
        let piece = { (key: String) throws -> String? in
            guard let id = try meta.integer(key), id >= 0, id < proto.pieces.count else { return nil }
            return proto.pieces[Int(id)].piece
        }
        if let bos = try piece("tokenizer.ggml.bos_token_id") { trainer.bosPiece = bos }
        if let eos = try piece("tokenizer.ggml.eos_token_id") { trainer.eosPiece = eos }
        if let unk = try piece("tokenizer.ggml.unknown_token_id") { trainer.unkPiece = unk }
        proto.trainerSpec = trainer
        var normalizer = TesseraSentencePiece.NormalizerSpec()
        normalizer.name = "identity"
        normalizer.addDummyPrefix = try meta.bool("tokenizer.ggml.add_space_prefix") ?? true
        normalizer.removeExtraWhitespaces = false
        normalizer.escapeWhitespaces = true
        proto.normalizerSpec = normalizer
        let name = (try? meta.string("general.name")).flatMap { $0 } ?? TiktokenSidecar.stem(of: file)
        do {
            return try SentencePieceLoader.tokenizer(from: proto, name: name,
                                                     addsBOS: try meta.bool("tokenizer.ggml.add_bos_token") ?? true,
                                                     addsEOS: try meta.bool("tokenizer.ggml.add_eos_token") ?? false)
        } catch let e as SentencePieceError {
            // Piece indices are token ids here.
            var e = e
            e.field = e.field.map { $0.replacingOccurrences(of: "pieces", with: "tokenizer.ggml.tokens") }
            throw FormatError(e, file: file)
        }
    }
}
