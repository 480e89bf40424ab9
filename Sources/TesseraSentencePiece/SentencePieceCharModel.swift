// SentencePieceCharModel: SentencePiece's character model (char_model.cc): each user-defined symbol (longest
// match) or single character (OneCharLen) of the normalized text is one piece, looked up with PieceToId
// (reserved pieces first, then pieces, else `<unk>`); unknown characters then become byte pieces or one merged
// `<unk>` (PieceEmitter).
//
// Invariant: the pieces tile the text. Complexity: O(n) plus one lookup per character.

import TesseraBPE
import TesseraTokenizer

/// SentencePiece CHAR: one piece per character.
public struct SentencePieceCharModel: TokenModel, Sendable {
    public let table: SentencePiecePieceTable

    public init(table: SentencePiecePieceTable) { self.table = table }

    public var vocabulary: Vocabulary { table.vocabulary }

    public var summary: String { "SentencePiece CHAR (one piece per character, \(table.count) pieces)" }

    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        guard let text = piece.baseAddress, !piece.isEmpty else { return }
        let n = piece.count
        table.withEmitter(length: n, spans: spans, into: &ids) { _, emitter in
            var pos = 0
            while pos < n {
                var length = 0
                if let user = table.userDefined, user.startsKey[Int(text[pos])] {
                    length = user.longestPrefix(text, from: pos, to: n, maxResults: 64)
                }
                if length == 0 { length = min(UTF8Char.oneCharLength(text[pos]), n - pos) }
                let id = table.id(of: UnsafeBufferPointer(start: text + pos, count: length))
                emitter.emit(id, text + pos, length)
                pos += length
            }
        }
    }
}
