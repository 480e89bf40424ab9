// Readers for the golden pre-tokenizer splits in corpora/golden/splits (made by scripts/make-golden-splits.py).
import Foundation

/// One `corpora/golden/splits/<pattern>.json` file: Python `regex`'s pieces for every input of inputs.json.
public struct GoldenSplitFile: Decodable, Sendable {
    public struct Case: Decodable, Sendable {
        public let input: String
        public let pieces: [String]
    }

    /// An input given as hex bytes (mostly invalid UTF-8), with the byte lengths of its pieces.
    public struct ByteCase: Decodable, Sendable {
        public let inputHex: String
        public let pieceLengths: [Int]

        public var inputBytes: [UInt8] { GoldenSplits.bytes(fromHex: inputHex) }
    }

    public let pattern: String
    public let regexSource: String
    public let alternativeSources: [String]
    public let regexVersion: String
    public let pythonVersion: String
    public let cases: [Case]
    public let byteCases: [ByteCase]
}

/// `corpora/golden/splits/corpus-digests.json`: piece counts and length hashes over the shared corpora.
public struct CorpusDigestFile: Decodable, Sendable {
    public struct Digest: Decodable, Sendable {
        public let bytes: Int
        public let pieces: Int
        public let fnv1a64: String
    }

    public let regexVersion: String
    /// pattern name -> path relative to the shared folder (or "corpora/flores200/dev/*") -> digest.
    public let digests: [String: [String: Digest]]
}

public enum GoldenSplits {
    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }

    public static func load(pattern name: String) throws -> GoldenSplitFile {
        let data = try Data(contentsOf: Fixtures.golden("splits/\(name).json"))
        return try decoder().decode(GoldenSplitFile.self, from: data)
    }

    public static func loadDigests() throws -> CorpusDigestFile {
        let data = try Data(contentsOf: Fixtures.golden("splits/corpus-digests.json"))
        return try decoder().decode(CorpusDigestFile.self, from: data)
    }

    public static func bytes(fromHex hex: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8? = nil
        for ch in hex.utf8 {
            let v: UInt8 = ch <= 0x39 ? ch - 0x30 : (ch | 0x20) - 0x61 + 10
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }

    /// The bytes of a shared corpus named as in corpus-digests.json, or nil when the shared folder lacks it.
    /// "corpora/flores200/dev/*" is the concatenation of that folder's files sorted by name.
    public static func sharedCorpus(_ label: String) throws -> [UInt8]? {
        if label.hasSuffix("/*") {
            let folder = String(label.dropLast(2))
            guard let url = Fixtures.shared(folder) else { return nil }
            let names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted {
                Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
            }
            var out: [UInt8] = []
            for name in names { out += try [UInt8](Data(contentsOf: url.appendingPathComponent(name))) }
            return out
        }
        guard let url = Fixtures.shared(label) else { return nil }
        return try [UInt8](Data(contentsOf: url))
    }
}

/// FNV-1a 64 over the 8-byte little-endian encodings of a sequence of lengths (corpus-digests.json's hash).
public struct LengthDigest: Sendable {
    public private(set) var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    public private(set) var count = 0

    public init() {}

    @inline(__always)
    public mutating func add(_ length: Int) {
        // Unrolled: a `for` over a range is slow in debug builds, and tests hash tens of millions of lengths.
        let v = UInt64(length), prime: UInt64 = 0x0000_0100_0000_01b3
        var h = hash
        h = (h ^ (v & 0xFF)) &* prime
        h = (h ^ ((v &>> 8) & 0xFF)) &* prime
        h = (h ^ ((v &>> 16) & 0xFF)) &* prime
        h = (h ^ ((v &>> 24) & 0xFF)) &* prime
        h = (h ^ ((v &>> 32) & 0xFF)) &* prime
        h = (h ^ ((v &>> 40) & 0xFF)) &* prime
        h = (h ^ ((v &>> 48) & 0xFF)) &* prime
        h = (h ^ ((v &>> 56) & 0xFF)) &* prime
        hash = h
        count += 1
    }

    public var hex: String {
        let s = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
