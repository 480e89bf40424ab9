// TokenizerLoader: the one entry point that turns a name or a path into a `Tokenizer`.
//
// Detection for a path, in order: a folder (tokenizer.json[.gz] inside, else vocab.json + merges.txt);
// the file name (`*.tiktoken[.gz]`, `*.gguf`, `*vocab.json` / `*merges.txt` / `encoder.json` / `vocab.bpe`,
// any other `*.json[.gz]` = tokenizer.json unless its name or first 4 KiB say tekken); otherwise the content
// (magic "GGUF", the line "minbpe v1", the line "tessera-lib v1", a serialized SentencePiece ModelProto (tag 0x0A,
// length, tag 0x0A: `.model` files, which may also be minbpe text files, so the name alone does not decide), a JSON
// object (tekken or tokenizer.json), or a first line shaped like `<base64> <rank>`).
//
// Names: `o200k_base` (the default) is embedded in the package (Resources/o200k_base.tiktoken). Other known
// names (`cl100k_base`, `r50k_base` / `gpt2`, `qwen`) are looked up, in order, in $TESSERA_VOCABULARIES
// (a folder, or several separated by ':'), ./vocabularies, and every `vocabularies` folder found by walking
// up from the running executable (which finds the package's own vocabularies/ from .build/…/debug).
//
// Invariant: a string equal to a known name is always treated as that name, anything else as a path.
// Complexity: O(1) besides the chosen loader.

import Foundation
import TesseraSentencePiece
import TesseraTokenizer

/// Loads tokenizers by name or path, detecting the format.
public enum TokenizerLoader {
    /// The name used when none is given.
    public static let defaultName = "o200k_base"

    /// The file formats `load(path:)` recognises.
    public enum Format: String, Sendable, CaseIterable {
        case tiktoken, tokenizerJSON = "tokenizer.json", gpt2VocabMerges = "vocab.json+merges.txt", gguf
        /// Karpathy's minbpe `.model` (text starting with "minbpe v1"; SentencePiece `.model` files are protobuf).
        case minbpe
        /// Mistral's tekken JSON.
        case tekken
        /// A SentencePiece `.model` (serialized ModelProto).
        case sentencePiece = "sentencepiece"
        /// Tessera's LiB model (text starting with "tessera-lib v1", written by `tessera train lib`).
        case lib = "tessera-lib"
    }

    /// Loads a known name (the embedded or a searched vocabulary) or a file/folder path.
    /// `nil` or an empty string means `o200k_base`.
    public static func load(nameOrPath: String? = nil) throws -> Tokenizer {
        let request = (nameOrPath ?? "").isEmpty ? defaultName : (nameOrPath ?? defaultName)
        if let known = KnownEncoding.named(request) {
            let path = try locate(known)
            let bytes = try FileBytes.read(path)
            return try TiktokenLoader.load(bytes: bytes, file: path, encoding: known)
        }
        return try load(path: request)
    }

    /// Loads a file or folder, detecting its format.
    public static func load(path: String) throws -> Tokenizer {
        switch try detect(path) {
        case .tiktoken: return try TiktokenLoader.load(path: path)
        case .tokenizerJSON:
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                return try TokenizerJSONLoader.load(path: tokenizerJSON(in: path) ?? path)
            }
            return try TokenizerJSONLoader.load(path: path)
        case .gpt2VocabMerges: return try GPT2Loader.load(path: path)
        case .gguf: return try GGUFLoader.load(path: path)
        case .minbpe: return try MinBPELoader.load(path: path)
        case .tekken: return try TekkenLoader.load(path: path)
        case .sentencePiece:
            let bytes = try FileBytes.read(path)
            do { return try SentencePieceLoader.load(bytes: bytes, file: path) } catch let e as SentencePieceError {
                throw FormatError(e, file: path)
            }
        case .lib: return try LiBModelFile.load(path: path)
        }
    }

    /// The format of `path`.
    public static func detect(_ path: String) throws -> Format {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FormatError(.fileNotFound, file: path, "no such file or folder, and not a known vocabulary name",
                              fix: "give a path, or one of the names " + KnownEncoding.acceptedNames.joined(separator: ", "))
        }
        if isDirectory.boolValue {
            if tokenizerJSON(in: path) != nil { return .tokenizerJSON }
            let join = { (name: String) in (path as NSString).appendingPathComponent(name) }
            if FileManager.default.fileExists(atPath: join("vocab.json")) || FileManager.default.fileExists(atPath: join("encoder.json")) {
                return .gpt2VocabMerges
            }
            throw FormatError(.unknownFormat, file: path, "the folder has neither tokenizer.json nor vocab.json + merges.txt",
                              fix: "give the path of the vocabulary file itself (.tiktoken, .gguf, tokenizer.json)")
        }
        var base = (path as NSString).lastPathComponent.lowercased()
        if base.hasSuffix(".gz") { base = String(base.dropLast(3)) }
        if base.hasSuffix(".tiktoken") { return .tiktoken }
        if base.hasSuffix(".gguf") { return .gguf }
        if base.hasSuffix("vocab.json") || base.hasSuffix("merges.txt") || base == "encoder.json" || base == "vocab.bpe" {
            return .gpt2VocabMerges
        }
        if base.hasSuffix(".json") {
            return TekkenLoader.looksLikeTekken(fileName: base, head: try FileBytes.readHead(path)) ? .tekken : .tokenizerJSON
        }
        // Sniff the content.
        let head = try FileBytes.readHead(path)
        if head.starts(with: "GGUF".utf8) { return .gguf }
        // `.model` files: minbpe's are text with this signature; SentencePiece's are a serialized ModelProto.
        if MinBPELoader.looksLikeMinBPE(head) { return .minbpe }
        if SentencePieceLoader.looksLikeModel(head) { return .sentencePiece }
        if LiBModelFile.looksLikeLiB(head) { return .lib }
        if base.hasSuffix(".model") {
            // A `.model` whose head none of the three signatures matches is most likely a damaged one: route it
            // to the reader its first bytes point at, so the error says what is wrong (a bad varint, a wrong
            // version line) instead of "not recognised".
            if head.starts(with: "minbpe".utf8) { return .minbpe }
            if head.starts(with: "tessera-lib".utf8) { return .lib }
            if let first = head.first, first < 0x80, !(0x20..<0x7F).contains(first) { return .sentencePiece }
        }
        if let first = head.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }), first == UInt8(ascii: "{") {
            return TekkenLoader.looksLikeTekken(fileName: base, head: head) ? .tekken : .tokenizerJSON
        }
        if looksLikeTiktoken(head) { return .tiktoken }
        throw FormatError(.unknownFormat, file: path, "the format is not recognised",
                          fix: "Tessera reads .tiktoken, tokenizer.json, vocab.json + merges.txt, .gguf, minbpe and SentencePiece "
                          + ".model and tekken .json files; name the file with its usual extension")
    }

    static func tokenizerJSON(in folder: String) -> String? {
        for name in ["tokenizer.json", "tokenizer.json.gz"] {
            let p = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }

    /// Whether the first line is `<base64> <digits>`.
    static func looksLikeTiktoken(_ head: ArraySlice<UInt8>) -> Bool {
        guard let end = head.firstIndex(of: 0x0A) else { return false }
        let line = head[head.startIndex..<end]
        guard let space = line.firstIndex(of: 0x20), space > line.startIndex else { return false }
        let token = line[line.startIndex..<space]
        var rank = line[(space + 1)...]
        if rank.last == 0x0D { rank = rank.dropLast() }
        return token.allSatisfy { TiktokenLoader.base64Value[Int($0)] != TiktokenLoader.invalid }
            && !rank.isEmpty && rank.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    // MARK: Named vocabularies

    /// File names tried for a known encoding, in order.
    static func fileNames(for encoding: KnownEncoding) -> [String] {
        var names = [encoding.fileName]
        if encoding.name == "r50k_base" { names += ["gpt2.tiktoken", "r50k_base_gpt2.tiktoken"] }
        return names.flatMap { [$0, $0 + ".gz"] }
    }

    /// The folders searched for named vocabularies, in order.
    public static func searchFolders() -> [String] {
        var folders: [String] = []
        if let env = ProcessInfo.processInfo.environment["TESSERA_VOCABULARIES"], !env.isEmpty {
            folders += env.split(separator: ":").map(String.init)
        }
        folders.append((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("vocabularies"))
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var dir = executable.deletingLastPathComponent()
            while true {
                let candidate = dir.appendingPathComponent("vocabularies").path
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue,
                   !folders.contains(candidate) {
                    folders.append(candidate)
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path || dir.path == "/" { break }
                dir = parent
            }
        }
        return folders
    }

    /// The file of a known encoding: the embedded o200k_base, or the first match in `searchFolders()`.
    public static func locate(_ encoding: KnownEncoding) throws -> String {
        if encoding.name == KnownEncoding.o200kBase.name, let embedded = embeddedO200kPath() { return embedded }
        let folders = searchFolders()
        for folder in folders {
            for name in fileNames(for: encoding) {
                let candidate = (folder as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
            }
        }
        throw FormatError(.vocabularyNotFound, file: encoding.name,
                          "no \(encoding.fileName) in " + folders.map { "\"\($0)\"" }.joined(separator: ", ")
                          + (encoding.name == KnownEncoding.o200kBase.name ? " (and the embedded copy is missing)" : ""),
                          fix: "set TESSERA_VOCABULARIES to a folder holding \(encoding.fileName) "
                          + "(scripts/fetch-vocabularies.sh --install fetches it), or pass the file's path")
    }

    /// The embedded `o200k_base.tiktoken`: next to the executable (how SwiftPM lays out resource bundles),
    /// else through `Bundle.module`, else in the source tree; nil when none exists.
    public static func embeddedO200kPath() -> String? {
        let bundleName = "Tessera_TesseraFormats.resources"
        let fileName = "o200k_base.tiktoken"
        let beside = Bundle.main.bundleURL.appendingPathComponent(bundleName).appendingPathComponent(fileName).path
        if FileManager.default.fileExists(atPath: beside) {
            // Bundle.module resolves to this same folder, so asking it cannot fail here.
            return Bundle.module.url(forResource: "o200k_base", withExtension: "tiktoken")?.path ?? beside
        }
        // Bundle.module's other candidate is the build folder it was compiled in; it traps when that is gone
        // too, so look for it (and for the source copy) without calling it.
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let sibling = executable.deletingLastPathComponent().appendingPathComponent(bundleName).appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: sibling) { return sibling }
        }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Resources").appendingPathComponent(fileName).path
        if FileManager.default.fileExists(atPath: source) { return source }
        return nil
    }
}
