// End-to-end: `tessera count -o` shards + `train --from-counts` give byte-identical files to training on
// the corpus; superword and continued training run and round-trip; bad flags fail with a message.
import Foundation
import Testing
import TesseraTestSupport

@Suite("tessera train", .serialized)
struct TrainCLITests {
    let corpus = Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-kjv.txt").path
    let other = Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-rv1909.txt").path

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("count shards + --from-counts = training on the files (identical bytes)")
    func shardsEqualWhole() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = dir.appendingPathComponent("whole.tiktoken").path
        let sharded = dir.appendingPathComponent("sharded.tiktoken").path
        let a = dir.appendingPathComponent("a.counts").path, b = dir.appendingPathComponent("b.counts").path
        var r = try CLITests.run(["train", corpus, other, "--vocab-size", "700", "-o", whole, "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLITests.run(["count", other, "-o", b, "--threads", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLITests.run(["count", corpus, "-o", a, "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLITests.run(["train", "--from-counts", b, a, "--vocab-size", "700", "-o", sharded])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: whole)) == Data(contentsOf: URL(fileURLWithPath: sharded)))
        // The trained tokenizer round-trips its corpus.
        let encoded = try CLITests.run(["encode", "-t", whole, corpus])
        let decoded = try CLITests.run(["decode", "-t", whole], stdin: encoded.stdout)
        #expect(decoded.stdout == Array(try Data(contentsOf: URL(fileURLWithPath: corpus))))
    }

    @Test("superword and continued training write usable tokenizers")
    func superwordAndContinue() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = dir.appendingPathComponent("base").path
        let superword = dir.appendingPathComponent("super.tiktoken").path
        let extended = dir.appendingPathComponent("extended").path
        var r = try CLITests.run(["train", corpus, "--vocab-size", "800", "--superword-transition", "600", "-o", superword,
                                  "--progress", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("\"phase\":\"merge-start\""))
        r = try CLITests.run(["train", corpus, "--vocab-size", "500", "--format", "gpt2", "-o", base])
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLITests.run(["train", other, "--vocab-size", "600", "--continue", base, "--format", "gpt2", "-o", extended])
        #expect(r.status == 0, "\(r.stderr)")
        for tokenizer in [superword, extended] {
            let encoded = try CLITests.run(["encode", "-t", tokenizer, other])
            #expect(encoded.status == 0, "\(encoded.stderr)")
            let decoded = try CLITests.run(["decode", "-t", tokenizer], stdin: encoded.stdout)
            #expect(decoded.stdout == Array(try Data(contentsOf: URL(fileURLWithPath: other))))
        }
        // The first 244 merges of the extended tokenizer are the base's.
        let baseMerges = try String(contentsOfFile: base + "/merges.txt", encoding: .utf8).split(separator: "\n")
        let extendedMerges = try String(contentsOfFile: extended + "/merges.txt", encoding: .utf8).split(separator: "\n")
        #expect(extendedMerges.count > baseMerges.count)
        #expect(Array(extendedMerges.prefix(baseMerges.count)) == baseMerges)
    }

    @Test("bad inputs fail with a message")
    func errors() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var r = try CLITests.run(["train", corpus, "--vocab-size", "100", "-o", dir.appendingPathComponent("x").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--vocab-size"))
        r = try CLITests.run(["train", "--vocab-size", "300", "-o", dir.appendingPathComponent("x").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--from-counts"))
        let bad = dir.appendingPathComponent("bad.counts").path
        try Data("not counts".utf8).write(to: URL(fileURLWithPath: bad))
        r = try CLITests.run(["train", "--from-counts", bad, "--vocab-size", "300", "-o", dir.appendingPathComponent("x").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("bad.counts"))
        r = try CLITests.run(["count", corpus, "--sample-lines", "5"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("-o"))
    }
}
