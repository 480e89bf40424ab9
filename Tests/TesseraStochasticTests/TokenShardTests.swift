// Token-id shards: round trip with both id widths, the documented header bytes, checksums, version-1
// files, and errors naming the byte offset.
import Foundation
import Testing
import TesseraFormats

@Suite("Token shards")
struct TokenShardTests {
    @Test("round trip, uint16 and uint32")
    func roundTrip() throws {
        for vocabulary: UInt32 in [50_257, 65_536, 200_019] {
            let ids: [UInt32] = [0, 1, 2, vocabulary - 1, 7, 65_535 % vocabulary]
            let shard = TokenShard(vocabularySize: vocabulary, separator: vocabulary - 1, documents: 2, seed: 42, probability: 0.1,
                                   byteCount: 99, ids: ids)
            let bytes = shard.serialized()
            #expect(bytes.count == 128 + ids.count * (vocabulary <= 65_536 ? 2 : 4))
            #expect(try TokenShard.parse(bytes, file: "s.tokens") == shard)
        }
    }

    @Test("header layout: magic, version, width, sizes, byte count, CRC-32s, little-endian")
    func header() {
        let bytes = TokenShard(vocabularySize: 50_257, separator: 50_256, documents: 3, seed: 9, probability: 0.5, byteCount: 7,
                               ids: [258, 1]).serialized()
        #expect(Array(bytes[0..<8]) == Array("TESSTOKS".utf8))
        #expect(Array(bytes[8..<16]) == [2, 0, 0, 0, 2, 0, 0, 0])
        #expect(Array(bytes[16..<24]) == [0x51, 0xC4, 0, 0, 0x50, 0xC4, 0, 0])
        #expect(Array(bytes[24..<48]) == [2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[48..<56]) == [0, 0, 0, 0, 0, 0, 0xE0, 0x3F])   // 0.5
        #expect(Array(bytes[56..<64]) == [7, 0, 0, 0, 0, 0, 0, 0])
        // zlib.crc32(bytes([2, 1, 1, 0])) = 0x93944CE1 (Python 3).
        #expect(Array(bytes[64..<68]) == [0xE1, 0x4C, 0x94, 0x93])
        #expect(bytes[72..<128].allSatisfy { $0 == 0 })
        #expect(Array(bytes[128...]) == [2, 1, 1, 0])
    }

    @Test("version-1 files (64-byte header, no checksums) still read")
    func version1() throws {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes.replaceSubrange(0..<8, with: Array("TESSTOKS".utf8))
        bytes[8] = 1; bytes[12] = 2; bytes[16] = 0x2C; bytes[17] = 0x01    // vocabulary 300
        bytes[20] = 0xFF; bytes[21] = 0xFF; bytes[22] = 0xFF; bytes[23] = 0xFF
        bytes[24] = 2; bytes[32] = 1
        bytes += [5, 0, 43, 1]
        let shard = try TokenShard.parse(bytes, file: "old.bin")
        #expect(shard == TokenShard(vocabularySize: 300, documents: 1, ids: [5, 299]))
    }

    @Test("bad shards fail naming the byte offset")
    func errors() {
        let good = TokenShard(vocabularySize: 300, documents: 1, ids: [1, 2, 3]).serialized()
        func offset(_ bytes: [UInt8]) -> FormatError.Location? {
            do { _ = try TokenShard.parse(bytes, file: "x.tokens"); return nil } catch let e as FormatError { return e.location } catch { return nil }
        }
        // Fix a header edit's checksum so that the check under test, not the CRC, fires.
        func resealed(_ b: [UInt8]) -> [UInt8] {
            var b = b
            let crc = b.withUnsafeBytes { bitwiseCRC32(Array($0[0..<68])) }
            for i in 0..<4 { b[68 + i] = UInt8((crc >> (8 * UInt32(i))) & 0xFF) }
            return b
        }
        #expect(offset(Array(good.prefix(5))) == .byteOffset(5))
        #expect(offset(Array(good.prefix(100))) == .byteOffset(100))
        var magic = good; magic[0] = 0x58
        #expect(offset(magic) == .byteOffset(0))
        var version = good; version[8] = 3
        #expect(offset(version) == .byteOffset(8))
        var header = good; header[32] = 9                           // documents changed, checksum not
        #expect(offset(header) == .byteOffset(68))
        var reserved = good; reserved[100] = 1
        #expect(offset(resealed(reserved)) == .byteOffset(72))
        #expect(offset(Array(good.dropLast())) == .byteOffset(24))
        var width = good; width[12] = 4
        #expect(offset(resealed(width)) == .byteOffset(12))
        var flipped = good; flipped[130] ^= 1                       // an id bit flipped: payload checksum
        #expect(offset(flipped) == .byteOffset(128))
        var id = good; id[128] = 0xFF; id[129] = 0x01               // id 511 ≥ 300, with a valid payload checksum
        let crc = bitwiseCRC32(Array(id[128...]))
        for i in 0..<4 { id[64 + i] = UInt8((crc >> (8 * UInt32(i))) & 0xFF) }
        #expect(offset(resealed(id)) == .byteOffset(128))
    }

    @Test("writing refuses an id outside the vocabulary")
    func writeRefusesBadIDs() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-shard-\(UUID().uuidString).tokens").path
        #expect(throws: FormatError.self) { try TokenShard(vocabularySize: 10, ids: [10]).write(to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

/// Bitwise CRC-32 (IEEE, reflected, polynomial 0xEDB88320): an oracle independent of zlib.
func bitwiseCRC32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
    }
    return ~crc
}
