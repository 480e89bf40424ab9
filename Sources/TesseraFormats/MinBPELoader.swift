// MinBPELoader: reads Karpathy's minbpe `.model` files (minbpe/base.py `Tokenizer.load`), a text format:
//
//     minbpe v1
//     <split pattern, one line; empty for BasicTokenizer (no split)>
//     <number of special tokens>
//     <special text> <id>          (that many lines)
//     <id1> <id2>                  (one merge per line; merge k creates id 256 + k)
//
// Ids 0..255 are the raw bytes (byte b is id b, unlike GPT-2 files, whose byte tokens are numbered by the
// byte-level alphabet order). Token 256 + k is the concatenation of merge k's two tokens. Encoding merges the
// adjacent pair with the lowest merge index, all occurrences left to right (regex.py `_encode_chunk`), which
// is the merge-list rule without a whole-piece lookup: `.mergeList(merges, ignoreMerges: false)`.
// Lines are read as Python reads a text file: `\n`, `\r\n` and `\r` end lines, and fields are stripped.
//
// Invariant: every merge names ids defined before it; tokens are unique byte strings; special ids do not
// collide with byte or merge ids. Violations are `FormatError`s naming the line. Complexity: O(file size).

import Foundation
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer

/// Loads minbpe `.model` files.
public enum MinBPELoader {
    /// The first line of every minbpe model.
    public static let signature = "minbpe v1"

    /// Loads `path` (optionally gzipped).
    public static func load(path: String) throws -> Tokenizer {
        let bytes = try FileBytes.read(path)
        return try load(bytes: bytes, file: path, name: TiktokenSidecar.stem(of: path))
    }

    /// Whether `head` (the first bytes of a file) starts with the minbpe signature line.
    public static func looksLikeMinBPE<C: Collection<UInt8>>(_ head: C) -> Bool {
        guard head.starts(with: signature.utf8) else { return false }
        let rest = head.dropFirst(signature.utf8.count)
        return rest.first.map { $0 == 0x0A || $0 == 0x0D || $0 == 0x20 } ?? true
    }

    /// Parses minbpe content; `file` names it in errors.
    public static func load(bytes: [UInt8], file: String, name: String) throws -> Tokenizer {
        let lines = splitLines(bytes)
        func line(_ i: Int) -> String { String(decoding: lines[i], as: UTF8.self) }
        guard let first = lines.first, pythonStrip(String(decoding: first, as: UTF8.self)) == signature else {
            throw FormatError(.syntax, file: file, at: .line(1), "the first line is not \"\(signature)\"",
                              fix: "a minbpe .model file starts with \"\(signature)\" (written by minbpe's Tokenizer.save)")
        }
        guard lines.count >= 3 else {
            throw FormatError(.syntax, file: file, at: .line(lines.count + 1),
                              "the file ends before the pattern line and the number of special tokens",
                              fix: "the file is truncated; save the model again")
        }
        let pattern = pythonStrip(line(1))
        guard let specialCount = Int(pythonStrip(line(2))), specialCount >= 0 else {
            throw FormatError(.syntax, file: file, at: .line(3), "\"\(showBytes(lines[2]))\" is not a number of special tokens",
                              fix: "line 3 holds the number of special tokens (0 when there are none)")
        }
        guard lines.count >= 3 + specialCount else {
            throw FormatError(.syntax, file: file, at: .line(lines.count + 1),
                              "the file ends after \(lines.count - 3) of its \(specialCount) special tokens",
                              fix: "the file is truncated; save the model again")
        }
        var specials: [SpecialToken] = []
        for i in 3..<(3 + specialCount) {
            let fields = pythonSplit(line(i))
            guard fields.count == 2, let id = TokenID(fields[1]) else {
                throw FormatError(.syntax, file: file, at: .line(i + 1),
                                  "expected \"<special token> <id>\", found \(fields.count) field(s): \"\(showBytes(lines[i]))\"",
                                  fix: "each special token line is its text (without spaces) and its id")
            }
            if specials.contains(where: { $0.text == fields[0] || $0.id == id }) {
                throw FormatError(.invalidValue, file: file, at: .line(i + 1), "special token \(fields[0]) or id \(id) is listed twice",
                                  fix: "special tokens and their ids must be unique")
            }
            specials.append(SpecialToken(fields[0], id))
        }
        // Merges.
        var tokens: [[UInt8]] = (0..<256).map { [UInt8($0)] }
        var merges: [MergePair] = []
        var lineOfMerge: [Int] = []
        for i in (3 + specialCount)..<lines.count {
            let fields = lines[i].split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0B || $0 == 0x0C })
            guard fields.count == 2, let a = parseID(fields[0]), let b = parseID(fields[1]) else {
                if lines[i].isEmpty && i == lines.count - 1 { break }
                throw FormatError(.syntax, file: file, at: .line(i + 1),
                                  "expected a merge \"<id> <id>\", found \"\(showBytes(lines[i]))\"",
                                  fix: "each line after the special tokens is one merge: two token ids separated by a space")
            }
            let next = tokens.count
            guard a < next, b < next else {
                throw FormatError(.invalidValue, file: file, at: .line(i + 1),
                                  "merge \(merges.count + 1) uses id \(max(a, b)), which is not defined before it (ids so far: 0..<\(next))",
                                  fix: "a merge may only join bytes (0–255) and the results of earlier merges")
            }
            tokens.append(tokens[a] + tokens[b])
            merges.append(MergePair(TokenID(a), TokenID(b)))
            lineOfMerge.append(i + 1)
        }
        let vocabulary: Vocabulary
        do {
            vocabulary = try Vocabulary(tokens: tokens)
        } catch let BPEError.duplicateTokenBytes(firstID, secondID, tokenBytes) {
            let at = Int(secondID) >= 256 ? lineOfMerge[Int(secondID) - 256] : 0
            throw FormatError(.invalidValue, file: file, at: .line(at),
                              "merge \(Int(secondID) - 255) builds \(showBytes(tokenBytes).debugDescription), which id \(firstID) already is",
                              fix: "each merge must create a new token; remove the repeated merge")
        }
        for s in specials where Int(s.id) < tokens.count {
            throw FormatError(.invalidValue, file: file, at: .line(3 + (specials.firstIndex(of: s) ?? 0) + 1),
                              "special token \(s.text) has id \(s.id), which is a byte or merge id (0..<\(tokens.count))",
                              fix: "give special tokens ids from \(tokens.count) on")
        }
        let model: BPEModel
        do {
            model = try BPEModel(vocabulary: vocabulary, rule: .mergeList(merges, ignoreMerges: false))
        } catch {
            throw Assembly.bpeError(error, file: file)
        }
        let preTokenizer: any PreTokenizer = pattern.isEmpty
            ? WholeTextPreTokenizer()
            : try Assembly.preTokenizer(for: .recognising(pattern), file: file, at: .line(2))
        let specialTokens = try Assembly.specialTokens(specials.sorted { $0.id < $1.id }, vocabulary: vocabulary, file: file,
                                                       source: "special tokens")
        return Tokenizer(name: name, preTokenizer: preTokenizer, model: model, specialTokens: specialTokens,
                         patternDescription: pattern.isEmpty ? nil : EncodingPattern.recognising(pattern).source)
    }

    static func parseID(_ field: ArraySlice<UInt8>) -> Int? {
        guard !field.isEmpty, field.count <= 9, field.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return field.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// Lines as Python's text mode yields them (universal newlines), without their line ends.
    static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                lines.append(bytes[start..<i])
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                start = i + 1
            }
            i += 1
        }
        if start < bytes.count { lines.append(bytes[start...]) }
        return lines
    }

    /// Python's `str.isspace()` for one scalar: Unicode White_Space plus U+001C–U+001F.
    static func isPythonSpace(_ s: Unicode.Scalar) -> Bool {
        s.properties.isWhitespace || (0x1C...0x1F).contains(s.value)
    }

    /// Python's `str.strip()`.
    static func pythonStrip(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard let lo = scalars.firstIndex(where: { !isPythonSpace($0) }),
              let hi = scalars.lastIndex(where: { !isPythonSpace($0) }) else { return "" }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[lo...hi])
        return String(out)
    }

    /// Python's `str.split()` (runs of whitespace separate fields; no empty fields).
    static func pythonSplit(_ text: String) -> [String] {
        var fields: [String] = []
        var current = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if isPythonSpace(s) {
                if !current.isEmpty { fields.append(String(current)); current = String.UnicodeScalarView() }
            } else {
                current.append(s)
            }
        }
        if !current.isEmpty { fields.append(String(current)) }
        return fields
    }
}
