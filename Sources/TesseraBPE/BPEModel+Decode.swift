// Decoding: ids → bytes. Lossless by construction (tokens are byte strings); UTF-8 repair, if any,
// is the caller's explicit choice (see `StreamingDecoder` in TesseraTokenizer).

extension BPEModel {
    /// Appends the bytes of `ids` to `out`.
    /// - Throws: `BPEError.unknownTokenID` for the first id not in the vocabulary.
    /// - Complexity: O(total output bytes).
    public func decode<S: Sequence<TokenID>>(_ ids: S, into out: inout [UInt8]) throws {
        for id in ids where !vocabulary.appendBytes(of: id, to: &out) {
            throw BPEError.unknownTokenID(id)
        }
    }

    /// The bytes of `ids`.
    public func decode<S: Sequence<TokenID>>(_ ids: S) throws -> [UInt8] {
        var out: [UInt8] = []
        try decode(ids, into: &out)
        return out
    }
}
