// The pluggable stages of a `Tokenizer` besides normalization and pre-tokenization: the subword model
// (one pre-token → ids), the decoder (token strings → text) and the post-processor (special tokens
// around an encoding, e.g. a BOS id). Hugging Face `tokenizers` has the same four seams
// (normalizer, pre_tokenizer, model, post_processor, decoder); keeping them as small protocols lets
// SentencePiece, WordPiece-style and byte-level models share one pipeline.
//
// Invariant: a model's `encode(piece:)` covers the piece exactly: the spans it reports sum to the
// piece's byte count, so offsets stay contiguous whatever the model.

import TesseraBPE

/// The subword model of a pipeline: turns one pre-token (bytes of normalized text) into ids.
public protocol TokenModel: Sendable {
    /// The model's tokens as byte strings: raw bytes for byte-level BPE; the piece text as written in
    /// the vocabulary file (e.g. `▁the`, `<0x41>`) for models whose pieces are not raw bytes.
    var vocabulary: Vocabulary { get }
    /// Appends the ids of `piece` to `ids`. When `spans` is given, also appends, for each id, the
    /// number of bytes of `piece` it covers (they sum to `piece.count`).
    func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?)
    /// One line for `tessera inspect`, e.g. `byte-level BPE, merge list (50,000 merges)`.
    var summary: String { get }
    /// Whether `id` stands for text the model could not represent (an unknown token, or a byte-fallback
    /// piece such as `<0xE6>`): the numerator of the UNK / byte-fallback rate. False by default.
    func isFallback(_ id: TokenID) -> Bool
}

extension TokenModel {
    public func isFallback(_ id: TokenID) -> Bool { false }
}

/// Rewrites the token strings of one decode call into text pieces (Hugging Face decoders: ByteLevel,
/// ByteFallback, Replace, Strip, Fuse, Metaspace…). The output pieces are concatenated.
public protocol TokenDecoding: Sendable {
    /// Rewrites `tokens` in place; `tokens[i]` starts as the vocabulary bytes of the i-th id.
    func decode(_ tokens: inout [[UInt8]])
    /// Rewrites `tokens` knowing their ids (`ids[i]` is the id of `tokens[i]`): SentencePiece decodes by piece
    /// type (control symbols vanish, `<unk>` becomes its surface, byte pieces become bytes), which the text alone
    /// does not tell. `Tokenizer.decode` calls this one; the default ignores the ids.
    func decode(_ tokens: inout [[UInt8]], ids: [TokenID])
    /// One line for `tessera inspect`.
    var summary: String { get }
}

extension TokenDecoding {
    public func decode(_ tokens: inout [[UInt8]], ids: [TokenID]) { decode(&tokens) }
}

/// Adds special tokens around the ids of one encoded sequence (Hugging Face post-processors).
public protocol PostProcessing: Sendable {
    /// Rewrites `ids` (and `offsets`, when given: added tokens get an empty range at their position).
    func process(_ ids: inout [TokenID], offsets: UnsafeMutablePointer<[Range<Int>]>?)
    /// One line for `tessera inspect`.
    var summary: String { get }
}

extension BPEModel: TokenModel {
    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        let before = ids.count
        encode(piece: piece, into: &ids)
        if let spans {
            for i in before..<ids.count { spans.pointee.append(vocabulary.byteCount(of: ids[i])) }
        }
    }

    public var summary: String {
        switch rule {
        case .rankOrder: return "byte-level BPE, rank order (tiktoken: lowest-rank concatenation first, whole-piece lookup)"
        case .mergeList(let list, let ignoreMerges):
            return "byte-level BPE, merge list (Hugging Face, \(list.count) merges)\(ignoreMerges ? ", ignore_merges" : "")"
        }
    }
}

extension CharacterBPEModel: TokenModel {
    public var summary: String {
        var parts = ["character BPE (Hugging Face merge list, \(merges.count) merges)"]
        if options.byteFallback { parts.append("byte fallback") }
        if let unk = options.unknownToken { parts.append("unk \(unk)" + (options.fuseUnknown ? " (fused)" : "")) }
        if let p = options.continuingSubwordPrefix { parts.append("continuing-subword prefix \(p.debugDescription)") }
        if let s = options.endOfWordSuffix { parts.append("end-of-word suffix \(s.debugDescription)") }
        if options.ignoreMerges { parts.append("ignore_merges") }
        return parts.joined(separator: ", ")
    }
}
