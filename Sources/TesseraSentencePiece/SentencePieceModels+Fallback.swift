// The UNK / byte-fallback rate of `tessera stats`: an id is a fallback when it is the unknown piece or
// a BYTE piece (`<0xNN>`), i.e. text the model's pieces could not represent.

import TesseraBPE

extension SentencePiecePieceTable {
    /// Whether `id` is the unknown piece or a byte-fallback piece.
    public func isFallback(_ id: TokenID) -> Bool {
        guard Int(id) < types.count else { return false }
        return id == unkID || types[Int(id)] == .byte
    }
}

extension SentencePieceBPEModel {
    public func isFallback(_ id: TokenID) -> Bool { table.isFallback(id) }
}

extension SentencePieceUnigramModel {
    public func isFallback(_ id: TokenID) -> Bool { table.isFallback(id) }
}

extension SentencePieceCharModel {
    public func isFallback(_ id: TokenID) -> Bool { table.isFallback(id) }
}

extension SentencePieceWordModel {
    public func isFallback(_ id: TokenID) -> Bool { table.isFallback(id) }
}
