// Parity with sentencepiece on committed fixtures (corpora/golden/sentencepiece, made by
// scripts/make-golden-sentencepiece.py; the sentencepiece version is in each file): ids, decoded text, offsets,
// batches, for the Mistral model, the five trained models and the llama-spm GGUF.
import Foundation
import Testing
import TesseraBPE
import TesseraFormats
import TesseraSentencePiece
import TesseraTestSupport
import TesseraTokenizer

@Suite("Golden ids and decodes from sentencepiece")
struct GoldenParityTests {
    struct Inputs: Decodable {
        struct Case: Decodable { let name: String; let text: String?; let text_hex: String? }
        let cases: [Case]
    }
    struct Results: Decodable {
        struct Result: Decodable { let ids: [UInt32]; let decoded: String?; let decoded_hex: String? }
        let tool: String
        let tool_version: String
        let bos_id: Int
        let eos_id: Int
        let results: [Result]
    }

    static let models: [(fixture: String, path: String)] = [
        ("mistral", "vocabularies/mistral-7b-v0.1.spm.model"),
        ("unigram", "vocabularies/sentencepiece/unigram.model"),
        ("bpe", "vocabularies/sentencepiece/bpe.model"),
        ("bpe-suffix", "vocabularies/sentencepiece/bpe-suffix.model"),
        ("char", "vocabularies/sentencepiece/char.model"),
        ("word", "vocabularies/sentencepiece/word.model"),
        ("llama-spm-gguf", "vocabularies/llama.cpp/ggml-vocab-llama-spm.gguf"),
    ]

    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.utf8.makeIterator()
        while let a = it.next(), let b = it.next() {
            out.append(UInt8(String(decoding: [a, b], as: UTF8.self), radix: 16)!)
        }
        return out
    }

    static func load(_ file: String) throws -> Data {
        try Data(contentsOf: Fixtures.golden("sentencepiece/\(file)"))
    }

    @Test("ids, decode, offsets and batches equal sentencepiece's", arguments: models)
    func parity(fixture: String, path: String) throws {
        let inputs = try JSONDecoder().decode(Inputs.self, from: Self.load("inputs.json")).cases
        let golden = try JSONDecoder().decode(Results.self, from: Self.load("\(fixture).json"))
        #expect(golden.tool == "sentencepiece")
        #expect(golden.results.count == inputs.count)
        #expect(inputs.count > 250)
        let tokenizer = try TokenizerLoader.load(path: Fixtures.packageRoot.appendingPathComponent(path).path)
        var texts: [[UInt8]] = []
        for (c, want) in zip(inputs, golden.results) {
            let text = c.text.map { Array($0.utf8) } ?? Self.hex(c.text_hex ?? "")
            texts.append(text)
            let ids = try tokenizer.encode(text, specials: .asText)
            #expect(ids == want.ids, "\(fixture): \(c.name)")
            let decoded = try tokenizer.decode(ids)
            let expected = want.decoded.map { Array($0.utf8) } ?? want.decoded_hex.map(Self.hex) ?? text
            #expect(decoded == expected, "\(fixture) decode: \(c.name)")
            // Offsets: the same ids, and ranges that tile the normalized text.
            let withOffsets = try tokenizer.encodeWithOffsets(text, specials: .asText)
            #expect(withOffsets.ids == want.ids, "\(fixture) offsets: \(c.name)")
            var end = 0
            for r in withOffsets.offsets {
                #expect(r.lowerBound == end, "\(fixture) offsets contiguous: \(c.name)")
                end = r.upperBound
            }
            let normalized = tokenizer.normalizer.map { (try? $0.normalizedBytes(text)) ?? [] } ?? text
            #expect(end == normalized.count, "\(fixture) offsets cover the text: \(c.name)")
        }
        let batch = try tokenizer.encodeBatch(texts, specials: .asText, threads: 2)
        #expect(batch == golden.results.map(\.ids))
        // BOS as sentencepiece's add_bos=True (and llama.cpp's add_special) puts it.
        if golden.bos_id >= 0, let first = texts.first(where: { !$0.isEmpty }) {
            let plain = try tokenizer.encode(first, specials: .asText)
            let withBOS = try tokenizer.encode(first, specials: .asText, addSpecialTokens: true)
            #expect(withBOS == [UInt32(golden.bos_id)] + plain)
        }
    }
}
