// The decoder's rules (control symbols, unk surface, byte runs, the leading ▁) and the atomic writer.
import Foundation
import Testing
import TesseraBPE
import TesseraTestSupport
import TesseraTokenizer
@testable import TesseraSentencePiece

@Suite("SentencePiece decoding and writing")
struct DecoderAndWriterTests {
    func model(dummy: Bool = true, removeExtra: Bool = false) throws -> (ModelProto, Tokenizer) {
        var proto = TestModels.proto([("▁Hello", -1, .normal), ("▁world", -1, .normal), ("▁", -2, .normal), ("x", -3, .normal)],
                                     model: .bpe, byteFallback: true, dummyPrefix: dummy, removeExtra: removeExtra)
        proto.pieces.insert(ModelProto.Piece(piece: "<s>", score: 0, type: .control), at: 1)
        proto.pieces.insert(ModelProto.Piece(piece: "</s>", score: 0, type: .control), at: 2)
        return (proto, try TestModels.tokenizer(proto))
    }

    func id(_ proto: ModelProto, _ piece: String) -> TokenID { TokenID(proto.pieces.firstIndex { $0.piece == piece }!) }

    func text(_ t: Tokenizer, _ ids: [TokenID]) throws -> String { String(decoding: try t.decode(ids), as: UTF8.self) }

    @Test func controlUnknownAndSpaces() throws {
        let (proto, t) = try model()
        let hello = id(proto, "▁Hello"), world = id(proto, "▁world"), space = id(proto, "▁")
        #expect(try text(t, [1, hello, world, 2]) == "Hello world")           // <s> and </s> vanish; first ▁ dropped
        #expect(try text(t, [space, hello]) == " Hello")                       // only one leading ▁ is dropped
        #expect(try text(t, [0, hello]) == " \u{2047}  Hello")                 // <unk> first: nothing is dropped after it
    }

    @Test func leadingSpacesWithRemoveExtraWhitespaces() throws {
        let (proto, t) = try model(removeExtra: true)
        let hello = id(proto, "▁Hello"), space = id(proto, "▁")
        // With remove_extra_whitespaces every leading ▁ goes until some text has been produced.
        #expect(try text(t, [space, space, hello]) == "Hello")
    }

    @Test func byteRuns() throws {
        let (proto, t) = try model()
        let b = { (x: UInt8) in self.id(proto, "<0x\(SentencePiecePieceTable.hex(x))>") }
        #expect(try text(t, [b(0xC3), b(0xA9), b(0x41)]) == "éA")
        #expect(try text(t, [b(0xC3), b(0x41), b(0xA9)]) == "\u{FFFD}A\u{FFFD}")
        // Bytes first: their text counts, so a following ▁ is kept.
        #expect(try text(t, [b(0x41), id(proto, "▁world")]) == "A world")
    }

    @Test func specialTokenPolicies() throws {
        let (_, t) = try model()
        #expect(t.specialTokens.id(of: "<s>") == 1)
        // .raise refuses the text of a control symbol; .asText encodes it as text, as sentencepiece does.
        #expect(throws: TokenizerError.self) { try t.encode("x<s>", specials: .raise) }
        let asText = try t.encode("x<s>", specials: .asText)
        #expect(!asText.contains(1))
        #expect(try t.encode("x<s>", specials: .allow).contains(1))
    }

    @Test func writerIsAtomicAndRoundTrips() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-spm-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try ModelProto(serialized: [UInt8](Data(contentsOf: Fixtures.vocabulary("mistral-7b-v0.1.spm.model"))))
        let path = folder.appendingPathComponent("copy.model").path
        try SentencePieceWriter.write(source, to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: Fixtures.vocabulary("mistral-7b-v0.1.spm.model")))
        // Overwriting replaces the file whole; no temporary file is left behind.
        var edited = source
        edited.trainerSpec?.modelPrefix = "edited"
        try SentencePieceWriter.write(edited, to: path)
        #expect(try SentencePieceLoader.readModel(path: path).trainerSpec?.modelPrefix == "edited")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["copy.model"])
        // A folder that does not exist: a typed error, nothing written.
        do {
            try SentencePieceWriter.write(source, to: folder.appendingPathComponent("missing/x.model").path)
            Issue.record("expected an error")
        } catch let e as SentencePieceError {
            #expect(e.kind == .io)
            #expect(e.description.contains("missing/x.model"))
        }
    }
}

/// Streaming a SentencePiece model's ids (its decoder drops the first piece's `▁`, turns byte pieces into bytes and
/// control pieces into nothing) gives, chunk by chunk, exactly the text of decoding all ids at once.
struct SentencePieceStreamingTests {
    static let texts = [
        "Hello world, this is a test.", "  leading spaces and  double  spaces", "日本語のテキストと中文 🎉🎉 emoji",
        "byte fallback: \u{10FFFD} \u{E000} ǅ ȸ", "line1\nline2\n\n", "Ελληνικά Русский עברית العربية",
        "<s> literal </s> <unk> text", "", " ", "x",
    ]

    @Test(arguments: ["mistral-7b-v0.1.spm.model", "sentencepiece/unigram.model", "sentencepiece/bpe.model",
                      "sentencepiece/char.model", "sentencepiece/bpe-suffix.model"])
    func chunksConcatenateToTheDecodedText(_ file: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Fixtures.vocabulary(file)))
        let tokenizer = try SentencePieceLoader.load(bytes: bytes, file: file)
        #expect(tokenizer.decoder != nil)
        for text in Self.texts {
            let ids = try tokenizer.encode(Array(text.utf8), specials: .asText, addSpecialTokens: true)
            var stream = StreamingDecoder(tokenizer: tokenizer)
            var streamed = ""
            for id in ids { streamed += try stream.push(id) }
            streamed += stream.finish()
            #expect(streamed == String(decoding: try tokenizer.decode(ids), as: UTF8.self), "\(file): \(text.debugDescription)")
        }
    }
}
