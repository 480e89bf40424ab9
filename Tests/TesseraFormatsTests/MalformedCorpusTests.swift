// The malformed-input collection (Tests/Malformed, written by scripts/make-malformed-corpus.py): every broken
// file of every format must give a FormatError of the listed kind whose message names the file and where the
// problem is, and carries a fix; each format's valid seed must load and round-trip text, so the breakage, not
// the seed, is what each error is about.
import Foundation
import Testing
import TesseraFormats
import TesseraTestSupport

struct MalformedCorpusTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var path: String
        var kind: String
        var expected: [String]
        var testDescription: String { path }
    }

    static let folder = Fixtures.packageRoot.appendingPathComponent("Tests/Malformed")

    static let cases: [Case] = {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("cases.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let expected = columns.count > 2 && !columns[2].isEmpty ? columns[2].components(separatedBy: " | ") : []
            return Case(path: columns[0], kind: columns.count > 1 ? columns[1] : "", expected: expected)
        }
    }()

    @Test func theCollectionCoversEveryFormat() {
        let formats = Set(Self.cases.map { $0.path.split(separator: "/")[0] })
        #expect(formats == ["tiktoken", "gpt2", "tokenizer-json", "gguf", "sentencepiece", "minbpe", "tekken", "lib"])
        #expect(Self.cases.count >= 50)
        for format in formats {
            #expect(Self.cases.contains { $0.path.hasPrefix(format + "/") && $0.kind == "ok" }, "no valid seed for \(format)")
        }
    }

    @Test(arguments: cases)
    func eachFileGivesItsError(_ c: Case) throws {
        let path = Self.folder.appendingPathComponent(c.path).path
        if c.kind == "ok" {
            let tokenizer = try TokenizerLoader.load(path: path)
            let text = Array("hello there, the end".utf8)
            #expect(try tokenizer.decode(tokenizer.encode(text, specials: .asText)) == text)
            return
        }
        do {
            _ = try TokenizerLoader.load(path: path)
            Issue.record("\(c.path) loaded; expected a \(c.kind) error")
        } catch let error as FormatError {
            let message = error.description
            #expect(error.kind.rawValue == c.kind, "\(c.path): kind \(error.kind) — \(message)")
            for part in c.expected {
                #expect(message.contains(part), "\(c.path): \(part.debugDescription) missing from: \(message)")
            }
            #expect(!error.fix.isEmpty, "\(c.path): no fix in: \(message)")
        }
    }
}
