// ParallelCorpus: the same sentences in many languages, read from the layouts people have.
//
// Layouts:
// - FLORES: a folder with `dev/` and `devtest/` (any split folders given), files `<code>.<split>`
//   (e.g. `eng_Latn.dev`); a language's text is its splits in order.
// - Aligned files: a folder of one file per language, line i of every file the same sentence; the
//   language code is the file name before its first dot.
// - Pair files: `reference<TAB>translation` per line, one file per language (code = file name before
//   its first dot); each language then has its own reference side.
// Text conventions:
// - `joined` (Petrov et al. 2023, the published FLORES figures): each file is split on "\n" — a final
//   newline leaves an empty last element — the pieces joined with single spaces, and the splits joined
//   with a space, encoded as one text;
// - `lines`: every line is encoded on its own and the counts are summed (Arnett et al.'s CTC recipe,
//   and what sentence-level parity needs); the final empty line of a file is dropped.
// Invariant: every language has the same number of lines per split (checked; a ragged file is an
// error naming it and both counts); the ISO 15924 script is read from a `_Xxxx` code suffix.
// Complexity: O(corpus bytes).

import Foundation
import TesseraFormats

/// How a language's lines become the text that is tokenized.
public enum TextConvention: String, Sendable, CaseIterable {
    case joined, lines
}

/// A language side of a parallel corpus.
public struct ParallelText: Sendable {
    /// Language code, e.g. `eng_Latn`.
    public var code: String
    /// ISO 15924 script from the code's `_Xxxx` suffix, if any.
    public var script: String?
    /// Lines of each split, in order (without their line feeds).
    public var splits: [[ArraySlice<UInt8>]]
    /// The file each split came from (for messages).
    public var files: [String]

    /// Number of lines over all splits.
    public var lineCount: Int { splits.reduce(0) { $0 + $1.count } }

    /// The text under `convention`: one text for `joined`, one per line for `lines`.
    public func texts(_ convention: TextConvention) -> [[UInt8]] {
        switch convention {
        case .lines:
            return splits.flatMap { $0.map { Array($0) } }
        case .joined:
            var out: [UInt8] = []
            for (k, lines) in splits.enumerated() {
                if k > 0 { out.append(0x20) }
                for (i, line) in lines.enumerated() {
                    if i > 0 { out.append(0x20) }
                    out.append(contentsOf: line)
                }
                // Python's split("\n") keeps an empty last element after a final newline.
                if endsWithNewline[k] { out.append(0x20) }
            }
            return [out]
        }
    }

    /// Whether each split's file ended with a line feed.
    public var endsWithNewline: [Bool]

    /// The same language restricted to split `k`.
    public func onlySplit(_ k: Int) -> ParallelText {
        ParallelText(code: code, script: script, splits: [splits[k]], files: [files[k]], endsWithNewline: [endsWithNewline[k]])
    }

    /// UTF-8 bytes of the text under `convention`.
    public func byteCount(_ convention: TextConvention) -> Int { texts(convention).reduce(0) { $0 + $1.count } }
}

/// Problems with a parallel corpus.
public struct CorpusError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var fix: String
    public var description: String { "\(message). Fix: \(fix)." }
}

/// Languages with aligned text.
public struct ParallelCorpus: Sendable {
    public var languages: [ParallelText]

    /// The language with `code`.
    public func language(_ code: String) -> ParallelText? { languages.first { $0.code == code } }

    /// Reads a FLORES-style folder (with split subfolders) or a folder of aligned files.
    /// - Throws: `CorpusError` for a missing or empty folder, ragged or empty files; `FormatError` for unreadable ones.
    public static func read(folder: String, splits: [String] = ["dev", "devtest"], only: Set<String>? = nil) throws -> ParallelCorpus {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CorpusError(message: "\(folder) is not a folder", fix: "give the folder holding the language files (FLORES: the one with dev/ and devtest/)")
        }
        let splitFolders = splits.map { (folder as NSString).appendingPathComponent($0) }
        let isFlores = splitFolders.allSatisfy { fm.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue }
        var byCode: [String: [(split: Int, path: String)]] = [:]
        if isFlores {
            for (k, dir) in splitFolders.enumerated() {
                for name in try fm.contentsOfDirectory(atPath: dir) where !name.hasPrefix(".") {
                    byCode[code(of: name), default: []].append((k, (dir as NSString).appendingPathComponent(name)))
                }
            }
        } else {
            for name in try fm.contentsOfDirectory(atPath: folder) where !name.hasPrefix(".") {
                let path = (folder as NSString).appendingPathComponent(name)
                var dir: ObjCBool = false
                if fm.fileExists(atPath: path, isDirectory: &dir), !dir.boolValue { byCode[code(of: name), default: []].append((0, path)) }
            }
        }
        if let only { byCode = byCode.filter { only.contains($0.key) } }
        guard !byCode.isEmpty else {
            throw CorpusError(message: "no language files in \(folder)", fix: "give a FLORES folder (dev/, devtest/) or a folder of aligned files")
        }
        let splitCount = isFlores ? splits.count : 1
        var languages: [ParallelText] = []
        for code in byCode.keys.sorted() {
            let files = (byCode[code] ?? []).sorted { $0.split < $1.split }
            guard files.count == splitCount, Set(files.map(\.split)).count == splitCount else {
                throw CorpusError(message: "\(code) has \(files.count) file(s) for \(splitCount) split(s) (\(files.map(\.path).joined(separator: ", ")))",
                                  fix: "give every language one file per split")
            }
            var text = ParallelText(code: code, script: script(of: code), splits: [], files: [], endsWithNewline: [])
            for f in files {
                let bytes = try FileBytes.read(f.path)
                if bytes.isEmpty { throw CorpusError(message: "\(f.path) is empty", fix: "remove the language or restore its text") }
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
                let final = bytes.last == 0x0A
                if final { lines.removeLast() }
                text.splits.append(lines.map { ArraySlice($0) })
                text.files.append(f.path)
                text.endsWithNewline.append(final)
            }
            languages.append(text)
        }
        try checkAligned(languages)
        return ParallelCorpus(languages: languages)
    }

    /// Reads pair files (`reference<TAB>translation` per line): returns the corpus of translations and,
    /// per language, its own reference side (under the code `reference`).
    public static func read(pairFiles: [String], referenceCode: String = "eng") throws -> (translations: ParallelCorpus, references: [String: ParallelText]) {
        var translations: [ParallelText] = []
        var references: [String: ParallelText] = [:]
        for path in pairFiles.sorted() {
            let bytes = try FileBytes.read(path)
            if bytes.isEmpty { throw CorpusError(message: "\(path) is empty", fix: "remove it or restore its text") }
            var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            let final = bytes.last == 0x0A
            if final { lines.removeLast() }
            var left: [ArraySlice<UInt8>] = [], right: [ArraySlice<UInt8>] = []
            for (i, line) in lines.enumerated() {
                guard let tab = line.firstIndex(of: 0x09) else {
                    throw CorpusError(message: "\(path):\(i + 1): no tab between the reference and the translation",
                                      fix: "write each line as reference<TAB>translation")
                }
                left.append(ArraySlice(line[line.startIndex..<tab]))
                var r = line[(tab + 1)...]
                if r.last == 0x0D { r = r.dropLast() }
                right.append(ArraySlice(r))
            }
            let code = self.code(of: (path as NSString).lastPathComponent)
            translations.append(ParallelText(code: code, script: script(of: code), splits: [right], files: [path], endsWithNewline: [final]))
            references[code] = ParallelText(code: referenceCode, script: script(of: referenceCode), splits: [left], files: [path],
                                            endsWithNewline: [final])
        }
        return (ParallelCorpus(languages: translations), references)
    }

    static func code(of fileName: String) -> String {
        String(fileName.split(separator: ".", maxSplits: 1).first ?? Substring(fileName))
    }

    static func script(of code: String) -> String? {
        guard let underscore = code.lastIndex(of: "_") else { return nil }
        let s = code[code.index(after: underscore)...]
        return s.count == 4 && s.first?.isUppercase == true ? String(s) : nil
    }

    static func checkAligned(_ languages: [ParallelText]) throws {
        guard let first = languages.first else { return }
        for l in languages.dropFirst() {
            for (k, lines) in l.splits.enumerated() where lines.count != first.splits[k].count {
                throw CorpusError(message: "\(l.files[k]) has \(lines.count) lines but \(first.files[k]) has \(first.splits[k].count)",
                                  fix: "parallel files must have the same number of lines (line i is the same sentence in every language)")
            }
        }
    }
}
