// GPT-2 vocab.json + merges.txt: the committed GPT-2 files and malformed merges.

import Foundation
import Testing
@testable import TesseraFormats
import TesseraBPE
import TesseraTestSupport
import TesseraTokenizer

/// A minimal byte-level vocabulary: the 256 alphabet characters (ids 0…255) plus `extra`.
func byteLevelVocabJSON(extra: [String: Int] = [:]) -> String {
    var entries: [(String, Int)] = (0..<256).map { (ByteLevelAlphabet.encode([UInt8($0)]), $0) }
    entries += extra.sorted { $0.value < $1.value }.map { ($0.key, $0.value) }
    let body = entries.map { "\(jsonString($0.0)): \($0.1)" }.joined(separator: ", ")
    return "{" + body + "}"
}

func jsonString(_ s: String) -> String {
    let data = (try? JSONEncoder().encode(s)) ?? Data()
    return String(decoding: data, as: UTF8.self)
}

@Suite struct GPT2LoaderTests {
    @Test func committedGPT2Files() throws {
        let t = try GPT2Loader.load(path: Fixtures.vocabulary("gpt2").path)
        #expect(t.name == "gpt2")
        #expect(t.vocabulary.count == 50_256)
        #expect(t.specialTokens.entries.count == 1)
        #expect(t.specialTokens.id(of: "<|endoftext|>") == 50_256)
        guard case .mergeList(let merges, let ignoreMerges) = t.bpeModel?.rule else {
            Issue.record("expected a merge list")
            return
        }
        #expect(merges.count == 50_000)
        #expect(!ignoreMerges)
        #expect(try t.encode("hello world") == [31_373, 995])
        #expect(try t.encode("<|endoftext|>", specials: .allow) == [50_256])
    }

    @Test func agreesWithR50kOnSampleText() throws {
        let hf = try #require(Loaded.gpt2HF)
        let r50k = try #require(Loaded.r50k)
        #expect(try hf.encode(sampleText) == (try r50k.encode(sampleText)))
    }

    @Test func acceptsEitherFile() throws {
        let viaMerges = try GPT2Loader.locate(Fixtures.vocabulary("gpt2/merges.txt").path)
        let viaVocab = try GPT2Loader.locate(Fixtures.vocabulary("gpt2/vocab.json").path)
        #expect(viaMerges.vocab == viaVocab.vocab)
        #expect(viaMerges.merges.hasSuffix("gpt2/merges.txt"))
    }

    @Test func missingSiblingIsNamed() throws {
        let folder = try scratchFolder()
        let vocab = try write(byteLevelVocabJSON(), "vocab.json", in: folder)
        expectMessage(caught { try GPT2Loader.load(path: vocab) }, contains: ["merges.txt", "side by side"])
    }

    @Test func smallVocabularyWithPrefixedNamesAndUnreachableSpecials() throws {
        let folder = try scratchFolder()
        try write(byteLevelVocabJSON(extra: ["Ġt": 256, "he": 257, "<s>": 258, "</s>": 259]), "m-vocab.json", in: folder)
        try write("#version: 0.2\nĠ t\nh e\n", "m-merges.txt", in: folder)
        let t = try GPT2Loader.load(path: folder.appendingPathComponent("m-merges.txt").path)
        #expect(t.vocabulary.count == 258)
        #expect(t.specialTokens.entries.map(\.id) == [258, 259])
        #expect(try t.encode("he t") == [257, 256])
        #expect(try t.encode("<s>he", specials: .allow) == [258, 257])
    }

    @Test func mergesLineWithOneFieldNamesTheLine() throws {
        let folder = try scratchFolder()
        try write(byteLevelVocabJSON(extra: ["Ġt": 256]), "vocab.json", in: folder)
        try write("#version: 0.2\nĠ t\nhe\n", "merges.txt", in: folder)
        expectMessage(caught { try GPT2Loader.load(path: folder.path) },
                      contains: ["merges.txt:3:", "found 1 field"])
        try write("Ġ t\nh e x\n", "merges.txt", in: folder)
        expectMessage(caught { try GPT2Loader.load(path: folder.path) }, contains: ["merges.txt:2:", "found 3 fields"])
    }

    @Test func mergesNamingUnknownTokensNameTheLine() throws {
        let folder = try scratchFolder()
        try write(byteLevelVocabJSON(extra: ["Ġt": 256]), "vocab.json", in: folder)
        try write("Ġ t\nĠt he\n", "merges.txt", in: folder)
        expectMessage(caught { try GPT2Loader.load(path: folder.path) },
                      contains: ["merges.txt:2:", "\"he\"", "not in the vocabulary"])
        try write("Ġ t\nh e\n", "merges.txt", in: folder)   // "he" is not a token
        expectMessage(caught { try GPT2Loader.load(path: folder.path) },
                      contains: ["merges.txt:2:", "not in the vocabulary"])
    }

    @Test func malformedVocabJSONNamesTheFile() throws {
        let folder = try scratchFolder()
        try write(#"{"a": 0, "b": "one"}"#, "vocab.json", in: folder)
        try write("", "merges.txt", in: folder)
        expectMessage(caught { try GPT2Loader.load(path: folder.path) }, contains: ["vocab.json", "b"])
        try write(#"{"a": 0,"#, "vocab.json", in: folder)
        expectMessage(caught { try GPT2Loader.load(path: folder.path) }, contains: ["vocab.json", "JSON"])
    }
}
