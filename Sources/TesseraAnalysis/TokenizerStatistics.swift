// TokenizerStatistics: the efficiency and fairness metrics of one tokenizer on one text (or corpus).
//
// Definitions (research notes §3c; Rust et al. 2021 for fertility and continued words; Zouhar et al.
// 2023 for Rényi efficiency; Petrov et al. 2023 for premiums):
// - bytes/token, characters/token (Unicode scalars; an invalid UTF-8 byte counts as one character);
// - words: maximal runs of non-whitespace (Unicode White_Space, plus U+2581 — SentencePiece's visible
//   space — in normalized text); each token is attributed to the word
//   holding its first non-whitespace byte (tokens of whitespace only belong to no word), so
//   fertility = attributed tokens / words and a word is "continued" when it has ≥ 2 tokens. This is
//   in-context tokenization: a word is not re-tokenized alone, so leading-space conventions agree
//   with what the model sees;
// - tokens crossing whitespace: a token with whitespace between two of its non-whitespace bytes
//   (" of the", but not ".\n" or " the") — superword tokens, and their share;
// - fallback rate: tokens the model marks `isFallback` (UNK, `<0xNN>` pieces) per token;
// - vocabulary utilisation: observed types / ordinary vocabulary size;
// - Shannon and Rényi efficiency (`TokenDistribution`), both with |V| = observed types (the
//   tokenization-scorer convention) and with |V| = the vocabulary size.
// Invariant: statistics of several texts are the sum of their parts (`merge`), independent of order.
// Complexity: one encode with offsets, O(bytes + tokens).

import Foundation
import TesseraBPE
import TesseraTokenizer

/// Counts gathered from tokenized text; metrics are computed from them.
public struct TokenizerStatistics: Sendable, Equatable {
    public var bytes: UInt64 = 0
    public var characters: UInt64 = 0
    public var tokens: UInt64 = 0
    public var words: UInt64 = 0
    /// Tokens attributed to words (tokens of whitespace only excluded).
    public var wordTokens: UInt64 = 0
    /// Words with at least two tokens.
    public var continuedWords: UInt64 = 0
    /// Tokens with whitespace between two of their non-whitespace bytes.
    public var crossingTokens: UInt64 = 0
    public var fallbackTokens: UInt64 = 0
    public var distribution = TokenDistribution()
    /// The tokenizer's ordinary vocabulary size.
    public var vocabularySize: Int = 0

    public init() {}

    /// Measures `tokenizer` on `text` (special-token text is treated as text).
    /// - Throws: a tokenizer error (e.g. the normalizer rejecting invalid UTF-8).
    public init(tokenizer: Tokenizer, text: [UInt8]) throws {
        vocabularySize = tokenizer.vocabulary.count
        let encoding = try tokenizer.encodeWithOffsets(text, specials: .asText)
        let source = encoding.offsetsAreIntoNormalizedText ? try tokenizer.normalizedText(text) : text
        bytes = UInt64(text.count)
        characters = UInt64(Self.scalarCount(text))
        tokens = UInt64(encoding.ids.count)
        distribution.add(encoding.ids)
        let isSpace = Self.whitespaceMask(source)
        // Each token's first non-whitespace byte (−1 for a token of whitespace only); crossing tokens.
        var firstNonSpace: [Int] = []
        firstNonSpace.reserveCapacity(encoding.offsets.count)
        for (k, range) in encoding.offsets.enumerated() {
            var first = -1
            var spaceAfterText = false
            var crosses = false
            for i in range where i < source.count {
                if !isSpace[i] {
                    if first < 0 { first = i }
                    if spaceAfterText { crosses = true }
                } else if first >= 0 {
                    spaceAfterText = true
                }
            }
            if crosses { crossingTokens += 1 }
            firstNonSpace.append(first)
            if tokenizer.model.isFallback(encoding.ids[k]) { fallbackTokens += 1 }
        }
        // Walk the words (runs of non-whitespace) and the tokens' first bytes together; both ascend.
        var cursor = 0
        var tokensInWord = 0
        var inWord = false
        for i in 0..<source.count {
            if isSpace[i] {
                if inWord && tokensInWord >= 2 { continuedWords += 1 }
                inWord = false
                continue
            }
            if !inWord {
                inWord = true
                words += 1
                tokensInWord = 0
            }
            while cursor < firstNonSpace.count && firstNonSpace[cursor] < i { cursor += 1 }
            while cursor < firstNonSpace.count && firstNonSpace[cursor] == i {
                tokensInWord += 1
                wordTokens += 1
                cursor += 1
            }
        }
        if inWord && tokensInWord >= 2 { continuedWords += 1 }
    }

    /// Adds the counts of another text measured with the same tokenizer.
    public mutating func merge(_ other: TokenizerStatistics) {
        bytes += other.bytes
        characters += other.characters
        tokens += other.tokens
        words += other.words
        wordTokens += other.wordTokens
        continuedWords += other.continuedWords
        crossingTokens += other.crossingTokens
        fallbackTokens += other.fallbackTokens
        distribution.add(other.distribution)
        vocabularySize = max(vocabularySize, other.vocabularySize)
    }

    // MARK: Metrics

    public var bytesPerToken: Double { ratio(bytes, tokens) }
    public var charactersPerToken: Double { ratio(characters, tokens) }
    /// Tokens per word (in context).
    public var fertility: Double { ratio(wordTokens, words) }
    public var continuedWordShare: Double { ratio(continuedWords, words) }
    public var crossingTokenShare: Double { ratio(crossingTokens, tokens) }
    public var fallbackRate: Double { ratio(fallbackTokens, tokens) }
    public var vocabularyUtilisation: Double { ratio(UInt64(distribution.observedTypes), UInt64(vocabularySize)) }

    func ratio(_ a: UInt64, _ b: UInt64) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

    // MARK: Helpers

    static func scalarCount(_ bytes: [UInt8]) -> Int {
        var count = 0
        var i = 0
        while i < bytes.count {
            i += utf8SequenceLength(bytes, i)
            count += 1
        }
        return count
    }

    /// Length of the well-formed UTF-8 sequence at `i`, or 1 for an invalid byte.
    static func utf8SequenceLength(_ b: [UInt8], _ i: Int) -> Int {
        let b0 = b[i]
        if b0 < 0x80 { return 1 }
        let need: Int
        switch b0 {
        case 0xC2...0xDF: need = 2
        case 0xE0...0xEF: need = 3
        case 0xF0...0xF4: need = 4
        default: return 1
        }
        guard i + need <= b.count else { return 1 }
        for k in 1..<need where b[i + k] & 0xC0 != 0x80 { return 1 }
        let lo: UInt8 = b0 == 0xE0 ? 0xA0 : (b0 == 0xF0 ? 0x90 : 0x80)
        let hi: UInt8 = b0 == 0xED ? 0x9F : (b0 == 0xF4 ? 0x8F : 0xBF)
        return b[i + 1] >= lo && b[i + 1] <= hi ? need : 1
    }

    /// Per byte: whether it belongs to a whitespace character (Unicode White_Space).
    static func whitespaceMask(_ bytes: [UInt8]) -> [Bool] {
        var mask = [Bool](repeating: false, count: bytes.count)
        var i = 0
        while i < bytes.count {
            let n = utf8SequenceLength(bytes, i)
            var space = false
            if n == 1 {
                let c = bytes[i]
                space = c == 0x20 || (c >= 0x09 && c <= 0x0D)
            } else if let s = String(decoding: bytes[i..<(i + n)], as: UTF8.self).unicodeScalars.first {
                // U+2581 is SentencePiece's visible space in normalized text.
                space = s.properties.isWhitespace || s.value == 0x2581
            }
            if space { for k in i..<(i + n) { mask[k] = true } }
            i += n
        }
        return mask
    }
}
