// TokenizerLoader: format detection, named vocabularies and the embedded default.

import Foundation
import Testing
@testable import TesseraFormats
import TesseraTestSupport
import TesseraTokenizer

@Suite struct TokenizerLoaderTests {
    @Test func detectsFormats() throws {
        #expect(try TokenizerLoader.detect(Fixtures.vocabulary("cl100k_base.tiktoken").path) == .tiktoken)
        #expect(try TokenizerLoader.detect(Fixtures.vocabulary("gpt2").path) == .gpt2VocabMerges)
        #expect(try TokenizerLoader.detect(Fixtures.vocabulary("gpt2/merges.txt").path) == .gpt2VocabMerges)
        #expect(try TokenizerLoader.detect(Fixtures.vocabulary("llama.cpp/ggml-vocab-qwen2.gguf").path) == .gguf)
        if let json = Fixtures.shared("vocabularies/cl100k_tokenizer.json.gz") {
            #expect(try TokenizerLoader.detect(json.path) == .tokenizerJSON)
        }
        // By content when the name says nothing.
        let folder = try scratchFolder()
        let gguf = try FileBytes.read(Fixtures.vocabulary("llama.cpp/ggml-vocab-gpt-2.gguf").path)
        #expect(try TokenizerLoader.detect(try write(Array(gguf.prefix(64)), "model.bin", in: folder)) == .gguf)
        #expect(try TokenizerLoader.detect(try write(" {\"model\": {}}", "tok", in: folder)) == .tokenizerJSON)
        #expect(try TokenizerLoader.detect(try write("IQ== 0\nIg== 1\n", "ranks", in: folder)) == .tiktoken)
        expectMessage(caught { try TokenizerLoader.detect(try write("hello", "mystery.dat", in: folder)) },
                      contains: ["mystery.dat", "not recognised"])
    }

    @Test func loadsEachFormatByPath() throws {
        let gguf = try TokenizerLoader.load(path: Fixtures.vocabulary("llama.cpp/ggml-vocab-gpt-2.gguf").path)
        let hf = try TokenizerLoader.load(path: Fixtures.vocabulary("gpt2").path)
        let r50k = try TokenizerLoader.load(path: Fixtures.vocabulary("r50k_base.tiktoken").path)
        for t in [gguf, hf, r50k] { #expect(try t.encode("hello world") == [31_373, 995]) }
        let folder = try scratchFolder()
        try write(tokenizerJSON(), "tokenizer.json", in: folder)
        let json = try TokenizerLoader.load(path: folder.path)
        #expect(json.vocabulary.count == 260)
    }

    @Test func gzippedTiktokenByPath() throws {
        let folder = try scratchFolder()
        let plain = try FileBytes.read(Fixtures.vocabulary("r50k_base.tiktoken").path)
        let path = try write(gzipMember(plain), "r50k_base.tiktoken.gz", in: folder)
        #expect(try TokenizerLoader.detect(path) == .tiktoken)
        let t = try TokenizerLoader.load(path: path)
        #expect(t.name == "r50k_base")
        #expect(try t.encode("hello world") == [31_373, 995])
    }

    @Test func defaultIsTheEmbeddedO200k() throws {
        let path = try #require(TokenizerLoader.embeddedO200kPath())
        #expect(path.hasSuffix("o200k_base.tiktoken"))
        let t = try TokenizerLoader.load(nameOrPath: "")
        #expect(t.name == "o200k_base")
        #expect(try t.encode("hello") == [24_912])
    }

    @Test func namedVocabulariesAreFoundInTheSearchFolders() throws {
        let folders = TokenizerLoader.searchFolders()
        #expect(folders.contains { $0.hasSuffix("/vocabularies") })
        for (name, count) in [("cl100k_base", 100_256), ("gpt2", 50_256), ("r50k_base", 50_256), ("qwen", 151_643)] {
            let t = try TokenizerLoader.load(nameOrPath: name)
            #expect(t.vocabulary.count == count)
        }
    }

    @Test func unknownNameListsTheKnownOnes() {
        let error = caught { try TokenizerLoader.load(nameOrPath: "p50k_base") }
        expectMessage(error, contains: ["p50k_base", "o200k_base", "cl100k_base", "qwen"])
    }

    @Test func missingNamedVocabularyListsWhereItLooked() throws {
        let encoding = KnownEncoding(name: "nowhere", fileName: "nowhere.tiktoken", pattern: .builtin(.gpt2), specialTokens: [])
        let error = caught { try TokenizerLoader.locate(encoding) }
        expectMessage(error, contains: ["nowhere.tiktoken", "vocabularies", "TESSERA_VOCABULARIES"])
        #expect((error as? FormatError)?.kind == .vocabularyNotFound)
    }

    @Test func knownEncodingTable() {
        #expect(KnownEncoding.named("GPT2")?.name == "r50k_base")
        #expect(KnownEncoding.forFile("/x/cl100k_base.tiktoken.gz")?.name == "cl100k_base")
        #expect(KnownEncoding.forFile("gpt2.tiktoken")?.name == "r50k_base")
        #expect(KnownEncoding.forFile("qwen.tiktoken")?.normalization == .nfc)
        #expect(KnownEncoding.forFile("mine.tiktoken") == nil)
        #expect(KnownEncoding.qwen.specialTokens.count == 208)
        #expect(KnownEncoding.qwen.specialTokens.last == SpecialToken("<|extra_204|>", 151_850))
    }
}
