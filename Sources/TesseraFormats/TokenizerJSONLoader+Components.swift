// The component conversions of `TokenizerJSONLoader`: typed tokenizer.json components → runtime stages, each
// failure a `FormatError` naming the JSON path (tokenizers' defaults are applied where its serde code has them).

import Foundation
import TesseraBPE
import TesseraSentencePiece
import TesseraPreTokenizers
import TesseraTokenizer
import TesseraUnicode

/// State of one `build`: the file name for errors and what was read but not applied.
struct BuildContext {
    let file: String
    var notApplied: [String] = []

    init(file: String) { self.file = file }

    func unsupported(_ path: String, _ problem: String, _ fix: String) -> FormatError {
        FormatError(.unsupported, file: file, at: .field(path), problem, fix: fix)
    }

    func invalid(_ path: String, _ problem: String, _ fix: String) -> FormatError {
        FormatError(.invalidValue, file: file, at: .field(path), problem, fix: fix)
    }

    func missing(_ path: String) -> FormatError {
        FormatError(.syntax, file: file, at: .field(path), "the required field is missing",
                    fix: "compare the component with a tokenizer.json saved by Hugging Face tokenizers")
    }

    /// A one-character string (Metaspace's replacement, Strip's content, Delimiter's delimiter).
    func character(_ s: String?, path: String) throws -> Unicode.Scalar {
        guard let s else { throw missing(path) }
        guard s.unicodeScalars.count == 1, let c = s.unicodeScalars.first else {
            throw invalid(path, "\(s.debugDescription) is not a single character", "give exactly one character")
        }
        return c
    }

    /// A tokenizer.json (Oniguruma) regex compiled for ICU.
    func regex(_ source: String, path: String) throws -> ICURegex {
        do { return try ICURegex(OnigurumaPattern.icu(source)) } catch {
            throw invalid(path, "the regular expression is not usable: \(error)", "correct the regular expression (ICU syntax)")
        }
    }

    // MARK: Added tokens

    func addedTokens(_ specs: [TokenizerJSON.AddedToken]) throws -> [AddedToken] {
        var ids = Set<TokenID>()
        var contents = Set<String>()
        var out: [AddedToken] = []
        for (i, spec) in specs.enumerated() {
            if spec.content.isEmpty {
                throw invalid("added_tokens[\(i)].content", "the added token is empty", "remove the entry")
            }
            if !ids.insert(spec.id).inserted {
                throw invalid("added_tokens[\(i)].id", "id \(spec.id) is used by two added tokens", "ids must be unique")
            }
            if !contents.insert(spec.content).inserted {
                throw invalid("added_tokens[\(i)].content", "\(spec.content.debugDescription) is added twice", "remove one of the entries")
            }
            out.append(spec.resolved)
        }
        return out
    }

    // MARK: Normalizers

    mutating func normalizer(_ n: TokenizerJSON.Normalizer, path: String) throws -> HuggingFaceNormalizer {
        switch n.kind {
        case .nfc: return .unicode(.unicode(.nfc))
        case .nfd: return .unicode(.unicode(.nfd))
        case .nfkc: return .unicode(.unicode(.nfkc))
        case .nfkd: return .unicode(.unicode(.nfkd))
        case .lowercase: return .unicode(.lowercase)
        case .strip:
            guard let left = n.stripLeft else { throw missing(path + ".strip_left") }
            guard let right = n.stripRight else { throw missing(path + ".strip_right") }
            return .unicode(.strip(left: left, right: right))
        case .stripAccents: return .stripAccents
        case .bert:
            guard let clean = n.cleanText else { throw missing(path + ".clean_text") }
            guard let chinese = n.handleChineseChars else { throw missing(path + ".handle_chinese_chars") }
            guard let lower = n.lowercase else { throw missing(path + ".lowercase") }
            return .bert(cleanText: clean, handleChineseChars: chinese, stripAccents: n.stripAccents ?? lower, lowercase: lower)
        case .nmt: return .nmt
        case .precompiled:
            guard let text = n.precompiledCharsmap else { throw missing(path + ".precompiled_charsmap") }
            guard let blob = Data(base64Encoded: text) else {
                throw FormatError(.invalidValue, file: file, at: .field(path + ".precompiled_charsmap"), "the charsmap is not valid base64",
                                  fix: "convert the SentencePiece model again (the field holds its normalizer_spec.precompiled_charsmap in base64)")
            }
            do { return .precompiled(try PrecompiledNormalizer(charsmap: Array(blob))) } catch let e as SentencePieceError {
                throw FormatError(.invalidValue, file: file, at: .field(path + ".precompiled_charsmap"), e.problem,
                                  fix: e.fix.isEmpty ? "convert the SentencePiece model again" : e.fix)
            }
        case .replace:
            let content = Array((n.content ?? "").utf8)
            switch n.pattern {
            case .string(let s)?: return .replaceLiteral(Array(s.utf8), with: content)
            case .regex(let r)?: return .replaceRegex(try regex(r, path: path + ".pattern.Regex"), with: content)
            case nil: throw missing(path + ".pattern")
            }
        case .prepend:
            guard let p = n.prepend else { throw missing(path + ".prepend") }
            return .prepend(Array(p.utf8))
        case .byteLevel: return .byteLevel
        case .sequence:
            return .sequence(try (n.normalizers ?? []).enumerated().map { try normalizer($1, path: "\(path).normalizers[\($0)]") })
        }
    }

    // MARK: Pre-tokenizers

    /// Appends the stages of a pre-tokenizer (Sequences are flattened).
    func flatten(_ p: TokenizerJSON.PreTokenizer, path: String, into steps: inout [PreStep]) throws {
        switch p.kind {
        case .byteLevel:
            steps.append(.byteLevel(addPrefixSpace: p.addPrefixSpace ?? true, useRegex: p.useRegex ?? true, path: path))
        case .split:
            guard let pattern = p.pattern else { throw missing(path + ".pattern") }
            guard let behaviorName = p.behavior else { throw missing(path + ".behavior") }
            guard let behavior = SplitBehavior(huggingFaceName: behaviorName.rawValue) else {
                throw invalid(path + ".behavior", "unknown split behavior",
                              "use Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous")
            }
            let invert = p.invert ?? false
            switch pattern {
            case .regex(let source):
                if behavior == .isolated && !invert, let builtin = BuiltinPattern.matchingTokenizerJSON(regex: source) {
                    steps.append(.split(PatternScanner(builtin), pattern: source))
                } else {
                    steps.append(.split(try Assembly.regexPreTokenizer(OnigurumaPattern.icu(source), behavior: behavior,
                                                                       invert: invert, file: file, at: .field(path + ".pattern.Regex")),
                                        pattern: source))
                }
            case .string(let literal):
                guard !literal.isEmpty else {
                    throw invalid(path + ".pattern.String", "the split string is empty", "give a non-empty delimiter")
                }
                let source = TokenizerJSONLoader.escapeRegex(literal)
                steps.append(.split(try Assembly.regexPreTokenizer(source, behavior: behavior, invert: invert, file: file,
                                                                   at: .field(path + ".pattern.String")), pattern: source))
            }
        case .sequence:
            guard let children = p.pretokenizers else { throw missing(path + ".pretokenizers") }
            for (i, child) in children.enumerated() { try flatten(child, path: "\(path).pretokenizers[\(i)]", into: &steps) }
        case .metaspace:
            let replacement = try character(p.replacement, path: path + ".replacement")
            // tokenizers: a legacy `add_prefix_space: false` must come with prepend_scheme "never" (an absent scheme
            // counts as "always"); `true` changes nothing.
            let scheme = p.prependScheme ?? .always
            if p.addPrefixSpace == false && scheme != .never {
                throw invalid(path + ".add_prefix_space", "add_prefix_space = false contradicts prepend_scheme \"\(scheme.rawValue)\"",
                              "write \"prepend_scheme\": \"never\" (tokenizers refuses this combination too)")
            }
            let rewriter = MetaspaceRewriter(replacement: replacement,
                                             prependScheme: MetaspaceRewriter.PrependScheme(rawValue: scheme.rawValue) ?? .always)
            steps.append(.metaspace(rewriter, split: p.split ?? true))
        case .whitespace:
            do { steps.append(.split(try whitespacePreTokenizer(), pattern: #"\w+|[^\w\s]+"#)) } catch {
                throw invalid(path, "ICU rejected the Whitespace pattern: \(error)", "check the ICU installation")
            }
        case .whitespaceSplit: steps.append(.split(CharacterSplitter(.whitespace, behavior: .removed), pattern: nil))
        case .bert: steps.append(.split(bertPreTokenizer(), pattern: nil))
        case .punctuation:
            let behavior = SplitBehavior(huggingFaceName: (p.behavior ?? .isolated).rawValue) ?? .isolated
            steps.append(.split(CharacterSplitter(.punctuation, behavior: behavior), pattern: nil))
        case .digits:
            steps.append(.split(CharacterSplitter(.numeric, behavior: (p.individualDigits ?? false) ? .isolated : .contiguous),
                                pattern: nil))
        case .delimiter:
            let c = try character(p.delimiter, path: path + ".delimiter")
            steps.append(.split(CharacterSplitter(.scalar(c.value), behavior: .removed), pattern: nil))
        case .unicodeScripts: steps.append(.split(UnicodeScriptsPreTokenizer(), pattern: nil))
        case .fixedLength:
            let length = p.length ?? 5
            guard length > 0 else { throw invalid(path + ".length", "the length is 0", "give a length of at least 1") }
            steps.append(.split(FixedLengthPreTokenizer(length: length), pattern: nil))
        }
    }

    /// The pre-tokenizer of the flattened steps; also whether ByteLevel's prefix space can run as part of
    /// the normalization of each part (true only when nothing splits before it and no added token is matched
    /// in normalized text, where tokenizers would prefix every sub-part), and the regexes for `inspect`.
    func preTokenizer(_ steps: [PreStep], byteLevelModel: Bool, prefixSpaceMayNormalize: Bool) throws
        -> (any PreTokenizer, prefixSpace: Bool, patterns: [String]) {
        var stages: [PreTokenizerStage] = []
        var rewrites = false
        var prefixSpace = false
        var patterns: [String] = []
        for step in steps {
            switch step {
            case .split(let p, let pattern):
                stages.append(.split(p))
                if let pattern { patterns.append(pattern) }
            case .byteLevel(let addPrefixSpace, let useRegex, _):
                if addPrefixSpace {
                    if stages.isEmpty && !prefixSpace && prefixSpaceMayNormalize {
                        prefixSpace = true
                    } else {
                        stages.append(.rewrite(PrefixSpaceRewriter()))
                        rewrites = true
                    }
                }
                if useRegex {
                    stages.append(.split(PatternScanner(.gpt2)))
                    patterns.append(BuiltinPattern.gpt2.regexSource)
                }
                if !byteLevelModel {
                    stages.append(.rewrite(ByteLevelRewriter()))
                    rewrites = true
                }
            case .metaspace(let rewriter, let split):
                stages.append(.rewrite(rewriter))
                rewrites = true
                if split {
                    stages.append(.split(CharacterSplitter(.scalar(rewriter.replacement.value), behavior: .mergedWithNext)))
                }
            }
        }
        if rewrites { return (StagedPreTokenizer(stages), prefixSpace, patterns) }
        let splitters: [any PreTokenizer] = stages.compactMap { if case .split(let p) = $0 { return p } else { return nil } }
        switch splitters.count {
        case 0: return (WholeTextPreTokenizer(), prefixSpace, patterns)
        case 1: return (splitters[0], prefixSpace, patterns)
        default: return (PreTokenizerSequence(splitters), prefixSpace, patterns)
        }
    }

    // MARK: Decoders

    func decoder(_ d: TokenizerJSON.Decoder, path: String) throws -> any TokenDecoding {
        switch d.kind {
        case .byteLevel: return ByteLevelDecoder()
        case .byteFallback: return ByteFallbackDecoder()
        case .fuse: return FuseDecoder()
        case .strip:
            guard let start = d.start, start >= 0 else { throw missing(path + ".start") }
            guard let stop = d.stop, stop >= 0 else { throw missing(path + ".stop") }
            return StripDecoder(content: try character(d.content, path: path + ".content"), start: start, stop: stop)
        case .replace:
            let content = Array((d.content ?? "").utf8)
            switch d.pattern {
            case .string(let s)?: return ReplaceDecoder(pattern: .literal(Array(s.utf8)), content: content)
            case .regex(let r)?: return ReplaceDecoder(pattern: .regex(try regex(r, path: path + ".pattern.Regex")), content: content)
            case nil: throw missing(path + ".pattern")
            }
        case .metaspace:
            let replacement = try character(d.replacement, path: path + ".replacement")
            var scheme = d.prependScheme ?? .always
            if d.addPrefixSpace == false { scheme = .never }
            return MetaspaceDecoder(replacement: replacement, dropsInFirstToken: scheme != .never)
        case .wordPiece: return WordPieceDecoder(prefix: d.prefix ?? "##", cleanup: d.cleanup ?? true)
        case .bpe: return SuffixDecoder(suffix: d.suffix ?? "</w>")
        case .ctc:
            return CTCDecoder(padToken: d.padToken ?? "<pad>", wordDelimiter: d.wordDelimiterToken ?? "|", cleanup: d.cleanup ?? true)
        case .sequence:
            guard let children = d.decoders else { throw missing(path + ".decoders") }
            return DecoderSequence(try children.enumerated().map { try decoder($1, path: "\(path).decoders[\($0)]") })
        }
    }

    // MARK: Post-processors

    mutating func postProcessor(_ p: TokenizerJSON.PostProcessor, path: String) throws -> any PostProcessing {
        switch p.kind {
        case .template:
            guard let single = p.single else { throw missing(path + ".single") }
            let specials = p.specialTokens ?? TokenizerJSON.TemplateSpecialTokens([])
            for entry in specials.entries where entry.ids.count != entry.tokens.count {
                throw invalid("\(path).special_tokens.\(entry.name)", "ids and tokens differ in length",
                              "give one token per id")
            }
            var items: [TemplateItem] = []
            for (i, piece) in single.enumerated() {
                switch piece {
                case .sequence(let id, _):
                    guard id == "A" else {
                        throw unsupported("\(path).single[\(i)]", "the single-sequence template uses sequence B",
                                          "use $A in the single template")
                    }
                    items.append(.sequence)
                case .specialToken(let name, _):
                    guard let entry = specials.entry(named: name) else {
                        throw invalid("\(path).single[\(i)]", "the template names \(name.debugDescription), which is not in special_tokens",
                                      "add it to special_tokens")
                    }
                    items.append(.special(entry.ids))
                }
            }
            return TemplatePostProcessor(items: items)
        case .roberta, .bert:
            guard let cls = p.cls else { throw missing(path + ".cls") }
            guard let sep = p.sep else { throw missing(path + ".sep") }
            if p.kind == .roberta && p.trimOffsets != false { notApplied.append("\(path).trim_offsets (offset trimming)") }
            return TemplatePostProcessor(items: [.special([cls.id]), .sequence, .special([sep.id])], label: p.kind.rawValue)
        case .byteLevel:
            if p.trimOffsets != false { notApplied.append("\(path).trim_offsets (offset trimming)") }
            return IdentityPostProcessor(label: "ByteLevel")
        case .sequence:
            guard let children = p.processors else { throw missing(path + ".processors") }
            return PostProcessorSequence(try children.enumerated().map { try postProcessor($1, path: "\(path).processors[\($0)]") })
        }
    }
}
