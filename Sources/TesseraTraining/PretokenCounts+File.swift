// The `.counts` file: a versioned, mergeable pre-token count table (`tessera count -o`, read by
// `tessera train --from-counts`).
//
// Layout (version 1):
//   line 1   `TESSERA-COUNTS 1\n`
//   line 2   one JSON object + `\n`: {"pre_tokenizer", "normalizer", "max_pretoken_bytes",
//            "text_bytes", "entries", "total"}
//   entries  `entries` records in ascending bytewise key order, each
//            LEB128(key length) key-bytes LEB128(count)
//   trailer  8 bytes: FNV-1a 64 of the entry bytes, little-endian
// Invariant: the same counts give the same file bytes (sorted keys, fixed JSON key order), so shards
// can be compared by hash; a reader rejects unsorted or repeated keys, a wrong entry count or total,
// a checksum mismatch and trailing bytes, naming the byte offset.
// Complexity: O(file size) both ways.

import Foundation
import TesseraFormats

extension PretokenCounts {
    static let magic = Array("TESSERA-COUNTS 1\n".utf8)

    struct Header: Codable {
        var preTokenizer: String
        var normalizer: String?
        var maxPretokenBytes: Int
        var textBytes: UInt64
        var entries: Int
        var total: UInt64

        enum CodingKeys: String, CodingKey {
            case preTokenizer = "pre_tokenizer", normalizer, maxPretokenBytes = "max_pretoken_bytes"
            case textBytes = "text_bytes", entries, total
        }
    }

    /// The file bytes of this table.
    public func serialized() -> [UInt8] {
        var out = Self.magic
        let header = Header(preTokenizer: source.preTokenizer, normalizer: source.normalizer,
                            maxPretokenBytes: source.maxPretokenBytes, textBytes: textBytes, entries: count, total: total)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings and integers cannot fail.
        out.append(contentsOf: (try? encoder.encode(header)) ?? Data("{}".utf8))
        out.append(0x0A)
        let entriesStart = out.count
        out.reserveCapacity(out.count + keyBytes.count + count * 4 + 8)
        for i in 0..<count {
            let key = self.key(i)
            appendLEB128(UInt64(key.count), to: &out)
            out.append(contentsOf: key)
            appendLEB128(counts[i], to: &out)
        }
        let checksum = fnv1a(out[entriesStart...])
        for s in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: checksum >> UInt64(s))) }
        return out
    }

    /// Writes the table to `path` atomically.
    public func write(to path: String) throws {
        try AtomicFile.write(serialized(), to: path)
    }

    /// Reads a `.counts` file.
    /// - Throws: `FormatError` when unreadable, `TrainingError.malformedCounts` naming the byte offset.
    public static func read(path: String) throws -> PretokenCounts {
        try parse(FileBytes.read(path), file: path)
    }

    /// Parses `.counts` bytes; `file` names the source in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws -> PretokenCounts {
        func fail(_ offset: Int, _ problem: String, _ fix: String = "re-create the file with `tessera count`") -> TrainingError {
            .malformedCounts(file: file, offset: offset, problem: problem, fix: fix)
        }
        guard bytes.starts(with: magic) else {
            throw fail(0, "not a Tessera counts file (it must start with \"TESSERA-COUNTS 1\")",
                       "give a file written by `tessera count -o`")
        }
        guard let headerEnd = bytes[magic.count...].firstIndex(of: 0x0A) else { throw fail(magic.count, "the JSON header line is not terminated") }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[magic.count..<headerEnd]))
        } catch {
            throw fail(magic.count, "the JSON header is invalid (\(error))")
        }
        guard header.entries >= 0, header.maxPretokenBytes >= 1 else { throw fail(magic.count, "the header has a negative field") }
        let entriesStart = headerEnd + 1
        guard bytes.count >= entriesStart + 8 else { throw fail(bytes.count, "the file is truncated (no checksum)") }
        let entriesEnd = bytes.count - 8
        var stored: UInt64 = 0
        for i in 0..<8 { stored |= UInt64(bytes[entriesEnd + i]) << UInt64(8 * i) }
        if fnv1a(bytes[entriesStart..<entriesEnd]) != stored {
            throw fail(entriesEnd, "checksum mismatch: the file is truncated or damaged")
        }
        var keyBytes: [UInt8] = []
        var keyEnds: [Int] = []
        var counts: [UInt64] = []
        keyEnds.reserveCapacity(min(header.entries, bytes.count))
        counts.reserveCapacity(min(header.entries, bytes.count))
        var p = entriesStart
        var previous: ArraySlice<UInt8>? = nil
        var total: UInt64 = 0
        while p < entriesEnd {
            let recordStart = p
            guard let length = readLEB128(bytes, &p, limit: entriesEnd), length > 0, length <= UInt64(entriesEnd - p) else {
                throw fail(recordStart, "bad key length in entry \(counts.count + 1)")
            }
            let key = bytes[p..<(p + Int(length))]
            p += Int(length)
            if let previous, !previous.lexicographicallyPrecedes(key) {
                throw fail(recordStart, "entry \(counts.count + 1) is not in ascending key order (or repeats a key)")
            }
            guard let count = readLEB128(bytes, &p, limit: entriesEnd), count > 0 else {
                throw fail(p, "bad count in entry \(counts.count + 1)")
            }
            keyBytes.append(contentsOf: key)
            keyEnds.append(keyBytes.count)
            counts.append(count)
            let (sum, overflow) = total.addingReportingOverflow(count)
            if overflow { throw fail(recordStart, "the counts overflow 64 bits") }
            total = sum
            previous = key
        }
        guard counts.count == header.entries else {
            throw fail(entriesEnd, "the header announces \(header.entries) entries but the file has \(counts.count)")
        }
        guard total == header.total else {
            throw fail(entriesEnd, "the header announces a total of \(header.total) but the counts sum to \(total)")
        }
        let source = CountSource(preTokenizer: header.preTokenizer, normalizer: header.normalizer,
                                 maxPretokenBytes: header.maxPretokenBytes)
        return PretokenCounts(source: source, sortedKeyBytes: keyBytes, keyEnds: keyEnds, counts: counts,
                              textBytes: header.textBytes)
    }
}

func appendLEB128(_ value: UInt64, to out: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}

/// Reads an unsigned LEB128 at `p` (advancing it); nil when truncated or longer than 64 bits.
func readLEB128(_ bytes: [UInt8], _ p: inout Int, limit: Int) -> UInt64? {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while p < limit {
        let b = bytes[p]
        p += 1
        if shift == 63 && b > 1 { return nil }
        value |= UInt64(b & 0x7F) << shift
        if b & 0x80 == 0 { return value }
        shift += 7
        if shift > 63 { return nil }
    }
    return nil
}

/// FNV-1a, 64 bits.
func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}
