// Conversions between .tiktoken, GPT-2 vocab.json + merges.txt, minbpe and tekken on the real vocabularies:
// merge-list parity of recovered merges on the golden ids, byte-identical read → write, and the round-trip
// matrix A → B → A for every pair that the report calls lossless.
import Foundation
import Testing
import TesseraBPE
import TesseraFormats
import TesseraTestSupport
import TesseraTokenizer

@Suite("Conversions on real vocabularies")
struct ConversionTests {
    struct Golden: Decodable {
        struct Case: Decodable { let name: String; let text: String; let ids: [UInt32] }
        let cases: [Case]
        static func load(_ file: String) throws -> Golden {
            try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.golden("ids/\(file)")))
        }
    }

    static let vocabularies: [(String, Tokenizer?)] = [
        ("r50k_base", Loaded.r50k), ("cl100k_base", Loaded.cl100k), ("o200k_base", Loaded.o200k), ("qwen", Loaded.qwen),
    ]

    @Test("merge-list encoding with merges recovered from the ranks gives tiktoken's golden ids",
          arguments: [("r50k_base", "r50k_base.json"), ("cl100k_base", "cl100k_base.json"), ("o200k_base", "o200k_base.json")])
    func recoveredMergesGolden(name: String, file: String) throws {
        let source = try #require(Self.vocabularies.first { $0.0 == name }?.1)
        let model = try #require(source.bpeModel)
        let clock = ContinuousClock()
        let start = clock.now
        let merges = try model.recoveredMergeList(threads: 2)
        print("recovered \(merges.count) merges of \(name) in \(clock.now - start) (debug build, 2 threads)")
        #expect(merges.count == model.vocabulary.count - 256)
        var converted = source
        converted.model = try BPEModel(vocabulary: model.vocabulary, rule: .mergeList(merges, ignoreMerges: false))
        let golden = try Golden.load(file)
        for c in golden.cases {
            #expect(try converted.encode(c.text, specials: .asText) == c.ids, "\(name) case \(c.name)")
        }
    }

    @Test("r50k_base's recovered merges are exactly GPT-2's merges.txt")
    func r50kMergesAreGPT2s() throws {
        let r50k = try #require(Loaded.r50k?.bpeModel)
        let gpt2 = try #require(Loaded.gpt2HF?.bpeModel)
        guard case .mergeList(let list, _) = gpt2.rule else { Issue.record("GPT-2 files load as a merge list"); return }
        #expect(try r50k.recoveredMergeList() == list)
    }

    @Test("reading and writing back the committed files is byte-identical (.tiktoken, GPT-2 pair)")
    func readWriteIdentical() throws {
        let folder = try scratchFolder()
        for name in ["r50k_base", "cl100k_base", "qwen"] {
            let original = Fixtures.vocabulary("\(name).tiktoken").path
            let out = folder.appendingPathComponent("\(name).tiktoken").path
            let report = try TiktokenWriter().write(try TokenizerLoader.load(path: original), to: out)
            #expect(report.isLossless, "\(report.issues)")
            #expect(try FileBytes.read(out) == FileBytes.read(original), "\(name)")
        }
        let embedded = try #require(TokenizerLoader.embeddedO200kPath())
        let o200k = folder.appendingPathComponent("o200k_base.tiktoken").path
        _ = try TiktokenWriter().write(try #require(Loaded.o200k), to: o200k)
        #expect(try FileBytes.read(o200k) == FileBytes.read(embedded))

        // GPT-2: the header line is the source's own (tessera convert carries it over); everything else is canonical.
        let gpt2 = Fixtures.vocabulary("gpt2").path
        let header = try GPT2Loader.mergesHeader(path: gpt2)
        #expect(header == "#version: 0.2 - Trained by `huggingface/tokenizers`")
        let out = folder.appendingPathComponent("gpt2").path
        let report = try GPT2Writer().write(try GPT2Loader.load(path: gpt2), to: out, options: WriteOptions(mergesHeader: header))
        #expect(report.isLossless, "\(report.issues)")
        for file in ["vocab.json", "merges.txt"] {
            #expect(try FileBytes.read("\(out)/\(file)") == FileBytes.read("\(gpt2)/\(file)"), "\(file)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(out)/encoding.json"))
        // r50k_base.tiktoken → GPT-2 files: the same vocab.json, and merges.txt up to the header line.
        let fromRanks = folder.appendingPathComponent("r50k").path
        _ = try GPT2Writer().write(try #require(Loaded.r50k), to: fromRanks)
        #expect(try FileBytes.read("\(fromRanks)/vocab.json") == FileBytes.read("\(gpt2)/vocab.json"))
        let written = try FileBytes.read("\(fromRanks)/merges.txt"), committed = try FileBytes.read("\(gpt2)/merges.txt")
        #expect(written.starts(with: Array("#version: 0.2\n".utf8)))
        #expect(written.split(separator: 0x0A).dropFirst().elementsEqual(committed.split(separator: 0x0A).dropFirst()))
    }

    enum Format: String, CaseIterable { case tiktoken, gpt2, minbpe, tekken }

    /// Where format `f` writes tokenizer `name` inside `folder` (named so that the name survives the round trip).
    static func target(_ f: Format, _ name: String, in folder: URL) -> String {
        switch f {
        case .tiktoken: folder.appendingPathComponent("\(name).tiktoken").path
        case .gpt2: folder.appendingPathComponent(name).path
        case .minbpe: folder.appendingPathComponent("\(name).model").path
        case .tekken: folder.appendingPathComponent("\(name).json").path
        }
    }

    static func writer(_ f: Format) -> any TokenizerWriting { TokenizerWriters.writer(named: f.rawValue)! }

    /// The bytes of every file under `path` (a file, or a folder's files by name).
    static func contents(_ path: String) throws -> [String: [UInt8]] {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if !isDirectory.boolValue {
            var out = [(path as NSString).lastPathComponent: try FileBytes.read(path)]
            if FileManager.default.fileExists(atPath: path + ".json") { out["sidecar"] = try FileBytes.read(path + ".json") }
            return out
        }
        var out: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path) { out[name] = try FileBytes.read("\(path)/\(name)") }
        return out
    }

    /// The pairs (A, B) whose A-form of a real vocabulary B represents losslessly: tiktoken and GPT-2 files hold any
    /// ids; minbpe and tekken forms have fixed layouts that the other fixed layout cannot keep.
    static let losslessPairs: Set<String> = ["tiktoken>gpt2", "gpt2>tiktoken", "minbpe>tiktoken", "minbpe>gpt2",
                                             "tekken>tiktoken", "tekken>gpt2"]

    @Test("round trips A → B → A are byte-identical for every pair the report calls lossless",
          arguments: ["r50k_base", "cl100k_base", "o200k_base", "qwen"])
    func roundTrips(name: String) throws {
        let source = try #require(Self.vocabularies.first { $0.0 == name }?.1)
        let root = try scratchFolder("roundTrips\(name)")
        defer { try? FileManager.default.removeItem(at: root) }
        let fast = WriteOptions(threads: 2, verify: false)
        var lossless: Set<String> = []
        for a in Format.allCases {
            let dirA = root.appendingPathComponent("a-\(a)")
            try FileManager.default.createDirectory(at: dirA, withIntermediateDirectories: true)
            let pathA = Self.target(a, name, in: dirA)
            _ = try Self.writer(a).write(source, to: pathA, options: WriteOptions(threads: 2))
            let formA = try TokenizerLoader.load(path: pathA)
            let original = try Self.contents(pathA)
            for b in Format.allCases where b != a {
                let dirB = root.appendingPathComponent("b-\(a)-\(b)")
                try FileManager.default.createDirectory(at: dirB, withIntermediateDirectories: true)
                let pathB = Self.target(b, name, in: dirB)
                let there = try Self.writer(b).prepare(formA, for: pathB, options: fast)
                guard there.report.isLossless else { continue }
                lossless.insert("\(a)>\(b)")
                var commit = there
                try commit.commit()
                let formB = try TokenizerLoader.load(path: pathB)
                let dirBack = root.appendingPathComponent("c-\(a)-\(b)")
                try FileManager.default.createDirectory(at: dirBack, withIntermediateDirectories: true)
                let back = Self.target(a, name, in: dirBack)
                let report = try Self.writer(a).write(formB, to: back, options: fast)
                #expect(report.isLossless, "\(name): \(a) → \(b) → \(a): \(report.issues)")
                #expect(try Self.contents(back) == original, "\(name): \(a) → \(b) → \(a) is not byte-identical")
            }
        }
        #expect(lossless == Self.losslessPairs, "\(name)")
    }
}
