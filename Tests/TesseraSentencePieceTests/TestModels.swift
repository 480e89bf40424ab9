// Small hand-made models for oracle tests.
import Foundation
import TesseraBPE
import TesseraSentencePiece
import TesseraTestSupport
import TesseraTokenizer

enum TestModels {
    /// A model with `<unk>` first, then `pieces` (text, score, type), `model` type and an identity normalizer whose
    /// flags are given.
    static func proto(_ pieces: [(String, Float, PieceType)], model: TrainerSpec.ModelType, byteFallback: Bool = false,
                      dummyPrefix: Bool = false, removeExtra: Bool = false, escape: Bool = true,
                      suffix: Bool = false) -> ModelProto {
        var proto = ModelProto()
        proto.pieces = [ModelProto.Piece(piece: "<unk>", score: 0, type: .unknown)]
        for (text, score, type) in pieces {
            proto.pieces.append(ModelProto.Piece(piece: text, score: score, type: type == .normal ? nil : type))
        }
        if byteFallback {
            for b in 0..<256 {
                let hex = String(b, radix: 16, uppercase: true)
                proto.pieces.append(ModelProto.Piece(piece: "<0x\(hex.count == 1 ? "0" + hex : hex)>", score: 0, type: .byte))
            }
        }
        var trainer = TrainerSpec()
        trainer.modelType = model
        trainer.byteFallback = byteFallback
        trainer.treatWhitespaceAsSuffix = suffix
        proto.trainerSpec = trainer
        var normalizer = NormalizerSpec()
        normalizer.name = "identity"
        normalizer.addDummyPrefix = dummyPrefix
        normalizer.removeExtraWhitespaces = removeExtra
        normalizer.escapeWhitespaces = escape
        proto.normalizerSpec = normalizer
        return proto
    }

    static func tokenizer(_ proto: ModelProto) throws -> Tokenizer {
        try SentencePieceLoader.tokenizer(from: proto, name: "test")
    }

    /// The piece texts of `ids` in `proto`.
    static func pieces(_ ids: [TokenID], _ proto: ModelProto) -> [String] {
        ids.map { proto.pieces[Int($0)].piece ?? "?" }
    }

    /// A trained model committed under vocabularies/sentencepiece.
    static func trained(_ name: String) throws -> Tokenizer {
        try SentencePieceLoader.load(path: Fixtures.vocabulary("sentencepiece/\(name).model").path)
    }
}
