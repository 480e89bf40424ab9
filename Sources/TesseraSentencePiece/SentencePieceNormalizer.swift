// SentencePieceNormalizer: SentencePiece's text normalization (normalizer.cc, Normalizer::Normalize), the step
// before segmentation. In order:
//
//  1. Character rewriting, prefix by prefix (NormalizePrefix): a user-defined symbol at the position is copied
//     unchanged (the model's PrefixMatcher: longest match); otherwise the longest rule of the precompiled
//     charsmap applies; otherwise one well-formed UTF-8 character is copied; otherwise one byte becomes U+FFFD.
//  2. remove_extra_whitespaces: prefixes that normalize to exactly " " are skipped at the start; within the
//     text, spaces at the start of a prefix's output are dropped while the previous output ended with a space;
//     at the end, trailing whitespace symbols are removed (`▁` when escaping, else " "; this also removes `▁`
//     characters that were in the input, exactly as sentencepiece does).
//  3. add_dummy_prefix: one whitespace symbol before the text (after it when treat_whitespace_as_suffix).
//  4. escape_whitespaces: every " " in the output becomes `▁` (U+2581, E2 96 81).
//
// Text that is empty, or whitespace only under remove_extra_whitespaces, normalizes to nothing (no dummy prefix).
//
// Invariant: the output is well-formed UTF-8 whenever the charsmap's replacements and the user-defined symbols
// are (invalid input bytes become U+FFFD one byte at a time). Complexity: O(n) plus the charsmap's prefix walks.

import TesseraTokenizer

/// SentencePiece's normalizer, as a pipeline stage.
public struct SentencePieceNormalizer: TextNormalizing, Sendable {
    let charsMap: PrecompiledCharsMap?
    let userDefined: ByteTrie?
    public let addDummyPrefix: Bool
    public let removeExtraWhitespaces: Bool
    public let escapeWhitespaces: Bool
    public let treatWhitespaceAsSuffix: Bool
    /// The spec's name (`nmt_nfkc`, `identity`…), for `summary`.
    public let name: String

    /// A normalizer for `spec`; `userDefinedSymbols` are protected from rewriting (pass the model's).
    /// - Throws: `SentencePieceError` for a malformed charsmap.
    public init(spec: NormalizerSpec, treatWhitespaceAsSuffix: Bool = false, userDefinedSymbols: [String] = []) throws {
        let blob = spec.precompiledCharsmap
        try self.init(charsMap: blob.isEmpty ? nil : PrecompiledCharsMap(blob),
                      userDefined: userDefinedSymbols.isEmpty ? nil
                        : ByteTrie(userDefinedSymbols.enumerated().map { (Array($1.utf8)[...], Int32($0)) }),
                      spec: spec, treatWhitespaceAsSuffix: treatWhitespaceAsSuffix)
    }

    init(charsMap: PrecompiledCharsMap?, userDefined: ByteTrie?, spec: NormalizerSpec, treatWhitespaceAsSuffix: Bool) throws {
        self.charsMap = charsMap
        self.userDefined = userDefined
        addDummyPrefix = spec.addDummyPrefix
        removeExtraWhitespaces = spec.removeExtraWhitespaces
        escapeWhitespaces = spec.escapeWhitespaces
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        name = spec.name ?? (charsMap == nil ? "identity" : "custom")
    }

    public var summary: String {
        var parts = ["SentencePiece \(name)" + (charsMap == nil ? " (no character rules)" : " (precompiled charsmap)")]
        if removeExtraWhitespaces { parts.append("remove extra whitespace") }
        if addDummyPrefix { parts.append(treatWhitespaceAsSuffix ? "dummy suffix ▁" : "dummy prefix ▁") }
        if escapeWhitespaces { parts.append("space → ▁") }
        return parts.joined(separator: ", ")
    }

    public func normalizedBytes(_ text: [UInt8]) -> [UInt8] {
        text.withUnsafeBufferPointer { normalize($0) }
    }

    /// The normalized form of `input`.
    /// - Complexity: O(n) plus charsmap walks.
    public func normalize(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard let p = input.baseAddress, !input.isEmpty else { return [] }
        let n = input.count
        var pos = 0
        if removeExtraWhitespaces {
            while pos < n {
                let (consumed, out, length) = prefix(p, pos, n)
                if length != 1 || out[0] != 0x20 { break }
                pos += consumed
            }
        }
        if pos == n { return [] }
        var result: [UInt8] = []
        result.reserveCapacity(n + n / 4 + 8)
        if !treatWhitespaceAsSuffix && addDummyPrefix { appendSpace(&result) }
        var previousEndsWithSpace = removeExtraWhitespaces
        while pos < n {
            let (consumed, out, length) = prefix(p, pos, n)
            var k = 0
            if previousEndsWithSpace { while k < length && out[k] == 0x20 { k += 1 } }
            if k < length {
                if escapeWhitespaces {
                    for j in k..<length {
                        if out[j] == 0x20 { result.append(0xE2); result.append(0x96); result.append(0x81) }
                        else { result.append(out[j]) }
                    }
                } else {
                    result.append(contentsOf: UnsafeBufferPointer(start: out + k, count: length - k))
                }
                previousEndsWithSpace = out[length - 1] == 0x20
            }
            pos += consumed
            if !removeExtraWhitespaces { previousEndsWithSpace = false }
        }
        if removeExtraWhitespaces {
            if escapeWhitespaces {
                while result.count >= 3 && result[result.count - 3] == 0xE2 && result[result.count - 2] == 0x96
                        && result[result.count - 1] == 0x81 {
                    result.removeLast(3)
                }
            } else {
                while result.last == 0x20 { result.removeLast() }
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix { appendSpace(&result) }
        return result
    }

    @inline(__always)
    private func appendSpace(_ out: inout [UInt8]) {
        if escapeWhitespaces { out.append(0xE2); out.append(0x96); out.append(0x81) } else { out.append(0x20) }
    }

    /// NormalizePrefix: the bytes consumed at `pos` and what they normalize to (a pointer valid while `input`,
    /// the charsmap and the static replacement character live).
    @inline(__always)
    func prefix(_ p: UnsafePointer<UInt8>, _ pos: Int, _ n: Int) -> (consumed: Int, out: UnsafePointer<UInt8>, length: Int) {
        if let userDefined, userDefined.startsKey[Int(p[pos])] {
            // PrefixMatcher collects at most 64 matches (kResultSize).
            let length = userDefined.longestPrefix(p, from: pos, to: n, maxResults: 64)
            if length > 0 { return (length, p + pos, length) }
        }
        if let charsMap, let m = charsMap.match(p, from: pos, to: n) { return (m.consumed, m.replacement, m.length) }
        if p[pos] < 0x80 { return (1, p + pos, 1) }
        let length = UTF8Char.wellFormedLength(UnsafeBufferPointer(start: p, count: n), at: pos)
        if length == 0 { return (1, replacementCharacter, 3) }
        return (length, p + pos, length)
    }
}

/// U+FFFD in UTF-8, for bytes that do not start a well-formed character.
nonisolated(unsafe) private let replacementCharacterStorage: UnsafeMutablePointer<UInt8> = {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 3)
    p[0] = 0xEF; p[1] = 0xBF; p[2] = 0xBD
    return p
}()
private var replacementCharacter: UnsafePointer<UInt8> { UnsafePointer(replacementCharacterStorage) }
