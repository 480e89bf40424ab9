// Counting: exact against a naive reference, independent of threads/chunks/shards, and the `.counts`
// file round trip with its malformed cases.

import Foundation
import Testing
import TesseraFormats
import TesseraPreTokenizers
import TesseraTestSupport
@testable import TesseraTraining

/// Reference counts: pre-tokenize each text whole and count pieces in a dictionary.
func referenceCounts(_ texts: [[UInt8]], _ pre: any PreTokenizer) -> [[UInt8]: UInt64] {
    var counts: [[UInt8]: UInt64] = [:]
    for t in texts {
        for r in pre.pieces(of: t) { counts[Array(t[r]), default: 0] += 1 }
    }
    return counts
}

func dictionary(_ c: PretokenCounts) -> [[UInt8]: UInt64] {
    var d: [[UInt8]: UInt64] = [:]
    for i in 0..<c.count { d[Array(c.key(i))] = c.counts[i] }
    return d
}

let demoText: [UInt8] = {
    let url = Fixtures.packageRoot.appendingPathComponent("corpora/demo/genesis-kjv.txt")
    return (try? FileBytes.read(url.path)) ?? Array(String(repeating: "In the beginning God created the heaven and the earth.\n", count: 500).utf8)
}()

@Suite struct CountingTests {
    @Test func matchesReferenceAndIsSorted() throws {
        let pre = PatternScanner(.gpt2)
        let counter = try PretokenCounter(preTokenizer: pre, preTokenizerName: "gpt2")
        let counts = try counter.count(demoText)
        #expect(dictionary(counts) == referenceCounts([demoText], pre))
        for i in 1..<counts.count { #expect(counts.key(i - 1).lexicographicallyPrecedes(counts.key(i))) }
        #expect(counts.total == UInt64(pre.pieces(of: demoText).count))
        #expect(counts.textBytes == UInt64(demoText.count))
    }

    @Test(arguments: [1, 2, 3])
    func threadAndChunkIndependence(threads: Int) throws {
        let pre = PatternScanner(.cl100k)
        let one = try PretokenCounter(preTokenizer: pre, preTokenizerName: "cl100k").count(demoText)
        var many = try PretokenCounter(preTokenizer: pre, preTokenizerName: "cl100k", threads: threads)
        many.chunkBytes = 4096
        #expect(try many.count(demoText) == one)
    }

    @Test func streamingFilesEqualsInMemory() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-count-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("a.txt").path
        try Data(demoText).write(to: URL(fileURLWithPath: path))
        var counter = try PretokenCounter(preTokenizer: PatternScanner(.gpt2), preTokenizerName: "gpt2", threads: 2)
        counter.blockBytes = 10_000   // many blocks, each cut at a safe point
        counter.chunkBytes = 3_000
        #expect(try counter.count(files: [path]) == counter.count(demoText))
    }

    @Test func shardsSumToTheWhole() throws {
        let pre = PatternScanner(.gpt2)
        let counter = try PretokenCounter(preTokenizer: pre, preTokenizerName: "gpt2")
        // Four shards = four independent texts; the whole = the same four texts counted together.
        let lines = demoText.split(separator: 0x0A, omittingEmptySubsequences: false)
        let quarter = lines.count / 4
        let shards: [[UInt8]] = (0..<4).map { k in
            Array(lines[(k * quarter)..<(k == 3 ? lines.count : (k + 1) * quarter)].joined(separator: [0x0A]))
        }
        let whole = try counter.count(texts: shards)
        let parts = try shards.map { try counter.count($0) }
        #expect(try PretokenCounts.merged(parts) == whole)
        #expect(try PretokenCounts.merged(parts.reversed()) == whole)
        // Through files: byte-identical serializations.
        #expect(try PretokenCounts.merged(parts.map { try PretokenCounts.parse($0.serialized(), file: "x") }).serialized()
                == whole.serialized())
    }

    @Test func incompatibleShardsAreRejected() throws {
        let a = try PretokenCounter(preTokenizer: PatternScanner(.gpt2), preTokenizerName: "gpt2").count(Array("a b".utf8))
        let b = try PretokenCounter(preTokenizer: PatternScanner(.cl100k), preTokenizerName: "cl100k").count(Array("a b".utf8))
        #expect(throws: TrainingError.self) { try PretokenCounts.merged([a, b]) }
    }

    @Test func longPretokensAreCutAtCharacterBoundaries() throws {
        let text = Array(String(repeating: "é", count: 10).utf8)   // one 20-byte piece
        let counts = try PretokenCounter(preTokenizer: PatternScanner(.gpt2), preTokenizerName: "gpt2",
                                         maxPretokenBytes: 5).count(text)
        // 5 bytes cannot hold three 2-byte characters: pieces of 4 bytes ("éé"), five of them.
        #expect(dictionary(counts) == [Array("éé".utf8): 5])
    }

    @Test func sampledLinesAreSeededAndLineBased() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-sample-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("a.txt").path
        try Data(demoText).write(to: URL(fileURLWithPath: path))
        let counter = try PretokenCounter(preTokenizer: PatternScanner(.gpt2), preTokenizerName: "gpt2")
        let a = try counter.count(files: [path], sampleLines: 50, seed: 7)
        let b = try counter.count(files: [path], sampleLines: 50, seed: 7)
        let c = try counter.count(files: [path], sampleLines: 50, seed: 8)
        #expect(a == b)
        #expect(a != c)
        let lines = demoText.split(separator: 0x0A, omittingEmptySubsequences: false).count
        #expect(a.textBytes < UInt64(demoText.count) && lines > 50)
    }

    @Test func countsFileRoundTripAndDamage() throws {
        let counts = try PretokenCounter(preTokenizer: PatternScanner(.gpt2), preTokenizerName: "gpt2").count(demoText)
        let bytes = counts.serialized()
        #expect(try PretokenCounts.parse(bytes, file: "ok.counts") == counts)
        func rejects(_ b: [UInt8], _ fragment: String) {
            do {
                _ = try PretokenCounts.parse(b, file: "bad.counts")
                Issue.record("accepted a damaged file (\(fragment))")
            } catch {
                #expect("\(error)".contains("bad.counts"))
                #expect("\(error)".contains(fragment))
            }
        }
        rejects(Array(bytes.dropLast(3)), "checksum")
        rejects(Array("hello".utf8), "not a Tessera counts file")
        var flipped = bytes
        flipped[bytes.count - 20] ^= 0x01
        rejects(flipped, "checksum")
        // A valid checksum over entries in the wrong order.
        let unsorted = PretokenCounts(source: counts.source, sortedKeyBytes: Array("ba".utf8), keyEnds: [1, 2], counts: [1, 1],
                                      textBytes: 2)
        rejects(unsorted.serialized(), "ascending")
    }
}
