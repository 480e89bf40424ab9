// The LiB model file (round trip, escapes, detection by TokenizerLoader, errors naming the line) and the
// corpus reader of `tessera train lib` (order, wrap-around, short last article, streamed = cached).
import Foundation
import Testing
import TesseraFormats
import TesseraLiB
import TesseraTestSupport
import TesseraTokenizer

@Suite("LiB files")
struct LiBFilesTests {
    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-lib-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("model files round-trip, escapes included, and load as LiB tokenizers")
    func roundTrip() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lexicon = ["the ", "a\\b", "x\ny", "\t", "\r\n", "\u{1}", "é", " end ", "#not a comment"].map { Array($0.utf8) }
        let contents = LiBModelFile.Contents(lexicon: lexicon, deeper: true, comments: ["made by a test"])
        let path = dir.appendingPathComponent("lib.model").path
        try LiBModelFile.write(contents, to: path)
        let back = try LiBModelFile.read(bytes: FileBytes.read(path), file: path)
        #expect(back == contents)
        #expect(try TokenizerLoader.detect(path) == .lib)
        let tokenizer = try TokenizerLoader.load(nameOrPath: path)
        let model = try #require(tokenizer.model as? LiBModel)
        #expect(model.deeper && model.lexiconCount == lexicon.count)
        let text = Array("the end \n#not a comment\tzz".utf8)
        #expect(try tokenizer.decode(tokenizer.encode(text)) == text)
    }

    @Test("bad model files fail with the line and a fix", arguments: [
        ("minbpe v1\n", 1, "first line"),
        ("tessera-lib v1\ndeeper 2\ntokens 1\na\n", 2, "deeper"),
        ("tessera-lib v1\ntokens 3\na\nb\n", 2, "announces 3"),
        ("tessera-lib v1\ntokens 2\na\na\n", 4, "repeats line 3"),
        ("tessera-lib v1\ntokens 2\na\n\n", 4, "empty"),
        ("tessera-lib v1\ntokens 1\na\\q\n", 3, "unknown escape"),
        ("tessera-lib v1\ntokens 1\n\\xff\n", 3, "UTF-8"),
        ("tessera-lib v1\nsize 3\n", 2, "unknown header field"),
        ("tessera-lib v1\n# only a comment\n", 2, "no \"tokens N\""),
    ])
    func badFiles(text: String, line: Int, mentions: String) throws {
        do {
            _ = try LiBModelFile.read(bytes: Array(text.utf8), file: "bad.model")
            Issue.record("expected an error for \(text.debugDescription)")
        } catch let error as FormatError {
            #expect(error.location == .line(line), "\(error)")
            #expect(error.description.contains(mentions), "\(error)")
            #expect(error.description.contains("Fix:"))
        }
    }

    @Test("the corpus reader cycles the lines in order, streamed or cached")
    func articleReader() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.txt").path, b = dir.appendingPathComponent("b.txt").path
        try Data("one\ntwo\r\nthree".utf8).write(to: URL(fileURLWithPath: a))
        try Data("four\n\nsix\n".utf8).write(to: URL(fileURLWithPath: b))
        let expected = ["one", "two", "three", "four", "", "six"]
        for limit in [0, 1 << 20] {
            let reader = LineArticleReader(paths: [a, b], cacheLimit: limit)
            var article = LiBArticle()
            var got: [[String]] = []
            for _ in 0..<5 {
                try reader.next(4, into: &article)
                got.append((0..<article.count).map { String(decoding: article.bytes[article.range($0)], as: UTF8.self) })
            }
            // 6 lines, 4 per article: [1-4], [5-6] (short: end of corpus), [1-4], [5-6], [1-4].
            #expect(got == [Array(expected[0..<4]), Array(expected[4...]), Array(expected[0..<4]), Array(expected[4...]),
                            Array(expected[0..<4])], "cache limit \(limit)")
            // An article that ends exactly at the corpus end closes the pass.
            let exact = LineArticleReader(paths: [a, b], cacheLimit: limit)
            try exact.next(6, into: &article)
            try exact.next(2, into: &article)
            #expect(String(decoding: article.bytes[article.range(0)], as: UTF8.self) == "one")
        }
        let empty = dir.appendingPathComponent("empty.txt").path
        try Data().write(to: URL(fileURLWithPath: empty))
        var article = LiBArticle()
        try LineArticleReader(paths: [empty]).next(3, into: &article)
        #expect(article.isEmpty)
    }
}
