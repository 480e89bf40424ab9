// HuggingFaceUnigramModel: the Unigram model of Hugging Face `tokenizers` (models/unigram/model.rs, the optimized
// encoder that tokenizers uses by default), as tokenizer.json files converted from SentencePiece Unigram models
// (T5, ALBERT, XLNet, XLM-R, mBART, Marian…) describe it. It is SentencePiece's Viterbi segmentation with the
// arithmetic of tokenizers, which differs from sentencepiece's own (SentencePieceUnigramModel) in ways that change
// ids:
//
// - every vocabulary entry is a candidate piece, control pieces such as `<s>` included (sentencepiece skips
//   control and unused pieces), and every entry scores its own score (no user-defined-symbol rule);
// - scores are Double and sums are Double (sentencepiece 0.2.3 adds floats and rebases large sums);
// - an unknown character scores min(score) − 10 like sentencepiece's; consecutive unknown nodes (and matches of the
//   `unk_id` piece itself) fuse into one string, which is then looked up: a vocabulary piece gives its id, else the
//   bytes' `<0xNN>` pieces when `byte_fallback` is set and all exist, else `unk_id`.
//
// Ties: a candidate replaces the best path into its end only when strictly better, and candidates are offered by
// start position, then by length (the trie's prefix order), so the first one found wins.
//
// Invariant: the emitted spans tile the piece. Complexity: O(n × L) for n bytes and a longest piece of L bytes,
// O(n) memory.

import TesseraBPE
import TesseraTokenizer

/// Hugging Face's Unigram model: the highest-scoring segmentation under Double arithmetic.
public struct HuggingFaceUnigramModel: TokenModel, @unchecked Sendable {
    /// tokenizers' K_UNK_PENALTY.
    public static let unknownPenalty = 10.0

    public let vocabulary: Vocabulary
    public let scores: [Double]
    public let unkID: TokenID?
    public let byteFallback: Bool
    let trie: ByteTrie
    let minScore: Double
    /// `<0xNN>` piece ids (nil when `byteFallback` is off or any of the 256 is missing, as tokenizers then falls
    /// back to `unk_id` for the whole string).
    let byteIDs: [TokenID]?

    /// - Throws: `SentencePieceError` for an empty vocabulary, an empty or repeated piece, an `unk_id` outside the
    ///   vocabulary, or no way to encode an unknown character (no `unk_id` and no complete byte fallback).
    public init(pieces: [[UInt8]], scores: [Double], unkID: Int?, byteFallback: Bool) throws {
        guard !pieces.isEmpty, pieces.count == scores.count else {
            throw SentencePieceError(.invalidValue, field: "model.vocab", "the Unigram vocabulary is empty",
                                     fix: "a Unigram model needs at least one piece")
        }
        if let unkID, unkID < 0 || unkID >= pieces.count {
            throw SentencePieceError(.invalidValue, field: "model.unk_id", "unk_id \(unkID) is not an index of the \(pieces.count) pieces",
                                     fix: "set unk_id to the position of the unknown piece in model.vocab")
        }
        let vocabulary: Vocabulary
        do { vocabulary = try Vocabulary(tokens: pieces) } catch {
            throw SentencePieceError(.invalidValue, field: "model.vocab", "\(error)", fix: "pieces must be non-empty and unique")
        }
        self.vocabulary = vocabulary
        self.scores = scores
        self.unkID = unkID.map { TokenID($0) }
        self.byteFallback = byteFallback
        minScore = scores.min() ?? 0
        trie = ByteTrie(pieces.enumerated().map { (key: $0.element[...], value: Int32($0.offset)) })
        var bytes: [TokenID]? = nil
        if byteFallback {
            var found = [TokenID]()
            found.reserveCapacity(256)
            for b in 0..<256 {
                let name = Array("<0x\(b < 16 ? "0" : "")\(String(b, radix: 16, uppercase: true))>".utf8)
                guard let id = name.withUnsafeBufferPointer({ vocabulary.id(of: $0) }) else { break }
                found.append(id)
            }
            if found.count == 256 { bytes = found }
        }
        byteIDs = bytes
        if unkID == nil && bytes == nil {
            throw SentencePieceError(.invalidValue, field: "model.unk_id",
                                     "unk_id is null and byte fallback does not cover all 256 bytes, so an unknown character has no encoding",
                                     fix: "set unk_id to the unknown piece's position (tokenizers would fail on such text at encode time)")
        }
    }

    public var summary: String {
        "Hugging Face Unigram (Viterbi over piece scores, \(vocabulary.count) pieces\(byteIDs != nil ? ", byte fallback" : ""))"
    }

    public func isFallback(_ id: TokenID) -> Bool {
        if id == unkID { return true }
        guard let byteIDs else { return false }
        return byteIDs.contains(id)
    }

    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        guard let text = piece.baseAddress, !piece.isEmpty else { return }
        let n = piece.count
        let view = trie.view
        let unkScore = minScore - Self.unknownPenalty
        let unk = Int32(unkID.map { Int($0) } ?? -1)
        var bestScore = [Double](repeating: 0, count: n + 1)
        var bestStart = [Int32](repeating: -1, count: n + 1)
        var bestID = [Int32](repeating: -1, count: n + 1)
        withExtendedLifetime(trie) {
            var start = 0
            while start < n {
                let tillHere = bestScore[start]
                let charLength = min(UTF8Char.oneCharLength(text[start]), n - start)
                var hasSingleNode = false
                var node = 0
                var key = start
                while key < n {
                    node = view.child(node, text[key])
                    if node < 0 { break }
                    key += 1
                    let id = view.value(node)
                    if id < 0 { continue }
                    let candidate = scores[Int(id)] + tillHere
                    if bestStart[key] == -1 || candidate > bestScore[key] {
                        bestScore[key] = candidate
                        bestStart[key] = Int32(start)
                        bestID[key] = id
                    }
                    if key - start == charLength { hasSingleNode = true }
                }
                if !hasSingleNode {
                    let target = start + charLength
                    let candidate = unkScore + tillHere
                    if bestStart[target] == -1 || candidate > bestScore[target] {
                        bestScore[target] = candidate
                        bestStart[target] = Int32(start)
                        bestID[target] = unk
                    }
                }
                start += charLength
            }
        }
        // Back from the end, then forward: runs of unknown nodes become one string.
        var path: [(start: Int, end: Int, id: Int32)] = []
        var end = n
        while end > 0 {
            let s = Int(bestStart[end])
            guard s >= 0 && s < end else { break }
            path.append((s, end, bestID[end]))
            end = s
        }
        path.reverse()
        var i = 0
        while i < path.count {
            var j = i
            if unk >= 0 && path[i].id == unk {
                while j + 1 < path.count && path[j + 1].id == unk { j += 1 }
            }
            emit(UnsafeBufferPointer(start: text + path[i].start, count: path[j].end - path[i].start),
                 single: i == j ? path[i].id : nil, into: &ids, spans: spans)
            i = j + 1
        }
    }

    /// One string of the path: its piece id when it is a piece, else byte pieces or `unk_id`.
    @inline(__always)
    private func emit(_ s: UnsafeBufferPointer<UInt8>, single: Int32?, into ids: inout [TokenID],
                      spans: UnsafeMutablePointer<[Int]>?) {
        if let single, single >= 0, single != Int32(unkID.map { Int($0) } ?? -1) {
            ids.append(TokenID(single)); spans?.pointee.append(s.count); return
        }
        if let id = vocabulary.id(of: s) {
            ids.append(id); spans?.pointee.append(s.count); return
        }
        if let byteIDs {
            for b in s { ids.append(byteIDs[Int(b)]) }
            spans?.pointee.append(contentsOf: repeatElement(1, count: s.count))
            return
        }
        ids.append(unkID ?? 0)
        spans?.pointee.append(s.count)
    }
}
