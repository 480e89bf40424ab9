// TiktokenLoader: reads tiktoken's `.tiktoken` rank files (`load_tiktoken_bpe`): one line per token,
// `base64(token bytes) SP rank LF`, no header; empty lines are skipped and `\r\n` is accepted. The rank
// is the token id and the merge priority (rule `.rankOrder`).
//
// Speed: the file is parsed in place from one byte buffer (memchr for line ends, a table-driven base64
// decoder), no String is made per line, and decoded tokens go back to back into one packed buffer that
// `Vocabulary(packed:ends:)` takes as is (no per-token allocation). Load times are in docs/benchmarks.md.
//
// Invariant: each rank appears once, each token's bytes appear once, base64 is canonical-length
// (a multiple of 4 with `=` padding, like Python's `base64.b64decode`), and the result's ids are the
// ranks. Every violation is a `FormatError` "FILE:LINE: …".
// Complexity: O(file size).

import Foundation
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer
import TesseraUnicode

/// Loads `.tiktoken` files.
public enum TiktokenLoader {
    /// Largest rank accepted (ids index dense tables, so a huge rank would allocate gigabytes).
    public static let maximumRank = 1 << 24

    /// Loads a `.tiktoken` (or `.tiktoken.gz`) file as a tokenizer. The pattern and special tokens come
    /// from the sidecar `<file>.json` when present, else from the known encoding the file name names.
    /// - Throws: `FormatError` naming the file and line, or `.unknownEncoding` saying how to write a sidecar.
    public static func load(path: String) throws -> Tokenizer {
        let encoding = try resolveEncoding(for: path)
        let bytes = try FileBytes.read(path)
        return try load(bytes: bytes, file: path, encoding: encoding)
    }

    /// Builds a tokenizer from `.tiktoken` content and its sidecar's content, without touching the file
    /// system: the encoding is the sidecar over the known encoding that `file`'s name selects, as for
    /// `load(path:)`. `sidecarFile` names the sidecar in errors.
    public static func load(bytes: [UInt8], sidecarBytes: [UInt8], file: String, sidecarFile: String) throws -> Tokenizer {
        let sidecar = try TiktokenSidecar.parse(sidecarBytes, file: sidecarFile)
        let encoding = try sidecar.resolve(over: KnownEncoding.forFile(file), vocabularyPath: file, sidecarPath: sidecarFile)
        return try load(bytes: bytes, file: file, encoding: encoding)
    }

    /// Builds a tokenizer from `.tiktoken` content and its encoding description.
    public static func load(bytes: [UInt8], file: String, encoding: KnownEncoding) throws -> Tokenizer {
        let model = try parseModel(bytes, file: file)
        let specials = try Assembly.specialTokens(encoding.specialTokens, vocabulary: model.vocabulary, file: file,
                                                  source: "special_tokens (encoding \(encoding.name))")
        let preTokenizer = try Assembly.preTokenizer(for: encoding.pattern, file: file, at: .field("pattern"))
        let normalizer = encoding.normalization.map { TextNormalizer(normalizer: .unicode($0)) }
        if let nVocab = encoding.nVocab {
            // tiktoken's Encoding checks explicit_n_vocab the same two ways.
            let maxID = max(model.vocabulary.idUpperBound - 1, encoding.specialTokens.map { Int($0.id) }.max() ?? -1)
            if model.vocabulary.count + encoding.specialTokens.count != nVocab || maxID != nVocab - 1 {
                throw FormatError(.invalidValue, file: file, at: .field("n_vocab"),
                                  "n_vocab is \(nVocab), but the file has \(model.vocabulary.count) ranks and "
                                  + "\(encoding.specialTokens.count) special tokens with the largest id \(maxID)",
                                  fix: "n_vocab must equal ranks + special tokens, with ids 0..<n_vocab; correct or remove it in the sidecar")
            }
        }
        return Tokenizer(name: encoding.name, normalizer: normalizer, preTokenizer: preTokenizer, model: model,
                         specialTokens: specials, patternDescription: encoding.pattern.source)
    }

    /// The encoding for a `.tiktoken` path: sidecar over known encoding, known encoding alone, or an error.
    public static func resolveEncoding(for path: String) throws -> KnownEncoding {
        let known = KnownEncoding.forFile(path)
        for sidecarPath in TiktokenSidecar.candidates(for: path) where FileManager.default.fileExists(atPath: sidecarPath) {
            let sidecar = try TiktokenSidecar.read(sidecarPath)
            return try sidecar.resolve(over: known, vocabularyPath: path, sidecarPath: sidecarPath)
        }
        if let known { return known }
        let sidecar = TiktokenSidecar.candidates(for: path).last ?? path + ".json"
        throw FormatError(.unknownEncoding, file: path,
                          "a .tiktoken file holds only ranks, and \((path as NSString).lastPathComponent) is not a known encoding "
                          + "(known file names start with o200k_base, cl100k_base, r50k_base, gpt2 or qwen), so its split pattern "
                          + "and special tokens are unknown",
                          fix: "create the sidecar \(sidecar) containing \(TiktokenSidecar.example)")
    }

    /// Parses ranks into a `.rankOrder` BPE model.
    public static func parseModel(_ bytes: [UInt8], file: String) throws -> BPEModel {
        let (packed, ends, ranks, lines, sequential) = try parseRanks(bytes, file: file)
        let vocabulary: Vocabulary
        do {
            if sequential {
                vocabulary = try Vocabulary(packed: packed, ends: ends)
            } else {
                var start = 0
                let entries = zip(ends, ranks).map { end, rank -> (bytes: [UInt8], id: TokenID) in
                    defer { start = Int(end) }
                    return (Array(packed[start..<Int(end)]), rank)
                }
                vocabulary = try Vocabulary(entries: entries)
            }
        } catch let BPEError.duplicateTokenBytes(firstID, secondID, tokenBytes) {
            let lineOf = { (id: TokenID) -> Int in
                sequential ? lines[Int(id)] : (ranks.firstIndex(of: id).map { lines[$0] } ?? 0)
            }
            throw FormatError(.invalidValue, file: file, at: .line(lineOf(secondID)),
                              "token \(showBytes(tokenBytes).debugDescription) (rank \(secondID)) repeats the bytes of rank \(firstID) "
                              + "on line \(lineOf(firstID))",
                              fix: "each token must appear once; remove one of the two lines")
        } catch {
            throw Assembly.bpeError(error, file: file)
        }
        do {
            return try BPEModel(vocabulary: vocabulary, rule: .rankOrder)
        } catch {
            throw Assembly.bpeError(error, file: file)
        }
    }

    /// Base64 alphabet value of each byte: 0–63, `pad` for "=", `invalid` otherwise.
    static let base64Value: [UInt8] = {
        var t = [UInt8](repeating: invalid, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        t[Int(UInt8(ascii: "="))] = pad
        return t
    }()
    static let invalid: UInt8 = 0xFF
    static let pad: UInt8 = 0xFE

    /// The tokens (back to back in `packed`, entry i ending at `ends[i]`), ranks and 1-based line numbers
    /// of every entry, and whether rank i is on entry i.
    static func parseRanks(_ bytes: [UInt8], file: String) throws
        -> (packed: [UInt8], ends: [UInt32], ranks: [TokenID], lines: [Int], sequential: Bool) {
        var packed: [UInt8] = []
        packed.reserveCapacity(bytes.count * 3 / 4)
        var ends: [UInt32] = []
        var ranks: [TokenID] = []
        var lines: [Int] = []
        let estimate = bytes.count / 12 + 16
        ends.reserveCapacity(estimate)
        ranks.reserveCapacity(estimate)
        lines.reserveCapacity(estimate)
        var sequential = true
        var lineOfRank: [Int32] = []   // 0 = unused; filled lazily once ranks stop being sequential
        try bytes.withUnsafeBufferPointer { buffer in
            guard let p = buffer.baseAddress else { return }
            let n = buffer.count
            var scratchCapacity = 4096
            var scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: scratchCapacity)
            defer { scratch.deallocate() }
            let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
            table.initialize(from: base64Value, count: 256)
            defer { table.deallocate() }
            var pos = 0
            var line = 0
            while pos < n {
                line += 1
                let start = pos
                var end: Int
                if let nl = memchr(p + start, 0x0A, n - start) {
                    end = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - p
                    pos = end + 1
                } else {
                    end = n
                    pos = n
                }
                if end > start && p[end - 1] == 0x0D { end -= 1 }
                if end == start { continue }   // empty line
                // Field 1: the base64 token.
                var i = start
                while i < end && p[i] != 0x20 && p[i] != 0x09 { i += 1 }
                let tokenEnd = i
                while i < end && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
                if i == end {
                    throw FormatError(.syntax, file: file, at: .line(line),
                                      "expected \"<base64 token> <rank>\" but the line has no rank: \"\(showBytes(buffer[start..<end]))\"",
                                      fix: "the file may be truncated; re-download it")
                }
                if tokenEnd == start {
                    throw FormatError(.syntax, file: file, at: .line(line), "the line starts with a space, so the token is missing",
                                      fix: "each line must be \"<base64 token> <rank>\"")
                }
                // Field 2: the decimal rank, then optional trailing blanks.
                var rank = 0
                let rankStart = i
                while i < end, p[i] &- 0x30 < 10 {
                    rank = rank * 10 + Int(p[i] &- 0x30)
                    if rank > maximumRank {
                        throw FormatError(.invalidValue, file: file, at: .line(line),
                                          "rank \(String(decoding: buffer[rankStart..<min(end, rankStart + 20)], as: UTF8.self)) is too large "
                                          + "(the limit is \(maximumRank))", fix: "ranks are token ids; renumber the file")
                    }
                    i += 1
                }
                let digitsEnd = i
                while i < end && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
                if digitsEnd == rankStart || i != end {
                    throw FormatError(.syntax, file: file, at: .line(line),
                                      "the rank \"\(showBytes(buffer[rankStart..<end]))\" is not a non-negative decimal number",
                                      fix: "each line must be \"<base64 token> <rank>\" with nothing after the rank")
                }
                // Decode the token.
                let length = tokenEnd - start
                if length > scratchCapacity {
                    scratch.deallocate()
                    scratchCapacity = length
                    scratch = .allocate(capacity: scratchCapacity)
                }
                let decoded = decodeBase64(p + start, length, table, into: scratch)
                if decoded < 0 {
                    throw base64Error(UnsafeBufferPointer(start: p + start, count: length), code: decoded, file: file, line: line)
                }
                // Duplicate ranks.
                let index = ranks.count
                if sequential && rank != index {
                    sequential = false
                    lineOfRank = [Int32](repeating: 0, count: max(rank, index) + 1)
                    for (j, l) in lines.enumerated() { lineOfRank[j] = Int32(l) }
                }
                if !sequential {
                    if rank >= lineOfRank.count { lineOfRank.append(contentsOf: repeatElement(0, count: rank + 1 - lineOfRank.count)) }
                    if lineOfRank[rank] != 0 {
                        throw FormatError(.invalidValue, file: file, at: .line(line),
                                          "rank \(rank) is already used on line \(lineOfRank[rank])",
                                          fix: "ranks are token ids and must be unique")
                    }
                    lineOfRank[rank] = Int32(line)
                }
                packed.append(contentsOf: UnsafeBufferPointer(start: scratch, count: decoded))
                ends.append(UInt32(packed.count))
                ranks.append(TokenID(rank))
                lines.append(line)
            }
        }
        if ends.isEmpty {
            throw FormatError(.syntax, file: file, "the file has no tokens",
                              fix: "a .tiktoken file has one \"<base64 token> <rank>\" line per token")
        }
        return (packed, ends, ranks, lines, sequential)
    }

    /// Decodes `count` bytes of base64 at `s` into `out` (room for `count / 4 * 3` bytes) with the value table
    /// `table`. Returns the decoded length, or `-1 - i` when the 4-character group at `i` is invalid, or
    /// `Int.min` when `count` is not a multiple of 4.
    @inline(__always)
    static func decodeBase64(_ s: UnsafePointer<UInt8>, _ count: Int, _ table: UnsafePointer<UInt8>,
                             into out: UnsafeMutablePointer<UInt8>) -> Int {
        if count & 3 != 0 || count == 0 { return Int.min }
        var o = 0
        var i = 0
        // All groups but the last: four alphabet characters, three bytes.
        while i + 4 < count {
            let a = table[Int(s[i])], b = table[Int(s[i + 1])], c = table[Int(s[i + 2])], d = table[Int(s[i + 3])]
            if (a | b | c | d) >= 64 { return -1 - i }
            let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            out[o] = UInt8(truncatingIfNeeded: v >> 16)
            out[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
            out[o + 2] = UInt8(truncatingIfNeeded: v)
            o += 3
            i += 4
        }
        // The last group: "xxxx", "xxx=" or "xx==".
        let a = table[Int(s[i])], b = table[Int(s[i + 1])], c = table[Int(s[i + 2])], d = table[Int(s[i + 3])]
        if (a | b) >= 64 { return -1 - i }
        let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c & 63) << 6 | UInt32(d & 63)
        out[o] = UInt8(truncatingIfNeeded: v >> 16)
        o += 1
        if c == pad {
            if d != pad { return -1 - i }
        } else {
            if c >= 64 { return -1 - i }
            out[o] = UInt8(truncatingIfNeeded: v >> 8)
            o += 1
            if d != pad {
                if d >= 64 { return -1 - i }
                out[o] = UInt8(truncatingIfNeeded: v)
                o += 1
            }
        }
        return o
    }

    /// The error for a token that `decodeBase64` rejected with `code`.
    static func base64Error(_ token: UnsafeBufferPointer<UInt8>, code: Int, file: String, line: Int) -> FormatError {
        let what: String
        if code == Int.min {
            what = "its length \(token.count) is not a multiple of 4"
        } else {
            let group = -1 - code
            let chars = token[group..<min(group + 4, token.count)]
            if let bad = chars.firstIndex(where: { base64Value[Int($0)] == invalid }) {
                what = "character \(bad + 1) (\(showBytes([token[bad]]).debugDescription)) is not a base64 character"
            } else {
                what = "the padding in characters \(group + 1)–\(group + 4) (\"\(showBytes(chars))\") is misplaced"
            }
        }
        return FormatError(.syntax, file: file, at: .line(line),
                           "the token \"\(showBytes(token))\" is not valid base64: \(what)",
                           fix: "the line is corrupt; re-download the file")
    }
}
