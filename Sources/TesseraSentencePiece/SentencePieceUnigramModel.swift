// SentencePieceUnigramModel: SentencePiece's Unigram segmentation (unigram_model.cc, Model::EncodeOptimized, the
// default encoder): the Viterbi path through the lattice of all pieces found in the normalized text, where a path's
// score is the sum of its pieces' scores (log probabilities).
//
// Walking the text one character (OneCharLen) at a time, for each start position every piece that begins there
// (a walk of the piece trie: NORMAL and USER_DEFINED pieces; UNUSED ones are skipped) offers
// best[start] + score to best[end]. A user-defined symbol scores length × max_score − 0.1, so it always wins. When
// no piece covers exactly the first character, an `<unk>` node of that character scores min_score − 10
// (kUnkPenalty). The best path is read back from the end. Unknown pieces then become byte pieces or one merged
// `<unk>` (PieceEmitter).
//
// Exactness: sentencepiece keeps best[] in float, compares in the precision of its expressions (a piece score is
// widened to double before adding; the user-defined bonus is computed in double; the `<unk>` candidate is float)
// and keeps the first candidate on ties (starts are visited left to right, shorter pieces first). This code does
// the same arithmetic in the same order, and runs over the whole text at once: cutting it would change the
// rounding of the accumulated scores and could flip a near-tie.
//
// Invariant: the pieces of the result tile the text. Complexity: O(n × L) for n bytes and a longest piece of L
// bytes; O(n) memory.

import TesseraBPE
import TesseraTokenizer

/// SentencePiece Unigram: the highest-scoring segmentation of the text.
public struct SentencePieceUnigramModel: TokenModel, Sendable {
    public let table: SentencePiecePieceTable
    /// Penalty of an unknown character below the lowest piece score (kUnkPenalty).
    public static let unknownPenalty: Float = 10

    public init(table: SentencePiecePieceTable) { self.table = table }

    public var vocabulary: Vocabulary { table.vocabulary }

    public var summary: String {
        "SentencePiece Unigram (Viterbi over piece scores, \(table.count) pieces\(table.byteFallback ? ", byte fallback" : ""))"
    }

    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        guard let text = piece.baseAddress, !piece.isEmpty else { return }
        let n = piece.count
        let trie = table.pieces.view
        let unkID = Int32(table.unkID)
        let unkScore = table.minScore - Self.unknownPenalty
        let maxScore = table.maxScore
        // best[e]: score of the best path ending at byte e, its last piece's start and id (start -1: none yet).
        let raw = UnsafeMutableRawPointer.allocate(byteCount: (n + 1) * 12, alignment: 4)
        defer { raw.deallocate() }
        let bestScore = raw.bindMemory(to: Float.self, capacity: n + 1)
        let bestStart = (raw + (n + 1) * 4).bindMemory(to: Int32.self, capacity: n + 1)
        let bestID = (raw + (n + 1) * 8).bindMemory(to: Int32.self, capacity: n + 1)
        bestScore.initialize(repeating: 0, count: n + 1)
        bestStart.initialize(repeating: -1, count: n + 1)
        bestID.initialize(repeating: -1, count: n + 1)

        withExtendedLifetime(table) {
            table.scores.withUnsafeBufferPointer { scores in
                table.types.withUnsafeBufferPointer { types in
                    var start = 0
                    while start < n {
                        let tillHere = bestScore[start]
                        var hasSingleNode = false
                        let charLength = min(UTF8Char.oneCharLength(text[start]), n - start)
                        var node = 0
                        var key = start
                        while key < n {
                            node = trie.child(node, text[key])
                            if node < 0 { break }
                            key += 1
                            let id = Int(trie.value[node])
                            if id < 0 { continue }
                            let type = types[id]
                            if type == .unused { continue }
                            let length = key - start
                            // As in unigram_model.cc: `length * max_score_ - 0.1` is float times float, then double;
                            // a piece score is widened to double; the sum is double, compared against the stored float.
                            let score: Double = type == .userDefined ? Double(Float(length) * maxScore) - 0.1 : Double(scores[id])
                            let candidate = score + Double(tillHere)
                            if bestStart[key] == -1 || candidate > Double(bestScore[key]) {
                                bestScore[key] = Float(candidate)
                                bestStart[key] = Int32(start)
                                bestID[key] = Int32(id)
                            }
                            if !hasSingleNode && length == charLength { hasSingleNode = true }
                        }
                        if !hasSingleNode {
                            let target = start + charLength
                            let candidate: Float = unkScore + tillHere
                            if bestStart[target] == -1 || candidate > bestScore[target] {
                                bestScore[target] = candidate
                                bestStart[target] = Int32(start)
                                bestID[target] = unkID
                            }
                        }
                        start += charLength
                    }
                }
            }
        }
        // Back from the end.
        var pathEnds: [Int32] = []
        pathEnds.reserveCapacity(n / 3 + 1)
        var end = n
        while end > 0 {
            let s = Int(bestStart[end])
            guard s >= 0 && s < end else { break }   // unreachable for text walked above; guards corrupt state
            pathEnds.append(Int32(end))
            end = s
        }
        table.withEmitter { emitter in
            for e in pathEnds.reversed() {
                let e = Int(e), s = Int(bestStart[e])
                emitter.emit(TokenID(bestID[e]), text + s, e - s, into: &ids, spans: spans)
            }
        }
    }
}
