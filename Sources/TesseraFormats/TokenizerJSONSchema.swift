// TokenizerJSONSchema: typed `Decodable` mirrors of the parts of Hugging Face's `tokenizer.json` that Tessera
// reads (field names from tokenizers' serde code: serialization.rs, models/bpe/serialization.rs,
// pre_tokenizers/*.rs, normalizers/*.rs). No dynamic JSON tree is built.
//
// Components are tagged by `type`. Each component decodes its `type` first and only then the fields of the
// types Tessera understands, so a component of an unknown type decodes (as `.unsupported(type)`) and the
// converter reports it with its JSON path, instead of failing on a field whose shape we never modelled.
//
// Invariant: decoding never fails on an unknown component type; it fails only on malformed JSON or on a
// known field with the wrong shape, and the error carries the coding path.
// Complexity: O(file size) (Foundation's JSONDecoder).

import Foundation
import TesseraBPE

/// The top level of tokenizer.json.
struct TokenizerJSONFile: Decodable {
    var version: String?
    var addedTokens: [AddedTokenSpec]?
    var normalizer: NormalizerSpec?
    var preTokenizer: PreTokenizerSpec?
    var postProcessor: TypeOnlySpec?
    var decoder: TypeOnlySpec?
    var model: ModelSpec

    enum CodingKeys: String, CodingKey {
        case version, normalizer, decoder, model
        case addedTokens = "added_tokens"
        case preTokenizer = "pre_tokenizer"
        case postProcessor = "post_processor"
    }
}

/// An `added_tokens` entry.
struct AddedTokenSpec: Decodable {
    var id: TokenID
    var content: String
    var special: Bool?
    var singleWord: Bool?
    var lstrip: Bool?
    var rstrip: Bool?
    var normalized: Bool?

    enum CodingKeys: String, CodingKey {
        case id, content, special, lstrip, rstrip, normalized
        case singleWord = "single_word"
    }
}

/// A component of which only the `type` is kept (decoder, post-processor).
struct TypeOnlySpec: Decodable {
    var type: String?
}

/// A normalizer.
indirect enum NormalizerSpec: Decodable {
    case unicode(String)                    // NFC, NFD, NFKC, NFKD
    case lowercase
    case strip(left: Bool, right: Bool)
    case sequence([NormalizerSpec])
    case unsupported(String)

    enum CodingKeys: String, CodingKey {
        case type, normalizers
        case stripLeft = "strip_left"
        case stripRight = "strip_right"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "NFC", "NFD", "NFKC", "NFKD": self = .unicode(type)
        case "Lowercase": self = .lowercase
        case "Strip":
            self = .strip(left: try c.decodeIfPresent(Bool.self, forKey: .stripLeft) ?? true,
                          right: try c.decodeIfPresent(Bool.self, forKey: .stripRight) ?? true)
        case "Sequence": self = .sequence(try c.decode([NormalizerSpec].self, forKey: .normalizers))
        default: self = .unsupported(type)
        }
    }
}

/// A `Split` pattern: `{"String": "..."}` or `{"Regex": "..."}`.
enum SplitPatternSpec: Decodable {
    case string(String)
    case regex(String)

    enum CodingKeys: String, CodingKey {
        case string = "String"
        case regex = "Regex"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let s = try c.decodeIfPresent(String.self, forKey: .string) { self = .string(s); return }
        if let r = try c.decodeIfPresent(String.self, forKey: .regex) { self = .regex(r); return }
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                debugDescription: "a Split pattern must be {\"String\": ...} or {\"Regex\": ...}"))
    }
}

/// A pre-tokenizer.
indirect enum PreTokenizerSpec: Decodable {
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case split(pattern: SplitPatternSpec, behavior: String, invert: Bool)
    case sequence([PreTokenizerSpec])
    case unsupported(String)

    enum CodingKeys: String, CodingKey {
        case type, pattern, behavior, invert, pretokenizers
        case addPrefixSpace = "add_prefix_space"
        case useRegex = "use_regex"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "ByteLevel":
            // Defaults are Hugging Face's: `ByteLevel::default()` has add_prefix_space = true; use_regex defaults to true.
            self = .byteLevel(addPrefixSpace: try c.decodeIfPresent(Bool.self, forKey: .addPrefixSpace) ?? true,
                              useRegex: try c.decodeIfPresent(Bool.self, forKey: .useRegex) ?? true)
        case "Split":
            self = .split(pattern: try c.decode(SplitPatternSpec.self, forKey: .pattern),
                          behavior: try c.decode(String.self, forKey: .behavior),
                          invert: try c.decodeIfPresent(Bool.self, forKey: .invert) ?? false)
        case "Sequence":
            self = .sequence(try c.decode([PreTokenizerSpec].self, forKey: .pretokenizers))
        default:
            self = .unsupported(type)
        }
    }
}

/// The `model` object (BPE only).
struct ModelSpec: Decodable {
    var type: String?
    var dropout: Double?
    var unkToken: String?
    var continuingSubwordPrefix: String?
    var endOfWordSuffix: String?
    var fuseUnk: Bool?
    var byteFallback: Bool?
    var ignoreMerges: Bool?
    var vocab: [String: TokenID]?
    var merges: MergesSpec?

    enum CodingKeys: String, CodingKey {
        case type, dropout, vocab, merges
        case unkToken = "unk_token"
        case continuingSubwordPrefix = "continuing_subword_prefix"
        case endOfWordSuffix = "end_of_word_suffix"
        case fuseUnk = "fuse_unk"
        case byteFallback = "byte_fallback"
        case ignoreMerges = "ignore_merges"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        // Only BPE's fields are decoded; another model type is reported by the converter.
        guard type == nil || type == "BPE" else { return }
        dropout = try c.decodeIfPresent(Double.self, forKey: .dropout)
        unkToken = try c.decodeIfPresent(String.self, forKey: .unkToken)
        continuingSubwordPrefix = try c.decodeIfPresent(String.self, forKey: .continuingSubwordPrefix)
        endOfWordSuffix = try c.decodeIfPresent(String.self, forKey: .endOfWordSuffix)
        fuseUnk = try c.decodeIfPresent(Bool.self, forKey: .fuseUnk)
        byteFallback = try c.decodeIfPresent(Bool.self, forKey: .byteFallback)
        ignoreMerges = try c.decodeIfPresent(Bool.self, forKey: .ignoreMerges)
        vocab = try c.decode([String: TokenID].self, forKey: .vocab)
        merges = try c.decodeIfPresent(MergesSpec.self, forKey: .merges)
    }
}

/// `model.merges` in either shape: legacy `["a b", …]` or current `[["a", "b"], …]` (tokenizers ≥ 0.20).
enum MergesSpec: Decodable {
    case strings([String])
    case pairs([[String]])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        // The shape is decided by the first element, so a mismatch fails fast.
        if let strings = try? c.decode([String].self) { self = .strings(strings); return }
        self = .pairs(try c.decode([[String]].self))
    }

    var count: Int {
        switch self {
        case .strings(let s): return s.count
        case .pairs(let p): return p.count
        }
    }
}
