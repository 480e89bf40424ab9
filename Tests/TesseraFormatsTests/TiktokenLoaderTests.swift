// The .tiktoken loader on the committed files (r50k_base, cl100k_base, qwen), the embedded o200k_base,
// sidecars, and malformed files.

import Foundation
import Testing
@testable import TesseraFormats
import TesseraBPE
import TesseraTestSupport
import TesseraTokenizer

@Suite struct TiktokenLoaderTests {
    @Test func r50kBase() throws {
        let t = try TiktokenLoader.load(path: Fixtures.vocabulary("r50k_base.tiktoken").path)
        #expect(t.name == "r50k_base")
        #expect(t.vocabulary.count == 50_256)
        #expect(t.specialTokens.entries.map(\.id) == [50_256])
        #expect(t.idUpperBound == 50_257)
        #expect(t.bpeModel?.rule == .rankOrder)
        #expect(try t.encode("hello world") == [31_373, 995])
        #expect(try t.encode("<|endoftext|>", specials: .allow) == [50_256])
    }

    @Test func cl100kBase() throws {
        let t = try TiktokenLoader.load(path: Fixtures.vocabulary("cl100k_base.tiktoken").path)
        #expect(t.name == "cl100k_base")
        #expect(t.vocabulary.count == 100_256)
        #expect(t.specialTokens.entries.map(\.id) == [100_257, 100_258, 100_259, 100_260, 100_276])
        #expect(t.specialTokens.id(of: "<|endofprompt|>") == 100_276)
        #expect(try t.encode("hello") == [15_339])
        #expect(try t.encode(" world") == [1917])
        #expect(try t.encode("hello world") == [15_339, 1917])
        #expect(t.patternDescription == KnownEncoding.cl100kBase.pattern.source)
    }

    @Test func o200kBaseEmbedded() throws {
        let t = try TokenizerLoader.load(nameOrPath: "o200k_base")
        #expect(t.name == "o200k_base")
        #expect(t.vocabulary.count == 199_998)
        #expect(t.specialTokens.entries.map(\.id) == [199_999, 200_018])
        #expect(try t.encode("hello") == [24_912])
        #expect(try t.encode("hello world") == [24_912, 2375])
        let defaulted = try TokenizerLoader.load(nameOrPath: nil)
        #expect(defaulted.vocabulary.count == 199_998)
    }

    @Test func qwen() throws {
        let t = try TiktokenLoader.load(path: Fixtures.vocabulary("qwen.tiktoken").path)
        #expect(t.name == "qwen")
        #expect(t.vocabulary.count == 151_643)
        #expect(t.specialTokens.entries.count == 3 + 205)
        #expect(t.specialTokens.id(of: "<|im_start|>") == 151_644)
        #expect(t.specialTokens.id(of: "<|extra_204|>") == TokenID(151_850))
        #expect(t.normalizer != nil)   // Qwen's tokenizer applies NFC first
        // NFC: "e" + COMBINING ACUTE encodes like "é".
        #expect(try t.encode("caf\u{65}\u{301}") == (try t.encode("café")))
    }

    @Test(arguments: ["r50k", "cl100k", "o200k", "qwen"])
    func roundTripsText(_ which: String) throws {
        let t = try #require([
            "r50k": Loaded.r50k, "cl100k": Loaded.cl100k, "o200k": Loaded.o200k, "qwen": Loaded.qwen,
        ][which] ?? nil)
        let ids = try t.encode(sampleText)
        #expect(!ids.isEmpty)
        #expect(ids.count < sampleText.utf8.count)
        #expect(try t.decode(ids) == Array(sampleText.utf8))
    }

    @Test func nonSequentialRanksAndEmptyLines() throws {
        let folder = try scratchFolder()
        // All 256 bytes, listed in reverse rank order, with blank lines and CRLF.
        var text = ""
        for b in (0..<256).reversed() { text += Data([UInt8(b)]).base64EncodedString() + " \(b)\r\n\n" }
        text += Data("ab".utf8).base64EncodedString() + " 300\n"
        let path = try write(text, "custom.tiktoken", in: folder)
        try write(#"{"pattern": "\\w+|\\W", "special_tokens": {"<|end|>": 301}, "name": "custom"}"#, "custom.tiktoken.json", in: folder)
        let t = try TiktokenLoader.load(path: path)
        #expect(t.name == "custom")
        #expect(t.vocabulary.count == 257)
        #expect(t.vocabulary.idUpperBound == 301)
        #expect(try t.encode("ab") == [300])
        #expect(try t.encode("ab<|end|>", specials: .allow) == [300, 301])
    }

    @Test func sidecarOverridesAKnownEncoding() throws {
        let folder = try scratchFolder()
        let source = try FileBytes.read(Fixtures.vocabulary("r50k_base.tiktoken").path)
        let path = try write(source, "gpt2-custom.tiktoken", in: folder)
        try write(#"{"special_tokens": {"<|endoftext|>": 50256, "<|pad|>": 50257}}"#, "gpt2-custom.tiktoken.json", in: folder)
        let t = try TiktokenLoader.load(path: path)
        #expect(t.name == "r50k_base")
        #expect(t.specialTokens.entries.map(\.id) == [50_256, 50_257])
        #expect(try t.encode("hello world") == [31_373, 995])
    }

    @Test func unknownEncodingWithoutSidecarSaysHowToWriteOne() throws {
        let folder = try scratchFolder()
        let path = try write("IQ== 0\n", "mystery.tiktoken", in: folder)
        let error = caught { try TiktokenLoader.load(path: path) }
        expectMessage(error, contains: ["mystery.tiktoken", "mystery.tiktoken.json", "\"pattern\"", "special_tokens"])
        #expect((error as? FormatError)?.kind == .unknownEncoding)
    }

    @Test func truncatedLineNamesFileAndLine() throws {
        let folder = try scratchFolder()
        let path = try write("IQ== 0\nIg==\n", "r50k_base.tiktoken", in: folder)
        expectMessage(caught { try TiktokenLoader.load(path: path) },
                      contains: ["r50k_base.tiktoken:2:", "no rank"])
    }

    @Test func badBase64NamesFileAndLine() throws {
        let folder = try scratchFolder()
        let bad = try write("IQ== 0\nI!== 1\n", "cl100k_base-bad.tiktoken", in: folder)
        expectMessage(caught { try TiktokenLoader.load(path: bad) }, contains: ["cl100k_base-bad.tiktoken:2:", "base64"])
        let shortToken = try write("IQ== 0\nIg= 1\n", "cl100k_base-short.tiktoken", in: folder)
        expectMessage(caught { try TiktokenLoader.load(path: shortToken) },
                      contains: ["cl100k_base-short.tiktoken:2:", "multiple of 4"])
        let badPadding = try write("IQ== 0\nI=Q= 1\n", "cl100k_base-pad.tiktoken", in: folder)
        expectMessage(caught { try TiktokenLoader.load(path: badPadding) }, contains: ["cl100k_base-pad.tiktoken:2:", "base64"])
    }

    @Test func badRanksNameFileAndLine() throws {
        let folder = try scratchFolder()
        let letters = try write("IQ== 0\nIg== x1\n", "o200k_base-a.tiktoken", in: folder)
        expectMessage(caught { try TiktokenLoader.load(path: letters) }, contains: ["o200k_base-a.tiktoken:2:", "decimal"])
        let duplicate = try write("IQ== 0\nIg== 0\n", "o200k_base-b.tiktoken", in: folder)
        expectMessage(caught { try TiktokenLoader.load(path: duplicate) },
                      contains: ["o200k_base-b.tiktoken:2:", "rank 0 is already used on line 1"])
        let huge = try write("IQ== 99999999999999999999\n", "o200k_base-c.tiktoken", in: folder)
        expectMessage(caught { try TiktokenLoader.load(path: huge) }, contains: ["o200k_base-c.tiktoken:1:", "too large"])
    }

    @Test func duplicateTokenBytesNameBothLines() throws {
        let folder = try scratchFolder()
        let path = try write("IQ== 0\nIg== 1\nIQ== 2\n", "cl100k_base-dup.tiktoken", in: folder)
        expectMessage(caught { try TiktokenLoader.load(path: path) },
                      contains: ["cl100k_base-dup.tiktoken:3:", "line 1"])
    }

    @Test func incompleteByteSetIsAnError() throws {
        let folder = try scratchFolder()
        let path = try write("IQ== 0\nIg== 1\n", "cl100k_base-small.tiktoken", in: folder)
        expectMessage(caught { try TiktokenLoader.load(path: path) }, contains: ["cl100k_base-small.tiktoken", "256"])
    }

    @Test func specialIDCollidingWithARankIsAnError() throws {
        let folder = try scratchFolder()
        var text = ""
        for b in 0..<256 { text += Data([UInt8(b)]).base64EncodedString() + " \(b)\n" }
        let path = try write(text, "clash.tiktoken", in: folder)
        try write(#"{"pattern": "\\w+", "special_tokens": {"<|x|>": 5}}"#, "clash.tiktoken.json", in: folder)
        expectMessage(caught { try TiktokenLoader.load(path: path) }, contains: ["clash.tiktoken", "<|x|>", "5"])
    }

    @Test func malformedSidecarNamesTheField() throws {
        let folder = try scratchFolder()
        let path = try write("IQ== 0\n", "side.tiktoken", in: folder)
        try write(#"{"pattern": 12}"#, "side.tiktoken.json", in: folder)
        expectMessage(caught { try TiktokenLoader.load(path: path) }, contains: ["side.tiktoken.json", "pattern"])
    }
}
