// TokenizerJSONLoader: Hugging Face `tokenizer.json` (optionally gzipped) → `Tokenizer`, with the ids of
// tokenizers 0.23.3. The file is read into the typed model (`TokenizerJSON`, fast JSON decoder), then every
// component is turned into its runtime:
//
// - model BPE: byte-level (`BPEModel`, the fast path) when a ByteLevel pre-tokenizer ends the pre-tokenizer,
//   the vocabulary is in GPT-2's byte alphabet with all 256 bytes, and there is no subword prefix/suffix;
//   otherwise `CharacterBPEModel` over the token strings (byte fallback, unk, fuse_unk, prefix/suffix,
//   ignore_merges), with a ByteLevel stage, if any, mapping pieces into the alphabet first;
// - added_tokens → `AddedVocabulary` (tokenizers' split order and single_word/lstrip/rstrip/normalized);
// - normalizer → `HuggingFaceNormalizer` (Precompiled through SentencePiece's charsmap, as tokenizers applies it);
// - pre_tokenizer → range pre-tokenizers (PatternScanner for the built-in regexes, ICU otherwise, character
//   classes for Whitespace/Punctuation/Digits/BERT…) or, when a stage rewrites text (Metaspace, a prefix
//   space after a split), a `StagedPreTokenizer`;
// - decoder / post_processor → TesseraTokenizer's decoders and template post-processors;
// - truncation / padding are kept in the model and reported as not applied.
//
// Invariant: anything the runtime would not reproduce exactly is an error naming its JSON path, or is listed
// in `Loaded.notApplied`; nothing is ignored silently.
// Complexity: O(file size) (JSON pass, vocabulary and merge tables).

import Foundation
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer
import TesseraUnicode

/// Loads Hugging Face `tokenizer.json` files.
public enum TokenizerJSONLoader {
    /// A loaded tokenizer, the file's typed model, and what was read but not applied.
    public struct Loaded: Sendable {
        public var tokenizer: Tokenizer
        /// The file as read (write it back with `TokenizerJSONWriter`).
        public var json: TokenizerJSON
        /// JSON paths of parts that are kept but have no effect on ids (Precompiled normalizers, truncation,
        /// padding, offset trimming), each with a short reason.
        public var notApplied: [String]

        /// The `decoder.type`, if any.
        public var decoderType: String? { json.decoder?.kind.rawValue }
        /// The `post_processor.type`, if any.
        public var postProcessorType: String? { json.postProcessor?.kind.rawValue }
        /// Number of merges read.
        public var mergeCount: Int { json.model.merges.count }
    }

    /// Loads `path` (`tokenizer.json` or `tokenizer.json.gz`).
    public static func load(path: String) throws -> Tokenizer {
        try loadDetailed(path: path).tokenizer
    }

    /// Loads `path` and reports what was read but not applied.
    public static func loadDetailed(path: String) throws -> Loaded {
        let bytes = try FileBytes.read(path)
        return try load(bytes: bytes, file: path, name: defaultName(for: path))
    }

    /// Loads tokenizer.json content; `file` is used in error messages.
    public static func load(bytes: [UInt8], file: String, name: String) throws -> Loaded {
        try build(try read(bytes: bytes, file: file), file: file, name: name)
    }

    /// Reads tokenizer.json content into the typed model, with errors naming `file` and the JSON path.
    public static func read(bytes: [UInt8], file: String) throws -> TokenizerJSON {
        do {
            return try TokenizerJSON.read(bytes)
        } catch let error as DecodingError {
            throw JSONErrors.convert(error, file: file, fix: "compare the field with a tokenizer.json saved by Hugging Face tokenizers")
        } catch let error as UnsupportedComponent {
            throw FormatError(.unsupported, file: file, at: .field(error.path),
                              "\(error.family) type \(error.type.debugDescription) is not supported",
                              fix: "supported \(error.family)s: " + error.supported.joined(separator: ", "))
        }
    }

    /// Builds the runtime tokenizer of a typed model.
    /// - Throws: `FormatError` naming the JSON path of what cannot be applied exactly.
    /// - Complexity: O(vocabulary + merges) hash-table work (one lookup per merge side and result).
    public static func build(_ json: TokenizerJSON, file: String, name: String) throws -> Loaded {
        var context = BuildContext(file: file)
        if let version = json.version, version != "1.0" {
            throw FormatError(.unsupported, file: file, at: .field("version"), "version \(version.debugDescription) is not 1.0",
                              fix: "re-save the tokenizer with a current Hugging Face tokenizers (which writes \"1.0\")")
        }
        if json.truncation != nil { context.notApplied.append("truncation (Tessera encodes whole texts)") }
        if json.padding != nil { context.notApplied.append("padding (Tessera does not pad)") }
        let model = json.model
        if let d = model.dropout, d != 0 {
            throw context.unsupported("model.dropout", "BPE dropout \(d) makes encoding random", "set \"dropout\": null")
        }
        let addedSpecs = try context.addedTokens(json.addedTokens ?? [])
        let normalizer = try json.normalizer.map { try context.normalizer($0, path: "normalizer") }
        var steps: [PreStep] = []
        if let pre = json.preTokenizer { try context.flatten(pre, path: "pre_tokenizer", into: &steps) }

        let addedIDs = Set(addedSpecs.map(\.id))
        let isBPE = model.unigram == nil && model.wordPiece == nil && model.wordLevel == nil
        let byteLevel = isBPE ? try context.byteLevelModel(model, steps: steps, normalizer: normalizer, excluding: addedIDs) : nil
        let tokenModel: any TokenModel
        if let unigram = model.unigram {
            tokenModel = try context.unigramModel(unigram)
        } else if let wordPiece = model.wordPiece {
            tokenModel = try context.wordPieceModel(wordPiece)
        } else if let wordLevel = model.wordLevel {
            tokenModel = try context.wordLevelModel(wordLevel)
        } else {
            tokenModel = try byteLevel.map { $0 as any TokenModel } ?? context.characterModel(model)
        }
        let vocabulary = tokenModel.vocabulary

        // Pre-tokenizer, and the normalizer that runs on each part of the text (possibly with ByteLevel's prefix space).
        let normalizedAdded = addedSpecs.contains { $0.normalized }
        let (preTokenizer, prefixSpace, patterns) = try context.preTokenizer(steps, byteLevelModel: byteLevel != nil,
                                                                             prefixSpaceMayNormalize: !normalizedAdded)
        var partNormalizer: HuggingFaceNormalizer? = normalizer
        if prefixSpace { partNormalizer = normalizer.map { .sequence([$0, .prefixSpace]) } ?? .prefixSpace }

        // Added tokens: all of them drive matching (normalized ones by their form under the file's normalizer);
        // those outside the model vocabulary also decode as special tokens.
        let added: AddedVocabulary
        do { added = try AddedVocabulary(addedSpecs, normalizer: normalizer) } catch {
            throw FormatError(.invalidValue, file: file, at: .field("added_tokens"), "\(error)", fix: "fix the added token")
        }
        let outside = addedSpecs.filter { !vocabulary.contains($0.id) }
        let specialTokens = try Assembly.specialTokens(outside.map { SpecialToken($0.content, $0.id) }, vocabulary: vocabulary,
                                                       file: file, source: "added_tokens")
        let decoder = try json.decoder.map { try context.decoder($0, path: "decoder") }
        let postProcessor = try json.postProcessor.map { try context.postProcessor($0, path: "post_processor") }
        var tokenizer = Tokenizer(name: name, normalizer: partNormalizer, preTokenizer: preTokenizer, model: tokenModel,
                                  specialTokens: specialTokens,
                                  patternDescription: patterns.isEmpty ? nil : patterns.joined(separator: " then "),
                                  decoder: decoder, postProcessor: postProcessor, addedVocabulary: added)
        if byteLevel != nil {
            tokenizer.decoderTokenText = { Array(ByteLevelAlphabet.encode($0).utf8) }
        }
        return Loaded(tokenizer: tokenizer, json: json, notApplied: context.notApplied)
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

/// A flattened pre-tokenizer stage with the JSON path it came from.
enum PreStep {
    case split(any PreTokenizer, pattern: String?)
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool, path: String)
    case metaspace(MetaspaceRewriter, split: Bool)
}
