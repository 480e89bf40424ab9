// The encoding pipeline: normalize → cut out special tokens → pre-tokenize → BPE each piece.
// With Hugging Face added tokens (`addedVocabulary`), tokenizers' order instead: cut out the added tokens
// that match the raw text → normalize each remaining part → cut out the normalized added tokens →
// pre-tokenize → model (see AddedVocabulary.swift).
//
// Contract: `decode(encode(x)) == normalize(x)` byte for byte for every input, including invalid
// UTF-8, for byte-level models without a decoder (tokens are byte strings; the byte-level vocabulary
// covers all 256 bytes). Ids do not depend on the thread count. Offsets are UTF-8 byte ranges of the
// (normalized) input.

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
    public var preTokenizer: any PreTokenizer {
        didSet { stagedPreTokenizer = preTokenizer as? StagedPreTokenizer }
    }
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
    /// Hugging Face added tokens. When set, text is cut at them before normalization (normalizing each part
    /// on its own), with tokenizers' `single_word` / `lstrip` / `rstrip` / `normalized` rules; non-special
    /// added tokens are then matched whatever the special-token policy.
    public var addedVocabulary: AddedVocabulary?
    /// Turns a model token's vocabulary bytes into the text the decoder works on (Hugging Face decoders see
    /// token strings, which for a byte-level model are in GPT-2's alphabet); nil: the bytes as they are.
    public var decoderTokenText: (@Sendable ([UInt8]) -> [UInt8])?
    /// `model` when it is byte-level BPE (kept so the hot path needs no dynamic cast per call).
    @usableFromInline private(set) var byteLevelBPE: BPEModel?
    /// `preTokenizer` when its stages rewrite pieces (Metaspace, a prefix space after a split).
    private(set) var stagedPreTokenizer: StagedPreTokenizer?

    public init(name: String, normalizer: (any TextNormalizing)? = nil, preTokenizer: any PreTokenizer,
                model: any TokenModel, specialTokens: SpecialTokens = .none, patternDescription: String? = nil,
                decoder: (any TokenDecoding)? = nil, postProcessor: (any PostProcessing)? = nil,
                addedVocabulary: AddedVocabulary? = nil) {
        self.name = name
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.stagedPreTokenizer = preTokenizer as? StagedPreTokenizer
        self.model = model
        self.byteLevelBPE = model as? BPEModel
        self.specialTokens = specialTokens
        self.patternDescription = patternDescription
        self.decoder = decoder
        self.postProcessor = postProcessor
        self.addedVocabulary = addedVocabulary.flatMap { $0.isEmpty ? nil : $0 }
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
        if let addedVocabulary {
            let plan = try addedVocabulary.plan(text, normalizer: normalizer, specials: specials)
            plan.text.withUnsafeBufferPointer { buffer in
                for part in plan.parts {
                    if let id = part.id {
                        ids.append(id)
                        offsets?.pointee.append(part.range)
                    } else {
                        encodeOrdinary(buffer, part.range, startsText: part.startsText, into: &ids, offsets: offsets)
                    }
                }
            }
            return plan.text != text
        }
        let source = try normalized(text)
        let changed = normalizer != nil && source != text
        try source.withUnsafeBufferPointer { buffer in
            try forEachSegment(buffer, specials: specials) { segment, special in
                if let special {
                    ids.append(special)
                    offsets?.pointee.append(segment)
                } else {
                    encodeOrdinary(buffer, segment, startsText: segment.lowerBound == 0, into: &ids, offsets: offsets)
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

    /// Segments up to this many bytes are encoded into a temporary id buffer of one id per byte (4 MiB of
    /// room at most); longer ones append to the output array directly.
    static let bufferedSegmentLimit = 1 << 20

    /// Encodes the ordinary (special-free) bytes `text[range]`; `startsText`: they begin the input.
    @inline(__always)
    func encodeOrdinary(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, startsText: Bool, into ids: inout [TokenID],
                        offsets: UnsafeMutablePointer<[Range<Int>]>?) {
        let segment = UnsafeBufferPointer(rebasing: text[range])
        guard let base = segment.baseAddress else { return }
        if let staged = stagedPreTokenizer {
            encodeRewritten(segment, shift: range.lowerBound, startsText: startsText, staged, into: &ids, offsets: offsets)
            return
        }
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
                guard segment.count <= Self.bufferedSegmentLimit else {
                    Self.encodePieces(of: segment, scanner, encoder, into: &ids)
                    return
                }
                // A byte-level token covers at least one byte: one id per byte of room never overflows.
                withUnsafeTemporaryAllocation(of: TokenID.self, capacity: segment.count) { room in
                    var sink = TokenIDBuffer(base: room.baseAddress!)
                    Self.encodePieces(of: segment, scanner, encoder, into: &sink)
                    ids.append(contentsOf: UnsafeBufferPointer(start: room.baseAddress, count: sink.count))
                }
            } else {
                preTokenizer.forEachPiece(in: segment) { piece in
                    encoder.encode(base + piece.lowerBound, piece.count, into: &ids)
                }
            }
        }
    }

    /// Scans `segment` and encodes its pieces, a batch at a time through the prefetching pipeline, into `sink`.
    @inline(__always)
    static func encodePieces<S: TokenSink>(of segment: UnsafeBufferPointer<UInt8>, _ scanner: PatternScanner,
                                           _ encoder: BPEModel.Encoder, into sink: inout S) {
        guard let base = segment.baseAddress else { return }
        let end = base + segment.count
        encoder.withPieceBatch { batch in
            scanner.forEachPiece(in: segment) { piece in
                if batch.add(piece.lowerBound, piece.count) { encoder.encode(&batch, base: base, end: end, into: &sink) }
            }
            encoder.encode(&batch, base: base, end: end, into: &sink)
        }
    }

    /// Encodes a segment through a rewriting pre-tokenizer; offsets map back through each piece's origin.
    func encodeRewritten(_ segment: UnsafeBufferPointer<UInt8>, shift: Int, startsText: Bool, _ staged: StagedPreTokenizer,
                         into ids: inout [TokenID], offsets: UnsafeMutablePointer<[Range<Int>]>?) {
        var spans: [Int] = []
        let model = self.model
        staged.forEachPiece(in: segment, startsText: startsText) { piece, origin in
            guard let offsets else {
                model.encode(piece: piece, into: &ids, spans: nil)
                return
            }
            spans.removeAll(keepingCapacity: true)
            model.encode(piece: piece, into: &ids, spans: &spans)
            var at = 0
            for span in spans {
                let lower = shift + origin.offset(at, count: piece.count)
                at += span
                offsets.pointee.append(lower..<max(lower, shift + origin.offset(at, count: piece.count)))
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
                guard let text = decoderText(of: id) else { throw TokenizerError.unknownTokenID(id, position: position) }
                tokens.append(text)
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

    /// The text a decoder receives for `id` (Hugging Face's `id_to_token` as decoding uses it): an added
    /// token's content (its normalized form when normalizing changed it), else the model token's text.
    public func decoderText(of id: TokenID) -> [UInt8]? {
        if let text = addedVocabulary?.decoderText(of: id) { return text }
        if let bytes = model.vocabulary.bytes(of: id) { return decoderTokenText.map { $0(bytes) } ?? bytes }
        return specialTokens.bytes(of: id)
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
