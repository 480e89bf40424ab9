// Batched, software-pipelined encoding of a stream of pre-token pieces.
//
// Why batches: the scanner used to hand each piece to a closure that prepared it and encoded an older
// one. That closure was too large to inline into the scanner's loop, so every piece paid a call with a
// large stack frame and spilled registers. Now the scanner only appends each piece's bounds to a
// `PieceBatch` (two stores, inlined), and a full batch is encoded by one loop whose common cases (a
// single byte, a hot-level hit) are inline and whose other cases are one call (`encodeUncommon`).
// Why a pipeline inside the loop: almost every piece starts with a lookup in a table far larger than
// L1/L2 (the per-thread hot cache, 4 MiB; the vocabulary's slots, 4–8 MB). Piece k + distance is hashed
// and its first table line prefetched before piece k is encoded, so the misses of consecutive pieces
// overlap instead of being paid one after another.
// Invariant: pieces are encoded in the order they were added, each exactly as `Encoder.encode(_:_:into:)` would, so
// the ids are identical to the unbatched loop (a differential test checks this).
// Complexity: O(1) extra per piece; `capacity` piece bounds and prepared pieces of state.

/// A piece hashed ahead of its encoding (`BPEModel.Encoder.prepare`).
public struct PreparedPiece {
    public let text: UnsafePointer<UInt8>
    public let length: Int
    @usableFromInline let word: UInt64
    @usableFromInline let hash: UInt64

    @inlinable init(text: UnsafePointer<UInt8>, length: Int, word: UInt64, hash: UInt64) {
        self.text = text; self.length = length; self.word = word; self.hash = hash
    }
}

/// Bounds of up to `capacity` pieces of one buffer, waiting to be encoded. Use through
/// `BPEModel.Encoder.withPieceBatch(_:)`: `add` each piece; when it returns true the batch is full and
/// must be encoded (`encode(_:base:end:into:)`) before the next `add`.
public struct PieceBatch {
    /// Pieces per batch: large enough that the pipeline's start-up (its first `distance` pieces are not
    /// prefetched ahead) is rare, small enough that the bounds and prepared pieces stay in L1.
    public static let capacity = 256
    /// How many pieces ahead of encoding a piece is prepared. 16 covers a last-level-cache miss
    /// (≈ 100 ns) at ≈ 10 ns per piece in the batch loop; docs/algorithms/bpe-encoding.md has what was measured.
    public static let distance = 16
    @usableFromInline let starts: UnsafeMutablePointer<Int>
    @usableFromInline let lengths: UnsafeMutablePointer<Int>
    @usableFromInline let prepared: UnsafeMutablePointer<PreparedPiece>
    @usableFromInline var count = 0

    @inlinable init(starts: UnsafeMutablePointer<Int>, lengths: UnsafeMutablePointer<Int>, prepared: UnsafeMutablePointer<PreparedPiece>) {
        self.starts = starts; self.lengths = lengths; self.prepared = prepared
    }

    /// Adds the piece of `length` bytes at offset `start`; returns true when the batch is now full.
    @inlinable @inline(__always)
    public mutating func add(_ start: Int, _ length: Int) -> Bool {
        starts[count] = start
        lengths[count] = length
        count &+= 1
        return count == Self.capacity
    }
}

extension BPEModel.Encoder {
    /// Runs `body` with an empty batch over this encoder.
    @inlinable
    public func withPieceBatch<T>(_ body: (inout PieceBatch) throws -> T) rethrows -> T {
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * PieceBatch.capacity) { bounds in
            try withUnsafeTemporaryAllocation(of: PreparedPiece.self, capacity: PieceBatch.capacity) { prepared in
                var batch = PieceBatch(starts: bounds.baseAddress!, lengths: bounds.baseAddress! + PieceBatch.capacity,
                                       prepared: prepared.baseAddress!)
                return try body(&batch)
            }
        }
    }

    /// Appends the ids of the batch's pieces (offsets into `base`, whose bytes end at `end`), in order, and
    /// empties the batch.
    /// - Complexity: O(pieces) plus each piece's encoding.
    @inlinable
    public func encode<S: TokenSink>(_ batch: inout PieceBatch, base: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>,
                                     into out: inout S) {
        let count = batch.count
        let starts = batch.starts, lengths = batch.lengths, prepared = batch.prepared
        let ahead = min(PieceBatch.distance, count)
        for k in 0..<ahead { prepared[k] = prepare(base + starts[k], lengths[k], readableEnd: end) }
        var k = 0
        while k < count {
            let next = k &+ PieceBatch.distance
            if next < count { prepared[next] = prepare(base + starts[next], lengths[next], readableEnd: end) }
            let piece = prepared[k]
            k &+= 1
            if piece.length <= 8 {
                if piece.length <= 1 {
                    if piece.length == 1 { out.append(byteIDs[Int(piece.text[0])]) }
                    continue
                }
                if cache.hotLookup(piece.hash, word: piece.word, length: piece.length, into: &out) { continue }
            }
            encodeUncommon(piece, into: &out)
        }
        batch.count = 0
    }

    /// Encodes a piece that is neither a single byte nor in the hot level. Not inlined, so
    /// that the batch loop stays small; inlinable, so that it is specialised for the sink.
    @inlinable @inline(never)
    func encodeUncommon<S: TokenSink>(_ piece: PreparedPiece, into out: inout S) {
        encode(piece.text, piece.length, word: piece.word, hash: piece.hash, into: &out)
    }
}
