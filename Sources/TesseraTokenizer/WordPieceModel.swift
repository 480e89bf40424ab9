// WordPieceModel and WordLevelModel: the two vocabulary-lookup models of Hugging Face `tokenizers`
// (models/wordpiece/mod.rs `tokenize`, models/wordlevel/mod.rs), which BERT-family tokenizer.json files use.
//
// WordPiece (Schuster & Nakajima 2012, as BERT's tokenizer applies it): greedy longest match first. From the start
// of the pre-token, the longest prefix that is a vocabulary token is taken; each later piece must be in the
// vocabulary with `continuing_subword_prefix` ("##") in front. Candidate ends shrink one character at a time.
// A pre-token longer than `max_input_chars_per_word` characters, or one at some position of which no candidate
// matches, becomes the single `unk_token` (the whole pre-token, not just the bad part).
// WordLevel: the whole pre-token is a token, or it is `unk_token`.
//
// Characters are UTF-8 sequences (tokenizers only sees valid text; a byte that starts no well-formed sequence
// counts as one character here).
// Invariant: the emitted spans tile the piece. Complexity: WordPiece O(n²) lookups for a pre-token of n ≤
// max characters (each lookup O(length)); WordLevel one lookup.

import TesseraBPE

/// Hugging Face WordPiece: greedy longest-match-first with a continuation prefix.
public struct WordPieceModel: TokenModel, Sendable {
    public let vocabulary: Vocabulary
    public let unknownID: TokenID
    public let continuationPrefix: [UInt8]
    public let maxCharactersPerWord: Int

    /// - Parameters:
    ///   - vocabulary: the token strings (UTF-8) with their ids.
    ///   - unknownID: the id of `unk_token` (tokenizers fails at encode time without one; callers refuse that at load).
    public init(vocabulary: Vocabulary, unknownID: TokenID, continuationPrefix: [UInt8], maxCharactersPerWord: Int) {
        self.vocabulary = vocabulary
        self.unknownID = unknownID
        self.continuationPrefix = continuationPrefix
        self.maxCharactersPerWord = maxCharactersPerWord
    }

    public var summary: String {
        "WordPiece (greedy longest match, continuation prefix \(String(decoding: continuationPrefix, as: UTF8.self).debugDescription), "
            + "\(vocabulary.count) tokens)"
    }

    public func isFallback(_ id: TokenID) -> Bool { id == unknownID }

    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        let n = piece.count
        guard n > 0 else { return }
        // Character starts (a trailing index n closes the last one).
        var starts: [Int] = []
        starts.reserveCapacity(n + 1)
        var i = 0
        while i < n {
            starts.append(i)
            i += characterLength(piece, at: i)
        }
        let characters = starts.count
        starts.append(n)
        guard characters <= maxCharactersPerWord else {
            ids.append(unknownID); spans?.pointee.append(n); return
        }
        let firstID = ids.count, firstSpan = spans?.pointee.count ?? 0
        var key = continuationPrefix
        key.reserveCapacity(continuationPrefix.count + n)
        var start = 0   // index into `starts`
        while start < characters {
            var end = characters
            var found: TokenID? = nil
            while end > start {
                let range = starts[start]..<starts[end]
                if start == 0 {
                    found = vocabulary.id(of: UnsafeBufferPointer(rebasing: piece[range]))
                } else {
                    key.removeSubrange(continuationPrefix.count...)
                    key.append(contentsOf: piece[range])
                    found = key.withUnsafeBufferPointer { vocabulary.id(of: $0) }
                }
                if found != nil { break }
                end -= 1
            }
            guard let id = found else {
                ids.removeSubrange(firstID...)
                spans?.pointee.removeSubrange(firstSpan...)
                ids.append(unknownID); spans?.pointee.append(n)
                return
            }
            ids.append(id)
            spans?.pointee.append(starts[end] - starts[start])
            start = end
        }
    }
}

/// Hugging Face WordLevel: the whole pre-token is one token, or the unknown token.
public struct WordLevelModel: TokenModel, Sendable {
    public let vocabulary: Vocabulary
    public let unknownID: TokenID

    public init(vocabulary: Vocabulary, unknownID: TokenID) {
        self.vocabulary = vocabulary
        self.unknownID = unknownID
    }

    public var summary: String { "WordLevel (whole pre-tokens, \(vocabulary.count) tokens)" }

    public func isFallback(_ id: TokenID) -> Bool { id == unknownID }

    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        guard !piece.isEmpty else { return }
        ids.append(vocabulary.id(of: piece) ?? unknownID)
        spans?.pointee.append(piece.count)
    }
}

/// The length of the UTF-8 character at `i` (1 for a byte that starts no well-formed sequence).
@inline(__always)
func characterLength(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
    let b = s[i]
    let need = b < 0x80 ? 1 : b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? (b <= 0xEF ? 3 : 1) : b >= 0xC2 ? 2 : 1
    guard need > 1, i + need <= s.count else { return 1 }
    for k in 1..<need where s[i + k] & 0xC0 != 0x80 { return 1 }
    return need
}
