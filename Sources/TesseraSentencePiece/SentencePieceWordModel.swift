// SentencePieceWordModel: SentencePiece's word model (word_model.cc with model_interface.cc's SplitIntoWords and
// its default arguments): the normalized text is cut before every whitespace symbol `▁` (and at its start), and
// each word is one piece, looked up with PieceToId (reserved first, then pieces, else `<unk>`); unknown words then
// become byte pieces or one merged `<unk>` (PieceEmitter). The split ignores treat_whitespace_as_suffix, as
// word_model.cc does.
//
// Invariant: the words tile the text. Complexity: O(n) plus one lookup per word.

import TesseraBPE
import TesseraTokenizer

/// SentencePiece WORD: one piece per whitespace-delimited word.
public struct SentencePieceWordModel: TokenModel, Sendable {
    public let table: SentencePiecePieceTable

    public init(table: SentencePiecePieceTable) { self.table = table }

    public var vocabulary: Vocabulary { table.vocabulary }

    public var summary: String { "SentencePiece WORD (one piece per word, \(table.count) pieces)" }

    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        guard let text = piece.baseAddress, !piece.isEmpty else { return }
        let n = piece.count
        table.withEmitter(length: n, spans: spans, into: &ids) { _, emitter in
            var wordStart = 0
            var pos = 0
            while pos < n {
                let length = min(UTF8Char.oneCharLength(text[pos]), n - pos)
                let isSpace = length == 3 && text[pos] == 0xE2 && text[pos + 1] == 0x96 && text[pos + 2] == 0x81
                if isSpace && pos > wordStart {
                    emit(text, wordStart, pos, &emitter)
                    wordStart = pos
                }
                pos += length
            }
            emit(text, wordStart, n, &emitter)
        }
    }

    private func emit(_ text: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ emitter: inout PieceEmitter) {
        let id = table.id(of: UnsafeBufferPointer(start: text + start, count: end - start))
        emitter.emit(id, text + start, end - start)
    }
}
