// End-to-end tests of `tessera convert` through the built executable.
import Foundation
import Testing
import TesseraTestSupport

@Suite("tessera convert", .serialized)
struct ConvertCLITests {
    static func scratch(_ label: String = #function) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-convert-\(label.filter(\.isLetter))-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static let demo = Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-kjv.txt").path

    @Test("cl100k_base → GPT-2 files: a lossless report, and the files encode the demo text to tiktoken's ids")
    func toGPT2() throws {
        let out = try Self.scratch() + "/cl100k_base"
        let r = try CLITests.run(["convert", "cl100k_base", out, "--to", "gpt2", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.contains("recovered 100000 merges from the ranks"))
        #expect(r.text.contains("verified"))
        #expect(r.text.contains("sidecar: the split pattern is in encoding.json"))
        #expect(r.text.contains("recover merges") && r.text.contains("verify merges"))
        #expect(r.text.hasSuffix("result: lossless\n"))
        for file in ["vocab.json", "merges.txt", "encoding.json"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file)")
        }
        let reference = try CLITests.run(["encode", "-t", "cl100k_base", Self.demo])
        let converted = try CLITests.run(["encode", "-t", out, Self.demo])
        #expect(converted.status == 0, "\(converted.stderr)")
        #expect(converted.stdout == reference.stdout)
        #expect(reference.stdout.count > 1000)
        let inspect = try CLITests.run(["inspect", "-t", out])
        #expect(inspect.text.contains("merge list"))
    }

    @Test("GPT-2 files → GPT-2 files keeps the source's merges.txt header: byte-identical")
    func gpt2Identity() throws {
        let out = try Self.scratch() + "/gpt2"
        let source = Fixtures.vocabulary("gpt2").path
        let r = try CLITests.run(["convert", source, out, "--to", "gpt2", "--strict"])
        #expect(r.status == 0, "\(r.stderr)")
        for file in ["vocab.json", "merges.txt"] {
            #expect(FileManager.default.contents(atPath: "\(out)/\(file)") == FileManager.default.contents(atPath: "\(source)/\(file)"))
        }
    }

    @Test("--strict refuses a lossy conversion and writes nothing; without it the loss is reported")
    func strict() throws {
        let folder = try Self.scratch()
        let out = folder + "/r50k.model"
        let refused = try CLITests.run(["convert", "r50k_base", out, "--to", "minbpe", "--strict"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--strict"))
        #expect(refused.text.contains("lost: ids are renumbered"))
        #expect(!FileManager.default.fileExists(atPath: out))
        let lossy = try CLITests.run(["convert", "r50k_base", out, "--to", "minbpe"])
        #expect(lossy.status == 0, "\(lossy.stderr)")
        #expect(lossy.text.contains("result: LOSSY"))
        let text = String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self)
        #expect(text.hasPrefix("minbpe v1\n"))
        // The minbpe file reads back (content sniffing) and gives the same token boundaries.
        let converted = try CLITests.run(["encode", "-t", out, "--output", "count", Self.demo])
        let reference = try CLITests.run(["encode", "-t", "r50k_base", "--output", "count", Self.demo])
        #expect(converted.status == 0 && converted.text == reference.text, "\(converted.stderr)")
    }

    @Test("tiktoken → tekken → tiktoken through the CLI is byte-identical when the layout is tekken's")
    func tekkenRoundTrip() throws {
        let folder = try Self.scratch()
        let a = try CLITests.run(["convert", "r50k_base", folder + "/r50k_base.json", "--to", "tekken"])
        #expect(a.status == 0, "\(a.stderr)")
        let b = try CLITests.run(["convert", folder + "/r50k_base.json", folder + "/r50k_base.tiktoken", "--to", "tiktoken", "--strict"])
        #expect(b.status == 0, "\(b.stderr)")
        let c = try CLITests.run(["convert", folder + "/r50k_base.tiktoken", folder + "/again.json", "--to", "tekken", "--strict"])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(FileManager.default.contents(atPath: folder + "/again.json") == FileManager.default.contents(atPath: folder + "/r50k_base.json"))
    }

    @Test("cl100k_base → tokenizer.json gives the same ids, and converts back to the same .tiktoken bytes")
    func tokenizerJSONTarget() throws {
        let folder = try Self.scratch()
        let json = folder + "/cl100k.json", back = folder + "/cl100k.tiktoken"
        let a = try CLITests.run(["convert", "cl100k_base", json, "--to", "tokenizer.json"])
        #expect(a.status == 0, "\(a.stderr)")
        let text = Array(try Data(contentsOf: Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-rv1909.txt")))
        let reference = try CLITests.run(["encode", "-t", "cl100k_base"], stdin: text)
        let converted = try CLITests.run(["encode", "-t", json], stdin: text)
        #expect(converted.status == 0, "\(converted.stderr)")
        #expect(converted.stdout == reference.stdout)
        let b = try CLITests.run(["convert", json, back, "--to", "tiktoken"])
        #expect(b.status == 0, "\(b.stderr)")
        let original = Fixtures.vocabulary("cl100k_base.tiktoken").path
        #expect(FileManager.default.contents(atPath: back) == FileManager.default.contents(atPath: original))
    }

    @Test("unknown formats and bad inputs fail with a clear message", arguments: [
        (["convert", "r50k_base", "/tmp/x", "--to", "yaml"], "not a known format"),
        (["convert", "/nonexistent/v.tiktoken", "/tmp/x", "--to", "gpt2"], "/nonexistent/v.tiktoken"),
        (["convert", "r50k_base", "/nonexistent-folder/x.model", "--to", "minbpe"], "/nonexistent-folder/x.model"),
    ])
    func errors(arguments: [String], mentions: String) throws {
        let r = try CLITests.run(arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(mentions), "stderr: \(r.stderr)")
    }
}
