// LiBModel: segmentation with a LiB lexicon (the 2023 reference's `Model.apply`), as a `TokenModel`
// so that `Tokenizer` (and `tessera encode`) can use it. Ids are lexicon ranks: id 0 is the most
// valued chunk.
//
// Algorithm at position i: take the two longest chunks c1 ⊃ c2 that prefix the text. When both exist,
// grow two greedy paths (longest chunk, else one raw character), one starting with c1 and one with
// c2, until they end at the same byte; keep the alternative only if it has fewer chunks, or as many
// with a smaller sum of ranks (raw characters count as chunks but add no rank); emit the whole kept
// path. When there is no shorter match, emit one character (the reference emits `sent[i]` there, which
// is c1 whenever the lexicon holds every character, as Tessera's lexicons do).
//
// Text the lexicon cannot spell (a character never seen in training, invalid UTF-8, a newline) is
// emitted as byte-fallback tokens: ids after the lexicon, one for every byte that is not itself a
// one-byte chunk, so encoding is lossless for any input and decoding is plain concatenation.
//
// Invariant: the emitted tokens tile the piece (their byte lengths sum to the piece's length).
// Complexity: O(n · m) for n bytes and longest match m; the two paths of one decision together cover
// at most twice the span they emit.

import TesseraBPE
import TesseraTokenizer

/// A LiB lexicon ready to segment text.
public struct LiBModel: TokenModel, Sendable {
    /// Lexicon chunks (ids 0..<lexiconCount, in rank order) followed by the byte fallbacks.
    public let vocabulary: Vocabulary
    /// Number of lexicon chunks (the ids below are ranks).
    public let lexiconCount: Int
    /// Whether chunks are split further into lower-ranked parts (the reference's `seg_deeper`).
    public let deeper: Bool
    let trie: FrozenTrie
    /// The token of each byte when it is not part of a known character: its one-byte chunk or fallback id.
    let byteToken: [TokenID]

    /// - Parameters:
    ///   - lexicon: chunks in rank order (valid UTF-8, distinct, non-empty).
    ///   - deeper: split every chunk into at most four lower-ranked parts (two levels), as `apply(seg_deeper=True)`.
    /// - Throws: `LiBError.invalidLexicon` naming the bad entry.
    public init(lexicon: [[UInt8]], deeper: Bool = false) throws {
        guard !lexicon.isEmpty else { throw LiBError.invalidLexicon("the lexicon is empty") }
        let trie = ChunkTrie()
        var nodes: [Int32] = []
        var entries: [(bytes: [UInt8], id: TokenID)] = []
        entries.reserveCapacity(lexicon.count + 256)
        var byteToken = [TokenID](repeating: .max, count: 256)
        for (id, chunk) in lexicon.enumerated() {
            let ok = chunk.withUnsafeBufferPointer { p -> Bool in
                guard let base = p.baseAddress, !chunk.isEmpty else { return false }
                return validUTF8Prefix(base, chunk.count) == chunk.count
            }
            guard ok else {
                throw LiBError.invalidLexicon("entry \(id) is " + (chunk.isEmpty ? "empty" : "not valid UTF-8"))
            }
            let existing = chunk.withUnsafeBufferPointer { trie.lookup($0.baseAddress!, $0.count) }
            if existing >= 0, let first = nodes.firstIndex(of: existing) {
                throw LiBError.invalidLexicon("entries \(first) and \(id) are the same chunk")
            }
            guard let node = chunk.withUnsafeBufferPointer({ trie.insert($0.baseAddress!, $0.count) }) else {
                throw LiBError.lexiconTooLarge(nodes: ChunkTrie.maxNodes)
            }
            nodes.append(node)
            entries.append((chunk, TokenID(id)))
            if chunk.count == 1 { byteToken[Int(chunk[0])] = TokenID(id) }
        }
        var next = TokenID(lexicon.count)
        for b in 0..<256 where byteToken[b] == .max {
            byteToken[b] = next
            entries.append(([UInt8(b)], next))
            next += 1
        }
        self.vocabulary = try Vocabulary(entries: entries)
        self.lexiconCount = lexicon.count
        self.deeper = deeper
        var idOfNode = [Int32](repeating: -1, count: trie.nodeBound)
        for (id, node) in nodes.enumerated() { idOfNode[Int(node)] = Int32(id) }
        self.trie = FrozenTrie(trie, idOfNode: idOfNode)
        self.byteToken = byteToken
    }

    public var summary: String {
        "LiB lexicon (\(lexiconCount) chunks, ids = ranks; two-path lookahead\(deeper ? ", deeper split" : "")) "
            + "+ \(vocabulary.count - lexiconCount) byte fallbacks"
    }

    /// The ids of `text` (one piece; use a `Tokenizer` with `LineSplitter` for text with newlines).
    public func encode(_ text: [UInt8]) -> [TokenID] {
        var ids: [TokenID] = []
        text.withUnsafeBufferPointer { encode(piece: $0, into: &ids, spans: nil) }
        return ids
    }

    /// The chunks of `text` as byte strings (raw characters and invalid bytes as themselves), before any
    /// deeper split: the reference's `apply` output for one sentence.
    public func segment(_ text: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        text.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return }
            forEachChunk(base, p.count) { start, length, _ in out.append(Array(p[start..<start + length])) }
        }
        return out
    }

    public func encode(piece: UnsafeBufferPointer<UInt8>, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        guard let text = piece.baseAddress else { return }
        forEachChunk(text, piece.count) { start, length, id in
            if id >= 0 {
                if deeper {
                    split(text, start, length, TokenID(id), level: 2, into: &ids, spans: spans)
                } else {
                    ids.append(TokenID(id))
                    spans?.pointee.append(length)
                }
            } else {
                for k in start..<start + length {
                    ids.append(byteToken[Int(text[k])])
                    spans?.pointee.append(1)
                }
            }
        }
    }

    /// Calls `body(start, length, id)` for each chunk of the greedy two-path segmentation, in order;
    /// id is -1 for a raw character (or invalid byte) the lexicon does not hold.
    func forEachChunk(_ text: UnsafePointer<UInt8>, _ n: Int, _ body: (Int, Int, Int32) -> Void) {
        let trie = self.trie
        // Path elements are (start, length, id) with id -1 for a raw character.
        var defaultPath: [(Int, Int, Int32)] = []
        var alternativePath: [(Int, Int, Int32)] = []
        var i = 0
        while i < n {
            let m = trie.match2(text + i, n - i)
            if m.len2 == 0 {
                let c = characterLength(text + i, n - i)
                let id = m.len1 == c ? m.h1 : trie.lookup(text + i, c)
                body(i, c, id)
                i += c
                continue
            }
            defaultPath.removeAll(keepingCapacity: true)
            alternativePath.removeAll(keepingCapacity: true)
            defaultPath.append((i, m.len1, m.h1))
            alternativePath.append((i, m.len2, m.h2))
            var defaultEnd = i + m.len1, alternativeEnd = i + m.len2
            while defaultEnd != alternativeEnd {
                if defaultEnd > alternativeEnd {
                    let step = nextSegment(trie, text, n, alternativeEnd)
                    alternativePath.append(step)
                    alternativeEnd += step.1
                } else {
                    let step = nextSegment(trie, text, n, defaultEnd)
                    defaultPath.append(step)
                    defaultEnd += step.1
                }
            }
            var alternativeWins = defaultPath.count > alternativePath.count
            if defaultPath.count == alternativePath.count {
                var d = 0, a = 0
                for x in defaultPath where x.2 >= 0 { d += Int(x.2) }
                for x in alternativePath where x.2 >= 0 { a += Int(x.2) }
                alternativeWins = d > a
            }
            for x in alternativeWins ? alternativePath : defaultPath { body(x.0, x.1, x.2) }
            i = defaultEnd
        }
    }

    /// The reference's `next_segment`: the longest chunk at `p`, else one raw character.
    @inline(__always)
    private func nextSegment(_ trie: FrozenTrie, _ text: UnsafePointer<UInt8>, _ n: Int, _ p: Int) -> (Int, Int, Int32) {
        let m = trie.longest(text + p, n - p)
        if m.length > 0 { return (p, m.length, m.handle) }
        return (p, characterLength(text + p, n - p), -1)
    }
}

/// A `ChunkTrie` that is never mutated after the model is built, so sharing it between threads is safe,
/// and the token id of each chunk's node.
final class FrozenTrie: @unchecked Sendable {
    let trie: ChunkTrie
    let idOfNode: [Int32]
    init(_ trie: ChunkTrie, idOfNode: [Int32]) { self.trie = trie; self.idOfNode = idOfNode }

    /// The two longest chunks at `text` as (length, id) pairs.
    @inline(__always)
    func match2(_ text: UnsafePointer<UInt8>, _ n: Int) -> (len1: Int, h1: Int32, len2: Int, h2: Int32) {
        let m = trie.match2(text, n)
        return (m.len1, m.h1 < 0 ? -1 : idOfNode[Int(m.h1)], m.len2, m.h2 < 0 ? -1 : idOfNode[Int(m.h2)])
    }

    /// The longest chunk at `text` as (length, id).
    @inline(__always)
    func longest(_ text: UnsafePointer<UInt8>, _ n: Int) -> (length: Int, handle: Int32) {
        let m = trie.longest(text, n)
        return (m.length, m.handle < 0 ? -1 : idOfNode[Int(m.handle)])
    }

    /// The id of the chunk with exactly these bytes, or -1.
    @inline(__always)
    func lookup(_ text: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
        let h = trie.lookup(text, n)
        return h < 0 ? -1 : idOfNode[Int(h)]
    }
}

/// Length of the UTF-8 character at `p` (1 for a byte that does not start a valid character).
@inline(__always)
func characterLength(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
    if p[0] < 0x80 { return 1 }
    let c = utf8Length(p[0])
    return c <= n && validUTF8Prefix(p, c) == c ? c : 1
}
