// HuggingFaceNormalizer: the runtime of a tokenizer.json `normalizer` (tokenizers/src/normalizers/*.rs) as a
// `TextNormalizing`, plus ByteLevel's `add_prefix_space` when it acts on whole parts of the text.
//
// Unicode forms, Lowercase and Strip run on TesseraUnicode's `Normalizer`; StripAccents, BertNormalizer, Nmt,
// Replace and Prepend on `TextEdits`; ByteLevel maps every byte to GPT-2's alphabet; `Precompiled`
// (SentencePiece's compiled rules) on `PrecompiledNormalizer`, with tokenizers' grapheme-by-grapheme lookup.
//
// Invariant: on valid UTF-8 the output is tokenizers' normalized string; invalid UTF-8 is an error from the
// first stage that needs valid text (stages that do not, such as Prepend or ByteLevel, pass bytes through).
// Complexity: O(n) per stage.

import TesseraPreTokenizers
import TesseraSentencePiece
import TesseraTokenizer
import TesseraUnicode

/// A Hugging Face normalizer.
public indirect enum HuggingFaceNormalizer: TextNormalizing {
    /// NFC, NFD, NFKC, NFKD, Lowercase, Strip.
    case unicode(Normalizer)
    case stripAccents
    case bert(cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool, lowercase: Bool)
    case nmt
    case replaceLiteral([UInt8], with: [UInt8])
    case replaceRegex(ICURegex, with: [UInt8])
    case prepend([UInt8])
    /// Every byte becomes its GPT-2 alphabet character.
    case byteLevel
    /// SentencePiece's precompiled charsmap.
    case precompiled(PrecompiledNormalizer)
    /// ByteLevel's `add_prefix_space` on a whole part: one U+0020 in front unless it starts with U+0020.
    case prefixSpace
    case sequence([HuggingFaceNormalizer])

    public func normalizedBytes(_ text: [UInt8]) throws -> [UInt8] {
        switch self {
        case .unicode(let n): return try n.normalize(text)
        case .stripAccents: return try TextEdits.stripCombiningMarks(text)
        case .bert(let clean, let chinese, let strip, let lower):
            return try TextEdits.bert(text, cleanText: clean, handleChineseChars: chinese, stripAccents: strip, lowercase: lower)
        case .nmt: return try TextEdits.nmt(text)
        case .replaceLiteral(let pattern, let content): return try TextEdits.replace(text, literal: pattern, with: content)
        case .replaceRegex(let regex, let content): return try TextEdits.replace(text, regex: regex, with: content)
        case .prepend(let prefix): return TextEdits.prepend(text, prefix)
        case .byteLevel: return Array(ByteLevelAlphabet.encode(text).utf8)
        case .precompiled(let p): return try p.normalize(text)
        case .prefixSpace:
            if let first = text.first, first != 0x20 { return [0x20] + text }
            return text
        case .sequence(let stages):
            var current = text
            for stage in stages { current = try stage.normalizedBytes(current) }
            return current
        }
    }

    public var summary: String {
        switch self {
        case .unicode(let n): return TextNormalizer.describe(n)
        case .stripAccents: return "StripAccents"
        case .bert(let clean, let chinese, let strip, let lower):
            return "BertNormalizer(clean_text: \(clean), handle_chinese_chars: \(chinese), strip_accents: \(strip), lowercase: \(lower))"
        case .nmt: return "Nmt"
        case .replaceLiteral(let p, let c):
            return "Replace(\(String(decoding: p, as: UTF8.self).debugDescription) → \(String(decoding: c, as: UTF8.self).debugDescription))"
        case .replaceRegex(let r, let c): return "Replace(/\(r.pattern)/ → \(String(decoding: c, as: UTF8.self).debugDescription))"
        case .prepend(let p): return "Prepend(\(String(decoding: p, as: UTF8.self).debugDescription))"
        case .byteLevel: return "ByteLevel"
        case .precompiled(let p): return "Precompiled (SentencePiece charsmap, \(p.charsmap.count) bytes)"
        case .prefixSpace: return "prefix space"
        case .sequence(let stages): return stages.map(\.summary).joined(separator: ", then ")
        }
    }
}

/// ByteLevel's byte → alphabet mapping as a pre-tokenizer stage (for character-level models, whose
/// vocabulary is in the alphabet): each byte of the piece becomes its alphabet character.
public struct ByteLevelRewriter: PieceRewriter {
    public init() {}

    public func rewrite(_ piece: UnsafeBufferPointer<UInt8>, startsText: Bool, into out: inout [UInt8], sources: inout [Int32]) {
        for (i, b) in piece.enumerated() {
            let scalar = ByteLevelAlphabet.scalarOfByte[Int(b)]
            if scalar < 0x80 {
                out.append(UInt8(scalar))
                sources.append(Int32(i))
            } else {
                out.append(UInt8(0xC0 | scalar >> 6))
                out.append(UInt8(0x80 | scalar & 0x3F))
                sources.append(Int32(i))
                sources.append(Int32(i))
            }
        }
    }

    public var summary: String { "ByteLevel alphabet" }
}

/// ByteLevel decoder (tokenizers byte_level.rs): every token whose characters are all in GPT-2's alphabet
/// becomes the bytes they stand for, any other token stays as it is; all tokens become one.
/// tokenizers then applies `String::from_utf8_lossy`; Tessera returns the bytes, whose lossy UTF-8 decoding
/// is the same string (so streaming can hold back an incomplete character instead of losing it).
public struct ByteLevelDecoder: TokenDecoding {
    public init() {}

    public func decode(_ tokens: inout [[UInt8]]) {
        var out: [UInt8] = []
        out.reserveCapacity(tokens.reduce(0) { $0 + $1.count })
        for token in tokens {
            let mark = out.count
            let failed = token.withUnsafeBufferPointer { ByteLevelAlphabet.decodeUTF8($0, into: &out) } != nil
            if failed {
                out.removeSubrange(mark...)
                out.append(contentsOf: token)
            }
        }
        tokens = [out]
    }

    public var summary: String { "ByteLevel" }
}
