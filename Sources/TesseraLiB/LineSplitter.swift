// The pre-tokenizer of LiB tokenizers: LiB learns from sentences (lines) and segments a sentence at a
// time, so text is cut into lines, and every "\n" is a piece of its own (a byte fallback token unless
// the lexicon holds it). Nothing inside a line is cut: LiB chunks may span spaces.
//
// Invariant: the pieces tile the input. Complexity: O(n) (memchr-speed scan for "\n").

import TesseraPreTokenizers

/// Cuts text into lines and single "\n" pieces.
public struct LineSplitter: PreTokenizer {
    public init() {}

    public func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        var start = 0
        for i in 0..<text.count where text[i] == 0x0A {
            if i > start { body(start..<i) }
            body(i..<i + 1)
            start = i + 1
        }
        if start < text.count { body(start..<text.count) }
    }

    /// Any position right after a newline starts a new piece whatever precedes it.
    public func canCut(_ text: UnsafeBufferPointer<UInt8>, before position: Int) -> Bool {
        position > 0 && position <= text.count && text[position - 1] == 0x0A
    }
}
