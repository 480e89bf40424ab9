// minbpe and tekken readers (exact small oracles, every error path), the writers' reports on small tokenizers,
// atomic writes, sidecar checks and format detection.
import Foundation
import Testing
import TesseraBPE
import TesseraFormats
import TesseraPreTokenizers
import TesseraTestSupport
import TesseraTokenizer

@Suite("Writers and the minbpe / tekken readers")
struct WriterReaderTests {
    // MARK: minbpe

    static let minbpeText = "minbpe v1\n\n1\n<|endoftext|> 300\n104 105\n256 33\n"

    @Test("a minbpe model loads with raw-byte ids, merge ids from 256 and its special token")
    func minbpeReads() throws {
        let folder = try scratchFolder()
        let path = try write(Self.minbpeText, "tiny.model", in: folder)
        #expect(try TokenizerLoader.detect(path) == .minbpe)
        let t = try TokenizerLoader.load(path: path)
        #expect(t.name == "tiny")
        #expect(t.preTokenizer is WholeTextPreTokenizer)
        // "hi!hi": hi (256) everywhere first, then hi! (257).
        #expect(try t.encode("hi!hi") == [257, 256])
        #expect(try t.encode("x<|endoftext|>", specials: .allow) == [120, 300])
        #expect(t.vocabulary.bytes(of: 257) == Array("hi!".utf8))
        // Python's text mode: \r\n line ends and blanks around fields are accepted.
        let crlf = try write(Self.minbpeText.replacingOccurrences(of: "\n", with: "\r\n").replacingOccurrences(of: "104 105", with: " 104  105 "),
                             "crlf.model", in: folder)
        #expect(try TokenizerLoader.load(path: crlf).encode("hi!hi") == [257, 256])
    }

    @Test("bad minbpe files are errors naming the line", arguments: [
        ("minbpe v2\n\n0\n", "1", "minbpe v1"),
        ("minbpe v1\n\nx\n", "3", "number of special tokens"),
        ("minbpe v1\n\n2\n<a> 300\n", "5", "truncated"),
        ("minbpe v1\n\n1\n<a> b\n", "4", "<special token> <id>"),
        ("minbpe v1\n\n0\n97 98\n97 300\n", "5", "not defined before it"),
        ("minbpe v1\n\n0\n97 98\n97 98\n", "5", "already is"),
        ("minbpe v1\n\n0\n97\n", "4", "expected a merge"),
        ("minbpe v1\n\n1\n<a> 256\n97 98\n", "4", "byte or merge id"),
        ("minbpe v1\n(unclosed\n0\n", "2", "split pattern"),
    ])
    func minbpeErrors(text: String, line: String, mentions: String) throws {
        let path = try write(text, "bad.model", in: try scratchFolder())
        expectMessage(caught { try MinBPELoader.load(path: path) }, contains: ["bad.model:\(line):", mentions])
    }

    @Test("minbpe write → read keeps pattern, merges and specials; whitespace in a special is reported and dropped")
    func minbpeRoundTrip() throws {
        let folder = try scratchFolder()
        let source = try MinBPELoader.load(path: write(Self.minbpeText.replacingOccurrences(of: "v1\n\n", with: "v1\n\(BuiltinPattern.gpt2.regexSource)\n"),
                                                       "a.model", in: folder))
        let out = folder.appendingPathComponent("b.model").path
        let report = try MinBPEWriter().write(source, to: out)
        #expect(report.isLossless, "\(report.issues)")
        let text = String(decoding: try FileBytes.read(out), as: UTF8.self)
        #expect(text == "minbpe v1\n\(BuiltinPattern.gpt2.regexSource)\n1\n<|endoftext|> 300\n104 105\n256 33\n")
        var spaced = source
        spaced.specialTokens = try SpecialTokens([("<|end of text|>", 300)], vocabulary: source.vocabulary)
        let lossy = try MinBPEWriter().prepare(spaced, for: out, options: WriteOptions())
        #expect(!lossy.report.isLossless)
        #expect(lossy.report.issues.contains { $0.severity == .lost && $0.message.contains("whitespace") })
        #expect(String(decoding: lossy.files[0].bytes, as: UTF8.self).contains("\n0\n104 105\n"))
    }

    // MARK: tekken

    /// A tekken file with the 256 bytes plus "hi" (rank 256) and "hi!" (rank 257).
    static func tekken(specials: String? = #"[{"rank": 0, "token_str": "<s>", "is_control": true}, {"rank": 1, "token_str": "</s>", "is_control": false}]"#,
                       numSpecial: Int = 3, vocabSize: Int? = nil, version: String = "v7", firstByte: String = "AA==",
                       secondRank: Int = 1) -> String {
        var vocab = (0..<256).map { i -> String in
            let b64 = i == 0 ? firstByte : Data([UInt8(i)]).base64EncodedString()
            return #"{"rank": \#(i == 1 ? secondRank : i), "token_bytes": "\#(b64)", "token_str": null}"#
        }
        vocab.append(#"{"rank": 256, "token_bytes": "aGk=", "token_str": "hi"}"#)
        vocab.append(#"{"rank": 257, "token_bytes": "aGkh", "token_str": "hi!"}"#)
        let size = vocabSize ?? 258 + numSpecial
        return #"{"config": {"pattern": "\\s+|\\S+", "num_vocab_tokens": 258, "default_vocab_size": \#(size), "#
            + #""default_num_special_tokens": \#(numSpecial), "version": "\#(version)"}, "vocab": [\#(vocab.joined(separator: ","))]"#
            + (specials.map { #", "special_tokens": \#($0)"# } ?? "") + #", "image": {"x": 1}}"#
    }

    @Test("a tekken file loads with ranks shifted by the special count, fillers for missing specials, legacy specials up to v7")
    func tekkenReads() throws {
        let folder = try scratchFolder()
        let path = try write(Self.tekken(), "my.json", in: folder)
        #expect(try TokenizerLoader.detect(path) == .tekken)
        let loaded = try TekkenLoader.loadDetailed(path: path)
        let t = loaded.tokenizer
        #expect(try t.encode("hi! a") == [3 + 257, 3 + 32, 3 + 97])
        #expect(t.specialTokens.entries.map { String(decoding: $0.bytes, as: UTF8.self) } == ["<s>", "</s>", "<SPECIAL_2>"])
        #expect(loaded.nonControl == [1])
        #expect(loaded.otherSections == ["image"])
        #expect(loaded.version == "v7")
        // No special_tokens in a v3 file: the 20 legacy ones, then fillers.
        let legacy = try TekkenLoader.loadDetailed(path: write(Self.tekken(specials: nil, numSpecial: 25, version: "v3"), "legacy.json", in: folder))
        #expect(legacy.tokenizer.specialTokens.id(of: "[INST]") == 3)
        #expect(legacy.tokenizer.specialTokens.id(of: "<SPECIAL_24>") == 24)
        #expect(!legacy.listsSpecialTokens)
        // default_vocab_size below the vocab count cuts the vocabulary.
        let cut = try TekkenLoader.loadDetailed(path: write(Self.tekken(vocabSize: 3 + 257), "cut.json", in: folder))
        #expect(cut.unusedVocabEntries == 1)
        #expect(try cut.tokenizer.encode("hi!") == [3 + 256, 3 + 33])
    }

    @Test("bad tekken files are errors naming the JSON field", arguments: [
        (tekken(version: "v9"), "config.version"),
        (tekken(specials: nil, version: "v13"), "special_tokens"),
        (tekken(numSpecial: 1), "config.default_num_special_tokens"),
        (tekken(vocabSize: 400), "config.default_vocab_size"),
        (tekken(firstByte: "AQ=="), "vocab[0].token_bytes"),
        (tekken(secondRank: 7), "vocab[1].rank"),
        (tekken(specials: #"[{"rank": 1, "token_str": "<s>", "is_control": true}]"#), "special_tokens[0].rank"),
        (#"{"config": {"pattern": "x"}}"#, "config.default_vocab_size"),
    ])
    func tekkenErrors(text: String, field: String) throws {
        let path = try write(text, "bad-tekken.json", in: try scratchFolder())
        expectMessage(caught { try TekkenLoader.load(path: path) }, contains: ["bad-tekken.json", field])
    }

    @Test("the real tekken_240718.json gives mistral-common's golden ids", .timeLimit(.minutes(5)))
    func tekkenGolden() throws {
        struct Golden: Decodable { struct Case: Decodable { let name: String; let text: String; let ids: [UInt32] }; let cases: [Case] }
        let loaded = try TekkenLoader.loadDetailed(path: Fixtures.vocabulary("tekken_240718.json").path)
        #expect(loaded.version == "v3" && loaded.unusedVocabEntries == 150_000 - 130_072)
        #expect(loaded.tokenizer.idUpperBound == 131_072)
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.golden("ids/tekken_240718.json")))
        #expect(golden.cases.count > 100)
        for c in golden.cases {
            #expect(try loaded.tokenizer.encode(c.text, specials: .asText) == c.ids, "case \(c.name)")
        }
    }

    @Test("tekken write → read keeps version, control flags and ids of a tekken-laid-out tokenizer")
    func tekkenRoundTrip() throws {
        let folder = try scratchFolder()
        let path = try write(Self.tekken(), "my.json", in: folder)
        let loaded = try TekkenLoader.loadDetailed(path: path)
        let out = folder.appendingPathComponent("out.json").path
        let report = try TekkenWriter().write(loaded.tokenizer, to: out,
                                              options: WriteOptions(tekkenVersion: loaded.version, tekkenNonControl: loaded.nonControl))
        #expect(report.isLossless, "\(report.issues)")
        let again = try TekkenLoader.loadDetailed(path: out)
        #expect(again.nonControl == [1] && again.version == "v7")
        #expect(try again.tokenizer.encode("hi! a") == loaded.tokenizer.encode("hi! a"))
        let text = String(decoding: try FileBytes.read(out), as: UTF8.self)
        #expect(text.contains(#"{"rank": 1, "token_str": "</s>", "is_control": false}"#))
        #expect(text.contains(#"{"rank": 0, "token_bytes": "AA==", "token_str": "\u0000"}"#))
        #expect(text.contains(#"{"rank": 128, "token_bytes": "gA==", "token_str": null}"#))
    }

    // MARK: Reports on small tokenizers

    /// Bytes + "ab" + "bc" + "abc" listed as a + bc: not what rank order does (ab merges first).
    static func skewedMergeList() throws -> Tokenizer {
        let vocabulary = try Vocabulary(tokens: SyntheticVocabulary.tokens(merged: ["ab", "bc", "abc"]))
        let model = try BPEModel(vocabulary: vocabulary, rule: .mergeList([MergePair(97, 98), MergePair(98, 99), MergePair(97, 257)],
                                                                           ignoreMerges: false))
        return Tokenizer(name: "skewed", preTokenizer: PatternScanner(.gpt2), model: model,
                         specialTokens: try SpecialTokens([("ab", 300)], vocabulary: vocabulary))
    }

    @Test("rank-order targets report a merge list that ranks cannot express; GPT-2 files report a special that clashes")
    func lossReports() throws {
        let t = try Self.skewedMergeList()
        let out = try scratchFolder().appendingPathComponent("x.tiktoken").path
        let tiktoken = try TiktokenWriter().prepare(t, for: out, options: WriteOptions())
        #expect(tiktoken.report.issues.contains { $0.severity == .lost && $0.message.contains("1 of its 3 merges are not the ones its ids imply") })
        let tekken = try TekkenWriter().prepare(t, for: out, options: WriteOptions())
        #expect(tekken.report.issues.contains { $0.severity == .lost && $0.message.contains("not representable as ranks") })
        let gpt2 = try GPT2Writer().prepare(t, for: out, options: WriteOptions())
        #expect(gpt2.report.issues.contains { $0.severity == .lost && $0.message.contains("special token(s) cannot be vocab.json entries") })
    }

    @Test("--strict's basis: prepare writes nothing; commit writes atomically and leaves no temporary file")
    func atomicWrites() throws {
        let folder = try scratchFolder()
        let t = try #require(Loaded.r50k)
        let path = folder.appendingPathComponent("r50k_base.tiktoken").path
        let prepared = try TiktokenWriter().prepare(t, for: path, options: WriteOptions())
        #expect(!FileManager.default.fileExists(atPath: path))
        var commit = prepared
        try commit.commit()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["r50k_base.tiktoken", "r50k_base.tiktoken.json"])
        expectMessage(caught { try AtomicFile.write([1], to: folder.appendingPathComponent("missing/x").path) }, contains: ["missing/x", "temporary"])
        expectMessage(caught { try AtomicFile.write([1], to: folder.path) }, contains: ["is a folder"])
        expectMessage(caught { try AtomicFile.makeFolder(path) }, contains: ["is a file"])
    }

    // MARK: Sidecars and detection

    @Test("n_vocab in a sidecar is checked as tiktoken checks explicit_n_vocab; GPT-2 sidecars refuse special_tokens")
    func sidecars() throws {
        let folder = try scratchFolder()
        let r50k = try #require(Loaded.r50k)
        let path = folder.appendingPathComponent("mine.tiktoken").path
        _ = try TiktokenWriter().write(r50k, to: path)
        let sidecar = String(decoding: try FileBytes.read(path + ".json"), as: UTF8.self)
        #expect(sidecar.contains("\"n_vocab\": 50257"))
        #expect(try TokenizerLoader.load(path: path).idUpperBound == 50257)
        try write(sidecar.replacingOccurrences(of: "50257", with: "50300"), "mine.tiktoken.json", in: folder)
        expectMessage(caught { try TokenizerLoader.load(path: path) }, contains: ["n_vocab is 50300"])

        let gpt2 = folder.appendingPathComponent("g").path
        _ = try GPT2Writer().write(try #require(Loaded.cl100k), to: gpt2)
        #expect(try TokenizerLoader.load(path: gpt2).patternDescription == BuiltinPattern.cl100k.regexSource)
        try write(#"{"special_tokens": {"<x>": 1}}"#, "g/encoding.json", in: folder)
        expectMessage(caught { try TokenizerLoader.load(path: gpt2) }, contains: ["encoding.json", "special_tokens"])
    }

    @Test("detection: tekken by name or content, minbpe by its signature; protobuf .model files are not minbpe")
    func detection() throws {
        let folder = try scratchFolder()
        #expect(try TokenizerLoader.detect(write(Self.tekken(), "tekken.json", in: folder)) == .tekken)
        #expect(try TokenizerLoader.detect(write(Self.tekken(), "model-data", in: folder)) == .tekken)
        #expect(try TokenizerLoader.detect(write(#"{"version": "1.0", "model": {}}"#, "tokenizer.json", in: folder)) == .tokenizerJSON)
        #expect(try TokenizerLoader.detect(write("minbpe v1\n\n0\n", "m.bin", in: folder)) == .minbpe)
        let protobuf = try write([0x0A, 0x05, 0x0A, 0x03, 0x3C, 0x73, 0x3E], "spm.model", in: folder)
        #expect((try? TokenizerLoader.detect(protobuf)) != .minbpe)
    }
}
