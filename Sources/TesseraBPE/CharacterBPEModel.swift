// CharacterBPEModel: Hugging Face's BPE model for vocabularies whose tokens are text rather than raw bytes
// (Llama 2, Mistral, other SentencePiece-converted and classic subword-nmt tokenizers), as implemented by
// tokenizers/src/models/bpe/model.rs (`merge_word`, `tokenize_with_cache`) and word.rs (`merge_all`).
//
// A piece is first cut into characters (Unicode scalars of its UTF-8; a byte that is not valid UTF-8 is a
// character of its own). Each character, with `continuing_subword_prefix` before it unless it is the first
// and `end_of_word_suffix` after it if it is the last, is looked up in the vocabulary. A character that is
// not a token becomes its `<0xNN>` byte tokens when `byte_fallback` is on and all of them exist, else the
// unknown token (runs of unknowns fused into one when `fuse_unk`), else it is dropped. The symbols are then
// merged by the merge list: always the listed pair with the lowest rank, leftmost among equals.
//
// Invariant: the same ids as Hugging Face `tokenizers` for every piece (checked against it by golden tests
// and bench/parity.py); the spans reported per id sum to the piece length.
// Complexity: O(n log n) per piece of n characters (binary heap of candidate merges); pieces of at most 32
// bytes are cached per thread.

/// Hugging Face's BPE over characters: the model behind non-byte-level `tokenizer.json` files.
public struct CharacterBPEModel: Sendable {
    /// The model's settings (tokenizer.json `model` fields).
    public struct Options: Sendable, Equatable {
        /// `unk_token`: the token for a character the vocabulary lacks (nil: such characters are dropped).
        public var unknownToken: String?
        /// `fuse_unk`: consecutive unknown characters become one unknown token.
        public var fuseUnknown: Bool
        /// `byte_fallback`: an unknown character becomes its UTF-8 bytes as `<0xNN>` tokens when they exist.
        public var byteFallback: Bool
        /// `continuing_subword_prefix`: prepended to every character but the first of a piece (e.g. `##`).
        public var continuingSubwordPrefix: String?
        /// `end_of_word_suffix`: appended to the last character of a piece (e.g. `</w>`).
        public var endOfWordSuffix: String?
        /// `ignore_merges`: a piece that is itself a token is emitted without merging.
        public var ignoreMerges: Bool

        public init(unknownToken: String? = nil, fuseUnknown: Bool = false, byteFallback: Bool = false,
                    continuingSubwordPrefix: String? = nil, endOfWordSuffix: String? = nil, ignoreMerges: Bool = false) {
            self.unknownToken = unknownToken
            self.fuseUnknown = fuseUnknown
            self.byteFallback = byteFallback
            self.continuingSubwordPrefix = continuingSubwordPrefix
            self.endOfWordSuffix = endOfWordSuffix
            self.ignoreMerges = ignoreMerges
        }
    }

    /// Token strings (their UTF-8 bytes) ↔ ids.
    public let vocabulary: Vocabulary
    /// The merge list in file order (rank = index; a repeated pair counts at its last position, as in
    /// Hugging Face, whose merge map keeps the last insertion).
    public let merges: [MergePair]
    public let options: Options
    @usableFromInline let pairs: PairMap
    @usableFromInline let unknownID: TokenID
    /// The `<0xNN>` token of each byte (`TokenID.max` where absent); empty without byte fallback.
    @usableFromInline let fallbackIDs: [TokenID]
    @usableFromInline let prefix: [UInt8]
    @usableFromInline let suffix: [UInt8]
    @usableFromInline let serial: UInt64
    /// Characters before which a piece can be cut without changing its ids (nil when none can, or when a
    /// prefix or suffix makes the position of a character in the piece matter).
    let boundaries: Boundaries?

    /// The characters `c` that are single-character tokens and such that every merge whose right side starts with
    /// `c` has a left side that ends with `c` (SentencePiece vocabularies: `▁`). Then, where `c` follows another
    /// character, no merge can ever join the symbol before it with the symbol that starts with it; an unknown run
    /// cannot span it either (it is a token), so the two sides encode independently.
    struct Boundaries: Sendable {
        /// Bit per BMP scalar; astral scalars are never used as boundaries (a conservative choice).
        let bits: [UInt64]

        @inline(__always)
        func contains(_ scalar: UInt32) -> Bool {
            scalar < 0x10000 && bits[Int(scalar >> 6)] & (1 << (scalar & 63)) != 0
        }
    }

    /// - Throws: `BPEError.mergeReferencesUnknownID` / `.mergeResultNotInVocabulary` naming the merge (the
    ///   result of merging `a` and `b` is `a` followed by `b` without its first `continuingSubwordPrefix.count`
    ///   bytes, exactly as Hugging Face computes it), `.missingToken` when `unknownToken` is not a token.
    public init(vocabulary: Vocabulary, merges: [MergePair], options: Options = Options()) throws {
        self.vocabulary = vocabulary
        self.merges = merges
        self.options = options
        prefix = Array((options.continuingSubwordPrefix ?? "").utf8)
        suffix = Array((options.endOfWordSuffix ?? "").utf8)
        if let unk = options.unknownToken {
            guard let id = vocabulary.id(of: Array(unk.utf8)) else { throw BPEError.missingToken(role: "unknown token", text: unk) }
            unknownID = id
        } else {
            unknownID = .max
        }
        if options.byteFallback {
            fallbackIDs = (0..<256).map { b in vocabulary.id(of: Array(Self.byteTokenText(UInt8(b)).utf8)) ?? .max }
        } else {
            fallbackIDs = []
        }
        var packed: [(key: UInt64, value: UInt64)] = []
        packed.reserveCapacity(merges.count)
        var joined: [UInt8] = []
        let dropped = prefix.count
        for (rank, m) in merges.enumerated() {
            guard let l = vocabulary.bytes(of: m.left) else { throw BPEError.mergeReferencesUnknownID(mergeIndex: rank, id: m.left) }
            guard let r = vocabulary.bytes(of: m.right) else { throw BPEError.mergeReferencesUnknownID(mergeIndex: rank, id: m.right) }
            joined.removeAll(keepingCapacity: true)
            joined.append(contentsOf: l)
            joined.append(contentsOf: r.dropFirst(dropped))
            guard let merged = vocabulary.id(of: joined) else {
                throw BPEError.mergeResultNotInVocabulary(mergeIndex: rank, bytes: joined)
            }
            packed.append((UInt64(m.left) << 32 | UInt64(m.right), UInt64(rank) << 32 | UInt64(merged)))
        }
        pairs = PairMap(pairs: packed, laterWins: true)
        serial = modelSerials.add(1, ordering: .relaxed).newValue
        boundaries = prefix.isEmpty && suffix.isEmpty ? Self.boundaries(vocabulary, merges) : nil
    }

    /// See `Boundaries`. One pass over the tokens (first and last character of each) and one over the merges.
    static func boundaries(_ vocabulary: Vocabulary, _ merges: [MergePair]) -> Boundaries? {
        let count = vocabulary.idUpperBound
        var first = [UInt32](repeating: .max, count: count)   // .max: no token, or not text
        var last = [UInt32](repeating: .max, count: count)
        var bits = [UInt64](repeating: 0, count: 1024)
        for id in 0..<count {
            guard let bytes = vocabulary.bytes(of: TokenID(id)) else { continue }
            bytes.withUnsafeBufferPointer { b in
                var i = 0
                var n = 0
                while i < b.count {
                    let length = characterLength(b, at: i)
                    guard length > 1 || b[i] < 0x80 else { first[id] = .max; last[id] = .max; return }
                    let s = scalar(b, at: i, length: length)
                    if i == 0 { first[id] = s }
                    last[id] = s
                    n += 1
                    i += length
                }
                let s = first[id]
                if n == 1 && s < 0x10000 { bits[Int(s >> 6)] |= 1 << (s & 63) }
            }
        }
        for m in merges {
            let f = first[Int(m.right)]
            // A right side that is not text has no first character to reason about: no boundaries at all.
            guard f != .max else { return nil }
            if f < 0x10000 && last[Int(m.left)] != f { bits[Int(f >> 6)] &= ~(1 << (f & 63)) }
        }
        return bits.contains { $0 != 0 } ? Boundaries(bits: bits) : nil
    }

    /// The byte-fallback token text of `byte`: `<0x41>` (two uppercase hex digits, Rust's `{:#04X}`).
    public static func byteTokenText(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "<0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)]) + ">"
    }

    /// The byte a `<0xNN>` token stands for, or nil when `text` is not one. This is Hugging Face's
    /// ByteFallback decoder test: six bytes, `<0x`, then what Rust's `u8::from_str_radix(_, 16)` accepts
    /// (two hex digits in either case, or `+` and one digit), then `>`.
    public static func byteOfTokenText<C: Collection<UInt8>>(_ text: C) -> UInt8? {
        guard text.count == 6 else { return nil }
        let t = Array(text)
        guard t[0] == UInt8(ascii: "<"), t[1] == UInt8(ascii: "0"), t[2] == UInt8(ascii: "x"), t[5] == UInt8(ascii: ">"),
              let lo = hexValue(t[4]) else { return nil }
        if t[3] == UInt8(ascii: "+") { return lo }
        guard let hi = hexValue(t[3]) else { return nil }
        return hi << 4 | lo
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
