// StagedPreTokenizer: a pre-tokenizer whose stages may rewrite the text of the pieces, not only cut it, as
// Hugging Face's `PreTokenizedString` allows: Metaspace replaces spaces with `▁` and prepends one, ByteLevel
// prepends a space (and, for character-level models, maps bytes to its alphabet). Range-only stages
// (`PreTokenizer`) and rewriting stages (`PieceRewriter`) are applied in order to every piece the previous
// stages produced, like tokenizers' `Sequence`.
//
// Each piece handed to the caller carries its origin: for every byte, the offset in the segment (the text
// given to `forEachPiece`) of the character it came from, so token offsets can be mapped back. An inserted
// character (a prepended `▁`) has the origin of the character it was put in front of.
//
// Invariant: origins are non-decreasing within a piece and lie in the piece's source range.
// Complexity: O(n) per stage plus the stages' own costs; a rewriting stage copies each piece once.

/// A pre-tokenizer stage that rewrites each piece (Hugging Face Metaspace, ByteLevel's prefix space).
public protocol PieceRewriter: Sendable {
    /// Appends the rewritten `piece` to `out` and, for each appended byte, the offset in `piece` of the
    /// character it comes from to `sources`. `startsText`: the piece starts the original text (Hugging Face's
    /// `offsets_original().0 == 0`, which Metaspace's `prepend_scheme: "first"` tests).
    func rewrite(_ piece: UnsafeBufferPointer<UInt8>, startsText: Bool, into out: inout [UInt8], sources: inout [Int32])
    /// A short description for `tessera inspect`.
    var summary: String { get }
}

/// One stage of a `StagedPreTokenizer`.
public enum PreTokenizerStage: Sendable {
    /// Cuts every piece (pieces of the cut are byte ranges of the piece).
    case split(any PreTokenizer)
    /// Rewrites every piece.
    case rewrite(any PieceRewriter)
}

/// Where a piece of a `StagedPreTokenizer` comes from.
public struct PieceOrigin {
    /// Per byte of the piece, the segment offset of the character it comes from; nil when the piece is the
    /// untouched segment bytes starting at `start`.
    public let origins: UnsafeBufferPointer<Int32>?
    /// Segment offset of the piece's first byte when `origins` is nil.
    public let start: Int
    /// Segment offset just past the piece's source.
    public let end: Int

    /// The segment offset of piece byte `i` (`i == count` gives `end`).
    @inline(__always)
    public func offset(_ i: Int, count: Int) -> Int {
        if i >= count { return end }
        if let origins { return Int(origins[i]) }
        return start + i
    }
}

/// A pre-tokenizer of range stages and rewriting stages (Hugging Face's pre-tokenizer `Sequence` with
/// Metaspace or ByteLevel in it).
public struct StagedPreTokenizer: PreTokenizer {
    public let stages: [PreTokenizerStage]

    public init(_ stages: [PreTokenizerStage]) { self.stages = stages }

    /// Calls `body` with every piece of `text`: its (possibly rewritten) bytes and its origin.
    /// `startsText`: `text` begins the original input (for Metaspace's "first" prepend scheme).
    /// - Complexity: O(n) per stage plus the stages' own work.
    public func forEachPiece(in text: UnsafeBufferPointer<UInt8>, startsText: Bool,
                             _ body: (UnsafeBufferPointer<UInt8>, PieceOrigin) -> Void) {
        guard !text.isEmpty else { return }
        visit(0, text, PieceOrigin(origins: nil, start: 0, end: text.count), startsText: startsText, body)
    }

    /// The source ranges of the pieces (for tools; encoding uses the rewriting form).
    public func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        forEachPiece(in: text, startsText: true) { piece, origin in
            let lower = origin.offset(0, count: piece.count)
            if origin.end > lower { body(lower..<origin.end) }
        }
    }

    private func visit(_ stage: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ origin: PieceOrigin, startsText: Bool,
                       _ body: (UnsafeBufferPointer<UInt8>, PieceOrigin) -> Void) {
        guard stage < stages.count else { body(bytes, origin); return }
        let count = bytes.count
        switch stages[stage] {
        case .split(let splitter):
            splitter.forEachPiece(in: bytes) { r in
                let sub = UnsafeBufferPointer(rebasing: bytes[r])
                let subOrigin = PieceOrigin(origins: origin.origins.map { UnsafeBufferPointer(rebasing: $0[r]) },
                                            start: origin.start + r.lowerBound,
                                            end: origin.offset(r.upperBound, count: count))
                let first = startsText && origin.offset(r.lowerBound, count: count) == 0
                visit(stage + 1, sub, subOrigin, startsText: first, body)
            }
        case .rewrite(let rewriter):
            var out: [UInt8] = []
            var sources: [Int32] = []
            out.reserveCapacity(count + 8)
            sources.reserveCapacity(count + 8)
            rewriter.rewrite(bytes, startsText: startsText, into: &out, sources: &sources)
            var origins = [Int32](repeating: 0, count: sources.count)
            for j in 0..<sources.count { origins[j] = Int32(origin.offset(Int(sources[j]), count: count)) }
            out.withUnsafeBufferPointer { rewritten in
                origins.withUnsafeBufferPointer { mapped in
                    visit(stage + 1, rewritten, PieceOrigin(origins: mapped, start: 0, end: origin.end),
                          startsText: startsText, body)
                }
            }
        }
    }
}

/// Metaspace's rewrite (Hugging Face metaspace.rs): every U+0020 becomes the replacement character, which is
/// also prepended (unless the piece already starts with it) always, only at the start of the text ("first"),
/// or never. Its split, when enabled, is a separate `CharacterSplitter` stage (`mergedWithNext`).
public struct MetaspaceRewriter: PieceRewriter {
    public enum PrependScheme: String, Sendable, CaseIterable { case always, first, never }

    public let replacement: Unicode.Scalar
    public let prependScheme: PrependScheme
    private let replacementBytes: [UInt8]

    public init(replacement: Unicode.Scalar = "\u{2581}", prependScheme: PrependScheme = .always) {
        self.replacement = replacement
        self.prependScheme = prependScheme
        replacementBytes = Array(String(replacement).utf8)
    }

    public func rewrite(_ piece: UnsafeBufferPointer<UInt8>, startsText: Bool, into out: inout [UInt8], sources: inout [Int32]) {
        let prepend: Bool
        switch prependScheme {
        case .always: prepend = true
        case .first: prepend = startsText
        case .never: prepend = false
        }
        let startsWithReplacement = piece.first == 0x20 || piece.starts(with: replacementBytes)
        if prepend && !piece.isEmpty && !startsWithReplacement {
            out.append(contentsOf: replacementBytes)
            sources.append(contentsOf: repeatElement(0, count: replacementBytes.count))
        }
        for (i, b) in piece.enumerated() {
            if b == 0x20 {
                out.append(contentsOf: replacementBytes)
                sources.append(contentsOf: repeatElement(Int32(i), count: replacementBytes.count))
            } else {
                out.append(b)
                sources.append(Int32(i))
            }
        }
    }

    public var summary: String {
        "Metaspace(replacement \(String(replacement).debugDescription), prepend \(prependScheme.rawValue))"
    }
}

/// ByteLevel's `add_prefix_space` (Hugging Face byte_level.rs): one U+0020 in front of a non-empty piece that
/// does not already start with U+0020 (a tab or a newline does not count).
public struct PrefixSpaceRewriter: PieceRewriter {
    public init() {}

    public func rewrite(_ piece: UnsafeBufferPointer<UInt8>, startsText: Bool, into out: inout [UInt8], sources: inout [Int32]) {
        if let first = piece.first, first != 0x20 {
            out.append(0x20)
            sources.append(0)
        }
        out.append(contentsOf: piece)
        for i in 0..<piece.count { sources.append(Int32(i)) }
    }

    public var summary: String { "prefix space" }
}
