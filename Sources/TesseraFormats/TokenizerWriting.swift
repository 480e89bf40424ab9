// TokenizerWriting: the one protocol every output format implements, and the registry `tessera convert`
// looks formats up in. A format that only needs "tokenizer → bytes of one file" plugs in with one line in
// `TokenizerWriters.all` through `SingleFileWriter` (that is how the tokenizer.json writer joins).
//
// Invariant: writers write atomically (`AtomicFile`) and never leave a half-written target; everything a
// format cannot carry is in the returned report, never dropped silently. Complexity: per writer.

import Foundation
import TesseraBPE
import TesseraTokenizer

/// Options every writer accepts; the format-specific ones are ignored by the other writers.
public struct WriteOptions: Sendable {
    /// Threads for merge recovery and verification (results never depend on it).
    public var threads: Int
    /// Check that the written merges reproduce every token (rank order → merge list targets).
    public var verify: Bool
    /// GPT-2 `merges.txt`: the first line (default `#version: 0.2`).
    public var mergesHeader: String?
    /// tekken: `config.version` (default `v7`) and the special ids whose `is_control` is false.
    public var tekkenVersion: String?
    public var tekkenNonControl: Set<TokenID>

    public init(threads: Int = 1, verify: Bool = true, mergesHeader: String? = nil, tekkenVersion: String? = nil,
                tekkenNonControl: Set<TokenID> = []) {
        self.threads = threads
        self.verify = verify
        self.mergesHeader = mergesHeader
        self.tekkenVersion = tekkenVersion
        self.tekkenNonControl = tekkenNonControl
    }
}

/// An output format.
public protocol TokenizerWriting: Sendable {
    /// The name `tessera convert --to` uses.
    var format: String { get }
    /// Other accepted names.
    var aliases: [String] { get }
    /// What the output path is: "a .tiktoken file", "a folder", …
    var target: String { get }
    /// Serializes `tokenizer` for `path` without touching the disk, with the report of what the format cannot
    /// carry (so a caller can refuse a lossy result before anything is written).
    /// - Throws: `FormatError` (`.unsupported` for a model the format cannot hold at all).
    func prepare(_ tokenizer: Tokenizer, for path: String, options: WriteOptions) throws -> PreparedWrite
}

extension TokenizerWriting {
    /// Writes `tokenizer` to `path` atomically and reports what the format could not carry.
    /// - Throws: `FormatError` (`.unwritable`, or `.unsupported` for a model the format cannot hold at all).
    public func write(_ tokenizer: Tokenizer, to path: String, options: WriteOptions = WriteOptions()) throws -> ConversionReport {
        var prepared = try prepare(tokenizer, for: path, options: options)
        try prepared.commit()
        return prepared.report
    }
}

/// Serialized output waiting to be written: the files' bytes and the report.
public struct PreparedWrite: Sendable {
    public var report: ConversionReport
    /// Files to write, in order.
    public var files: [(path: String, bytes: [UInt8])]
    /// A folder to create first (formats written as a folder of files).
    public var folder: String?
    /// Files to remove (a stale sidecar that would change how the new files read).
    public var remove: [String] = []

    public init(report: ConversionReport, files: [(path: String, bytes: [UInt8])], folder: String? = nil, remove: [String] = []) {
        self.report = report
        self.files = files
        self.folder = folder
        self.remove = remove
    }

    /// Writes every file atomically (`AtomicFile`) and records the time and the paths in the report.
    public mutating func commit() throws {
        let (folder, files, remove) = (self.folder, self.files, self.remove)
        try report.timed("write") {
            if let folder { try AtomicFile.makeFolder(folder) }
            for f in files { try AtomicFile.write(f.bytes, to: f.path) }
            for path in remove where FileManager.default.fileExists(atPath: path) {
                do { try FileManager.default.removeItem(atPath: path) } catch {
                    throw FormatError(.unwritable, file: path, "the stale file cannot be removed (\(error.localizedDescription))",
                                      fix: "remove it by hand: it would change how the new files read")
                }
            }
        }
        report.files = files.map(\.path)
    }
}

/// A format whose whole output is one file produced by a function (e.g. tokenizer.json).
public struct SingleFileWriter: TokenizerWriting {
    public let format: String
    public let aliases: [String]
    public let target: String
    let produce: @Sendable (Tokenizer) throws -> [UInt8]

    public init(format: String, aliases: [String] = [], produce: @escaping @Sendable (Tokenizer) throws -> [UInt8]) {
        self.format = format
        self.aliases = aliases
        self.target = "a \(format) file"
        self.produce = produce
    }

    public init(format: String, aliases: [String] = [], data: @escaping @Sendable (Tokenizer) throws -> Data) {
        self.init(format: format, aliases: aliases) { Array(try data($0)) }
    }

    public func prepare(_ tokenizer: Tokenizer, for path: String, options: WriteOptions) throws -> PreparedWrite {
        var report = ConversionReport(format: format)
        let bytes = try report.timed("serialize") { try produce(tokenizer) }
        return PreparedWrite(report: report, files: [(path, bytes)])
    }
}

/// The formats `tessera convert` can write.
public enum TokenizerWriters {
    /// Every writer in this build. A new single-file format is one more line here.
    public static let all: [any TokenizerWriting] = [
        TiktokenWriter(),
        GPT2Writer(),
        MinBPEWriter(),
        TekkenWriter(),
        SingleFileWriter(format: "tokenizer.json", aliases: ["hf", "huggingface", "json"]) { try TokenizerJSONWriter.data(for: $0) },
    ]

    /// Formats Tessera plans to write, with the reason shown while this build has no writer for them.
    static let planned: [String: String] = [
        "tokenizer.json": "the Hugging Face tokenizer.json writer is not part of this build yet",
    ]

    /// Planned formats that no writer in `all` provides, with the reason shown to users.
    public static var unavailable: [String: String] { planned.filter { writer(named: $0.key) == nil } }

    /// The writer called `name` (or one of its aliases), case-insensitively.
    public static func writer(named name: String) -> (any TokenizerWriting)? {
        let key = name.lowercased()
        return all.first { $0.format == key || $0.aliases.contains(key) }
    }

    /// Names accepted by `writer(named:)`, for messages.
    public static var names: [String] { all.map(\.format) }
}
