// Hand-written UTF-8 scanners for the built-in pre-tokenizer patterns (docs/algorithms/pretokenizer-scanners.md).
//
// Each scanner reproduces, piece for piece, what Python's `regex` module finds with `finditer` for the pattern's
// regular expression: at each position the alternatives are tried in order, with the same backtracking outcome.
// Invalid UTF-8: every byte that is not part of a well-formed UTF-8 sequence is one character of class "other"
// (not a letter, number, mark or whitespace), like U+FFFD; Python agrees when the bytes are decoded with
// `surrogateescape`.

/// A pre-tokenizer for one of the built-in patterns: the same pieces as Python `regex` with the pattern's regular
/// expression, at 400-600 MB/s (about 40 times Python `regex`, 20 times ICU).
///
/// - Complexity: O(n), one pass; no allocation.
public struct PatternScanner: PreTokenizer {
    public let pattern: BuiltinPattern

    public init(_ pattern: BuiltinPattern) {
        self.pattern = pattern
    }

    /// Always true for cl100k, o200k, llama3 and qwen2. For gpt2, `\s+(?!\S)` makes a trailing `" \n"` at a
    /// chunk's end one piece while the whole text gives `" "`, `"\n"` (the newline is followed by a letter
    /// there), so gpt2 text is cut only where the `\n` follows a non-whitespace character. The argument is
    /// in the algorithm note.
    public func canCut(_ text: UnsafeBufferPointer<UInt8>, before position: Int) -> Bool {
        guard pattern == .gpt2 else { return true }
        // gpt2 only where the "\n" follows a visible ASCII character (a byte ≥ 0x80 might end U+3000 & co.).
        return position >= 2 && text[position - 2] >= 0x21 && text[position - 2] <= 0x7E
    }

    @inlinable
    public func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        guard let base = text.baseAddress, !text.isEmpty else { return }
        let tables = ScannerTables.shared
        let scanner = UTF8ClassScanner(base: base, count: text.count, stage1: tables.stage1, stage2: tables.stage2)
        switch pattern {
        case .gpt2: scanner.scanGPT2(body)
        case .cl100k: scanner.scanCL100K(maxDigits: 3, wholeTrailingWhitespace: true, body)
        case .llama3: scanner.scanCL100K(maxDigits: 3, wholeTrailingWhitespace: false, body)
        case .qwen2: scanner.scanCL100K(maxDigits: 1, wholeTrailingWhitespace: false, body)
        case .o200k: scanner.scanO200K(body)
        }
    }
}

/// The scanning core: a UTF-8 buffer plus the class table, with one method per pattern family.
@usableFromInline
struct UTF8ClassScanner {
    @usableFromInline let p: UnsafePointer<UInt8>
    @usableFromInline let n: Int
    @usableFromInline let stage1: UnsafePointer<UInt16>
    @usableFromInline let stage2: UnsafePointer<UInt8>

    @inlinable
    init(base: UnsafePointer<UInt8>, count: Int, stage1: UnsafePointer<UInt16>, stage2: UnsafePointer<UInt8>) {
        p = base
        n = count
        self.stage1 = stage1
        self.stage2 = stage2
    }

    // MARK: Decoding

    @inlinable @inline(__always)
    func lookup(_ cp: UInt32) -> UInt8 {
        stage2[Int(truncatingIfNeeded: stage1[Int(truncatingIfNeeded: cp &>> 8)]) &<< 8 | Int(truncatingIfNeeded: cp & 0xFF)]
    }

    /// Class flags and end of the character at `i` (`i < n`).
    @inlinable @inline(__always)
    func classAt(_ i: Int) -> (flags: UInt8, end: Int) {
        let b0 = p[i]
        if b0 < 0x80 { return (stage2[Int(truncatingIfNeeded: b0)], i &+ 1) }
        return classNonASCII(i, b0)
    }

    /// Decodes one well-formed UTF-8 sequence (Unicode Table 3-7) at `i`, or classifies the lone byte as "other".
    @inlinable
    func classNonASCII(_ i: Int, _ b0: UInt8) -> (flags: UInt8, end: Int) {
        let rem = n &- i
        if b0 < 0xC2 { return (0, i &+ 1) }
        if b0 < 0xE0 {
            guard rem >= 2 else { return (0, i &+ 1) }
            let b1 = p[i &+ 1]
            guard b1 & 0xC0 == 0x80 else { return (0, i &+ 1) }
            let cp = UInt32(b0 & 0x1F) &<< 6 | UInt32(b1 & 0x3F)
            return (lookup(cp), i &+ 2)
        }
        if b0 < 0xF0 {
            guard rem >= 3 else { return (0, i &+ 1) }
            let b1 = p[i &+ 1], b2 = p[i &+ 2]
            let lo: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
            let hi: UInt8 = b0 == 0xED ? 0x9F : 0xBF
            guard b1 >= lo, b1 <= hi, b2 & 0xC0 == 0x80 else { return (0, i &+ 1) }
            let cp = UInt32(b0 & 0x0F) &<< 12 | UInt32(b1 & 0x3F) &<< 6 | UInt32(b2 & 0x3F)
            return (lookup(cp), i &+ 3)
        }
        if b0 < 0xF5 {
            guard rem >= 4 else { return (0, i &+ 1) }
            let b1 = p[i &+ 1], b2 = p[i &+ 2], b3 = p[i &+ 3]
            let lo: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
            let hi: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
            guard b1 >= lo, b1 <= hi, b2 & 0xC0 == 0x80, b3 & 0xC0 == 0x80 else { return (0, i &+ 1) }
            let cp = UInt32(b0 & 0x07) &<< 18 | UInt32(b1 & 0x3F) &<< 12 | UInt32(b2 & 0x3F) &<< 6 | UInt32(b3 & 0x3F)
            return (lookup(cp), i &+ 4)
        }
        return (0, i &+ 1)
    }

    // MARK: Runs

    /// End of the run of characters from `k` whose flags intersect `mask`.
    @inlinable @inline(__always)
    func run(from k0: Int, while mask: UInt8) -> Int {
        var k = k0
        while k < n {
            let b = p[k]
            if b < 0x80 {
                if stage2[Int(truncatingIfNeeded: b)] & mask == 0 { return k }
                k &+= 1
            } else {
                let (c, e) = classNonASCII(k, b)
                if c & mask == 0 { return k }
                k = e
            }
        }
        return k
    }

    /// End of the run of letters (`\p{L}`) from `k`, or of o200k's lower class when `lowerOnly` (whose ASCII members
    /// are a-z). Eight ASCII bytes at a time (SWAR), so that the end of a word costs no mispredicted branch.
    @inlinable @inline(__always)
    func runLetters(from k0: Int, lowerOnly: Bool) -> Int {
        let mask = lowerOnly ? CharFlags.lower : CharFlags.letter
        var k = k0
        while true {
            #if _endian(little)
            while k &+ 8 <= n {
                let x = UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self)
                let high: UInt64 = 0x8080_8080_8080_8080
                // Per byte, on the low 7 bits (no carries between bytes): in 'a'...'z' after folding A-Z.
                let y = lowerOnly ? (x & ~high) : ((x & ~high) | 0x2020_2020_2020_2020)
                let atLeastA = y &+ 0x1F1F_1F1F_1F1F_1F1F       // high bit set iff y >= 0x61
                let aboveZ = y &+ 0x0505_0505_0505_0505          // high bit set iff y >= 0x7B
                let stops = ~(atLeastA & ~aboveZ & ~x) & high     // non-letter or non-ASCII bytes
                if stops != 0 {
                    let bit = stops.trailingZeroBitCount   // the high bit of the first stop byte
                    k &+= bit &>> 3
                    // An ASCII stop byte is not in the class (its ASCII members are the letters tested above):
                    // done, without reloading the byte and looking it up, which sat on the critical path.
                    if x & (1 &<< UInt64(truncatingIfNeeded: bit)) == 0 { return k }
                    break
                }
                k &+= 8
            }
            #endif
            guard k < n else { return k }
            let b = p[k]
            if b < 0x80 {
                if stage2[Int(truncatingIfNeeded: b)] & mask == 0 { return k }
                k &+= 1
            } else {
                let (c, e) = classNonASCII(k, b)
                if c & mask == 0 { return k }
                k = e
            }
        }
    }

    /// End of the run of characters from `k` whose flags do not intersect `stop`.
    @inlinable @inline(__always)
    func run(from k0: Int, until stop: UInt8) -> Int {
        var k = k0
        while k < n {
            let b = p[k]
            if b < 0x80 {
                if stage2[Int(truncatingIfNeeded: b)] & stop != 0 { return k }
                k &+= 1
            } else {
                let (c, e) = classNonASCII(k, b)
                if c & stop != 0 { return k }
                k = e
            }
        }
        return k
    }

    /// The end of `\p{N}{1,max}` from `i`, whose first character (ending at `j`) is a number.
    @inlinable @inline(__always)
    func numberRun(from j0: Int, max: Int) -> Int {
        var j = j0
        var count = 1
        while count < max, j < n {
            let (c, e) = classAt(j)
            if c & CharFlags.number == 0 { break }
            j = e
            count &+= 1
        }
        return j
    }

    /// The end of the whitespace piece that starts at `i` (whose first character ends at `j`), following
    /// `\s*[\r\n]+|\s+(?!\S)|\s+` (with `\s++$` first when `wholeTrailing`), or `\s+(?!\S)|\s+` when `newlines`
    /// is false (GPT-2).
    @inlinable @inline(__always)
    func whitespacePiece(at i: Int, firstEnd j: Int, firstFlags c0: UInt8, newlines: Bool, wholeTrailing: Bool) -> Int {
        var k = j
        var lastStart = i
        var newlineEnd = c0 & CharFlags.newline != 0 ? j : -1
        while k < n {
            let (c, e) = classAt(k)
            if c & CharFlags.space == 0 { break }
            if c & CharFlags.newline != 0 { newlineEnd = e }
            lastStart = k
            k = e
        }
        if wholeTrailing && k == n { return n }          // \s++$
        if newlines && newlineEnd >= 0 { return newlineEnd }  // \s*[\r\n]+ (or \s*[\r\n]): up to the last line break
        if k == n { return n }                            // \s+(?!\S) at the end
        if lastStart > i { return lastStart }             // \s+(?!\S): all but the last whitespace character
        return k                                          // \s+ (a single character before non-space)
    }

    // MARK: Contractions

    /// `'s|'t|'re|'ve|'m|'ll|'d` (case-sensitive) at `i`, where `p[i] == '\''`.
    @inlinable @inline(__always)
    func contraction(at i: Int) -> Int? {
        guard i &+ 1 < n else { return nil }
        switch p[i &+ 1] {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return i &+ 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"):
            return i &+ 2 < n && p[i &+ 2] == UInt8(ascii: "e") ? i &+ 3 : nil
        case UInt8(ascii: "l"):
            return i &+ 2 < n && p[i &+ 2] == UInt8(ascii: "l") ? i &+ 3 : nil
        default:
            return nil
        }
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i`, where `p[i] == '\''`. With `regex`'s case folding, `s` also matches
    /// U+017F LATIN SMALL LETTER LONG S (UTF-8 C5 BF); no other non-ASCII character folds to these letters.
    @inlinable @inline(__always)
    func contractionIgnoringCase(at i: Int) -> Int? {
        guard i &+ 1 < n else { return nil }
        let b1 = p[i &+ 1]
        switch b1 | 0x20 {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return i &+ 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"):
            return i &+ 2 < n && p[i &+ 2] | 0x20 == UInt8(ascii: "e") ? i &+ 3 : nil
        case UInt8(ascii: "l"):
            return i &+ 2 < n && p[i &+ 2] | 0x20 == UInt8(ascii: "l") ? i &+ 3 : nil
        default:
            return b1 == 0xC5 && i &+ 2 < n && p[i &+ 2] == 0xBF ? i &+ 3 : nil
        }
    }

    // MARK: GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+

    @inlinable
    func scanGPT2(_ body: (Range<Int>) -> Void) {
        let L = CharFlags.letter, N = CharFlags.number, S = CharFlags.space
        var i = 0
        while i < n {
            let b = p[i]
            if b == UInt8(ascii: "'"), let e = contraction(at: i) {
                body(i..<e); i = e; continue
            }
            let (c, j) = classAt(i)
            var kind = c
            var from = j
            if b == 0x20 && j < n {   // " ?X+": a space joins a following letter, number or other run
                let (c2, j2) = classAt(j)
                if c2 & S == 0 { kind = c2; from = j2 }
            }
            if kind & S == 0 {
                let e: Int
                if kind & L != 0 { e = runLetters(from: from, lowerOnly: false) }
                else if kind & N != 0 { e = run(from: from, while: N) }
                else { e = run(from: from, until: L | N | S) }
                body(i..<e); i = e; continue
            }
            let e = whitespacePiece(at: i, firstEnd: j, firstFlags: c, newlines: false, wholeTrailing: false)
            body(i..<e); i = e
        }
    }

    // MARK: cl100k / Llama 3 / Qwen2
    // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    // (tiktoken's cl100k inserts \s++$ before the newline alternative: `wholeTrailingWhitespace`).

    @inlinable
    func scanCL100K(maxDigits: Int, wholeTrailingWhitespace: Bool, _ body: (Range<Int>) -> Void) {
        let L = CharFlags.letter, N = CharFlags.number, S = CharFlags.space, NL = CharFlags.newline
        var i = 0
        while i < n {
            let b = p[i]
            if b == UInt8(ascii: "'"), let e = contractionIgnoringCase(at: i) {
                body(i..<e); i = e; continue
            }
            let (c, j) = classAt(i)
            if c & L != 0 {                              // \p{L}+
                let e = runLetters(from: j, lowerOnly: false)
                body(i..<e); i = e; continue
            }
            var c2: UInt8 = 0, j2 = j
            let hasNext = j < n
            if hasNext { (c2, j2) = classAt(j) }
            if c & (N | NL) == 0 && hasNext && c2 & L != 0 {   // [^\r\n\p{L}\p{N}]\p{L}+
                let e = runLetters(from: j2, lowerOnly: false)
                body(i..<e); i = e; continue
            }
            if c & N != 0 {                              // \p{N}{1,3} or \p{N}
                let e = numberRun(from: j, max: maxDigits)
                body(i..<e); i = e; continue
            }
            var otherFrom = -1                           //  ?[^\s\p{L}\p{N}]+[\r\n]*
            if c & (L | N | S) == 0 { otherFrom = j }
            else if b == 0x20 && hasNext && c2 & (L | N | S) == 0 { otherFrom = j2 }
            if otherFrom >= 0 {
                var e = run(from: otherFrom, until: L | N | S)
                while e < n && (p[e] == 0x0A || p[e] == 0x0D) { e &+= 1 }
                body(i..<e); i = e; continue
            }
            let e = whitespacePiece(at: i, firstEnd: j, firstFlags: c, newlines: true,
                                    wholeTrailing: wholeTrailingWhitespace)
            body(i..<e); i = e
        }
    }

    // MARK: o200k
    // A1 [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
    // A2 [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
    // |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+

    /// The optional contraction suffix at `f`.
    @inlinable @inline(__always)
    func optionalContraction(at f: Int) -> Int {
        if f < n && p[f] == UInt8(ascii: "'"), let e = contractionIgnoringCase(at: f) { return e }
        return f
    }

    /// A1 without its prefix, from `q` (`q < n`): `upper*` greedy, then backtracking to the last position where
    /// `lower+` can start.
    @inlinable @inline(__always)
    func o200kFirst(from q: Int) -> Int? {
        let U = CharFlags.upper, W = CharFlags.lower
        var k = q
        var lastLowerEnd = -1
        while k < n {
            let (c, e) = classAt(k)
            if c & U == 0 {
                if c & W != 0 { return optionalContraction(at: runLetters(from: e, lowerOnly: true)) }   // Ll after the run
                break
            }
            if c & W != 0 { lastLowerEnd = e }
            k = e
        }
        // Backtrack: lower+ starts at the last Lm/Lo/M of the upper run and takes just that character.
        return lastLowerEnd >= 0 ? optionalContraction(at: lastLowerEnd) : nil
    }

    /// A2 without its prefix, from `q` (`q < n`).
    @inlinable @inline(__always)
    func o200kSecond(from q: Int) -> Int? {
        let k = run(from: q, while: CharFlags.upper)
        if k == q { return nil }
        return optionalContraction(at: runLetters(from: k, lowerOnly: true))
    }

    @inlinable
    func scanO200K(_ body: (Range<Int>) -> Void) {
        let L = CharFlags.letter, N = CharFlags.number, S = CharFlags.space, NL = CharFlags.newline
        let U = CharFlags.upper, W = CharFlags.lower
        var i = 0
        while i < n {
            let b = p[i]
            let (c, j) = classAt(i)
            let prefix = c & (L | N | NL) == 0 && j < n   // [^\r\n\p{L}\p{N}] with something after it
            // Alternatives in regex order: A1 with prefix, A1 without, A2 with prefix, A2 without.
            if prefix, let e = o200kFirst(from: j) { body(i..<e); i = e; continue }
            if c & (U | W) != 0, let e = o200kFirst(from: i) { body(i..<e); i = e; continue }
            if prefix, let e = o200kSecond(from: j) { body(i..<e); i = e; continue }
            if c & U != 0, let e = o200kSecond(from: i) { body(i..<e); i = e; continue }
            if c & N != 0 {
                let e = numberRun(from: j, max: 3)
                body(i..<e); i = e; continue
            }
            var otherFrom = -1                           //  ?[^\s\p{L}\p{N}]+[\r\n/]*
            if c & (L | N | S) == 0 {
                otherFrom = j
            } else if b == 0x20 && j < n {
                let (c2, j2) = classAt(j)
                if c2 & (L | N | S) == 0 { otherFrom = j2 }
            }
            if otherFrom >= 0 {
                var e = run(from: otherFrom, until: L | N | S)
                while e < n && (p[e] == 0x0A || p[e] == 0x0D || p[e] == UInt8(ascii: "/")) { e &+= 1 }
                body(i..<e); i = e; continue
            }
            let e = whitespacePiece(at: i, firstEnd: j, firstFlags: c, newlines: true, wholeTrailing: false)
            body(i..<e); i = e
        }
    }
}
