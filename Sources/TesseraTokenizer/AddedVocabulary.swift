// AddedVocabulary: Hugging Face's added tokens (tokenizers/src/tokenizer/added_vocabulary.rs) and the order in
// which tokenizers applies them: cut the raw text at the non-normalized added tokens, normalize every other
// part on its own, cut each normalized part at the normalized added tokens (matched by their normalized form),
// and only then pre-tokenize what is left.
//
// Matching is leftmost-longest over all tokens of one kind, scanning on from the end of each match whether or
// not the match is then used (tokenizers iterates its Aho-Corasick automaton that way). A match is dropped when
// the token is `single_word` and a word character (`\w`) touches it, or when it is special and special tokens
// are encoded as text. `lstrip` / `rstrip` widen a kept match over the whitespace before / after it.
//
// Invariant: the parts of `plan` are, in order, exactly tokenizers' `extract_and_normalize` splits; every byte
// of the plan's text belongs to one part (parts may overlap only where tokenizers' own splits overlap: an
// `rstrip` token followed by a match inside the whitespace it took).
// Complexity: O(n · d) for n bytes and a longest token of d bytes (a byte trie), plus normalization.

import TesseraBPE
import TesseraUnicode

/// A token added on top of the model (Hugging Face `AddedToken` with its id).
public struct AddedToken: Sendable, Equatable {
    public var id: TokenID
    public var content: String
    /// Matches only when no word character touches it.
    public var singleWord: Bool
    /// Takes the whitespace on its left.
    public var leftStrip: Bool
    /// Takes the whitespace on its right.
    public var rightStrip: Bool
    /// Matched in the normalized text, by its normalized form; otherwise in the raw text.
    public var normalized: Bool
    /// A special token: refused by `.raise`, ignored by `.asText`, always matched by `.allow`.
    public var special: Bool

    public init(id: TokenID, content: String, singleWord: Bool = false, leftStrip: Bool = false, rightStrip: Bool = false,
                normalized: Bool = false, special: Bool = true) {
        self.id = id
        self.content = content
        self.singleWord = singleWord
        self.leftStrip = leftStrip
        self.rightStrip = rightStrip
        self.normalized = normalized
        self.special = special
    }
}

/// The added tokens of a tokenizer with Hugging Face's matching rules.
public struct AddedVocabulary: Sendable {
    /// The tokens, in the order given.
    public let tokens: [AddedToken]
    private let rawTrie: TokenTrie
    private let normalizedTrie: TokenTrie
    /// The normalized form of each normalized token whose form differs from its content (what decoding
    /// gives back, as tokenizers' `simple_id_to_token` does).
    private let decodedForm: [TokenID: [UInt8]]
    private let indexOfID: [TokenID: Int]

    /// One part of a text after added-token extraction.
    public struct Part: Sendable, Equatable {
        /// Byte range in the plan's text.
        public var range: Range<Int>
        /// The added token, or nil for ordinary text.
        public var id: TokenID?
        /// The part starts the original text (Metaspace's "first" prepend scheme).
        public var startsText: Bool
    }

    /// A text after extraction: the parts' bytes back to back (ordinary parts normalized) and the parts.
    public struct Plan: Sendable {
        public var text: [UInt8]
        public var parts: [Part]
    }

    /// - Parameter normalizer: the tokenizer's normalizer, which gives each normalized token its form.
    /// - Throws: `TokenizerError.conflictingSpecialToken` for an empty token or two tokens with the same content
    ///   or id; `.normalization` when a token's content cannot be normalized.
    public init(_ tokens: [AddedToken], normalizer: (any TextNormalizing)?) throws {
        var seenContent = Set<String>()
        var indexOfID: [TokenID: Int] = [:]
        var raw: [([UInt8], Int)] = []
        var normalized: [([UInt8], Int)] = []
        var decodedForm: [TokenID: [UInt8]] = [:]
        for (i, token) in tokens.enumerated() {
            if token.content.isEmpty || !seenContent.insert(token.content).inserted || indexOfID[token.id] != nil {
                throw TokenizerError.conflictingSpecialToken(text: token.content, id: token.id)
            }
            indexOfID[token.id] = i
            let content = Array(token.content.utf8)
            if token.normalized {
                var form = content
                if let normalizer {
                    do { form = try normalizer.normalizedBytes(content) } catch {
                        throw TokenizerError.normalization(String(describing: error))
                    }
                }
                if form != content { decodedForm[token.id] = form }
                if !form.isEmpty { normalized.append((form, i)) }
            } else {
                raw.append((content, i))
            }
        }
        self.tokens = tokens
        self.indexOfID = indexOfID
        self.decodedForm = decodedForm
        rawTrie = TokenTrie(raw)
        normalizedTrie = TokenTrie(normalized)
    }

    public var isEmpty: Bool { tokens.isEmpty }

    /// The added token with this id.
    public func token(withID id: TokenID) -> AddedToken? { indexOfID[id].map { tokens[$0] } }

    /// The text decoders receive for an added token: its normalized form when normalizing changed it, else its
    /// content.
    public func decoderText(of id: TokenID) -> [UInt8]? {
        if let form = decodedForm[id] { return form }
        return indexOfID[id].map { Array(tokens[$0].content.utf8) }
    }

    /// Cuts `text` at the added tokens and normalizes the ordinary parts, as tokenizers does before
    /// pre-tokenization.
    /// - Throws: `TokenizerError.disallowedSpecialToken` under `.raise` when a special token would match;
    ///   `.normalization` from the normalizer.
    /// - Complexity: O(n · d) for n bytes and a longest added token of d bytes, plus the normalizer.
    public func plan(_ text: [UInt8], normalizer: (any TextNormalizing)?, specials: SpecialTokenPolicy) throws -> Plan {
        var plan = Plan(text: [], parts: [])
        plan.text.reserveCapacity(text.count + 16)
        let rawSplits = try text.withUnsafeBufferPointer { try splits(of: $0, trie: rawTrie, specials: specials, offset: 0) }
        for split in rawSplits {
            if let id = split.id {
                append(text[split.range], id: id, startsText: split.range.lowerBound == 0, to: &plan)
                continue
            }
            var part = Array(text[split.range])
            if let normalizer {
                do { part = try normalizer.normalizedBytes(part) } catch {
                    throw TokenizerError.normalization(String(describing: error))
                }
            }
            let inner = try part.withUnsafeBufferPointer {
                try splits(of: $0, trie: normalizedTrie, specials: specials, offset: split.range.lowerBound)
            }
            for piece in inner {
                append(part[piece.range], id: piece.id, startsText: split.range.lowerBound == 0 && piece.range.lowerBound == 0,
                       to: &plan)
            }
        }
        return plan
    }

    private func append(_ bytes: ArraySlice<UInt8>, id: TokenID?, startsText: Bool, to plan: inout Plan) {
        if bytes.isEmpty && id == nil { return }
        let start = plan.text.count
        plan.text.append(contentsOf: bytes)
        plan.parts.append(Part(range: start..<plan.text.count, id: id, startsText: startsText))
    }

    /// tokenizers' `find_matches`: the splits of `sentence` (ordinary or one added token each), covering it.
    /// `offset` is the sentence's position in the whole input (for error messages).
    func splits(of sentence: UnsafeBufferPointer<UInt8>, trie: TokenTrie, specials: SpecialTokenPolicy,
                offset: Int) throws -> [(range: Range<Int>, id: TokenID?)] {
        let n = sentence.count
        if n == 0 || trie.isEmpty { return [(0..<n, nil)] }
        var result: [(range: Range<Int>, id: TokenID?)] = []
        var startOffset = 0
        var position = 0
        while let match = trie.leftmostLongest(in: sentence, from: position) {
            position = match.range.upperBound
            let token = tokens[match.index]
            if token.special && specials == .asText { continue }
            var start = match.range.lowerBound
            var stop = match.range.upperBound
            if token.singleWord {
                let startSpace = start == 0 || !Self.endsWithWordCharacter(sentence, before: start)
                let stopSpace = stop == n || !Self.startsWithWordCharacter(sentence, at: stop)
                if !startSpace || !stopSpace { continue }
            }
            if token.special && specials == .raise {
                throw TokenizerError.disallowedSpecialToken(text: token.content, byteOffset: offset + start)
            }
            if token.leftStrip { start = max(Self.whitespaceRunStart(sentence, before: start), startOffset) }
            if token.rightStrip { stop = Self.whitespaceRunEnd(sentence, from: stop) }
            if startOffset < start { result.append((startOffset..<start, nil)) }
            result.append((start..<stop, token.id))
            startOffset = stop
        }
        if startOffset != n { result.append((startOffset..<n, nil)) }
        return result
    }

    // MARK: Character tests (lenient on invalid UTF-8: a stray byte is not a word character or whitespace)

    static func endsWithWordCharacter(_ s: UnsafeBufferPointer<UInt8>, before end: Int) -> Bool {
        guard let scalar = scalar(endingAt: end, in: s) else { return false }
        return HuggingFaceCharacters.isWordCharacter(scalar.value)
    }

    static func startsWithWordCharacter(_ s: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard let scalar = scalar(startingAt: start, in: s) else { return false }
        return HuggingFaceCharacters.isWordCharacter(scalar.value)
    }

    /// The start of the run of whitespace that ends at `end` (`\s*$` on the text before it).
    static func whitespaceRunStart(_ s: UnsafeBufferPointer<UInt8>, before end: Int) -> Int {
        var i = end
        while i > 0, let scalar = scalar(endingAt: i, in: s), UnicodeProperties.isWhiteSpace(scalar.value) {
            i -= scalar.length
        }
        return i
    }

    /// The end of the run of whitespace that starts at `start` (`^\s*` on the text after it).
    static func whitespaceRunEnd(_ s: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        while i < s.count, let scalar = scalar(startingAt: i, in: s), UnicodeProperties.isWhiteSpace(scalar.value) {
            i += scalar.length
        }
        return i
    }

    static func scalar(startingAt i: Int, in s: UnsafeBufferPointer<UInt8>) -> (value: UInt32, length: Int)? {
        guard i < s.count else { return nil }
        var decoder = Unicode.UTF8.ForwardParser()
        var iterator = s[i...].makeIterator()
        guard case .valid(let encoded) = decoder.parseScalar(from: &iterator) else { return nil }
        return (Unicode.UTF8.decode(encoded).value, encoded.count)
    }

    static func scalar(endingAt end: Int, in s: UnsafeBufferPointer<UInt8>) -> (value: UInt32, length: Int)? {
        guard end > 0 else { return nil }
        var start = end - 1
        while start > 0 && end - start < 4 && s[start] & 0xC0 == 0x80 { start -= 1 }
        guard let scalar = scalar(startingAt: start, in: s), start + scalar.length == end else { return nil }
        return scalar
    }
}

/// A byte trie over token strings for leftmost-longest matching.
struct TokenTrie: Sendable {
    /// Per node: the range of its edges in `edgeBytes` / `edgeTargets` (sorted by byte).
    private var edgeStart: [Int32] = [0]
    private var edgeEnd: [Int32] = [0]
    private var edgeBytes: [UInt8] = []
    private var edgeTargets: [Int32] = []
    /// Per node: the index of the token ending there, or -1.
    private var terminal: [Int32] = [-1]
    private var startsToken = [Bool](repeating: false, count: 256)

    var isEmpty: Bool { edgeBytes.isEmpty }

    init(_ tokens: [([UInt8], Int)]) {
        // Build with per-node dictionaries, then flatten breadth-first into sorted edge arrays.
        var children: [[UInt8: Int]] = [[:]]
        var ends: [Int] = [-1]
        for (bytes, index) in tokens where !bytes.isEmpty {
            var node = 0
            for b in bytes {
                if let next = children[node][b] { node = next } else {
                    children.append([:])
                    ends.append(-1)
                    children[node][b] = children.count - 1
                    node = children.count - 1
                }
            }
            if ends[node] < 0 { ends[node] = index }
            startsToken[Int(bytes[0])] = true
        }
        edgeStart = []
        edgeEnd = []
        terminal = []
        for (node, map) in children.enumerated() {
            edgeStart.append(Int32(edgeBytes.count))
            for (b, target) in map.sorted(by: { $0.key < $1.key }) {
                edgeBytes.append(b)
                edgeTargets.append(Int32(target))
            }
            edgeEnd.append(Int32(edgeBytes.count))
            terminal.append(Int32(ends[node]))
        }
    }

    @inline(__always)
    private func child(_ node: Int, _ byte: UInt8) -> Int? {
        var low = Int(edgeStart[node])
        var high = Int(edgeEnd[node])
        while low < high {
            let mid = (low + high) >> 1
            let b = edgeBytes[mid]
            if b == byte { return Int(edgeTargets[mid]) }
            if b < byte { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    /// The leftmost match at or after `from`, the longest one there.
    func leftmostLongest(in text: UnsafeBufferPointer<UInt8>, from: Int) -> (range: Range<Int>, index: Int)? {
        var i = from
        let n = text.count
        while i < n {
            if startsToken[Int(text[i])] {
                var node = 0
                var j = i
                var best: (end: Int, index: Int)? = nil
                while j < n, let next = child(node, text[j]) {
                    node = next
                    j += 1
                    if terminal[node] >= 0 { best = (j, Int(terminal[node])) }
                }
                if let best { return (i..<best.end, best.index) }
            }
            i += 1
        }
        return nil
    }
}
