// ProtoWire: a small reader and writer of the protocol-buffers wire format (protobuf.dev/programming-guides/
// encoding), enough for SentencePiece's `sentencepiece_model.proto` (proto2): varints, fixed32, fixed64 and
// length-delimited fields. No swift-protobuf: the model has four small messages, and a hand-written reader
// lets every error carry the byte offset.
//
// A field is `tag value` where tag = varint(field number << 3 | wire type). Wire types: 0 varint, 1 fixed64
// (8 bytes little-endian), 2 length-delimited (varint length, then that many bytes), 5 fixed32 (4 bytes
// little-endian); 3 and 4 (groups) are deprecated and rejected, 6 and 7 do not exist.
//
// Invariant: the reader never reads outside `bytes[position..<end]`; every malformed input (truncated data, a
// varint over 10 bytes or 64 bits, a bad wire type, a length past the end) is a `SentencePieceError` with the
// byte offset where the bad item starts. The writer emits canonical encodings (shortest varints), which is
// what protobuf's own serializers produce, so a canonical file reads and writes back byte for byte.
// Complexity: O(1) per item read or written, besides copying length-delimited payloads.

/// Protocol-buffers wire types.
public enum WireType: UInt8, Sendable {
    case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
}

/// Reads wire-format items from a byte buffer. Valid while the buffer is.
public struct ProtoReader {
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Offset of the next byte to read (absolute, into `bytes`).
    public private(set) var position: Int
    /// One past the last byte this reader may read.
    public let end: Int

    /// A reader of `bytes[range]` (all of `bytes` by default). Offsets in errors are relative to `bytes`.
    public init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>? = nil) {
        self.bytes = bytes
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    public var isAtEnd: Bool { position >= end }

    /// The next field's number and wire type.
    /// - Throws: `.truncated`, `.malformedVarint`, `.unexpectedWireType` (3, 4, 6, 7) or `.invalidValue` (field 0).
    public mutating func readTag() throws -> (number: UInt32, wireType: WireType) {
        let start = position
        let tag = try readVarint()
        guard tag <= UInt64(UInt32.max) else {
            throw SentencePieceError(.malformedVarint, byteOffset: start, "the field tag \(tag) is larger than 32 bits",
                                     fix: "the file is corrupt or not a SentencePiece model")
        }
        let number = UInt32(tag >> 3)
        guard number != 0 else {
            throw SentencePieceError(.invalidValue, byteOffset: start, "a field has number 0, which protobuf does not allow",
                                     fix: "the file is corrupt or not a SentencePiece model")
        }
        guard let wire = WireType(rawValue: UInt8(tag & 7)), wire != .startGroup, wire != .endGroup else {
            let w = tag & 7
            throw SentencePieceError(.unexpectedWireType, byteOffset: start,
                                     w == 3 || w == 4 ? "field \(number) uses the deprecated group encoding (wire type \(w))"
                                                      : "field \(number) has wire type \(w), which does not exist",
                                     fix: "the file is corrupt or not a SentencePiece model")
        }
        return (number, wire)
    }

    /// A base-128 varint (at most 10 bytes, at most 64 bits).
    @inline(__always)
    public mutating func readVarint() throws -> UInt64 {
        if position < end, bytes[position] < 0x80 {
            defer { position += 1 }
            return UInt64(bytes[position])
        }
        return try readVarintSlow()
    }

    private mutating func readVarintSlow() throws -> UInt64 {
        let start = position
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else {
                throw SentencePieceError(.truncated, byteOffset: start,
                                         "the data ends inside a varint (\(end - start) byte(s) available)",
                                         fix: "the file is truncated; copy or download it again")
            }
            let b = bytes[position]
            position += 1
            if shift == 63 {
                // The 10th byte carries bit 63 only.
                if b & 0x80 != 0 {
                    throw SentencePieceError(.malformedVarint, byteOffset: start, "a varint is longer than 10 bytes",
                                             fix: "the file is corrupt or not a SentencePiece model")
                }
                if b > 1 {
                    throw SentencePieceError(.malformedVarint, byteOffset: start, "a varint does not fit in 64 bits",
                                             fix: "the file is corrupt or not a SentencePiece model")
                }
            }
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
        }
    }

    /// Four little-endian bytes.
    public mutating func readFixed32() throws -> UInt32 {
        try need(4, what: "a fixed32 value")
        defer { position += 4 }
        return UInt32(littleEndian: UnsafeRawPointer(bytes.baseAddress! + position).loadUnaligned(as: UInt32.self))
    }

    /// Eight little-endian bytes.
    public mutating func readFixed64() throws -> UInt64 {
        try need(8, what: "a fixed64 value")
        defer { position += 8 }
        return UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + position).loadUnaligned(as: UInt64.self))
    }

    /// A length-delimited payload: its byte range in `bytes`.
    public mutating func readLengthDelimited() throws -> Range<Int> {
        let start = position
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw SentencePieceError(.truncated, byteOffset: start,
                                     "a length-delimited field claims \(length) bytes but only \(end - position) remain",
                                     fix: "the file is truncated or corrupt; copy or download it again")
        }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    /// Skips one value of `wireType` (an unknown field's payload).
    public mutating func skipValue(_ wireType: WireType) throws {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup, .endGroup:
            throw SentencePieceError(.unexpectedWireType, byteOffset: position, "groups are not supported")
        }
    }

    private func need(_ n: Int, what: String) throws {
        guard end - position >= n else {
            throw SentencePieceError(.truncated, byteOffset: position,
                                     "the data ends inside \(what) (\(end - position) of \(n) bytes available)",
                                     fix: "the file is truncated; copy or download it again")
        }
    }
}

/// Writes wire-format items into a growing byte array.
public struct ProtoWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// A varint in the shortest form.
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func writeTag(_ number: UInt32, _ wireType: WireType) {
        writeVarint(UInt64(number) << 3 | UInt64(wireType.rawValue))
    }

    public mutating func writeFixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func writeFixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// `tag, length, payload`.
    public mutating func writeLengthDelimited<C: Collection<UInt8>>(_ number: UInt32, _ payload: C) {
        writeTag(number, .lengthDelimited)
        writeVarint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// Bytes written verbatim (a preserved unknown field, tag included).
    public mutating func writeRaw<C: Collection<UInt8>>(_ raw: C) {
        bytes.append(contentsOf: raw)
    }

    /// A nested message: `tag, length, body`, with the body written by `body` in place (the length is patched
    /// afterwards, so no temporary buffer is needed for the common short message).
    public mutating func writeMessage(_ number: UInt32, _ body: (inout ProtoWriter) -> Void) {
        writeTag(number, .lengthDelimited)
        let lengthAt = bytes.count
        bytes.append(0)
        body(&self)
        let length = bytes.count - lengthAt - 1
        if length < 0x80 {
            bytes[lengthAt] = UInt8(length)
            return
        }
        var prefix = ProtoWriter()
        prefix.writeVarint(UInt64(length))
        bytes.replaceSubrange(lengthAt..<(lengthAt + 1), with: prefix.bytes)
    }
}
