// FileBlockReader: blocks concatenate to exactly FileBytes.read, for plain and (multi-member) gzip files;
// damage is an error naming the file. AtomicFile: replaces content whole.

import Foundation
import Testing
@testable import TesseraFormats

@Suite struct FileBlockReaderTests {
    func readAll(_ path: String, block: Int) throws -> [UInt8] {
        let reader = try FileBlockReader(path: path)
        var out: [UInt8] = []
        var blocks = 0
        while try reader.read(into: &out, maxBytes: block) { blocks += 1 }
        return out
    }

    @Test(arguments: [1, 7, 4096, 1 << 22])
    func blocksConcatenateToTheFile(block: Int) throws {
        let folder = try scratchFolder("blocks-\(block)")
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 9) }
        let plain = try write(big, "plain.bin", in: folder)
        let gz = try write(gzipMember(big) + gzipMember(Array("tail".utf8)), "multi.gz", in: folder)
        let small = block == 1 ? Array(big.prefix(5000)) : big
        let plainSmall = try write(small, "small.bin", in: folder)
        #expect(try readAll(block == 1 ? plainSmall : plain, block: block) == small)
        if block > 1 { #expect(try readAll(gz, block: block) == big + Array("tail".utf8)) }
    }

    @Test func truncatedGzipIsAnError() throws {
        let folder = try scratchFolder()
        let member = gzipMember(Array(repeating: 65, count: 100_000))
        let path = try write(Array(member.prefix(member.count / 2)), "cut.gz", in: folder)
        expectMessage(caught { try readAll(path, block: 1 << 16) }, contains: [path, "truncated"])
    }

    @Test func atomicWriteReplacesWholeAndLeavesNoTemporaryFile() throws {
        let folder = try scratchFolder()
        let path = folder.appendingPathComponent("out.bin").path
        try AtomicFile.write([1, 2, 3], to: path)
        try AtomicFile.write([4, 5], to: path)
        #expect(try FileBytes.read(path) == [4, 5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.bin"])
        expectMessage(caught { try AtomicFile.write([1], to: "/nonexistent-folder/x.bin") }, contains: ["/nonexistent-folder/x.bin"])
    }
}
