// FileBytes (plain and gzip reading) and the GPT-2 byte-level alphabet.

import Foundation
import Testing
@testable import TesseraFormats
import TesseraTestSupport

@Suite struct FileBytesTests {
    @Test func readsPlainFiles() throws {
        let folder = try scratchFolder()
        let path = try write([0, 1, 2, 255], "plain.bin", in: folder)
        #expect(try FileBytes.read(path) == [0, 1, 2, 255])
    }

    @Test func missingFileNamesThePath() {
        let error = caught { try FileBytes.read("/nonexistent/folder/vocab.tiktoken") }
        expectMessage(error, contains: ["/nonexistent/folder/vocab.tiktoken", "no such file"])
        #expect((error as? FormatError)?.kind == .fileNotFound)
    }

    @Test func folderIsNotAFile() throws {
        let folder = try scratchFolder()
        expectMessage(caught { try FileBytes.read(folder.path) }, contains: [folder.path, "folder"])
    }

    @Test func gunzipsByNameAndByMagic() throws {
        let folder = try scratchFolder()
        let data = Array("hello gzip\n".utf8)
        let byName = try write(gzipMember(data), "a.txt.gz", in: folder)
        let byMagic = try write(gzipMember(data), "a.bin", in: folder)
        #expect(try FileBytes.read(byName) == data)
        #expect(try FileBytes.read(byMagic) == data)
    }

    @Test func gunzipsMultipleMembersAndLargeBlocks() throws {
        let folder = try scratchFolder()
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let path = try write(gzipMember(big) + gzipMember(Array("tail".utf8)), "multi.gz", in: folder)
        #expect(try FileBytes.read(path) == big + Array("tail".utf8))
    }

    @Test func realGzipMatchesTheCommittedFile() throws {
        guard let gz = Fixtures.shared("vocabularies/cl100k_base.tiktoken.gz") else {
            print("skipped: ../shared/vocabularies/cl100k_base.tiktoken.gz is absent")
            return
        }
        let plain = try FileBytes.read(Fixtures.vocabulary("cl100k_base.tiktoken").path)
        #expect(try FileBytes.read(gz.path) == plain)
    }

    @Test func gzipGarbageIsAnErrorNamingTheFile() throws {
        let folder = try scratchFolder()
        let path = try write([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x11], "garbage.tiktoken.gz", in: folder)
        let error = caught { try FileBytes.read(path) }
        expectMessage(error, contains: ["garbage.tiktoken.gz", "byte offset"])
        #expect((error as? FormatError)?.kind == .corruptCompression)
        let notGzip = try write("plain text, wrongly named", "plain.json.gz", in: folder)
        expectMessage(caught { try FileBytes.read(notGzip) }, contains: ["plain.json.gz", "gzip"])
    }

    @Test func truncatedGzipIsAnError() throws {
        let folder = try scratchFolder()
        let member = gzipMember(Array(repeating: 65, count: 5000))
        let path = try write(Array(member.prefix(2000)), "cut.gz", in: folder)
        expectMessage(caught { try FileBytes.read(path) }, contains: ["cut.gz", "truncated"])
        let empty = try write([], "empty.gz", in: folder)
        expectMessage(caught { try FileBytes.read(empty) }, contains: ["empty.gz", "empty"])
    }

    @Test func trailingGarbageAfterAMemberIsAnError() throws {
        let folder = try scratchFolder()
        let path = try write(gzipMember(Array("ok".utf8)) + [1, 2, 3], "trailing.gz", in: folder)
        expectMessage(caught { try FileBytes.read(path) }, contains: ["trailing.gz", "after the end"])
    }
}

@Suite struct ByteLevelAlphabetTests {
    @Test func allBytesRoundTrip() throws {
        var seen = Set<UInt32>()
        for b in 0...255 {
            let s = ByteLevelAlphabet.scalar(of: UInt8(b))
            #expect(ByteLevelAlphabet.byte(of: s) == UInt8(b))
            #expect(s.value < 0x144)
            seen.insert(s.value)
        }
        #expect(seen.count == 256)
        let all = (0...255).map { UInt8($0) }
        let encoded = ByteLevelAlphabet.encode(all)
        #expect(try ByteLevelAlphabet.decode(encoded) == all)
        var out: [UInt8] = []
        var utf8 = encoded
        let bad = utf8.withUTF8 { ByteLevelAlphabet.decodeUTF8($0, into: &out) }
        #expect(bad == nil)
        #expect(out == all)
    }

    @Test func knownMappings() {
        #expect(ByteLevelAlphabet.scalar(of: 0x20) == "\u{120}")   // Ġ
        #expect(ByteLevelAlphabet.scalar(of: 0x0A) == "\u{10A}")   // Ċ
        #expect(ByteLevelAlphabet.scalar(of: 0x09) == "\u{109}")   // ĉ
        #expect(ByteLevelAlphabet.scalar(of: 0x00) == "\u{100}")   // Ā
        #expect(ByteLevelAlphabet.scalar(of: 0x7F) == "\u{121}")   // ġ
        #expect(ByteLevelAlphabet.scalar(of: 0xA0) == "\u{142}")   // ł
        #expect(ByteLevelAlphabet.scalar(of: 0xAD) == "\u{143}")   // Ń
        #expect(ByteLevelAlphabet.scalar(of: UInt8(ascii: "A")) == "A")
        #expect(ByteLevelAlphabet.encode(Array(" the".utf8)) == "Ġthe")
    }

    @Test func characterOutsideTheAlphabetNamesTheToken() {
        do {
            _ = try ByteLevelAlphabet.decode("abc Ω")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("abc Ω"))
            #expect(error.description.contains("U+0020"))   // a literal space is not in the alphabet
        }
        var out: [UInt8] = []
        var s = "héllo€"   // é (U+00E9) is in the alphabet, € (U+20AC, three UTF-8 bytes) is not
        let bad = s.withUTF8 { ByteLevelAlphabet.decodeUTF8($0, into: &out) }
        #expect(bad == 6)
    }
}
