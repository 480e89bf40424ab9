// Incremental detokenization for generation loops: feed ids one at a time, get text as soon as it is
// complete.
//
// Without a decoder (byte-level models) a token may end in the middle of a multi-byte character (byte-level
// BPE splits emoji and CJK freely), so the trailing incomplete UTF-8 sequence is held back until the next
// token completes it. Invariant: the concatenation of all returned chunks plus `finish()` equals the lossy
// UTF-8 decoding of `decode(allIds)`; with valid UTF-8 it is exact. Complexity: O(bytes of the token).
//
// With a decoder (Hugging Face `decoder`), a token's text depends on its neighbours (Metaspace drops the
// leading `▁` of the first token only, ByteFallback needs all bytes of a character), so this follows
// tokenizers' `DecodeStream` (tokenizers/src/tokenizer/mod.rs, `step_decode_stream`): it decodes a short
// window of recent ids, returns what that text adds beyond the previously returned prefix, and waits while
// the window's text ends in U+FFFD. Invariant: the chunks are exactly tokenizers' `DecodeStream.step`
// results ("" where it returns None). Complexity: O(window) per id; the window restarts after every chunk.

import TesseraBPE

/// Turns a stream of token ids into a stream of complete UTF-8 text.
public struct StreamingDecoder: Sendable {
    private let tokenizer: Tokenizer
    private var pending: [UInt8] = []
    // DecodeStream state (decoder mode): the window of ids, the text already returned for its first
    // `prefixIndex` ids, and that index.
    private var ids: [TokenID] = []
    private var prefix: String = ""
    private var prefixIndex = 0

    public init(tokenizer: Tokenizer) { self.tokenizer = tokenizer }

    /// The text that became complete with `id` (possibly empty).
    /// - Throws: `TokenizerError.unknownTokenID` for an id the tokenizer does not know;
    ///   `.streamingPrefixMismatch` when, with a decoder, the window's text no longer starts with the text
    ///   already returned (tokenizers raises the same error).
    public mutating func push(_ id: TokenID) throws -> String {
        if tokenizer.decoder != nil { return try step(id) }
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
        if tokenizer.decoder != nil {
            defer { ids.removeAll(); prefix = ""; prefixIndex = 0 }
            guard let text = try? text(of: ids), text.utf8.count > prefix.utf8.count, text.hasPrefix(prefix) else { return "" }
            return String(text.utf8.dropFirst(prefix.utf8.count)) ?? ""
        }
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// tokenizers' `step_decode_stream`.
    private mutating func step(_ id: TokenID) throws -> String {
        guard tokenizer.decoderText(of: id) != nil else { throw TokenizerError.unknownTokenID(id, position: 0) }
        if prefix.isEmpty && !ids.isEmpty {
            let newPrefix = try text(of: ids)
            if !newPrefix.hasSuffix("\u{FFFD}") {
                prefix = newPrefix
                prefixIndex = ids.count
            }
        }
        ids.append(id)
        let string = try text(of: ids)
        guard string.utf8.count > prefix.utf8.count, !string.hasSuffix("\u{FFFD}") else { return "" }
        guard string.utf8.starts(with: prefix.utf8) else {
            throw TokenizerError.streamingPrefixMismatch(id: id, expected: prefix, actual: string)
        }
        let newText = String(string.utf8.dropFirst(prefix.utf8.count)) ?? ""
        let newPrefixIndex = ids.count - prefixIndex
        ids.removeFirst(prefixIndex)
        prefix = try text(of: ids)
        prefixIndex = newPrefixIndex
        return newText
    }

    private func text(of ids: [TokenID]) throws -> String {
        String(decoding: try tokenizer.decode(ids), as: UTF8.self)
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
