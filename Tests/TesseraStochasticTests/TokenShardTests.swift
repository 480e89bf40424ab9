// Token-id shards: round trip with both id widths, the documented header bytes, and errors naming the field.
import Foundation
import Testing
import TesseraFormats

@Suite("Token shards")
struct TokenShardTests {
    @Test("round trip, uint16 and uint32")
    func roundTrip() throws {
        for vocabulary: UInt32 in [50_257, 65_536, 200_019] {
            let ids: [UInt32] = [0, 1, 2, vocabulary - 1, 7, 65_535 % vocabulary]
            let shard = TokenShard(vocabularySize: vocabulary, separator: vocabulary - 1, documents: 2, seed: 42, probability: 0.1, ids: ids)
            let bytes = shard.serialized()
            #expect(bytes.count == 64 + ids.count * (vocabulary <= 65_536 ? 2 : 4))
            #expect(try TokenShard.parse(bytes, file: "s.bin") == shard)
        }
    }

    @Test("header layout: magic, version, width, sizes, little-endian")
    func header() {
        let bytes = TokenShard(vocabularySize: 50_257, separator: 50_256, documents: 3, seed: 9, probability: 0.5, ids: [258, 1]).serialized()
        #expect(Array(bytes[0..<8]) == Array("TESSTOKS".utf8))
        #expect(Array(bytes[8..<16]) == [1, 0, 0, 0, 2, 0, 0, 0])
        #expect(Array(bytes[16..<24]) == [0x51, 0xC4, 0, 0, 0x50, 0xC4, 0, 0])
        #expect(Array(bytes[24..<48]) == [2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[48..<56]) == [0, 0, 0, 0, 0, 0, 0xE0, 0x3F])   // 0.5
        #expect(Array(bytes[64...]) == [2, 1, 1, 0])
    }

    @Test("bad shards fail naming the byte offset")
    func errors() {
        let good = TokenShard(vocabularySize: 300, documents: 1, ids: [1, 2, 3]).serialized()
        func offset(_ bytes: [UInt8]) -> FormatError.Location? {
            do { _ = try TokenShard.parse(bytes, file: "x.bin"); return nil } catch let e as FormatError { return e.location } catch { return nil }
        }
        #expect(offset(Array(good.prefix(40))) == .byteOffset(40))
        var magic = good; magic[0] = 0x58
        #expect(offset(magic) == .byteOffset(0))
        var version = good; version[8] = 2
        #expect(offset(version) == .byteOffset(8))
        #expect(offset(Array(good.dropLast())) == .byteOffset(24))
        var width = good; width[12] = 4
        #expect(offset(width) == .byteOffset(12))
        var id = good; id[64] = 0xFF; id[65] = 0x01
        #expect(offset(id) == .byteOffset(64))
    }
}
