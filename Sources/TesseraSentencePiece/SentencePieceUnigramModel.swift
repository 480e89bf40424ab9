// SentencePieceUnigramModel: SentencePiece's Unigram segmentation (unigram_model.cc, Model::EncodeOptimized, the
// default encoder): the Viterbi path through the lattice of all pieces found in the normalized text, where a path's
// score is the sum of its pieces' scores (log probabilities).
//
// Walking the text one character (OneCharLen) at a time, for each start position every piece that begins there
// (a walk of the piece trie: NORMAL and USER_DEFINED pieces, each slot holding its piece's score; UNUSED pieces,
// which sentencepiece skips, are left out) offers best[start] + score to best[end]; the first candidate wins a tie
// (starts are visited left to right, shorter pieces first). When no piece covers exactly the first character, an `<unk>` node of that character scores
// min_score − 10 (kUnkPenalty). The best path is read back from the end. Unknown pieces then become byte pieces or
// one merged `<unk>` (PieceEmitter).
//
// Exactness. The arithmetic is sentencepiece 0.2.3's, read from its compiled EncodeOptimized (the 0.2.1 source
// differs, and following it gives other ids on long texts): scores are float and added in float; a user-defined
// symbol of L bytes scores float((L − 1) × 0.1) (0.2.1: L × max_score − 0.1); and whenever the score carried into a
// start position leaves [−100,000, 100,000], that score is subtracted from every reached position from there to the
// furthest end reached so far, so the sums stay small enough for float to separate near-equal paths. Near-ties are
// common on long texts (a FLORES language is ~300 KB), so each of these details changes ids; with them the ids equal
// 0.2.3's on every FLORES-200 and code text. The whole text is segmented at once, as sentencepiece does: cutting
// it would change the sums.
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
    /// When the score carried into a position leaves ±this, the reached scores are rebased (sentencepiece 0.2.3).
    static let renormalizationBound: Float = 100_000

    /// pieces_ as a trie (the table's, or one built here for a table made for another model type).
    let prefixTrie: ByteTrie

    public init(table: SentencePiecePieceTable) {
        self.table = table
        prefixTrie = table.prefixTrie ?? table.makePrefixTrie()
    }

    public var vocabulary: Vocabulary { table.vocabulary }

    public var summary: String {
        "SentencePiece Unigram (Viterbi over piece scores, \(table.count) pieces\(table.byteFallback ? ", byte fallback" : ""))"
    }

    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        guard let text = piece.baseAddress, !piece.isEmpty else { return }
        let n = piece.count
        let trie = prefixTrie.view
        let unkID = Int32(table.unkID)
        let unkScore = table.minScore - Self.unknownPenalty
        // best[e]: score of the best path ending at byte e, its last piece's start and id (start -1: none yet).
        let raw = UnsafeMutableRawPointer.allocate(byteCount: (n + 1) * 12, alignment: 4)
        defer { raw.deallocate() }
        let bestScore = raw.bindMemory(to: Float.self, capacity: n + 1)
        let bestStart = (raw + (n + 1) * 4).bindMemory(to: Int32.self, capacity: n + 1)
        let bestID = (raw + (n + 1) * 8).bindMemory(to: Int32.self, capacity: n + 1)
        bestScore.initialize(repeating: 0, count: n + 1)
        bestStart.initialize(repeating: -1, count: n + 1)
        bestID.initialize(repeating: -1, count: n + 1)

        withExtendedLifetime((table, prefixTrie)) {
            let userDefinedFlag = SentencePiecePieceTable.userDefinedFlag
            var start = 0
            var furthest = 0          // the furthest end any candidate has reached
            while start < n {
                var tillHere = bestScore[start]
                if tillHere < -Self.renormalizationBound || tillHere > Self.renormalizationBound {
                    // Rebase the reached scores so that best[start] becomes 0.
                    var c = start
                    while c <= furthest {
                        if c == start || bestStart[c] != -1 { bestScore[c] -= tillHere }
                        c += 1
                    }
                    tillHere = 0
                }
                var hasSingleNode = false
                let charLength = min(UTF8Char.oneCharLength(text[start]), n - start)
                var node = 0
                var key = start
                while key < n {
                    node = trie.child(node, text[key])
                    if node < 0 { break }
                    key += 1
                    let value = trie.value(node)
                    if value < 0 { continue }
                    furthest = max(furthest, key)
                    let length = key - start
                    let score = value & userDefinedFlag != 0 ? Float(Double(length - 1) * 0.1)
                                                             : Float(bitPattern: trie.extra(node))
                    let candidate = score + tillHere
                    if bestStart[key] == -1 || candidate > bestScore[key] {
                        bestScore[key] = candidate
                        bestStart[key] = Int32(start)
                        bestID[key] = value & ~userDefinedFlag
                    }
                    if !hasSingleNode && length == charLength { hasSingleNode = true }
                }
                if !hasSingleNode {
                    let target = start + charLength
                    let candidate = unkScore + tillHere
                    if bestStart[target] == -1 || candidate > bestScore[target] {
                        bestScore[target] = candidate
                        bestStart[target] = Int32(start)
                        bestID[target] = unkID
                    }
                    furthest = max(furthest, target)
                }
                start += charLength
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
        table.withEmitter(length: n, spans: spans, into: &ids) { _, emitter in
            for e in pathEnds.reversed() {
                let e = Int(e), s = Int(bestStart[e])
                emitter.emit(TokenID(bestID[e]), text + s, e - s)
            }
        }
    }
}
