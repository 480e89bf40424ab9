// SentencePieceDecoder: ids back to text as SentencePieceProcessor::Decode does (sentencepiece_processor.cc):
//
// - CONTROL pieces (`<s>`, `</s>`) decode to nothing; `<unk>` to unk_surface (default " ⁇ ");
// - runs of BYTE pieces `<0xNN>` are joined into bytes and decoded character by character: a well-formed UTF-8
//   character is kept, each byte that does not start one becomes U+FFFD;
// - other pieces have `▁` replaced by a space. The first piece that produces text loses one leading `▁` when the
//   model adds a dummy prefix or removes extra whitespace; with remove_extra_whitespaces every piece until the
//   first non-empty output loses its leading `▁` (the "bos whitespace" rule);
// - a denormalizer spec, when the model has one with rules, is applied to the whole text at the end.
//
// Each token's surface is written to its slot (the byte-run character to the run's last byte piece), so the
// concatenation is the decoded text; with a denormalizer the whole text is in the first slot.
//
// Invariant: for ids produced by encoding, the text equals sentencepiece's decode. Complexity: O(bytes).

import TesseraBPE
import TesseraTokenizer

/// SentencePiece's detokenizer.
public struct SentencePieceDecoder: TokenDecoding, Sendable {
    let table: SentencePiecePieceTable
    let unkSurface: [UInt8]
    let stripsLeadingSpace: Bool
    let removeExtraWhitespaces: Bool
    let denormalizer: SentencePieceNormalizer?

    /// A decoder for `proto`'s conventions over `table`.
    /// - Throws: `SentencePieceError` for a malformed denormalizer charsmap.
    public init(table: SentencePiecePieceTable, proto: ModelProto) throws {
        self.table = table
        let spec = proto.normalizerSpec ?? NormalizerSpec()
        unkSurface = Array((proto.trainerSpec ?? TrainerSpec()).unkSurface.utf8)
        stripsLeadingSpace = spec.addDummyPrefix || spec.removeExtraWhitespaces
        removeExtraWhitespaces = spec.removeExtraWhitespaces
        if let d = proto.denormalizerSpec, !d.precompiledCharsmap.isEmpty {
            denormalizer = try SentencePieceNormalizer(spec: d)
        } else {
            denormalizer = nil
        }
    }

    public var summary: String {
        "SentencePiece (▁ → space, <0xNN> → bytes, control symbols dropped"
            + (stripsLeadingSpace ? ", first ▁ dropped" : "") + (denormalizer != nil ? ", denormalizer" : "") + ")"
    }

    /// Without ids the types are unknown: only `▁` → space (used by nobody in Tessera; `Tokenizer` passes ids).
    public func decode(_ tokens: inout [[UInt8]]) {
        for i in tokens.indices { tokens[i] = Self.replaceSpaceSymbols(tokens[i][...]) }
    }

    public func decode(_ tokens: inout [[UInt8]], ids: [TokenID]) {
        var text = 0          // bytes of output so far (the "text is empty" test)
        var byteStart = 0
        var isBOSWhitespace = true
        var bosWhitespaceSeen = false
        for i in tokens.indices {
            if type(ids[i]) == .byte { continue }
            text += decodeByteRun(&tokens, ids, byteStart, i)
            if bosWhitespaceSeen || text > 0 { isBOSWhitespace = false }
            byteStart = i + 1
            (tokens[i], bosWhitespaceSeen) = decodePiece(tokens[i], ids[i], isBOSWhitespace)
            text += tokens[i].count
        }
        _ = decodeByteRun(&tokens, ids, byteStart, tokens.count)
        if let denormalizer {
            let joined = tokens.flatMap { $0 }
            tokens = [denormalizer.normalizedBytes(joined)] + Array(repeating: [], count: max(tokens.count - 1, 0))
        }
    }

    @inline(__always)
    private func type(_ id: TokenID) -> PieceType? { Int(id) < table.count ? table.types[Int(id)] : nil }

    /// One non-byte piece: its text and whether it consumed the leading-whitespace slot.
    private func decodePiece(_ piece: [UInt8], _ id: TokenID, _ isBOSWhitespace: Bool) -> ([UInt8], Bool) {
        switch type(id) {
        case .control?: return ([], false)
        case .unknown?: return (unkSurface, false)
        default: break
        }
        var body = piece[...]
        var consumed = false
        if isBOSWhitespace && stripsLeadingSpace {
            if body.starts(with: [0xE2, 0x96, 0x81]) {
                body = body.dropFirst(3)
                consumed = true
            }
            // With remove_extra_whitespaces every leading ▁ goes, so the slot stays open.
            if removeExtraWhitespaces { consumed = false }
        }
        return (Self.replaceSpaceSymbols(body), consumed)
    }

    static func replaceSpaceSymbols(_ s: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == 0xE2 && i + 2 < s.endIndex && s[i + 1] == 0x96 && s[i + 2] == 0x81 {
                out.append(0x20)
                i += 3
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// Byte pieces `lo..<hi` → characters; returns the bytes of text produced.
    private func decodeByteRun(_ tokens: inout [[UInt8]], _ ids: [TokenID], _ lo: Int, _ hi: Int) -> Int {
        guard lo < hi else { return 0 }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hi - lo)
        for i in lo..<hi { bytes.append(SentencePiecePieceTable.byteValue(of: tokens[i]) ?? 0) }
        var produced = 0
        bytes.withUnsafeBufferPointer { b in
            var offset = 0
            while offset < b.count {
                let length = UTF8Char.wellFormedLength(b, at: offset)
                if length == 0 {
                    tokens[lo + offset] = [0xEF, 0xBF, 0xBD]
                    produced += 3
                    offset += 1
                    continue
                }
                for j in 0..<(length - 1) { tokens[lo + offset + j] = [] }
                tokens[lo + offset + length - 1] = Array(b[offset..<(offset + length)])
                produced += length
                offset += length
            }
        }
        return produced
    }
}
