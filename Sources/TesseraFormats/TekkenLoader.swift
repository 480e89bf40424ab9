// TekkenLoader: reads Mistral's tekken tokenizer files (`tekken.json`), as mistral-common 1.13.1 does
// (mistral_common/tokens/tokenizers/tekken.py, `Tekkenizer.from_file` and `__init__`):
//
//     {"config": {"pattern": …, "num_vocab_tokens": N, "default_vocab_size": V,
//                 "default_num_special_tokens": S, "version": "v3"},
//      "vocab": [{"rank": 0, "token_bytes": "<base64>", "token_str": "…" or null}, …],
//      "special_tokens": [{"rank": 0, "token_str": "<unk>", "is_control": true}, …],   (optional up to v7)
//      "image": …, "audio": …, "model_settings_builder": …}                              (not tokenization)
//
// Semantics: a tiktoken encoding over the first V − S vocab entries (rank = index; ranks 0..255 are the
// bytes in byte order), with no special tokens of its own; every rank is shifted by S, because the S special
// tokens occupy ids 0..<S. When `special_tokens` is absent (allowed up to v7) the 20 legacy specials of
// `Tekkenizer.DEPRECATED_SPECIAL_TOKENS` are used; missing specials are filled with `<SPECIAL_i>`.
// mistral-common always encodes special-token text as ordinary text; Tessera applies its special-token
// policy instead (`--special as-text` gives mistral-common's ids).
//
// Invariant: ids are rank + S for vocab entries and the list position for specials; every check
// mistral-common asserts is a `FormatError` naming the JSON field. Complexity: O(file size).

import Foundation
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer

/// Loads Mistral tekken JSON files.
public enum TekkenLoader {
    /// A loaded tokenizer plus what the file holds besides it (kept for conversions back to tekken).
    public struct Loaded: Sendable {
        public var tokenizer: Tokenizer
        /// `config.version`, e.g. `v3`.
        public var version: String
        /// Vocab entries beyond `default_vocab_size − default_num_special_tokens`, which are not used.
        public var unusedVocabEntries: Int
        /// Top-level sections that are not about tokenization (`image`, `audio`, …).
        public var otherSections: [String]
        /// Special ids whose `is_control` is false.
        public var nonControl: Set<TokenID>
        /// Whether `special_tokens` was in the file (false: the legacy list was used).
        public var listsSpecialTokens: Bool
    }

    /// The versions mistral-common 1.13.1 accepts (`TokenizerVersion`).
    public static let versions = ["v1", "v2", "v3", "v7", "v11", "v13", "v15"]

    /// `Tekkenizer.DEPRECATED_SPECIAL_TOKENS`: the specials of files without a `special_tokens` list.
    public static let legacySpecialTokens = [
        "<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]",
        "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]", "<pad>", "[IMG_BREAK]", "[IMG_END]", "[PREFIX]", "[MIDDLE]",
        "[SUFFIX]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]", "[TOOL_CONTENT]",
    ]

    public static func load(path: String) throws -> Tokenizer { try loadDetailed(path: path).tokenizer }

    public static func loadDetailed(path: String) throws -> Loaded {
        try load(bytes: FileBytes.read(path), file: path, name: TiktokenSidecar.stem(of: path))
    }

    /// Whether a file is tekken: its name says so (mistral-common's `is_tekken`: "tekken" in a `.json` name), or
    /// its first bytes hold a tekken `config` object.
    public static func looksLikeTekken<C: Collection<UInt8>>(fileName: String, head: C) -> Bool {
        var base = fileName.lowercased()
        if base.hasSuffix(".gz") { base = String(base.dropLast(3)) }
        if base.hasSuffix(".json") && base.contains("tekken") { return true }
        let text = String(decoding: head, as: UTF8.self)
        return text.contains("\"config\"") && text.contains("\"default_num_special_tokens\"")
    }

    struct File: Decodable {
        struct Config: Decodable {
            let pattern: String
            let numVocabTokens: Int?
            let defaultVocabSize: Int
            let defaultNumSpecialTokens: Int
            let version: String?
            enum CodingKeys: String, CodingKey {
                case pattern, version
                case numVocabTokens = "num_vocab_tokens"
                case defaultVocabSize = "default_vocab_size"
                case defaultNumSpecialTokens = "default_num_special_tokens"
            }
        }
        struct Entry: Decodable {
            let rank: Int
            let tokenBytes: String
            enum CodingKeys: String, CodingKey {
                case rank
                case tokenBytes = "token_bytes"
            }
        }
        /// `vocab`: 150,000 small objects in the real file, so under the fast reader they are read in one pass
        /// (the keyed-container path costs a container per entry and was most of the load time).
        struct EntryList: Decodable {
            var entries: [Entry] = []

            init(from decoder: any Decoder) throws {
                guard let fast = decoder as? FastJSONDecoder else {
                    entries = try [Entry](from: decoder)
                    return
                }
                let s = fast.scanner
                guard s.byte(fast.start) == 0x5B else { throw fast.mismatchOrNull([Entry].self, expected: "an array") }
                var key: [UInt8] = []
                var text: [UInt8] = []
                try fast.syntax {
                    var j = s.skipWhitespace(fast.start + 1)
                    if s.byte(j) == 0x5D { return }
                    while true {
                        let path = fast.codingPath + [PathKey(intValue: entries.count)]
                        guard s.byte(j) == 0x7B else {
                            throw DecodingError.typeMismatch(Entry.self, .init(codingPath: path, debugDescription: "expected an object"))
                        }
                        var rank: Int?
                        var tokenBytes: String?
                        j = s.skipWhitespace(j + 1)
                        if s.byte(j) != 0x7D {
                            while true {
                                key.removeAll(keepingCapacity: true)
                                j = s.skipWhitespace(try s.string(j, into: &key))
                                guard s.byte(j) == 0x3A else { throw s.unexpected(j, expecting: "':'") }
                                j = s.skipWhitespace(j + 1)
                                if key.elementsEqual("rank".utf8) {
                                    let first = s.byte(j)
                                    let (value, end) = first == 0x2D || (0x30...0x39).contains(first) ? try s.unsignedInteger(j) : (nil, j)
                                    guard let value, value <= UInt64(Int32.max) else {
                                        throw DecodingError.typeMismatch(Int.self, .init(codingPath: path + [PathKey(stringValue: "rank")],
                                                                                        debugDescription: "expected a rank (a non-negative integer)"))
                                    }
                                    rank = Int(value)
                                    j = end
                                } else if key.elementsEqual("token_bytes".utf8) {
                                    guard s.byte(j) == 0x22 else {
                                        throw DecodingError.typeMismatch(String.self, .init(codingPath: path + [PathKey(stringValue: "token_bytes")],
                                                                                           debugDescription: "expected a string"))
                                    }
                                    text.removeAll(keepingCapacity: true)
                                    j = try s.string(j, into: &text)
                                    tokenBytes = String(decoding: text, as: UTF8.self)
                                } else {
                                    j = try s.skipValue(j)
                                }
                                j = s.skipWhitespace(j)
                                if s.byte(j) == 0x2C { j = s.skipWhitespace(j + 1); continue }
                                if s.byte(j) == 0x7D { break }
                                throw s.unexpected(j, expecting: "',' or '}'")
                            }
                        }
                        guard let rank else {
                            throw DecodingError.keyNotFound(PathKey(stringValue: "rank"), .init(codingPath: path, debugDescription: "missing"))
                        }
                        guard let tokenBytes else {
                            throw DecodingError.keyNotFound(PathKey(stringValue: "token_bytes"), .init(codingPath: path, debugDescription: "missing"))
                        }
                        entries.append(Entry(rank: rank, tokenBytes: tokenBytes))
                        j = s.skipWhitespace(j + 1)
                        if s.byte(j) == 0x2C { j = s.skipWhitespace(j + 1); continue }
                        if s.byte(j) == 0x5D { return }
                        throw s.unexpected(j, expecting: "',' or ']'")
                    }
                }
            }
        }
        struct Special: Decodable {
            let rank: Int
            let tokenStr: String
            let isControl: Bool
            enum CodingKeys: String, CodingKey {
                case rank
                case tokenStr = "token_str"
                case isControl = "is_control"
            }
        }
        let config: Config
        let vocab: [Entry]
        let specialTokens: [Special]?
        let otherKeys: [String]

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: PathKey.self)
            config = try c.decode(Config.self, forKey: PathKey(stringValue: "config"))
            vocab = try c.decode(EntryList.self, forKey: PathKey(stringValue: "vocab")).entries
            specialTokens = try c.decodeIfPresent([Special].self, forKey: PathKey(stringValue: "special_tokens"))
            otherKeys = c.allKeys.map(\.stringValue).filter { !["config", "vocab", "special_tokens"].contains($0) }.sorted()
        }
    }

    /// Parses tekken content; `file` names it in errors.
    public static func load(bytes: [UInt8], file: String, name: String) throws -> Loaded {
        let spec: File
        do {
            spec = try FastJSON.decode(File.self, from: bytes)
        } catch let error as DecodingError {
            throw JSONErrors.convert(error, file: file, fix: "compare the field with a tekken.json shipped by mistral-common")
        }
        let config = spec.config
        let version = config.version ?? ""
        guard versions.contains(version) else {
            throw FormatError(.invalidValue, file: file, at: .field("config.version"), "unknown version \(version.debugDescription)",
                              fix: "use one of " + versions.joined(separator: ", "))
        }
        let s = config.defaultNumSpecialTokens
        var listed: [File.Special]
        if let specials = spec.specialTokens {
            listed = specials
        } else if Int(version.dropFirst()) ?? 0 > 7 {
            throw FormatError(.invalidValue, file: file, at: .field("special_tokens"),
                              "the file has no special_tokens, which version \(version) requires",
                              fix: "add the special tokens (files up to v7 may omit them)")
        } else {
            listed = legacySpecialTokens.enumerated().map { File.Special(rank: $0.offset, tokenStr: $0.element, isControl: true) }
        }
        guard s >= 0, listed.count <= s else {
            throw FormatError(.invalidValue, file: file, at: .field("config.default_num_special_tokens"),
                              "\(listed.count) special tokens are defined but default_num_special_tokens is \(s)",
                              fix: "default_num_special_tokens must be at least the number of special tokens")
        }
        // Sizes first: they bound the filler loop below (a default_num_special_tokens of 2^32 once made it run for
        // minutes), and default_vocab_size bounds every id.
        let vocabSize = config.defaultVocabSize
        let (inner, overflow) = vocabSize.subtractingReportingOverflow(s)
        guard !overflow, inner >= 256, inner <= spec.vocab.count, vocabSize < Vocabulary.idLimit else {
            throw FormatError(.invalidValue, file: file, at: .field("config.default_vocab_size"),
                              "default_vocab_size \(vocabSize) minus \(s) special tokens leaves \(overflow ? "no" : "\(inner)") vocab entries, "
                              + "but the file has \(spec.vocab.count)",
                              fix: "default_vocab_size must be at most the vocab entries plus the special tokens, and leave all 256 bytes")
        }
        var seen = Set<String>()
        for (i, special) in listed.enumerated() {
            if !seen.insert(special.tokenStr).inserted {
                throw FormatError(.invalidValue, file: file, at: .field("special_tokens[\(i)].token_str"),
                                  "special token \(special.tokenStr.debugDescription) is listed twice", fix: "special tokens must be unique")
            }
            if special.rank != i {
                throw FormatError(.invalidValue, file: file, at: .field("special_tokens[\(i)].rank"),
                                  "rank \(special.rank) is not the entry's position \(i)",
                                  fix: "mistral-common decodes special id i as entry i; list special tokens in rank order from 0")
            }
        }
        for i in listed.count..<s {
            let filler = "<SPECIAL_\(i)>"
            if !seen.insert(filler).inserted {
                throw FormatError(.invalidValue, file: file, at: .field("special_tokens"),
                                  "the filler \(filler) for special id \(i) is already a listed special token",
                                  fix: "list every special token explicitly")
            }
            listed.append(File.Special(rank: i, tokenStr: filler, isControl: true))
        }
        // Vocab: the first `inner` entries, rank = position.
        var entries: [(bytes: [UInt8], id: TokenID)] = []
        entries.reserveCapacity(inner)
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(from: TiktokenLoader.base64Value, count: 256)
        defer { table.deallocate() }
        var scratch = [UInt8](repeating: 0, count: 64)
        for i in 0..<inner {
            let entry = spec.vocab[i]
            if entry.rank != i {
                throw FormatError(.invalidValue, file: file, at: .field("vocab[\(i)].rank"), "rank \(entry.rank) is not the entry's position \(i)",
                                  fix: "vocab entries must be listed in rank order from 0")
            }
            var encoded = entry.tokenBytes
            let decoded: [UInt8]? = encoded.withUTF8 { utf8 -> [UInt8]? in
                if scratch.count < utf8.count { scratch = [UInt8](repeating: 0, count: utf8.count) }
                guard let base = utf8.baseAddress else { return nil }
                let n = scratch.withUnsafeMutableBufferPointer { TiktokenLoader.decodeBase64(base, utf8.count, table, into: $0.baseAddress!) }
                return n > 0 ? Array(scratch[0..<n]) : nil
            }
            guard let bytes = decoded else {
                throw FormatError(.syntax, file: file, at: .field("vocab[\(i)].token_bytes"),
                                  "\(entry.tokenBytes.debugDescription) is not valid base64 of a non-empty token",
                                  fix: "token_bytes is the standard base64 of the token's bytes")
            }
            if i < 256 && bytes != [UInt8(i)] {
                throw FormatError(.invalidValue, file: file, at: .field("vocab[\(i)].token_bytes"),
                                  "rank \(i) must be the single byte 0x\(String(i, radix: 16)), not \(showBytes(bytes).debugDescription)",
                                  fix: "tekken's ranks 0–255 are the 256 bytes in byte order")
            }
            entries.append((bytes, TokenID(i + s)))
        }
        let vocabulary = try ByteLevelBPEBuilder.vocabulary(entries, file: file) { id in .field("vocab[\(Int(id) - s)]") }
        let model: BPEModel
        do {
            model = try BPEModel(vocabulary: vocabulary, rule: .rankOrder)
        } catch {
            throw Assembly.bpeError(error, file: file)
        }
        let specials = try Assembly.specialTokens(listed.map { SpecialToken($0.tokenStr, TokenID($0.rank)) }, vocabulary: vocabulary,
                                                  file: file, source: "special_tokens")
        let pattern = EncodingPattern.recognising(config.pattern)
        let preTokenizer = try Assembly.preTokenizer(for: pattern, file: file, at: .field("config.pattern"))
        let tokenizer = Tokenizer(name: name, preTokenizer: preTokenizer, model: model, specialTokens: specials,
                                  patternDescription: pattern.source)
        return Loaded(tokenizer: tokenizer, version: version, unusedVocabEntries: spec.vocab.count - inner,
                      otherSections: spec.otherKeys,
                      nonControl: Set(listed.filter { !$0.isControl }.map { TokenID($0.rank) }),
                      listsSpecialTokens: spec.specialTokens != nil)
    }
}
