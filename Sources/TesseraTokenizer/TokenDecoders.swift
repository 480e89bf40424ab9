// Hugging Face `tokenizers` decoders (tokenizers/src/decoders/*.rs, normalizers/replace.rs,
// pre_tokenizers/metaspace.rs): each rewrites the list of token strings of one decode call; the results are
// concatenated. They work on UTF-8 bytes; where tokenizers works on `char`s, a byte that is not valid UTF-8
// counts as one character of its own (tokenizers never sees one: its tokens are Rust strings).
// The ByteLevel decoder lives in TesseraFormats, next to the byte-level alphabet.
//
// Invariant: for token strings that are valid UTF-8, the output is byte for byte tokenizers' output.
// Complexity: O(total bytes) per decoder (a regex Replace adds ICU's matching cost).

import TesseraBPE
import TesseraUnicode

/// `Replace` decoder: every occurrence of a pattern in each token becomes `content`.
public struct ReplaceDecoder: TokenDecoding {
    public enum Pattern: Sendable {
        case literal([UInt8])
        case regex(ICURegex)
    }
    public let pattern: Pattern
    public let content: [UInt8]

    public init(pattern: Pattern, content: [UInt8]) {
        self.pattern = pattern
        self.content = content
    }

    public func decode(_ tokens: inout [[UInt8]]) {
        for i in tokens.indices {
            switch pattern {
            case .literal(let literal):
                tokens[i] = Self.replaceAll(tokens[i], literal, content)
            case .regex(let regex):
                tokens[i] = (try? TextEdits.replace(tokens[i], regex: regex, with: content)) ?? tokens[i]
            }
        }
    }

    /// Rust's `str::replace` (an empty pattern matches at every character boundary), or a plain byte-wise
    /// replacement for text that is not valid UTF-8.
    static func replaceAll(_ text: [UInt8], _ literal: [UInt8], _ content: [UInt8]) -> [UInt8] {
        (try? TextEdits.replace(text, literal: literal, with: content)) ?? replaceBytes(text, literal, content)
    }

    /// Literal replacement without UTF-8 validation (for a token that is not valid UTF-8).
    static func replaceBytes(_ text: [UInt8], _ literal: [UInt8], _ content: [UInt8]) -> [UInt8] {
        guard !literal.isEmpty, !text.isEmpty else { return text }
        var out: [UInt8] = []
        var i = 0
        while i < text.count {
            if i + literal.count <= text.count && text[i..<(i + literal.count)].elementsEqual(literal) {
                out.append(contentsOf: content)
                i += literal.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    public var summary: String {
        switch pattern {
        case .literal(let l): return "Replace(\(String(decoding: l, as: UTF8.self).debugDescription) → \(String(decoding: content, as: UTF8.self).debugDescription))"
        case .regex(let r): return "Replace(/\(r.pattern)/ → \(String(decoding: content, as: UTF8.self).debugDescription))"
        }
    }
}

/// `ByteFallback` decoder: runs of `<0xNN>` tokens become the bytes they stand for when those form valid
/// UTF-8, and one U+FFFD per byte token otherwise.
public struct ByteFallbackDecoder: TokenDecoding {
    public init() {}

    public func decode(_ tokens: inout [[UInt8]]) {
        var out: [[UInt8]] = []
        out.reserveCapacity(tokens.count)
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if String(validating: pending, as: UTF8.self) != nil {
                out.append(pending)
            } else {
                for _ in pending { out.append(Self.replacementCharacter) }
            }
            pending.removeAll()
        }
        for token in tokens {
            if let byte = CharacterBPEModel.byteOfTokenText(token) {
                pending.append(byte)
            } else {
                flush()
                out.append(token)
            }
        }
        flush()
        tokens = out
    }

    static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]

    public var summary: String { "ByteFallback" }
}

/// `Fuse` decoder: all tokens become one.
public struct FuseDecoder: TokenDecoding {
    public init() {}
    public func decode(_ tokens: inout [[UInt8]]) { tokens = [tokens.flatMap { $0 }] }
    public var summary: String { "Fuse" }
}

/// `Strip` decoder: removes up to `start` leading and `stop` trailing occurrences of `content` from each token.
public struct StripDecoder: TokenDecoding {
    public let content: Unicode.Scalar
    public let start: Int
    public let stop: Int

    public init(content: Unicode.Scalar, start: Int, stop: Int) {
        self.content = content
        self.start = start
        self.stop = stop
    }

    public func decode(_ tokens: inout [[UInt8]]) {
        let c = Array(String(content).utf8)
        for i in tokens.indices {
            var token = tokens[i][...]
            var n = 0
            while n < start, token.starts(with: c) { token = token.dropFirst(c.count); n += 1 }
            n = 0
            while n < stop, token.count >= c.count, token.suffix(c.count).elementsEqual(c) { token = token.dropLast(c.count); n += 1 }
            tokens[i] = Array(token)
        }
    }

    public var summary: String { "Strip(\(String(content).debugDescription), start \(start), stop \(stop))" }
}

/// `Metaspace` decoder: the replacement character becomes a space; in the first token it is dropped instead
/// (every occurrence, as tokenizers does) unless the prepend scheme is "never".
public struct MetaspaceDecoder: TokenDecoding {
    public let replacement: Unicode.Scalar
    public let dropsInFirstToken: Bool

    public init(replacement: Unicode.Scalar, dropsInFirstToken: Bool) {
        self.replacement = replacement
        self.dropsInFirstToken = dropsInFirstToken
    }

    public func decode(_ tokens: inout [[UInt8]]) {
        let r = Array(String(replacement).utf8)
        for i in tokens.indices {
            let with: [UInt8] = (i == 0 && dropsInFirstToken) ? [] : [0x20]
            tokens[i] = ReplaceDecoder.replaceAll(tokens[i], r, with)
        }
    }

    public var summary: String { "Metaspace(\(String(replacement).debugDescription))" }
}

/// `WordPiece` decoder: tokens after the first lose `prefix` when they have it and get a space in front
/// otherwise; `cleanup` removes the spaces tokenizers' `cleanup` removes (before `.`, `?`, `,`, … ).
public struct WordPieceDecoder: TokenDecoding {
    public let prefix: [UInt8]
    public let cleanup: Bool

    public init(prefix: String, cleanup: Bool) {
        self.prefix = Array(prefix.utf8)
        self.cleanup = cleanup
    }

    public func decode(_ tokens: inout [[UInt8]]) {
        for i in tokens.indices {
            if i != 0 {
                if tokens[i].starts(with: prefix) { tokens[i].removeFirst(prefix.count) } else { tokens[i].insert(0x20, at: 0) }
            }
            if cleanup { tokens[i] = Self.cleanup(tokens[i]) }
        }
    }

    /// tokenizers' `wordpiece::cleanup`: the same replacements, in the same order.
    static func cleanup(_ text: [UInt8]) -> [UInt8] {
        var t = text
        for (from, to) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
                           (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            t = ReplaceDecoder.replaceAll(t, Array(from.utf8), Array(to.utf8))
        }
        return t
    }

    public var summary: String { "WordPiece(prefix \(String(decoding: prefix, as: UTF8.self).debugDescription))" }
}

/// `BPEDecoder`: the end-of-word suffix becomes a space (nothing in the last token).
public struct SuffixDecoder: TokenDecoding {
    public let suffix: [UInt8]

    public init(suffix: String) { self.suffix = Array(suffix.utf8) }

    public func decode(_ tokens: inout [[UInt8]]) {
        for i in tokens.indices {
            tokens[i] = ReplaceDecoder.replaceAll(tokens[i], suffix, i == tokens.count - 1 ? [] : [0x20])
        }
    }

    public var summary: String { "BPEDecoder(suffix \(String(decoding: suffix, as: UTF8.self).debugDescription))" }
}

/// `CTC` decoder: repeated tokens collapse, the pad token disappears, and with `cleanup` the word delimiter
/// becomes a space after WordPiece's cleanup; tokens left empty are dropped.
public struct CTCDecoder: TokenDecoding {
    public let padToken: [UInt8]
    public let wordDelimiter: [UInt8]
    public let cleanup: Bool

    public init(padToken: String, wordDelimiter: String, cleanup: Bool) {
        self.padToken = Array(padToken.utf8)
        self.wordDelimiter = Array(wordDelimiter.utf8)
        self.cleanup = cleanup
    }

    public func decode(_ tokens: inout [[UInt8]]) {
        var out: [[UInt8]] = []
        var previous: [UInt8]? = nil
        for token in tokens {
            defer { previous = token }
            if let previous, previous == token { continue }
            var t = ReplaceDecoder.replaceAll(token, padToken, [])
            if cleanup { t = ReplaceDecoder.replaceAll(WordPieceDecoder.cleanup(t), wordDelimiter, [0x20]) }
            if !t.isEmpty { out.append(t) }
        }
        tokens = out
    }

    public var summary: String { "CTC" }
}

/// `Sequence` of decoders, applied in order.
public struct DecoderSequence: TokenDecoding {
    public let decoders: [any TokenDecoding]

    public init(_ decoders: [any TokenDecoding]) { self.decoders = decoders }

    public func decode(_ tokens: inout [[UInt8]]) {
        for d in decoders { d.decode(&tokens) }
    }

    public var summary: String { "Sequence[" + decoders.map(\.summary).joined(separator: ", ") + "]" }
}
