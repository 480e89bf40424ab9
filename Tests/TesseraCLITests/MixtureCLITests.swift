// End-to-end `tessera mixture`: a tokenizer trained by `tessera train` on two files is attributed to
// them exactly when the samples are those files; outputs (table, JSON, CSV, chart) and errors.
import Foundation
import Testing
import TesseraTestSupport

@Suite("tessera mixture", .serialized)
struct MixtureCLITests {
    let english = Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-kjv.txt").path
    let spanish = Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-rv1909.txt").path

    static let highsInstalled: Bool = ["/usr/local/lib/libhighs.so.1", "/usr/lib/libhighs.so.1", "/usr/lib/x86_64-linux-gnu/libhighs.so.1"]
        .contains { FileManager.default.fileExists(atPath: $0) } || ProcessInfo.processInfo.environment["TESSERA_HIGHS_LIBRARY"] != nil

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-mixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("train on two files, infer from the same files: the byte shares come back", .enabled(if: highsInstalled, "HiGHS not installed (run `make deps`)"))
    func exactShares() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Spanish three times: a 3:1 mixture by text.
        let tok = dir.appendingPathComponent("tok").path
        var r = try CLITests.run(["train", english, spanish, spanish, spanish, "--vocab-size", "600", "--format", "gpt2", "-o", tok, "--progress", "none"])
        #expect(r.status == 0, "\(r.stderr)")
        let chart = dir.appendingPathComponent("mixture.svg").path
        r = try CLITests.run(["mixture", "-t", tok, "--category", "english=\(english)", "--category", "spanish=\(spanish)",
                              "--format", "json", "--chart", chart])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout)) as? [String: Any]
        let categories = json?["categories"] as? [[String: Any]] ?? []
        let share = Dictionary(uniqueKeysWithValues: categories.compactMap { c in (c["name"] as? String).map { ($0, c["byte_share"] as? Double ?? -1) } })
        let e = Double(try Data(contentsOf: URL(fileURLWithPath: english)).count)
        let s = 3 * Double(try Data(contentsOf: URL(fileURLWithPath: spanish)).count)
        #expect(abs((share["spanish"] ?? 0) - s / (e + s)) < 1e-4, "\(share)")
        #expect(abs((share["english"] ?? 0) - e / (e + s)) < 1e-4, "\(share)")
        #expect((json?["merges"] as? Int) == 344)
        #expect((json?["converged"] as? Bool) == true)
        #expect(r.stderr.contains("LP") && r.stderr.contains("rows"))
        let svg = try String(contentsOfFile: chart, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("spanish") && svg.contains("english"))
        // The table is sorted by share and reports the LP; CSV has a header and one line per category.
        r = try CLITests.run(["mixture", "-t", tok, "--category", "english=\(english)", "--category", "spanish=\(spanish)", "--merges", "100"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.text.split(separator: "\n")
        #expect(lines.count >= 4 && lines[1].hasPrefix("spanish") && lines[2].hasPrefix("english"))
        #expect(r.text.contains("100 merges") && r.text.contains("rounds"))
        let csv = dir.appendingPathComponent("m.csv").path
        r = try CLITests.run(["mixture", "-t", tok, "--category", "english=\(english)", "--category", "spanish=\(spanish)",
                              "--format", "csv", "-o", csv])
        #expect(r.status == 0 && r.stdout.isEmpty, "\(r.stderr)")
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 3 && rows[0] == "category,byte_share,pair_weight,sample_bytes,sample_pairs")
        // A folder stands for the files in it: the same shares as naming the file.
        let folder = dir.appendingPathComponent("spanish-folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: spanish, toPath: folder.appendingPathComponent("es.txt").path)
        r = try CLITests.run(["mixture", "-t", tok, "--category", "english=\(english)", "--category", "spanish=\(folder.path)",
                              "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Data(r.stdout) == (try Data(contentsOf: URL(fileURLWithPath: csv))), "a folder gave other shares than its file")
        // The reference's loop (10 rows per step, no row ageing) reaches the same optimum; the summary
        // reports the rows ageing dropped.
        r = try CLITests.run(["mixture", "-t", tok, "--category", "english=\(english)", "--category", "spanish=\(spanish)",
                              "--format", "csv", "--rows-per-step", "10", "--drop-after", "0"])
        #expect(r.status == 0 && r.stderr.contains(" 0 dropped"), "\(r.stderr)")
        #expect(Data(r.stdout) == (try Data(contentsOf: URL(fileURLWithPath: csv))), "the reference loop gave other shares")
        r = try CLITests.run(["mixture", "-t", tok, "--category", "english=\(english)", "--category", "spanish=\(spanish)", "--drop-after", "-1"])
        #expect(r.status != 0 && r.stderr.contains("--drop-after"), "\(r.stderr)")
        let emptyFolder = dir.appendingPathComponent("nothing")
        try FileManager.default.createDirectory(at: emptyFolder, withIntermediateDirectories: true)
        r = try CLITests.run(["mixture", "-t", tok, "--category", "english=\(english)", "--category", "none=\(emptyFolder.path)"])
        #expect(r.status != 0 && r.stderr.contains("hold no files"), "\(r.stderr)")
    }

    @Test("errors: missing HiGHS, unknown tokenizer, missing file, bad category spec, one category, empty file")
    func errors() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var r = try CLITests.run(["mixture", "-t", "r50k_base", "--category", "a=\(english)", "--category", "b=\(spanish)"],
                                 environment: ["TESSERA_HIGHS_LIBRARY": "/nonexistent/libhighs.so"])
        #expect(r.status != 0 && r.stderr.contains("make deps") && r.stderr.contains("/nonexistent/libhighs.so"), "\(r.stderr)")
        r = try CLITests.run(["mixture", "-t", "no-such-tokenizer", "--category", "a=\(english)", "--category", "b=\(spanish)"])
        #expect(r.status != 0 && r.stderr.contains("no-such-tokenizer"), "\(r.stderr)")
        r = try CLITests.run(["mixture", "-t", "r50k_base", "--category", "a=\(english)", "--category", "b=/nonexistent.txt"])
        #expect(r.status != 0 && r.stderr.contains("/nonexistent.txt"), "\(r.stderr)")
        r = try CLITests.run(["mixture", "-t", "r50k_base", "--category", "a", "--category", "b=\(spanish)"])
        #expect(r.status != 0 && r.stderr.contains("NAME=PATH"), "\(r.stderr)")
        r = try CLITests.run(["mixture", "-t", "r50k_base", "--category", "a=\(english)"])
        #expect(r.status != 0 && r.stderr.contains("at least two"), "\(r.stderr)")
        if Self.highsInstalled {
            let empty = dir.appendingPathComponent("empty.txt").path
            FileManager.default.createFile(atPath: empty, contents: Data())
            r = try CLITests.run(["mixture", "-t", "r50k_base", "--merges", "50", "--category", "a=\(english)", "--category", "empty=\(empty)"])
            #expect(r.status != 0 && r.stderr.contains("category empty"), "\(r.stderr)")
        }
    }
}
