// TokenizerJSONWriter: tokenizer.json from loaded tokenizers of other formats (the recovered merges of a tiktoken
// file are GPT-2's own merges.txt), the round trip back to the same ids, the error listing what has no
// tokenizer.json form, and atomic writing.

import Foundation
import Testing
@testable import TesseraFormats
import TesseraBPE
import TesseraPreTokenizers
import TesseraTestSupport
import TesseraTokenizer

@Suite struct TokenizerJSONWriterTests {
    @Test func tiktokenRanksBecomeGPT2sMergeList() throws {
        let r50k = try #require(Loaded.r50k)
        let json = try TokenizerJSONWriter.model(for: r50k)
        #expect(json.model.ignoreMerges == true)
        #expect(json.preTokenizer?.kind == .byteLevel && json.preTokenizer?.useRegex == true)
        #expect(json.addedTokens?.map { "\($0.id) \($0.content) \($0.special ?? false) \($0.normalized ?? true)" } == ["50256 <|endoftext|> true false"])
        // GPT-2's merges.txt is exactly the list recovered from the ranks.
        let text = String(decoding: try FileBytes.read(Fixtures.vocabulary("gpt2/merges.txt").path), as: UTF8.self)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#version") }.map(String.init)
        #expect(json.model.merges.count == lines.count)
        #expect((0..<json.model.merges.count).allSatisfy { json.model.merges.text(at: $0) == lines[$0] })
        let back = try TokenizerJSONLoader.load(bytes: try json.write(), file: "r50k.json", name: "r50k").tokenizer
        #expect(try back.encode(sampleText) == (try r50k.encode(sampleText)))
        #expect(try back.encode("a<|endoftext|>b", specials: .allow) == (try r50k.encode("a<|endoftext|>b", specials: .allow)))
    }

    @Test func mergeListTokenizersRoundTrip() throws {
        let gpt2 = try #require(Loaded.gpt2HF)
        let bytes = try TokenizerJSONWriter.data(for: gpt2)
        let back = try TokenizerJSONLoader.load(bytes: bytes, file: "gpt2.json", name: "gpt2").tokenizer
        #expect(back.bpeModel?.rule == gpt2.bpeModel?.rule)
        #expect(try back.encode(sampleText) == (try gpt2.encode(sampleText)))
        // A tokenizer.json written from a loaded tokenizer.json gives the same ids as the original.
        let original = try TokenizerJSONLoader.load(path: Fixtures.golden("tokenizer-json/bytelevel-added.json").path)
        let rewritten = try TokenizerJSONLoader.load(bytes: try TokenizerJSONWriter.data(for: original), file: "b.json", name: "b").tokenizer
        for text in ["<|special|> [MASK] hello wor", "say hello, ahello", "ÉCOLE école", sampleText] {
            #expect(try rewritten.encode(text, specials: .allow) == (try original.encode(text, specials: .allow)), "\(text)")
        }
    }

    @Test func partsWithoutATokenizerJSONFormAreListed() throws {
        let llama2 = try TokenizerJSONLoader.load(path: Fixtures.golden("tokenizer-json/llama2-metaspace.json").path)
        #expect(throws: TokenizerJSONWriter.Unrepresentable.self) { try TokenizerJSONWriter.data(for: llama2) }
        let r50k = try #require(Loaded.r50k)
        var odd = r50k
        odd.preTokenizer = PreTokenizerSequence([PatternScanner(.cl100k), UnicodeScriptsPreTokenizer()])
        odd.normalizer = TextNormalizer(normalizer: nil, addsPrefixSpace: true)
        do {
            _ = try TokenizerJSONWriter.data(for: odd)
            Issue.record("expected an error")
        } catch let error as TokenizerJSONWriter.Unrepresentable {
            #expect(error.reasons.count == 2)
            #expect(error.description.contains("UnicodeScriptsPreTokenizer"))
            #expect(error.description.contains("prefix space"))
        }
    }

    @Test func writingIsAtomicAndNamesAFolderThatIsMissing() throws {
        let folder = try scratchFolder()
        let path = folder.appendingPathComponent("tokenizer.json").path
        let json = try TokenizerJSON.read(try FileBytes.read(Fixtures.golden("tokenizer-json/bert-bpe.json").path))
        try TokenizerJSONWriter.write(json, to: path)
        try TokenizerJSONWriter.write(json, to: path)   // replaces the file
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["tokenizer.json"])
        #expect(try TokenizerJSON.read(try FileBytes.read(path)) == json)
        let missing = folder.appendingPathComponent("no/such/folder/tokenizer.json").path
        expectMessage(caught { try TokenizerJSONWriter.write(json, to: missing) }, contains: ["no/such/folder/tokenizer.json", "temporary file"])
    }

    @Test func cl100kGetsAnOnigurumaSafeSpelling() throws {
        // `\p{N}{1,3}+` means "one or more runs of 1–3 digits" in Oniguruma's Ruby syntax; the atomic group keeps
        // tiktoken's possessive meaning, and Tessera still recognises the built-in pattern when it reads it back.
        #expect(BuiltinPattern.cl100k.huggingFaceSpelling.contains(#"(?>\p{N}{1,3})"#))
        #expect(BuiltinPattern.matchingTokenizerJSON(regex: BuiltinPattern.cl100k.huggingFaceSpelling) == .cl100k)
        let cl100k = try #require(Loaded.cl100k)
        let back = try TokenizerJSONLoader.load(bytes: try TokenizerJSONWriter.data(for: cl100k), file: "c.json", name: "c").tokenizer
        #expect((back.preTokenizer as? PreTokenizerSequence)?.stages.first is PatternScanner
                || back.preTokenizer is PatternScanner)
        #expect(try back.encode("12345678 " + sampleText) == (try cl100k.encode("12345678 " + sampleText)))
    }
}
