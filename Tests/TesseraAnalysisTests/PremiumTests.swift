// Premiums: the published FLORES fixtures (when ../shared is present), conventions, and bad corpora.

import Foundation
import Testing
import TesseraFormats
import TesseraTestSupport
import TesseraTokenizer
@testable import TesseraAnalysis

func scratch(_ files: [String: String]) throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-premium-\(UUID().uuidString)")
    for (path, text) in files {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
    return root
}

@Suite struct PremiumTests {
    @Test func floresFixtures() throws {
        guard let flores = Fixtures.shared("corpora/flores200") else {
            print("skipped: ../shared/corpora/flores200 is absent")
            return
        }
        let corpus = try ParallelCorpus.read(folder: flores.path, only: ["eng_Latn", "zho_Hans", "shn_Mymr"])
        let r50k = try TokenizerLoader.load(nameOrPath: "r50k_base")
        let cl100k = try TokenizerLoader.load(nameOrPath: "cl100k_base")
        let table = try TokenPremiums.compute(corpus: corpus, tokenizers: [("gpt2", r50k), ("cl100k", cl100k)],
                                              reference: "eng_Latn", threads: 2)
        func row(_ code: String) throws -> PremiumRow { try #require(table.rows.first { $0.code == code }) }
        #expect(try row("eng_Latn").tokens == [52_567, 52_835])
        #expect(try row("zho_Hans").tokens[0] == 168_850)
        #expect(try row("shn_Mymr").tokens[0] == 986_091)
        #expect(String(format: "%.2f", try row("shn_Mymr").premiums[0]) == "18.76")
        #expect(String(format: "%.2f", try row("shn_Mymr").premiums[1]) == "15.05")
        #expect(table.rows.first?.code == "shn_Mymr")   // sorted by the first tokenizer's premium
    }

    @Test func conventionsAndSentenceParity() throws {
        let root = try scratch(["a/eng_Latn.txt": "one two\nthree\n", "a/fra_Latn.txt": "un deux\ntrois quatre\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        let corpus = try ParallelCorpus.read(folder: root.appendingPathComponent("a").path)
        #expect(corpus.languages.map(\.code) == ["eng_Latn", "fra_Latn"])
        #expect(corpus.languages[0].script == "Latn")
        // Joined: "one two three " (a final newline leaves an empty last element → trailing space).
        #expect(corpus.languages[0].texts(.joined) == [Array("one two three ".utf8)])
        #expect(corpus.languages[0].texts(.lines) == [Array("one two".utf8), Array("three".utf8)])
        let tokenizer = try TokenizerLoader.load(nameOrPath: "o200k_base")
        let table = try TokenPremiums.compute(corpus: corpus, tokenizers: [("o200k", tokenizer)], reference: "eng_Latn",
                                              convention: .lines)
        let fra = try #require(table.rows.first { $0.code == "fra_Latn" })
        let expected = try ["un deux", "trois quatre"].map { try tokenizer.encode($0).count }.reduce(0, +)
        #expect(fra.tokens == [expected])
        #expect(fra.sentenceParity != nil)
        let files = try PremiumReport.write(table, to: root.appendingPathComponent("report").path, title: "t", command: nil)
        #expect(files.count == 4)
        let csv = try String(contentsOfFile: files[0], encoding: .utf8)
        #expect(csv.hasPrefix("language,script,name,family,bytes,characters,byte_premium,tokens_o200k,premium_o200k,sentence_parity_o200k\n"))
    }

    @Test func badCorporaGiveClearErrors() throws {
        let ragged = try scratch(["eng_Latn.txt": "a\nb\n", "deu_Latn.txt": "a\n"])
        defer { try? FileManager.default.removeItem(at: ragged) }
        #expect(throws: CorpusError.self) { try ParallelCorpus.read(folder: ragged.path) }
        do { _ = try ParallelCorpus.read(folder: ragged.path) } catch { #expect("\(error)".contains("lines")) }
        let empty = try scratch(["eng_Latn.txt": "", "deu_Latn.txt": "x\n"])
        defer { try? FileManager.default.removeItem(at: empty) }
        do { _ = try ParallelCorpus.read(folder: empty.path); Issue.record("accepted an empty file") } catch {
            #expect("\(error)".contains("empty"))
        }
        let fine = try scratch(["deu_Latn.txt": "x\n", "fra_Latn.txt": "y\n"])
        defer { try? FileManager.default.removeItem(at: fine) }
        let corpus = try ParallelCorpus.read(folder: fine.path)
        let tokenizer = try TokenizerLoader.load(nameOrPath: "o200k_base")
        do {
            _ = try TokenPremiums.compute(corpus: corpus, tokenizers: [("o200k", tokenizer)], reference: "eng_Latn")
            Issue.record("accepted a missing reference")
        } catch { #expect("\(error)".contains("eng_Latn") && "\(error)".contains("deu_Latn")) }
        // Pair files: a line without a tab names the file and line.
        let pairs = try scratch(["deu.tsv": "hello\thallo\nno tab here\n"])
        defer { try? FileManager.default.removeItem(at: pairs) }
        do { _ = try ParallelCorpus.read(pairFiles: [pairs.appendingPathComponent("deu.tsv").path]); Issue.record("accepted") } catch {
            #expect("\(error)".contains("deu.tsv:2"))
        }
    }
}

@Suite struct PremiumGroupingTests {
    @Test func groupsAreContiguousAndOrderedByTheirHighestPremium() throws {
        let root = try scratch(["eng_Latn.txt": "hello world\n", "deu_Latn.txt": "Hallo Welt, wie geht es\n",
                                "rus_Cyrl.txt": "Привет, мир\n", "ukr_Cyrl.txt": "Привіт\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        let corpus = try ParallelCorpus.read(folder: root.path)
        var table = try TokenPremiums.compute(corpus: corpus, tokenizers: [("o200k", try TokenizerLoader.load(nameOrPath: "o200k_base"))],
                                              reference: "eng_Latn")
        table.group(by: .script)
        let scripts = table.rows.map { $0.script ?? "" }
        // Contiguous groups, and within each group premiums descend.
        var seen: [String] = []
        for s in scripts where seen.last != s { #expect(!seen.contains(s)); seen.append(s) }
        for g in seen {
            let premiums = table.rows.filter { $0.script == g }.map { $0.premiums[0] }
            #expect(premiums == premiums.sorted(by: >))
        }
        // Groups ordered by their highest premium.
        let best = seen.map { g in table.rows.filter { $0.script == g }.map { $0.premiums[0] }.max() ?? 0 }
        #expect(best == best.sorted(by: >))
        #expect(PremiumReport.svg(table, title: "t").contains(">Cyrl</text>"))
    }
}
