// GGUFLoader: builds a tokenizer from the `tokenizer.ggml.*` metadata of a GGUF file (llama.cpp), for the
// byte-level BPE vocabularies (`tokenizer.ggml.model` = "gpt2"); SentencePiece vocabularies ("llama") are in
// GGUFLoader+SentencePiece.swift.
//
// Keys read: `tokenizer.ggml.model`, `tokenizer.ggml.pre` (pre-tokenizer name), `tokenizer.ggml.tokens`
// (token strings in GPT-2's byte-level alphabet, id = index), `tokenizer.ggml.token_type` (1 normal,
// 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte), `tokenizer.ggml.merges` ("left right" strings).
// Control (3) and user-defined (4) tokens become special tokens with their literal text (llama.cpp copies
// their text verbatim when detokenizing); unknown (2) and unused (5) tokens are left out (llama.cpp never
// produces them from text); byte tokens (6) belong to SentencePiece vocabularies and are rejected.
//
// Pre-tokenizer names (llama-vocab.cpp): "gpt-2" → GPT-2 pattern; "llama-bpe" / "llama3" / "llama-v3" →
// Llama 3 pattern with ignore_merges = true (llama.cpp sets it for LLAMA3); "qwen2" → Qwen 2 pattern with
// an NFC normalizer, because Qwen2's tokenizer.json has one and Hugging Face `tokenizers` is the reference
// (llama.cpp itself skips it; the two differ on text that is not in NFC, e.g. Arabic marks in
// non-canonical order or U+2329, found by bench/parity.py on FLORES and the Perl/Rust code corpora).
//
// Invariant: all reads are bounds-checked (GGUFReader); errors name the key or byte offset.
// Complexity: O(metadata size); the tensor data of a full model file is never touched (the file is mapped).

import Foundation
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer
import TesseraUnicode

/// Loads the tokenizer of a GGUF file.
public enum GGUFLoader {
    /// Supported `tokenizer.ggml.pre` values and what they mean.
    public static let supportedPreTokenizers:
        [(name: String, pattern: BuiltinPattern, ignoreMerges: Bool, normalizer: Normalizer?)] = [
        ("gpt-2", .gpt2, false, nil),
        ("llama-bpe", .llama3, true, nil),
        ("llama3", .llama3, true, nil),
        ("llama-v3", .llama3, true, nil),
        ("qwen2", .qwen2, false, .unicode(.nfc)),
    ]

    /// Loads `path` (a vocab-only or full GGUF file; a `.gz` file is decompressed into memory).
    public static func load(path: String) throws -> Tokenizer {
        if path.hasSuffix(".gz") {
            let bytes = try FileBytes.read(path)
            return try bytes.withUnsafeBytes { try load(bytes: $0, file: path) }
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw FormatError(.fileNotFound, file: path, "no such file", fix: "check the path")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw FormatError(.unreadable, file: path, "cannot be read: \(error.localizedDescription)",
                              fix: "check the file's permissions")
        }
        return try data.withUnsafeBytes { try load(bytes: $0, file: path) }
    }

    /// Loads a GGUF image held in memory.
    public static func load(bytes: UnsafeRawBufferPointer, file: String) throws -> Tokenizer {
        let meta = try GGUFMetadata(bytes, file: file)
        guard let model = try meta.string("tokenizer.ggml.model") else {
            throw FormatError(.invalidValue, file: file, at: .field("tokenizer.ggml.model"), "the file has no tokenizer",
                              fix: "use a GGUF file converted with its tokenizer (llama.cpp's convert_hf_to_gguf.py)")
        }
        switch model {
        case "gpt2": break
        case "llama":
            return try loadSentencePiece(meta, file: file)
        case "bert":
            throw FormatError(.unsupported, file: file, at: .field("tokenizer.ggml.model"),
                              "WordPiece vocabularies (tokenizer.ggml.model = \"bert\") are not supported yet",
                              fix: "Tessera loads GGUF vocabularies of tokenizer.ggml.model \"gpt2\" (byte-level BPE) and \"llama\" (SentencePiece)")
        default:
            throw FormatError(.unsupported, file: file, at: .field("tokenizer.ggml.model"),
                              "tokenizer model \(model.debugDescription) is not supported yet",
                              fix: "Tessera loads GGUF vocabularies of tokenizer.ggml.model \"gpt2\" (byte-level BPE) and \"llama\" (SentencePiece)")
        }
        let preName = try meta.string("tokenizer.ggml.pre") ?? "(missing)"
        guard let pre = supportedPreTokenizers.first(where: { $0.name == preName }) else {
            throw FormatError(.unsupported, file: file, at: .field("tokenizer.ggml.pre"),
                              "pre-tokenizer \(preName.debugDescription) is not supported yet",
                              fix: "supported names: " + supportedPreTokenizers.map { $0.name }.joined(separator: ", "))
        }
        guard let tokens = try meta.stringArray("tokenizer.ggml.tokens") else {
            throw FormatError(.invalidValue, file: file, at: .field("tokenizer.ggml.tokens"), "the key is missing",
                              fix: "the file has no vocabulary; reconvert it")
        }
        let types = try meta.integerArray("tokenizer.ggml.token_type") ?? []
        if !types.isEmpty && types.count != tokens.count {
            throw FormatError(.invalidValue, file: file, at: .field("tokenizer.ggml.token_type"),
                              "has \(types.count) entries for \(tokens.count) tokens", fix: "the file is corrupt; reconvert it")
        }
        guard tokens.count <= TiktokenLoader.maximumRank else {
            throw FormatError(.invalidValue, file: file, at: .field("tokenizer.ggml.tokens"), "\(tokens.count) tokens is too many",
                              fix: "the file is corrupt")
        }
        let buffer = bytes.bindMemory(to: UInt8.self)
        var entries: [(bytes: [UInt8], id: TokenID)] = []
        entries.reserveCapacity(tokens.count)
        var specials: [SpecialToken] = []
        for (i, range) in tokens.enumerated() {
            let type = types.isEmpty ? 1 : types[i]
            switch type {
            case 3, 4:
                let text = String(decoding: buffer[range], as: UTF8.self)
                if text.isEmpty { continue }
                specials.append(SpecialToken(text, TokenID(i)))
            case 2, 5:
                continue
            case 6:
                throw FormatError(.unsupported, file: file, at: .field("tokenizer.ggml.token_type[\(i)]"),
                                  "byte tokens (type 6, SentencePiece byte fallback) are not supported in a byte-level vocabulary",
                                  fix: "the vocabulary is not byte-level BPE")
            default:
                guard let decoded = ByteLevelBPEBuilder.decode(UnsafeBufferPointer(rebasing: buffer[range])) else {
                    throw FormatError(.invalidValue, file: file, at: .field("tokenizer.ggml.tokens[\(i)]"),
                                      "token \(String(decoding: buffer[range], as: UTF8.self).debugDescription) is not in GPT-2's byte-level alphabet",
                                      fix: "mark literal tokens as control (3) or user-defined (4) in tokenizer.ggml.token_type")
                }
                entries.append((decoded, TokenID(i)))
            }
        }
        let vocabulary = try ByteLevelBPEBuilder.vocabulary(entries, file: file) { .field("tokenizer.ggml.tokens[\($0)]") }
        // Merges.
        let mergeRanges = try meta.stringArray("tokenizer.ggml.merges") ?? []
        var spans: [MergeSpan] = []
        spans.reserveCapacity(mergeRanges.count)
        for (i, range) in mergeRanges.enumerated() {
            var space = -1
            var spaces = 0
            for j in range where buffer[j] == 0x20 { spaces += 1; if space < 0 { space = j } }
            guard spaces == 1, space > range.lowerBound, space + 1 < range.upperBound else {
                throw FormatError(.syntax, file: file, at: .field("tokenizer.ggml.merges[\(i)]"),
                                  "the merge \(String(decoding: buffer[range], as: UTF8.self).debugDescription) is not two tokens separated by one space",
                                  fix: "the file is corrupt; reconvert it")
            }
            spans.append(MergeSpan(left: range.lowerBound..<space, right: (space + 1)..<range.upperBound))
        }
        let (pairs, _) = try ByteLevelBPEBuilder.resolveMerges(spans, in: buffer, vocabulary: vocabulary, file: file,
                                                               location: { .field("tokenizer.ggml.merges[\($0)]") })
        let bpe = try ByteLevelBPEBuilder.model(vocabulary, pairs: pairs, ignoreMerges: pre.ignoreMerges, file: file)
        let specialTokens = try Assembly.specialTokens(specials, vocabulary: vocabulary, file: file,
                                                       source: "tokenizer.ggml.token_type")
        let name = (try? meta.string("general.name")).flatMap { $0 } ?? TiktokenSidecar.stem(of: file)
        return Tokenizer(name: name, normalizer: pre.normalizer.map { TextNormalizer(normalizer: $0) },
                         preTokenizer: PatternScanner(pre.pattern), model: bpe,
                         specialTokens: specialTokens, patternDescription: pre.pattern.regexSource)
    }
}
