// TokenShard: a file of token ids for language-model training and evaluation (`.tokens`, layout in
// docs/formats.md). A fixed 64-byte little-endian header — magic "TSTOKENS", u32 version (1), u32
// bytes per id (2 or 4), u64 vocabulary size, u64 token count, u64 byte count of the text the ids
// encode (for bits per byte), 24 reserved zero bytes — then the ids. The byte count makes
// bits-per-byte evaluation tokenizer-independent without the tokenizer at hand.
//
// Invariant: a shard that reads back has exactly `count` ids, each < `vocabularySize`.
// Complexity: O(count) to read (one pass to widen and validate) and to write.

import Foundation
import TesseraFormats

/// Token ids with the vocabulary size and text size they came from.
public struct TokenShard: Sendable, Equatable {
    public static let magic: [UInt8] = Array("TSTOKENS".utf8)
    public static let version: UInt32 = 1
    public static let headerSize = 64

    /// The ids, in text order.
    public var tokens: [UInt32]
    /// Size of the tokenizer's vocabulary (every id is below it).
    public var vocabularySize: Int
    /// Bytes of the text the ids encode (0 when unknown).
    public var byteCount: UInt64

    public init(tokens: [UInt32], vocabularySize: Int, byteCount: UInt64) {
        self.tokens = tokens
        self.vocabularySize = vocabularySize
        self.byteCount = byteCount
    }

    /// The narrowest id width that holds the vocabulary.
    public var bytesPerToken: Int { vocabularySize <= 65_536 ? 2 : 4 }

    /// The file's bytes.
    public func serialized() -> [UInt8] {
        let w = bytesPerToken
        var out = [UInt8](repeating: 0, count: Self.headerSize + w * tokens.count)
        out.replaceSubrange(0..<8, with: Self.magic)
        func put(_ v: UInt64, at: Int, bytes: Int) { for i in 0..<bytes { out[at + i] = UInt8((v >> (8 * UInt64(i))) & 0xff) } }
        put(UInt64(Self.version), at: 8, bytes: 4)
        put(UInt64(w), at: 12, bytes: 4)
        put(UInt64(vocabularySize), at: 16, bytes: 8)
        put(UInt64(tokens.count), at: 24, bytes: 8)
        put(byteCount, at: 32, bytes: 8)
        var at = Self.headerSize
        for t in tokens {
            out[at] = UInt8(t & 0xff)
            out[at + 1] = UInt8((t >> 8) & 0xff)
            if w == 4 { out[at + 2] = UInt8((t >> 16) & 0xff); out[at + 3] = UInt8(t >> 24) }
            at += w
        }
        return out
    }

    /// Writes the shard atomically.
    public func write(to path: String) throws {
        for (i, t) in tokens.enumerated() where Int(t) >= vocabularySize {
            throw FormatError(.invalidValue, file: path, at: .field("tokens[\(i)]"),
                              "id \(t) is not below the vocabulary size \(vocabularySize)", fix: "give the tokenizer's full vocabulary size")
        }
        try AtomicFile.write(serialized(), to: path)
    }

    /// Reads a shard.
    /// - Throws: `FormatError` naming the file and the byte offset (bad magic, unknown version or
    ///   width, truncation, an id outside the vocabulary).
    public static func read(_ path: String) throws -> TokenShard {
        try parse(try FileBytes.read(path), file: path)
    }

    public static func parse(_ b: [UInt8], file: String) throws -> TokenShard {
        guard b.count >= headerSize, Array(b[0..<8]) == magic else {
            throw FormatError(.unknownFormat, file: file, at: .byteOffset(0), "is not a Tessera token shard (no TSTOKENS header)",
                              fix: "make shards with `tessera lm train --data TEXT` or TokenShard.write")
        }
        func get(_ at: Int, _ n: Int) -> UInt64 { (0..<n).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) } }
        let version = get(8, 4), width = Int(get(12, 4)), vocab = get(16, 8), count = get(24, 8), bytes = get(32, 8)
        guard version == UInt64(Self.version) else {
            throw FormatError(.unsupported, file: file, at: .byteOffset(8), "has version \(version); this build reads version \(Self.version)",
                              fix: "rewrite the shard with this version of tessera")
        }
        guard width == 2 || width == 4 else {
            throw FormatError(.invalidValue, file: file, at: .byteOffset(12), "declares \(width) bytes per id (2 or 4 expected)")
        }
        guard vocab >= 1, vocab <= (width == 2 ? 65_536 : UInt64(UInt32.max) + 1) else {
            throw FormatError(.invalidValue, file: file, at: .byteOffset(16), "declares a vocabulary of \(vocab), impossible with \(width)-byte ids")
        }
        let expected = UInt64(b.count - headerSize)
        guard count.multipliedReportingOverflow(by: UInt64(width)).partialValue == expected, count <= expected else {
            throw FormatError(.syntax, file: file, at: .byteOffset(headerSize),
                              "declares \(count) ids of \(width) bytes but holds \(expected) bytes of ids",
                              fix: "the shard is truncated or corrupt; write it again")
        }
        var tokens = [UInt32](repeating: 0, count: Int(count))
        let v = UInt32(truncatingIfNeeded: vocab - 1)
        var bad = -1
        b.withUnsafeBytes { raw in
            let p = raw.baseAddress! + headerSize
            for i in 0..<Int(count) {
                let t = width == 2 ? UInt32(p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)
                                   : p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian
                if t > v && bad < 0 { bad = i }
                tokens[i] = t
            }
        }
        if bad >= 0 {
            throw FormatError(.invalidValue, file: file, at: .byteOffset(headerSize + width * bad),
                              "id \(tokens[bad]) is not below the declared vocabulary size \(vocab)", fix: "the shard is corrupt; write it again")
        }
        return TokenShard(tokens: tokens, vocabularySize: Int(vocab), byteCount: bytes)
    }
}
