// Incremental detokenization for generation loops: feed ids one at a time, get text as soon as it is
// complete UTF-8. A token may end in the middle of a multi-byte character (byte-level BPE splits
// emoji and CJK freely), so the trailing incomplete sequence is held back until the next token
// completes it. Invariant: the concatenation of all returned chunks plus `finish()` equals the
// lossy UTF-8 decoding of `decode(allIds)`; with valid UTF-8 it is exact.
// Complexity: O(bytes of the token) per call.

import TesseraBPE

/// Turns a stream of token ids into a stream of complete UTF-8 text.
public struct StreamingDecoder: Sendable {
    private let tokenizer: Tokenizer
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer) { self.tokenizer = tokenizer }

    /// The text that became complete with `id` (possibly empty).
    /// - Throws: `TokenizerError.unknownTokenID` for an id the tokenizer does not know.
    public mutating func push(_ id: TokenID) throws -> String {
        guard let bytes = tokenizer.tokenBytes(id) else { throw TokenizerError.unknownTokenID(id, position: 0) }
        pending.append(contentsOf: bytes)
        let complete = Self.completePrefixLength(pending)
        guard complete > 0 else { return "" }
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Flushes what is held back; an incomplete final sequence becomes U+FFFD.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix that does not end inside a possibly-incomplete UTF-8 sequence.
    /// Invalid bytes count as complete (they will decode to U+FFFD either way and must not stall output).
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        // Look back at most 3 bytes for the start of a sequence that is still open.
        var i = n - 1
        var back = 0
        while i >= 0 && back < 4 {
            let b = bytes[i]
            if b & 0xC0 != 0x80 {   // a lead byte or ASCII
                let need: Int
                switch b {
                case 0xC2...0xDF: need = 2
                case 0xE0...0xEF: need = 3
                case 0xF0...0xF4: need = 4
                default: need = 1
                }
                return (n - i) < need ? i : n
            }
            i -= 1
            back += 1
        }
        return n
    }
}
