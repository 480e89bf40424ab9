// PrecompiledCharsMap: the compiled character-rewrite rules of a NormalizerSpec (normalizer.cc,
// Normalizer::DecodePrecompiledCharsMap and NormalizePrefix). Trained models carry one: `nmt_nfkc` (the
// trainer's default: NFKC plus NMT clean-ups such as mapping control characters), `nfkc`, `nmt_nfkc_cf`…
//
// Blob layout: `u32 trie_size (little-endian)`, then `trie_size` bytes of darts-clone double array, then the
// replacement strings, each terminated by a NUL byte. The trie maps a source byte string to the offset of its
// replacement in the string area. At each position the normalizer takes the longest source that matches
// (among the first 32 matches, as sentencepiece does) and emits its replacement; without a match it copies one
// well-formed UTF-8 character, or emits U+FFFD for one byte that does not start a well-formed character.
//
// Invariant: lookups never read outside the blob: a replacement offset past the string area reads as an empty
// replacement and a string without its NUL ends at the blob's end (sentencepiece would read past the buffer).
// Complexity: O(n × longest rule) for n input bytes; bytes that start no rule cost one table lookup.

/// Compiled normalization rules.
final class PrecompiledCharsMap: @unchecked Sendable {
    private let units: UnsafeMutablePointer<UInt32>
    private let unitCount: Int
    private let strings: UnsafeMutablePointer<UInt8>
    private let stringsCount: Int
    let trie: DartsCloneTrie
    /// Whether some rule starts with byte b; a byte that starts none maps to itself without a trie walk.
    let startsRule: [Bool]
    /// sentencepiece's kMaxTrieResultsSize.
    static let maxResults = 32

    /// Parses a `precompiled_charsmap` blob.
    /// - Throws: `.badLength` when the blob is too short or the trie size exceeds it.
    init(_ blob: [UInt8]) throws {
        guard blob.count > 4 else {
            throw SentencePieceError(.badLength, field: "normalizer_spec.precompiled_charsmap",
                                     "the blob has \(blob.count) bytes, too short to hold the trie size",
                                     fix: "the model is corrupt; re-export it")
        }
        let trieBytes = Int(UInt32(blob[0]) | UInt32(blob[1]) << 8 | UInt32(blob[2]) << 16 | UInt32(blob[3]) << 24)
        guard trieBytes <= blob.count - 4 else {
            throw SentencePieceError(.badLength, field: "normalizer_spec.precompiled_charsmap",
                                     "the trie claims \(trieBytes) bytes but the blob holds only \(blob.count - 4) after its size",
                                     fix: "the model is corrupt; re-export it")
        }
        unitCount = trieBytes / 4
        units = .allocate(capacity: max(unitCount, 1))
        for i in 0..<unitCount {
            let o = 4 + 4 * i
            units[i] = UInt32(blob[o]) | UInt32(blob[o + 1]) << 8 | UInt32(blob[o + 2]) << 16 | UInt32(blob[o + 3]) << 24
        }
        let stringsCount = blob.count - 4 - trieBytes
        let strings = UnsafeMutablePointer<UInt8>.allocate(capacity: max(stringsCount, 1))
        blob.withUnsafeBufferPointer { strings.initialize(from: $0.baseAddress! + 4 + trieBytes, count: stringsCount) }
        self.stringsCount = stringsCount
        self.strings = strings
        trie = DartsCloneTrie(units: units, count: unitCount)
        var starts = [Bool](repeating: false, count: 256)
        for b in 0..<256 { starts[b] = trie.rootHasTransition(UInt8(b)) }
        startsRule = starts
        // For ASCII bytes that start rules: whether the byte alone is a rule, and which bytes may follow it on
        // the way to a longer rule. NFKC's composition rules start with ASCII letters ("a" + U+0301 → "á"), so
        // without this every letter would walk the trie.
        var single = [Bool](repeating: false, count: 128)
        var next = [UInt64](repeating: 0, count: 128 * 4)
        let walker = trie
        for b in 0..<128 where starts[b] {
            let bytes: [UInt8] = [UInt8(b)]
            single[b] = bytes.withUnsafeBufferPointer { walker.longestPrefix($0.baseAddress!, from: 0, to: 1, maxResults: 1) } != nil
            for d in 0..<256 where walker.hasPath(UInt8(b), UInt8(d)) { next[b * 4 + d >> 6] |= 1 << UInt64(d & 63) }
        }
        asciiIsRule = single
        asciiContinuations = next
    }

    /// For b < 0x80: whether the one-byte string b is a rule.
    let asciiIsRule: [Bool]
    /// For b < 0x80: bit d of word (b × 4 + d / 64) is set when some rule starts with the two bytes b, d.
    let asciiContinuations: [UInt64]

    /// Whether ASCII byte `b`, followed by `next` (nil at the end), certainly normalizes to itself: no rule is b
    /// alone and none starts with b, next.
    @inline(__always)
    func asciiMapsToItself(_ b: UInt8, followedBy next: UInt8?) -> Bool {
        let i = Int(b)
        if !startsRule[i] { return true }
        if asciiIsRule[i] { return false }
        guard let d = next else { return true }
        return asciiContinuations[i &* 4 &+ Int(d >> 6)] >> UInt64(d & 63) & 1 == 0
    }

    deinit {
        units.deallocate()
        strings.deallocate()
    }

    /// The rule that applies at `text[start]`: how many input bytes it consumes and its replacement (a pointer
    /// into the string area, valid while this map lives), or nil when no rule matches.
    @inline(__always)
    /// `maxResults` 1 gives the shortest rule (Hugging Face's lookup); the default, sentencepiece's.
    func match(_ text: UnsafePointer<UInt8>, from start: Int, to end: Int, maxResults: Int = PrecompiledCharsMap.maxResults)
        -> (consumed: Int, replacement: UnsafePointer<UInt8>, length: Int)? {
        guard startsRule[Int(text[start])],
              let (length, value) = trie.longestPrefix(text, from: start, to: end, maxResults: maxResults)
        else { return nil }
        let offset = Int(value)
        guard offset < stringsCount else { return (length, UnsafePointer(strings), 0) }
        var e = offset
        while e < stringsCount && strings[e] != 0 { e += 1 }
        return (length, UnsafePointer(strings + offset), e - offset)
    }
}
