// CharacterSplitter: Hugging Face `tokenizers`' splits on a character predicate
// (`NormalizedString::split(fn(char) -> bool, behavior)`): WhitespaceSplit, Punctuation, Digits,
// BertPreTokenizer's two passes, CharDelimiterSplit, and Metaspace's split on its replacement character.
// Every character that satisfies the predicate is a match of its own; `splitPieces` then applies the
// delimiter behaviour, exactly as tokenizers' `Pattern for Fn(char) -> bool` feeds its `split`.
//
// Invariant: pieces are in order, non-empty and non-overlapping; they tile the input for every behaviour
// but `.removed`. A byte that is not valid UTF-8 is a character that matches no class (tokenizers only
// ever sees valid strings).
// Complexity: O(n); O(log r) per non-ASCII scalar for the table-based classes.

import TesseraUnicode

/// The characters a `CharacterSplitter` splits on.
public enum CharacterClass: Sendable, Equatable {
    /// Rust's `char::is_whitespace` (Unicode White_Space).
    case whitespace
    /// tokenizers' `is_bert_punc`.
    case punctuation
    /// Rust's `char::is_numeric` (Nd, Nl, No).
    case numeric
    /// One scalar (CharDelimiterSplit's delimiter, Metaspace's replacement).
    case scalar(UInt32)

    @inline(__always)
    func contains(_ s: UInt32) -> Bool {
        switch self {
        case .whitespace: return UnicodeProperties.isWhiteSpace(s)
        case .punctuation: return HuggingFaceCharacters.isPunctuation(s)
        case .numeric: return HuggingFaceCharacters.isNumeric(s)
        case .scalar(let c): return s == c
        }
    }
}

/// Splits text wherever a character of a class occurs, with Hugging Face's delimiter behaviours.
public struct CharacterSplitter: PreTokenizer {
    public let characters: CharacterClass
    public let behavior: SplitBehavior

    public init(_ characters: CharacterClass, behavior: SplitBehavior) {
        self.characters = characters
        self.behavior = behavior
    }

    public func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        guard !text.isEmpty else { return }
        var matches: [Range<Int>] = []
        var i = 0
        while i < text.count {
            let (scalar, length) = Self.scalar(in: text, at: i)
            if let scalar, characters.contains(scalar) { matches.append(i..<(i + length)) }
            i += length
        }
        for piece in splitPieces(count: text.count, matches: matches, behavior: behavior, invert: false) { body(piece) }
    }

    /// The scalar at `i` and its length, or nil and 1 for a byte that does not start valid UTF-8.
    @inline(__always)
    static func scalar(in p: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32?, Int) {
        let b0 = UInt32(p[i])
        if b0 < 0x80 { return (b0, 1) }
        let need: Int
        var value: UInt32
        switch b0 {
        case 0xC2...0xDF: need = 2; value = b0 & 0x1F
        case 0xE0...0xEF: need = 3; value = b0 & 0x0F
        case 0xF0...0xF4: need = 4; value = b0 & 0x07
        default: return (nil, 1)
        }
        guard i + need <= p.count else { return (nil, 1) }
        for k in 1..<need {
            let b = p[i + k]
            guard b & 0xC0 == 0x80 else { return (nil, 1) }
            value = value << 6 | UInt32(b & 0x3F)
        }
        let minimum: UInt32 = need == 2 ? 0x80 : need == 3 ? 0x800 : 0x10000
        guard value >= minimum, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return (nil, 1) }
        return (value, need)
    }
}

/// Hugging Face's BertPreTokenizer: split on whitespace (removed), then isolate every punctuation character.
public func bertPreTokenizer() -> PreTokenizerSequence {
    PreTokenizerSequence([CharacterSplitter(.whitespace, behavior: .removed), CharacterSplitter(.punctuation, behavior: .isolated)])
}

/// Hugging Face's Whitespace pre-tokenizer: runs of word characters and runs of other non-space characters
/// (`\w+|[^\w\s]+`, everything else removed).
public func whitespacePreTokenizer() throws(UnicodeError) -> RegexPreTokenizer {
    try RegexPreTokenizer(pattern: #"\w+|[^\w\s]+"#, behavior: .removed, invert: true)
}

/// Hugging Face's FixedLength pre-tokenizer: consecutive chunks of `length` characters.
public struct FixedLengthPreTokenizer: PreTokenizer {
    public let length: Int

    /// `length` must be at least 1 (Hugging Face panics on 0; the loader rejects it).
    public init(length: Int) { self.length = max(1, length) }

    public func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        var start = 0
        var characters = 0
        var i = 0
        while i < text.count {
            i += CharacterSplitter.scalar(in: text, at: i).1
            characters += 1
            if characters == length {
                body(start..<i)
                start = i
                characters = 0
            }
        }
        if start < text.count { body(start..<text.count) }
    }
}

/// Hugging Face's UnicodeScripts pre-tokenizer: a cut before every character whose script differs from the
/// last non-space character's, where Hiragana, Katakana and U+30FC count as Han (as in SentencePiece) and a
/// space belongs to no script. As in tokenizers, the first cut is at the first non-space character, so
/// leading spaces are dropped, and a text of spaces only gives no piece.
///
/// Scripts come from ICU (Unicode 15.0); tokenizers ships its own older table, so a code point whose script
/// Unicode has changed since may be cut differently (documented in docs/formats.md).
public struct UnicodeScriptsPreTokenizer: PreTokenizer {
    public init() {}

    public func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        var cut: Int? = nil
        var last: Int32? = nil
        var i = 0
        while i < text.count {
            let (scalar, length) = CharacterSplitter.scalar(in: text, at: i)
            if let script = Self.fixedScript(scalar ?? 0xFFFD) {
                if script != last {
                    if let start = cut { body(start..<i) }
                    cut = i
                }
                last = script
            }
            i += length
        }
        if let start = cut { body(start..<text.count) }
    }

    /// The script tokenizers uses for a scalar; nil for the space (its `Script::Any`).
    static func fixedScript(_ s: UInt32) -> Int32? {
        if s == 0x30FC { return HuggingFaceCharacters.hanScript }
        if s == 0x20 { return nil }
        let code = HuggingFaceCharacters.scriptCode(s)
        if code == HuggingFaceCharacters.hiraganaScript || code == HuggingFaceCharacters.katakanaScript {
            return HuggingFaceCharacters.hanScript
        }
        return code
    }
}
