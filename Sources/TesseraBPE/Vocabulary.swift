// A bytes-first vocabulary: every token is a non-empty byte string with a unique 32-bit id.
//
// Invariant: ids are unique, token bytes are unique, no token is empty. Ids may have holes
// (cl100k_base has none below 100,256, but HF vocabularies sometimes do); a hole decodes as an error.
// Complexity: build O(total token bytes); `id(of:)` O(token length) expected; `bytes(of:)` O(1).

/// A token identifier. 32 bits cover every vocabulary in use (the largest are ~260k tokens).
public typealias TokenID = UInt32

/// Token bytes ↔ ids.
public struct Vocabulary: Sendable {
    @usableFromInline let map: ByteSequenceMap
    /// Byte range of each id inside `map.arena`, or (0, 0) for a hole.
    @usableFromInline let spanOfID: [UInt64]
    /// The id of each single-byte token, `TokenID.max` where the vocabulary has none.
    public let idOfByte: [TokenID]

    /// Number of tokens.
    public var count: Int { map.count }
    /// One more than the largest id.
    public var idUpperBound: Int { spanOfID.count }

    /// Builds a vocabulary from `(bytes, id)` entries in any order.
    /// - Throws: `BPEError` for an empty token, a repeated id or repeated bytes.
    /// Ids index dense tables (id → bytes, id → rank), so they must be below this bound (2^24 = 16,777,216;
    /// the largest published vocabularies have about 2^18 tokens, and tiktoken's ranks share the limit).
    public static let idLimit = 1 << 24

    public init(entries: [(bytes: [UInt8], id: TokenID)]) throws {
        var maxID = -1
        for e in entries {
            if e.bytes.isEmpty { throw BPEError.emptyToken(id: e.id) }
            if Int(e.id) >= Self.idLimit { throw BPEError.idOutOfRange(e.id) }
            maxID = max(maxID, Int(e.id))
        }
        var entryOfID = [Int32](repeating: -1, count: maxID + 1)
        for (i, e) in entries.enumerated() {
            if entryOfID[Int(e.id)] >= 0 { throw BPEError.duplicateTokenID(e.id) }
            entryOfID[Int(e.id)] = Int32(i)
        }
        // Store keys in id order so that the arena doubles as the id → bytes table.
        var keys: [ArraySlice<UInt8>] = []
        var values: [TokenID] = []
        keys.reserveCapacity(entries.count)
        values.reserveCapacity(entries.count)
        for id in 0..<entryOfID.count where entryOfID[id] >= 0 {
            keys.append(entries[Int(entryOfID[id])].bytes[...])
            values.append(TokenID(id))
        }
        try self.init(keysInIDOrder: keys, ids: values, idUpperBound: maxID + 1)
    }

    /// Builds a vocabulary whose ids are `0..<tokens.count` (the `.tiktoken` and minbpe layout).
    public init(tokens: [[UInt8]]) throws {
        for (i, t) in tokens.enumerated() where t.isEmpty { throw BPEError.emptyToken(id: TokenID(i)) }
        try self.init(keysInIDOrder: tokens.map { $0[...] }, ids: (0..<tokens.count).map { TokenID($0) },
                      idUpperBound: tokens.count)
    }

    /// Builds a vocabulary with ids `0..<ends.count` from token bytes stored back to back: token i is
    /// `packed[ends[i-1]..<ends[i]]` (from 0 for token 0). The fast path for `.tiktoken` files: no
    /// per-token allocation.
    public init(packed: [UInt8], ends: [UInt32]) throws {
        var previous: UInt32 = 0
        for (i, end) in ends.enumerated() {
            if end <= previous { throw BPEError.emptyToken(id: TokenID(i)) }
            previous = end
        }
        let ids = (0..<ends.count).map { TokenID($0) }
        try self.init(map: ByteSequenceMap.build(packed: packed, ends: ends, values: ids), ids: ids, idUpperBound: ends.count)
    }

    /// Builds a vocabulary from token bytes stored back to back (token k is `packed[ends[k-1]..<ends[k]]`,
    /// from 0 for k = 0) with explicit ids, which may leave holes (SentencePiece models whose control symbols
    /// are special tokens). No per-token allocation.
    /// - Throws: `BPEError` for an empty token, a repeated id or repeated bytes.
    public init(packed: [UInt8], ends: [UInt32], ids: [TokenID]) throws {
        precondition(ends.count == ids.count, "one id per token")
        var previous: UInt32 = 0
        var maxID = -1
        for (k, end) in ends.enumerated() {
            if end <= previous { throw BPEError.emptyToken(id: ids[k]) }
            previous = end
            maxID = max(maxID, Int(ids[k]))
        }
        var seen = [Bool](repeating: false, count: maxID + 1)
        for id in ids {
            if seen[Int(id)] { throw BPEError.duplicateTokenID(id) }
            seen[Int(id)] = true
        }
        try self.init(map: ByteSequenceMap.build(packed: packed, ends: ends, values: ids), ids: ids, idUpperBound: maxID + 1)
    }

    private init(keysInIDOrder keys: [ArraySlice<UInt8>], ids: [TokenID], idUpperBound: Int) throws {
        try self.init(map: ByteSequenceMap.build(keys: keys, values: ids), ids: ids, idUpperBound: idUpperBound)
    }

    /// `ids[i]` is the id of key i.
    private init(map built: Result<ByteSequenceMap, ByteSequenceMap.DuplicateKey>, ids: [TokenID], idUpperBound: Int) throws {
        switch built {
        case .failure(let dup):
            throw BPEError.duplicateTokenBytes(firstID: ids[dup.firstIndex], secondID: ids[dup.secondIndex],
                                               bytes: dup.secondKey)
        case .success(let map):
            self.map = map
        }
        var spans = [UInt64](repeating: 0, count: idUpperBound)
        var byteIDs = [TokenID](repeating: .max, count: 256)
        for (i, id) in ids.enumerated() {
            let start = UInt64(map.keyStarts[i]), end = UInt64(map.keyStarts[i + 1])
            spans[Int(id)] = (start << 32) | end
            if end - start == 1 { byteIDs[Int(map.arena[Int(start)])] = id }
        }
        self.spanOfID = spans
        self.idOfByte = byteIDs
    }

    /// The id of the token with exactly these bytes.
    @inlinable
    public func id(of bytes: UnsafeBufferPointer<UInt8>) -> TokenID? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        let value = withExtendedLifetime(map) { map.view.value(base, bytes.count) }
        return value == .max ? nil : value
    }

    /// A lookup by bytes for hot loops: raw pointers into the table, no reference counting per call.
    /// Valid only inside `withLookup`.
    public struct Lookup {
        @usableFromInline let view: ByteSequenceMap.View
        @usableFromInline init(view: ByteSequenceMap.View) { self.view = view }

        /// The id of the `length` bytes at `key` (length > 0), or nil.
        @inlinable @inline(__always)
        public func id(_ key: UnsafePointer<UInt8>, _ length: Int) -> TokenID? {
            let value = view.value(key, length)
            return value == .max ? nil : value
        }
    }

    /// Runs `body` with a `Lookup` of this vocabulary.
    @inlinable
    public func withLookup<R>(_ body: (Lookup) throws -> R) rethrows -> R {
        try withExtendedLifetime(map) { try body(Lookup(view: map.view)) }
    }

    /// The id of the token with exactly these bytes.
    public func id(of bytes: [UInt8]) -> TokenID? {
        bytes.withUnsafeBufferPointer { id(of: $0) }
    }

    /// Whether `id` names a token.
    @inlinable
    public func contains(_ id: TokenID) -> Bool {
        Int(id) < spanOfID.count && spanOfID[Int(id)] != 0
    }

    /// The bytes of token `id`, or `nil` for an id outside the vocabulary.
    public func bytes(of id: TokenID) -> [UInt8]? {
        guard contains(id) else { return nil }
        let span = spanOfID[Int(id)]
        return withExtendedLifetime(map) {
            Array(UnsafeBufferPointer(start: map.arena + Int(span >> 32), count: Int(span & 0xffff_ffff) - Int(span >> 32)))
        }
    }

    /// Appends the bytes of `id` to `out`; returns false (appending nothing) for an unknown id.
    @inlinable
    public func appendBytes(of id: TokenID, to out: inout [UInt8]) -> Bool {
        guard Int(id) < spanOfID.count else { return false }
        let span = spanOfID[Int(id)]
        if span == 0 { return false }
        withExtendedLifetime(map) {
            out.append(contentsOf: UnsafeBufferPointer(start: map.arena + Int(span >> 32),
                                                       count: Int(span & 0xffff_ffff) - Int(span >> 32)))
        }
        return true
    }

    /// Byte length of token `id` (0 for an unknown id).
    @inlinable @inline(__always)
    public func byteCount(of id: TokenID) -> Int {
        guard Int(id) < spanOfID.count else { return 0 }
        let span = spanOfID[Int(id)]
        return Int(span & 0xffff_ffff) - Int(span >> 32)
    }

    /// All `(bytes, id)` entries in id order.
    public var entries: [(bytes: [UInt8], id: TokenID)] {
        (0..<spanOfID.count).compactMap { i in bytes(of: TokenID(i)).map { (Array($0), TokenID(i)) } }
    }
}
