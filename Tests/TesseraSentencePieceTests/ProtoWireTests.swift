// The protobuf wire reader and writer: exact oracles, and every malformed input as a typed error with its offset.
import Testing
@testable import TesseraSentencePiece

@Suite("Protobuf wire format")
struct ProtoWireTests {
    func read<T>(_ bytes: [UInt8], _ body: (inout ProtoReader) throws -> T) throws -> T {
        try bytes.withUnsafeBufferPointer { buffer in
            var r = ProtoReader(buffer)
            return try body(&r)
        }
    }

    func error(_ bytes: [UInt8], _ body: (inout ProtoReader) throws -> Void) -> SentencePieceError? {
        do { try read(bytes, body); return nil } catch { return error as? SentencePieceError }
    }

    @Test func varintOracles() throws {
        let cases: [([UInt8], UInt64)] = [
            ([0x00], 0), ([0x01], 1), ([0x7F], 127), ([0x80, 0x01], 128), ([0xAC, 0x02], 300),
            ([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], UInt64(UInt32.max)),
            ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], UInt64.max),
            // A non-canonical (padded) encoding still reads.
            ([0x81, 0x80, 0x00], 1),
        ]
        for (bytes, value) in cases {
            #expect(try read(bytes) { try $0.readVarint() } == value, "\(bytes)")
            if bytes != [0x81, 0x80, 0x00] {
                var w = ProtoWriter()
                w.writeVarint(value)
                #expect(w.bytes == bytes, "writer \(value)")
            }
        }
        // int32 -1 is sign-extended to ten bytes, as protobuf writes it.
        var fields = ProtoFields()
        fields.setInt32(43, -1)
        var w = ProtoWriter()
        fields.encode(into: &w, schema: [ProtoFieldSpec(number: 43, name: "pad_id", kind: .int32)])
        #expect(w.bytes == [0xD8, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }

    @Test func fixedAndLengthDelimited() throws {
        #expect(try read([0x00, 0x00, 0x80, 0x3F]) { try $0.readFixed32() } == Float(1).bitPattern)
        #expect(try read([1, 2, 3, 4, 5, 6, 7, 8]) { try $0.readFixed64() } == 0x0807_0605_0403_0201)
        #expect(try read([0x03, 0x61, 0x62, 0x63, 0x64]) { try $0.readLengthDelimited() } == 1..<4)
        let tag = try read([0x9A, 0x02]) { try $0.readTag() }
        #expect(tag.number == 35 && tag.wireType == .lengthDelimited)
    }

    @Test func truncatedVarint() {
        let e = error([0x96, 0x80]) { _ = try $0.readVarint() }
        #expect(e?.kind == .truncated)
        #expect(e?.byteOffset == 0)
    }

    @Test func overlongVarint() {
        let e = error([UInt8](repeating: 0x80, count: 10) + [0x01]) { _ = try $0.readVarint() }
        #expect(e?.kind == .malformedVarint)
        #expect(e?.description.contains("longer than 10 bytes") == true)
        let overflow = error([UInt8](repeating: 0xFF, count: 9) + [0x02]) { _ = try $0.readVarint() }
        #expect(overflow?.kind == .malformedVarint)
        #expect(overflow?.description.contains("64 bits") == true)
    }

    @Test func badWireTypes() {
        for (byte, text) in [(UInt8(0x0E), "does not exist"), (0x0F, "does not exist"), (0x0B, "group"), (0x0C, "group")] {
            let e = error([byte, 0x00]) { _ = try $0.readTag() }
            #expect(e?.kind == .unexpectedWireType, "\(byte)")
            #expect(e?.description.contains(text) == true, "\(byte)")
        }
        let zero = error([0x00]) { _ = try $0.readTag() }
        #expect(zero?.kind == .invalidValue)
    }

    @Test func lengthPastTheEnd() {
        let e = error([0x05, 0x61, 0x62]) { _ = try $0.readLengthDelimited() }
        #expect(e?.kind == .truncated)
        #expect(e?.byteOffset == 0)
        #expect(e?.description.contains("claims 5 bytes but only 2 remain") == true)
        let fixed = error([0x01, 0x02, 0x03]) { _ = try $0.readFixed32() }
        #expect(fixed?.kind == .truncated)
    }

    @Test func nestedMessageLengthIsPatched() {
        // A body of 200 bytes needs a two-byte length; the writer moves the body to make room.
        var w = ProtoWriter()
        w.writeMessage(1) { $0.writeRaw([UInt8](repeating: 0x41, count: 200)) }
        #expect(Array(w.bytes.prefix(3)) == [0x0A, 0xC8, 0x01])
        #expect(w.bytes.count == 203)
        var short = ProtoWriter()
        short.writeMessage(2) { $0.writeRaw([1, 2, 3]) }
        #expect(short.bytes == [0x12, 0x03, 1, 2, 3])
    }
}
