// GGUF vocabularies: the committed llama.cpp vocab-only files, their conformance vectors, and corrupt files.

import Foundation
import Testing
@testable import TesseraFormats
import TesseraBPE
import TesseraTestSupport
import TesseraTokenizer

/// llama.cpp's test vectors: `.inp` strings separated by `\n__ggml_vocab_test__\n`, `.out` one id line each.
func llamaVectors(_ name: String) throws -> [(text: String, ids: [TokenID])] {
    let input = String(decoding: try FileBytes.read(Fixtures.vocabulary("llama.cpp/\(name).inp").path), as: UTF8.self)
    let output = String(decoding: try FileBytes.read(Fixtures.vocabulary("llama.cpp/\(name).out").path), as: UTF8.self)
    var texts = input.components(separatedBy: "\n__ggml_vocab_test__\n")
    if texts.last == "" { texts.removeLast() }
    var lines = output.components(separatedBy: "\n")
    if lines.last == "" { lines.removeLast() }
    #expect(texts.count == lines.count)
    return zip(texts, lines).map { text, line in
        (text, line.split(separator: " ").compactMap { TokenID($0) })
    }
}

@Suite struct GGUFLoaderTests {
    static let gpt2 = try? GGUFLoader.load(path: Fixtures.vocabulary("llama.cpp/ggml-vocab-gpt-2.gguf").path)
    static let llama3 = try? GGUFLoader.load(path: Fixtures.vocabulary("llama.cpp/ggml-vocab-llama-bpe.gguf").path)
    static let qwen2 = try? GGUFLoader.load(path: Fixtures.vocabulary("llama.cpp/ggml-vocab-qwen2.gguf").path)

    @Test func gpt2Vocabulary() throws {
        let t = try GGUFLoader.load(path: Fixtures.vocabulary("llama.cpp/ggml-vocab-gpt-2.gguf").path)
        #expect(t.name == "gpt-2")
        #expect(t.vocabulary.count == 50_256)
        #expect(t.specialTokens.entries.map(\.id) == [50_256])
        #expect(try t.encode("hello world") == [31_373, 995])
        guard case .mergeList(let merges, let ignoreMerges) = t.bpeModel?.rule else {
            Issue.record("expected a merge list")
            return
        }
        #expect(merges.count == 50_000)
        #expect(!ignoreMerges)
    }

    @Test func llama3Vocabulary() throws {
        let t = try #require(Self.llama3)
        #expect(t.vocabulary.count == 128_000)
        #expect(t.specialTokens.entries.count == 256)
        #expect(t.specialTokens.id(of: "<|begin_of_text|>") == 128_000)
        guard case .mergeList(let merges, let ignoreMerges) = t.bpeModel?.rule else {
            Issue.record("expected a merge list")
            return
        }
        #expect(merges.count == 280_147)
        #expect(ignoreMerges)
    }

    @Test func qwen2Vocabulary() throws {
        let t = try #require(Self.qwen2)
        #expect(t.vocabulary.count == 151_643)
        #expect(t.specialTokens.entries.count == 3 + 290)
        #expect(t.specialTokens.id(of: "<|im_end|>") == 151_645)
        // The ordinary tokens are Qwen's tiktoken ranks.
        let tiktoken = try #require(Loaded.qwen)
        for id: TokenID in [0, 1000, 50_000, 151_642] {
            #expect(t.vocabulary.bytes(of: id) == tiktoken.vocabulary.bytes(of: id))
        }
        // Qwen2's tokenizer.json normalizes to NFC (Hugging Face parity; found on FLORES Arabic and U+2329).
        #expect(try t.encode("e\u{301}", specials: .asText) == t.encode("\u{E9}", specials: .asText))
        #expect(try t.encode("\u{2329}", specials: .asText) == t.encode("\u{3008}", specials: .asText))
        #expect(try t.encode("\u{0651}\u{064E}", specials: .asText) == t.encode("\u{064E}\u{0651}", specials: .asText))
    }

    @Test(arguments: ["ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-bpe.gguf", "ggml-vocab-qwen2.gguf"])
    func llamaCppVectors(_ name: String) throws {
        let t = try #require(["ggml-vocab-gpt-2.gguf": Self.gpt2, "ggml-vocab-llama-bpe.gguf": Self.llama3,
                              "ggml-vocab-qwen2.gguf": Self.qwen2][name] ?? nil)
        let vectors = try llamaVectors(name)
        #expect(vectors.count == 46)
        var failures = 0
        for (text, expected) in vectors {
            let ids = try t.encode(text, specials: .allow)
            if ids != expected {
                failures += 1
                Issue.record("\(name): \(text.debugDescription) → \(ids), expected \(expected)")
            }
            #expect(try t.decode(ids) == Array(text.utf8))
        }
        #expect(failures == 0)
    }

    @Test func truncatedFileNamesTheOffset() throws {
        let folder = try scratchFolder()
        let whole = try FileBytes.read(Fixtures.vocabulary("llama.cpp/ggml-vocab-gpt-2.gguf").path)
        for cut in [3, 10, 30, 200, 5000, whole.count / 2, whole.count - 1] {
            let path = try write(Array(whole.prefix(cut)), "cut-\(cut).gguf", in: folder)
            let error = caught { try GGUFLoader.load(path: path) }
            expectMessage(error, contains: ["cut-\(cut).gguf", "byte offset"])
        }
    }

    @Test func corruptHeadersAreErrors() throws {
        let folder = try scratchFolder()
        let whole = try FileBytes.read(Fixtures.vocabulary("llama.cpp/ggml-vocab-gpt-2.gguf").path)
        var magic = whole
        magic[0] = UInt8(ascii: "X")
        expectMessage(caught { try GGUFLoader.load(path: try write(magic, "magic.gguf", in: folder)) },
                      contains: ["magic.gguf", "not a GGUF file"])
        var version = whole
        version[4] = 9
        expectMessage(caught { try GGUFLoader.load(path: try write(version, "version.gguf", in: folder)) },
                      contains: ["version.gguf", "version 9"])
        var count = whole
        for i in 16..<24 { count[i] = 0xff }
        expectMessage(caught { try GGUFLoader.load(path: try write(count, "count.gguf", in: folder)) },
                      contains: ["count.gguf", "byte offset 16"])
        // A string length pointing far beyond the end of the file (the first key's length).
        var length = whole
        length[24 + 6] = 0x7f
        expectMessage(caught { try GGUFLoader.load(path: try write(length, "length.gguf", in: folder)) },
                      contains: ["length.gguf", "byte offset 24"])
    }

    @Test func unsupportedModelsSaySo() throws {
        guard let bert = Fixtures.shared("vocabularies/llama.cpp-vectors/ggml-vocab-bert-bge.gguf") else {
            print("skipped: ../shared/vocabularies/llama.cpp-vectors is absent")
            return
        }
        expectMessage(caught { try GGUFLoader.load(path: bert.path) },
                      contains: ["ggml-vocab-bert-bge.gguf", "tokenizer.ggml.model", "not supported yet"])
    }

    /// llama-spm (Llama 2): a SentencePiece BPE model; llama.cpp's test-tokenizer-0 convention is a dummy prefix
    /// space and no BOS (add_special = false), which is `encode` without `addSpecialTokens`.
    @Test func llamaSPMVectors() throws {
        let t = try GGUFLoader.load(path: Fixtures.vocabulary("llama.cpp/ggml-vocab-llama-spm.gguf").path)
        #expect(t.name == "llama-spm")
        #expect(t.idUpperBound == 32_000)
        #expect(t.specialTokens.id(of: "<s>") == 1)
        #expect(t.specialTokens.id(of: "</s>") == 2)
        let vectors = try llamaVectors("ggml-vocab-llama-spm.gguf")
        #expect(vectors.count == 46)
        for (text, expected) in vectors {
            let ids = try t.encode(text, specials: .asText)
            #expect(ids == expected, "\(text.debugDescription)")
            // add_bos_token is true in the file: BOS first when special tokens are asked for.
            #expect(try t.encode(text, specials: .asText, addSpecialTokens: true) == [1] + expected)
            // SentencePiece's decode drops the dummy prefix; identity normalization keeps everything else.
            #expect(try t.decode(ids) == Array(text.utf8), "decode \(text.debugDescription)")
        }
    }

    @Test func unknownPreTokenizerListsSupportedNames() throws {
        let folder = try scratchFolder()
        var bytes = try FileBytes.read(Fixtures.vocabulary("llama.cpp/ggml-vocab-gpt-2.gguf").path)
        // Rewrite the value "gpt-2" of tokenizer.ggml.pre to "gpt-X" (same length).
        let key = Array("tokenizer.ggml.pre".utf8)
        let at = try #require((0..<(bytes.count - key.count)).first { bytes[$0..<($0 + key.count)].elementsEqual(key) })
        let value = at + key.count + 4 + 8   // type u32, then the string's u64 length
        #expect(bytes[value..<(value + 5)].elementsEqual("gpt-2".utf8))
        bytes[value + 4] = UInt8(ascii: "X")
        expectMessage(caught { try GGUFLoader.load(path: try write(bytes, "pre.gguf", in: folder)) },
                      contains: ["pre.gguf", "tokenizer.ggml.pre", "gpt-X", "llama-bpe", "qwen2"])
    }
}

@Suite struct QwenTiktokenVectorTests {
    /// qwen.tiktoken (rank order, NFC) against the Hugging Face Qwen 2 ids recorded in llama.cpp's vectors.
    @Test func qwenTiktokenMatchesTheQwen2Vectors() throws {
        let t = try #require(Loaded.qwen)
        for (text, expected) in try llamaVectors("ggml-vocab-qwen2.gguf") {
            #expect(try t.encode(text, specials: .allow) == expected, "\(text.debugDescription)")
        }
    }
}
