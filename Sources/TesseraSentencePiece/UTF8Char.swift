// UTF8Char: the character-level UTF-8 rules SentencePiece uses (util.h / util.cc: OneCharLen, DecodeUTF8,
// IsValidDecodeUTF8), kept identical because segmentation depends on them.
//
// - `oneCharLength(lead)` looks only at the lead byte (its top four bits): 0x00–0xBF → 1, 0xC0–0xDF → 2,
//   0xE0–0xEF → 3, 0xF0–0xFF → 4. Models step through normalized text with it (bounded by the text end).
// - `wellFormedLength` is DecodeUTF8's check: 2-, 3- and 4-byte forms with trail bytes 0x80–0xBF, no overlong
//   forms, no surrogates, nothing above U+10FFFF; 0 when the bytes at `i` do not start a well-formed character.
//   IsValidDecodeUTF8 additionally accepts U+FFFD itself, which is well-formed here too.
//
// Invariant: never reads outside the buffer. Complexity: O(1).

enum UTF8Char {
    /// SentencePiece's OneCharLen: the length a lead byte announces (1 for trail bytes and ASCII).
    @inline(__always)
    static func oneCharLength(_ lead: UInt8) -> Int {
        // "\1\1\1\1\1\1\1\1\1\1\1\1\2\2\3\4"[lead >> 4], as a packed table: two bits per nibble, value - 1.
        let table: UInt32 = 0b11_10_01_01_00_00_00_00_00_00_00_00_00_00_00_00
        return Int((table >> (UInt32(lead >> 4) * 2)) & 3) + 1
    }

    /// The length (1–4) of the well-formed character at `s[i]`, or 0 when it is not well-formed.
    @inline(__always)
    static func wellFormedLength(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let n = s.count - i
        let b0 = s[i]
        if b0 < 0x80 { return 1 }
        @inline(__always) func trail(_ k: Int) -> Bool { s[i + k] & 0xC0 == 0x80 }
        if b0 & 0xE0 == 0xC0 {
            guard n >= 2, trail(1) else { return 0 }
            let cp = UInt32(b0 & 0x1F) << 6 | UInt32(s[i + 1] & 0x3F)
            return cp >= 0x80 ? 2 : 0
        }
        if b0 & 0xF0 == 0xE0 {
            guard n >= 3, trail(1), trail(2) else { return 0 }
            let cp = UInt32(b0 & 0x0F) << 12 | UInt32(s[i + 1] & 0x3F) << 6 | UInt32(s[i + 2] & 0x3F)
            return cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF) ? 3 : 0
        }
        if b0 & 0xF8 == 0xF0 {
            guard n >= 4, trail(1), trail(2), trail(3) else { return 0 }
            let cp = UInt32(b0 & 0x07) << 18 | UInt32(s[i + 1] & 0x3F) << 12 | UInt32(s[i + 2] & 0x3F) << 6
                | UInt32(s[i + 3] & 0x3F)
            return cp >= 0x10000 && cp <= 0x10FFFF ? 4 : 0
        }
        return 0
    }
}
