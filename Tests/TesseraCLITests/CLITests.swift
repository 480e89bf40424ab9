// End-to-end tests of the `tessera` executable (built by `swift build --build-tests`).
import Foundation
import Testing
import TesseraTestSupport

@Suite("tessera CLI", .serialized)
struct CLITests {
    struct Result { let status: Int32; let stdout: [UInt8]; let stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) } }

    /// The tessera binary next to the test bundle.
    static let binary: URL = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("tessera")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return Fixtures.packageRoot.appendingPathComponent(".build/debug/tessera")
    }()

    static func run(_ arguments: [String], stdin: [UInt8] = [], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.currentDirectoryURL = Fixtures.packageRoot
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        input.fileHandleForWriting.write(Data(stdin))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: Array(out), stderr: String(decoding: err, as: UTF8.self))
    }

    @Test("encode | decode reproduces the demo corpus byte for byte (embedded o200k_base)")
    func roundTrip() throws {
        let path = Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-rv1909.txt").path
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let encoded = try Self.run(["encode", "--threads", "2", path])
        #expect(encoded.status == 0, "\(encoded.stderr)")
        let decoded = try Self.run(["decode"], stdin: encoded.stdout)
        #expect(decoded.status == 0, "\(decoded.stderr)")
        #expect(decoded.stdout == original)
    }

    @Test("known ids: o200k 'hello world'")
    func knownIDs() throws {
        let r = try Self.run(["encode"], stdin: Array("hello world".utf8))
        #expect(r.text == "24912 2375\n")
    }

    @Test("invalid UTF-8 input round-trips exactly")
    func invalidUTF8() throws {
        let bytes: [UInt8] = [0x61, 0xFF, 0xC3, 0x28, 0xE2, 0x82, 0x20, 0xF0, 0x9F, 0x99]
        let encoded = try Self.run(["encode"], stdin: bytes)
        #expect(encoded.status == 0)
        let decoded = try Self.run(["decode", "--utf8", "raw"], stdin: encoded.stdout)
        #expect(decoded.stdout == bytes)
        let strict = try Self.run(["decode", "--utf8", "strict"], stdin: encoded.stdout)
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("offset 1"))
    }

    @Test("json output with offsets and per-line mode")
    func jsonOutput() throws {
        let r = try Self.run(["encode", "--output", "json", "--offsets", "--lines"], stdin: Array("ab\ncd ef\n".utf8))
        #expect(r.status == 0)
        let lines = r.text.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["line"] as? Int == 1)
        #expect((first?["offsets"] as? [[Int]])?.last?.last == 2)
    }

    @Test("count prints per-file and total lines; csv and json variants")
    func count() throws {
        let demo = Fixtures.packageRoot.appendingPathComponent("corpora/demo").path
        let plain = try Self.run(["count", demo])
        #expect(plain.status == 0)
        #expect(plain.text.contains("total"))
        let csv = try Self.run(["count", "--csv", demo])
        #expect(csv.text.hasPrefix("file,bytes,tokens\n"))
        let json = try Self.run(["count", "--json", demo])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any]
        #expect((object?["files"] as? [Any])?.count == 3)   // two texts + README.md
    }

    @Test("a SentencePiece .model: sentencepiece's ids, its decode, control symbols as special tokens")
    func sentencePieceModel() throws {
        let model = "vocabularies/mistral-7b-v0.1.spm.model"
        // sentencepiece 0.2.3: encode("Hello world  x") == [22557, 1526, 28705, 1318].
        let encoded = try Self.run(["encode", "-t", model], stdin: Array("Hello world  x".utf8))
        #expect(encoded.text == "22557 1526 28705 1318\n", "\(encoded.stderr)")
        let decoded = try Self.run(["decode", "-t", model], stdin: encoded.stdout)
        #expect(decoded.text == "Hello world  x")
        // <s> is a control symbol: refused by default, text with --special as-text (sentencepiece: [523, 28713, 28767]).
        #expect(try Self.run(["encode", "-t", model], stdin: Array("<s>".utf8)).status != 0)
        #expect(try Self.run(["encode", "-t", model, "--special", "as-text"], stdin: Array("<s>".utf8)).text == "523 28713 28767\n")
        let inspect = try Self.run(["inspect", "-t", model])
        #expect(inspect.text.contains("SentencePiece BPE"))
    }

    @Test("special tokens are refused by default with a message naming the flag")
    func specialRefused() throws {
        let refused = try Self.run(["encode"], stdin: Array("x<|endoftext|>".utf8))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--allow-special"))
        let allowed = try Self.run(["encode", "--allow-special"], stdin: Array("x<|endoftext|>".utf8))
        #expect(allowed.text.hasSuffix(" 199999\n"))
        let asText = try Self.run(["encode", "--special", "as-text"], stdin: Array("<|endoftext|>".utf8))
        #expect(asText.status == 0)
        #expect(!asText.text.contains("199999"))
    }

    @Test("bad flags, missing files and bad ids fail with a clear message", arguments: [
        (["encode", "--threads", "0"], "--threads"),
        (["encode", "--output", "yaml"], "yaml"),
        (["encode", "/nonexistent/file.txt"], "/nonexistent/file.txt"),
        (["encode", "--tokenizer", "/nonexistent/vocab.tiktoken"], "/nonexistent/vocab.tiktoken"),
        (["decode", "12", "abc"], "abc"),
        (["decode", "4000000000"], "4000000000"),
        (["count", "--json", "--csv"], "--json"),
    ])
    func errors(arguments: [String], mentions: String) throws {
        let r = try Self.run(arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(mentions), "stderr: \(r.stderr)")
    }

    @Test("inspect describes the embedded default")
    func inspect() throws {
        let r = try Self.run(["inspect", "--json"])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout)) as? [String: Any]
        #expect(object?["name"] as? String == "o200k_base")
        #expect(object?["vocabulary_tokens"] as? Int == 199_998)
    }

    @Test("empty input gives an empty line of ids")
    func emptyInput() throws {
        let r = try Self.run(["encode"], stdin: [])
        #expect(r.status == 0)
        #expect(r.text == "\n")
    }

    @Test("--add-special-tokens runs the tokenizer.json post-processor (ids from tokenizers 0.23.3)")
    func addSpecialTokens() throws {
        let path = "corpora/golden/tokenizer-json/llama2-legacy.json"
        let plain = try Self.run(["encode", "-t", path], stdin: Array("Hello world".utf8))
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.text == "382 479 28709 275 271 417\n")
        let added = try Self.run(["encode", "-t", path, "--add-special-tokens"], stdin: Array("Hello world".utf8))
        #expect(added.text == "1 382 479 28709 275 271 417\n")
        let lines = try Self.run(["encode", "-t", path, "--add-special-tokens", "--lines", "--output", "json", "--offsets"],
                                 stdin: Array("Hello world\nHello\n".utf8))
        #expect(lines.status == 0, "\(lines.stderr)")
        #expect(lines.text.contains(#""ids":[1,382,479,28709,275,271,417],"offsets":[[0,0],"#))
        let decoded = try Self.run(["decode", "-t", path], stdin: Array("1 382 479 28709 275 271 417".utf8))
        #expect(decoded.text == "<s> Hello world")   // tokenizers decode(ids, skip_special_tokens=False)
    }
}
