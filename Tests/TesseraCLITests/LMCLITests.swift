// End-to-end: `tessera lm train` (bytes and a real tokenizer), `lm eval`, `lm sample`, resume, and the
// errors for missing checkpoints and mismatched vocabularies. Models are tiny so the suite stays fast.
import Foundation
import Testing
import TesseraFormats
import TesseraTestSupport

@Suite("tessera lm", .serialized)
struct LMCLITests {
    /// A scratch folder holding `text.txt`, the first 4 KB of the demo corpus (the debug build is slow).
    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-lm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let demo = try Data(contentsOf: Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-kjv.txt"))
        try demo.prefix(4096).write(to: url.appendingPathComponent("text.txt"))
        return url
    }

    @Test("train on bytes, resume, eval and sample")
    func trainEvalSample() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("text.txt").path
        let model = dir.appendingPathComponent("m.safetensors").path
        let common = ["lm", "train", "-t", "bytes", "--data", corpus, "-o", model, "--layers", "1", "--width", "16",
                      "--heads", "2", "--context", "16", "--batch", "4", "--log-every", "5", "--lr", "3e-3"]
        var r = try CLITests.run(common + ["--steps", "10", "--checkpoint-every", "5"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("step 10/10"))
        #expect(r.stderr.contains("tok/s") && r.stderr.contains("ETA"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("m.state.safetensors").path))
        r = try CLITests.run(common + ["--steps", "15", "--resume"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("step 15/15") && !r.stderr.contains("step 5/15"))
        r = try CLITests.run(["lm", "eval", "-m", model, "--json", corpus])
        #expect(r.status == 0, "\(r.stderr)")
        let bpb = try #require(r.text.split(separator: ",").first { $0.contains("bits_per_byte") }?
            .split(separator: ":").last.flatMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: "}\n"))) })
        #expect(bpb > 1 && bpb < 8, "bits/byte \(bpb) after 15 steps on bytes")
        r = try CLITests.run(["lm", "sample", "-m", model, "--prompt", "In the", "--tokens", "5", "--seed", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.hasPrefix("In the"))
        let again = try CLITests.run(["lm", "sample", "-m", model, "--prompt", "In the", "--tokens", "5", "--seed", "3"])
        #expect(again.stdout == r.stdout)
    }

    @Test("bad checkpoints, vocabularies and settings fail with a message")
    func errors() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("text.txt").path
        let model = dir.appendingPathComponent("m.safetensors").path
        var r = try CLITests.run(["lm", "eval", "-m", model, corpus])
        #expect(r.status != 0 && r.stderr.contains("m.safetensors"))
        r = try CLITests.run(["lm", "train", "-t", "bytes", "--data", corpus, "-o", model, "--layers", "1", "--width", "8",
                              "--heads", "2", "--context", "8", "--batch", "2", "--steps", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLITests.run(["lm", "eval", "-m", model, "-t", "o200k_base", corpus])   // embedded: no ../shared needed
        #expect(r.status != 0 && r.stderr.contains("vocabulary of 256"))
        r = try CLITests.run(["lm", "train", "-t", "bytes", "--data", corpus, "-o", model, "--width", "10", "--heads", "3"])
        #expect(r.status != 0 && r.stderr.contains("multiple of --heads"))
        r = try CLITests.run(["lm", "sample", "-m", model, "--prompt", "x", "--top-p", "0"])
        #expect(r.status != 0 && r.stderr.contains("top-p"))
        try Data("TESSTOKS".utf8).write(to: dir.appendingPathComponent("bad.tokens"))
        r = try CLITests.run(["lm", "train", "--data", dir.appendingPathComponent("bad.tokens").path, "-o", model])
        #expect(r.status != 0 && r.stderr.contains("bad.tokens"))
        // A shard over another vocabulary than the tokenizer's.
        let other = dir.appendingPathComponent("v300.tokens").path
        try TokenShard(vocabularySize: 300, byteCount: 64, ids: (0..<64).map { UInt32($0 * 7 % 300) }).write(to: other)
        r = try CLITests.run(["lm", "train", "-t", "bytes", "--data", other, "-o", model, "--context", "8", "--steps", "1"])
        #expect(r.status != 0 && r.stderr.contains("300") && r.stderr.contains("256"))
        r = try CLITests.run(["lm", "eval", "-m", model, other])
        #expect(r.status != 0 && r.stderr.contains("v300.tokens"))
    }

    @Test("expand's shards train and evaluate directly (one shard format)")
    func expandThenTrain() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("text.txt").path
        let shards = dir.appendingPathComponent("shards").path
        let model = dir.appendingPathComponent("m.safetensors").path
        // A small BPE trained here keeps the debug build's StochasTok split table quick (o200k's takes minutes).
        let bpe = dir.appendingPathComponent("bpe.tiktoken").path
        var r = try CLITests.run(["train", corpus, "--vocab-size", "400", "-o", bpe])
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLITests.run(["expand", "-t", bpe, "--stochastok", "0.1", "--separator", "none", "-o", shards, corpus])
        #expect(r.status == 0, "\(r.stderr)")
        let shard = (shards as NSString).appendingPathComponent("shard-000000.tokens")
        #expect(try TokenShard.read(path: shard).byteCount == 4096)
        r = try CLITests.run(["lm", "train", "--data", shard, "-o", model, "--layers", "1", "--width", "8", "--heads", "2",
                              "--context", "8", "--batch", "2", "--steps", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("V 400"))
        r = try CLITests.run(["lm", "eval", "-m", model, "--json", shard])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.contains("\"bytes\":"))
    }
}
