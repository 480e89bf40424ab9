// PrecompiledNormalizer: a SentencePiece charsmap applied the way Hugging Face `tokenizers` applies its
// `Precompiled` normalizer (normalizers/precompiled.rs over the spm_precompiled crate), which is not the way
// sentencepiece applies it (SentencePieceNormalizer: longest match at every byte position):
//
// - the text is cut into extended grapheme clusters;
// - a cluster shorter than 6 bytes is looked up whole: when some rule's source is a prefix of it, the replacement
//   of the *shortest* such rule stands for the whole cluster (the rest of the cluster is dropped, as tokenizers
//   does: a halfwidth katakana with its voiced mark becomes the base kana when only the base has a shorter rule);
// - otherwise (no rule, or 6 bytes and more) each character is looked up the same way, and a character without a
//   rule is kept.
//
// Clusters come from Swift's `Character` (the standard library's Unicode grapheme rules); tokenizers uses the
// unicode-segmentation crate. Both implement UAX #29 extended clusters; they can differ only where their Unicode
// versions do, and only for clusters that some rule covers.
//
// Invariant: text that holds no byte starting a rule is returned unchanged, and output is valid UTF-8 whenever
// the input is (the replacement area is checked to be UTF-8 at load, as tokenizers checks it).
// Complexity: O(n × longest rule) for n bytes.

import TesseraUnicode

/// Hugging Face's `Precompiled` normalizer over a SentencePiece `precompiled_charsmap`.
public final class PrecompiledNormalizer: @unchecked Sendable {
    /// The charsmap blob as stored (for writing the normalizer back).
    public let charsmap: [UInt8]
    let map: PrecompiledCharsMap

    /// - Throws: `SentencePieceError` when the blob is malformed or its replacement strings are not UTF-8.
    public init(charsmap: [UInt8]) throws {
        self.charsmap = charsmap
        map = try PrecompiledCharsMap(charsmap)
        let trieBytes = Int(UInt32(charsmap[0]) | UInt32(charsmap[1]) << 8 | UInt32(charsmap[2]) << 16 | UInt32(charsmap[3]) << 24)
        if String(validating: charsmap[(4 + trieBytes)...], as: UTF8.self) == nil {
            throw SentencePieceError(.invalidUTF8, field: "precompiled_charsmap",
                                     "the replacement strings of the charsmap are not valid UTF-8",
                                     fix: "the charsmap is corrupt; convert the SentencePiece model again")
        }
    }

    /// The replacement of the shortest rule whose source is a prefix of `chunk`, or nil.
    @inline(__always)
    func transform(_ chunk: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard let base = chunk.baseAddress, !chunk.isEmpty, map.startsRule[Int(chunk[0])],
              let (_, replacement, replacementLength) = map.match(base, from: 0, to: chunk.count, maxResults: 1)
        else { return nil }
        return UnsafeBufferPointer(start: replacement, count: replacementLength)
    }

    /// Normalizes `text`.
    /// - Throws: `UnicodeError.invalidUTF8` when `text` is not UTF-8 (tokenizers only ever sees valid text).
    public func normalize(_ text: [UInt8]) throws -> [UInt8] {
        guard let string = String(validating: text, as: UTF8.self) else {
            throw UnicodeError.invalidUTF8(byteOffset: text.withUnsafeBufferPointer { t in
                var i = 0
                while i < t.count, case let n = UTF8Char.wellFormedLength(t, at: i), n > 0 { i += n }
                return i
            })
        }
        if !text.contains(where: { map.startsRule[Int($0)] }) { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.count + text.count / 8)
        var cluster: [UInt8] = []
        for character in string {
            cluster.removeAll(keepingCapacity: true)
            cluster.append(contentsOf: character.utf8)
            let whole: Bool = cluster.withUnsafeBufferPointer { c in
                guard c.count < 6, let r = transform(c) else { return false }
                out.append(contentsOf: r)
                return true
            }
            if whole { continue }
            cluster.withUnsafeBufferPointer { c in
                var i = 0
                while i < c.count {
                    let n = UTF8Char.oneCharLength(c[i])
                    let scalar = UnsafeBufferPointer(rebasing: c[i..<min(c.count, i + n)])
                    if let r = transform(scalar) { out.append(contentsOf: r) } else { out.append(contentsOf: scalar) }
                    i += n
                }
            }
        }
        return out
    }
}
