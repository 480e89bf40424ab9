// GPT2Loader: reads the GPT-2 / Hugging Face "slow tokenizer" pair `vocab.json` (a.k.a. `encoder.json`) +
// `merges.txt` (a.k.a. `vocab.bpe`).
//
// - vocab.json: a JSON object from byte-level-alphabet token strings to ids.
// - merges.txt: one merge per line, `left SP right`, rank = line order; lines starting with `#version`
//   are skipped (Hugging Face skips them anywhere, GPT-2 writes one as the first line); empty lines are skipped.
// - Rule: `.mergeList(merges, ignoreMerges: false)` (GPT-2 and HF BPE semantics); pattern: the GPT-2 builtin.
// - Special tokens: a vocab.json entry that no merge produces, that is not a single byte and that no merge
//   uses (in GPT-2 exactly `<|endoftext|>` = 50256; in RoBERTa-style files `<s>`, `</s>`, `<pad>`, `<unk>`,
//   `<mask>`), or whose string is not in the byte-level alphabet, is an added token: BPE can never produce it,
//   so it is removed from the BPE vocabulary and becomes a special token whose text is its literal string,
//   subject to the special-token policy (refused by default, like tiktoken).
//
// Invariant: ids are exactly vocab.json's; merges.txt errors name their line.
// Complexity: O(file sizes).

import Foundation
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer
import TesseraUnicode

/// Loads GPT-2 style vocab.json + merges.txt pairs.
public enum GPT2Loader {
    /// The vocab.json and merges.txt paths for `path`: a folder holding both, or either file (the other is
    /// its sibling: `vocab.json` ↔ `merges.txt`, `PREFIX-vocab.json` ↔ `PREFIX-merges.txt`,
    /// `encoder.json` ↔ `vocab.bpe`).
    public static func locate(_ path: String) throws -> (vocab: String, merges: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FormatError(.fileNotFound, file: path, "no such file or folder", fix: "check the path")
        }
        let folder = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        let base = isDirectory.boolValue ? "" : (path as NSString).lastPathComponent
        func join(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
        var pairs: [(String, String)] = []
        if isDirectory.boolValue {
            pairs = [("vocab.json", "merges.txt"), ("encoder.json", "vocab.bpe")]
        } else if base.hasSuffix("vocab.json") {
            pairs = [(base, String(base.dropLast("vocab.json".count)) + "merges.txt")]
        } else if base.hasSuffix("merges.txt") {
            pairs = [(String(base.dropLast("merges.txt".count)) + "vocab.json", base)]
        } else if base == "encoder.json" || base == "vocab.bpe" {
            pairs = [("encoder.json", "vocab.bpe")]
        } else {
            throw FormatError(.unknownFormat, file: path, "not a vocab.json or merges.txt file",
                              fix: "give the folder holding vocab.json and merges.txt, or one of the two files")
        }
        for (v, m) in pairs where FileManager.default.fileExists(atPath: join(v)) && FileManager.default.fileExists(atPath: join(m)) {
            return (join(v), join(m))
        }
        let (v, m) = pairs[0]
        let missing = FileManager.default.fileExists(atPath: join(v)) ? join(m) : join(v)
        throw FormatError(.fileNotFound, file: missing, "not found; vocab.json and merges.txt must be side by side",
                          fix: "put \(v) and \(m) in the same folder (\(folder))")
    }

    /// Loads the pair found by `locate(_:)`, and its sidecar `encoding.json` when there is one.
    public static func load(path: String) throws -> Tokenizer {
        let (vocabPath, mergesPath) = try locate(path)
        let folder = ((vocabPath as NSString).deletingLastPathComponent as NSString).lastPathComponent
        let sidecar = sidecarPath(forVocab: vocabPath)
        return try load(vocabBytes: FileBytes.read(vocabPath), mergesBytes: FileBytes.read(mergesPath),
                        sidecarBytes: FileManager.default.fileExists(atPath: sidecar) ? FileBytes.read(sidecar) : nil,
                        vocabFile: vocabPath, mergesFile: mergesPath, sidecarFile: sidecar, name: folder.isEmpty ? "gpt2" : folder)
    }

    /// The sidecar of a vocab.json: `encoding.json` beside it (`PREFIX-encoding.json` for `PREFIX-vocab.json`).
    /// It has the `.tiktoken` sidecar's shape and supplies what the pair cannot hold: `name`, `pattern`,
    /// `normalizer` (special tokens stay vocab.json entries).
    public static func sidecarPath(forVocab vocabPath: String) -> String {
        let base = (vocabPath as NSString).lastPathComponent
        let prefix = base.hasSuffix("vocab.json") ? String(base.dropLast("vocab.json".count)) : ""
        return ((vocabPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(prefix + "encoding.json")
    }

    /// The first line of `merges.txt` when it is a `#version` header (so a conversion can keep it).
    public static func mergesHeader(path: String) throws -> String? {
        let (_, mergesPath) = try locate(path)
        let bytes = try FileBytes.read(mergesPath)
        let end = bytes.firstIndex(of: 0x0A) ?? bytes.count
        var line = bytes[0..<end]
        if line.last == 0x0D { line = line.dropLast() }
        guard line.starts(with: "#version".utf8) else { return nil }
        return String(decoding: line, as: UTF8.self)
    }

    static func apply(_ sidecar: TiktokenSidecar, to base: Tokenizer, sidecarPath: String) throws -> Tokenizer {
        var tokenizer = base
        if let specials = sidecar.specialTokens, !specials.isEmpty {
            throw FormatError(.unsupported, file: sidecarPath, at: .field("special_tokens"),
                              "special tokens of vocab.json + merges.txt are vocab.json entries, not sidecar entries",
                              fix: "add them to vocab.json (an entry no merge produces is a special token) and remove the field")
        }
        if let name = sidecar.name { tokenizer.name = name }
        if let pattern = sidecar.pattern {
            let encoding = EncodingPattern.recognising(pattern)
            tokenizer.preTokenizer = try Assembly.preTokenizer(for: encoding, file: sidecarPath, at: .field("pattern"))
            tokenizer.patternDescription = encoding.source
        }
        if let normalizer = sidecar.normalizer, normalizer.lowercased() != "none" {
            guard let form = NormalizationForm(rawValue: normalizer.lowercased()) else {
                throw FormatError(.invalidValue, file: sidecarPath, at: .field("normalizer"),
                                  "unknown normalizer \(normalizer.debugDescription)",
                                  fix: "use one of \"NFC\", \"NFD\", \"NFKC\", \"NFKD\", or remove the field")
            }
            tokenizer.normalizer = TextNormalizer(normalizer: .unicode(form))
        }
        if let nVocab = sidecar.nVocab, nVocab != tokenizer.idUpperBound
            || tokenizer.vocabulary.count + tokenizer.specialTokens.entries.count != nVocab {
            throw FormatError(.invalidValue, file: sidecarPath, at: .field("n_vocab"),
                              "n_vocab is \(nVocab), but vocab.json has \(tokenizer.vocabulary.count + tokenizer.specialTokens.entries.count) "
                              + "entries with ids below \(tokenizer.idUpperBound)", fix: "correct or remove n_vocab")
        }
        return tokenizer
    }

    /// Builds a tokenizer from the contents of vocab.json, merges.txt and (optionally) the sidecar, without
    /// touching the file system; the names are used in error messages only.
    public static func load(vocabBytes: [UInt8], mergesBytes: [UInt8], sidecarBytes: [UInt8]? = nil,
                            vocabFile: String = "vocab.json", mergesFile: String = "merges.txt",
                            sidecarFile: String = "encoding.json", name: String = "gpt2") throws -> Tokenizer {
        let vocab = try parseVocabJSON(vocabBytes, file: vocabFile)
        let tokenizer = try build(vocab: vocab, vocabFile: vocabFile, merges: mergesBytes, mergesFile: mergesFile, name: name)
        guard let sidecarBytes else { return tokenizer }
        return try apply(TiktokenSidecar.parse(sidecarBytes, file: sidecarFile), to: tokenizer, sidecarPath: sidecarFile)
    }

    /// One pass of the fast JSON reader over `{"token": id, …}` (the tokenizer.json vocabulary reader), so that
    /// syntax errors name their byte offset and a large vocab.json loads without Foundation's JSON tree.
    static func parseVocabJSON(_ bytes: [UInt8], file path: String) throws -> [String: TokenID] {
        let vocab: TokenizerJSON.Vocab
        do {
            vocab = try FastJSON.decode(TokenizerJSON.Vocab.self, from: bytes)
        } catch let error as DecodingError {
            throw JSONErrors.convert(error, file: path, fix: "vocab.json must be one JSON object from token strings to ids")
        }
        var out: [String: TokenID] = [:]
        out.reserveCapacity(vocab.count)
        for i in 0..<vocab.count { out[vocab.token(at: i)] = vocab.ids[i] }   // a repeated key keeps its last id, as JSON readers do
        return out
    }

    /// Parses merges.txt into spans of `bytes`, with the line of each merge.
    static func parseMerges(_ bytes: UnsafeBufferPointer<UInt8>, file: String) throws -> (spans: [MergeSpan], lines: [Int]) {
        var spans: [MergeSpan] = []
        var lines: [Int] = []
        spans.reserveCapacity(bytes.count / 9)
        lines.reserveCapacity(bytes.count / 9)
        let n = bytes.count
        var pos = 0
        var line = 0
        let version = Array("#version".utf8)
        while pos < n {
            line += 1
            let start = pos
            var end = start
            while end < n && bytes[end] != 0x0A { end += 1 }
            pos = end + 1
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            if end == start { continue }
            if end - start >= version.count && bytes[start..<(start + version.count)].elementsEqual(version) { continue }
            var spaces: [Int] = []
            for i in start..<end where bytes[i] == 0x20 { spaces.append(i); if spaces.count > 2 { break } }
            guard spaces.count == 1, spaces[0] > start, spaces[0] + 1 < end else {
                let fields = String(decoding: bytes[start..<end], as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false).count
                throw FormatError(.syntax, file: file, at: .line(line),
                                  "expected two tokens separated by one space, found \(fields) field\(fields == 1 ? "" : "s"): "
                                  + "\"\(showBytes(UnsafeBufferPointer(rebasing: bytes[start..<end])))\"",
                                  fix: "each merges.txt line is \"left right\" (tokens in the byte-level alphabet, where a space is Ġ)")
            }
            spans.append(MergeSpan(left: start..<spaces[0], right: (spaces[0] + 1)..<end))
            lines.append(line)
        }
        return (spans, lines)
    }

    /// Builds the tokenizer from a parsed vocab.json and the raw merges.txt.
    static func build(vocab: [String: TokenID], vocabFile: String, merges: [UInt8], mergesFile: String,
                      name: String) throws -> Tokenizer {
        // 1. Decode every entry; strings outside the alphabet can only be added tokens.
        var decoded: [(bytes: [UInt8], id: TokenID)] = []
        decoded.reserveCapacity(vocab.count)
        var stringOfID: [TokenID: String] = [:]
        var literal: [SpecialToken] = []
        for (token, id) in vocab {
            stringOfID[id] = token
            var t = token
            if let bytes = t.withUTF8({ ByteLevelBPEBuilder.decode($0) }) {
                decoded.append((bytes, id))
            } else {
                literal.append(SpecialToken(token, id))
            }
        }
        let location = { (id: TokenID) -> FormatError.Location in .field((stringOfID[id] ?? "\(id)").debugDescription) }
        var vocabulary = try ByteLevelBPEBuilder.vocabulary(decoded, file: vocabFile, location: location)
        // 2. Merges.
        let (pairs, results) = try merges.withUnsafeBufferPointer { buffer in
            let (spans, lines) = try parseMerges(buffer, file: mergesFile)
            return try ByteLevelBPEBuilder.resolveMerges(spans, in: buffer, vocabulary: vocabulary, file: mergesFile,
                                                         location: { .line(lines[$0]) })
        }
        // 3. Entries BPE cannot reach become special tokens.
        var reachable = [Bool](repeating: false, count: vocabulary.idUpperBound)
        for id in vocabulary.idOfByte where Int(id) < reachable.count { reachable[Int(id)] = true }
        for p in pairs { reachable[Int(p.left)] = true; reachable[Int(p.right)] = true }
        for r in results { reachable[Int(r)] = true }
        let unreachable = decoded.filter { !reachable[Int($0.id)] }
        if !unreachable.isEmpty {
            for e in unreachable { literal.append(SpecialToken(stringOfID[e.id] ?? "", e.id)) }
            vocabulary = try ByteLevelBPEBuilder.vocabulary(decoded.filter { reachable[Int($0.id)] }, file: vocabFile,
                                                            location: location)
        }
        let model = try ByteLevelBPEBuilder.model(vocabulary, pairs: pairs, ignoreMerges: false, file: vocabFile)
        let specials = try Assembly.specialTokens(literal.sorted { $0.id < $1.id }, vocabulary: vocabulary,
                                                  file: vocabFile, source: "added tokens")
        return Tokenizer(name: name, normalizer: nil, preTokenizer: PatternScanner(.gpt2), model: model,
                         specialTokens: specials, patternDescription: BuiltinPattern.gpt2.regexSource)
    }
}
