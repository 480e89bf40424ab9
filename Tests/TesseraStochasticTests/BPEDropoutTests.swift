// BPE-dropout: p = 0 is the deterministic encoder (both merge rules), p = 1 leaves bytes, every p is
// lossless and seeded, and on FLORES English the length growth matches Hugging Face `tokenizers`'
// BPE(dropout=p) on the same GPT-2 files (measured with tokenizers 0.23.3: +5.42 % at 0.05, +11.70 % at 0.1,
// +27.96 % at 0.2, over 10 runs; bench/stochastok_bench.py reproduces the comparison).
import Foundation
import Testing
import TesseraBPE
import TesseraFormats
import TesseraStochastic
import TesseraTestSupport
import TesseraTokenizer

@Suite("BPE-dropout")
struct BPEDropoutTests {
    static let tokenizers: [String] = [Fixtures.vocabulary("r50k_base.tiktoken").path, Fixtures.vocabulary("gpt2").path]
    let text = try! String(contentsOf: Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-kjv.txt"), encoding: .utf8)

    @Test("p = 0 is plain BPE; p = 1 is bytes; lossless and seeded in between", arguments: tokenizers)
    func contract(path: String) throws {
        let tokenizer = try TokenizerLoader.load(path: path)
        let sample = Array(text.utf8.prefix(30_000))
        let plain = try tokenizer.encode(sample)
        #expect(try tokenizer.withBPEDropout(tokenizer.bpeDropout(probability: 0), seed: 1).encode(sample) == plain)
        let all = try tokenizer.withBPEDropout(tokenizer.bpeDropout(probability: 1), seed: 1).encode(sample)
        #expect(all.count == sample.count)
        for p in [0.1, 0.5] {
            let dropout = try tokenizer.bpeDropout(probability: p)
            let a = try tokenizer.withBPEDropout(dropout, seed: 7).encode(sample)
            #expect(try tokenizer.decode(a) == sample)
            #expect(a.count > plain.count)
            #expect(try tokenizer.withBPEDropout(dropout, seed: 7).encode(sample) == a)
            #expect(try tokenizer.withBPEDropout(dropout, seed: 8).encode(sample) != a)
            let e = try tokenizer.withBPEDropout(dropout, seed: 7).encodeWithOffsets(sample)
            #expect(e.ids == a)
            #expect(e.offsets.last?.upperBound == sample.count)
        }
        #expect(throws: StochasticError.self) { try tokenizer.bpeDropout(probability: 1.5) }
    }

    @Test("a non-BPE tokenizer is refused with a message")
    func notBPE() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-dropout-\(UUID().uuidString).model")
        try Data("tessera-lib v1\ntokens 2\na\nb\n".utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let tokenizer = try TokenizerLoader.load(path: path.path)
        #expect(throws: StochasticError.self) { try tokenizer.bpeDropout(probability: 0.1) }
    }

    @Test("FLORES English: length growth matches Hugging Face BPE(dropout=p) on GPT-2",
          arguments: [(0.05, 0.0542), (0.1, 0.1170), (0.2, 0.2796)])
    func matchesHuggingFace(p: Double, expected: Double) throws {
        guard let url = Fixtures.shared("corpora/flores200/dev/eng_Latn.dev") else {
            print("skipping the dropout comparison: ../shared/corpora/flores200 is absent")
            return
        }
        let tokenizer = try TokenizerLoader.load(path: Fixtures.vocabulary("gpt2").path)
        var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        lines.removeLast()
        let base = try lines.reduce(0) { $0 + (try tokenizer.encode($1)).count }
        #expect(base == 25_741)
        let dropout = try tokenizer.bpeDropout(probability: p)
        var growth = 0.0
        for seed in 0..<10 {
            var n = 0
            for (i, line) in lines.enumerated() {
                n += try tokenizer.withBPEDropout(dropout, seed: StochasticSeed.document(UInt64(seed), index: i)).encode(line).count
            }
            growth += Double(n) / Double(base) - 1
        }
        growth /= 10
        // HF's 10-run mean has a standard error ≈ 0.001; allow 0.006.
        #expect(abs(growth - expected) < 0.006, "p \(p): growth \(growth), Hugging Face \(expected)")
    }
}
