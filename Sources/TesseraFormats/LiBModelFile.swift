// LiBModelFile: Tessera's LiB model file (written by `tessera train lib`), a UTF-8 text file:
//
//     tessera-lib v1
//     # free comment lines (training settings, provenance)
//     deeper 0                  (1: split chunks further at encode time, the reference's seg_deeper)
//     tokens 2000
//     <chunk of rank 0>
//     <chunk of rank 1>
//     …                         (exactly `tokens` lines; id = rank = line order)
//
// Chunks are written as they are, except `\` → `\\`, newline → `\n`, tab → `\t`, CR → `\r` and other
// control bytes → `\xNN`, so every chunk is one line and spaces at either end survive. The first line
// tells it apart from the other `.model` files (minbpe's "minbpe v1", SentencePiece's protobuf).
// Loading gives a `Tokenizer` with a `LiBModel` (plus byte-fallback ids after the chunks) and the
// `LineSplitter` pre-tokenizer.
//
// Invariant: a file that loads lists distinct, non-empty, valid UTF-8 chunks; every problem is a
// `FormatError` naming the line. Complexity: O(file size).

import Foundation
import TesseraLiB
import TesseraTokenizer

/// Reads and writes LiB model files.
public enum LiBModelFile {
    /// The first line of every LiB model file.
    public static let signature = "tessera-lib v1"

    /// Whether `head` (the first bytes of a file) starts with the signature line.
    public static func looksLikeLiB<C: Collection<UInt8>>(_ head: C) -> Bool {
        guard head.starts(with: signature.utf8) else { return false }
        let rest = head.dropFirst(signature.utf8.count)
        return rest.first.map { $0 == 0x0A || $0 == 0x0D } ?? true
    }

    /// The content of a model file.
    public struct Contents: Sendable, Equatable {
        public var lexicon: [[UInt8]]
        public var deeper: Bool
        /// Comment lines without their "# ".
        public var comments: [String]
        public init(lexicon: [[UInt8]], deeper: Bool, comments: [String] = []) {
            self.lexicon = lexicon; self.deeper = deeper; self.comments = comments
        }
    }

    /// Loads `path` (optionally gzipped) as a tokenizer.
    public static func load(path: String) throws -> Tokenizer {
        try load(bytes: FileBytes.read(path), file: path)
    }

    /// Builds the segmentation tokenizer from a model file's content; `file` names it in errors.
    public static func load(bytes: [UInt8], file path: String) throws -> Tokenizer {
        let contents = try read(bytes: bytes, file: path)
        let model: LiBModel
        do { model = try LiBModel(lexicon: contents.lexicon, deeper: contents.deeper) } catch {
            throw FormatError(.invalidValue, file: path, "\(error)", fix: "retrain, or repair the listed entry")
        }
        return Tokenizer(name: TiktokenSidecar.stem(of: path), preTokenizer: LineSplitter(), model: model,
                         patternDescription: "lines (LiB segments one line at a time)")
    }

    /// Parses a model file.
    public static func read(bytes: [UInt8], file: String) throws -> Contents {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        func text(_ i: Int) -> ArraySlice<UInt8> {
            var line = lines[i]
            if line.last == 0x0D { line = line.dropLast() }
            return line
        }
        guard !lines.isEmpty, Array(text(0)) == Array(signature.utf8) else {
            throw FormatError(.syntax, file: file, at: .line(1), "the first line is not \"\(signature)\"",
                              fix: "give a LiB model written by `tessera train lib`")
        }
        var deeper = false
        var comments: [String] = []
        var i = 1
        var count: Int?
        while i < lines.count {
            let line = String(decoding: text(i), as: UTF8.self)
            i += 1
            if line.hasPrefix("#") { comments.append(String(line.dropFirst(line.hasPrefix("# ") ? 2 : 1))); continue }
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 2 else {
                throw FormatError(.syntax, file: file, at: .line(i), "expected \"deeper 0|1\" or \"tokens N\", found \"\(line)\"",
                                  fix: "keep the header lines as `tessera train lib` writes them")
            }
            switch fields[0] {
            case "deeper":
                guard fields[1] == "0" || fields[1] == "1" else {
                    throw FormatError(.invalidValue, file: file, at: .line(i), "deeper must be 0 or 1, not \(fields[1])",
                                      fix: "write `deeper 0` or `deeper 1`")
                }
                deeper = fields[1] == "1"
            case "tokens":
                guard let n = Int(fields[1]), n >= 1 else {
                    throw FormatError(.invalidValue, file: file, at: .line(i), "the token count \(fields[1]) is not a positive number",
                                      fix: "write the number of chunk lines that follow")
                }
                count = n
            default:
                throw FormatError(.syntax, file: file, at: .line(i), "unknown header field \"\(fields[0])\"",
                                  fix: "the header knows only `deeper` and `tokens` (and # comments)")
            }
            if count != nil { break }
        }
        guard let count else {
            throw FormatError(.syntax, file: file, at: .line(lines.count), "the header has no \"tokens N\" line",
                              fix: "add `tokens N` before the chunk lines")
        }
        guard lines.count - i == count else {
            throw FormatError(.invalidValue, file: file, at: .line(i), "the header announces \(count) chunks but \(lines.count - i) lines follow",
                              fix: "make `tokens` equal the number of chunk lines (the file may be truncated)")
        }
        var lexicon: [[UInt8]] = []
        lexicon.reserveCapacity(count)
        var seen: [[UInt8]: Int] = [:]
        for k in i..<lines.count {
            let chunk = try unescape(lines[k], file: file, line: k + 1)
            if chunk.isEmpty {
                throw FormatError(.invalidValue, file: file, at: .line(k + 1), "empty chunk", fix: "remove the empty line")
            }
            if String(validating: chunk, as: UTF8.self) == nil {
                throw FormatError(.invalidValue, file: file, at: .line(k + 1), "the chunk is not valid UTF-8",
                                  fix: "LiB chunks are text; write bytes that are not text as \\xNN only inside valid characters")
            }
            if let first = seen[chunk] {
                throw FormatError(.invalidValue, file: file, at: .line(k + 1), "the chunk repeats line \(first)",
                                  fix: "every chunk appears once; remove the duplicate")
            }
            seen[chunk] = k + 1
            lexicon.append(chunk)
        }
        return Contents(lexicon: lexicon, deeper: deeper, comments: comments)
    }

    /// The file's bytes.
    public static func serialize(_ contents: Contents) -> [UInt8] {
        var out = Array((signature + "\n").utf8)
        for c in contents.comments { out += Array(("# " + c.replacingOccurrences(of: "\n", with: " ") + "\n").utf8) }
        out += Array("deeper \(contents.deeper ? 1 : 0)\ntokens \(contents.lexicon.count)\n".utf8)
        for chunk in contents.lexicon {
            for b in chunk {
                switch b {
                case 0x5C: out += [0x5C, 0x5C]
                case 0x0A: out += [0x5C, UInt8(ascii: "n")]
                case 0x09: out += [0x5C, UInt8(ascii: "t")]
                case 0x0D: out += [0x5C, UInt8(ascii: "r")]
                case 0..<0x20, 0x7F: out += Array(String(format: "\\x%02x", b).utf8)
                default: out.append(b)
                }
            }
            out.append(0x0A)
        }
        return out
    }

    /// Writes a model file atomically.
    public static func write(_ contents: Contents, to path: String) throws {
        try AtomicFile.write(serialize(contents), to: path)
    }

    private static func unescape(_ line: ArraySlice<UInt8>, file: String, line number: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(line.count)
        var i = line.startIndex
        func bad(_ what: String) -> FormatError {
            FormatError(.syntax, file: file, at: .line(number), what, fix: "escape a backslash as \\\\; known escapes are \\n \\t \\r \\xNN")
        }
        while i < line.endIndex {
            let b = line[i]
            i += 1
            guard b == 0x5C else { out.append(b); continue }
            guard i < line.endIndex else { throw bad("the line ends inside an escape") }
            let e = line[i]
            i += 1
            switch e {
            case 0x5C: out.append(0x5C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "x"):
                guard line.endIndex - i >= 2, let v = UInt8(String(decoding: line[i..<i + 2], as: UTF8.self), radix: 16) else {
                    throw bad("\\x must be followed by two hex digits")
                }
                out.append(v)
                i += 2
            default: throw bad("unknown escape \\\(String(decoding: [e], as: UTF8.self))")
            }
        }
        return out
    }
}
