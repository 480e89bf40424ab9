// TokenizerJSONLoader: reads the byte-level BPE subset of Hugging Face's `tokenizer.json` (optionally gzipped).
//
// Read now (everything else is rejected with the component's JSON path, never ignored silently):
// - model: BPE with `vocab`, `merges` (both shapes), `ignore_merges`; `dropout` null/0, `byte_fallback` false,
//   `continuing_subword_prefix` / `end_of_word_suffix` null or "", `unk_token` any (never used: the byte-level
//   vocabulary covers all 256 bytes, which `BPEModel` checks), `fuse_unk` ignored;
// - added_tokens: every entry (special or not) becomes an exact-match token of `SpecialTokens` with its literal
//   `content`, and its id leaves the BPE vocabulary. Hugging Face always matches non-special added tokens; here
//   they follow the special-token policy like the special ones (documented in docs/formats.md). The flags
//   `single_word`, `lstrip`, `rstrip`, `normalized` are not applied;
// - normalizer: null, NFC, NFD, NFKC, NFKD, Lowercase, Strip, Sequence of those → TesseraUnicode.Normalizer;
// - pre_tokenizer: ByteLevel (add_prefix_space, use_regex → the GPT-2 scanner), Split (String or Regex pattern,
//   behavior, invert), Sequence. A Split whose regex is a built-in pattern, with Isolated behaviour and
//   invert = false, runs on the fast `PatternScanner`; any other Split runs on ICU (`RegexPreTokenizer`).
//   `add_prefix_space` becomes a normalizer step ("prepend U+0020 unless the text starts with U+0020",
//   byte_level.rs); it is accepted only when the ByteLevel is the first splitting stage, because later
//   Hugging Face prepends the space to every piece;
// - decoder / post_processor: only their `type` is recorded (decoding is byte-level by construction).
//
// Invariant: ordinary tokens must be byte-level alphabet strings; ids are the file's.
// Complexity: O(file size).

import Foundation
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer
import TesseraUnicode

/// Loads Hugging Face `tokenizer.json` files (byte-level BPE).
public enum TokenizerJSONLoader {
    /// A loaded tokenizer plus what was read but not used.
    public struct Loaded: Sendable {
        public var tokenizer: Tokenizer
        /// The `decoder.type` (e.g. `ByteLevel`), not applied: decoding is byte-level.
        public var decoderType: String?
        /// The `post_processor.type` (e.g. `TemplateProcessing`), not applied: Tessera adds no BOS/EOS.
        public var postProcessorType: String?
        /// Number of merges read.
        public var mergeCount: Int
    }

    /// Loads `path` (`tokenizer.json` or `tokenizer.json.gz`).
    public static func load(path: String) throws -> Tokenizer {
        try loadDetailed(path: path).tokenizer
    }

    /// Loads `path` and reports the parts that were recorded but not applied.
    public static func loadDetailed(path: String) throws -> Loaded {
        let bytes = try FileBytes.read(path)
        return try load(bytes: bytes, file: path, name: defaultName(for: path))
    }

    /// Loads tokenizer.json content; `file` is used in error messages.
    public static func load(bytes: [UInt8], file: String, name: String) throws -> Loaded {
        let spec: TokenizerJSONFile
        do {
            spec = try JSONDecoder().decode(TokenizerJSONFile.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw JSONErrors.convert(error, file: file, fix: "compare the field with a tokenizer.json saved by Hugging Face tokenizers")
        }
        if let version = spec.version, version != "1.0" {
            throw FormatError(.unsupported, file: file, at: .field("version"), "version \(version.debugDescription) is not 1.0",
                              fix: "re-save the tokenizer with a current Hugging Face tokenizers (which writes \"1.0\")")
        }
        // Model checks.
        let model = spec.model
        if let type = model.type, type != "BPE" {
            throw FormatError(.unsupported, file: file, at: .field("model.type"),
                              "model type \(type.debugDescription) is not supported yet (only byte-level BPE is)",
                              fix: "use a BPE tokenizer")
        }
        if let d = model.dropout, d != 0 {
            throw unsupported(file, "model.dropout", "BPE dropout \(d) makes encoding random", "set \"dropout\": null")
        }
        if model.byteFallback == true {
            throw unsupported(file, "model.byte_fallback", "byte_fallback (SentencePiece-style <0xNN> tokens) is not supported yet",
                              "only byte-level BPE (ByteLevel pre-tokenizer) is supported")
        }
        if let p = model.continuingSubwordPrefix, !p.isEmpty {
            throw unsupported(file, "model.continuing_subword_prefix", "continuing_subword_prefix \(p.debugDescription) is not supported",
                              "only byte-level BPE without subword prefixes is supported")
        }
        if let s = model.endOfWordSuffix, !s.isEmpty {
            throw unsupported(file, "model.end_of_word_suffix", "end_of_word_suffix \(s.debugDescription) is not supported",
                              "only byte-level BPE without word suffixes is supported")
        }
        guard let vocab = model.vocab else {
            throw FormatError(.syntax, file: file, at: .field("model.vocab"), "the BPE model has no vocab", fix: "add the vocabulary")
        }
        // Pre-tokenizer and normalizer.
        var addsPrefixSpace = false
        var sawByteLevel = false
        var stages: [any PreTokenizer] = []
        var patterns: [String] = []
        if let pre = spec.preTokenizer {
            try convert(pre, path: "pre_tokenizer", file: file, into: &stages, patterns: &patterns,
                        addsPrefixSpace: &addsPrefixSpace, sawByteLevel: &sawByteLevel)
        }
        guard sawByteLevel else {
            throw FormatError(.unsupported, file: file, at: .field("pre_tokenizer"),
                              "there is no ByteLevel pre-tokenizer, so the vocabulary is not byte-level",
                              fix: "only byte-level BPE tokenizers (GPT-2, Llama 3, Qwen 2 style) are supported yet")
        }
        let normalizer = try spec.normalizer.map { try convert($0, path: "normalizer", file: file) }
        let preTokenizer: any PreTokenizer
        switch stages.count {
        case 0: preTokenizer = WholeTextPreTokenizer()
        case 1: preTokenizer = stages[0]
        default: preTokenizer = PreTokenizerSequence(stages)
        }
        // Added tokens leave the BPE vocabulary.
        var addedIDs = Set<TokenID>()
        var specials: [SpecialToken] = []
        for (i, added) in (spec.addedTokens ?? []).enumerated() {
            if added.content.isEmpty {
                throw FormatError(.invalidValue, file: file, at: .field("added_tokens[\(i)].content"), "the added token is empty",
                                  fix: "remove the entry")
            }
            if !addedIDs.insert(added.id).inserted {
                throw FormatError(.invalidValue, file: file, at: .field("added_tokens[\(i)].id"),
                                  "id \(added.id) is used by two added tokens", fix: "ids must be unique")
            }
            specials.append(SpecialToken(added.content, added.id))
        }
        var entries: [(bytes: [UInt8], id: TokenID)] = []
        entries.reserveCapacity(vocab.count)
        var stringOfID: [TokenID: String] = [:]
        stringOfID.reserveCapacity(vocab.count)
        for (token, id) in vocab where !addedIDs.contains(id) {
            stringOfID[id] = token
            entries.append((try ByteLevelBPEBuilder.decode(token, file: file, at: .field("model.vocab[\(token.debugDescription)]")), id))
        }
        let vocabulary = try ByteLevelBPEBuilder.vocabulary(entries, file: file) { id in
            .field("model.vocab[\((stringOfID[id] ?? "\(id)").debugDescription)]")
        }
        // Merges: concatenate both shapes into one buffer of spans.
        var text: [UInt8] = []
        var spans: [MergeSpan] = []
        let merges = model.merges ?? .strings([])
        spans.reserveCapacity(merges.count)
        switch merges {
        case .strings(let list):
            for (i, m) in list.enumerated() {
                let parts = m.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw FormatError(.syntax, file: file, at: .field("model.merges[\(i)]"),
                                      "the merge \(m.debugDescription) is not two tokens separated by one space",
                                      fix: "each legacy merge is \"left right\"; a token containing a space needs the pair shape [\"left\", \"right\"]")
                }
                let a = text.count
                text.append(contentsOf: parts[0].utf8)
                let b = text.count
                text.append(contentsOf: parts[1].utf8)
                spans.append(MergeSpan(left: a..<b, right: b..<text.count))
            }
        case .pairs(let list):
            for (i, pair) in list.enumerated() {
                guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else {
                    throw FormatError(.syntax, file: file, at: .field("model.merges[\(i)]"),
                                      "the merge has \(pair.count) element\(pair.count == 1 ? "" : "s"); a merge is a pair of non-empty tokens",
                                      fix: "write it as [\"left\", \"right\"]")
                }
                let a = text.count
                text.append(contentsOf: pair[0].utf8)
                let b = text.count
                text.append(contentsOf: pair[1].utf8)
                spans.append(MergeSpan(left: a..<b, right: b..<text.count))
            }
        }
        let (pairs, _) = try text.withUnsafeBufferPointer { buffer in
            try ByteLevelBPEBuilder.resolveMerges(spans, in: buffer, vocabulary: vocabulary, file: file,
                                                  location: { .field("model.merges[\($0)]") })
        }
        let bpe = try ByteLevelBPEBuilder.model(vocabulary, pairs: pairs, ignoreMerges: model.ignoreMerges ?? false, file: file)
        let specialTokens = try Assembly.specialTokens(specials.sorted { $0.id < $1.id }, vocabulary: vocabulary,
                                                       file: file, source: "added_tokens")
        let textNormalizer: TextNormalizer? = (normalizer != nil || addsPrefixSpace)
            ? TextNormalizer(normalizer: normalizer, addsPrefixSpace: addsPrefixSpace) : nil
        let tokenizer = Tokenizer(name: name, normalizer: textNormalizer, preTokenizer: preTokenizer, model: bpe,
                                  specialTokens: specialTokens,
                                  patternDescription: patterns.isEmpty ? nil : patterns.joined(separator: " then "))
        return Loaded(tokenizer: tokenizer, decoderType: spec.decoder?.type, postProcessorType: spec.postProcessor?.type,
                      mergeCount: pairs.count)
    }

    static func unsupported(_ file: String, _ path: String, _ problem: String, _ fix: String) -> FormatError {
        FormatError(.unsupported, file: file, at: .field(path), problem, fix: fix)
    }

    /// `tokenizer.json` in folder `x` → `x`; `foo.json(.gz)` → `foo`.
    static func defaultName(for path: String) -> String {
        let stem = TiktokenSidecar.stem(of: path)
        if stem == "tokenizer" {
            let folder = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
            if !folder.isEmpty && folder != "." { return folder }
        }
        return stem
    }

    // MARK: Components

    static func convert(_ spec: NormalizerSpec, path: String, file: String) throws -> Normalizer {
        switch spec {
        case .unicode(let form):
            guard let f = NormalizationForm(rawValue: form.lowercased()) else {
                throw unsupported(file, path + ".type", "unknown normalization form \(form)", "use NFC, NFD, NFKC or NFKD")
            }
            return .unicode(f)
        case .lowercase: return .lowercase
        case .strip(let left, let right): return .strip(left: left, right: right)
        case .sequence(let children):
            return .sequence(try children.enumerated().map { try convert($1, path: "\(path).normalizers[\($0)]", file: file) })
        case .unsupported(let type):
            throw unsupported(file, path + ".type", "normalizer type \(type.debugDescription) is not supported yet",
                              "supported normalizers: NFC, NFD, NFKC, NFKD, Lowercase, Strip, Sequence")
        }
    }

    /// Appends the stages of a pre-tokenizer (Sequences are flattened).
    static func convert(_ spec: PreTokenizerSpec, path: String, file: String, into stages: inout [any PreTokenizer],
                        patterns: inout [String], addsPrefixSpace: inout Bool, sawByteLevel: inout Bool) throws {
        switch spec {
        case .byteLevel(let addPrefix, let useRegex):
            sawByteLevel = true
            if addPrefix {
                guard stages.isEmpty else {
                    throw unsupported(file, path + ".add_prefix_space",
                                      "add_prefix_space = true on a ByteLevel that follows another splitting stage "
                                      + "(Hugging Face then prefixes every piece with a space) is not supported",
                                      "set add_prefix_space to false, or put the ByteLevel first")
                }
                addsPrefixSpace = true
            }
            if useRegex {
                stages.append(PatternScanner(.gpt2))
                patterns.append(BuiltinPattern.gpt2.regexSource)
            }
        case .split(let pattern, let behaviorName, let invert):
            guard let behavior = splitBehavior(behaviorName) else {
                throw FormatError(.invalidValue, file: file, at: .field(path + ".behavior"),
                                  "unknown split behavior \(behaviorName.debugDescription)",
                                  fix: "use Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous")
            }
            switch pattern {
            case .regex(let regex):
                if behavior == .isolated && !invert, let builtin = BuiltinPattern.matching(regex: regex) {
                    stages.append(PatternScanner(builtin))
                } else {
                    stages.append(try Assembly.regexPreTokenizer(regex, behavior: behavior, invert: invert, file: file,
                                                                 at: .field(path + ".pattern.Regex")))
                }
                patterns.append(regex)
            case .string(let literal):
                guard !literal.isEmpty else {
                    throw FormatError(.invalidValue, file: file, at: .field(path + ".pattern.String"), "the split string is empty",
                                      fix: "give a non-empty delimiter")
                }
                stages.append(try Assembly.regexPreTokenizer(escapeRegex(literal), behavior: behavior, invert: invert, file: file,
                                                             at: .field(path + ".pattern.String")))
                patterns.append(escapeRegex(literal))
            }
        case .sequence(let children):
            for (i, child) in children.enumerated() {
                try convert(child, path: "\(path).pretokenizers[\(i)]", file: file, into: &stages, patterns: &patterns,
                            addsPrefixSpace: &addsPrefixSpace, sawByteLevel: &sawByteLevel)
            }
        case .unsupported(let type):
            throw unsupported(file, path + ".type", "pre-tokenizer type \(type.debugDescription) is not supported yet",
                              "supported pre-tokenizers: ByteLevel, Split, Sequence")
        }
    }

    static func splitBehavior(_ name: String) -> SplitBehavior? {
        SplitBehavior(huggingFaceName: name)
    }

    /// An ICU regex matching `literal` exactly: every ASCII character that is not a letter or digit is escaped.
    static func escapeRegex(_ literal: String) -> String {
        var out = ""
        for s in literal.unicodeScalars {
            if s.isASCII && !(("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)) {
                out.unicodeScalars.append("\\")
            }
            out.unicodeScalars.append(s)
        }
        return out
    }
}
