// SuperwordPreTokenizer: the stage-2 pre-tokenizer of SuperBPE (Liu, Hayase, Hofmann, Oh, Smith & Choi,
// "SuperBPE: Space Travel for Language Models", COLM 2025). It isolates only
//     \p{N}{1,3} | ␠?[^\s\p{L}\p{N}]{2,}[\r\n/]* | ␠+(?!\S)
// (numbers of up to three digits, runs of two or more punctuation marks, trailing spaces) — Hugging
// Face `Split(Regex, behavior: Isolated)` — and leaves everything between the matches, words and the
// single spaces that separate them, as one piece, so BPE merges can cross whitespace.
// One alternative is added to SuperBPE's regex: `|\n`, so a line feed not already taken by a
// punctuation run is a piece of its own and no piece spans two lines. That bounds piece length by the
// line, makes every "line feed, then letter" position a piece boundary (counting can cut text there
// and run in parallel with identical results), and keeps the tokenizer expressible as a Hugging Face
// Split(Regex, Isolated), so it survives every format that stores a pattern.
// Invariant: pieces tile the input in order; matches are those of a leftmost-first regex engine
// (Oniguruma, Python `regex`, ICU), and the gaps between them are pieces too.
// Complexity: O(n), one pass, no allocation.

/// SuperBPE's stage-2 splitting: numbers, punctuation runs and trailing spaces are pieces; the text
/// between them (words with their separating spaces) stays whole.
public struct SuperwordPreTokenizer: PreTokenizer {
    /// The pattern: SuperBPE's stage-2 regex plus a line-feed alternative.
    public static let regexSource = #"\p{N}{1,3}| ?[^\s\p{L}\p{N}]{2,}[\r\n/]*| +(?!\S)|\n"#

    public init() {}

    /// Every position after a line feed and before a letter is a piece boundary: the line feed is a
    /// match of its own or ends a punctuation match's `[\r\n/]*` tail; nothing looks back.
    public func canCut(_ text: UnsafeBufferPointer<UInt8>, before position: Int) -> Bool { true }

    public func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        guard let base = text.baseAddress, !text.isEmpty else { return }
        let tables = ScannerTables.shared
        let scanner = UTF8ClassScanner(base: base, count: text.count, stage1: tables.stage1, stage2: tables.stage2)
        scanner.scanSuperword(body)
    }
}

extension UTF8ClassScanner {
    /// The end of a match of the superword pattern at `i`, or nil.
    @inlinable @inline(__always)
    func superwordMatch(at i: Int) -> Int? {
        let L = CharFlags.letter, N = CharFlags.number, S = CharFlags.space
        let (c, j) = classAt(i)
        if c & N != 0 { return numberRun(from: j, max: 3) }                    // \p{N}{1,3}
        // ␠?[^\s\p{L}\p{N}]{2,}[\r\n/]*
        let q = p[i] == 0x20 ? i &+ 1 : i
        if q < n {
            var k = q
            var others = 0
            while k < n {
                let (c2, e) = classAt(k)
                if c2 & (L | N | S) != 0 { break }
                others &+= 1
                k = e
            }
            if others >= 2 {
                while k < n, p[k] == 0x0D || p[k] == 0x0A || p[k] == UInt8(ascii: "/") { k &+= 1 }
                return k
            }
        }
        // ␠+(?!\S): the run of spaces, less the last one when a non-space follows.
        guard p[i] == 0x20 else { return p[i] == 0x0A ? i &+ 1 : nil }    // \n
        var k = i &+ 1
        while k < n, p[k] == 0x20 { k &+= 1 }
        if k == n { return n }
        if classAt(k).flags & S != 0 { return k }
        return k &- i >= 2 ? k &- 1 : nil
    }

    @inlinable
    func scanSuperword(_ body: (Range<Int>) -> Void) {
        var gapStart = 0
        var i = 0
        while i < n {
            if let e = superwordMatch(at: i) {
                if gapStart < i { body(gapStart..<i) }
                body(i..<e)
                i = e
                gapStart = e
            } else {
                i = classAt(i).end
            }
        }
        if gapStart < n { body(gapStart..<n) }
    }
}
