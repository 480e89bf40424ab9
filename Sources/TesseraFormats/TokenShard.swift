// TokenShard: the one token-id shard format of Tessera (`.tokens`), written by `tessera expand` and
// `TokenShard.write`, read by `tessera lm train` / `lm eval`; in the spirit of llm.c's / nanoGPT's `.bin`
// files: a fixed header, then the ids back to back, so numpy can memory-map the ids.
//
// Layout (all little-endian), version 2 (docs/formats.md, "Token-id shards"):
//
//     offset size  field
//          0    8  magic "TESSTOKS"
//          8    4  version (2)
//         12    4  id width in bytes: 2 (uint16, when every id < 65,536) or 4 (uint32)
//         16    4  vocabulary size: every id is below it (the tokenizer's n_vocab)
//         20    4  document separator id, written before each document; 0xFFFFFFFF = none
//         24    8  number of ids in this shard
//         32    8  number of documents that start in this shard
//         40    8  StochasTok seed (0 when p = 0)
//         48    8  StochasTok p, an IEEE-754 double (0 = deterministic tokenization)
//         56    8  bytes of text the ids stand for (separators excluded; 0 = unknown): bits per byte
//         64    4  CRC-32 (zlib's, IEEE 802.3) of the id bytes
//         68    4  CRC-32 of header bytes 0 ..< 68
//         72   56  reserved (0)
//        128       the ids: count × width bytes
//
// Version 1 (64-byte header: offsets 0–55 as above, 56–63 reserved, no byte count, no checksums) is still
// read, since it costs one branch. The runtime's former `TSTOKENS` layout is not read.
//
// Invariant: a shard that parses has file size = header + count × width, intact checksums (v2), and every
// id < vocabulary size; anything else is a `FormatError` naming the byte offset.
// Complexity: O(size) to write or read (one CRC pass and one widening pass).

import CZlib
import Foundation

/// One shard file: header fields and ids.
public struct TokenShard: Sendable, Equatable {
    public static let magic = Array("TESSTOKS".utf8)
    public static let version: UInt32 = 2
    public static let headerSize = 128
    /// Header size of version-1 files (read only).
    static let version1HeaderSize = 64
    /// `separator` value for "no separator".
    public static let noSeparator = UInt32.max
    /// The file-name extension every Tessera tool uses for shards.
    public static let fileExtension = "tokens"

    public var vocabularySize: UInt32
    public var separator: UInt32
    public var documents: UInt64
    public var seed: UInt64
    public var probability: Double
    /// Bytes of text the ids stand for, separators excluded (0 = unknown).
    public var byteCount: UInt64
    public var ids: [UInt32]

    public init(vocabularySize: UInt32, separator: UInt32 = TokenShard.noSeparator, documents: UInt64 = 1, seed: UInt64 = 0,
                probability: Double = 0, byteCount: UInt64 = 0, ids: [UInt32]) {
        self.vocabularySize = vocabularySize; self.separator = separator; self.documents = documents
        self.seed = seed; self.probability = probability; self.byteCount = byteCount; self.ids = ids
    }

    /// 2 when every id of the vocabulary fits in 16 bits, else 4.
    public var idWidth: Int { vocabularySize <= 65_536 ? 2 : 4 }

    /// True when `bytes` start with the shard magic (any version).
    public static func hasMagic(_ bytes: [UInt8]) -> Bool { bytes.count >= 8 && Array(bytes[0..<8]) == magic }

    /// The file's bytes.
    public func serialized() -> [UInt8] {
        let width = idWidth, h = Self.headerSize
        var out = [UInt8](repeating: 0, count: h + ids.count * width)
        out.withUnsafeMutableBytes { raw in
            for (i, b) in Self.magic.enumerated() { raw[i] = b }
            raw.storeBytes(of: Self.version.littleEndian, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: UInt32(width).littleEndian, toByteOffset: 12, as: UInt32.self)
            raw.storeBytes(of: vocabularySize.littleEndian, toByteOffset: 16, as: UInt32.self)
            raw.storeBytes(of: separator.littleEndian, toByteOffset: 20, as: UInt32.self)
            raw.storeBytes(of: UInt64(ids.count).littleEndian, toByteOffset: 24, as: UInt64.self)
            raw.storeBytes(of: documents.littleEndian, toByteOffset: 32, as: UInt64.self)
            raw.storeBytes(of: seed.littleEndian, toByteOffset: 40, as: UInt64.self)
            raw.storeBytes(of: probability.bitPattern.littleEndian, toByteOffset: 48, as: UInt64.self)
            raw.storeBytes(of: byteCount.littleEndian, toByteOffset: 56, as: UInt64.self)
            var offset = h
            if width == 2 {
                for id in ids { raw.storeBytes(of: UInt16(truncatingIfNeeded: id).littleEndian, toByteOffset: offset, as: UInt16.self); offset += 2 }
            } else {
                for id in ids { raw.storeBytes(of: id.littleEndian, toByteOffset: offset, as: UInt32.self); offset += 4 }
            }
            let base = UnsafeRawPointer(raw.baseAddress!)
            raw.storeBytes(of: Self.crc32(base + h, count: raw.count - h).littleEndian, toByteOffset: 64, as: UInt32.self)
            raw.storeBytes(of: Self.crc32(base, count: 68).littleEndian, toByteOffset: 68, as: UInt32.self)
        }
        return out
    }

    /// zlib's CRC-32 of a byte range of any length (zlib takes 32-bit lengths, so large ranges go in pieces).
    static func crc32(_ p: UnsafeRawPointer, count: Int) -> UInt32 {
        var crc = CZlib.crc32(0, nil, 0)
        var at = 0
        while at < count {
            let n = min(count - at, 1 << 30)
            crc = CZlib.crc32(crc, p.assumingMemoryBound(to: UInt8.self) + at, uInt(n))
            at += n
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    /// Writes the shard atomically.
    /// - Throws: `FormatError` for an id that is not below the vocabulary size (the file would not read back).
    public func write(to path: String) throws {
        if let i = ids.firstIndex(where: { $0 >= vocabularySize }) {
            throw FormatError(.invalidValue, file: path, at: .field("ids[\(i)]"),
                              "id \(ids[i]) is not below the vocabulary size \(vocabularySize)", fix: "give the tokenizer's full vocabulary size")
        }
        try AtomicFile.write(serialized(), to: path)
    }

    /// Reads a shard file.
    public static func read(path: String) throws -> TokenShard {
        try parse(FileBytes.read(path), file: path)
    }

    /// Parses a shard's bytes.
    /// - Throws: `FormatError` naming the byte offset: short file, bad magic, unknown version, bad width,
    ///   truncation, checksum mismatch, nonzero reserved bytes, an id outside the vocabulary.
    public static func parse(_ bytes: [UInt8], file: String) throws -> TokenShard {
        guard bytes.count >= 12 else {
            throw FormatError(.syntax, file: file, at: .byteOffset(bytes.count),
                              "the file is \(bytes.count) bytes, shorter than a shard header", fix: "the file is truncated; write it again")
        }
        return try bytes.withUnsafeBytes { raw in
            guard Array(raw[0..<8]) == magic else {
                throw FormatError(.unknownFormat, file: file, at: .byteOffset(0), "the file does not start with \"TESSTOKS\"",
                                  fix: "give a shard written by `tessera expand` or `tessera lm` (docs/formats.md)")
            }
            func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
            func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
            let fileVersion = u32(8)
            guard fileVersion == 1 || fileVersion == version else {
                throw FormatError(.unsupported, file: file, at: .byteOffset(8), "version \(fileVersion) (this reader knows 1 and 2)",
                                  fix: "read it with a newer Tessera")
            }
            let h = fileVersion == 1 ? version1HeaderSize : headerSize
            guard bytes.count >= h else {
                throw FormatError(.syntax, file: file, at: .byteOffset(bytes.count),
                                  "the file is \(bytes.count) bytes, shorter than the \(h)-byte header", fix: "the file is truncated; write it again")
            }
            let base = raw.baseAddress!
            if fileVersion == version {
                guard crc32(base, count: 68) == u32(68) else {
                    throw FormatError(.invalidValue, file: file, at: .byteOffset(68), "the header checksum does not match",
                                      fix: "the header is corrupt; write the shard again")
                }
                guard raw[72..<h].allSatisfy({ $0 == 0 }) else {
                    throw FormatError(.invalidValue, file: file, at: .byteOffset(72), "reserved header bytes are not zero",
                                      fix: "the header is corrupt or from a newer writer")
                }
            }
            let width = Int(u32(12))
            guard width == 2 || width == 4 else {
                throw FormatError(.invalidValue, file: file, at: .byteOffset(12), "id width \(width) (must be 2 or 4)", fix: "the header is corrupt")
            }
            let vocabularySize = u32(16)
            guard vocabularySize >= 1, width == (vocabularySize <= 65_536 ? 2 : 4) else {
                throw FormatError(.invalidValue, file: file, at: .byteOffset(12),
                                  "id width \(width) does not fit vocabulary size \(vocabularySize)", fix: "the header is corrupt")
            }
            let count = u64(24)
            guard count <= UInt64(bytes.count), UInt64(bytes.count) == UInt64(h) + count * UInt64(width) else {
                throw FormatError(.syntax, file: file, at: .byteOffset(24),
                                  "the header announces \(count) ids, but the file holds \(bytes.count - h) bytes of ids",
                                  fix: "the file is truncated or corrupt; write it again")
            }
            if fileVersion == version, crc32(base + h, count: bytes.count - h) != u32(64) {
                throw FormatError(.invalidValue, file: file, at: .byteOffset(h), "the ids do not match the checksum at byte 64",
                                  fix: "the shard is corrupt; write it again")
            }
            var ids = [UInt32](repeating: 0, count: Int(count))
            var bad = -1
            ids.withUnsafeMutableBufferPointer { out in
                let p = base + h
                if width == 2 {
                    for i in 0..<out.count { out[i] = UInt32(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
                } else {
                    for i in 0..<out.count { out[i] = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
                }
                // One branch-free pass finds whether any id is out of range; the position only when one is.
                var mx: UInt32 = 0
                for id in out { mx = max(mx, id) }
                if mx >= vocabularySize { bad = out.firstIndex(where: { $0 >= vocabularySize }) ?? -1 }
            }
            if bad >= 0 {
                throw FormatError(.invalidValue, file: file, at: .byteOffset(h + width * bad),
                                  "id \(ids[bad]) is not below the vocabulary size \(vocabularySize)", fix: "the file is corrupt")
            }
            return TokenShard(vocabularySize: vocabularySize, separator: u32(20), documents: u64(32), seed: u64(40),
                              probability: Double(bitPattern: u64(48)), byteCount: fileVersion == 1 ? 0 : u64(56), ids: ids)
        }
    }
}
