// End to end: `tessera train lib` writes a model that `encode --tokenizer` uses losslessly (and the
// plain `tessera train CORPUS` still trains BPE); `encode --stochastok/--dropout` are seeded and
// thread-independent; `tessera expand` writes shards that decode back to the corpus.
import Foundation
import Testing
import TesseraFormats
import TesseraTestSupport

@Suite("tessera train lib / stochastic encode / expand", .serialized)
struct LiBStochasticCLITests {
    let corpus = Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-kjv.txt").path
    let r50k = Fixtures.vocabulary("r50k_base.tiktoken").path

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-lib-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("train lib → encode/decode round trip; --vocab-size is exact; same seed, same file")
    func trainLiB() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("lib.model").path
        var r = try CLITests.run(["train", "lib", corpus, "--steps", "12", "--preset", "demo", "--vocab-size", "800",
                                  "-o", model, "--progress", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("\"phase\":\"lib\""))
        let contents = try LiBModelFile.read(bytes: FileBytes.read(model), file: model)
        #expect(contents.lexicon.count == 800)
        let again = dir.appendingPathComponent("again.model").path
        r = try CLITests.run(["train", "lib", corpus, "--steps", "12", "--preset", "demo", "--vocab-size", "800", "-o", again])
        #expect(try Data(contentsOf: URL(fileURLWithPath: model)) == Data(contentsOf: URL(fileURLWithPath: again)))
        let other = Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-rv1909.txt").path
        for text in [corpus, other] {
            let encoded = try CLITests.run(["encode", "-t", model, text, "--threads", "2"])
            #expect(encoded.status == 0, "\(encoded.stderr)")
            let decoded = try CLITests.run(["decode", "-t", model], stdin: encoded.stdout)
            #expect(decoded.stdout == Array(try Data(contentsOf: URL(fileURLWithPath: text))))
        }
        let inspect = try CLITests.run(["inspect", "-t", model])
        #expect(String(decoding: inspect.stdout, as: UTF8.self).contains("LiB lexicon (800 chunks"))
        // The BPE trainer is still the default subcommand.
        let bpe = dir.appendingPathComponent("bpe.tiktoken").path
        r = try CLITests.run(["train", corpus, "--vocab-size", "400", "-o", bpe])
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLITests.run(["train", "bpe", corpus, "--vocab-size", "400", "-o", bpe])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test("train lib refuses bad settings with a message")
    func trainLiBErrors() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("x.model").path
        var r = try CLITests.run(["train", "lib", corpus, "--steps", "2", "--vocab-size", "5", "-o", out])
        #expect(r.status != 0 && r.stderr.contains("distinct characters"))
        r = try CLITests.run(["train", "lib", corpus, "--steps", "0", "-o", out])
        #expect(r.status != 0 && r.stderr.contains("--steps"))
        r = try CLITests.run(["train", "lib", corpus, "--steps", "2", "--life", "0", "-o", out])
        #expect(r.status != 0 && r.stderr.contains("life"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("encode --stochastok / --dropout: seeded, lossless, independent of --threads")
    func stochasticEncode() throws {
        let plain = try CLITests.run(["encode", "-t", r50k, corpus])
        for flag in ["--stochastok", "--dropout"] {
            let a = try CLITests.run(["encode", "-t", r50k, flag, "0.1", "--seed", "3", "--threads", "1", corpus])
            #expect(a.status == 0, "\(a.stderr)")
            let b = try CLITests.run(["encode", "-t", r50k, flag, "0.1", "--seed", "3", "--threads", "2", corpus])
            #expect(a.stdout == b.stdout)
            #expect(a.stdout != plain.stdout)
            let c = try CLITests.run(["encode", "-t", r50k, flag, "0.1", "--seed", "4", corpus])
            #expect(c.stdout != a.stdout)
            let decoded = try CLITests.run(["decode", "-t", r50k], stdin: a.stdout)
            #expect(decoded.stdout == Array(try Data(contentsOf: URL(fileURLWithPath: corpus))))
            // Per-line documents, pieces with offsets.
            let lines = try CLITests.run(["encode", "-t", r50k, flag, "0.5", "--lines", "-o", "pieces", "--offsets", corpus])
            #expect(lines.status == 0, "\(lines.stderr)")
        }
        let bad = try CLITests.run(["encode", "--stochastok", "0.1", "--dropout", "0.1", corpus])
        #expect(bad.status != 0)
    }

    @Test("expand writes shards that decode to the documents, the same for any --threads")
    func expand() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = dir.appendingPathComponent("one").path, two = dir.appendingPathComponent("two").path
        var r = try CLITests.run(["expand", "-t", r50k, "--stochastok", "0.1", "--seed", "5", "--lines", "--shard-tokens", "20000",
                                  "--threads", "1", "-o", one, corpus])
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLITests.run(["expand", "-t", r50k, "--stochastok", "0.1", "--seed", "5", "--lines", "--shard-tokens", "20000",
                              "--threads", "2", "-o", two, corpus])
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: one).sorted()
        #expect(names.count > 1 && names.first == "shard-000000.tokens")
        #expect(try FileManager.default.contentsOfDirectory(atPath: two).sorted() == names)
        var ids: [UInt32] = []
        var documents: UInt64 = 0, textBytes: UInt64 = 0
        for name in names {
            let a = try TokenShard.read(path: (one as NSString).appendingPathComponent(name))
            let b = try TokenShard.read(path: (two as NSString).appendingPathComponent(name))
            #expect(a == b)
            #expect(a.vocabularySize == 50_257 && a.separator == 50_256 && a.probability == 0.1 && a.seed == 5)
            ids += a.ids
            documents += a.documents
            textBytes += a.byteCount
        }
        // Documents are lines, each after <|endoftext|>: decoding and splitting at it gives the lines back.
        let lines = try String(contentsOf: URL(fileURLWithPath: corpus), encoding: .utf8).components(separatedBy: "\n").dropLast()
        #expect(documents == UInt64(lines.count))
        #expect(textBytes == UInt64(lines.reduce(0) { $0 + $1.utf8.count }))   // separators count no bytes
        let text = try CLITests.run(["decode", "-t", r50k], stdin: Array(ids.map(String.init).joined(separator: " ").utf8))
        #expect(String(decoding: text.stdout, as: UTF8.self) == lines.map { "<|endoftext|>" + $0 }.joined())
        // The expansion's header reports growth.
        #expect(String(decoding: r.stdout, as: UTF8.self).contains("split attempts succeeded"))
    }
}
