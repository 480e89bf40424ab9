// The encoding pipeline: normalize → cut out special tokens → pre-tokenize → BPE each piece.
//
// Contract: `decode(encode(x)) == normalize(x)` byte for byte for every input, including invalid
// UTF-8 (tokens are byte strings; the byte-level vocabulary covers all 256 bytes). Ids do not depend
// on the thread count. Offsets are UTF-8 byte ranges of the (normalized) input.

import TesseraBPE
import TesseraPreTokenizers

/// Rewrites text before pre-tokenization (Unicode normalization, lowercasing, a prefix space…).
public protocol TextNormalizing: Sendable {
    /// The normalized bytes. Throws when the input cannot be normalized (e.g. invalid UTF-8).
    func normalizedBytes(_ text: [UInt8]) throws -> [UInt8]
    /// A short description for `tessera inspect`.
    var summary: String { get }
}

/// A complete tokenizer: normalizer → special-token cut → pre-tokenizer → subword model, plus the
/// optional decoder and post-processor.
public struct Tokenizer: Sendable {
    /// Human-readable name, e.g. `o200k_base`.
    public var name: String
    public var normalizer: (any TextNormalizing)?
    public var preTokenizer: any PreTokenizer
    /// The subword model. Byte-level BPE (`BPEModel`) takes a statically dispatched fast path.
    public var model: any TokenModel {
        didSet { byteLevelBPE = model as? BPEModel }
    }
    public var specialTokens: SpecialTokens
    /// The pre-tokenizer's regular expression, when it has one (for `inspect`).
    public var patternDescription: String?
    /// Turns token strings into text; nil means "concatenate the token bytes" (byte-level models).
    public var decoder: (any TokenDecoding)?
    /// Adds special tokens (BOS/EOS…) when an encode call asks for them.
    public var postProcessor: (any PostProcessing)?
    /// `model` when it is byte-level BPE (kept so the hot path needs no dynamic cast per call).
    @usableFromInline private(set) var byteLevelBPE: BPEModel?

    public init(name: String, normalizer: (any TextNormalizing)? = nil, preTokenizer: any PreTokenizer,
                model: any TokenModel, specialTokens: SpecialTokens = .none, patternDescription: String? = nil,
                decoder: (any TokenDecoding)? = nil, postProcessor: (any PostProcessing)? = nil) {
        self.name = name
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.byteLevelBPE = model as? BPEModel
        self.specialTokens = specialTokens
        self.patternDescription = patternDescription
        self.decoder = decoder
        self.postProcessor = postProcessor
    }

    public var vocabulary: Vocabulary { model.vocabulary }

    /// The model as byte-level BPE, or nil for another kind of model.
    public var bpeModel: BPEModel? { byteLevelBPE }

    /// Number of ids the tokenizer can produce (ordinary + special), i.e. tiktoken's `n_vocab`.
    public var idUpperBound: Int {
        max(model.vocabulary.idUpperBound, (specialTokens.entries.map { Int($0.id) }.max() ?? -1) + 1)
    }

    // MARK: Encoding

    /// The ids of `text`.
    /// - Throws: `TokenizerError.disallowedSpecialToken` under `.raise`; `.normalization` from the normalizer.
    /// - Complexity: O(n) pre-tokenization plus BPE per piece (O(n log n) worst case).
    /// `addSpecialTokens` runs the post-processor (e.g. prepends BOS), like Hugging Face's
    /// `add_special_tokens`; it is off by default, as in tiktoken.
    public func encode(_ text: [UInt8], specials: SpecialTokenPolicy = .raise, addSpecialTokens: Bool = false) throws -> [TokenID] {
        var ids: [TokenID] = []
        ids.reserveCapacity(text.count / 3 + 1)
        try encode(text, specials: specials, into: &ids, offsets: nil)
        if addSpecialTokens, let postProcessor { postProcessor.process(&ids, offsets: nil) }
        return ids
    }

    /// The ids of `text` (UTF-8).
    public func encode(_ text: String, specials: SpecialTokenPolicy = .raise, addSpecialTokens: Bool = false) throws -> [TokenID] {
        try encode(Array(text.utf8), specials: specials, addSpecialTokens: addSpecialTokens)
    }

    /// Ids with the UTF-8 byte range each token covers.
    public func encodeWithOffsets(_ text: [UInt8], specials: SpecialTokenPolicy = .raise,
                                  addSpecialTokens: Bool = false) throws -> Encoding {
        var ids: [TokenID] = []
        var offsets: [Range<Int>] = []
        let normalized = try encode(text, specials: specials, into: &ids, offsets: &offsets)
        if addSpecialTokens, let postProcessor { postProcessor.process(&ids, offsets: &offsets) }
        return Encoding(ids: ids, offsets: offsets, offsetsAreIntoNormalizedText: normalized)
    }

    /// Number of tokens in `text`.
    public func count(_ text: [UInt8], specials: SpecialTokenPolicy = .raise) throws -> Int {
        try encode(text, specials: specials).count
    }

    /// Appends the ids of `text`; when `offsets` is given, appends each token's byte range too.
    /// Returns whether a normalizer changed the text (offsets then refer to the normalized bytes).
    @discardableResult
    public func encode(_ text: [UInt8], specials: SpecialTokenPolicy, into ids: inout [TokenID],
                       offsets: UnsafeMutablePointer<[Range<Int>]>?) throws -> Bool {
        let source = try normalized(text)
        let changed = normalizer != nil && source != text
        try source.withUnsafeBufferPointer { buffer in
            try forEachSegment(buffer, specials: specials) { segment, special in
                if let special {
                    ids.append(special)
                    offsets?.pointee.append(segment)
                } else {
                    encodeOrdinary(buffer, segment, into: &ids, offsets: offsets)
                }
            }
        }
        return changed
    }

    /// `text` after the normalizer: what `Encoding.offsets` index when `offsetsAreIntoNormalizedText`.
    /// - Throws: `TokenizerError.normalization` with the normalizer's message.
    public func normalizedText(_ text: [UInt8]) throws -> [UInt8] { try normalized(text) }

    /// `text` after the normalizer (the text itself when there is none).
    /// - Throws: `TokenizerError.normalization` with the normalizer's message.
    func normalized(_ text: [UInt8]) throws -> [UInt8] {
        guard let normalizer else { return text }
        do { return try normalizer.normalizedBytes(text) } catch {
            throw TokenizerError.normalization(String(describing: error))
        }
    }

    /// Splits `text` into ordinary segments and special-token occurrences (per the policy), in order.
    func forEachSegment(_ text: UnsafeBufferPointer<UInt8>, specials: SpecialTokenPolicy,
                        _ body: (Range<Int>, TokenID?) throws -> Void) throws {
        var position = 0
        if specials != .asText && !specialTokens.isEmpty {
            while let match = specialTokens.firstMatch(in: text, from: position) {
                if specials == .raise {
                    throw TokenizerError.disallowedSpecialToken(
                        text: String(decoding: text[match.range], as: UTF8.self), byteOffset: match.range.lowerBound)
                }
                if match.range.lowerBound > position { try body(position..<match.range.lowerBound, nil) }
                try body(match.range, match.id)
                position = match.range.upperBound
            }
        }
        if position < text.count { try body(position..<text.count, nil) }
    }

    /// Encodes the ordinary (special-free) bytes `text[range]`.
    @inline(__always)
    func encodeOrdinary(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into ids: inout [TokenID],
                        offsets: UnsafeMutablePointer<[Range<Int>]>?) {
        let segment = UnsafeBufferPointer(rebasing: text[range])
        guard let base = segment.baseAddress else { return }
        if let offsets {
            var spans: [Int] = []
            let shift = range.lowerBound
            preTokenizer.forEachPiece(in: segment) { piece in
                spans.removeAll(keepingCapacity: true)
                model.encode(piece: UnsafeBufferPointer(start: base + piece.lowerBound, count: piece.count),
                             into: &ids, spans: &spans)
                var start = shift + piece.lowerBound
                for span in spans {
                    offsets.pointee.append(start..<start + span)
                    start += span
                }
            }
            return
        }
        guard let bpe = byteLevelBPE else {
            let model = self.model
            preTokenizer.forEachPiece(in: segment) { piece in
                model.encode(piece: UnsafeBufferPointer(start: base + piece.lowerBound, count: piece.count),
                             into: &ids, spans: nil)
            }
            return
        }
        bpe.withEncoder { encoder in
            if let scanner = preTokenizer as? PatternScanner {
                // The common case, dispatched statically so the scanner loop and the encoder inline together.
                scanner.forEachPiece(in: segment) { piece in
                    encoder.encode(base + piece.lowerBound, piece.count, into: &ids)
                }
            } else {
                preTokenizer.forEachPiece(in: segment) { piece in
                    encoder.encode(base + piece.lowerBound, piece.count, into: &ids)
                }
            }
        }
    }

    // MARK: Decoding

    /// The bytes of `ids` (special tokens decode to their text). Lossless for byte-level models; with a
    /// decoder, the decoder's text (e.g. `▁` back to a space).
    /// - Throws: `TokenizerError.unknownTokenID` naming the first bad id and its position.
    public func decode<S: Sequence<TokenID>>(_ ids: S) throws -> [UInt8] {
        var out: [UInt8] = []
        try decode(ids, into: &out)
        return out
    }

    /// Appends the bytes of `ids` to `out`.
    public func decode<S: Sequence<TokenID>>(_ ids: S, into out: inout [UInt8]) throws {
        let vocabulary = model.vocabulary
        if let decoder {
            var tokens: [[UInt8]] = []
            var idList: [TokenID] = []
            for (position, id) in ids.enumerated() {
                guard let bytes = tokenBytes(id) else { throw TokenizerError.unknownTokenID(id, position: position) }
                tokens.append(bytes)
                idList.append(id)
            }
            decoder.decode(&tokens, ids: idList)
            for t in tokens { out.append(contentsOf: t) }
            return
        }
        for (position, id) in ids.enumerated() where !vocabulary.appendBytes(of: id, to: &out) {
            guard let special = specialTokens.bytes(of: id) else {
                throw TokenizerError.unknownTokenID(id, position: position)
            }
            out.append(contentsOf: special)
        }
    }

    /// The bytes of one token (ordinary or special), or nil for an unknown id.
    public func tokenBytes(_ id: TokenID) -> [UInt8]? {
        if let b = model.vocabulary.bytes(of: id) { return Array(b) }
        return specialTokens.bytes(of: id)
    }
}

/// The result of `encodeWithOffsets`.
public struct Encoding: Sendable, Equatable {
    public var ids: [TokenID]
    /// UTF-8 byte range of each token. Ranges are contiguous and cover the (normalized) input.
    public var offsets: [Range<Int>]
    /// True when a normalizer changed the text, so `offsets` index the normalized bytes.
    public var offsetsAreIntoNormalizedText: Bool
}
