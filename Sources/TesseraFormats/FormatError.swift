// FormatError: the one error type of TesseraFormats.
//
// Every error names the file, where in it the problem is (a 1-based line, a JSON field path such as
// `model.merges[12]`, a byte offset, or a GGUF key) and what to do about it, so that a user who
// only sees `tessera: FILE:LINE: problem. Fix: …` can act without reading our source.
//
// Invariant: `description` always starts with the file (or the name that was asked for) and always
// contains the fix when one is known. Complexity: O(1) apart from string formatting.

import Foundation

/// A problem reading a tokenizer file: which file, where, what, and how to fix it.
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is (for callers that branch on it; the message is for people).
    public enum Kind: String, Sendable, Equatable {
        /// The file or folder does not exist.
        case fileNotFound
        /// The file exists but could not be read (permissions, a folder where a file was expected…).
        case unreadable
        /// The gzip stream is corrupt or truncated.
        case corruptCompression
        /// A line, field or record does not have the expected syntax.
        case syntax
        /// A value is well-formed but not acceptable (a duplicate, an id out of range, an unknown token…).
        case invalidValue
        /// A valid feature of the format that Tessera does not implement (yet).
        case unsupported
        /// The file's format could not be recognised.
        case unknownFormat
        /// A `.tiktoken` file whose encoding (pattern, special tokens) is not known and has no sidecar.
        case unknownEncoding
        /// A named vocabulary that was not found in any of the searched folders.
        case vocabularyNotFound
        /// An output file or folder could not be written (permissions, a full disk, a file where a folder is needed…).
        case unwritable
    }

    /// Where in the file the problem is.
    public enum Location: Sendable, Equatable {
        /// The file as a whole.
        case file
        /// A 1-based line number.
        case line(Int)
        /// A JSON field path (`model.merges[3]`) or a GGUF key (`tokenizer.ggml.merges[3]`).
        case field(String)
        /// A byte offset from the start of the (decompressed) file.
        case byteOffset(Int)
    }

    public var kind: Kind
    /// The path (or vocabulary name) the problem is in.
    public var file: String
    public var location: Location
    /// What is wrong, in one sentence.
    public var problem: String
    /// What to do about it; empty when nothing but "use a different file" applies.
    public var fix: String

    public init(_ kind: Kind, file: String, at location: Location = .file, _ problem: String, fix: String = "") {
        self.kind = kind
        self.file = file
        self.location = location
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        var s: String
        switch location {
        case .file: s = "\(file): "
        case .line(let n): s = "\(file):\(n): "
        case .field(let path): s = "\(file): at \(path): "
        case .byteOffset(let o): s = "\(file): at byte offset \(o): "
        }
        s += problem
        if !fix.isEmpty { s += ". Fix: " + fix }
        return s
    }
}

extension FormatError: LocalizedError {
    public var errorDescription: String? { description }
}

/// Shows a few bytes of a file for an error message: printable ASCII as is, the rest as `\xNN`.
func showBytes<C: Collection<UInt8>>(_ bytes: C, limit: Int = 60) -> String {
    var s = ""
    for b in bytes.prefix(limit) {
        if b >= 0x20 && b < 0x7f && b != UInt8(ascii: "\\") { s.unicodeScalars.append(Unicode.Scalar(b)) }
        else { s += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16) }
    }
    if bytes.count > limit { s += "…" }
    return s
}
