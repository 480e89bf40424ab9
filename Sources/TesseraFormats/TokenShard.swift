// TokenShard: token-id shards for training (written by `tessera expand`, read by a training runtime),
// in the spirit of llm.c's / nanoGPT's `.bin` files: a fixed header, then the ids back to back.
//
// Layout (all little-endian), version 1:
//
//     offset size  field
//          0    8  magic "TESSTOKS"
//          8    4  version (1)
//         12    4  id width in bytes: 2 (uint16, when every id < 65,536) or 4 (uint32)
//         16    4  vocabulary size: every id is below it (the tokenizer's n_vocab)
//         20    4  document separator id, written before each document; 0xFFFFFFFF = none
//         24    8  number of ids in this shard
//         32    8  number of documents that start in this shard
//         40    8  StochasTok seed (0 when p = 0)
//         48    8  StochasTok p, an IEEE-754 double (0 = deterministic tokenization)
//         56    8  reserved (0)
//         64       the ids: count × width bytes
//
// numpy: `np.memmap(path, dtype=np.uint16 or np.uint32, mode="r", offset=64)`.
//
// Invariant: file size = 64 + count × width; every id < vocabulary size. A reader rejects anything
// else with a `FormatError` naming the field. Complexity: O(size) to write or read.

import Foundation

/// One shard file: header fields and ids.
public struct TokenShard: Sendable, Equatable {
    public static let magic = Array("TESSTOKS".utf8)
    public static let version: UInt32 = 1
    public static let headerSize = 64
    /// `separator` value for "no separator".
    public static let noSeparator = UInt32.max

    public var vocabularySize: UInt32
    public var separator: UInt32
    public var documents: UInt64
    public var seed: UInt64
    public var probability: Double
    public var ids: [UInt32]

    public init(vocabularySize: UInt32, separator: UInt32 = TokenShard.noSeparator, documents: UInt64, seed: UInt64 = 0,
                probability: Double = 0, ids: [UInt32]) {
        self.vocabularySize = vocabularySize; self.separator = separator; self.documents = documents
        self.seed = seed; self.probability = probability; self.ids = ids
    }

    /// 2 when every id of the vocabulary fits in 16 bits, else 4.
    public var idWidth: Int { vocabularySize <= 65_536 ? 2 : 4 }

    /// The file's bytes.
    public func serialized() -> [UInt8] {
        let width = idWidth
        var out = [UInt8](repeating: 0, count: Self.headerSize + ids.count * width)
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
            var offset = Self.headerSize
            if width == 2 {
                for id in ids { raw.storeBytes(of: UInt16(truncatingIfNeeded: id).littleEndian, toByteOffset: offset, as: UInt16.self); offset += 2 }
            } else {
                for id in ids { raw.storeBytes(of: id.littleEndian, toByteOffset: offset, as: UInt32.self); offset += 4 }
            }
        }
        return out
    }

    /// Writes the shard atomically.
    public func write(to path: String) throws { try AtomicFile.write(serialized(), to: path) }

    /// Reads a shard file.
    public static func read(path: String) throws -> TokenShard {
        try parse(FileBytes.read(path), file: path)
    }

    /// Parses a shard's bytes.
    public static func parse(_ bytes: [UInt8], file: String) throws -> TokenShard {
        guard bytes.count >= headerSize else {
            throw FormatError(.syntax, file: file, at: .byteOffset(bytes.count),
                              "the file is \(bytes.count) bytes, shorter than the 64-byte header", fix: "the file is truncated; write it again")
        }
        return try bytes.withUnsafeBytes { raw in
            guard Array(raw[0..<8]) == magic else {
                throw FormatError(.unknownFormat, file: file, at: .byteOffset(0), "the file does not start with \"TESSTOKS\"",
                                  fix: "give a shard written by `tessera expand`")
            }
            func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
            func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
            guard u32(8) == version else {
                throw FormatError(.unsupported, file: file, at: .byteOffset(8), "version \(u32(8)) (this reader knows 1)",
                                  fix: "read it with a newer Tessera")
            }
            let width = Int(u32(12))
            guard width == 2 || width == 4 else {
                throw FormatError(.invalidValue, file: file, at: .byteOffset(12), "id width \(width) (must be 2 or 4)", fix: "the header is corrupt")
            }
            let vocabularySize = u32(16)
            guard width == (vocabularySize <= 65_536 ? 2 : 4) else {
                throw FormatError(.invalidValue, file: file, at: .byteOffset(12),
                                  "id width \(width) does not fit vocabulary size \(vocabularySize)", fix: "the header is corrupt")
            }
            let count = u64(24)
            guard count <= UInt64(bytes.count), UInt64(bytes.count) == UInt64(headerSize) + count * UInt64(width) else {
                throw FormatError(.syntax, file: file, at: .byteOffset(24),
                                  "the header announces \(count) ids, but the file holds \(bytes.count - headerSize) bytes of ids",
                                  fix: "the file is truncated or corrupt; write it again")
            }
            var ids = [UInt32](repeating: 0, count: Int(count))
            for i in 0..<Int(count) {
                let id = width == 2
                    ? UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: headerSize + 2 * i, as: UInt16.self)))
                    : UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: headerSize + 4 * i, as: UInt32.self))
                guard id < vocabularySize else {
                    throw FormatError(.invalidValue, file: file, at: .byteOffset(headerSize + width * i),
                                      "id \(id) is not below the vocabulary size \(vocabularySize)", fix: "the file is corrupt")
                }
                ids[i] = id
            }
            return TokenShard(vocabularySize: vocabularySize, separator: u32(20), documents: u64(32), seed: u64(40),
                              probability: Double(bitPattern: u64(48)), ids: ids)
        }
    }
}
