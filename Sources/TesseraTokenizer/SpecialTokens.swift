// Special tokens (`<|endoftext|>` and friends): strings that encode to one reserved id, outside BPE.
//
// Matching is leftmost-longest over all special strings, found by scanning for the bytes that can
// start one (a 256-entry table), so text without those bytes costs one table lookup per byte.
// Complexity: O(n + k·L) where k is the number of candidate start bytes seen and L the longest special.

import TesseraBPE

/// What to do when the text contains a special token's string.
public enum SpecialTokenPolicy: Sendable, Equatable {
    /// Throw `TokenizerError.disallowedSpecialToken` (tiktoken's default; the safe choice for untrusted text).
    case raise
    /// Encode each occurrence as its special id (Hugging Face's behaviour for added special tokens).
    case allow
    /// Ignore special tokens: their text is encoded like any other text.
    case asText
}

/// The special tokens of a tokenizer.
public struct SpecialTokens: Sendable {
    /// `(bytes, id)` in id order.
    public let entries: [(bytes: [UInt8], id: TokenID)]
    private let startsSpecial: [Bool]
    private let byFirstByte: [[Int]]   // indices into entries, longest first
    private let bytesByID: [TokenID: [UInt8]]

    public static let none = SpecialTokens(validated: [])

    /// - Throws: `TokenizerError.conflictingSpecialToken` when two specials share an id or an id is
    ///   already an ordinary token of `vocabulary`.
    public init(_ entries: [(text: String, id: TokenID)], vocabulary: Vocabulary) throws {
        var seen = Set<TokenID>()
        for e in entries {
            if Int(e.id) >= Vocabulary.idLimit { throw BPEError.idOutOfRange(e.id) }
            if vocabulary.contains(e.id) || !seen.insert(e.id).inserted {
                throw TokenizerError.conflictingSpecialToken(text: e.text, id: e.id)
            }
        }
        self.init(validated: entries.map { (Array($0.text.utf8), $0.id) })
    }

    private init(validated: [(bytes: [UInt8], id: TokenID)]) {
        let sorted = validated.filter { !$0.bytes.isEmpty }.sorted { $0.id < $1.id }
        entries = sorted
        var starts = [Bool](repeating: false, count: 256)
        var groups = [[Int]](repeating: [], count: 256)
        for (i, e) in sorted.enumerated() {
            starts[Int(e.bytes[0])] = true
            groups[Int(e.bytes[0])].append(i)
        }
        for b in 0..<256 { groups[b].sort { sorted[$0].bytes.count > sorted[$1].bytes.count } }
        startsSpecial = starts
        byFirstByte = groups
        bytesByID = Dictionary(sorted.map { ($0.id, $0.bytes) }, uniquingKeysWith: { a, _ in a })
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The bytes of special token `id`, if it is one.
    public func bytes(of id: TokenID) -> [UInt8]? { bytesByID[id] }

    /// The id of the special token whose text is exactly `text`.
    public func id(of text: String) -> TokenID? {
        let b = Array(text.utf8)
        return entries.first { $0.bytes == b }?.id
    }

    /// The first special token occurring in `text[from...]`: its byte range and id.
    public func firstMatch(in text: UnsafeBufferPointer<UInt8>, from: Int) -> (range: Range<Int>, id: TokenID)? {
        if entries.isEmpty { return nil }
        var i = from
        let n = text.count
        while i < n {
            let b = Int(text[i])
            if startsSpecial[b] {
                for e in byFirstByte[b] {
                    let candidate = entries[e].bytes
                    if candidate.count <= n - i {
                        var equal = true
                        for k in 1..<candidate.count where text[i + k] != candidate[k] { equal = false; break }
                        if equal { return (i..<(i + candidate.count), entries[e].id) }
                    }
                }
            }
            i += 1
        }
        return nil
    }
}
