// ByteLevelTokenizer: what exact byte-level probabilities need from a tokenizer — token bytes, the
// canonical encoding of a byte string, pre-token boundaries, and canonicality of a token sequence decided
// locally (pre-token alignment + the BPE pair test inside each pre-token).
//
// A token sequence t is canonical iff encode(decode(t)) == t. With a pre-tokenizer this holds iff every
// pre-token boundary of decode(t) is a token boundary and each pre-token's run of tokens is its BPE
// encoding (BPECanonicality). Only plain byte-level pipelines qualify: no normalizer, decoder, rewriting
// pre-tokenizer or added tokens (they make decode(encode(x)) ≠ x, so byte prefixes lose their meaning).
//
// Stability assumption (holds for GPT-2/cl100k/o200k-style patterns, which match left to right and look
// at most one character past a match): pre-tokens of x that end before the start of x's last pre-token
// are pre-tokens of every extension of x. We cut one pre-token earlier than that (`stableStart` = start
// of the second-to-last pre-token) so that a last pre-token made of a stray, incomplete UTF-8 byte can
// still join its predecessor. Tests check the consequence (chained byte probabilities equal the
// probability of the canonical encoding) on the trained tokenizers.
// Complexity: `isCanonical` O(n) pre-tokenization + one pair test per adjacent pair.

import TesseraBPE
import TesseraLM
import TesseraPreTokenizers
import TesseraTokenizer

/// A byte-level BPE tokenizer viewed by the byte-level algorithms.
public struct ByteLevelTokenizer: Sendable {
    public let tokenizer: Tokenizer
    public let canonicality: BPECanonicality
    /// Tokens in byte-lexicographic order (the vocabulary's byte trie, flattened).
    public let trie: VocabularyTrie
    let preTokenizer: any PreTokenizer

    /// - Throws: `ByteLevelError.unsupportedTokenizer` for a pipeline whose decode(encode(x)) ≠ x.
    public init(_ tokenizer: Tokenizer) throws {
        let name = tokenizer.name
        guard let bpe = tokenizer.bpeModel else {
            throw ByteLevelError.unsupportedTokenizer(name: name, reason: "its model is not byte-level BPE")
        }
        if tokenizer.normalizer != nil { throw ByteLevelError.unsupportedTokenizer(name: name, reason: "it has a normalizer") }
        if tokenizer.decoder != nil { throw ByteLevelError.unsupportedTokenizer(name: name, reason: "it has a decoder") }
        if tokenizer.addedVocabulary != nil { throw ByteLevelError.unsupportedTokenizer(name: name, reason: "it has added tokens") }
        if tokenizer.preTokenizer is StagedPreTokenizer {
            throw ByteLevelError.unsupportedTokenizer(name: name, reason: "its pre-tokenizer rewrites text")
        }
        self.tokenizer = tokenizer
        preTokenizer = tokenizer.preTokenizer
        canonicality = BPECanonicality(model: bpe)
        trie = VocabularyTrie(canonicality.table)
    }

    public var name: String { tokenizer.name }
    /// Ids the tokenizer can produce (ordinary and special).
    public var idUpperBound: Int { tokenizer.idUpperBound }
    public var table: TokenByteTable { canonicality.table }

    /// The canonical encoding of `bytes` (special-token text is ordinary text here).
    public func encode<C: Collection<UInt8>>(_ bytes: C) -> [LMToken] {
        (try? tokenizer.encode(Array(bytes), specials: .asText)) ?? []
    }

    /// Concatenated token bytes, nil when some id has no bytes (a special or unknown id).
    public func decode<S: Sequence<LMToken>>(_ tokens: S) -> [UInt8]? {
        var out: [UInt8] = []
        for t in tokens {
            let n = table.length(t)
            guard n > 0 else { return nil }
            out.append(contentsOf: table.bytes(t))
        }
        return out
    }

    /// Pre-token ranges of `bytes`.
    public func pieces(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [Range<Int>]) {
        out.removeAll(keepingCapacity: true)
        preTokenizer.forEachPiece(in: bytes) { out.append($0) }
    }

    public func pieces(_ bytes: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        bytes.withUnsafeBufferPointer { pieces($0, into: &out) }
        return out
    }

    /// Byte offset before which every canonical encoding of every extension of `bytes` is fixed: the
    /// start of the second-to-last pre-token (0 with fewer than two).
    public func stableStart(_ bytes: [UInt8]) -> Int {
        let p = pieces(bytes)
        return p.count >= 2 ? p[p.count - 2].lowerBound : 0
    }

    /// The id of `bytes` as one token when the rule looks whole pieces up first.
    /// Skipped when every token is reachable by merges: merging then builds the same token.
    func wholePieceID(_ bytes: UnsafeBufferPointer<UInt8>) -> TokenID? {
        canonicality.looksUpWholePiece && canonicality.hasUnreachableTokens ? canonicality.vocabulary.id(of: bytes) : nil
    }

    /// Whether `encode(decode(tokens)) == tokens`, decided by pre-token alignment and the pair test.
    /// - Complexity: O(bytes) pre-tokenization and one pair test per adjacent pair inside a pre-token.
    public func isCanonical(_ tokens: [LMToken]) -> Bool {
        guard let bytes = decode(tokens) else { return false }
        var ranges: [Range<Int>] = []
        return bytes.withUnsafeBufferPointer { buf in
            pieces(buf, into: &ranges)
            var k = 0, offset = 0
            for piece in ranges {
                guard offset == piece.lowerBound else { return false }
                let first = k
                while k < tokens.count && offset < piece.upperBound { offset += table.length(tokens[k]); k += 1 }
                guard offset == piece.upperBound else { return false }
                let whole = wholePieceID(UnsafeBufferPointer(rebasing: buf[piece]))
                if !canonicality.isCanonicalRun(tokens[first..<k], wholePiece: whole) { return false }
            }
            return k == tokens.count
        }
    }
}
