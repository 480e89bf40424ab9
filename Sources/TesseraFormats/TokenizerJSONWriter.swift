// TokenizerJSONWriter: writes tokenizer.json — the typed model as read (round trip), or a new file made from a
// loaded byte-level `Tokenizer` (any source format: .tiktoken, vocab.json + merges.txt, GGUF, tokenizer.json),
// so conversions can target tokenizer.json.
//
// From a tokenizer: the vocabulary in GPT-2's byte alphabet with its ids; merges in the current pair shape
// (a merge-list model's own list; for a tiktoken rank-order model the list is recovered from the ranks: each
// token of two or more bytes is the merge of the two parts that rank-order BPE, limited to lower ranks, leaves
// of it — the conversion tiktoken → Hugging Face in common use — with `ignore_merges` on, which gives the
// whole-piece lookup tiktoken does first); the pre-tokenizer as `Split` regexes and `ByteLevel`; Unicode
// normalizers; the special tokens as special, non-normalized added tokens; a ByteLevel decoder.
// Whatever has no tokenizer.json form is listed in one `Unrepresentable` error.
//
// Invariant: writing is atomic (AtomicFile); a file written from a tokenizer loads back (Tessera or Hugging Face)
// to a tokenizer that gives the same ids on the shared parity corpora (bench/parity.py).
// Complexity: O(vocabulary bytes) for a merge-list model; O(Σ len²) vocabulary lookups to recover merges.

import Foundation
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer
import TesseraUnicode

/// Writes Hugging Face tokenizer.json files.
public enum TokenizerJSONWriter {
    /// Parts of a tokenizer that tokenizer.json cannot express.
    public struct Unrepresentable: Error, Sendable, Equatable, CustomStringConvertible {
        public var tokenizer: String
        public var reasons: [String]
        public var description: String {
            "cannot write \(tokenizer) as tokenizer.json: " + reasons.joined(separator: "; ")
        }
    }

    /// Writes `json` to `path` atomically, pretty-printed like tokenizers' `save` unless `pretty` is false.
    public static func write(_ json: TokenizerJSON, to path: String, pretty: Bool = true) throws {
        try AtomicFile.write(try json.write(pretty: pretty), to: path)
    }

    /// Writes a tokenizer.json for `tokenizer` to `path` atomically.
    public static func write(_ tokenizer: Tokenizer, to path: String, pretty: Bool = true) throws {
        try AtomicFile.write(try data(for: tokenizer, pretty: pretty), to: path)
    }

    /// The tokenizer.json bytes for a byte-level tokenizer.
    /// - Throws: `Unrepresentable` listing every part that tokenizer.json cannot hold.
    /// - Complexity: O(vocabulary bytes) for a merge-list model; a rank-order (tiktoken) model adds O(Σ len²)
    ///   lookups to recover its merges.
    public static func data(for tokenizer: Tokenizer) throws -> [UInt8] {
        try data(for: tokenizer, pretty: true)
    }

    public static func data(for tokenizer: Tokenizer, pretty: Bool) throws -> [UInt8] {
        try model(for: tokenizer).write(pretty: pretty)
    }

    /// The typed tokenizer.json model for a byte-level tokenizer.
    public static func model(for tokenizer: Tokenizer) throws -> TokenizerJSON {
        var reasons: [String] = []
        guard let bpe = tokenizer.bpeModel else {
            throw Unrepresentable(tokenizer: tokenizer.name,
                                  reasons: ["the model is not byte-level BPE (\(tokenizer.model.summary)); only byte-level tokenizers can be written"])
        }
        let vocabulary = bpe.vocabulary
        var vocab = TokenizerJSON.Vocab()
        for (bytes, id) in vocabulary.entries { vocab.append(ByteLevelAlphabet.encode(bytes), id: id) }
        var merges = TokenizerJSON.Merges(shape: .pairs)
        let ignoreMerges: Bool
        switch bpe.rule {
        case .mergeList(let list, let ignore):
            ignoreMerges = ignore
            for m in list { appendMerge(m.left, m.right, vocabulary, to: &merges) }
        case .rankOrder:
            ignoreMerges = true
            for (left, right) in recoveredMerges(vocabulary) { appendMerge(left, right, vocabulary, to: &merges) }
        }
        var model = TokenizerJSON.Model(vocab: vocab, merges: merges, ignoreMerges: ignoreMerges)
        model.fuseUnk = false
        model.byteFallback = false

        // Normalizer and ByteLevel's prefix space.
        var prefixSpace = false
        var normalizer: TokenizerJSON.Normalizer? = nil
        if let n = tokenizer.normalizer {
            if let t = n as? TextNormalizer {
                prefixSpace = t.addsPrefixSpace
                normalizer = t.normalizer.map(typed)
            } else if let h = n as? HuggingFaceNormalizer {
                normalizer = typed(h, prefixSpace: &prefixSpace, reasons: &reasons)
            } else {
                reasons.append("the normalizer \(n.summary) has no tokenizer.json form")
            }
        }
        let pre = preTokenizer(tokenizer.preTokenizer, prefixSpace: prefixSpace, reasons: &reasons)

        var added: [TokenizerJSON.AddedToken] = []
        if let vocabularyOfAdded = tokenizer.addedVocabulary {
            for t in vocabularyOfAdded.tokens.sorted(by: { $0.id < $1.id }) {
                added.append(TokenizerJSON.AddedToken(id: t.id, content: t.content, singleWord: t.singleWord, lstrip: t.leftStrip,
                                                      rstrip: t.rightStrip, normalized: t.normalized, special: t.special))
            }
        } else {
            for e in tokenizer.specialTokens.entries {
                guard let text = String(validating: e.bytes, as: UTF8.self) else {
                    reasons.append("special token \(e.id) is not valid UTF-8")
                    continue
                }
                added.append(TokenizerJSON.AddedToken(id: e.id, content: text, normalized: false, special: true))
            }
        }
        var decoder = TokenizerJSON.Decoder(.byteLevel)
        decoder.addPrefixSpace = true
        decoder.trimOffsets = true
        decoder.useRegex = true
        if let d = tokenizer.decoder, !(d is ByteLevelDecoder) {
            reasons.append("the decoder \(d.summary) has no byte-level tokenizer.json form here")
        }
        var postProcessor: TokenizerJSON.PostProcessor? = nil
        if let p = tokenizer.postProcessor {
            postProcessor = typed(p, tokenizer: tokenizer, reasons: &reasons)
        }
        guard reasons.isEmpty else { throw Unrepresentable(tokenizer: tokenizer.name, reasons: reasons) }
        return TokenizerJSON(addedTokens: added, normalizer: normalizer, preTokenizer: pre, postProcessor: postProcessor,
                             decoder: decoder, model: model)
    }

    static func appendMerge(_ left: TokenID, _ right: TokenID, _ vocabulary: Vocabulary, to merges: inout TokenizerJSON.Merges) {
        merges.append(ByteLevelAlphabet.encode(vocabulary.bytes(of: left) ?? []), ByteLevelAlphabet.encode(vocabulary.bytes(of: right) ?? []))
    }

    /// The merge list implied by tiktoken ranks (ids): for each token of two or more bytes, in rank order, the
    /// two parts left by rank-order BPE restricted to lower ranks; tokens it cannot split in two get no merge.
    static func recoveredMerges(_ vocabulary: Vocabulary) -> [(TokenID, TokenID)] {
        var merges: [(TokenID, TokenID)] = []
        var starts: [Int] = []
        for id in 0..<TokenID(vocabulary.idUpperBound) {
            guard let bytes = vocabulary.bytes(of: id), bytes.count >= 2 else { continue }
            bytes.withUnsafeBufferPointer { b in
                starts = Array(0...b.count)   // part i is b[starts[i]..<starts[i + 1]]
                func rank(_ i: Int) -> TokenID {
                    vocabulary.id(of: UnsafeBufferPointer(rebasing: b[starts[i]..<starts[i + 2]])) ?? .max
                }
                while starts.count > 3 {
                    var best: TokenID = .max
                    var at = -1
                    for i in 0..<(starts.count - 2) {
                        let r = rank(i)
                        if r < id && r < best { best = r; at = i }
                    }
                    guard at >= 0 else { break }
                    starts.remove(at: at + 1)
                }
                guard starts.count == 3,
                      let l = vocabulary.id(of: UnsafeBufferPointer(rebasing: b[starts[0]..<starts[1]])),
                      let r = vocabulary.id(of: UnsafeBufferPointer(rebasing: b[starts[1]..<starts[2]])) else { return }
                merges.append((l, r))
            }
        }
        return merges
    }

    // MARK: Components

    static func typed(_ n: Normalizer) -> TokenizerJSON.Normalizer {
        switch n {
        case .unicode(.nfc): return .init(.nfc)
        case .unicode(.nfd): return .init(.nfd)
        case .unicode(.nfkc): return .init(.nfkc)
        case .unicode(.nfkd): return .init(.nfkd)
        case .lowercase: return .init(.lowercase)
        case .strip(let left, let right):
            var s = TokenizerJSON.Normalizer(.strip)
            s.stripLeft = left
            s.stripRight = right
            return s
        case .sequence(let stages): return .sequence(stages.map(typed))
        }
    }

    static func typed(_ h: HuggingFaceNormalizer, prefixSpace: inout Bool, reasons: inout [String]) -> TokenizerJSON.Normalizer? {
        switch h {
        case .unicode(let n): return typed(n)
        case .stripAccents: return .init(.stripAccents)
        case .bert(let clean, let chinese, let strip, let lower):
            var b = TokenizerJSON.Normalizer(.bert)
            b.cleanText = clean
            b.handleChineseChars = chinese
            b.stripAccents = strip
            b.lowercase = lower
            return b
        case .nmt: return .init(.nmt)
        case .replaceLiteral(let p, let c):
            var r = TokenizerJSON.Normalizer(.replace)
            r.pattern = .string(String(decoding: p, as: UTF8.self))
            r.content = String(decoding: c, as: UTF8.self)
            return r
        case .replaceRegex(let regex, let c):
            var r = TokenizerJSON.Normalizer(.replace)
            r.pattern = .regex(regex.pattern)
            r.content = String(decoding: c, as: UTF8.self)
            return r
        case .prepend(let p):
            var r = TokenizerJSON.Normalizer(.prepend)
            r.prepend = String(decoding: p, as: UTF8.self)
            return r
        case .byteLevel: return .init(.byteLevel)
        case .precompiled(let p):
            var r = TokenizerJSON.Normalizer(.precompiled)
            r.precompiledCharsmap = Data(p.charsmap).base64EncodedString()
            return r
        case .prefixSpace:
            prefixSpace = true
            return nil
        case .sequence(let stages):
            let children = stages.compactMap { typed($0, prefixSpace: &prefixSpace, reasons: &reasons) }
            return children.count == 1 ? children[0] : .sequence(children)
        }
    }

    /// `Split` / `ByteLevel` stages for a range pre-tokenizer; the ByteLevel stage carries the prefix space.
    static func preTokenizer(_ p: any PreTokenizer, prefixSpace: Bool, reasons: inout [String]) -> TokenizerJSON.PreTokenizer {
        var stages: [TokenizerJSON.PreTokenizer] = []
        var prefixSpace = prefixSpace
        func add(_ p: any PreTokenizer) {
            switch p {
            case let staged as StagedPreTokenizer:
                addStages(staged.stages[...])
            case let scanner as PatternScanner:
                stages.append(.split(.regex(scanner.pattern.huggingFaceSpelling), behavior: .isolated))
            case let regex as RegexPreTokenizer:
                stages.append(.split(.regex(regex.pattern), behavior: behavior(regex.behavior), invert: regex.invert))
            case let sequence as PreTokenizerSequence:
                for stage in sequence.stages { add(stage) }
            case let splitter as CharacterSplitter:
                switch (splitter.characters, splitter.behavior) {
                case (.whitespace, .removed): stages.append(.init(.whitespaceSplit))
                case (.punctuation, let b):
                    var s = TokenizerJSON.PreTokenizer(.punctuation)
                    s.behavior = behavior(b)
                    stages.append(s)
                case (.numeric, .isolated), (.numeric, .contiguous):
                    var s = TokenizerJSON.PreTokenizer(.digits)
                    s.individualDigits = splitter.behavior == .isolated
                    stages.append(s)
                default: reasons.append("the character split \(splitter.characters) with \(splitter.behavior) has no tokenizer.json form")
                }
            case is WholeTextPreTokenizer:
                break
            default:
                reasons.append("the pre-tokenizer \(type(of: p)) has no tokenizer.json form")
            }
        }
        /// A rewriting pre-tokenizer's stages: Metaspace (with its split), and ByteLevel's prefix space, which
        /// tokenizer.json can only hold on the final ByteLevel (before GPT-2's regex at most).
        func addStages(_ rest: ArraySlice<PreTokenizerStage>) {
            var rest = rest
            while let stage = rest.popFirst() {
                switch stage {
                case .split(let splitter): add(splitter)
                case .rewrite(let metaspace as MetaspaceRewriter):
                    var m = TokenizerJSON.PreTokenizer(.metaspace)
                    m.replacement = String(metaspace.replacement)
                    m.prependScheme = TokenizerJSON.PrependScheme(rawValue: metaspace.prependScheme.rawValue)
                    m.split = false
                    if case .split(let s as CharacterSplitter)? = rest.first, s.characters == .scalar(metaspace.replacement.value),
                       s.behavior == .mergedWithNext {
                        m.split = true
                        rest.removeFirst()
                    }
                    stages.append(m)
                case .rewrite(is PrefixSpaceRewriter):
                    let gpt2 = rest.count == 1 && (rest.first.map { if case .split(let s as PatternScanner) = $0 { return s.pattern == .gpt2 } else { return false } } ?? false)
                    guard rest.isEmpty || gpt2 else {
                        reasons.append("a prefix space followed by further pre-tokenizer stages has no tokenizer.json form "
                                       + "(ByteLevel must come last in a byte-level tokenizer.json)")
                        return
                    }
                    if gpt2 { add(PatternScanner(.gpt2)) }
                    prefixSpace = true
                    return
                case .rewrite(let other):
                    reasons.append("the pre-tokenizer stage \(other.summary) has no byte-level tokenizer.json form")
                }
            }
        }
        add(p)
        // GPT-2's regex alone is ByteLevel's own (`use_regex`), which is also the only place a prefix space can go
        // before a split: tokenizers adds a later ByteLevel's prefix space to every piece.
        let gpt2Alone = stages == [.split(.regex(BuiltinPattern.gpt2.huggingFaceSpelling), behavior: .isolated)]
        if gpt2Alone { stages = [] }
        if prefixSpace && !stages.isEmpty {
            reasons.append("a prefix space before a split pattern other than GPT-2's has no tokenizer.json form "
                           + "(tokenizers adds it to every piece after the split)")
        }
        let byteLevel = TokenizerJSON.PreTokenizer.byteLevel(addPrefixSpace: prefixSpace, useRegex: gpt2Alone)
        return stages.isEmpty ? byteLevel : .sequence(stages + [byteLevel])
    }

    static func behavior(_ b: SplitBehavior) -> TokenizerJSON.Behavior {
        switch b {
        case .removed: return .removed
        case .isolated: return .isolated
        case .mergedWithPrevious: return .mergedWithPrevious
        case .mergedWithNext: return .mergedWithNext
        case .contiguous: return .contiguous
        }
    }

    static func typed(_ p: any PostProcessing, tokenizer: Tokenizer, reasons: inout [String]) -> TokenizerJSON.PostProcessor? {
        switch p {
        case let template as TemplatePostProcessor:
            var single: [TokenizerJSON.TemplatePiece] = []
            var entries: [TokenizerJSON.TemplateSpecialTokens.Entry] = []
            for item in template.items {
                switch item {
                case .sequence: single.append(.sequence(id: "A", typeID: 0))
                case .special(let ids):
                    let tokens = ids.map { String(decoding: tokenizer.decoderText(of: $0) ?? [], as: UTF8.self) }
                    let name = tokens.joined()
                    single.append(.specialToken(id: name, typeID: 0))
                    if !entries.contains(where: { $0.name == name }) { entries.append(.init(id: name, ids: ids, tokens: tokens)) }
                }
            }
            var t = TokenizerJSON.PostProcessor(.template)
            t.single = single
            t.pair = single + single.map { piece in
                if case .sequence = piece { return .sequence(id: "B", typeID: 1) }
                if case .specialToken(let id, _) = piece { return .specialToken(id: id, typeID: 1) }
                return piece
            }
            t.specialTokens = TokenizerJSON.TemplateSpecialTokens(entries)
            return t
        case let sequence as PostProcessorSequence:
            var s = TokenizerJSON.PostProcessor(.sequence)
            s.processors = sequence.processors.compactMap { typed($0, tokenizer: tokenizer, reasons: &reasons) }
            return s
        case is IdentityPostProcessor:
            var b = TokenizerJSON.PostProcessor(.byteLevel)
            b.addPrefixSpace = true
            b.trimOffsets = false
            b.useRegex = true
            return b
        default:
            reasons.append("the post-processor \(p.summary) has no tokenizer.json form")
            return nil
        }
    }
}

extension BuiltinPattern {
    /// The regex written for this pattern in tokenizer.json, in a spelling Oniguruma (tokenizers' engine, Ruby
    /// syntax) reads with the same meaning: GPT-2 as tokenizers' ByteLevel spells it, cl100k with its possessive
    /// interval `\p{N}{1,3}+` written as the atomic group `(?>\p{N}{1,3})` (in Ruby syntax `{1,3}+` would mean
    /// "one or more times"), the others as they are.
    public var huggingFaceSpelling: String {
        switch self {
        case .gpt2: return alternativeSources[0]
        case .cl100k: return regexSource.replacingOccurrences(of: #"\p{N}{1,3}+"#, with: #"(?>\p{N}{1,3})"#)
        default: return regexSource
        }
    }

    /// The built-in pattern whose tokenizer.json spelling, reference string or alternative is exactly `regex`.
    static func matchingTokenizerJSON(regex: String) -> BuiltinPattern? {
        matching(regex: regex) ?? allCases.first { $0.huggingFaceSpelling == regex }
    }
}
