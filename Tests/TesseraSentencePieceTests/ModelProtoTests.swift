// ModelProto: byte-identical round trips of real and trained models, unknown fields kept, and malformed models
// rejected with typed errors that name the field and byte offset.
import Foundation
import Testing
import TesseraFormats
import TesseraTestSupport
@testable import TesseraSentencePiece

@Suite("ModelProto reading and writing")
struct ModelProtoTests {
    static let files = ["mistral-7b-v0.1.spm.model", "sentencepiece/unigram.model", "sentencepiece/bpe.model",
                        "sentencepiece/bpe-suffix.model", "sentencepiece/char.model", "sentencepiece/word.model"]

    func bytes(_ file: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: Fixtures.vocabulary(file))) }

    func decodeError(_ bytes: [UInt8]) -> SentencePieceError? {
        do { _ = try ModelProto(serialized: bytes); return nil } catch { return error as? SentencePieceError }
    }

    func buildError(_ proto: ModelProto) -> SentencePieceError? {
        do { _ = try TestModels.tokenizer(proto); return nil } catch { return error as? SentencePieceError }
    }

    @Test("read → write is byte-identical", arguments: files)
    func roundTrip(_ file: String) throws {
        let original = try bytes(file)
        let proto = try ModelProto(serialized: original)
        #expect(proto.serialized() == original)
        #expect(try ModelProto(serialized: proto.serialized()) == proto)
    }

    @Test func mistralFields() throws {
        let proto = try ModelProto(serialized: bytes("mistral-7b-v0.1.spm.model"))
        #expect(proto.pieces.count == 32_000)
        #expect(proto.pieces[0].piece == "<unk>" && proto.pieces[0].kind == .unknown)
        #expect(proto.pieces[1].piece == "<s>" && proto.pieces[1].kind == .control)
        #expect(proto.pieces[3].piece == "<0x00>" && proto.pieces[3].kind == .byte)
        #expect(proto.pieces[259].piece == "▁▁" && proto.pieces[259].kind == .normal && proto.pieces[259].type == nil)
        let trainer = try #require(proto.trainerSpec)
        #expect(trainer.modelType == .bpe)
        #expect(trainer.vocabSize == 32_000)
        #expect(trainer.byteFallback && trainer.splitDigits && trainer.allowWhitespaceOnlyPieces)
        #expect(trainer.unkID == 0 && trainer.bosID == 1 && trainer.eosID == 2 && trainer.padID == -1)
        #expect(trainer.unkSurface == " \u{2047} " && trainer.bosPiece == "<s>")
        #expect(trainer.has(.padID) && !trainer.has(.autoCharacterCoverage))
        let normalizer = try #require(proto.normalizerSpec)
        #expect(normalizer.name == "identity")
        #expect(normalizer.precompiledCharsmap.isEmpty && normalizer.has(.precompiledCharsmap))
        #expect(normalizer.addDummyPrefix && !normalizer.removeExtraWhitespaces && normalizer.escapeWhitespaces)
    }

    @Test func trainedModelsRecordTheirOptions() throws {
        let unigram = try ModelProto(serialized: bytes("sentencepiece/unigram.model"))
        #expect(unigram.trainerSpec?.modelType == .unigram)
        #expect(unigram.trainerSpec?.userDefinedSymbols == ["<sep>", "<cls>", "☃☃"])
        #expect(unigram.trainerSpec?.controlSymbols == ["<mask>"])
        #expect(unigram.normalizerSpec?.name == "nmt_nfkc")
        #expect(unigram.normalizerSpec?.precompiledCharsmap.isEmpty == false)
        let suffix = try ModelProto(serialized: bytes("sentencepiece/bpe-suffix.model"))
        #expect(suffix.trainerSpec?.treatWhitespaceAsSuffix == true)
    }

    @Test func editedModelsReadBack() throws {
        var proto = try ModelProto(serialized: bytes("sentencepiece/bpe.model"))
        proto.trainerSpec?.byteFallback = false
        proto.trainerSpec?.padID = -7
        proto.normalizerSpec?.addDummyPrefix = false
        proto.pieces[10].score = -0.5
        let again = try ModelProto(serialized: proto.serialized())
        #expect(again == proto)
        #expect(again.trainerSpec?.padID == -7)
        #expect(again.trainerSpec?.byteFallback == false)
    }

    /// Unknown fields (top level, in a message, in a piece) and an unknown enum value are written back in place.
    @Test func unknownFieldsArePreserved() throws {
        var w = ProtoWriter()
        w.writeMessage(1) {   // piece "a" with an unknown field 7 and an unknown type value 9
            $0.writeLengthDelimited(1, Array("a".utf8))
            $0.writeTag(7, .varint); $0.writeVarint(42)
            $0.writeTag(3, .varint); $0.writeVarint(9)
        }
        w.writeTag(9, .fixed64); w.writeFixed64(0x1122)      // unknown top-level field between messages
        w.writeMessage(2) {
            $0.writeTag(3, .varint); $0.writeVarint(2)           // model_type BPE
            $0.writeTag(99, .lengthDelimited); $0.writeVarint(2); $0.writeRaw([0xFF, 0xFE])   // unknown bytes field
            $0.writeTag(40, .varint); $0.writeVarint(0)
        }
        w.writeTag(250, .varint); w.writeVarint(1)             // an extension number
        let bytes = w.bytes
        let proto = try ModelProto(serialized: bytes)
        #expect(proto.pieces[0].kind == .normal)                  // the unknown enum value reads as the default
        #expect(proto.pieces[0].unknownFields.map(\.number) == [7, 3])
        #expect(proto.unknownFields.map(\.number) == [9, 250])
        #expect(proto.trainerSpec?.unknownFields.map(\.number) == [99])
        #expect(proto.trainerSpec?.modelType == .bpe)
        #expect(proto.serialized() == bytes)
    }

    @Test func truncatedFilesNameTheOffset() throws {
        let whole = try bytes("sentencepiece/unigram.model")
        for cut in [1, 2, 5, 17, 1000, whole.count / 2, whole.count - 1] {
            let e = decodeError(Array(whole.prefix(cut)))
            #expect(e?.kind == .truncated, "cut at \(cut): \(String(describing: e))")
            #expect(e?.byteOffset != nil)
        }
    }

    @Test func wrongWireTypeNamesTheField() {
        // pieces[0].score written as a varint instead of fixed32.
        let e = decodeError([0x0A, 0x05, 0x0A, 0x01, 0x61, 0x10, 0x05])
        #expect(e?.kind == .unexpectedWireType)
        #expect(e?.field == "pieces[0].score")
        #expect(e?.byteOffset == 5)
        // trainer_spec.byte_fallback written as a string.
        let t = decodeError([0x12, 0x04, 0x9A, 0x02, 0x01, 0x31])
        #expect(t?.kind == .unexpectedWireType)
        #expect(t?.field == "trainer_spec.byte_fallback")
        // pieces as a varint.
        #expect(decodeError([0x08, 0x01])?.field == "pieces[0]")
    }

    @Test func badVarintInAPiece() {
        let e = decodeError([0x0A, 0x0D, 0x18] + [UInt8](repeating: 0xFF, count: 10) + [0x01, 0x00])
        #expect(e?.kind == .malformedVarint)
        #expect(e?.field == "pieces[0].type")
        #expect(e?.byteOffset == 3)
    }

    @Test func nonUTF8PieceIsAnError() {
        let e = decodeError([0x0A, 0x04, 0x0A, 0x02, 0x61, 0xFF])
        #expect(e?.kind == .invalidUTF8)
        #expect(e?.field == "pieces[0].piece")
        #expect(e?.byteOffset == 5)
        #expect(e?.description.contains("not valid UTF-8") == true)
    }

    @Test func aMessageTwiceIsAnError() {
        let e = decodeError([0x12, 0x00, 0x12, 0x00])
        #expect(e?.kind == .invalidValue)
        #expect(e?.field == "trainer_spec")
    }

    @Test func sentencePieceChecksOnPieces() {
        let base: [(String, Float, PieceType)] = [("a", -1, .normal), ("b", -2, .normal)]
        let dup = buildError(TestModels.proto(base + [("a", -3, .normal)], model: .bpe))
        #expect(dup?.kind == .invalidValue)
        #expect(dup?.field == "pieces[3].piece")
        #expect(dup?.description.contains("already defined (as piece 1)") == true)
        let empty = buildError(TestModels.proto(base + [("", -3, .normal)], model: .bpe))
        #expect(empty?.description.contains("empty") == true)
        var noUnk = TestModels.proto(base, model: .bpe)
        noUnk.pieces[0].type = nil
        #expect(buildError(noUnk)?.description.contains("no unknown piece") == true)
        let twoUnk = buildError(TestModels.proto(base + [("<u2>", 0, .unknown)], model: .unigram))
        #expect(twoUnk?.description.contains("second unknown piece") == true)
        let byteWithoutFallback = buildError(TestModels.proto(base + [("<0x41>", 0, .byte)], model: .bpe))
        #expect(byteWithoutFallback?.description.contains("byte_fallback is false") == true)
        var missing = TestModels.proto(base, model: .bpe, byteFallback: true)
        missing.pieces.removeLast()
        #expect(buildError(missing)?.description.contains("<0xFF> is missing") == true)
        var lowercase = TestModels.proto(base, model: .bpe, byteFallback: true)
        lowercase.pieces[lowercase.pieces.count - 1].piece = "<0xff>"
        #expect(buildError(lowercase)?.description.contains("not of the form") == true)
        // Same text in a reserved and a normal piece: accepted by sentencepiece, refused here with a reason.
        let shared = buildError(TestModels.proto(base + [("<unk>", -3, .normal)], model: .bpe))
        #expect(shared?.kind == .unsupported)
    }

    @Test func malformedCharsmapIsAnError() {
        var proto = TestModels.proto([("a", -1, .normal)], model: .unigram)
        proto.normalizerSpec?.precompiledCharsmap = [0x01, 0x00]
        #expect(buildError(proto)?.kind == .badLength)
        proto.normalizerSpec?.precompiledCharsmap = [0xFF, 0xFF, 0x00, 0x00, 0x41, 0x42]
        let e = buildError(proto)
        #expect(e?.kind == .badLength)
        #expect(e?.field == "normalizer_spec.precompiled_charsmap")
    }

    @Test func loaderErrorsNameTheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-spm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bad.model").path
        FileManager.default.createFile(atPath: path, contents: Data([0x0A, 0x04, 0x0A, 0x02, 0x61, 0xFF]))
        do {
            _ = try TokenizerLoader.load(path: path)
            Issue.record("expected an error")
        } catch let e as FormatError {
            #expect(e.description.contains("bad.model"))
            #expect(e.description.contains("pieces[0].piece"))
            #expect(e.description.contains("byte offset 5"))
            #expect(e.kind == .invalidValue)
        }
    }
}
