// The pre-tokenization contract: cut UTF-8 bytes into pieces that BPE encodes independently.
//
// Invariant: pieces are visited in ascending order, never overlap, and (except for pre-tokenizers that drop
// bytes on purpose, such as a Split with the `removed` behaviour) tile the input exactly, so that
// concatenating the pieces gives the input back byte for byte.

/// Splits UTF-8 text into pieces (pre-tokens) given as byte ranges of the input.
public protocol PreTokenizer: Sendable {
    /// Calls `body` with the byte range of every piece of `text`, in order.
    ///
    /// Invalid UTF-8 is never an error here: each pre-tokenizer documents how it classifies stray bytes.
    /// - Complexity: O(n) for the built-in scanners; pattern-dependent for regular expressions.
    func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void)

    /// Whether `text` may be cut before byte `position` so that pre-tokenizing the two sides separately
    /// gives exactly the pieces of the whole (then long texts can be encoded in parallel chunks).
    /// Callers only ask at positions where a `\n` is directly followed by an ASCII letter.
    func canCut(_ text: UnsafeBufferPointer<UInt8>, before position: Int) -> Bool
}

extension PreTokenizer {
    /// By default nothing is known about the pattern, so text is never cut.
    public func canCut(_ text: UnsafeBufferPointer<UInt8>, before position: Int) -> Bool { false }

    /// The first position p in [from, before) where `text` can be cut without changing any piece:
    /// `text[p-1]` is `\n`, `text[p]` an ASCII letter, and `canCut` agrees. Nil when there is none
    /// (always, for pre-tokenizers that cannot tell). Parallel encoding and counting cut text here.
    public func safeCut(in text: UnsafeBufferPointer<UInt8>, from: Int, before: Int) -> Int? {
        var p = max(from, 1)
        while p < before {
            if text[p - 1] == 0x0A {
                let c = text[p] | 0x20
                if c >= 0x61 && c <= 0x7A && canCut(text, before: p) { return p }
            }
            p += 1
        }
        return nil
    }

    /// The pieces of `text` as byte ranges (convenience for tests and tools; hot paths use `forEachPiece`).
    public func pieces(of text: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        text.withUnsafeBufferPointer { buffer in forEachPiece(in: buffer) { out.append($0) } }
        return out
    }
}

/// Applies pre-tokenizers one after another: each splits every piece the previous one produced
/// (Hugging Face's `Sequence` pre-tokenizer).
public struct PreTokenizerSequence: PreTokenizer {
    public let stages: [any PreTokenizer]

    public init(_ stages: [any PreTokenizer]) { self.stages = stages }

    public func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        visit(stage: 0, range: 0..<text.count, text: text, body)
    }

    public func canCut(_ text: UnsafeBufferPointer<UInt8>, before position: Int) -> Bool {
        // Later stages only re-split the first stage's pieces, so the first stage decides.
        stages.first?.canCut(text, before: position) ?? false
    }

    private func visit(stage: Int, range: Range<Int>, text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        guard stage < stages.count else { body(range); return }
        let slice = UnsafeBufferPointer(rebasing: text[range])
        stages[stage].forEachPiece(in: slice) { local in
            visit(stage: stage + 1, range: (local.lowerBound + range.lowerBound)..<(local.upperBound + range.lowerBound),
                  text: text, body)
        }
    }
}

/// Leaves the text whole: one piece covering everything (or none for empty input).
public struct WholeTextPreTokenizer: PreTokenizer {
    public init() {}
    public func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        if !text.isEmpty { body(0..<text.count) }
    }
}
