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
                        : ByteTrie(userDefinedSymbols.enumerated().filter { !$1.isEmpty }.map { (Array($1.utf8)[...], Int32($0)) }),
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
        var mask: (UInt64, UInt64) = (0, 0)
        for b in 0..<128 where !(userDefined?.startsKey[b] ?? false) && !(charsMap?.startsRule[b] ?? false) {
            if b < 64 { mask.0 |= 1 << UInt64(b) } else { mask.1 |= 1 << UInt64(b - 64) }
        }
        passThrough = mask
    }

    /// Bytes below 0x80 that start no charsmap rule and no user-defined symbol (they normalize to themselves),
    /// as a 128-bit mask.
    let passThrough: (UInt64, UInt64)


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
        var w = ByteWriter(capacity: n + n / 2 + 16)
        defer { w.deallocate() }
        let space: (UInt8, UInt8, UInt8, Int) = escapeWhitespaces ? (0xE2, 0x96, 0x81, 3) : (0x20, 0, 0, 1)
        if !treatWhitespaceAsSuffix && addDummyPrefix { w.appendSpace(space) }
        var previousEndsWithSpace = removeExtraWhitespaces
        let low = passThrough.0, high = passThrough.1
        let charsMap = self.charsMap
        let userStarts = userDefined?.startsKey
        // Whether the ASCII byte at i certainly normalizes to itself: no rule or user-defined symbol can match here.
        @inline(__always) func passes(_ i: Int) -> Bool {
            let b = p[i]
            if b < 64 ? (low >> UInt64(b)) & 1 != 0 : b < 128 && (high >> UInt64(b & 63)) & 1 != 0 { return true }
            guard b < 128, let charsMap, !(userStarts?[Int(b)] ?? false) else { return false }
            return charsMap.asciiMapsToItself(b, followedBy: i + 1 < n ? p[i + 1] : nil)
        }
        while pos < n {
            let b = p[pos]
            if passes(pos) {
                // ASCII bytes no rule or user-defined symbol starts with are their own normalization.
                if b == 0x20 {
                    if !previousEndsWithSpace { w.appendSpace(space) }
                    previousEndsWithSpace = removeExtraWhitespaces
                    pos &+= 1
                    continue
                }
                var end = pos &+ 1
                while end < n && p[end] != 0x20 && passes(end) { end &+= 1 }
                w.append(p + pos, end - pos)
                previousEndsWithSpace = false
                pos = end
                continue
            }
            let (consumed, out, length) = prefix(p, pos, n)
            var k = 0
            if previousEndsWithSpace { while k < length && out[k] == 0x20 { k += 1 } }
            if k < length {
                w.reserve(3 * (length - k))
                for j in k..<length {
                    if out[j] == 0x20 { w.appendSpace(space) } else { w.appendUnchecked(out[j]) }
                }
                previousEndsWithSpace = out[length - 1] == 0x20
            }
            pos += consumed
            if !removeExtraWhitespaces { previousEndsWithSpace = false }
        }
        if removeExtraWhitespaces { w.removeTrailingSpaces(space) }
        if treatWhitespaceAsSuffix && addDummyPrefix { w.appendSpace(space) }
        return w.array()
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

/// A growable byte buffer written through a raw pointer: appends without Array's per-call uniqueness and
/// capacity checks (the callers reserve before a run of `appendUnchecked`).
struct ByteWriter {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func deallocate() { base.deallocate() }

    /// Room for `extra` more bytes.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = c
    }

    @inline(__always)
    mutating func appendUnchecked(_ b: UInt8) {
        base[count] = b
        count &+= 1
    }

    /// `n` bytes from `p`.
    @inline(__always)
    mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        reserve(n)
        (base + count).update(from: p, count: n)
        count &+= n
    }

    /// The whitespace symbol (`▁` or " "), reserving room itself.
    @inline(__always)
    mutating func appendSpace(_ space: (UInt8, UInt8, UInt8, Int)) {
        reserve(3)
        base[count] = space.0
        if space.3 == 3 {
            base[count + 1] = space.1
            base[count + 2] = space.2
        }
        count &+= space.3
    }

    /// Drops whitespace symbols at the end.
    mutating func removeTrailingSpaces(_ space: (UInt8, UInt8, UInt8, Int)) {
        if space.3 == 3 {
            while count >= 3 && base[count - 3] == space.0 && base[count - 2] == space.1 && base[count - 1] == space.2 { count -= 3 }
        } else {
            while count >= 1 && base[count - 1] == space.0 { count -= 1 }
        }
    }

    /// The bytes written, as an array.
    func array() -> [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
